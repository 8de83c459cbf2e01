#include "guardrails/retry_policy.h"

#include <doctest/doctest.h>

using namespace llmctl;

namespace {

ProviderFailure Failure(const char* type, int status, bool quota = false) {
  ProviderFailure f;
  f.error_type = *ParseErrorType(type);
  f.http_status = status;
  f.quota_exhausted = quota;
  return f;
}

}  // namespace

TEST_CASE("classification of failures") {
  CHECK(ClassifyFailure(Failure("rate_limited", 429)) == FailureAction::kRetry);
  CHECK(ClassifyFailure(Failure("rate_limited", 429, true)) == FailureAction::kNextProvider);
  CHECK(ClassifyFailure(Failure("provider_error", 500)) == FailureAction::kRetry);
  CHECK(ClassifyFailure(Failure("provider_error", 529)) == FailureAction::kRetry);
  CHECK(ClassifyFailure(Failure("provider_error", 408)) == FailureAction::kRetry);
  CHECK(ClassifyFailure(Failure("timeout", 0)) == FailureAction::kRetry);
  CHECK(ClassifyFailure(Failure("network", 0)) == FailureAction::kRetry);
  CHECK(ClassifyFailure(Failure("auth", 401)) == FailureAction::kNextProvider);
  CHECK(ClassifyFailure(Failure("invalid_request", 404)) == FailureAction::kNextProvider);
  CHECK(ClassifyFailure(Failure("invalid_request", 400)) == FailureAction::kStop);
  CHECK(ClassifyFailure(Failure("context_window", 400)) == FailureAction::kNextProvider);
  CHECK(ClassifyFailure(Failure("content_filter", 400)) == FailureAction::kStop);
  ProviderFailure started = Failure("provider_error", 0);
  started.output_started = true;
  CHECK(ClassifyFailure(started) == FailureAction::kStop);
}

TEST_CASE("backoff grows, caps, jitters and honours hints") {
  std::mt19937_64 rng(1);
  BackoffOptions o;
  ProviderFailure f = Failure("provider_error", 500);
  for (int i = 0; i < 50; ++i) {
    int64_t first = BackoffMs(o, 0, f, rng);
    CHECK(first > 375);
    CHECK(first <= 500);
    int64_t capped = BackoffMs(o, 10, f, rng);
    CHECK(capped > 6000);
    CHECK(capped <= 8000);
  }
  f.retry_after_ms = 1234;
  CHECK(BackoffMs(o, 3, f, rng) == 1234);
}
