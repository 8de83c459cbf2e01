#include "guardrails/retry_policy.h"

#include <algorithm>
#include <cmath>

namespace llmctl {

FailureAction ClassifyFailure(const ProviderFailure& f) {
  // Text already printed cannot be retracted, and a retry would print a
  // second answer after the first.
  if (f.output_started) return FailureAction::kStop;
  using enum ErrorType;
  const ErrorType t = f.error_type;
  if (t == kInterrupted || t == kContentFilter) return FailureAction::kStop;
  if (t == kContextWindow) return FailureAction::kNextProvider;  // if its window is larger
  if (t == kAuth || f.http_status == 401 || f.http_status == 403 || f.http_status == 404 ||
      f.http_status == 402)
    return FailureAction::kNextProvider;
  if (t == kRateLimited)
    return f.quota_exhausted ? FailureAction::kNextProvider : FailureAction::kRetry;
  if (t == kInvalidRequest) return FailureAction::kStop;
  if (f.http_status == 408 || f.http_status == 409 || f.http_status == 429 || f.http_status >= 500)
    return FailureAction::kRetry;
  if (t == kTimeout || t == kNetwork || t == kProviderError) return FailureAction::kRetry;
  return FailureAction::kNextProvider;
}

int64_t BackoffMs(const BackoffOptions& o, int retry, const ProviderFailure& f,
                  std::mt19937_64& rng) {
  // The hint is clamped where it is parsed; a day is re-checked here so no
  // other source of a failure can make the sleep arithmetic overflow.
  if (f.retry_after_ms && *f.retry_after_ms > 0)
    return std::min<int64_t>(*f.retry_after_ms, 86'400'000);
  const double exp = std::min(o.base_seconds * std::pow(2.0, retry), o.max_seconds);
  std::uniform_real_distribution<double> jitter(0.75, 1.0);
  return static_cast<int64_t>(std::llround(exp * jitter(rng) * 1000));
}

}  // namespace llmctl
