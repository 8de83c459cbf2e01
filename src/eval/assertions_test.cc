#include "eval/assertions.h"

#include <doctest/doctest.h>

using namespace llmctl;
using nlohmann::json;

namespace {

Assertion Make(const json& spec) {
  Assertion a;
  const std::string why = ParseAssertion(spec, &a);
  INFO(why);
  REQUIRE(why.empty());
  return a;
}

Observation Answer(const std::string& text) {
  Observation o;
  o.text = text;
  o.finish_reason = "stop";
  o.output_tokens = 12;
  o.cost_nanos = 2500;  // $0.0000025
  o.latency_ms = 150;
  return o;
}

// Checks one assertion against an answer that passes and one that fails,
// and that the failure message shows what was expected and what came back.
void PassesAndFails(const json& spec, const Observation& good, const Observation& bad,
                    const std::string& expected_fragment) {
  const Assertion a = Make(spec);
  AssertionResult ok = CheckAssertion(a, good);
  CHECK_MESSAGE(ok.passed, spec.dump() << " should pass: " << ok.message);
  AssertionResult no = CheckAssertion(a, bad);
  CHECK_MESSAGE(!no.passed, spec.dump() << " should fail");
  CHECK(no.message.find("expected") != std::string::npos);
  CHECK(no.message.find("got") != std::string::npos);
  CHECK_MESSAGE(no.message.find(expected_fragment) != std::string::npos, no.message);
}

}  // namespace

TEST_CASE("string assertions pass and fail") {
  PassesAndFails({{"type", "equals"}, {"value", "Paris"}}, Answer("Paris"), Answer("Paris."),
                 "\"Paris.\"");
  PassesAndFails({{"type", "contains"}, {"value", "Paris"}}, Answer("It is Paris."),
                 Answer("It is Lyon."), "\"It is Lyon.\"");
  PassesAndFails({{"type", "icontains"}, {"value", "PARIS"}}, Answer("it is paris"),
                 Answer("it is lyon"), "any case");
  PassesAndFails({{"type", "not-contains"}, {"value", "sorry"}}, Answer("Here you go"),
                 Answer("I am sorry"), "not to contain");
  PassesAndFails({{"type", "starts-with"}, {"value", "Yes"}}, Answer("Yes, it is."), Answer("No."),
                 "start with");
}

TEST_CASE("list assertions pass and fail") {
  PassesAndFails({{"type", "contains-any"}, {"value", {"cat", "dog"}}}, Answer("a dog"),
                 Answer("a bird"), "any of [\"cat\", \"dog\"]");
  PassesAndFails({{"type", "contains-all"}, {"value", {"cat", "dog"}}}, Answer("cat and dog"),
                 Answer("cat only"), "missing [\"dog\"]");
  // promptfoo also accepts one comma-separated string.
  PassesAndFails({{"type", "contains-any"}, {"value", "cat, dog"}}, Answer("a cat"),
                 Answer("a cow"), "\"cat\"");
}

TEST_CASE("regex assertions pass and fail") {
  PassesAndFails({{"type", "regex"}, {"value", "^\\d{3}-\\d{4}$"}}, Answer("555-1234"),
                 Answer("call 555"), "/^\\d{3}-\\d{4}$/");
  PassesAndFails({{"type", "not-regex"}, {"value", "(?:error|fail)"}}, Answer("all good"),
                 Answer("an error"), "not to match");
}

TEST_CASE("regex assertions survive a 100 KB answer that overflows backtracking engines") {
  std::string answer;
  for (int i = 0; i < 100 * 1024 / 16; ++i) answer += "line of text...\n";
  PassesAndFails({{"type", "regex"}, {"value", "^(.|\n)*END$"}}, Answer(answer + "END"),
                 Answer(answer), "to match");
  CHECK(CheckAssertion(Make({{"type", "regex"}, {"value", "^(.|\n)*$"}}), Answer(answer)).passed);
  CHECK(CheckAssertion(Make({{"type", "not-regex"}, {"value", "(a|b)*c$"}}),
                       Answer(std::string(100 * 1024, 'a')))
            .passed);
}

TEST_CASE("is-json passes and fails, with optional required keys") {
  PassesAndFails({{"type", "is-json"}}, Answer("{\"a\": 1}"), Answer("{a: 1}"), "valid JSON");
  PassesAndFails({{"type", "is-json"}, {"value", {"name", "age"}}},
                 Answer(R"({"name":"x","age":3})"), Answer(R"({"name":"x"})"), "missing [\"age\"]");
  PassesAndFails({{"type", "is-json"}, {"value", {{"type", "object"}, {"required", {"name"}}}}},
                 Answer(R"({"name":"x"})"), Answer("[1,2]"), "match the JSON Schema");
}

TEST_CASE("is-json with a JSON Schema value validates the whole document") {
  nlohmann::json schema = nlohmann::json::parse(
      R"({"type":"object","properties":{"score":{"type":"number","minimum":0,"maximum":1},
          "tags":{"type":"array","items":{"type":"string"}}},"required":["score"]})");
  PassesAndFails({{"type", "is-json"}, {"value", schema}}, Answer(R"({"score":0.5,"tags":["a"]})"),
                 Answer(R"({"score":3,"tags":[1]})"), "at /score");
  Assertion a;
  CHECK(ParseAssertion({{"type", "is-json"}, {"value", {{"type", 5}}}}, &a).find("JSON Schema") !=
        std::string::npos);
  CHECK_FALSE(ParseAssertion({{"type", "is-json"}, {"value", "name"}}, &a).empty());
}

TEST_CASE("metric assertions pass and fail") {
  Observation cheap = Answer("x"), dear = Answer("x");
  dear.cost_nanos = 2'000'000;  // $0.002
  PassesAndFails({{"type", "max-cost"}, {"value", 0.001}}, cheap, dear, "$0.002");
  Observation fast = Answer("x"), slow = Answer("x");
  slow.latency_ms = 2500;
  PassesAndFails({{"type", "max-latency-ms"}, {"value", 1000}}, fast, slow, "2500 ms");
  // promptfoo names the limit "threshold".
  PassesAndFails({{"type", "max-latency-ms"}, {"threshold", 1000}}, fast, slow, "1000 ms");
  Observation brief = Answer("x"), wordy = Answer("x");
  wordy.output_tokens = 900;
  PassesAndFails({{"type", "max-output-tokens"}, {"value", 100}}, brief, wordy, "got 900");
  Observation stopped = Answer("x"), cut = Answer("x");
  cut.finish_reason = "length";
  PassesAndFails({{"type", "finish-reason"}, {"value", "stop"}}, stopped, cut, "\"length\"");
}

TEST_CASE("invalid assertions are refused with the reason") {
  Assertion a;
  CHECK(ParseAssertion({{"type", "contain"}, {"value", "x"}}, &a)
            .find("unknown assertion type \"contain\"") == 0);
  CHECK(ParseAssertion({{"type", "contains"}}, &a).find("must be a string") != std::string::npos);
  CHECK(ParseAssertion({{"type", "regex"}, {"value", "(unclosed"}}, &a)
            .find("invalid regular expression") != std::string::npos);
  CHECK(ParseAssertion({{"type", "max-cost"}, {"value", -1}}, &a).find("≥ 0") != std::string::npos);
  CHECK(ParseAssertion({{"type", "max-output-tokens"}, {"value", 1.5}}, &a).find("whole number") !=
        std::string::npos);
  CHECK(ParseAssertion({{"type", "finish-reason"}, {"value", "done"}}, &a)
            .find("not a finish reason") != std::string::npos);
  CHECK(
      ParseAssertion({{"type", "contains-all"}, {"value", json::array()}}, &a).find("non-empty") !=
      std::string::npos);
  CHECK(ParseAssertion({{"type", "equals"}, {"value", "x"}, {"weight", 2}}, &a)
            .find("unknown field") != std::string::npos);
  CHECK(ParseAssertion("contains", &a).find("object") != std::string::npos);
  CHECK(IsAssertionType("not-regex"));
  CHECK(IsAssertionType("llm-rubric"));
  CHECK_FALSE(IsAssertionType("g-eval"));
}

TEST_CASE("a long answer is truncated in the message, on a UTF-8 boundary") {
  std::string long_answer = "é" + std::string(500, 'a');
  const std::string q = QuoteGot(long_answer, 10);
  CHECK(q.find("… (502 bytes)") != std::string::npos);
  CHECK(q.size() < 40);
  // Cutting at byte 1 would split the two-byte "é": it is kept whole or dropped.
  CHECK(QuoteGot("é" + std::string(20, 'b'), 1).rfind("\"\"…", 0) == 0);
  CHECK(QuoteGot("line1\nline2") == "\"line1\\nline2\"");
}

namespace llmctl {
namespace {

Assertion Parsed(const nlohmann::json& spec) {
  Assertion a;
  REQUIRE(ParseAssertion(spec, &a) == "");
  return a;
}

}  // namespace

TEST_CASE("promptfoo's cost and latency names take their number from threshold") {
  Observation o;
  o.cost_nanos = 600'000;
  o.latency_ms = 250;
  CHECK(CheckAssertion(Parsed({{"type", "cost"}, {"threshold", 0.001}}), o).passed);
  CHECK_FALSE(CheckAssertion(Parsed({{"type", "cost"}, {"threshold", 0.0001}}), o).passed);
  CHECK(CheckAssertion(Parsed({{"type", "latency"}, {"threshold", 300}}), o).passed);
  CHECK_FALSE(CheckAssertion(Parsed({{"type", "latency"}, {"threshold", 200}}), o).passed);
  CHECK(CheckAssertion(Parsed({{"type", "max-cost"}, {"value", 0.001}}), o).passed);
}

TEST_CASE("contains-json finds JSON inside prose, with required keys") {
  Observation o;
  o.text = "Sure! {\"a\": \"}\", \"b\": [1, 2]} and also [3]";
  CHECK(CheckAssertion(Parsed({{"type", "contains-json"}}), o).passed);
  CHECK(CheckAssertion(
            Parsed({{"type", "contains-json"}, {"value", nlohmann::json::array({"a", "b"})}}), o)
            .passed);
  CHECK(CheckAssertion(Parsed({{"type", "contains-json"},
                               {"value", {{"required", nlohmann::json::array({"b"})}}}}),
                       o)
            .passed);
  CHECK_FALSE(CheckAssertion(
                  Parsed({{"type", "contains-json"}, {"value", nlohmann::json::array({"zz"})}}), o)
                  .passed);
  o.text = "no { json here";
  CHECK_FALSE(CheckAssertion(Parsed({{"type", "contains-json"}}), o).passed);
  o.text = "{broken} then {\"ok\": true}";
  CHECK(CheckAssertion(
            Parsed({{"type", "contains-json"}, {"value", nlohmann::json::array({"ok"})}}), o)
            .passed);
}

TEST_CASE("llm-rubric needs its rubric; grader and threshold are checked") {
  Assertion a;
  CHECK(ParseAssertion({{"type", "llm-rubric"}}, &a).find("must be the rubric") !=
        std::string::npos);
  CHECK(ParseAssertion({{"type", "llm-rubric"}, {"value", "x"}, {"threshold", 2}}, &a)
            .find("from 0 to 1") != std::string::npos);
  CHECK(ParseAssertion({{"type", "contains"}, {"value", "x"}, {"grader", "m"}}, &a)
            .find("llm-rubric only") != std::string::npos);
  CHECK(ParseAssertion(
            {{"type", "llm-rubric"}, {"value", "x"}, {"grader", "anthropic:claude-haiku-4-5"}},
            &a) == "");
  CHECK(a.grader == "anthropic:claude-haiku-4-5");
}

}  // namespace llmctl
