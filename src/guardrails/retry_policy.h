// Retry policy: what to do after a failed attempt, and how long to wait.
// Classification follows the providers' own SDKs (OpenAI, Anthropic, Google):
// transient failures are retried, failures that another provider may not
// share move down the fallback chain, and a bad request stops at once.
#pragma once

#include <cstdint>
#include <random>

#include "providers/chat.h"

namespace llmctl {

enum class FailureAction {
  kRetry,         // same provider, after a backoff
  kNextProvider,  // give up on this provider, try the next in the chain
  kStop,          // no provider will do better: fail the call now
};

FailureAction ClassifyFailure(const ProviderFailure& failure);

struct BackoffOptions {
  double base_seconds = 0.5;
  double max_seconds = 8;
};

// The wait before retry number `retry` (0-based): min(base × 2^retry, max)
// times a jitter factor in (0.75, 1], unless the provider gave a hint.
int64_t BackoffMs(const BackoffOptions& options, int retry, const ProviderFailure& failure,
                  std::mt19937_64& rng);

}  // namespace llmctl
