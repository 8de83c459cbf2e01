#include "util/time_format.h"

#include <doctest/doctest.h>

using namespace llmctl;

TEST_CASE("iso timestamps round trip with milliseconds") {
  CHECK(FormatIsoUtcMs(0) == "1970-01-01T00:00:00.000Z");
  auto t = ParseIsoUtc("2026-11-28T10:15:03.123Z");
  REQUIRE(t);
  CHECK(FormatIsoUtcMs(*t) == "2026-11-28T10:15:03.123Z");
  CHECK(ParseIsoUtc("2026-11-28") == ParseIsoUtc("2026-11-28T00:00:00Z"));
  CHECK_FALSE(ParseIsoUtc("2026-13-01"));
  CHECK_FALSE(ParseIsoUtc("yesterday"));
}

TEST_CASE("durations") {
  CHECK(ParseDurationMs("24h") == 86'400'000);
  CHECK(ParseDurationMs("7d") == 7 * 86'400'000LL);
  CHECK(ParseDurationMs("90s") == 90'000);
  CHECK_FALSE(ParseDurationMs("7"));
  CHECK_FALSE(ParseDurationMs("-1d"));
}
