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

RequestTokenParts CountRequestParts(const ChatRequest& r) {
  const std::optional<Encoding> encoding = EncodingForModel(r.model);
  auto count = [&](std::string_view text) {
    return encoding ? CountTokens(*encoding, text) : EstimateScriptTokens(text);
  };
  RequestTokenParts parts;
  parts.fixed = kReplyPriming;
  if (!r.system.empty()) parts.fixed += kPerMessageOverhead + count("system") + count(r.system);
  parts.messages.reserve(r.messages.size());
  for (const Message& m : r.messages)
    parts.messages.push_back(kPerMessageOverhead + count(m.role) + count(m.content));
  return parts;
}

int64_t WithMargin(int64_t raw_tokens) { return (raw_tokens * (100 + kMarginPercent) + 99) / 100; }

int64_t EstimateInputTokens(const ChatRequest& r) {
  const RequestTokenParts parts = CountRequestParts(r);
  int64_t tokens = parts.fixed;
  for (int64_t m : parts.messages) tokens += m;
  return WithMargin(tokens);
}

int64_t EstimateOutputTokens(const ChatRequest& r, int64_t input_tokens) {
  return std::min(r.max_tokens, 2 * input_tokens);
}

}  // namespace llmctl
