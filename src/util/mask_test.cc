#include "util/mask.h"

#include <doctest/doctest.h>

using namespace llmctl;

TEST_CASE("MaskSecret keeps 3 leading and 4 trailing characters") {
  CHECK(MaskSecret("sk-proj-0123456789abcd") == "sk-\u2026abcd");
  CHECK(MaskSecret("123456789012") == "123\u20269012");
}

TEST_CASE("MaskSecret hides short secrets completely") {
  CHECK(MaskSecret("12345678901") == "\u2026");
  CHECK(MaskSecret("abc") == "\u2026");
  CHECK(MaskSecret("") == "\u2026");
}
