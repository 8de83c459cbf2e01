#include "util/strict_number.h"

#include <doctest/doctest.h>

namespace llmctl {

TEST_CASE("strict numbers: plain decimal forms are read") {
  CHECK(ParseStrictNumber("5") == 5.0);
  CHECK(ParseStrictNumber("-0.25") == -0.25);
  CHECK(ParseStrictNumber("1e3") == 1000.0);
  CHECK(ParseStrictNumber("2.5E-1") == 0.25);
  CHECK(ParseStrictNumber("1e+2") == 100.0);
  CHECK(ParseStrictNumber(".5") == 0.5);
  CHECK(ParseStrictNumber("5.") == 5.0);
}

TEST_CASE("strict numbers: whitespace, signs, hex, nan, inf and junk are refused") {
  for (const char* bad :
       {"",    " 5",  "5 ",   "\t5",      "5\n",    "+5",    "0x10",  "0X1p3", "nan",
        "NaN", "inf", "-inf", "infinity", "5abc",   "1,000", "1_000", "1e",    "e5",
        "-",   ".",   "--5",  "1e999",    "-1e999", "5..",   "1e3.5"}) {
    CAPTURE(bad);
    CHECK_FALSE(ParseStrictNumber(bad));
  }
}

TEST_CASE("strict integers: digits with an optional minus, within int64") {
  CHECK(ParseStrictInteger("0") == 0);
  CHECK(ParseStrictInteger("-12") == -12);
  CHECK(ParseStrictInteger("9223372036854775807") == INT64_MAX);
  for (const char* bad :
       {"", " 5", "5 ", "+5", "0x10", "1e3", "5.0", "9223372036854775808", "-", "nan", "12a"}) {
    CAPTURE(bad);
    CHECK_FALSE(ParseStrictInteger(bad));
  }
}

}  // namespace llmctl
