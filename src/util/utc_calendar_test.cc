#include "util/utc_calendar.h"

#include <doctest/doctest.h>

#include "util/time_format.h"

namespace llmctl {

TEST_CASE("utc calendar: day and hour keys") {
  const int64_t t = *ParseIsoUtc("2026-11-28T10:15:03.123Z");
  CHECK(UtcDayKey(t) == "2026-11-28");
  CHECK(UtcHourKey(t) == "2026-11-28T10:00Z");
  CHECK(UtcDayKey(0) == "1970-01-01");
  CHECK(UtcHourKey(-1) == "1969-12-31T23:00Z");
  CHECK(UtcDayKey(*ParseIsoUtc("2024-02-29T23:59:59.999Z")) == "2024-02-29");
}

TEST_CASE("utc calendar: record timestamps parse like ParseIsoUtc") {
  for (const char* s : {"2026-11-28T10:15:03.123Z", "2000-02-29T00:00:00.000Z",
                        "1999-12-31T23:59:59.999Z", "2026-11-28", "2026-11-28T10:15"}) {
    CAPTURE(s);
    REQUIRE(ParseRecordTimestamp(s).has_value());
    CHECK(*ParseRecordTimestamp(s) == *ParseIsoUtc(s));
  }
  CHECK_FALSE(ParseRecordTimestamp("2026-13-28T10:15:03.123Z").has_value());
  CHECK_FALSE(ParseRecordTimestamp("yesterday").has_value());
}

}  // namespace llmctl

namespace llmctl {

TEST_CASE("utc calendar: month keys and the start of the next month") {
  CHECK(UtcMonthKey(*ParseIsoUtc("2026-11-30T23:59:59.999Z")) == "2026-11");
  CHECK(UtcMonthKey(*ParseIsoUtc("2026-12-01T00:00:00.000Z")) == "2026-12");
  CHECK(NextUtcMonthStartMs(*ParseIsoUtc("2026-11-30T23:59:59.999Z")) ==
        *ParseIsoUtc("2026-12-01T00:00:00Z"));
  CHECK(NextUtcMonthStartMs(*ParseIsoUtc("2026-12-01T00:00:00Z")) ==
        *ParseIsoUtc("2027-01-01T00:00:00Z"));
  CHECK(NextUtcMonthStartMs(*ParseIsoUtc("2028-02-10T00:00:00Z")) ==
        *ParseIsoUtc("2028-03-01T00:00:00Z"));
}

}  // namespace llmctl
