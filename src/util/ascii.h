// ASCII case mapping for protocol text: header names, variable names,
// report labels. Locale-independent on purpose: a Turkish locale must not
// turn "I" into a dotless i in an HTTP header name.
#pragma once

#include <string>
#include <string_view>

namespace llmctl {

std::string AsciiLower(std::string_view text);
std::string AsciiUpper(std::string_view text);

}  // namespace llmctl
