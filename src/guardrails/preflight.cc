#include "guardrails/preflight.h"

#include <utility>

#include "guardrails/token_estimate.h"
#include "records/call_record.h"
#include "records/money.h"

namespace llmctl {

Status CheckPreflight(const ChatRequest& r, const ModelPrice& price, double max_cost_usd,
                      PreflightEstimate* out) {
  out->input_tokens = EstimateInputTokens(r);
  out->output_tokens = EstimateOutputTokens(r, out->input_tokens);
  // Saturating: max_tokens is bounded where it is read, but one overflow here
  // would wave any request through the window check.
  out->worst_tokens = SaturatingAdd(out->input_tokens, r.max_tokens);
  out->context_window = price.max_input_tokens;
  out->max_output_tokens = price.max_output_tokens;
  Usage expected;
  expected.input_tokens = out->input_tokens;
  expected.output_tokens = out->output_tokens;
  out->cost_nanos = CostNanos(price, expected, true);
  Usage worst = expected;
  worst.output_tokens = r.max_tokens;
  out->worst_cost_nanos = CostNanos(price, worst, true);

  if (out->context_window > 0 && out->worst_tokens > out->context_window)
    return Status::ContextWindow(
        "context window exceeded: about " + std::to_string(out->input_tokens) + " input tokens + " +
        std::to_string(r.max_tokens) + " max output tokens = " + std::to_string(out->worst_tokens) +
        ", over the model's window of " + std::to_string(out->context_window) + " by " +
        std::to_string(out->worst_tokens - out->context_window) +
        "; shorten the prompt or lower --max-tokens");
  if (out->max_output_tokens > 0 && r.max_tokens > out->max_output_tokens)
    return Status::ContextWindow("--max-tokens " + std::to_string(r.max_tokens) +
                                 " is above the model's " + std::to_string(out->max_output_tokens) +
                                 " output-token limit; lower it");
  const int64_t max_cost_nanos = UsdToNanos(max_cost_usd);
  if (max_cost_nanos > 0 && out->cost_nanos > max_cost_nanos) {
    return Status::Budget(
        "estimated cost $" + FormatNanosFixed(out->cost_nanos, 6) +
        " is above LLM_MAX_COST_PER_REQUEST $" + FormatNanosFixed(max_cost_nanos, 6) + " (" +
        std::to_string(out->input_tokens) + " input tokens, " + std::to_string(out->output_tokens) +
        " expected output tokens); raise the limit, lower --max-tokens or pick a cheaper model");
  }
  return Status::Ok();
}

Usage UsageFromEstimate(const PreflightEstimate& estimate, std::string why) {
  Usage u;
  u.input_tokens = estimate.input_tokens;
  u.output_tokens = estimate.worst_tokens - estimate.input_tokens;
  u.untrusted = std::move(why);
  return u;
}

}  // namespace llmctl
