#include "config/tags.h"

#include <doctest/doctest.h>

namespace llmctl {

TEST_CASE("a tag is KEY=VALUE with a short identifier key and a one-line value") {
  std::pair<std::string, std::string> tag;
  CHECK(ParseTag("ci_job=4711", &tag) == "");
  CHECK(tag == std::pair<std::string, std::string>{"ci_job", "4711"});
  CHECK(ParseTag("team.search-2=a=b", &tag) == "");
  CHECK(tag.second == "a=b");
  CHECK(ParseTag("noequals", &tag).find("KEY=VALUE") != std::string::npos);
  CHECK(ParseTag("=v", &tag) == "the key is empty");
  CHECK(ParseTag("bad key=v", &tag).find("letters, digits") != std::string::npos);
  CHECK(ParseTag("k\"=v", &tag).find("letters, digits") != std::string::npos);
  CHECK(ParseTag(std::string(65, 'k') + "=v", &tag).find("longer than 64") != std::string::npos);
  CHECK(ParseTag(std::string(64, 'k') + "=v", &tag) == "");
  CHECK(ParseTag("k=", &tag) == "the value of k is empty");
  CHECK(ParseTag("k=" + std::string(257, 'v'), &tag).find("longer than 256") != std::string::npos);
  CHECK(ParseTag("k=a\nb", &tag).find("control character") != std::string::npos);
  CHECK(ParseTag("k=a,b", &tag).find("comma") != std::string::npos);
  CHECK(ParseTag("k=\xff", &tag).find("UTF-8") != std::string::npos);
  CHECK(ParseTag("k=équipe", &tag) == "");
}

TEST_CASE("LLMCTL_TAGS is a comma list, sorted by key, each key once, at most 16") {
  Tags tags;
  CHECK(ParseTagList(" team=search , ci_job=4711,", &tags) == "");
  REQUIRE(tags.size() == 2);
  CHECK(tags[0].first == "ci_job");
  CHECK(tags[1].first == "team");
  CHECK(ParseTagList("", &tags) == "");
  CHECK(tags.empty());
  CHECK(ParseTagList("a=1,a=2", &tags).find("given twice") != std::string::npos);
  CHECK(ParseTagList("a=1,oops", &tags).find("\"oops\"") == 0);
  std::string many;
  for (int i = 0; i < 17; ++i) many += "k" + std::to_string(i) + "=v,";
  CHECK(ParseTagList(many, &tags).find("more than 16") != std::string::npos);
}

TEST_CASE("flag tags replace environment tags of the same key") {
  Tags base = {{"ci_job", "1"}, {"team", "x"}};
  CHECK(MergeTags({{"ci_job", "2"}, {"feature", "f"}}, &base) == "");
  REQUIRE(base.size() == 3);
  CHECK(base[0] == std::pair<std::string, std::string>{"ci_job", "2"});
  CHECK(base[1].first == "feature");
  Tags full;
  for (int i = 0; i < 16; ++i) full.emplace_back("k" + std::to_string(i + 10), "v");
  CHECK(MergeTags({{"extra", "v"}}, &full).find("more than 16") != std::string::npos);
}

}  // namespace llmctl
