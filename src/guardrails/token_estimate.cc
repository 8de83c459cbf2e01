#include "guardrails/token_estimate.h"

#include <algorithm>

#include "guardrails/model_encoding.h"
#include "tokenizer/script_estimate.h"

namespace llmctl {
namespace {

constexpr int64_t kPerMessageOverhead = 3;
constexpr int64_t kReplyPriming = 3;
constexpr int64_t kMarginPercent = 10;

}  // namespace

TextTokens CountTextTokens(std::string_view model, std::string_view text) {
  TextTokens out;
  out.encoding = EncodingForModel(model);
  out.tokens = out.encoding ? CountTokens(*out.encoding, text) : EstimateScriptTokens(text);
  return out;
}

int64_t EstimateInputTokens(const ChatRequest& r) {
  const std::optional<Encoding> encoding = EncodingForModel(r.model);
  auto count = [&](std::string_view text) {
    return encoding ? CountTokens(*encoding, text) : EstimateScriptTokens(text);
  };
  int64_t tokens = kReplyPriming;
  if (!r.system.empty()) tokens += kPerMessageOverhead + count("system") + count(r.system);
  for (const Message& m : r.messages) tokens += kPerMessageOverhead + count(m.role) + count(m.content);
  return (tokens * (100 + kMarginPercent) + 99) / 100;
}

int64_t EstimateOutputTokens(const ChatRequest& r, int64_t input_tokens) {
  return std::min(r.max_tokens, 2 * input_tokens);
}

}  // namespace llmctl
