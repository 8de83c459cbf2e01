// Decimal text for nano-dollar amounts, made from the integer itself so a
// printed sum never shows floating-point drift (0.1 + 0.2 prints 0.3).
#pragma once

#include <cstdint>
#include <string>

namespace llmctl {

// a + b, pinned at INT64_MAX or INT64_MIN instead of wrapping: a sum over
// records a provider or an old version got wrong must stay a large number,
// never turn negative.
int64_t SaturatingAdd(int64_t a, int64_t b);

// usd × 10^9 rounded to the nearest nano-dollar, pinned to the int64_t
// range; NaN is 0.
int64_t UsdToNanosSaturating(double usd);

// Every significant digit, trailing zeros dropped: "0.3", "12", "-0.000000001".
// Valid as a JSON number.
std::string FormatNanosExact(int64_t nanos);

// Every significant digit, and at least min_decimals (0-9) places:
// "0.0005", "0.000450123".
std::string FormatNanosAtLeast(int64_t nanos, int min_decimals);

// Rounded half away from zero to `decimals` (0-9) places: "0.000450".
std::string FormatNanosFixed(int64_t nanos, int decimals);

}  // namespace llmctl
