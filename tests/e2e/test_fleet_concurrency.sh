#!/usr/bin/env bash
# shellcheck disable=SC2034  # LLM_ENV is read by lib.sh
# Fleet admission is exact under concurrency: 48 invocations, 24 at a time,
# spread over 3 LLMCTL_DB files ("machines") on one Redis, with a token limit
# that refuses most. Admitted actual usage stays within the limit, every
# process exits 0 or 4, and the stream holds exactly one record per
# invocation. Then a SIGKILLed call: its reservation counts until it
# expires, and no longer.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=redis_lib.sh
source "$(dirname "$0")/redis_lib.sh"

start_fake --quiet
fake_default_step '{"text":"ok","delay_ms":100,"usage":{"input":10,"output":5}}'
start_redis
# "hello": 10 estimated input tokens + 20 max = 30 reserved, 15 actual.
LIMIT=150
LLM_ENV=(LLM_CACHE=off LLM_MAX_RETRIES=0 "LLM_RATE_LIMIT_TOKENS=$LIMIT" LLM_RATE_LIMIT_WINDOW_SECONDS=3600
  "LLMCTL_REDIS_URL=$REDIS_URL")

for wave in 0 1; do
  for i in $(seq 0 23); do
    n=$((wave * 24 + i))
    LLM_ENV+=("LLMCTL_DB=$TMP/m$((n % 3)).db")
    llm_bg "c$n" complete -u crowd --max-tokens 20 hello
    unset 'LLM_ENV[${#LLM_ENV[@]}-1]'
  done
  for i in $(seq 0 23); do
    llm_wait "c$((wave * 24 + i))"
    [[ $LLM_RC == 0 || $LLM_RC == 4 ]] || fail "invocation exited $LLM_RC: $LLM_STDERR"
  done
done
ASSERTIONS=$((ASSERTIONS + 48))
admitted=$(fake_stats .requests)
((admitted * 15 <= LIMIT)) || fail "admitted $admitted calls use $((admitted * 15)) tokens > $LIMIT"
((admitted >= 5)) || fail "only $admitted calls admitted; the limit fits at least 5 reservations"
ASSERTIONS=$((ASSERTIONS + 2))
assert_eq 48 "$(rcli XLEN llmctl:records)" "exactly one stream record per invocation"
used=$(rcli HGET llmctl:win:crowd "$(($(date +%s) / 3600 * 3600)):t")
assert_eq $((admitted * 15)) "$used" "the window holds the actual usage of the admitted calls"
assert_eq 0 "$(rcli HLEN llmctl:resv)" "no reservation is left behind"
locals=0
for m in 0 1 2; do locals=$((locals + $(sqlite3 "$TMP/m$m.db" "SELECT COUNT(*) FROM calls"))); done
assert_eq 48 "$locals" "each machine kept its own records"

# ---------------------------------------------------------------- SIGKILL mid-call
fake_reset
fake_default_step '{"text":"ok","usage":{"input":10,"output":5}}'
fake_script '[{"text":"never","delay_ms":20000}]'
LLM_ENV=(LLM_CACHE=off LLM_MAX_RETRIES=0 LLM_RATE_LIMIT_TOKENS=100 LLM_DEADLINE_SECONDS=10 LLM_TIMEOUT_SECONDS=10
  "LLMCTL_REDIS_URL=$REDIS_URL")
llm_bg killed complete -u kim --max-tokens 20 hello
# shellcheck disable=SC2317  # called through wait_until
in_flight_is() { [[ $(fake_stats .in_flight) == "$1" ]]; }
wait_until 20 in_flight_is 1
kill -9 "$LLM_PID"
llm_wait killed
assert_eq 137 "$LLM_RC" "killed with SIGKILL"
entry=$(rcli HVALS llmctl:resv)
assert_match "$entry" "^[0-9]+\|[0-9]+\|[0-9]+\|[0-9]+\|[0-9]+\|kim$" "the killed call left its reservation"
expires=$(cut -d'|' -f5 <<<"$entry")
held=$(cut -d'|' -f3 <<<"$entry")
now_ms=$(($(date +%s%N) / 1000000))
((expires > now_ms + 60000 && expires <= now_ms + 71000)) || fail "expiry $expires is not about deadline + 60 s away"
ASSERTIONS=$((ASSERTIONS + 1))
llm limits -u kim --json
assert_json .window.tokens_used "$held"
# A claim one token more than what the held reservation leaves (the prompt
# estimate is the held tokens minus its 20 max tokens).
over=$((121 - 2 * held))
llm complete -u kim --max-tokens "$over" hello </dev/null
assert_exit 4 "the killed process's reservation counts before it expires"
# Age the reservation as the server's clock would.
id=$(rcli HKEYS llmctl:resv)
rcli HSET llmctl:resv "$id" "$(cut -d'|' -f1-4 <<<"$entry")|1000|kim" >/dev/null
llm limits -u kim --json
assert_json .window.tokens_used 0
llm complete -u kim --max-tokens "$over" hello </dev/null
assert_exit 0 "after expiry the quota is free again"
assert_eq 0 "$(rcli HLEN llmctl:resv)" "the expired reservation was dropped"
pass
