#include "providers/json_fields.h"

#include <cmath>
#include <cstdint>
#include <optional>

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
  if (v->is_number_unsigned())
    return v->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)
               ? 0
               : static_cast<int64_t>(v->get<uint64_t>());
  if (v->is_number_integer()) return v->get<int64_t>();
  if (v->is_number_float()) {
    // 2^63 is exactly representable; every double below it converts.
    const double d = v->get<double>();
    if (!std::isfinite(d) || d <= -9223372036854775808.0 || d >= 9223372036854775808.0) return 0;
    return static_cast<int64_t>(d);
  }
  return 0;
}

int64_t TokenCountAt(const json& obj, const char* key, std::string* problem) {
  const json* v = FieldAt(obj, key);
  if (!v) return 0;
  std::optional<int64_t> count;
  if (v->is_number_unsigned()) {
    if (v->get<uint64_t>() <= static_cast<uint64_t>(kMaxTokenCount)) count = v->get<uint64_t>();
  } else if (v->is_number_integer()) {
    const int64_t n = v->get<int64_t>();
    if (n >= 0 && n <= kMaxTokenCount) count = n;
  } else if (v->is_number_float()) {
    const double d = v->get<double>();
    if (d >= 0 && d <= static_cast<double>(kMaxTokenCount) && d == std::floor(d))
      count = static_cast<int64_t>(d);
  }
  if (count) return *count;
  if (problem) {
    std::string shown = DumpJson(*v);
    if (shown.size() > 40) shown = shown.substr(0, 40) + "...";
    *problem += std::string(problem->empty() ? "" : ", ") + key + "=" + shown;
  }
  return 0;
}

std::string DumpJson(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace llmctl
