// The provider-neutral shape of one chat call: what goes in, what comes
// back, and how a failed attempt is described. Every adapter translates
// between these types and its own wire protocol.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "providers/error_type.h"
#include "providers/finish_reason.h"

namespace llmctl {

struct Message {
  std::string role;  // OpenAI form: system, developer, user, assistant
  std::string content;
};

struct ChatRequest {
  std::string model;
  std::string system;  // empty: no system prompt
  std::vector<Message> messages;
  int64_t max_tokens = 2048;
  double temperature = 0.7;
  bool stream = false;
  std::vector<std::string> stop;
  // A JSON Schema the answer must follow, asked for with the protocol's
  // structured-output field; null for free text. The answer is validated
  // locally in any case, since providers enforce differing subsets.
  nlohmann::json response_schema;
};

struct Usage {
  int64_t input_tokens = 0;         // whole prompt, cached part included
  int64_t output_tokens = 0;        // visible output (+ reasoning for OpenAI)
  int64_t cached_input_tokens = 0;  // part of input_tokens read from cache
  int64_t reasoning_tokens = 0;
  int64_t cache_write_tokens = 0;  // part of input_tokens written to cache (Anthropic)
  // Non-empty when the provider reported counts that cannot be true (negative,
  // fractional, absurdly large): which fields, as sent. The counts above are
  // then meaningless and the caller falls back to its own estimate.
  std::string untrusted;
};

struct ChatResult {
  std::string text;
  FinishReason finish_reason = FinishReason::kError;
  std::string provider_finish_reason;  // the provider's raw value
  Usage usage;
  int http_status = 0;
  std::optional<double> ttft_ms;  // streamed calls: time to first text byte
};

// Why one attempt failed.
struct ProviderFailure {
  ErrorType error_type = ErrorType::kProviderError;
  int http_status = 0;              // 0: no HTTP response
  std::string provider_error_type;  // e.g. rate_limit_error, RESOURCE_EXHAUSTED
  std::string message;              // the provider's own words, one line
  std::optional<int64_t> retry_after_ms;
  bool quota_exhausted = false;  // 429 that waiting will not cure
  bool output_started = false;   // some text already reached the sink
};

// Receives answer text as it arrives (streamed) or once (not streamed).
using TextSink = std::function<void(std::string_view)>;

}  // namespace llmctl
