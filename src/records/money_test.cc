#include "records/money.h"

#include <doctest/doctest.h>

#include <cmath>

#include "records/call_record.h"

namespace llmctl {

TEST_CASE("money report: exact decimal from nano-dollars") {
  CHECK(FormatNanosExact(0) == "0");
  CHECK(FormatNanosExact(300'000'000) == "0.3");
  CHECK(FormatNanosExact(12'000'000'000) == "12");
  CHECK(FormatNanosExact(1'000'000'001) == "1.000000001");
  CHECK(FormatNanosExact(-1) == "-0.000000001");
  CHECK(FormatNanosExact(INT64_MIN) == "-9223372036.854775808");
}

TEST_CASE("money report: 0.1 + 0.2 summed in nanos prints 0.3") {
  int64_t sum = UsdToNanos(0.1) + UsdToNanos(0.2);
  CHECK(sum == 300'000'000);
  CHECK(FormatNanosExact(sum) == "0.3");
  // A million calls at $0.000001 each is exactly one dollar.
  int64_t total = 0;
  for (int i = 0; i < 1'000'000; ++i) total += UsdToNanos(0.000001);
  CHECK(FormatNanosExact(total) == "1");
}

TEST_CASE("money report: fixed decimals round half away from zero") {
  CHECK(FormatNanosFixed(450'000, 6) == "0.000450");
  CHECK(FormatNanosFixed(500, 6) == "0.000001");
  CHECK(FormatNanosFixed(499, 6) == "0.000000");
  CHECK(FormatNanosFixed(-1'500'000'000, 0) == "-2");
  CHECK(FormatNanosFixed(123'456'789'012, 9) == "123.456789012");
  CHECK(FormatNanosFixed(-1, 2) == "0.00");
}

TEST_CASE("money report: at least some decimals, never rounded") {
  CHECK(FormatNanosAtLeast(500'000, 4) == "0.0005");
  CHECK(FormatNanosAtLeast(450'123, 4) == "0.000450123");
  CHECK(FormatNanosAtLeast(2'000'000'000, 4) == "2.0000");
  CHECK(FormatNanosAtLeast(-1, 4) == "-0.000000001");
  CHECK(FormatNanosAtLeast(3'000'000'000, 0) == "3");
}

TEST_CASE("money arithmetic saturates instead of wrapping") {
  CHECK(SaturatingAdd(1, 2) == 3);
  CHECK(SaturatingAdd(INT64_MAX, 1) == INT64_MAX);
  CHECK(SaturatingAdd(INT64_MAX - 5, 100) == INT64_MAX);
  CHECK(SaturatingAdd(INT64_MIN, -1) == INT64_MIN);
  CHECK(SaturatingAdd(INT64_MAX, INT64_MIN) == -1);
  CHECK(UsdToNanosSaturating(1.5) == 1'500'000'000);
  CHECK(UsdToNanosSaturating(1e300) == INT64_MAX);
  CHECK(UsdToNanosSaturating(-1e300) == INT64_MIN);
  CHECK(UsdToNanosSaturating(HUGE_VAL) == INT64_MAX);
  CHECK(UsdToNanosSaturating(std::nan("")) == 0);
  CHECK(UsdToNanos(9.3e9) == INT64_MAX);
}

}  // namespace llmctl
