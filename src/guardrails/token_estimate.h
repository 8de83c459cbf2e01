// Token estimates made before a request is sent, for the cost guard, the
// context-window check and rate-limit reservations. They err high: a
// refusal based on an estimate is cheaper than an overspend.
#pragma once

#include <cstdint>

#include "providers/chat.h"

namespace llmctl {

// Input tokens: ceil(code points / 4) per message (roughly what BPE
// tokenizers give English text, more than they give code), plus 4 tokens of
// framing per message and 3 to prime the reply, the whole times 1.10.
int64_t EstimateInputTokens(const ChatRequest& request);

// Expected output tokens for the cost guard: min(max_tokens, 2 × input).
int64_t EstimateOutputTokens(const ChatRequest& request, int64_t input_tokens);

}  // namespace llmctl
