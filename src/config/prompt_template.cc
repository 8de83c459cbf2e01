// toml++ is used header-only in this one file: linking its shared library
// would load one more object at the start of every llmctl process.
#define TOML_HEADER_ONLY 1
#define TOML_ENABLE_FORMATTERS 0
#include "config/prompt_template.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <toml++/toml.h>

#include "util/did_you_mean.h"
#include "util/utf8.h"

namespace llmctl {
namespace {

const std::vector<std::string> kKeys = {"system",      "prompt",     "model",
                                        "temperature", "max_tokens", "schema"};

bool ValidName(std::string_view name) {
  if (name.empty() || name.size() > 200 || name.front() == '.') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
  });
}

bool VariableChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
}

// Calls visit(name, begin, end) for each {{name}} (spaces inside the braces
// allowed) in text.
template <typename Visit>
void ForEachPlaceholder(const std::string& text, Visit visit) {
  size_t pos = 0;
  while ((pos = text.find("{{", pos)) != std::string::npos) {
    const size_t close = text.find("}}", pos + 2);
    if (close == std::string::npos) return;
    std::string inner = text.substr(pos + 2, close - pos - 2);
    const size_t b = inner.find_first_not_of(' '), e = inner.find_last_not_of(' ');
    inner = b == std::string::npos ? "" : inner.substr(b, e - b + 1);
    if (!inner.empty() && std::all_of(inner.begin(), inner.end(), VariableChar)) {
      visit(inner, pos, close + 2);
      pos = close + 2;
    } else {
      pos += 2;
    }
  }
}

Status Fill(const std::string& text, const std::string& label,
            const std::map<std::string, std::string>& values, std::string* out) {
  std::string result;
  size_t from = 0;
  std::string missing;
  ForEachPlaceholder(text, [&](const std::string& name, size_t begin, size_t end) {
    auto it = values.find(name);
    if (it == values.end()) {
      if (missing.empty()) missing = name;
      return;
    }
    result.append(text, from, begin - from);
    result += it->second;
    from = end;
  });
  if (!missing.empty())
    return Status::Usage(label + ": variable \"" + missing + "\" has no value; pass -V " + missing +
                         "=VALUE");
  result.append(text, from, std::string::npos);
  *out = std::move(result);
  return Status::Ok();
}

}  // namespace

std::string TemplateDirectory(const Environment& env) {
  auto get = [&](const char* name) {
    auto it = env.find(name);
    return it == env.end() ? std::string() : it->second;
  };
  if (!get("XDG_CONFIG_HOME").empty()) return get("XDG_CONFIG_HOME") + "/llmctl/templates";
  if (!get("HOME").empty()) return get("HOME") + "/.config/llmctl/templates";
  return "";
}

Status ParseTemplate(std::string_view toml_text, const std::string& label, PromptTemplate* out) {
  if (auto bad = FindInvalidUtf8(toml_text))
    return Status::Usage(label + ": not valid UTF-8 (bad byte at offset " + std::to_string(*bad) +
                         ")");
  toml::table table;
  try {
    table = toml::parse(toml_text);
  } catch (const toml::parse_error& e) {
    return Status::Usage(label + ": line " + std::to_string(e.source().begin.line) + ": " +
                         std::string(e.description()));
  }
  for (auto&& item : table) {
    const std::string k(item.first.str());
    const toml::node& node = item.second;
    const std::string where = label + ": " + k;
    auto want_string = [&](std::optional<std::string>* field) {
      if (!node.is_string()) return Status::Usage(where + " must be a string");
      *field = node.as_string()->get();
      return Status::Ok();
    };
    Status st = Status::Ok();
    if (k == "system") {
      st = want_string(&out->system);
    } else if (k == "prompt") {
      st = want_string(&out->prompt);
    } else if (k == "model") {
      st = want_string(&out->model);
      if (st.ok() && out->model->empty()) st = Status::Usage(where + " must not be empty");
    } else if (k == "schema") {
      st = want_string(&out->schema);
      if (st.ok() && out->schema->empty()) st = Status::Usage(where + " must not be empty");
    } else if (k == "temperature") {
      std::optional<double> t = node.value<double>();  // an integer converts too
      if (!t || *t < 0 || *t > 2) st = Status::Usage(where + " must be a number from 0 to 2");
      else out->temperature = *t;
    } else if (k == "max_tokens") {
      if (!node.is_integer() || node.as_integer()->get() < 1 ||
          node.as_integer()->get() > 10'000'000)
        st = Status::Usage(where + " must be an integer from 1 to 10000000");
      else out->max_tokens = node.as_integer()->get();
    } else {
      st = Status::Usage(label + ": unknown key \"" + k + "\"" + DidYouMean(k, kKeys) +
                         " (the keys are system, prompt, model, temperature, max_tokens, schema)");
    }
    if (!st.ok()) return st;
  }
  return Status::Ok();
}

Status LoadTemplate(const std::string& dir, const std::string& name, PromptTemplate* out) {
  if (!ValidName(name))
    return Status::Usage("template name \"" + name +
                         "\" is invalid: use letters, digits, '.', '_' and '-'");
  if (dir.empty()) return Status::Usage("no template directory: set XDG_CONFIG_HOME or HOME");
  const std::string path = dir + "/" + name + ".toml";
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const std::vector<std::string> known = ListTemplates(dir);
    std::string listed;
    for (const std::string& n : known) listed += (listed.empty() ? "" : ", ") + n;
    return Status::Usage(
        "template \"" + name + "\" not found: no " + path +
        (known.empty() ? " (no templates there yet)" : " (templates: " + listed + ")") +
        DidYouMean(name, known));
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (text.str().size() > (1u << 20))
    return Status::Usage(path + " is larger than 1 MiB; a template is a small file");
  out->name = name;
  out->path = path;
  return ParseTemplate(text.str(), "template " + name + " (" + path + ")", out);
}

std::vector<std::string> ListTemplates(const std::string& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  if (dir.empty()) return names;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::filesystem::path p = entry.path();
    if (p.extension() == ".toml" && ValidName(p.stem().string()))
      names.push_back(p.stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<std::string> TemplateVariables(const PromptTemplate& t) {
  std::set<std::string> names;
  for (const auto* text : {&t.system, &t.prompt})
    if (*text)
      ForEachPlaceholder(**text, [&](const std::string& n, size_t, size_t) {
        if (n != "input") names.insert(n);
      });
  return {names.begin(), names.end()};
}

Status ParseTemplateVar(const std::string& flag, std::map<std::string, std::string>* vars) {
  const size_t eq = flag.find('=');
  const std::string key = flag.substr(0, eq);
  if (eq == std::string::npos || key.empty() || !std::all_of(key.begin(), key.end(), VariableChar))
    return Status::Usage("-V " + flag +
                         " is invalid: expected KEY=VALUE, KEY of letters, digits, '_' and '-'");
  if (key == "input")
    return Status::Usage("-V input=... is not allowed: {{input}} is the prompt itself");
  if (!vars->emplace(key, flag.substr(eq + 1)).second)
    return Status::Usage("-V " + key + " is given twice");
  return Status::Ok();
}

bool TemplateTakesInput(const PromptTemplate& t) {
  if (!t.prompt) return true;
  bool uses = false;
  ForEachPlaceholder(*t.prompt,
                     [&](const std::string& n, size_t, size_t) { uses = uses || n == "input"; });
  return uses;
}

Status FillTemplate(const PromptTemplate& t, const std::string& input,
                    const std::map<std::string, std::string>& vars, std::string* system,
                    std::string* prompt) {
  const std::string label = "template " + t.name;
  const std::vector<std::string> used = TemplateVariables(t);
  for (const auto& [key, value] : vars)
    if (!std::binary_search(used.begin(), used.end(), key)) {
      std::string names;
      for (const std::string& n : used) names += (names.empty() ? "" : ", ") + n;
      return Status::Usage("-V " + key + ": " + label + " has no variable \"" + key + "\"" +
                           DidYouMean(key, used) +
                           (used.empty() ? " (it uses none)" : " (it uses " + names + ")"));
    }
  std::map<std::string, std::string> values = vars;
  values["input"] = input;
  // Filled into locals and assigned last: the outputs may alias the input.
  std::string filled_system, filled_prompt = input;
  if (t.system) {
    Status st = Fill(*t.system, label + " system", values, &filled_system);
    if (!st.ok()) return st;
  }
  if (t.prompt) {
    if (TemplateTakesInput(t) && input.empty())
      return Status::Usage(
          label +
          " fills {{input}}, but none was given: pass it as arguments or on standard input");
    Status st = Fill(*t.prompt, label + " prompt", values, &filled_prompt);
    if (!st.ok()) return st;
    if (!TemplateTakesInput(t) && !input.empty())
      filled_prompt += (filled_prompt.empty() ? "" : "\n\n") + input;
  }
  *system = std::move(filled_system);
  *prompt = std::move(filled_prompt);
  return Status::Ok();
}

}  // namespace llmctl
