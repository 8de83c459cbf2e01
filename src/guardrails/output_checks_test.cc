#include "guardrails/output_checks.h"

#include <doctest/doctest.h>

using namespace llmctl;
using nlohmann::json;

namespace {

std::unique_ptr<OutputChecker> MakeChecker(const OutputCheckOptions& o) {
  std::unique_ptr<OutputChecker> c;
  Status st = OutputChecker::Create(o, &c);
  REQUIRE_MESSAGE(st.ok(), st.message());
  return c;
}

}  // namespace

TEST_CASE("no checks: inactive and everything passes") {
  auto c = MakeChecker({});
  CHECK_FALSE(c->active());
  CHECK(c->Check("not json at all").empty());
}

TEST_CASE("expect_json accepts one document with white space and rejects prose or fences") {
  OutputCheckOptions o;
  o.expect_json = true;
  auto c = MakeChecker(o);
  CHECK(c->active());
  CHECK(c->Check("  {\"a\": 1}\n").empty());
  CHECK(c->Check("[1,2]").empty());
  auto f = c->Check("Sure! {\"a\": 1}");
  REQUIRE(f.size() == 1);
  CHECK(f[0].stage == "output");
  CHECK(f[0].rule == "expect_json");
  CHECK(f[0].detail.find("not valid JSON") != std::string::npos);
  CHECK(c->Check("```json\n{}\n```").size() == 1);
  CHECK(c->Check("{} {}").size() == 1);
}

TEST_CASE("schema checks name the failing path and never quote the answer") {
  OutputCheckOptions o;
  o.schema = json::parse(R"({"type":"object","properties":{"n":{"type":"integer","minimum":1},
      "tags":{"type":"array","items":{"type":"string"}}},"required":["n"],"additionalProperties":false})");
  auto c = MakeChecker(o);
  CHECK(c->Check(R"({"n": 3, "tags": ["a"]})").empty());
  auto f = c->Check(R"({"n": 0, "tags": ["a", 7]})");
  REQUIRE(f.size() == 1);
  CHECK(f[0].rule == "schema");
  CHECK(f[0].detail.find("/n") != std::string::npos);
  CHECK(f[0].detail.find("/tags/1") != std::string::npos);
  auto missing = c->Check(R"({"tags": []})");
  REQUIRE(missing.size() == 1);
  CHECK(missing[0].detail.find("Missing required property 'n'") != std::string::npos);
  auto prose = c->Check("The secret answer is forty-two");
  REQUIRE(prose.size() == 1);
  CHECK(prose[0].rule == "schema");
  CHECK(prose[0].detail.find("secret") == std::string::npos);
  std::string reask = OutputChecker::ReaskMessage(f);
  CHECK(reask.find("/tags/1") != std::string::npos);
  CHECK(reask.find("only one JSON document") != std::string::npos);
}

TEST_CASE("expect and deny regexes") {
  OutputCheckOptions o;
  o.expect_regex = {"^[A-Z]", "\\d+"};
  o.deny_regex = {"(?i)password", "sk-[a-z0-9]{8}"};
  auto c = MakeChecker(o);
  CHECK(c->Check("Answer 42").empty());
  auto f = c->Check("answer: your Password is sk-abcdefghij");
  REQUIRE(f.size() == 4);
  CHECK(f[0].rule == "expect_regex");
  CHECK(f[0].detail == "--expect-regex \"^[A-Z]\" did not match");
  CHECK(f[1].rule == "expect_regex");
  CHECK(f[2].rule == "deny_regex");
  CHECK(f[2].detail == "--deny-regex \"(?i)password\" matched at byte 13");
  CHECK(f[3].detail.find("sk-abcdefgh") == std::string::npos);
}

TEST_CASE("bad regexes and schemas are usage errors naming the flag") {
  std::unique_ptr<OutputChecker> c;
  OutputCheckOptions o;
  o.deny_regex = {"(unclosed"};
  Status st = OutputChecker::Create(o, &c);
  CHECK(st.code() == StatusCode::kUsage);
  CHECK(st.message().find("--deny-regex \"(unclosed\"") != std::string::npos);
  OutputCheckOptions s;
  s.schema = json::parse(R"({"type": 12})");
  s.schema_label = "--schema bad.json";
  st = OutputChecker::Create(s, &c);
  CHECK(st.code() == StatusCode::kUsage);
  CHECK(st.message().find("--schema bad.json") != std::string::npos);
  s.schema = json::array();
  CHECK(OutputChecker::Create(s, &c).code() == StatusCode::kUsage);
}
