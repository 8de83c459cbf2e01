// Assertions: the checks an eval case makes on one answer. Type names are
// promptfoo's, so a suite can move between the two tools. A suite is
// checked once when it is loaded (ParseAssertion), so a bad regex or a
// misspelt type fails before anything is sent or paid for.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "guardrails/json_schema.h"
#include "util/regex.h"

namespace llmctl {

enum class AssertionType {
  kEquals,
  kContains,
  kIContains,
  kContainsAny,
  kContainsAll,
  kNotContains,
  kRegex,
  kNotRegex,
  kStartsWith,
  kIsJson,
  kContainsJson,
  kLlmRubric,  // judged by a grader model: see eval/grader.h
  kMaxCost,
  kMaxLatencyMs,
  kMaxOutputTokens,
  kFinishReason,
};

struct Assertion {
  AssertionType type = AssertionType::kEquals;
  std::string name;                          // as written in the suite, e.g. "icontains"
  std::string text;                          // string-valued types
  std::vector<std::string> list;             // contains-any/-all, is-json required keys
  double number = 0;                         // max-* types
  std::optional<double> threshold;           // llm-rubric: the least score that passes
  std::string grader;                        // llm-rubric: "provider:model" from the case, or empty
  std::shared_ptr<const Regex> re;           // regex/not-regex, compiled once
  std::shared_ptr<const JsonSchema> schema;  // is-json with a JSON Schema value
};

// What a case produced, as the assertions see it.
struct Observation {
  std::string text;
  std::string finish_reason;
  int64_t output_tokens = 0;
  int64_t cost_nanos = 0;
  double latency_ms = 0;
};

struct AssertionResult {
  bool passed = false;
  std::string message;  // on failure: "expected …, got …"
};

// Whether name is an assertion type llmctl knows.
bool IsAssertionType(const std::string& name);

// Builds an assertion from its suite form {"type", "value"} (string values
// already templated). Returns "" or why the assertion is invalid.
std::string ParseAssertion(const nlohmann::json& spec, Assertion* out);

// Checks every type but llm-rubric, which needs a model call.
AssertionResult CheckAssertion(const Assertion& a, const Observation& o);

// The answer as a failure message quotes it: JSON-escaped, cut to max_bytes
// on a UTF-8 boundary with "…" and the full length when longer.
std::string QuoteGot(const std::string& text, size_t max_bytes = 120);

}  // namespace llmctl
