#include "eval/suite.h"

#include <set>

#include <nlohmann/json.hpp>

#include "providers/messages.h"
#include "util/utf8.h"

namespace llmctl {
namespace {

using nlohmann::json;

// Enough to fix a broken suite; a file of nothing but errors would drown it.
constexpr size_t kMaxErrors = 50;

const std::set<std::string> kCaseKeys = {
    "id",         "prompt",      "messages", "system",      "model",  "data",      "vars",
    "max_tokens", "temperature", "assert",   "description", "repeat", "threshold", "grader"};

bool IsBlank(const std::string& s) { return s.find_first_not_of(" \t\r") == std::string::npos; }

// Variables are strings in templates; other JSON values are written as JSON.
std::string VarText(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  return v.dump(-1, ' ', false, json::error_handler_t::replace);
}

// Reads the fields shared by the defaults line and cases into a raw form;
// templating waits until the case's vars are merged with the defaults'.
struct RawCase {
  std::optional<std::string> id, prompt, system, model;
  std::optional<std::vector<Message>> messages;
  std::optional<std::vector<std::string>> data;
  std::map<std::string, std::string> vars;
  std::optional<int64_t> max_tokens;
  std::optional<double> temperature;
  std::vector<json> asserts;
  std::optional<int> repeat;
  std::optional<double> threshold;
  std::optional<std::string> grader;
};

std::string ReadRaw(const json& obj, bool is_defaults, RawCase* r) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    if (!kCaseKeys.count(it.key()))
      return "unknown field \"" + it.key() +
             "\" (expected id, prompt, messages, data, system, model, vars, max_tokens, temperature, assert, "
             "repeat, threshold, grader)";
  }
  auto string_field = [&](const char* key, std::optional<std::string>* out) -> std::string {
    if (!obj.contains(key)) return "";
    if (!obj[key].is_string()) return std::string("\"") + key + "\" must be a string";
    *out = obj[key].get<std::string>();
    return "";
  };
  std::string why;
  if (obj.contains("id") && is_defaults) return "\"defaults\" cannot set \"id\"";
  if (obj.contains("id") && (obj["id"].is_number_integer() || obj["id"].is_number_unsigned())) {
    r->id = std::to_string(obj["id"].get<int64_t>());
  } else if (!(why = string_field("id", &r->id)).empty()) {
    return why;
  }
  for (auto [key, field] : {std::pair{"prompt", &r->prompt}, std::pair{"system", &r->system},
                            std::pair{"model", &r->model}, std::pair{"grader", &r->grader}}) {
    if (!(why = string_field(key, field)).empty()) return why;
  }
  if (obj.contains("messages")) {
    std::vector<Message> messages;
    if (auto bad = ParseMessages(obj["messages"], &messages)) {
      if (!bad->index) return "\"messages\" must be a non-empty array of {\"role\", \"content\"}";
      return "\"messages\"[" + std::to_string(*bad->index) + "] " + bad->problem;
    }
    r->messages = std::move(messages);
  }
  if (obj.contains("data")) {
    const json& d = obj["data"];
    std::vector<std::string> docs;
    if (d.is_string()) docs.push_back(d.get<std::string>());
    else if (d.is_array())
      for (const json& e : d) {
        if (!e.is_string()) return "\"data\" must be a string or a list of strings";
        docs.push_back(e.get<std::string>());
      }
    else return "\"data\" must be a string or a list of strings";
    r->data = std::move(docs);
  }
  if (obj.contains("vars")) {
    if (!obj["vars"].is_object()) return "\"vars\" must be an object of name: value";
    for (auto it = obj["vars"].begin(); it != obj["vars"].end(); ++it)
      r->vars[it.key()] = VarText(it.value());
  }
  if (obj.contains("max_tokens")) {
    const json& v = obj["max_tokens"];
    // The same range as LLM_MAX_TOKENS: a larger value could overflow the
    // token arithmetic of the pre-flight check.
    const bool in_range =
        v.is_number_unsigned()
            ? v.get<uint64_t>() >= 1 && v.get<uint64_t>() <= 10'000'000
            : v.is_number_integer() && v.get<int64_t>() >= 1 && v.get<int64_t>() <= 10'000'000;
    if (!in_range) return "\"max_tokens\" must be a whole number from 1 to 10000000";
    r->max_tokens = v.get<int64_t>();
  }
  if (obj.contains("temperature")) {
    const json& v = obj["temperature"];
    if (!v.is_number() || v.get<double>() < 0 || v.get<double>() > 2)
      return "\"temperature\" must be a number from 0 to 2";
    r->temperature = v.get<double>();
  }
  if (obj.contains("repeat")) {
    const json& v = obj["repeat"];
    if (!v.is_number_integer() || v.get<int64_t>() < 1 || v.get<int64_t>() > 1000)
      return "\"repeat\" must be a whole number from 1 to 1000";
    r->repeat = static_cast<int>(v.get<int64_t>());
  }
  if (obj.contains("threshold")) {
    const json& v = obj["threshold"];
    if (!v.is_number() || v.get<double>() < 0 || v.get<double>() > 1)
      return "\"threshold\" must be the fraction of runs that must pass, from 0 to 1";
    r->threshold = v.get<double>();
  }
  if (obj.contains("assert")) {
    if (!obj["assert"].is_array()) return "\"assert\" must be an array of {\"type\", \"value\"}";
    for (const json& a : obj["assert"]) r->asserts.push_back(a);
  }
  return "";
}

// Templating applies to string values inside assertions too, as in
// promptfoo, so one expected value can come from the case's vars.
std::string TemplateJson(const json& in, const std::map<std::string, std::string>& vars,
                         json* out) {
  if (in.is_string()) {
    std::string s;
    std::string why = ApplyTemplate(in.get<std::string>(), vars, &s);
    *out = s;
    return why;
  }
  if (in.is_array() || in.is_object()) {
    *out = in;
    for (auto it = in.begin(); it != in.end(); ++it) {
      json t;
      std::string why = TemplateJson(it.value(), vars, &t);
      if (!why.empty()) return why;
      if (in.is_array()) (*out)[static_cast<size_t>(it - in.begin())] = t;
      else (*out)[it.key()] = t;
    }
    return "";
  }
  *out = in;
  return "";
}

std::string BuildCase(const RawCase& defaults, const RawCase& own, EvalCase* c) {
  if (!own.id || own.id->empty()) return "the case needs a non-empty \"id\"";
  c->id = *own.id;
  std::map<std::string, std::string> vars = defaults.vars;
  for (const auto& [k, v] : own.vars) vars[k] = v;

  // A case's own prompt or messages replace the defaults' (either kind).
  std::optional<std::string> prompt = own.prompt;
  std::optional<std::vector<Message>> messages = own.messages;
  if (!prompt && !messages) {
    prompt = defaults.prompt;
    messages = defaults.messages;
  }
  if (own.prompt && own.messages) return "give \"prompt\" or \"messages\", not both";
  if (prompt && messages) return "give \"prompt\" or \"messages\", not both";
  if (!prompt && !messages) return "the case needs a \"prompt\" or \"messages\"";

  std::string why;
  std::string system;
  if (const auto& s = own.system ? own.system : defaults.system) {
    if (!(why = ApplyTemplate(*s, vars, &system)).empty()) return "\"system\": " + why;
  }
  std::vector<Message> turns;
  if (prompt) {
    std::string text;
    if (!(why = ApplyTemplate(*prompt, vars, &text)).empty()) return "\"prompt\": " + why;
    turns.push_back({"user", text});
  } else {
    std::vector<Message> templated;
    for (const Message& m : *messages) {
      std::string text;
      if (!(why = ApplyTemplate(m.content, vars, &text)).empty()) return "\"messages\": " + why;
      templated.push_back({m.role, std::move(text)});
    }
    FoldSystemMessages(templated, &system, &turns);
  }
  for (const Message& m : turns)
    if (FindInvalidUtf8(m.content)) return "the prompt is not valid UTF-8";
  if (FindInvalidUtf8(system)) return "\"system\" is not valid UTF-8";
  if (const auto& docs = own.data ? own.data : defaults.data) {
    for (const std::string& d : *docs) {
      std::string text;
      if (!(why = ApplyTemplate(d, vars, &text)).empty()) return "\"data\": " + why;
      if (FindInvalidUtf8(text)) return "\"data\" is not valid UTF-8";
      c->data.push_back(std::move(text));
    }
  }
  if (!HasText(turns)) return "the prompt is empty";
  c->system = std::move(system);
  c->messages = std::move(turns);
  c->model = own.model ? *own.model : defaults.model.value_or("");
  c->max_tokens = own.max_tokens ? own.max_tokens : defaults.max_tokens;
  c->temperature = own.temperature ? own.temperature : defaults.temperature;
  c->repeat = own.repeat ? own.repeat : defaults.repeat;
  c->threshold = own.threshold ? own.threshold : defaults.threshold;
  const std::string grader = own.grader ? *own.grader : defaults.grader.value_or("");

  std::vector<json> asserts = defaults.asserts;
  asserts.insert(asserts.end(), own.asserts.begin(), own.asserts.end());
  for (size_t i = 0; i < asserts.size(); ++i) {
    json templated;
    if (!(why = TemplateJson(asserts[i], vars, &templated)).empty())
      return "assert[" + std::to_string(i) + "]: " + why;
    Assertion a;
    if (!(why = ParseAssertion(templated, &a)).empty())
      return "assert[" + std::to_string(i) + "]: " + why;
    if (a.type == AssertionType::kLlmRubric && a.grader.empty()) a.grader = grader;
    c->asserts.push_back(std::move(a));
  }
  return "";
}

}  // namespace

std::string ApplyTemplate(const std::string& text, const std::map<std::string, std::string>& vars,
                          std::string* out) {
  out->clear();
  size_t pos = 0;
  while (true) {
    size_t open = text.find("{{", pos);
    if (open == std::string::npos) break;
    size_t close = text.find("}}", open + 2);
    if (close == std::string::npos) break;  // an unclosed "{{" is plain text
    std::string name = text.substr(open + 2, close - open - 2);
    name.erase(0, name.find_first_not_of(" \t"));
    name.erase(name.find_last_not_of(" \t") + 1);
    out->append(text, pos, open - pos);
    auto it = vars.find(name);
    if (it == vars.end()) {
      std::string known;
      for (const auto& [k, v] : vars) known += (known.empty() ? "" : ", ") + k;
      return "unknown variable {{" + name + "}} (vars: " + (known.empty() ? "none" : known) + ")";
    }
    out->append(it->second);
    pos = close + 2;
  }
  out->append(text, pos, std::string::npos);
  return "";
}

void ParseSuite(std::istream& in, const std::string& name, Suite* suite,
                std::vector<std::string>* errors) {
  suite->name = name;
  suite->cases.clear();
  RawCase defaults;
  std::map<std::string, int> seen;  // id -> line
  std::string line;
  int number = 0;
  bool first = true;
  auto error = [&](int at, const std::string& why) {
    if (errors->size() < kMaxErrors)
      errors->push_back(name + ":" + std::to_string(at) + ": " + why);
  };
  while (std::getline(in, line)) {
    ++number;
    if (IsBlank(line)) continue;
    json doc = json::parse(line, nullptr, false);
    if (doc.is_discarded()) {
      error(number, "not valid JSON");
      first = false;
      continue;
    }
    if (!doc.is_object()) {
      error(number, "expected a JSON object (one case a line)");
      first = false;
      continue;
    }
    if (doc.contains("defaults")) {
      if (!first) {
        error(number, "\"defaults\" must be on the first line, before every case");
      } else if (doc.size() != 1 || !doc["defaults"].is_object()) {
        error(number, "the defaults line must be {\"defaults\": {...}} alone");
      } else {
        std::string why = ReadRaw(doc["defaults"], true, &defaults);
        if (!why.empty()) error(number, "defaults: " + why);
      }
      first = false;
      continue;
    }
    first = false;
    RawCase raw;
    std::string why = ReadRaw(doc, false, &raw);
    EvalCase c;
    c.line = number;
    if (why.empty()) why = BuildCase(defaults, raw, &c);
    if (!why.empty()) {
      error(number, (raw.id ? "case \"" + *raw.id + "\": " : "") + why);
      continue;
    }
    auto [it, inserted] = seen.emplace(c.id, number);
    if (!inserted) {
      error(number, "duplicate id \"" + c.id + "\" (first used on line " +
                        std::to_string(it->second) + ")");
      continue;
    }
    suite->cases.push_back(std::move(c));
  }
  if (in.bad()) error(number, "read error");
  if (errors->empty() && suite->cases.empty()) errors->push_back(name + ": the suite has no cases");
}

}  // namespace llmctl
