#include "providers/json_fields.h"

namespace llmctl {

using nlohmann::json;

const json* FieldAt(const json& obj, const char* key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  return it == obj.end() || it->is_null() ? nullptr : &*it;
}

std::string StringAt(const json& obj, const char* key) {
  const json* v = FieldAt(obj, key);
  return v && v->is_string() ? v->get<std::string>() : "";
}

int64_t IntAt(const json& obj, const char* key) {
  const json* v = FieldAt(obj, key);
  if (!v) return 0;
  if (v->is_number_integer()) return v->get<int64_t>();
  if (v->is_number_float()) return static_cast<int64_t>(v->get<double>());
  return 0;
}

std::string DumpJson(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace llmctl
