// The one number syntax for every value a person types: variables, config
// file values, flags, suite fields given as text. Plain decimal only:
// an optional '-', digits with an optional fraction and exponent. Refused:
// surrounding whitespace, '+', hex or octal prefixes, inf and nan, digit
// separators, anything trailing. A typo then fails loudly instead of being
// read as another number (strtod reads " 5" and "0x10", CLI11 reads "nan").
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace llmctl {

// A finite number in the syntax above, e.g. "5", "-0.25", "1e3", ".5".
std::optional<double> ParseStrictNumber(std::string_view text);

// A whole number: an optional '-' and decimal digits only, within int64_t.
std::optional<int64_t> ParseStrictInteger(std::string_view text);

}  // namespace llmctl
