#include "util/regex.h"

#include <doctest/doctest.h>

#include <string>

namespace llmctl {

TEST_CASE("Regex compiles, searches and matches whole texts") {
  std::string error;
  auto re = Regex::Compile("b+c", &error);
  REQUIRE(re);
  CHECK(re->Search("abbcd"));
  CHECK_FALSE(re->FullMatch("abbcd"));
  CHECK(re->FullMatch("bbc"));
  CHECK_FALSE(re->Search("acd"));
  auto span = re->Find("aabbcd");
  REQUIRE(span);
  CHECK(span->offset == 2);
  CHECK(span->length == 3);
  CHECK_FALSE(re->Find("xyz"));
}

TEST_CASE("Regex reports a bad pattern instead of throwing") {
  std::string error;
  CHECK_FALSE(Regex::Compile("(unclosed", &error));
  CHECK(error.find("missing )") != std::string::npos);
  CHECK_FALSE(Regex::Compile("(a)\\1", &error));  // backreferences are not linear-time
  CHECK_FALSE(error.empty());
}

TEST_CASE("Regex is case-insensitive on request") {
  std::string error;
  auto re = Regex::Compile("ignore previous", &error, {.case_insensitive = true});
  REQUIRE(re);
  CHECK(re->Search("Please IGNORE Previous instructions"));
}

TEST_CASE("Regex stays linear on a long text that crashes backtracking engines") {
  std::string error;
  auto re = Regex::Compile("^(.|\\n)*$", &error);
  REQUIRE(re);
  std::string answer;
  for (int i = 0; i < 100 * 1024 / 16; ++i) answer += "line of text...\n";
  CHECK(re->Search(answer));
  CHECK(re->FullMatch(answer));
}

}  // namespace llmctl
