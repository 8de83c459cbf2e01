#include "pipeline/call_pipeline.h"
#include "pipeline/call_stages.h"

namespace llmctl {

Status DryRun(const PipelineContext& ctx, const CallPlan& plan, nlohmann::json* report) {
  const Settings& s = *ctx.settings;
  const PipelineClock& clock = ctx.Clock();
  const ChainLink& primary = plan.primary();
  ProviderConfig cfg = primary.config;
  // A replay plan reads no key, but the request shown is the one a real
  // call would send, so the key it needs must be there.
  if (!plan.keys_required) {
    Status st = ResolveProvider(primary.ref.provider, s, *ctx.env, true, &cfg);
    if (!st.ok()) return st;
  }
  const ChatRequest& request = primary.request;
  const PreflightEstimate& est = primary.estimate;
  Status verdict = plan.preflight;
  UsageSnapshot usage;
  if (verdict.ok() && ctx.db) {
    std::unique_ptr<StateStore> state = ctx.NewStateStore();
    Reservation unused;
    verdict = state->Admit(plan.claim, clock.NowUnixMs(), false, 0, &unused);
    Status st = state->CurrentUsage(plan.spec.user, clock.NowUnixMs(), &usage);
    if (!st.ok()) return st;
  }
  auto or_null = [](int64_t v) { return v ? nlohmann::json(v) : nlohmann::json(); };
  nlohmann::json findings = nlohmann::json::array();
  for (const GuardFinding& f : plan.guard.findings)
    findings.push_back({{"stage", f.stage}, {"rule", f.rule}, {"detail", f.detail}});
  *report = {
      {"dry_run", true},
      {"provider", primary.ref.provider},
      {"model", request.model},
      {"user_id", plan.spec.user},
      {"request", ctx.NewProvider(cfg)->DescribeRequest(request)},
      {"estimate",
       {{"input_tokens", est.input_tokens},
        {"output_tokens", est.output_tokens},
        {"max_output_tokens", request.max_tokens},
        {"cost_usd", NanosToUsd(est.cost_nanos)},
        {"worst_case_cost_usd", NanosToUsd(est.worst_cost_nanos)},
        {"price_source", primary.price.source},
        {"context_window", or_null(est.context_window)},
        {"context_used", est.context_window ? nlohmann::json(static_cast<double>(est.worst_tokens) /
                                                             est.context_window)
                                            : nlohmann::json()}}},
      {"limits",
       {{"window_tokens_used", usage.window_tokens},
        {"window_tokens_limit", s.rate_limit_tokens},
        {"window_requests_used", usage.window_requests},
        {"window_requests_limit", s.rate_limit_requests},
        {"user_spend_today_usd", NanosToUsd(usage.user_spend_nanos)},
        {"user_daily_budget_usd", s.user_daily_budget_usd},
        {"total_spend_today_usd", NanosToUsd(usage.total_spend_nanos)},
        {"daily_budget_usd", s.daily_budget_usd},
        {"user_spend_this_month_usd", NanosToUsd(usage.user_month_spend_nanos)},
        {"user_monthly_budget_usd", s.user_monthly_budget_usd},
        {"total_spend_this_month_usd", NanosToUsd(usage.total_month_spend_nanos)},
        {"monthly_budget_usd", s.monthly_budget_usd}}},
      {"guard_findings", findings},
      {"would_send", verdict.ok()},
      {"refusal", verdict.ok() ? nlohmann::json() : nlohmann::json(verdict.message())},
  };
  return verdict;
}

}  // namespace llmctl
