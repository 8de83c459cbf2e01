#include "guardrails/token_estimate.h"

#include <doctest/doctest.h>

using namespace llmctl;

TEST_CASE("input estimate counts text, framing and margin") {
  ChatRequest r;
  r.messages = {{"user", std::string(400, 'a')}};  // 100 text tokens
  // (3 + 100 + 4) × 1.10 = 117.7 → 118
  CHECK(EstimateInputTokens(r) == 118);
  r.system = std::string(40, 'b');  // +10 +4
  CHECK(EstimateInputTokens(r) == 134);
}

TEST_CASE("output estimate is min(max_tokens, 2 × input)") {
  ChatRequest r;
  r.max_tokens = 100;
  CHECK(EstimateOutputTokens(r, 30) == 60);
  CHECK(EstimateOutputTokens(r, 300) == 100);
}
