#include "guardrails/token_estimate.h"

#include <algorithm>

#include "util/utf8.h"

namespace llmctl {
namespace {

constexpr int64_t kPerMessageOverhead = 4;
constexpr int64_t kReplyPriming = 3;

int64_t TextTokens(const std::string& text) {
  return (static_cast<int64_t>(CountCodePoints(text)) + 3) / 4;
}

}  // namespace

int64_t EstimateInputTokens(const ChatRequest& r) {
  int64_t tokens = kReplyPriming;
  if (!r.system.empty()) tokens += TextTokens(r.system) + kPerMessageOverhead;
  for (const Message& m : r.messages) tokens += TextTokens(m.content) + kPerMessageOverhead;
  return (tokens * 110 + 99) / 100;
}

int64_t EstimateOutputTokens(const ChatRequest& r, int64_t input_tokens) {
  return std::min(r.max_tokens, 2 * input_tokens);
}

}  // namespace llmctl
