#include "util/strict_number.h"

#include <charconv>
#include <cmath>
#include <system_error>

namespace llmctl {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Length of the run of digits starting at i.
size_t Digits(std::string_view s, size_t i) {
  size_t n = 0;
  while (i + n < s.size() && IsDigit(s[i + n])) ++n;
  return n;
}

// Whether text is -?(D+(.D*)?|.D+)([eE][-+]?D+)? with D a decimal digit.
bool HasDecimalSyntax(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && s[i] == '-') ++i;
  const size_t whole = Digits(s, i);
  i += whole;
  size_t fraction = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    fraction = Digits(s, i);
    i += fraction;
  }
  if (whole == 0 && fraction == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    const size_t exponent = Digits(s, i);
    if (exponent == 0) return false;
    i += exponent;
  }
  return i == s.size();
}

}  // namespace

std::optional<double> ParseStrictNumber(std::string_view text) {
  if (!HasDecimalSyntax(text)) return std::nullopt;
  double v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v))
    return std::nullopt;
  return v;
}

std::optional<int64_t> ParseStrictInteger(std::string_view text) {
  const size_t sign = !text.empty() && text[0] == '-' ? 1 : 0;
  if (text.size() == sign || Digits(text, sign) != text.size() - sign) return std::nullopt;
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

}  // namespace llmctl
