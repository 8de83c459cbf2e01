#include "util/utc_calendar.h"

#include <cstdio>

#include "util/time_format.h"

namespace llmctl {
namespace {

constexpr int64_t kMsPerDay = 86'400'000;

struct Civil {
  int64_t year;
  unsigned month;
  unsigned day;
};

Civil CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<int64_t>(yoe) + era * 400 + (m <= 2), m, d};
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// Reads `n` decimal digits at s[pos]; -1 when any is not a digit.
int Digits(std::string_view s, size_t pos, int n) {
  int v = 0;
  for (int i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (c < '0' || c > '9') return -1;
    v = v * 10 + (c - '0');
  }
  return v;
}

}  // namespace

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

std::string UtcDayKey(int64_t unix_ms) {
  Civil c = CivilFromDays(FloorDiv(unix_ms, kMsPerDay));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u", static_cast<long long>(c.year), c.month,
                c.day);
  return buf;
}

std::string UtcMonthKey(int64_t unix_ms) {
  Civil c = CivilFromDays(FloorDiv(unix_ms, kMsPerDay));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04lld-%02u", static_cast<long long>(c.year), c.month);
  return buf;
}

int64_t NextUtcMonthStartMs(int64_t unix_ms) {
  Civil c = CivilFromDays(FloorDiv(unix_ms, kMsPerDay));
  const int64_t year = c.year + (c.month == 12);
  const unsigned month = c.month == 12 ? 1 : c.month + 1;
  return DaysFromCivil(year, month, 1) * kMsPerDay;
}

std::string UtcHourKey(int64_t unix_ms) {
  const int64_t day = FloorDiv(unix_ms, kMsPerDay);
  const int hour = static_cast<int>((unix_ms - day * kMsPerDay) / 3'600'000);
  Civil c = CivilFromDays(day);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02d:00Z", static_cast<long long>(c.year),
                c.month, c.day, hour);
  return buf;
}

std::optional<int64_t> ParseRecordTimestamp(std::string_view s) {
  // 2026-11-28T10:15:03.123Z
  if (s.size() == 24 && s[4] == '-' && s[7] == '-' && s[10] == 'T' && s[13] == ':' &&
      s[16] == ':' && s[19] == '.' && s[23] == 'Z') {
    const int y = Digits(s, 0, 4), mo = Digits(s, 5, 2), d = Digits(s, 8, 2);
    const int h = Digits(s, 11, 2), mi = Digits(s, 14, 2), sec = Digits(s, 17, 2);
    const int ms = Digits(s, 20, 3);
    if (y >= 0 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h >= 0 && h <= 23 && mi >= 0 &&
        mi <= 59 && sec >= 0 && sec <= 60 && ms >= 0) {
      const int64_t days = DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
      return ((days * 24 + h) * 60 + mi) * 60'000 + sec * 1000LL + ms;
    }
  }
  return ParseIsoUtc(s);
}

}  // namespace llmctl
