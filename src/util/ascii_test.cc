#include "util/ascii.h"

#include <doctest/doctest.h>

using namespace llmctl;

TEST_CASE("ASCII case mapping leaves every other byte alone") {
  CHECK(AsciiLower("Retry-After") == "retry-after");
  CHECK(AsciiUpper("llm_max_tokens") == "LLM_MAX_TOKENS");
  CHECK(AsciiLower("\xC3\x89T\xC3\x89") == "\xC3\x89t\xC3\x89");  // ÉTÉ: only the T changes
  CHECK(AsciiUpper("") == "");
}
