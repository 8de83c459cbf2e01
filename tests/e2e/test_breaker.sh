#!/usr/bin/env bash
# The circuit breaker, remembered across invocations in SQLite: after
# LLM_BREAKER_THRESHOLD consecutive failures the endpoint is skipped (without
# being contacted, recorded as a `skipped` attempt) for the cooldown; then one
# probe goes through; a success closes it, a failure opens it again. When
# every provider in the chain is open they are all tried anyway. States show
# in `llmctl config-check`. The cooldown is long and is ended by editing the
# stored state, so no step depends on how fast the machine runs.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=resilience_lib.sh
source "$(dirname "$0")/resilience_lib.sh"

start_fake
res_env
COOLDOWN=3600
LLM_ENV+=(LLM_BREAKER_THRESHOLD=2 "LLM_BREAKER_COOLDOWN_SECONDS=$COOLDOWN" LLM_MAX_RETRIES=1)

OA=chat/completions
AN=/v1/messages

# shellcheck disable=SC2120  # extra arguments are optional
call() {  # call ARGS...: openai primary, anthropic fallback; record in $TMP/rec.json
  : >"$TMP/calls.jsonl"
  llm complete -p openai --fallback anthropic:claude-haiku-4-5 --json "$@" "hello breaker" </dev/null
  last_record
}
breaker_failures() {  # consecutive failures stored for a provider's endpoint (0: no row)
  local n
  n=$(db_query "SELECT failures FROM breakers WHERE endpoint LIKE '$1 %'")
  echo "${n:-0}"
}
end_cooldown() {  # ages a provider's open breaker: the cooldown is over now
  db_query "UPDATE breakers SET open_until_ms = $(now_ms) - 1 WHERE endpoint LIKE '$1 %'" >/dev/null
}
config_check() {  # config-check output (text) in $CC
  llm config-check
  CC=$LLM_STDOUT$LLM_STDERR
}

# ------------------------------------------------ a success resets the count
fake_reset
fake_script "[{\"match\":\"$OA\",\"status\":500}]"
call
assert_exit 0
assert_eq "500:provider_error 200:null" "$(attempts_of)"
assert_eq 0 "$(breaker_failures openai)" "a success clears the failure count"

# ------------------------------------------------ threshold reached: the breaker opens
fake_reset
fake_script "[{\"match\":\"$OA\",\"status\":500,\"times\":2}]"
call
assert_exit 0 "primary fails twice, fallback answers"
assert_eq "500:provider_error 500:provider_error 200:null" "$(attempts_of)"
assert_eq 2 "$(breaker_failures openai)" "two consecutive failures stored"
assert_eq 0 "$(breaker_failures anthropic)" "the healthy fallback has no failures"

config_check
assert_match "$CC" "breaker openai http://127\.0\.0\.1:$FAKE_PORT/v1.*open, 2 consecutive failures" \
  "config-check shows the open breaker"
assert_not_contains "$CC" "breaker anthropic" "no breaker line for a healthy provider"
llm config-check --json
assert_contains "$LLM_STDOUT" "open, 2 consecutive failures" "config-check --json shows it too"

# ------------------------------------------------ open: skipped without contact
fake_reset
call
assert_exit 0 "open primary: fallback answers"
assert_eq 0 "$(fake_requests $OA)" "the open primary is not contacted"
assert_eq 1 "$(fake_requests $AN)"
assert_eq "0:skipped 200:null" "$(attempts_of)" "the open primary is a skipped attempt"
assert_json '.attempts[0].provider' openai "$TMP/rec.json"
assert_json .provider anthropic "$TMP/rec.json"
assert_json .fallback_used true "$TMP/rec.json"
assert_eq 0 "$(json_get '.attempts[0].latency_ms' "$TMP/rec.json")" "skipping costs no timeout or backoff"

# Still open on a second invocation within the cooldown.
call
assert_eq 0 "$(fake_requests $OA)" "still skipped within the cooldown"

# ------------------------------------------------ after the cooldown: one probe; success closes
end_cooldown openai
config_check
assert_match "$CC" "breaker openai .*half-open" "config-check shows half-open after the cooldown"
fake_reset
call
assert_exit 0 "probe succeeds"
assert_eq 1 "$(fake_requests $OA)" "the probe reaches the primary"
assert_eq 0 "$(fake_requests $AN)"
assert_eq "200:null" "$(attempts_of)"
assert_json .provider openai "$TMP/rec.json"
assert_eq 0 "$(breaker_failures openai)" "a successful probe closes the breaker"
config_check
assert_not_contains "$CC" "breaker openai" "config-check: no open breaker any more"

# ------------------------------------------------ a failed probe opens it again
fake_reset
fake_script "[{\"match\":\"$OA\",\"status\":500,\"times\":2}]"
call
assert_eq 2 "$(breaker_failures openai)"
end_cooldown openai
fake_reset
fake_script "[{\"match\":\"$OA\",\"status\":500,\"times\":5}]"
call
assert_exit 0 "failed probe: the fallback answers"
assert_eq 1 "$(fake_requests $OA)" "half-open admits one probe request (no retry against a re-opened breaker)"
assert_json '.attempts[0].status' 500 "$TMP/rec.json"
assert_json .provider anthropic "$TMP/rec.json"
fake_reset
fake_script "[{\"match\":\"$OA\",\"status\":500,\"times\":5}]"
call
assert_eq 0 "$(fake_requests $OA)" "after a failed probe the breaker is open again"
assert_eq "0:skipped 200:null" "$(attempts_of)"

# ------------------------------------------------ half-open: one process probes, the other skips
# The probe's answer takes 5 s, far longer than the second process needs.
end_cooldown openai
fake_reset
fake_script "[{\"match\":\"$OA\",\"delay_ms\":5000}]"
LLM_ENV+=(LLM_TIMEOUT_SECONDS=30)
llm_bg p1 complete -p openai --fallback anthropic:claude-haiku-4-5 --json "probe one"
primary_contacted() { (($(fake_requests $OA) >= 1)); }
wait_until 30 primary_contacted
llm_bg p2 complete -p openai --fallback anthropic:claude-haiku-4-5 --json "probe two"
llm_wait p2
assert_exit 0 "second process during the probe"
assert_json '.attempts[0].error_type' skipped
assert_json .provider anthropic
llm_wait p1
assert_exit 0 "the probing process"
assert_json .provider openai
assert_eq 1 "$(fake_requests $OA)" "only one probe request"
assert_eq 0 "$(breaker_failures openai)" "the probe's success closed the breaker"
LLM_ENV+=(LLM_TIMEOUT_SECONDS=1)

# ------------------------------------------------ every provider open: all tried anyway
fake_reset
fake_script "[{\"match\":\"$OA\",\"status\":500,\"times\":2},{\"match\":\"$AN\",\"status\":500,\"times\":2}]"
call
assert_exit 8 "both fail"
assert_eq 2 "$(breaker_failures openai)"
assert_eq 2 "$(breaker_failures anthropic)"
config_check
assert_match "$CC" "breaker anthropic .*open" "config-check lists both"
assert_match "$CC" "breaker openai .*open"
fake_reset
fake_script "[{\"match\":\"$OA\",\"status\":500,\"times\":2}]"
call
assert_exit 0 "all open: still tried, the fallback answers"
assert_eq 2 "$(fake_requests $OA)" "all open: the primary is tried (with its retries)"
assert_eq 1 "$(fake_requests $AN)" "all open: the fallback is tried"
assert_not_contains "$(attempts_of)" skipped "nothing skipped when every provider is open"
assert_json .provider anthropic "$TMP/rec.json"

# LLM_BREAKER_THRESHOLD=0 turns it off: an open row is ignored.
fake_reset
fake_script "[{\"match\":\"$OA\",\"status\":500,\"times\":2}]"
call
assert_eq 0 "$(breaker_failures anthropic)" "anthropic closed after its success"
fake_reset
: >"$TMP/calls.jsonl"
llm_env LLM_BREAKER_THRESHOLD=0 -- complete -p openai --fallback anthropic:claude-haiku-4-5 --json hi </dev/null
last_record
assert_eq 1 "$(fake_requests $OA)" "threshold 0: the breaker is off"
assert_eq "200:null" "$(attempts_of)"

# ------------------------------------------------ primary down (connection refused): opens, then skipped
dead_port
DOWN=("OPENAI_BASE_URL=http://127.0.0.1:$DEAD_PORT/v1")
fake_reset
: >"$TMP/calls.jsonl"
llm_env "${DOWN[@]}" -- complete -p openai --fallback anthropic:claude-haiku-4-5 --json down </dev/null
last_record
assert_exit 0 "refused primary: the fallback answers"
assert_eq "0:network 0:network 200:null" "$(attempts_of)"
assert_eq 2 "$(db_query "SELECT failures FROM breakers WHERE endpoint = 'openai http://127.0.0.1:$DEAD_PORT/v1'")" \
  "the breaker is per endpoint (provider + base URL)"
: >"$TMP/calls.jsonl"
llm_env "${DOWN[@]}" -- complete -p openai --fallback anthropic:claude-haiku-4-5 --json down </dev/null
last_record
assert_exit 0
assert_eq "0:skipped 200:null" "$(attempts_of)" "refused primary skipped once open"

pass
