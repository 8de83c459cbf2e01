#!/usr/bin/env bash
# shellcheck disable=SC2034  # LLM_ENV is read by lib.sh
# latency-stats as a health probe sees outages: provider failures above
# LLM_ERROR_RATE_ALERT are `degraded` (exit 9) however fast they were;
# llmctl's own refusals do not count; no calls is `no_data` and
# --min-calls turns too few into exit 9; Prometheus carries the error rate.
source "$(dirname "$0")/lib.sh"

start_fake --quiet
LLM_ENV=(LLM_MAX_RETRIES=0 LLM_BREAKER_THRESHOLD=0)

# ---------------------------------------------------------------- no data
llm latency-stats
assert_exit 0 "no calls in range is not a failure by itself"
assert_contains "$LLM_STDOUT" "status: no_data"
llm latency-stats --format json
assert_json .status no_data
llm latency-stats --min-calls 1
assert_exit 9 "--min-calls 1 with no calls"
assert_contains "$LLM_STDERR" "fewer than --min-calls 1"

# ---------------------------------------------------------------- an outage
fake_default_step '{"status":500}'
for _ in 1 2 3 4 5; do
  llm complete "hello" </dev/null
  assert_exit 8 "a failing call"
done
fake_default_step null
llm latency-stats
assert_exit 9 "five failures out of five is degraded"
assert_contains "$LLM_STDOUT" "status: degraded"
assert_contains "$LLM_STDERR" "5 of 5 calls (100.0%) failed at the provider"
llm latency-stats --format json
assert_json .status degraded
assert_json .total.error_rate 1
llm latency-stats --format prometheus
assert_exit 9
assert_contains "$LLM_STDOUT" "llmctl_error_rate 1"
assert_contains "$LLM_STDOUT" "llmctl_error_rate_threshold 0.2"
assert_contains "$LLM_STDOUT" "llmctl_latency_degraded 1"

# Fifteen good calls: 5 of 20 = 25% is still above 0.2; 0.3 tolerates it.
for _ in $(seq 15); do
  llm complete "hello" </dev/null
  assert_exit 0
done
llm latency-stats --min-calls 20
assert_exit 9 "25% provider errors"
llm_env LLM_ERROR_RATE_ALERT=0.3 -- latency-stats --min-calls 20
assert_exit 0 "25% is under LLM_ERROR_RATE_ALERT=0.3"
assert_contains "$LLM_STDOUT" "status: ok"
llm latency-stats --min-calls 21
assert_exit 9 "20 calls are fewer than --min-calls 21"

# Local refusals (a rate limit) are in neither count: still 5 of 20.
llm_env LLM_RATE_LIMIT_REQUESTS=1 -- complete "hello" </dev/null
assert_exit 4
llm_env LLM_ERROR_RATE_ALERT=0.3 -- latency-stats --format json
assert_exit 0 "a refusal is not a provider failure"
assert_json .total.calls 21
assert_json .total.provider_calls 20
assert_json .total.error_rate 0.25

llm_env LLM_ERROR_RATE_ALERT=1.5 -- latency-stats
assert_exit 3 "LLM_ERROR_RATE_ALERT is validated"
assert_contains "$LLM_STDERR" "LLM_ERROR_RATE_ALERT=\"1.5\" is invalid"

pass
