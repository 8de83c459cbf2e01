// Lenient field access for provider JSON. Providers omit fields, send null
// where a number is expected and add fields at will; these readers treat a
// missing or mistyped field as absent instead of throwing.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace llmctl {

// obj[key] when obj is an object holding key with a non-null value, else nullptr.
const nlohmann::json* FieldAt(const nlohmann::json& obj, const char* key);

// obj[key] as a string, or "" when absent or not a string.
std::string StringAt(const nlohmann::json& obj, const char* key);

// obj[key] as an integer, or 0 when absent or not a number.
int64_t IntAt(const nlohmann::json& obj, const char* key);

// Compact serialisation that never throws: invalid UTF-8 becomes U+FFFD.
std::string DumpJson(const nlohmann::json& value);

}  // namespace llmctl
