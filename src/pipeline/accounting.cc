#include <spdlog/spdlog.h>

#include "pipeline/call_stages.h"
#include "pipeline/failure_summary.h"
#include "pipeline/interrupted_usage.h"
#include "providers/provider_registry.h"

namespace llmctl {
namespace {

Status StatusForFailure(const std::string& provider, const ProviderFailure& f) {
  std::string line = provider + " failed";
  if (f.http_status) line += " with HTTP " + std::to_string(f.http_status);
  if (!f.provider_error_type.empty()) line += " " + f.provider_error_type;
  line += ": " + (f.message.empty() ? std::string(ErrorTypeName(f.error_type)) : f.message);
  if (f.error_type == ErrorType::kInterrupted)
    return Status::Interrupted("interrupted; the request was aborted");
  return Status::Provider(line);
}

void AccountAnswer(CallRun& run, ChatResult& result, const ChainLink& served) {
  CallRecord& rec = run.rec;
  const int64_t max_tokens = run.plan.spec.request.max_tokens;
  run.out.text = std::move(result.text);
  const std::string untrusted = result.usage.untrusted;
  if (!untrusted.empty()) {
    spdlog::warn(
        "{} reported impossible token counts ({}); the pre-flight estimate is used for "
        "limits and cost instead",
        rec.provider, untrusted);
    result.usage = UsageFromEstimate(run.plan.primary().estimate, untrusted);
  }
  rec.input_tokens = result.usage.input_tokens;
  rec.output_tokens = result.usage.output_tokens;
  rec.cached_input_tokens = result.usage.cached_input_tokens;
  rec.reasoning_tokens = result.usage.reasoning_tokens;
  rec.finish_reason = FinishReasonName(result.finish_reason);
  rec.provider_finish_reason = result.provider_finish_reason;
  rec.ttft_ms = result.ttft_ms;
  if (served.price.source == "unknown")
    spdlog::warn(
        "no price known for {}:{}; cost is recorded at the conservative "
        "$15/$75 per million tokens (add it with LLMCTL_PRICING_FILE)",
        rec.provider, rec.model);
  rec.price_source = served.price.source;
  rec.cost_nanos = CostNanos(served.price.price, result.usage,
                             ProviderInfoFor(served.config.kind).reasoning_in_output);
  if (!untrusted.empty())
    rec.alert =
        "UNTRUSTED_USAGE " + untrusted + " discarded; tokens and cost are the pre-flight estimate";
  if (result.finish_reason == FinishReason::kLength) {
    rec.alert = (rec.alert ? *rec.alert + "; " : std::string()) +
                "TRUNCATED_RESPONSE max_tokens=" + std::to_string(max_tokens) +
                " reached; the answer is incomplete";
    if (!run.plan.spec.allow_truncated) {
      rec.error = "response truncated at max_tokens=" + std::to_string(max_tokens);
      rec.error_type = ErrorTypeName(ErrorType::kTruncated);
      run.out.status = Status::Truncated(
          "response truncated: the model hit max_tokens=" + std::to_string(max_tokens) +
          " (provider finish reason " + rec.provider_finish_reason +
          "); raise --max-tokens, or pass --allow-truncated to accept partial answers");
    }
  } else if (result.finish_reason == FinishReason::kContentFilter) {
    rec.error =
        "the provider's content filter stopped the answer (" + rec.provider_finish_reason + ")";
    rec.error_type = ErrorTypeName(ErrorType::kContentFilter);
    run.out.status = Status::Provider(rec.provider + " refused to answer: content filter (" +
                                      rec.provider_finish_reason + ")");
  }
}

// Returns true when the provider billed the failed call: an attempt cut
// short after its request went out has been charged for its input and for
// the text streamed so far, and recording 0 would let the limits and spend
// caps undercount.
bool AccountFailure(CallRun& run, ChainOutcome& chain) {
  CallRecord& rec = run.rec;
  ProviderFailure& failure = chain.last_failure;
  rec.finish_reason = FinishReasonName(FinishReason::kError);
  if (failure.error_type == ErrorType::kInterrupted)
    failure.message = "interrupted by a signal; the request was aborted";
  rec.error_type = ErrorTypeName(failure.error_type);
  rec.error = failure.message.empty() ? *rec.error_type : failure.message;
  std::vector<ProviderConfig> configs;
  for (const ChainLink& link : run.plan.chain) configs.push_back(link.config);
  run.out.status = FailedCallStatus(StatusForFailure(rec.provider, failure), rec.attempts, configs);
  if (rec.attempts.empty() ||
      ParseErrorType(rec.attempts.back().error_type) != ErrorType::kInterrupted)
    return false;
  const ChainLink& link = run.plan.chain[chain.served_index];
  const Usage billed =
      InterruptedUsage(run.plan.primary().estimate.input_tokens, chain.received_bytes);
  rec.input_tokens = billed.input_tokens;
  rec.output_tokens = billed.output_tokens;
  rec.price_source = link.price.source;
  rec.cost_nanos = CostNanos(link.price.price, billed, true);
  return true;
}

}  // namespace

bool AccountCall(CallRun& run, ChainOutcome* chain) {
  run.rec.fallback_used = chain->answered && chain->served_index > 0;
  if (run.rec.fallback_used) NoteFallbackAnswer(run.rec.attempts);
  if (!chain->answered) return AccountFailure(run, *chain);
  AccountAnswer(run, chain->result, run.plan.chain[chain->served_index]);
  if (chain->verdict.withhold) {
    WithholdAnswer(run, chain->verdict);
  } else if (run.plan.hold_back && run.ctx.on_text && !run.out.text.empty()) {
    run.out.text_emitted = true;
    run.ctx.on_text(run.out.text);
  }
  return true;
}

}  // namespace llmctl
