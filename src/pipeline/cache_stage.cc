#include <spdlog/spdlog.h>

#include "pipeline/call_stages.h"

namespace llmctl {

bool ServeFromCache(CallRun& run) {
  // The cache comes before the limits: a hit costs nothing and sends
  // nothing, so it neither needs nor uses quota.
  if (!run.plan.read_cache) return false;
  CallRecord& rec = run.rec;
  // A replay serves whatever was recorded, however old.
  auto hit = run.plan.cache_only
                 ? run.state->LookupAnswerAnyAge(run.plan.cache_key)
                 : run.state->LookupAnswer(run.plan.cache_key, run.clock.NowUnixMs());
  if (hit) {
    rec.cache_hit = true;
    rec.provider = hit->provider;
    rec.model = hit->model;
    rec.input_tokens = hit->usage.input_tokens;
    rec.output_tokens = hit->usage.output_tokens;
    rec.cached_input_tokens = hit->usage.cached_input_tokens;
    rec.reasoning_tokens = hit->usage.reasoning_tokens;
    rec.price_source = hit->price_source;
    rec.saved_cost_nanos = hit->cost_nanos;
    rec.finish_reason = hit->finish_reason;
    rec.provider_finish_reason = hit->provider_finish_reason;
    if (AnswerVerdict v = JudgeAnswer(run, hit->text); v.withhold) {
      WithholdAnswer(run, v);
      return true;
    }
    run.out.text = hit->text;
    run.out.text_emitted = !hit->text.empty();
    if (run.ctx.on_text && !hit->text.empty()) run.ctx.on_text(hit->text);
    return true;
  }
  if (!run.plan.cache_only) return false;
  const std::string key = run.plan.cache_key.substr(0, 12);
  rec.finish_reason = FinishReasonName(FinishReason::kError);
  rec.error = "cache miss in --cache only mode (key " + key + ")";
  rec.error_type = ErrorTypeName(ErrorType::kProviderError);
  const std::string line =
      "cache miss: --cache only never calls a provider and no cached answer matches this request (key " +
      key + "…); ";
  // Naming what sets the request apart from a recording of the same prompt
  // turns a puzzling miss into a one-flag fix.
  const std::string near = run.state->DescribeNearMiss(run.plan.cache_key_input);
  run.out.status =
      near.empty()
          ? Status::Provider(
                line +
                "record it first with --cache refresh or import a cassette with `llmctl cache import`")
          : Status::Provider(
                line + "an entry for the same prompt differs in " + near +
                ": replay with the settings it was recorded with, or record it again with --cache refresh");
  return true;
}

void StoreInCache(CallRun& run, const Usage& usage) {
  const CallRecord& rec = run.rec;
  // Only complete answers: a truncated or filtered one must be asked again.
  const std::optional<FinishReason> finish = ParseFinishReason(rec.finish_reason);
  if (!run.plan.write_cache || run.out.withheld || !finish || !IsWholeAnswer(*finish)) return;
  CacheEntry entry;
  entry.key = run.plan.cache_key;
  entry.key_input = run.plan.cache_key_input;
  entry.created_ms = run.clock.NowUnixMs();
  entry.expires_ms = CacheExpiryMs(entry.created_ms, run.settings.cache_ttl_seconds);
  entry.provider = rec.provider;
  entry.model = rec.model;
  entry.text = run.out.text;
  entry.finish_reason = rec.finish_reason;
  entry.provider_finish_reason = rec.provider_finish_reason;
  entry.usage = usage;
  entry.cost_nanos = rec.cost_nanos;
  entry.price_source = rec.price_source;
  Status cached = run.state->StoreAnswer(entry);
  if (!cached.ok()) spdlog::warn("{}", cached.message());
}

}  // namespace llmctl
