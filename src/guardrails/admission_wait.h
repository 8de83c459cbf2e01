// Waiting for a rate-limit window instead of refusing: eval suites and
// batch scripts on a shared limit would rather wait a few seconds for the
// window to reopen than fail.
#pragma once

#include <atomic>
#include <cstdint>

#include "guardrails/limits.h"
#include "util/status.h"

namespace llmctl {

struct AdmissionWaitOptions {
  double wait_seconds = 0;  // LLM_RATE_LIMIT_WAIT_SECONDS; 0 = refuse at once
  int64_t reservation_ttl_ms = 0;
  const std::atomic<bool>* cancelled = nullptr;
};

// Limiter::Admit with a reservation. A rate-limit refusal whose window
// reopens within wait_seconds is retried (every 200 ms, so quota released
// by a finished call is taken at once) until admitted or the wait is spent;
// budget refusals and claims that can never pass return at once. A wait cut
// short by `cancelled` returns the last refusal.
Status AdmitOrWait(Limiter& limiter, const UsageClaim& claim, const AdmissionWaitOptions& options,
                   Reservation* reservation);

}  // namespace llmctl
