// Pre-flight: what a request will cost and whether it fits, decided before
// anything is sent. A request that cannot fit the model's window, or whose
// estimated cost is above LLM_MAX_COST_PER_REQUEST, is refused here.
#pragma once

#include <cstdint>
#include <string>

#include "guardrails/pricing.h"
#include "providers/chat.h"
#include "util/status.h"

namespace llmctl {

struct PreflightEstimate {
  int64_t input_tokens = 0;       // EstimateInputTokens
  int64_t output_tokens = 0;      // expected: min(max_tokens, 2 × input)
  int64_t cost_nanos = 0;         // input + expected output, for the cost guard
  int64_t worst_tokens = 0;       // input + max_tokens, reserved against rate limits
  int64_t worst_cost_nanos = 0;   // input + max_tokens, reserved against spend caps
  int64_t context_window = 0;     // 0: unknown
  int64_t max_output_tokens = 0;  // 0: unknown
};

// Fills *out and returns kContextWindow or kBudget when the request must not
// be sent; max_cost_usd 0 disables the cost guard.
Status CheckPreflight(const ChatRequest& request, const ModelPrice& price, double max_cost_usd,
                      PreflightEstimate* out);

// The usage to record when the provider's own report cannot be trusted: the
// estimated input and the full max_tokens of output, the amount admission
// reserved, so a forged report can neither free quota nor exceed what was
// admitted. `why` is kept in Usage::untrusted.
Usage UsageFromEstimate(const PreflightEstimate& estimate, std::string why);

}  // namespace llmctl
