#include <spdlog/spdlog.h>

#include "pipeline/call_stages.h"
#include "records/record_store.h"

namespace llmctl {
namespace {

// Reservations outlive the whole-call deadline by a margin, so only a
// process that died leaves one to expire.
int64_t ReservationTtlMs(const Settings& s) {
  return static_cast<int64_t>(s.deadline_seconds * 1000) + 60'000;
}

// Waits for a rate-limit window instead of refusing, when it reopens within
// LLM_RATE_LIMIT_WAIT_SECONDS: eval suites and batch scripts on a shared
// limit would rather wait a few seconds than fail. Tries again every 200 ms,
// so quota a finished call releases is taken at once. Budget refusals and
// claims that can never pass return at once; Ctrl-C ends the wait with the
// last refusal.
Status WaitForWindow(CallRun& run, Status refused, Reservation* reservation) {
  const int64_t wait_s = run.state->RefusalWaitSeconds();
  if (refused.code() != StatusCode::kRateLimited || wait_s < 0 ||
      wait_s > run.settings.rate_limit_wait_seconds)
    return refused;
  spdlog::info(
      "rate limit reached; waiting up to {} s for the window to reopen (LLM_RATE_LIMIT_WAIT_SECONDS)",
      wait_s);
  // One second past the reset covers a clock that ticks the window over a
  // little later than this process computed.
  const auto until = run.clock.Now() + std::chrono::seconds(wait_s + 1);
  Status st = refused;
  while (run.clock.Now() < until) {
    if (!run.clock.Sleep(200, run.ctx.cancelled)) return st;
    st = run.state->Admit(run.plan.claim, run.clock.NowUnixMs(), true,
                          ReservationTtlMs(run.settings), reservation);
    if (st.code() != StatusCode::kRateLimited) return st;
  }
  return st;
}

}  // namespace

LimitConfig LimitsFromSettings(const Settings& s) {
  LimitConfig c;
  c.tokens_per_window = s.rate_limit_tokens;
  c.requests_per_window = s.rate_limit_requests;
  c.window_seconds = s.rate_limit_window_seconds;
  c.user_daily_budget_nanos = UsdToNanos(s.user_daily_budget_usd);
  c.daily_budget_nanos = UsdToNanos(s.daily_budget_usd);
  c.user_monthly_budget_nanos = UsdToNanos(s.user_monthly_budget_usd);
  c.monthly_budget_nanos = UsdToNanos(s.monthly_budget_usd);
  return c;
}

bool IsRefusal(const Status& st) {
  return st.code() == StatusCode::kRateLimited || st.code() == StatusCode::kBudget ||
         st.code() == StatusCode::kContextWindow || st.code() == StatusCode::kGuardRefused;
}

Status AdmitCall(CallRun& run, Reservation* reservation) {
  if (!run.plan.preflight.ok()) return run.plan.preflight;
  const auto admit_start = run.clock.Now();
  Status st;
  {
    // The record's insert is tried (and taken back) inside the admission's
    // transaction: a database that could not take the record stops the
    // call before a provider is paid, at no extra write lock.
    // State kept elsewhere is asked after the local lock is given back, so
    // no local process waits on a network round trip.
    const bool joins = run.state->SharesRecordTransaction();
    auto admit = [&] {
      const auto state_start = run.clock.Now();
      Status verdict = run.state->Admit(run.plan.claim, run.clock.NowUnixMs(), true,
                                        ReservationTtlMs(run.settings), reservation);
      spdlog::debug("stage state_admit_ms={:.3f} backend={}", run.MsSince(state_start),
                    run.state->backend());
      return verdict;
    };
    Transaction admission(*run.ctx.db);
    st = admission.status();
    if (st.ok()) st = ProbeRecordWrite(*run.ctx.db, run.rec);
    if (st.ok() && joins) st = admit();
    if (st.ok()) st = admission.Commit();
    if (st.ok() && !joins) st = admit();
  }
  if (st.code() == StatusCode::kRateLimited && run.settings.rate_limit_wait_seconds > 0)
    st = WaitForWindow(run, st, reservation);
  spdlog::debug("stage admit_ms={:.3f}", run.MsSince(admit_start));
  return st;
}

}  // namespace llmctl
