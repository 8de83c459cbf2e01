#include "guardrails/admission_wait.h"

#include <chrono>
#include <thread>

#include <spdlog/spdlog.h>

#include "util/time_format.h"

namespace llmctl {

Status AdmitOrWait(Limiter& limiter, const UsageClaim& claim, const AdmissionWaitOptions& o,
                   Reservation* reservation) {
  using Clock = std::chrono::steady_clock;
  Status st = limiter.Admit(claim, NowUnixMs(), true, o.reservation_ttl_ms, reservation);
  const int64_t wait_s = limiter.RefusalWaitSeconds();
  if (st.ok() || st.code() != StatusCode::kRateLimited || wait_s < 0 || wait_s > o.wait_seconds) return st;
  spdlog::info("rate limit reached; waiting up to {} s for the window to reopen (LLM_RATE_LIMIT_WAIT_SECONDS)",
               wait_s);
  // One second past the reset covers a clock that ticks the window over a
  // little later than this process computed.
  const auto until = Clock::now() + std::chrono::seconds(wait_s + 1);
  while (Clock::now() < until) {
    if (o.cancelled && o.cancelled->load()) return st;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    st = limiter.Admit(claim, NowUnixMs(), true, o.reservation_ttl_ms, reservation);
    if (st.code() != StatusCode::kRateLimited) return st;
  }
  return st;
}

}  // namespace llmctl
