#include "eval/assertions.h"

#include <algorithm>
#include <cstdio>

#include "providers/finish_reason.h"
#include "records/call_record.h"
#include "util/ascii.h"

namespace llmctl {
namespace {

struct TypeName {
  const char* name;
  AssertionType type;
};

constexpr TypeName kTypes[] = {
    {"equals", AssertionType::kEquals},
    {"contains", AssertionType::kContains},
    {"icontains", AssertionType::kIContains},
    {"contains-any", AssertionType::kContainsAny},
    {"contains-all", AssertionType::kContainsAll},
    {"not-contains", AssertionType::kNotContains},
    {"regex", AssertionType::kRegex},
    {"not-regex", AssertionType::kNotRegex},
    {"starts-with", AssertionType::kStartsWith},
    {"is-json", AssertionType::kIsJson},
    {"contains-json", AssertionType::kContainsJson},
    {"llm-rubric", AssertionType::kLlmRubric},
    // promptfoo's names, the number in "threshold"; the max-* names stay.
    {"cost", AssertionType::kMaxCost},
    {"latency", AssertionType::kMaxLatencyMs},
    {"max-cost", AssertionType::kMaxCost},
    {"max-latency-ms", AssertionType::kMaxLatencyMs},
    {"max-output-tokens", AssertionType::kMaxOutputTokens},
    {"finish-reason", AssertionType::kFinishReason},
};

std::string TypeList() {
  std::string out;
  for (const TypeName& t : kTypes) out += (out.empty() ? "" : ", ") + std::string(t.name);
  return out;
}

// A JSON string for messages: quotes and control characters escaped, so a
// multi-line answer stays on one line of output.
std::string Quote(const std::string& s) {
  return nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string QuoteList(const std::vector<std::string>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + Quote(v[i]);
  return out + "]";
}

std::string FormatNumber(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

// Strings from "value": a list of strings, or (as promptfoo allows) one
// comma-separated string.
std::string ParseStringList(const nlohmann::json& v, std::vector<std::string>* out) {
  if (v.is_string()) {
    const std::string s = v.get<std::string>();
    size_t start = 0;
    while (start <= s.size()) {
      size_t comma = s.find(',', start);
      if (comma == std::string::npos) comma = s.size();
      std::string item = s.substr(start, comma - start);
      item.erase(0, item.find_first_not_of(' '));
      item.erase(item.find_last_not_of(' ') + 1);
      if (!item.empty()) out->push_back(item);
      start = comma + 1;
    }
  } else if (v.is_array()) {
    for (const auto& e : v) {
      if (!e.is_string()) return "expected a list of strings";
      out->push_back(e.get<std::string>());
    }
  } else {
    return "expected a list of strings";
  }
  if (out->empty()) return "expected a non-empty list of strings";
  return "";
}

// Every JSON object or array embedded in text, in order: from each '{' or
// '[' the balanced span (strings and escapes honoured) that parses.
std::vector<nlohmann::json> EmbeddedJson(const std::string& text) {
  std::vector<nlohmann::json> found;
  size_t i = 0;
  while (i < text.size()) {
    if (text[i] != '{' && text[i] != '[') {
      ++i;
      continue;
    }
    int depth = 0;
    bool in_string = false, escaped = false;
    size_t end = std::string::npos;
    for (size_t j = i; j < text.size(); ++j) {
      const char c = text[j];
      if (in_string) {
        if (escaped) escaped = false;
        else if (c == '\\') escaped = true;
        else if (c == '"') in_string = false;
        continue;
      }
      if (c == '"') in_string = true;
      else if (c == '{' || c == '[') ++depth;
      else if ((c == '}' || c == ']') && --depth == 0) {
        end = j;
        break;
      }
    }
    if (end == std::string::npos) break;
    nlohmann::json doc =
        nlohmann::json::parse(text.begin() + i, text.begin() + end + 1, nullptr, false);
    if (doc.is_discarded()) {
      ++i;
      continue;
    }
    found.push_back(std::move(doc));
    i = end + 1;
  }
  return found;
}

std::vector<std::string> MissingKeys(const nlohmann::json& doc,
                                     const std::vector<std::string>& keys) {
  std::vector<std::string> missing;
  for (const std::string& k : keys)
    if (!doc.is_object() || !doc.contains(k)) missing.push_back(k);
  return missing;
}

AssertionResult Pass() { return {true, ""}; }
AssertionResult Fail(std::string m) { return {false, std::move(m)}; }

}  // namespace

bool IsAssertionType(const std::string& name) {
  for (const TypeName& t : kTypes)
    if (name == t.name) return true;
  return false;
}

std::string QuoteGot(const std::string& text, size_t max_bytes) {
  if (text.size() <= max_bytes) return Quote(text);
  size_t cut = max_bytes;
  // Back up to the start of a UTF-8 sequence so the cut never splits one.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return Quote(text.substr(0, cut)) + "… (" + std::to_string(text.size()) + " bytes)";
}

std::string ParseAssertion(const nlohmann::json& spec, Assertion* out) {
  if (!spec.is_object()) return "an assertion must be an object {\"type\", \"value\"}";
  for (auto it = spec.begin(); it != spec.end(); ++it)
    if (it.key() != "type" && it.key() != "value" && it.key() != "threshold" &&
        it.key() != "grader")
      return "assertion has unknown field \"" + it.key() +
             "\" (expected type, value, threshold, grader)";
  if (!spec.contains("type") || !spec["type"].is_string())
    return "assertion needs a \"type\" string (one of " + TypeList() + ")";
  out->name = spec["type"].get<std::string>();
  bool found = false;
  for (const TypeName& t : kTypes) {
    if (out->name == t.name) {
      out->type = t.type;
      found = true;
    }
  }
  if (!found)
    return "unknown assertion type \"" + out->name + "\" (expected one of " + TypeList() + ")";
  const std::string where = "assertion " + out->name + ": ";
  if (spec.contains("grader") && out->type != AssertionType::kLlmRubric)
    return where + "\"grader\" belongs to llm-rubric only";
  if (out->type == AssertionType::kLlmRubric) {
    const nlohmann::json& v = spec.contains("value") ? spec["value"] : nlohmann::json();
    if (!v.is_string() || v.get<std::string>().find_first_not_of(" \t\r\n") == std::string::npos)
      return where + "\"value\" must be the rubric, a non-empty string";
    out->text = v.get<std::string>();
    if (spec.contains("threshold")) {
      const nlohmann::json& t = spec["threshold"];
      if (!t.is_number() || t.get<double>() < 0 || t.get<double>() > 1)
        return where + "\"threshold\" must be a score from 0 to 1";
      out->threshold = t.get<double>();
    }
    if (spec.contains("grader")) {
      if (!spec["grader"].is_string() || spec["grader"].get<std::string>().empty())
        return where + "\"grader\" must be a model name, MODEL or PROVIDER:MODEL";
      out->grader = spec["grader"].get<std::string>();
    }
    return "";
  }
  // promptfoo's latency and cost checks name their limit "threshold".
  const nlohmann::json value = spec.contains("value")       ? spec["value"]
                               : spec.contains("threshold") ? spec["threshold"]
                                                            : nlohmann::json();
  switch (out->type) {
    case AssertionType::kEquals:
    case AssertionType::kContains:
    case AssertionType::kIContains:
    case AssertionType::kNotContains:
    case AssertionType::kStartsWith:
      if (!value.is_string()) return where + "\"value\" must be a string";
      out->text = value.get<std::string>();
      if (out->text.empty() && out->type != AssertionType::kEquals)
        return where + "\"value\" must not be empty";
      return "";
    case AssertionType::kContainsAny:
    case AssertionType::kContainsAll: {
      std::string why = ParseStringList(value, &out->list);
      return why.empty() ? "" : where + "\"value\": " + why;
    }
    case AssertionType::kRegex:
    case AssertionType::kNotRegex:
      if (!value.is_string() || value.get<std::string>().empty())
        return where + "\"value\" must be a non-empty regular expression";
      out->text = value.get<std::string>();
      {
        std::string error;
        out->re = Regex::Compile(out->text, &error);
        if (!out->re)
          return where + "invalid regular expression " + Quote(out->text) + ": " + error;
      }
      return "";
    case AssertionType::kLlmRubric: return "";
    case AssertionType::kIsJson:
    case AssertionType::kContainsJson:
      if (value.is_null()) return "";
      if (value.is_object() || value.is_boolean()) {
        // A JSON Schema, validated in full as promptfoo does.
        std::unique_ptr<JsonSchema> schema;
        Status st = JsonSchema::Parse(value, where + "\"value\"", &schema);
        if (!st.ok()) return st.message();
        out->schema = std::move(schema);
        return "";
      }
      if (value.is_array()) {
        std::string why = ParseStringList(value, &out->list);
        return why.empty() ? "" : where + "\"value\": " + why;
      }
      return where + "\"value\" must be a JSON Schema object, a list of required keys, or absent";
    case AssertionType::kMaxCost:
    case AssertionType::kMaxLatencyMs:
    case AssertionType::kMaxOutputTokens:
      if (!value.is_number() || value.get<double>() < 0)
        return where + "\"value\" must be a number ≥ 0";
      out->number = value.get<double>();
      if (out->type == AssertionType::kMaxOutputTokens &&
          out->number != static_cast<int64_t>(out->number))
        return where + "\"value\" must be a whole number of tokens";
      return "";
    case AssertionType::kFinishReason: {
      if (!value.is_string()) return where + "\"value\" must be a string";
      out->text = value.get<std::string>();
      if (ParseFinishReason(out->text)) return "";
      return where + "\"value\" " + Quote(out->text) +
             " is not a finish reason (expected stop, length, content_filter, tool_calls or error)";
    }
  }
  return "";
}

AssertionResult CheckAssertion(const Assertion& a, const Observation& o) {
  const std::string& got = o.text;
  switch (a.type) {
    case AssertionType::kEquals:
      if (got == a.text) return Pass();
      return Fail("expected output to equal " + QuoteGot(a.text) + ", got " + QuoteGot(got));
    case AssertionType::kContains:
      if (got.find(a.text) != std::string::npos) return Pass();
      return Fail("expected output to contain " + Quote(a.text) + ", got " + QuoteGot(got));
    case AssertionType::kIContains:
      if (AsciiLower(got).find(AsciiLower(a.text)) != std::string::npos) return Pass();
      return Fail("expected output to contain " + Quote(a.text) + " (any case), got " +
                  QuoteGot(got));
    case AssertionType::kNotContains:
      if (got.find(a.text) == std::string::npos) return Pass();
      return Fail("expected output not to contain " + Quote(a.text) + ", got " + QuoteGot(got));
    case AssertionType::kStartsWith:
      if (got.compare(0, a.text.size(), a.text) == 0) return Pass();
      return Fail("expected output to start with " + Quote(a.text) + ", got " + QuoteGot(got));
    case AssertionType::kContainsAny:
      for (const std::string& s : a.list)
        if (got.find(s) != std::string::npos) return Pass();
      return Fail("expected output to contain any of " + QuoteList(a.list) + ", got " +
                  QuoteGot(got));
    case AssertionType::kContainsAll: {
      std::vector<std::string> missing;
      for (const std::string& s : a.list)
        if (got.find(s) == std::string::npos) missing.push_back(s);
      if (missing.empty()) return Pass();
      return Fail("expected output to contain all of " + QuoteList(a.list) + " (missing " +
                  QuoteList(missing) + "), got " + QuoteGot(got));
    }
    case AssertionType::kRegex:
    case AssertionType::kNotRegex: {
      const bool matched = a.re->Search(got);
      const bool want = a.type == AssertionType::kRegex;
      if (matched == want) return Pass();
      return Fail(std::string("expected output ") + (want ? "to match" : "not to match") + " /" +
                  a.text + "/, got " + QuoteGot(got));
    }
    case AssertionType::kIsJson: {
      nlohmann::json doc = nlohmann::json::parse(got, nullptr, false);
      if (doc.is_discarded()) return Fail("expected output to be valid JSON, got " + QuoteGot(got));
      if (a.schema) {
        std::vector<std::string> errors;
        if (a.schema->Validate(doc, &errors, 3)) return Pass();
        std::string why;
        for (const std::string& e : errors) why += (why.empty() ? "" : "; ") + e;
        return Fail("expected output to match the JSON Schema (" + why + "), got " + QuoteGot(got));
      }
      if (a.list.empty()) return Pass();
      if (!doc.is_object())
        return Fail("expected a JSON object with keys " + QuoteList(a.list) + ", got " +
                    QuoteGot(got));
      std::vector<std::string> missing;
      for (const std::string& k : a.list)
        if (!doc.contains(k)) missing.push_back(k);
      if (missing.empty()) return Pass();
      return Fail("expected a JSON object with keys " + QuoteList(a.list) + " (missing " +
                  QuoteList(missing) + "), got " + QuoteGot(got));
    }
    case AssertionType::kContainsJson: {
      const std::vector<nlohmann::json> docs = EmbeddedJson(got);
      if (docs.empty()) return Fail("expected output to contain JSON, got " + QuoteGot(got));
      if (a.list.empty()) return Pass();
      for (const nlohmann::json& doc : docs)
        if (MissingKeys(doc, a.list).empty()) return Pass();
      return Fail("expected output to contain a JSON object with keys " + QuoteList(a.list) +
                  " (missing " + QuoteList(MissingKeys(docs.front(), a.list)) +
                  " in the first), got " + QuoteGot(got));
    }
    case AssertionType::kLlmRubric: return Fail("llm-rubric needs a grader call");
    case AssertionType::kMaxCost:
      if (o.cost_nanos <= UsdToNanos(a.number)) return Pass();
      return Fail("expected cost ≤ $" + FormatNumber(a.number) + ", got $" +
                  FormatNumber(NanosToUsd(o.cost_nanos)));
    case AssertionType::kMaxLatencyMs:
      if (o.latency_ms <= a.number) return Pass();
      return Fail("expected latency ≤ " + FormatNumber(a.number) + " ms, got " +
                  std::to_string(static_cast<int64_t>(o.latency_ms + 0.5)) + " ms");
    case AssertionType::kMaxOutputTokens:
      if (o.output_tokens <= static_cast<int64_t>(a.number)) return Pass();
      return Fail("expected ≤ " + FormatNumber(a.number) + " output tokens, got " +
                  std::to_string(o.output_tokens));
    case AssertionType::kFinishReason:
      if (o.finish_reason == a.text) return Pass();
      return Fail("expected finish reason " + Quote(a.text) + ", got " + Quote(o.finish_reason));
  }
  return Fail("unhandled assertion type");
}

}  // namespace llmctl
