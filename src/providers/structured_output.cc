#include "providers/structured_output.h"

#include <set>
#include <string>

namespace llmctl {
namespace {

using nlohmann::json;

// Keywords whose value is one subschema, a list of them, or a map of them.
const std::set<std::string> kSubschema = {
    "items",         "additionalProperties", "not", "if", "then", "else", "contains",
    "propertyNames", "additionalItems"};
const std::set<std::string> kSubschemaList = {"anyOf", "allOf", "oneOf", "prefixItems"};
const std::set<std::string> kSubschemaMap = {"properties", "$defs", "definitions",
                                             "patternProperties", "dependentSchemas"};

// Applies fn to schema and, depth first, to every subschema inside it.
template <typename Fn>
void ForEachSchema(json& schema, const Fn& fn) {
  if (!schema.is_object()) return;
  fn(schema);
  for (auto it = schema.begin(); it != schema.end(); ++it) {
    const std::string& key = it.key();
    if (kSubschema.count(key)) {
      if (it->is_array()) {
        for (json& s : *it) ForEachSchema(s, fn);
      } else {
        ForEachSchema(*it, fn);
      }
    } else if (kSubschemaList.count(key) && it->is_array()) {
      for (json& s : *it) ForEachSchema(s, fn);
    } else if (kSubschemaMap.count(key) && it->is_object()) {
      for (auto& [name, s] : it->items()) ForEachSchema(s, fn);
    }
  }
}

bool IsObjectSchema(const json& s) {
  const json* type = s.contains("type") ? &s["type"] : nullptr;
  return s.contains("properties") || (type && type->is_string() && *type == "object");
}

}  // namespace

bool OpenAIStrictCompatible(const json& schema) {
  if (!schema.is_object() || !IsObjectSchema(schema) || schema.contains("anyOf")) return false;
  static const std::set<std::string> kRefused = {"allOf",
                                                 "not",
                                                 "if",
                                                 "then",
                                                 "else",
                                                 "dependentRequired",
                                                 "dependentSchemas",
                                                 "patternProperties",
                                                 "oneOf"};
  bool ok = true;
  json copy = schema;
  ForEachSchema(copy, [&](json& s) {
    for (const auto& [key, value] : s.items())
      if (kRefused.count(key)) ok = false;
    if (!IsObjectSchema(s)) return;
    const json* extra = s.contains("additionalProperties") ? &s["additionalProperties"] : nullptr;
    if (!extra || !extra->is_boolean() || extra->get<bool>()) ok = false;
    std::set<std::string> required;
    if (s.contains("required") && s["required"].is_array())
      for (const json& r : s["required"])
        if (r.is_string()) required.insert(r.get<std::string>());
    if (s.contains("properties") && s["properties"].is_object())
      for (const auto& [name, sub] : s["properties"].items())
        if (!required.count(name)) ok = false;
  });
  return ok;
}

json OpenAIResponseFormat(const json& schema) {
  json body_schema = schema;
  if (body_schema.is_object()) body_schema.erase("$schema");
  return {{"type", "json_schema"},
          {"json_schema",
           {{"name", "llmctl_answer"},
            {"schema", body_schema},
            {"strict", OpenAIStrictCompatible(schema)}}}};
}

json AnthropicOutputConfig(const json& schema) {
  static const std::set<std::string> kDropped = {
      "minimum",     "maximum",   "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
      "minLength",   "maxLength", "maxItems",         "minProperties",    "maxProperties",
      "uniqueItems", "$schema",   "patternProperties"};
  json copy = schema;
  ForEachSchema(copy, [](json& s) {
    for (const std::string& key : kDropped) s.erase(key);
    if (s.contains("minItems") && s["minItems"].is_number_integer() &&
        s["minItems"].get<int64_t>() > 1)
      s.erase("minItems");
    if (IsObjectSchema(s)) s["additionalProperties"] = false;
  });
  return {{"format", {{"type", "json_schema"}, {"schema", copy}}}};
}

json GeminiResponseJsonSchema(const json& schema) {
  static const std::set<std::string> kHonoured = {"$id",
                                                  "$defs",
                                                  "$ref",
                                                  "$anchor",
                                                  "type",
                                                  "format",
                                                  "title",
                                                  "description",
                                                  "enum",
                                                  "items",
                                                  "prefixItems",
                                                  "minItems",
                                                  "maxItems",
                                                  "minimum",
                                                  "maximum",
                                                  "anyOf",
                                                  "oneOf",
                                                  "properties",
                                                  "additionalProperties",
                                                  "required",
                                                  "propertyOrdering"};
  json copy = schema;
  ForEachSchema(copy, [](json& s) {
    if (s.contains("definitions") && !s.contains("$defs")) {
      s["$defs"] = s["definitions"];
    }
    if (s.contains("$ref") && s["$ref"].is_string()) {
      std::string ref = s["$ref"].get<std::string>();
      if (ref.rfind("#/definitions/", 0) == 0) s["$ref"] = "#/$defs/" + ref.substr(14);
    }
    const bool is_ref = s.contains("$ref");
    for (auto it = s.begin(); it != s.end();) {
      // A reference may carry no sibling keywords other than $-keys.
      if (kHonoured.count(it.key()) && (!is_ref || it.key()[0] == '$')) {
        ++it;
      } else {
        it = s.erase(it);
      }
    }
  });
  return copy;
}

}  // namespace llmctl
