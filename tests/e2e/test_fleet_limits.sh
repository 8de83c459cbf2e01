#!/usr/bin/env bash
# shellcheck disable=SC2034  # LLM_ENV is read by lib.sh
# Fleet state in Redis: two "machines" (two LLMCTL_DB files) pointing at one
# Redis share one request limit; another user is unaffected; records carry
# state_backend and land in the fleet stream; reports read it with
# --source redis; limits and config-check show the backend.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=redis_lib.sh
source "$(dirname "$0")/redis_lib.sh"

start_fake --quiet
fake_default_step '{"text":"ok","usage":{"input":10,"output":5}}'
start_redis
LLM_ENV=(LLM_CACHE=off LLM_MAX_RETRIES=0 LLM_RATE_LIMIT_REQUESTS=5 LLM_RATE_LIMIT_TOKENS=0
  "LLMCTL_REDIS_URL=$REDIS_URL" LLMCTL_REDIS_PREFIX=t1:)
A=(LLMCTL_DB="$TMP/machine_a.db")
B=(LLMCTL_DB="$TMP/machine_b.db")

# Five calls alternate between the machines; each machine alone made fewer
# than five, so only a shared window can refuse the sixth.
for i in 1 2 3 4 5; do
  if ((i % 2)); then llm_env "${A[@]}" -- complete -u ann hello </dev/null
  else llm_env "${B[@]}" -- complete -u ann hello </dev/null; fi
  assert_exit 0 "call $i is within the shared limit"
done
llm_env "${B[@]}" -- complete -u ann hello </dev/null
assert_exit 4 "the sixth call is refused on machine B"
assert_contains "$LLM_STDERR" "made 5 of 5 requests" "the refusal counts the fleet's requests"
llm_env "${A[@]}" -- complete -u ann hello </dev/null
assert_exit 4 "and on machine A"
assert_eq 5 "$(fake_stats .requests)" "refused calls send nothing"

llm_env "${A[@]}" -- complete -u bob hello </dev/null
assert_exit 0 "another user is unaffected"

# Both local files hold their own records, each saying which state it used.
assert_eq 5 "$(sqlite3 "$TMP/machine_a.db" "SELECT COUNT(*) FROM calls")" "machine A's own records"
assert_eq 3 "$(sqlite3 "$TMP/machine_b.db" "SELECT COUNT(*) FROM calls")" "machine B's own records"
llm_env "${A[@]}" -- logs
assert_eq "redis" "$(jq -r .state_backend "$LLM_OUT" | sort -u)" "records say state_backend redis"
# Nothing of the limits went to the local files.
assert_eq 0 "$(sqlite3 "$TMP/machine_a.db" "SELECT COUNT(*) FROM rate_windows")" "no local window rows"

# The fleet stream has every record of both machines.
assert_eq 8 "$(rcli XLEN t1:records)" "one stream entry per invocation, refusals included"
llm_env "${A[@]}" -- logs --source redis
assert_exit 0 "logs --source redis"
assert_eq 8 "$(wc -l <"$LLM_OUT")" "logs --source redis shows the whole fleet"
llm_env "${A[@]}" -- logs --source redis -n 2 -u bob
assert_eq 1 "$(wc -l <"$LLM_OUT")" "filters apply to the stream"
llm_env "${A[@]}" -- cost-report --source redis --by user --format json
assert_exit 0 "cost-report --source redis"
assert_json '.groups[] | select(.user == "ann") | .calls' 7
assert_json '.groups[] | select(.user == "bob") | .calls' 1
llm_env "${A[@]}" -- latency-stats --source redis --format json
assert_exit 0 "latency-stats --source redis"
assert_json '.total.calls' 8
llm_env "${A[@]}" -- cost-report --source elsewhere
assert_exit 2 "an unknown --source is a usage error"
llm_env "${A[@]}" -u LLMCTL_REDIS_URL -- logs --source redis
assert_exit 3 "--source redis without LLMCTL_REDIS_URL is a configuration error"
assert_contains "$LLM_STDERR" "LLMCTL_REDIS_URL"

# limits and config-check show the backend, its version and a round trip.
llm_env "${B[@]}" -- limits -u ann --json
assert_json .window.requests_used 5
assert_json .state.backend redis
assert_json .state.location "$REDIS_URL"
assert_json '.state.server_version | test("^[0-9]+\\.")' true
assert_json '.state.round_trip_ms >= 0' true
llm_env "${B[@]}" -- limits -u ann
assert_contains "$LLM_STDOUT" "state redis $REDIS_URL"
llm_env "${B[@]}" -- config-check
assert_exit 0 "config-check with a reachable Redis"
assert_match "$LLM_STDOUT" "ok +state backend: redis $REDIS_URL, Redis [0-9.]+, round trip [0-9.]+ ms"

# A different prefix is a different team: its limits start empty.
llm_env "${A[@]}" LLMCTL_REDIS_PREFIX=t2: -- complete -u ann hello </dev/null
assert_exit 0 "another prefix does not share the window"
pass
