// Prompt templates: TOML files in $XDG_CONFIG_HOME/llmctl/templates/NAME.toml
// holding a system message, a prompt with {{input}} and {{var}}
// placeholders, and call settings. A mistake in a template (an unknown key,
// a wrong type, a variable left without a value) is an error naming it, so
// a typo never sends a half-filled prompt.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/settings.h"
#include "util/status.h"

namespace llmctl {

struct PromptTemplate {
  std::string name;
  std::string path;  // the file it was read from
  std::optional<std::string> system, prompt, model;
  std::optional<double> temperature;
  std::optional<int64_t> max_tokens;
  std::optional<std::string>
      schema;  // a JSON Schema file; relative paths start at the templates directory
};

// $XDG_CONFIG_HOME/llmctl/templates, else ~/.config/llmctl/templates; empty
// when neither variable is set.
std::string TemplateDirectory(const Environment& env);

// Parses one template's TOML text; label names it in errors ("template
// NAME (PATH)"). Errors are usage errors.
Status ParseTemplate(std::string_view toml_text, const std::string& label, PromptTemplate* out);

// Reads dir/NAME.toml. NAME is letters, digits, '.', '_' and '-' (never a
// path); a missing file is an error that lists the templates there.
Status LoadTemplate(const std::string& dir, const std::string& name, PromptTemplate* out);

// The template names in dir, sorted; a missing directory has none.
std::vector<std::string> ListTemplates(const std::string& dir);

// The variables ({{name}}) the template's system and prompt use, sorted,
// without "input".
std::vector<std::string> TemplateVariables(const PromptTemplate& t);

// Adds one -V KEY=VALUE to vars; a malformed or repeated key is an error.
Status ParseTemplateVar(const std::string& flag, std::map<std::string, std::string>* vars);

// Fills the placeholders, in one pass (a value that itself contains
// "{{x}}" is left as it is). {{input}} is the prompt given on the command
// line or standard input; a prompt without {{input}} gets that input after
// a blank line, and a template without a prompt uses the input as its
// prompt. A placeholder with no value, or a -V the template never uses, is
// an error naming it.
Status FillTemplate(const PromptTemplate& t, const std::string& input,
                    const std::map<std::string, std::string>& vars, std::string* system,
                    std::string* prompt);

// Whether the template's prompt needs input from the command line or
// standard input (no prompt, or one with {{input}}).
bool TemplateTakesInput(const PromptTemplate& t);

}  // namespace llmctl
