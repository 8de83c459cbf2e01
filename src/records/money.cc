#include "records/money.h"

#include <cmath>
#include <cstdio>

namespace llmctl {
namespace {

constexpr uint64_t kNanosPerDollar = 1'000'000'000;

// Magnitude as unsigned, so INT64_MIN does not overflow on negation.
uint64_t Magnitude(int64_t v) {
  return v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
}

}  // namespace

int64_t SaturatingAdd(int64_t a, int64_t b) {
  int64_t sum = 0;
  if (!__builtin_add_overflow(a, b, &sum)) return sum;
  return b > 0 ? INT64_MAX : INT64_MIN;
}

int64_t UsdToNanosSaturating(double usd) {
  const double nanos = usd * 1e9;
  if (std::isnan(nanos)) return 0;
  // 2^63 is exactly representable; every double strictly inside converts.
  if (nanos >= 9223372036854775808.0) return INT64_MAX;
  if (nanos <= -9223372036854775808.0) return INT64_MIN;
  return std::llround(nanos);
}

std::string FormatNanosExact(int64_t nanos) {
  const uint64_t m = Magnitude(nanos);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%s%llu.%09llu", nanos < 0 ? "-" : "",
                static_cast<unsigned long long>(m / kNanosPerDollar),
                static_cast<unsigned long long>(m % kNanosPerDollar));
  std::string s = buf;
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

std::string FormatNanosAtLeast(int64_t nanos, int min_decimals) {
  std::string s = FormatNanosExact(nanos);
  size_t dot = s.find('.');
  if (dot == std::string::npos) {
    if (min_decimals == 0) return s;
    dot = s.size();
    s += '.';
  }
  const size_t want = dot + 1 + static_cast<size_t>(min_decimals);
  if (s.size() < want) s.append(want - s.size(), '0');
  return s;
}

std::string FormatNanosFixed(int64_t nanos, int decimals) {
  uint64_t unit = 1;
  for (int i = decimals; i < 9; ++i) unit *= 10;
  const uint64_t m = Magnitude(nanos);
  const uint64_t rounded = (m + unit / 2) / unit;  // in units of 10^-decimals
  uint64_t scale = kNanosPerDollar / unit;
  char buf[48];
  if (decimals == 0) {
    std::snprintf(buf, sizeof buf, "%s%llu", nanos < 0 && rounded ? "-" : "",
                  static_cast<unsigned long long>(rounded));
  } else {
    std::snprintf(buf, sizeof buf, "%s%llu.%0*llu", nanos < 0 && rounded ? "-" : "",
                  static_cast<unsigned long long>(rounded / scale), decimals,
                  static_cast<unsigned long long>(rounded % scale));
  }
  return buf;
}

}  // namespace llmctl
