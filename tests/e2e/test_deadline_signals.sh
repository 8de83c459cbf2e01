#!/usr/bin/env bash
# The whole-call deadline (LLM_DEADLINE_SECONDS) across retries and wait
# hints, and SIGINT/SIGTERM during a request, a stream or a backoff: exit 130,
# promptly, with a record whose error_type is `interrupted`.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=resilience_lib.sh
source "$(dirname "$0")/resilience_lib.sh"

start_fake
res_env

OA=chat/completions
AN=/v1/messages
GE=models/gemini

call() {  # call [VAR=V...] -- ARGS...: record in $TMP/rec.json, elapsed ms in $ELAPSED
  : >"$TMP/calls.jsonl"
  local start
  start=$(now_ms)
  llm_env "$@" </dev/null
  ELAPSED=$(($(now_ms) - start))
  last_record
}

# ------------------------------------------------ slow failures: the deadline ends the retries
fake_reset
fake_script "[{\"match\":\"$OA\",\"status\":500,\"delay_ms\":700,\"times\":20}]"
call LLM_DEADLINE_SECONDS=2 LLM_TIMEOUT_SECONDS=5 LLM_MAX_RETRIES=10 -- complete -p openai --json "slow failures"
assert_exit 8 "deadline: exit 8"
assert_json .error_type timeout "$TMP/rec.json"
assert_between 1 4 "$(fake_requests)" "deadline: stopped long before 1 + 10 attempts"
assert_between 1800 3200 "$ELAPSED" "deadline: about LLM_DEADLINE_SECONDS=2 (ms)"
assert_json '.attempts[-1].error_type' timeout "$TMP/rec.json"
assert_contains "$LLM_STDERR" "timed out" "stderr says it timed out"

# The per-attempt timeout is cut to what is left of the deadline.
fake_reset
fake_script "[{\"match\":\"$OA\",\"delay_ms\":6000,\"times\":3}]"
call LLM_DEADLINE_SECONDS=1.5 LLM_TIMEOUT_SECONDS=10 -- complete -p openai --json "one slow answer"
assert_exit 8 "deadline shorter than the attempt timeout: exit 8"
assert_json .error_type timeout "$TMP/rec.json"
assert_eq 1 "$(fake_requests)" "one attempt, cut at the deadline"
assert_between 1300 2600 "$ELAPSED" "cut at 1.5 s, not 10 s (ms)"

# The deadline also bounds the fallbacks (slow too): the call ends at it.
fake_reset
fake_script "[{\"match\":\"$OA\",\"status\":500,\"delay_ms\":700,\"times\":20},{\"match\":\"$AN\",\"delay_ms\":700,\"times\":20}]"
call LLM_DEADLINE_SECONDS=2 LLM_TIMEOUT_SECONDS=5 LLM_MAX_RETRIES=10 -- \
  complete -p openai --fallback anthropic:claude-haiku-4-5 --json "slow failures"
assert_exit 8 "deadline with a fallback: exit 8"
assert_json .error_type timeout "$TMP/rec.json"
assert_between 1800 3200 "$ELAPSED" "deadline with a fallback: about 2 s (ms)"

# ------------------------------------------------ a wait hint past the deadline: move on at once
for p in openai anthropic gemini; do
  m=$(match_of "$p")
  fake_reset
  fake_script "[{\"match\":\"$m\",\"status\":429,\"retry_after\":10,\"times\":3}]"
  fb=anthropic:claude-haiku-4-5
  [[ $p == anthropic ]] && fb=openai:gpt-4o-mini
  call LLM_DEADLINE_SECONDS=3 -- complete -p "$p" --fallback "$fb" --json "long hint"
  assert_exit 0 "$p: 10 s hint, 3 s deadline → fallback answers"
  assert_eq 1 "$(fake_requests "$m")" "$p: no retry that would wait past the deadline"
  assert_between 0 1500 "$ELAPSED" "$p: moved on at once (ms)"
  assert_json '.attempts[0].error_type' rate_limited "$TMP/rec.json"
  assert_json .fallback_used true "$TMP/rec.json"
done

fake_reset
fake_script "[{\"match\":\"$OA\",\"status\":429,\"retry_after\":10,\"times\":3}]"
call LLM_DEADLINE_SECONDS=3 -- complete -p openai --json "long hint, no fallback"
assert_exit 8 "10 s hint, 3 s deadline, no fallback: exit 8"
assert_eq 1 "$(fake_requests)"
assert_json .error_type rate_limited "$TMP/rec.json"
assert_between 0 1500 "$ELAPSED" "gives up at once rather than sleeping into the deadline (ms)"

# A hint inside the deadline is still honoured.
fake_reset
fake_script "[{\"match\":\"$OA\",\"status\":429,\"retry_after\":1}]"
call LLM_DEADLINE_SECONDS=3 -- complete -p openai --json "short hint"
assert_exit 0 "1 s hint, 3 s deadline: retried"
assert_between 950 1900 "$(fake_gaps)" "the 1 s hint is honoured"

# ------------------------------------------------ signals
# sig_case NAME SIGNAL STEP ARGS...: start a call, send SIGNAL once the fake
# has the request (plus SETTLE s), check exit 130 within 2 s.
primary_contacted() { (($(fake_requests) >= 1)); }
sig_case() {
  local name=$1 sig=$2 step=$3 settle=$4
  shift 4
  fake_reset
  fake_script "$step"
  : >"$TMP/calls.jsonl"
  llm_bg "$name" complete "$@"
  wait_until 5 primary_contacted
  sleep "$settle"
  local start
  start=$(now_ms)
  kill "-$sig" "$LLM_PID"
  llm_wait "$name"
  ELAPSED=$(($(now_ms) - start))
  assert_exit 130 "$name: $sig exits 130"
  assert_between 0 2000 "$ELAPSED" "$name: exits promptly after $sig (ms)"
  last_record
  assert_json .error_type interrupted "$TMP/rec.json"
  assert_json .finish_reason error "$TMP/rec.json"
  assert_match "$LLM_STDERR" "interrupt" "$name: stderr says it was interrupted"
}

LLM_ENV+=(LLM_TIMEOUT_SECONDS=30)
sig_case int_request INT "[{\"match\":\"$OA\",\"delay_ms\":15000}]" 0.3 -p openai --json "slow request"
assert_json '.attempts[0].error_type' interrupted "$TMP/rec.json"
assert_json '.attempts | length' 1 "$TMP/rec.json"

sig_case term_request TERM "[{\"match\":\"$AN\",\"delay_ms\":15000}]" 0.3 -p anthropic --json "slow request"
assert_json '.attempts[0].error_type' interrupted "$TMP/rec.json"
assert_json .provider anthropic "$TMP/rec.json"

# During a stream, after some text: the partial text stays, nothing is added.
sig_case int_stream INT "[{\"match\":\"$GE\",\"text\":\"alpha beta gamma delta\",\"event_delay_ms\":400}]" 0.6 \
  -p gemini --stream "slow stream"
assert_match "$LLM_STDOUT" "^alpha" "int_stream: the partial answer was printed"
assert_not_contains "$LLM_STDOUT" "delta" "int_stream: the stream was aborted"

# During a backoff (a 30 s Retry-After): the sleep is cut short, no second request.
sig_case int_backoff INT "[{\"match\":\"$OA\",\"status\":429,\"retry_after\":30}]" 0.5 \
  -p openai --fallback anthropic:claude-haiku-4-5 --json "in backoff"
assert_eq 1 "$(fake_requests)" "int_backoff: no retry and no fallback after the signal"

sig_case term_backoff TERM "[{\"match\":\"$OA\",\"status\":503,\"retry_after\":30}]" 0.5 \
  -p openai --json "in backoff"
assert_eq 1 "$(fake_requests)" "term_backoff: no retry after the signal"

pass
