#!/usr/bin/env bash
# `llmctl eval` run behaviour against the fake server: requests
# really overlap with --concurrency N, the --max-cost run budget stops new
# cases (reported as skipped, never overspent), --cache only replays with no
# provider, --filter, --repeat, provider errors exit 8, and --compare.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

start_fake
LLM_ENV+=(LLM_RATE_LIMIT_TOKENS=0 LLM_MAX_RETRIES=0)

# suite FILE N [ASSERT_JSON]: N cases c01..cNN with distinct prompts.
suite() {
  local file=$1 n=$2 assert=${3:-'[{"type": "contains", "value": "yes"}]'} i
  echo '{"defaults": {"model": "openai:gpt-4o-mini", "max_tokens": 1000, "temperature": 0, "assert": '"$assert"'}}' >"$file"
  for ((i = 1; i <= n; i++)); do
    printf '{"id": "c%02d", "prompt": "Question number %d?"}\n' "$i" "$i" >>"$file"
  done
}

# ---------------------------------------------------------------- concurrency

# Answers take 1.5 s: long enough that a connection the fake's small accept
# backlog drops (the client retries its SYN after 1 s) still overlaps the rest.
suite "$TMP/s16.jsonl" 16
fake_default_step '{"text": "yes indeed", "delay_ms": 1500}'
start_ns=$(date +%s%N)
llm eval "$TMP/s16.jsonl" --concurrency 8 --cache off </dev/null
elapsed_ms=$((($(date +%s%N) - start_ns) / 1000000))
assert_exit 0 "all passed exits 0"
assert_eq "16 passed, 0 failed" "$(tail -n 1 <<<"$LLM_STDOUT")"
max=$(fake_stats .max_in_flight)
((max >= 8)) || fail "expected >= 8 requests in flight with --concurrency 8, the fake saw $max"
((max <= 8)) || fail "expected at most 8 requests in flight with --concurrency 8, the fake saw $max"
# 16 cases × 1.5 s on 8 lanes is 3 s; one at a time it would be 24 s.
((elapsed_ms < 9000)) || fail "16 cases at concurrency 8 took ${elapsed_ms} ms"

fake_reset
suite "$TMP/s8.jsonl" 8
llm eval "$TMP/s8.jsonl" --cache off </dev/null
assert_exit 0
max=$(fake_stats .max_in_flight)
assert_eq 4 "$max" "default concurrency is 4"

# ---------------------------------------------------------------- run budget

# Each answer reports 1000 output tokens: $0.0006 at gpt-4o-mini's $0.60/M,
# and max_tokens 1000 makes every case's worst case about that much too. A
# budget of $0.002 fits three cases and never a fourth.
fake_reset
fake_default_step '{"text": "yes", "usage": {"input": 10, "output": 1000}, "delay_ms": 50}'
suite "$TMP/s10.jsonl" 10
llm eval "$TMP/s10.jsonl" --concurrency 4 --max-cost 0.002 --cache off --output "$TMP/budget.jsonl" </dev/null
assert_exit 5 "cases skipped by the run budget exit 5"
assert_eq "3 passed, 0 failed, 7 skipped" "$(tail -n 1 <<<"$LLM_STDOUT")"
assert_eq 3 "$(fake_stats .requests)" "skipped cases send nothing"
assert_eq 7 "$(jq -r 'select(.status == "skipped") | .case_id' "$TMP/budget.jsonl" | wc -l)"
assert_contains "$(jq -r 'select(.case_id == "c10") | .message' "$TMP/budget.jsonl")" "run budget --max-cost 0.002 USD"
run_id=$(jq -r .run_id "$TMP/budget.jsonl" | sort -u)
spent=$(db_query "SELECT SUM(cost_nanos) FROM calls WHERE run_id = '$run_id'")
((spent <= 2000000)) || fail "the run spent ${spent} nano-USD, more than --max-cost 0.002"
assert_contains "$LLM_STDOUT" "SKIP c10 ($TMP/s10.jsonl:11): not run: the run budget"

# A budget too small for even one case skips them all.
llm eval "$TMP/s10.jsonl" --max-cost 0.0001 --cache off </dev/null
assert_exit 5
assert_eq "0 passed, 0 failed, 10 skipped" "$(tail -n 1 <<<"$LLM_STDOUT")"

llm eval "$TMP/s10.jsonl" --max-cost abc </dev/null
assert_exit 2

# ---------------------------------------------------------------- --cache only replay

fake_reset
fake_default_step '{"text": "yes from the model"}'
suite "$TMP/s5.jsonl" 5
llm eval "$TMP/s5.jsonl" --cache refresh </dev/null
assert_exit 0 "recording run"
assert_eq 5 "$(fake_stats .requests)"
# Replay with no key and no reachable provider: hermetic.
stop_fake
llm_env -u OPENAI_API_KEY OPENAI_BASE_URL=http://127.0.0.1:9/v1 -- eval "$TMP/s5.jsonl" --cache only --output "$TMP/replay.jsonl" </dev/null
assert_exit 0 "--cache only replays every case"
assert_eq "5 passed, 0 failed" "$(tail -n 1 <<<"$LLM_STDOUT")"
assert_eq "true" "$(jq -r .cache_hit "$TMP/replay.jsonl" | sort -u)"
assert_eq "yes from the model" "$(jq -r .output "$TMP/replay.jsonl" | sort -u)"
assert_contains "$LLM_STDOUT" "5 cache hits"
# A case never recorded is a miss: an error, exit 8.
echo '{"id": "unrecorded", "prompt": "never asked", "model": "openai:gpt-4o-mini", "max_tokens": 1000, "temperature": 0}' >>"$TMP/s5.jsonl"
llm_env -u OPENAI_API_KEY OPENAI_BASE_URL=http://127.0.0.1:9/v1 -- eval "$TMP/s5.jsonl" --cache only </dev/null
assert_exit 8 "a cache miss in --cache only exits 8"
assert_eq "5 passed, 0 failed, 1 error" "$(tail -n 1 <<<"$LLM_STDOUT")"
assert_contains "$LLM_STDOUT" "ERROR unrecorded"
assert_contains "$LLM_STDOUT" "cache miss"
start_fake

# ---------------------------------------------------------------- provider errors

fake_default_step '{"status": 500}'
llm eval "$TMP/s5.jsonl" --cache off </dev/null
assert_exit 8 "provider errors exit 8"
assert_eq "0 passed, 0 failed, 6 errors" "$(tail -n 1 <<<"$LLM_STDOUT")"
assert_contains "$LLM_STDERR" "6 case run(s) stopped by errors"

# ---------------------------------------------------------------- filter and repeat

fake_reset
fake_default_step '{"text": "yes"}'
llm eval "$TMP/s10.jsonl" --filter '^c0[1-3]$' --cache off </dev/null
assert_exit 0
assert_eq "3 passed, 0 failed" "$(tail -n 1 <<<"$LLM_STDOUT")"
assert_eq 3 "$(fake_stats .requests)"

fake_reset
llm eval "$TMP/s10.jsonl" --filter 'c0[12]' --repeat 3 --junit "$TMP/repeat.xml" </dev/null
assert_exit 0
assert_eq "6 passed, 0 failed" "$(tail -n 1 <<<"$LLM_STDOUT")"
# Temperature 0 would hit the cache from earlier runs; repeats must reach the model.
assert_eq 6 "$(fake_stats .requests)" "repeats are not served from the cache"
assert_contains "$(<"$TMP/repeat.xml")" 'name="c02 [repeat 3/3]"'

# A flaky case: passes once, fails twice.
fake_reset
fake_script '[{"text": "yes"}, {"text": "no"}, {"text": "no"}]'
llm eval "$TMP/s10.jsonl" --filter 'c01' --repeat 3 --concurrency 1 </dev/null
assert_exit 9
assert_eq "1 passed, 2 failed" "$(tail -n 1 <<<"$LLM_STDOUT")"
assert_match "$LLM_STDOUT" 'c01 +FAILED \(flaky\) +1/3'

# ---------------------------------------------------------------- --compare

fake_reset
fake_default_step '{"text": "yes", "delay_ms": 20}'
suite "$TMP/s3.jsonl" 3
llm eval "$TMP/s3.jsonl" --run-id base-run --cache off </dev/null
assert_exit 0
fake_script '[{"text": "no", "times": 1}]'
llm eval "$TMP/s3.jsonl" --run-id pr-run --cache off --concurrency 1 </dev/null
assert_exit 9
assert_eq "2 passed, 1 failed" "$(tail -n 1 <<<"$LLM_STDOUT")"

llm eval --compare base-run pr-run </dev/null
assert_exit 9 "a regression between runs exits 9"
assert_match "$LLM_STDOUT" 'c01 +passed +failed'
assert_contains "$LLM_STDOUT" "1 regressed, 0 fixed, 1 changed"
assert_not_contains "$LLM_STDOUT" "c02"
llm eval --compare pr-run base-run --json </dev/null
assert_exit 0 "a fix is not a failure"
assert_json '.fixes' 1
assert_json '.changed[0].case_id' c01
assert_json '.changed[0].a.status' failed
assert_json '.changed[0].b.status' passed
assert_json '.a.passed' 2
assert_json '.b.passed' 3
assert_json '.changed[0].b.cost_usd > 0' true
llm eval --compare base-run nosuch-run </dev/null
assert_exit 2
assert_contains "$LLM_STDERR" "no eval results for run nosuch-run"
llm eval "$TMP/s3.jsonl" --run-id base-run </dev/null
assert_exit 2 "a run id cannot be reused"
assert_eq 3 "$(db_query "SELECT COUNT(*) FROM eval_results WHERE run_id = 'pr-run'")"
assert_eq "c01|failed|contains" "$(db_query "SELECT case_id, status, failed_asserts FROM eval_results WHERE run_id = 'pr-run' AND passed = 0")"

pass
