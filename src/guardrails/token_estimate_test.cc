#include "guardrails/token_estimate.h"

#include <doctest/doctest.h>

using namespace llmctl;

TEST_CASE("OpenAI models: exact text tokens plus the documented chat framing and the margin") {
  ChatRequest r;
  r.model = "gpt-4o";
  r.messages = {{"user", "hi"}};
  // 3 framing + "user" 1 + "hi" 1 + 3 priming = 8 (OpenAI's cookbook), × 1.10 → 9
  CHECK(EstimateInputTokens(r) == 9);
  r.system = "You are terse.";  // 3 + "system" 1 + 4
  CHECK(EstimateInputTokens(r) == (16 * 110 + 99) / 100);
}

TEST_CASE("text counts are exact for OpenAI models and estimated for others") {
  TextTokens t = CountTextTokens("gpt-4o", "Hello, world!");
  CHECK(t.tokens == 4);
  REQUIRE(t.encoding);
  CHECK(*t.encoding == Encoding::kO200kBase);
  CHECK(CountTextTokens("gpt-4", "Hello, world!").encoding == Encoding::kCl100kBase);
  TextTokens c = CountTextTokens("claude-sonnet-4-5", "Hello, world!");
  CHECK_FALSE(c.encoding);
  CHECK(c.tokens >= 4);
}

TEST_CASE("CJK text is no longer estimated at a quarter token per character") {
  std::string chinese;
  for (int i = 0; i < 1000; ++i) chinese += "\xE4\xB8\xAD";  // 中
  ChatRequest r;
  r.model = "claude-sonnet-4-5";
  r.messages = {{"user", chinese}};
  CHECK(EstimateInputTokens(r) >= 1000);
}

TEST_CASE("output estimate is min(max_tokens, 2 × input)") {
  ChatRequest r;
  r.max_tokens = 100;
  CHECK(EstimateOutputTokens(r, 30) == 60);
  CHECK(EstimateOutputTokens(r, 300) == 100);
}
