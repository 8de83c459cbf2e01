// UTC calendar arithmetic by formula (H. Hinnant's days_from_civil), without
// the C library's time-zone machinery: reports parse and bucket millions of
// timestamps, where sscanf/timegm per record would dominate the run time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace llmctl {

// Days since 1970-01-01 of a proleptic Gregorian date.
int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day);

// "2026-11-28": the UTC day holding unix_ms.
std::string UtcDayKey(int64_t unix_ms);
// "2026-11": the UTC calendar month holding unix_ms.
std::string UtcMonthKey(int64_t unix_ms);
// Unix ms of the first instant of the UTC month after the one holding unix_ms.
int64_t NextUtcMonthStartMs(int64_t unix_ms);
// "2026-11-28T10:00Z": the UTC hour holding unix_ms (parseable by ParseIsoUtc).
std::string UtcHourKey(int64_t unix_ms);

// Parses a record timestamp. The form records are written in,
// "2026-11-28T10:15:03.123Z", takes a fast path; anything else goes to
// ParseIsoUtc.
std::optional<int64_t> ParseRecordTimestamp(std::string_view text);

}  // namespace llmctl
