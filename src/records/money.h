// Decimal text for nano-dollar amounts, made from the integer itself so a
// printed sum never shows floating-point drift (0.1 + 0.2 prints 0.3).
#pragma once

#include <cstdint>
#include <string>

namespace llmctl {

// Every significant digit, trailing zeros dropped: "0.3", "12", "-0.000000001".
// Valid as a JSON number.
std::string FormatNanosExact(int64_t nanos);

// Rounded half away from zero to `decimals` (0-9) places: "0.000450".
std::string FormatNanosFixed(int64_t nanos, int decimals);

}  // namespace llmctl
