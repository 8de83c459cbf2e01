#include "providers/messages.h"

#include <doctest/doctest.h>

using namespace llmctl;

TEST_CASE("messages: a good array is read in order") {
  std::vector<Message> out;
  auto err = ParseMessages(nlohmann::json::parse(R"([{"role":"system","content":"be brief"},
                                                    {"role":"user","content":"hi"}])"),
                           &out);
  CHECK(!err);
  REQUIRE(out.size() == 2);
  CHECK(out[1].role == "user");
  CHECK(out[1].content == "hi");
}

TEST_CASE("messages: each bad shape names the element and the problem") {
  std::vector<Message> out;
  auto err = ParseMessages(nlohmann::json::array(), &out);
  REQUIRE(err);
  CHECK(!err->index);
  err = ParseMessages(nlohmann::json::parse(R"([{"role":"user","content":"a"},{"role":"user"}])"),
                      &out);
  REQUIRE(err);
  CHECK(err->index == 1u);
  CHECK(err->problem == "is not {\"role\": string, \"content\": string}");
  err = ParseMessages(nlohmann::json::parse(R"([{"role":"tool","content":"a"}])"), &out);
  REQUIRE(err);
  CHECK(err->problem == "has role \"tool\": expected system, developer, user or assistant");
  CHECK(out.empty());  // nothing is added from a bad array
}

TEST_CASE("messages: system and developer turns fold into the system prompt") {
  std::string system = "from --system";
  std::vector<Message> turns;
  FoldSystemMessages({{"developer", "dev"}, {"user", "q"}, {"system", "sys"}, {"assistant", "a"}},
                     &system, &turns);
  CHECK(system == "from --system\n\ndev\n\nsys");
  REQUIRE(turns.size() == 2);
  CHECK(turns[0].role == "user");
  CHECK(HasText(turns));
  CHECK(!HasText({{"user", " \n\t"}}));
}
