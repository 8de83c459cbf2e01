#include "eval/suite.h"

#include <sstream>

#include <doctest/doctest.h>

using namespace llmctl;

namespace {

struct Parsed {
  Suite suite;
  std::vector<std::string> errors;
};

Parsed Parse(const std::string& text) {
  Parsed p;
  std::istringstream in(text);
  ParseSuite(in, "s.jsonl", &p.suite, &p.errors);
  return p;
}

bool HasError(const Parsed& p, const std::string& fragment) {
  for (const std::string& e : p.errors)
    if (e.find(fragment) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE("templating replaces {{var}} and reports unknown variables") {
  std::string out;
  CHECK(ApplyTemplate("Hi {{name}}, {{ name }}!", {{"name", "Ada"}}, &out).empty());
  CHECK(out == "Hi Ada, Ada!");
  CHECK(ApplyTemplate("no vars here {not} {{ unclosed", {}, &out).empty());
  CHECK(out == "no vars here {not} {{ unclosed");
  const std::string why = ApplyTemplate("{{who}}", {{"name", "x"}}, &out);
  CHECK(why.find("unknown variable {{who}}") == 0);
  CHECK(why.find("name") != std::string::npos);
}

TEST_CASE("a suite with defaults, vars and both prompt forms") {
  Parsed p = Parse(
      R"({"defaults": {"system": "You are {{role}}.", "vars": {"role": "terse"}, "max_tokens": 50, "assert": [{"type": "not-contains", "value": "sorry"}]}})"
      "\n\n"
      R"({"id": "capital", "prompt": "Capital of {{country}}?", "vars": {"country": "France", "n": 3}, "assert": [{"type": "contains", "value": "{{country}}"}]})"
      "\n"
      R"({"id": "chat", "model": "mock:mock-1", "temperature": 0, "messages": [{"role": "system", "content": "Sys {{role}}"}, {"role": "user", "content": "Hello"}]})"
      "\n");
  REQUIRE(p.errors.empty());
  REQUIRE(p.suite.cases.size() == 2);
  const EvalCase& a = p.suite.cases[0];
  CHECK(a.id == "capital");
  CHECK(a.line == 3);
  CHECK(a.system == "You are terse.");
  REQUIRE(a.messages.size() == 1);
  CHECK(a.messages[0].role == "user");
  CHECK(a.messages[0].content == "Capital of France?");
  CHECK(a.max_tokens == 50);
  REQUIRE(a.asserts.size() == 2);  // the defaults' first
  CHECK(a.asserts[0].name == "not-contains");
  CHECK(a.asserts[1].text == "France");  // assertion values are templated too
  const EvalCase& b = p.suite.cases[1];
  CHECK(b.model == "mock:mock-1");
  CHECK(b.temperature == 0.0);
  CHECK(b.system == "You are terse.\n\nSys terse");
  REQUIRE(b.messages.size() == 1);
  CHECK(b.messages[0].content == "Hello");
}

TEST_CASE("a defaults prompt is a template for cases that only give vars") {
  Parsed p = Parse(R"({"defaults": {"prompt": "Translate {{w}}"}})"
                   "\n"
                   R"({"id": "a", "vars": {"w": "cat"}})"
                   "\n"
                   R"({"id": "b", "vars": {"w": "dog"}})");
  REQUIRE(p.errors.empty());
  CHECK(p.suite.cases[1].messages[0].content == "Translate dog");
}

TEST_CASE("suite errors carry file and line") {
  Parsed p =
      Parse(R"({"id": "ok", "prompt": "x"})"
            "\n"
            "{not json\n"
            R"({"id": "ok", "prompt": "y"})"
            "\n"
            R"({"id": "v", "prompt": "Hi {{nobody}}"})"
            "\n"
            R"({"id": "t", "prompt": "x", "assert": [{"type": "containz", "value": "a"}]})"
            "\n"
            R"({"prompt": "no id"})"
            "\n"
            R"({"id": "np"})"
            "\n"
            R"({"id": "both", "prompt": "x", "messages": [{"role": "user", "content": "y"}]})"
            "\n"
            R"({"id": "temp", "prompt": "x", "temperature": 3})"
            "\n"
            R"({"id": "typo", "promt": "x"})"
            "\n"
            R"({"defaults": {}})"
            "\n"
            "[1, 2]\n"
            R"({"id": "re", "prompt": "x", "assert": [{"type": "regex", "value": "("}]})"
            "\n");
  CHECK(p.errors.size() == 12);
  CHECK(HasError(p, "s.jsonl:2: not valid JSON"));
  CHECK(HasError(p, "s.jsonl:3: duplicate id \"ok\" (first used on line 1)"));
  CHECK(HasError(p, "s.jsonl:4: case \"v\": \"prompt\": unknown variable {{nobody}}"));
  CHECK(HasError(p, "s.jsonl:5: case \"t\": assert[0]: unknown assertion type \"containz\""));
  CHECK(HasError(p, "s.jsonl:6: the case needs a non-empty \"id\""));
  CHECK(HasError(p, "s.jsonl:7: case \"np\": the case needs a \"prompt\" or \"messages\""));
  CHECK(HasError(p, "s.jsonl:8: case \"both\": give \"prompt\" or \"messages\", not both"));
  CHECK(HasError(p, "s.jsonl:9: case \"temp\": \"temperature\" must be a number from 0 to 2"));
  CHECK(HasError(p, "s.jsonl:10: unknown field \"promt\""));
  CHECK(HasError(p, "s.jsonl:11: \"defaults\" must be on the first line"));
  CHECK(HasError(p, "s.jsonl:12: expected a JSON object"));
  CHECK(HasError(
      p, "s.jsonl:13: case \"re\": assert[0]: assertion regex: invalid regular expression"));
}

TEST_CASE("an empty suite is an error") {
  Parsed p = Parse("\n\n");
  REQUIRE(p.errors.size() == 1);
  CHECK(p.errors[0] == "s.jsonl: the suite has no cases");
}

TEST_CASE("numeric ids and non-string vars are accepted") {
  Parsed p = Parse(R"({"id": 7, "prompt": "n={{n}} b={{b}}", "vars": {"n": 3, "b": true}})");
  REQUIRE(p.errors.empty());
  CHECK(p.suite.cases[0].id == "7");
  CHECK(p.suite.cases[0].messages[0].content == "n=3 b=true");
}

TEST_CASE("a case's data is a string or a list of strings, templated, defaults inherited") {
  Parsed p = Parse(R"({"defaults": {"data": "default doc"}}
{"id": "one", "prompt": "Summarise", "data": "ticket {{n}}", "vars": {"n": "7"}}
{"id": "two", "prompt": "Compare", "data": ["a", "b"]}
{"id": "three", "prompt": "Inherit"}
)");
  REQUIRE(p.errors.empty());
  REQUIRE(p.suite.cases.size() == 3);
  CHECK(p.suite.cases[0].data == std::vector<std::string>{"ticket 7"});
  CHECK(p.suite.cases[1].data == std::vector<std::string>{"a", "b"});
  CHECK(p.suite.cases[2].data == std::vector<std::string>{"default doc"});
  CHECK(p.suite.cases[0].messages[0].content ==
        "Summarise");  // data is not pasted into the prompt here
  Parsed bad = Parse(R"({"id": "x", "prompt": "p", "data": [1]})");
  CHECK(HasError(bad, "\"data\" must be a string or a list of strings"));
}
