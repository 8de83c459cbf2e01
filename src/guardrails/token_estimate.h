// Token counts made before a request is sent, for the cost guard, the
// context-window check, rate-limit reservations, --dry-run and eval's run
// budget: all of them go through EstimateInputTokens, so they agree. They
// err high: a refusal based on an estimate is cheaper than an overspend.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "providers/chat.h"
#include "tokenizer/encoding.h"

namespace llmctl {

struct TextTokens {
  int64_t tokens = 0;
  std::optional<Encoding> encoding;  // set when the count is exact
};

// The tokens of text alone for model: exact with the model's OpenAI encoding
// (special-token strings count as ordinary text), else a script-aware
// estimate calibrated to be at least o200k_base's count.
TextTokens CountTextTokens(std::string_view model, std::string_view text);

// Input tokens of a chat request: per message 3 tokens of framing plus its
// role and content, 3 more to prime the reply (OpenAI's documented chat
// format), the whole raised by one margin of 10% for what the request adds
// beyond its text (tool and schema definitions, other providers' framing
// and tokenizers).
int64_t EstimateInputTokens(const ChatRequest& request);

// The same estimate in parts, for callers that must try many subsets of one
// request's messages (the sliding window) without counting each text again:
// EstimateInputTokens(r) == WithMargin(parts.fixed + sum of parts.messages).
struct RequestTokenParts {
  int64_t fixed = 0;              // reply priming and the system message
  std::vector<int64_t> messages;  // one per message: framing, role and content
};
RequestTokenParts CountRequestParts(const ChatRequest& request);
// Raises a raw count by the estimate's margin, rounding up.
int64_t WithMargin(int64_t raw_tokens);

// Expected output tokens for the cost guard: min(max_tokens, 2 × input).
int64_t EstimateOutputTokens(const ChatRequest& request, int64_t input_tokens);

}  // namespace llmctl
