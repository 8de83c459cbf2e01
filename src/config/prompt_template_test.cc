#include "config/prompt_template.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

using namespace llmctl;

namespace {

PromptTemplate Parsed(const std::string& text) {
  PromptTemplate t;
  // Not `= "t"`: assigning a short literal here trips a false GCC 12
  // -Wrestrict warning.
  t.name.push_back('t');
  Status st = ParseTemplate(text, "template t", &t);
  REQUIRE_MESSAGE(st.ok(), st.message());
  return t;
}

std::string ParseError(const std::string& text) {
  PromptTemplate t;
  Status st = ParseTemplate(text, "template t", &t);
  CHECK(st.code() == StatusCode::kUsage);
  return st.message();
}

}  // namespace

TEST_CASE("a template's keys and their types") {
  PromptTemplate t = Parsed(R"(
system = "You review {{lang}} code."
prompt = """Review this:
{{input}}"""
model = "anthropic:claude-haiku-4-5"
temperature = 0
max_tokens = 300
schema = "review.schema.json"
)");
  CHECK(*t.system == "You review {{lang}} code.");
  CHECK(*t.model == "anthropic:claude-haiku-4-5");
  CHECK(*t.temperature == 0);
  CHECK(*t.max_tokens == 300);
  CHECK(*t.schema == "review.schema.json");
  CHECK(TemplateVariables(t) == std::vector<std::string>{"lang"});
  CHECK(TemplateTakesInput(t));
}

TEST_CASE("template mistakes name the key") {
  CHECK(ParseError("promt = \"x\"").find("unknown key \"promt\"; did you mean prompt?") !=
        std::string::npos);
  CHECK(ParseError("temperature = 3").find("temperature must be a number from 0 to 2") !=
        std::string::npos);
  CHECK(ParseError("max_tokens = 1.5").find("max_tokens must be an integer") != std::string::npos);
  CHECK(ParseError("system = 5").find("system must be a string") != std::string::npos);
  CHECK(ParseError("prompt = \"unterminated").find("template t: line 1") != std::string::npos);
}

TEST_CASE("filling placeholders") {
  PromptTemplate t =
      Parsed("system = \"Answer in {{ lang }}.\"\nprompt = \"Translate: {{input}}\"");
  std::string system, prompt;
  REQUIRE(FillTemplate(t, "guten Tag {{lang}}", {{"lang", "English"}}, &system, &prompt).ok());
  CHECK(system == "Answer in English.");
  CHECK(prompt == "Translate: guten Tag {{lang}}");  // one pass: the input is not expanded

  Status missing = FillTemplate(t, "x", {}, &system, &prompt);
  CHECK(missing.code() == StatusCode::kUsage);
  CHECK(missing.message().find("variable \"lang\" has no value; pass -V lang=VALUE") !=
        std::string::npos);

  Status unused = FillTemplate(t, "x", {{"lang", "en"}, {"tone", "dry"}}, &system, &prompt);
  CHECK(unused.message().find("has no variable \"tone\"") != std::string::npos);

  Status no_input = FillTemplate(t, "", {{"lang", "en"}}, &system, &prompt);
  CHECK(no_input.message().find("fills {{input}}, but none was given") != std::string::npos);
}

TEST_CASE("input without a placeholder is appended; no prompt means the input is the prompt") {
  PromptTemplate fixed = Parsed("prompt = \"Tell a joke about {{topic}}.\"");
  CHECK_FALSE(TemplateTakesInput(fixed));
  std::string system, prompt;
  REQUIRE(FillTemplate(fixed, "", {{"topic", "cats"}}, &system, &prompt).ok());
  CHECK(prompt == "Tell a joke about cats.");
  REQUIRE(FillTemplate(fixed, "make it short", {{"topic", "cats"}}, &system, &prompt).ok());
  CHECK(prompt == "Tell a joke about cats.\n\nmake it short");
  std::string same = "";  // the prompt may be filled in place
  REQUIRE(FillTemplate(fixed, same, {{"topic", "cats"}}, &system, &same).ok());
  CHECK(same == "Tell a joke about cats.");
  PromptTemplate only_system = Parsed("system = \"Be brief.\"");
  REQUIRE(FillTemplate(only_system, "hello", {}, &system, &prompt).ok());
  CHECK(system == "Be brief.");
  CHECK(prompt == "hello");
}

TEST_CASE("-V KEY=VALUE") {
  std::map<std::string, std::string> vars;
  CHECK(ParseTemplateVar("lang=C++ = fun", &vars).ok());
  CHECK(vars["lang"] == "C++ = fun");
  CHECK(ParseTemplateVar("empty=", &vars).ok());
  CHECK(ParseTemplateVar("lang=again", &vars).message().find("given twice") != std::string::npos);
  CHECK_FALSE(ParseTemplateVar("novalue", &vars).ok());
  CHECK_FALSE(ParseTemplateVar("=x", &vars).ok());
  CHECK_FALSE(ParseTemplateVar("input=x", &vars).ok());
}

TEST_CASE("templates are files in the templates directory") {
  std::string tmpl = (std::filesystem::temp_directory_path() / "llmctl-tpl-XXXXXX").string();
  const std::string dir = mkdtemp(tmpl.data());
  std::ofstream(dir + "/summary.toml") << "prompt = \"Summarise: {{input}}\"\n";
  std::ofstream(dir + "/notes.txt") << "not a template";
  CHECK(ListTemplates(dir) == std::vector<std::string>{"summary"});
  PromptTemplate t;
  REQUIRE(LoadTemplate(dir, "summary", &t).ok());
  CHECK(t.path == dir + "/summary.toml");
  Status missing = LoadTemplate(dir, "sumary", &t);
  CHECK(missing.message().find("did you mean summary?") != std::string::npos);
  CHECK(LoadTemplate(dir, "../etc/passwd", &t).message().find("is invalid") != std::string::npos);
  CHECK(ListTemplates(dir + "/none").empty());
  CHECK(TemplateDirectory({{"XDG_CONFIG_HOME", "/x"}, {"HOME", "/h"}}) == "/x/llmctl/templates");
  CHECK(TemplateDirectory({{"HOME", "/h"}}) == "/h/.config/llmctl/templates");
  std::filesystem::remove_all(dir);
}
