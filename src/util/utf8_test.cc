#include "util/utf8.h"

#include <doctest/doctest.h>

using namespace llmctl;

TEST_CASE("utf8 validation reports the first bad byte offset") {
  CHECK_FALSE(FindInvalidUtf8("hello"));
  CHECK_FALSE(FindInvalidUtf8("h\xC3\xA9llo \xF0\x9F\x98\x80"));
  CHECK(FindInvalidUtf8("ab\xFF") == 2);
  CHECK(FindInvalidUtf8("abc\xC3") == 3);        // cut sequence
  CHECK(FindInvalidUtf8("\xC0\xAF") == 0);       // overlong
  CHECK(FindInvalidUtf8("x\xED\xA0\x80") == 1);  // surrogate
  CHECK(CountCodePoints("h\xC3\xA9") == 2);
}
