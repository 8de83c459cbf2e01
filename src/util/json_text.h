// Writing JSON text directly, for output paths that emit many small
// objects (exports of a hundred thousand lines), where building a document
// per line costs more than the data itself.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace llmctl {

// Appends s as a JSON string, quotes included, escaped as nlohmann::json's
// dump() does: \" \\ \b \f \n \r \t, other control characters as \u00xx,
// everything else as it is. Invalid UTF-8 is replaced by U+FFFD.
void AppendJsonString(std::string_view s, std::string* out);

// Appends "name": (the name escaped) ready for a value.
void AppendJsonKey(std::string_view name, std::string* out);

}  // namespace llmctl
