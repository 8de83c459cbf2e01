// JSON Schema validation (draft 7 and earlier) with valijson, the validator
// behind --schema, the schema value of eval's is-json, and the re-ask text.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "util/status.h"

namespace valijson {
class Schema;
}

namespace llmctl {

class JsonSchema {
 public:
  // Parses a schema document. A document that is not a schema (a keyword
  // of the wrong type, a $ref that cannot be resolved locally) is a kUsage
  // status; `label` names it in the message (e.g. "--schema out.json").
  static Status Parse(const nlohmann::json& doc, const std::string& label,
                      std::unique_ptr<JsonSchema>* out);
  ~JsonSchema();

  // True when value conforms. Otherwise each problem is one line in *errors
  // ("at /items/0: Expected number greater than 0"), at most max_errors.
  bool Validate(const nlohmann::json& value, std::vector<std::string>* errors,
                size_t max_errors = 5) const;

  const nlohmann::json& document() const { return doc_; }

 private:
  JsonSchema();
  nlohmann::json doc_;
  std::unique_ptr<valijson::Schema> schema_;
};

}  // namespace llmctl
