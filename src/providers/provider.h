// Provider: one adapter per wire protocol behind one interface. An adapter
// performs exactly one attempt; retries, fallback and records belong to the
// caller, so an adapter never sleeps, never logs a key and never writes
// anything but answer text to the sink.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "providers/chat.h"

namespace llmctl {

enum class ProviderKind { kOpenAI, kAnthropic, kGemini, kOpenAICompatible, kMock };

// Everything needed to reach one provider endpoint.
struct ProviderConfig {
  std::string name;  // openai, anthropic, gemini, mock, or a configured endpoint name
  ProviderKind kind = ProviderKind::kMock;
  std::string base_url;
  std::string api_key;      // secret: never logged, printed or stored
  std::string api_key_env;  // configured endpoints: the variable holding the key
  std::map<std::string, std::string> extra_headers;
  std::string max_tokens_field = "max_completion_tokens";  // OpenAI protocol only
  std::string default_model;
  // Declared endpoints: USD per token for every model they serve (0 for a
  // free local server); unset: priced from the price table.
  std::optional<double> input_cost_per_token;
  std::optional<double> output_cost_per_token;
};

struct AttemptOptions {
  double timeout_seconds = 30;  // connect and total, for this attempt
  TextSink on_text;             // where answer text goes, as it arrives
  // Streamed calls: false leaves ChatResult::text empty (the text went to
  // on_text), so memory stays flat however long the answer.
  bool keep_streamed_text = true;
  // Set from a signal handler; the attempt aborts promptly when it turns true.
  const std::atomic<bool>* cancelled = nullptr;
};

class Provider {
 public:
  virtual ~Provider() = default;

  virtual const ProviderConfig& config() const = 0;

  // Sends one request. Returns true and fills *result on a complete answer
  // (a truncated answer is still an answer: finish_reason says "length").
  // Returns false and fills *failure otherwise, including a stream that ended
  // without its terminal event or carried an error event.
  virtual bool Complete(const ChatRequest& request, const AttemptOptions& options,
                        ChatResult* result, ProviderFailure* failure) = 0;

  // The HTTP request Complete would send, as JSON {method, url, headers, body},
  // with every credential masked. Used by --dry-run.
  virtual nlohmann::json DescribeRequest(const ChatRequest& request) const = 0;

  // A free request (the model list) proving the endpoint and key work.
  // Returns true on success; *detail says what happened either way.
  virtual bool Ping(double timeout_seconds, std::string* detail) = 0;
};

// Builds the adapter for cfg.kind.
std::unique_ptr<Provider> MakeProvider(const ProviderConfig& cfg);

}  // namespace llmctl
