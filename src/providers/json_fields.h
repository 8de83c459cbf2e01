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

// obj[key] as an integer, or 0 when absent, not a number or outside the
// range of int64_t (a fraction is cut towards zero).
int64_t IntAt(const nlohmann::json& obj, const char* key);

// The most tokens one call can plausibly report. Any count above it is a
// provider bug or a forged answer, and trusting it would let one response
// push a user's window or spend past what any limit can represent.
constexpr int64_t kMaxTokenCount = 1'000'000'000;

// A token count reported by a provider: obj[key] when it is a whole number
// from 0 to kMaxTokenCount, 0 when absent or null. Anything else (negative,
// fractional, huge, not a number) yields 0 and appends a description of the
// bad field to *problem, so the caller can distrust the whole usage report.
int64_t TokenCountAt(const nlohmann::json& obj, const char* key, std::string* problem);

// Compact serialisation that never throws: invalid UTF-8 becomes U+FFFD.
std::string DumpJson(const nlohmann::json& value);

}  // namespace llmctl
