// Output checks: what an answer must satisfy before it reaches stdout or
// the cache — parse as JSON, conform to a JSON Schema, match every
// --expect-regex, match no --deny-regex. A failed check is a finding; the
// caller withholds the answer.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "guardrails/json_schema.h"
#include "records/call_record.h"
#include "util/status.h"

namespace re2 {
class RE2;
}

namespace llmctl {

struct OutputCheckOptions {
  bool expect_json = false;
  std::vector<std::string> expect_regex;  // each must match somewhere in the answer
  std::vector<std::string> deny_regex;    // none may match anywhere
  std::optional<nlohmann::json> schema;   // implies expect_json
  std::string schema_label = "--schema";  // how messages name the schema
};

class OutputChecker {
 public:
  // Compiles the regular expressions (RE2 syntax) and the schema. A bad one
  // is a kUsage status naming the flag and the value.
  static Status Create(const OutputCheckOptions& options, std::unique_ptr<OutputChecker>* out);
  ~OutputChecker();

  // Whether any check is configured (with none, answers pass untouched).
  bool active() const;
  const JsonSchema* schema() const { return schema_.get(); }

  // The failed checks, as output-stage findings (rules expect_json, schema,
  // expect_regex, deny_regex). Details name the check and where it failed,
  // never the answer's text. Empty: the answer passed.
  std::vector<GuardFinding> Check(std::string_view answer) const;

  // The message for one re-ask after a schema failure: the validator's
  // complaints, and what to answer instead.
  static std::string ReaskMessage(const std::vector<GuardFinding>& failures);

 private:
  OutputChecker();
  bool expect_json_ = false;
  std::unique_ptr<JsonSchema> schema_;
  std::vector<std::pair<std::string, std::unique_ptr<re2::RE2>>> expect_, deny_;
};

// Parses an answer as one JSON document, surrounding white space allowed.
// On failure *why says where parsing stopped.
bool ParseAnswerJson(std::string_view answer, nlohmann::json* out, std::string* why);

}  // namespace llmctl
