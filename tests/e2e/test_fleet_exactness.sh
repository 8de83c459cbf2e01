#!/usr/bin/env bash
# shellcheck disable=SC2034  # LLM_ENV is read by lib.sh
# The exactness promises of fleet admission, read from the Redis server's
# own counters and keys: a call is admitted by one EVALSHA and settled by
# one more; a script the server forgot (SCRIPT FLUSH) is loaded again; a
# refused call consumes nothing; a failed call releases its reservation.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=redis_lib.sh
source "$(dirname "$0")/redis_lib.sh"

start_fake --quiet
fake_default_step '{"text":"ok","usage":{"input":10,"output":5}}'
start_redis
LLM_ENV=(LLM_CACHE=off LLM_MAX_RETRIES=0 LLM_RATE_LIMIT_REQUESTS=3 LLM_RATE_LIMIT_TOKENS=0
  LLM_BREAKER_THRESHOLD=0 "LLMCTL_REDIS_URL=$REDIS_URL")

cmdstat() {  # calls of one command since the last CONFIG RESETSTAT
  local n
  n=$(rcli INFO commandstats | tr -d '\r' | sed -n "s/^cmdstat_$1:calls=\([0-9]*\),.*/\1/p")
  echo "${n:-0}"
}

llm complete -u ann hello </dev/null
assert_exit 0 "first call (loads the scripts)"
rcli CONFIG RESETSTAT >/dev/null
llm complete -u ann hello </dev/null
assert_exit 0 "second call"
assert_eq 2 "$(cmdstat evalsha)" "one EVALSHA admits and one settles"
assert_eq 0 "$(cmdstat eval)" "no script is sent in full once loaded"
assert_eq 0 "$(cmdstat multi)" "no transaction besides the scripts"
assert_eq 0 "$(rcli HLEN llmctl:resv)" "the settled reservation is gone"

rcli SCRIPT FLUSH >/dev/null
rcli CONFIG RESETSTAT >/dev/null
llm complete -u ann hello </dev/null
assert_exit 0 "after SCRIPT FLUSH the call still goes through"
assert_eq 2 "$(cmdstat "script|load")" "both scripts were loaded again (NOSCRIPT)"
llm limits -u ann --json
assert_json .window.requests_used 3

window=$(rcli HGETALL llmctl:win:ann | tr '\n' ' ')
sent=$(fake_stats .requests)
llm complete -u ann hello </dev/null
assert_exit 4 "the fourth call is over the limit"
assert_eq "$sent" "$(fake_stats .requests)" "a refused call sends nothing"
assert_eq "$window" "$(rcli HGETALL llmctl:win:ann | tr '\n' ' ')" "a refused call consumes nothing"
assert_eq 0 "$(rcli HLEN llmctl:resv)" "and holds no reservation"

fake_default_step '{"status":500}'
llm complete -u bob hello </dev/null
assert_exit 8 "a provider failure"
assert_eq 0 "$(rcli HLEN llmctl:resv)" "a failed call releases its reservation"
assert_eq 0 "$(rcli HLEN llmctl:win:bob)" "and counts nothing in the window"
llm limits -u bob --json
assert_json .window.requests_used 0
pass
