#include "guardrails/json_schema.h"

#include <algorithm>
#include <stdexcept>

// Without this valijson aborts the process on a bad schema instead of throwing.
#define VALIJSON_USE_EXCEPTIONS 1

#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

namespace llmctl {

JsonSchema::JsonSchema() = default;
JsonSchema::~JsonSchema() = default;

Status JsonSchema::Parse(const nlohmann::json& doc, const std::string& label,
                         std::unique_ptr<JsonSchema>* out) {
  if (!doc.is_object() && !doc.is_boolean())
    return Status::Usage(label + ": a JSON Schema is an object (or true/false), not " +
                         std::string(doc.type_name()));
  std::unique_ptr<JsonSchema> s(new JsonSchema());
  s->doc_ = doc;
  s->schema_ = std::make_unique<valijson::Schema>();
  try {
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    valijson::adapters::NlohmannJsonAdapter adapter(s->doc_);
    parser.populateSchema(adapter, *s->schema_);
  } catch (const std::exception& e) {
    return Status::Usage(label + ": not a usable JSON Schema: " + e.what());
  }
  *out = std::move(s);
  return Status::Ok();
}

bool JsonSchema::Validate(const nlohmann::json& value, std::vector<std::string>* errors,
                          size_t max_errors) const {
  valijson::Validator validator;
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter target(value);
  bool ok = false;
  try {
    ok = validator.validate(*schema_, target, errors ? &results : nullptr);
  } catch (const std::exception& e) {
    // A pattern std::regex cannot run (too deep for its recursion) fails the
    // answer rather than the process.
    if (errors) errors->push_back(std::string("the validator gave up: ") + e.what());
    return false;
  }
  if (ok || !errors) return ok;
  // The innermost errors come last and say most; anyOf and friends first
  // report each branch, then a summary, so the deepest path is shown first.
  std::vector<valijson::ValidationResults::Error> all(results.begin(), results.end());
  std::stable_sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
    return a.context.size() > b.context.size();
  });
  for (const auto& e : all) {
    if (errors->size() >= max_errors) break;
    std::string path;
    for (size_t i = 1; i < e.context.size(); ++i) {  // context[0] is the root "<root>"
      std::string part = e.context[i];
      if (part.size() >= 2 && part.front() == '[' && part.back() == ']')
        part = part.substr(1, part.size() - 2);
      if (part.size() >= 2 && part.front() == '"' && part.back() == '"')
        part = part.substr(1, part.size() - 2);
      path += "/" + part;
    }
    std::string line = "at " + (path.empty() ? std::string("/") : path) + ": " + e.description;
    if (std::find(errors->begin(), errors->end(), line) == errors->end()) errors->push_back(line);
  }
  return false;
}

}  // namespace llmctl
