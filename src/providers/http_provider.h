// HttpProvider: the Provider every HTTP adapter shares. It owns the plumbing
// (one HTTP attempt, SSE framing, error classification, key hygiene, time to
// first text) and delegates everything protocol-specific to a ProtocolCodec.
#pragma once

#include <memory>

#include "providers/codec.h"
#include "providers/provider.h"

namespace llmctl {

class HttpProvider : public Provider {
 public:
  HttpProvider(ProviderConfig cfg, std::unique_ptr<ProtocolCodec> codec);

  const ProviderConfig& config() const override { return cfg_; }
  bool Complete(const ChatRequest& request, const AttemptOptions& options, ChatResult* result,
                ProviderFailure* failure) override;
  nlohmann::json DescribeRequest(const ChatRequest& request) const override;
  bool Ping(double timeout_seconds, std::string* detail) override;

 private:
  // text with every occurrence of the key masked: error messages and curl
  // diagnostics may quote what was sent.
  std::string Scrub(std::string text) const;

  ProviderConfig cfg_;
  std::unique_ptr<ProtocolCodec> codec_;
};

}  // namespace llmctl
