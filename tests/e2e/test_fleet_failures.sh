#!/usr/bin/env bash
# shellcheck disable=SC2034  # LLM_ENV is read by lib.sh
# Fleet state when Redis misbehaves. Killed mid-run and restarted: under
# LLMCTL_REDIS_ON_ERROR=closed a call exits 3 naming the (masked) URL and the
# cause with nothing sent; under open it warns and runs on the local SQLite
# state (state_backend "sqlite"). A requirepass Redis: the password appears in
# no output, log, record, stream, SQLite file or WAL. Bad input — malformed
# URLs, a wrong password, a server that is not Redis, a Redis slower than the
# timeout, a prefix with spaces — is one line on stderr and exit 3.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=redis_lib.sh
source "$(dirname "$0")/redis_lib.sh"

start_fake --quiet
fake_default_step '{"text":"ok","usage":{"input":10,"output":5}}'
LLM_ENV=(LLM_CACHE=off LLM_MAX_RETRIES=0 LLM_RATE_LIMIT_REQUESTS=100)

one_line() {  # stderr of the last run is exactly one line
  assert_eq 1 "$(grep -c '' <<<"$LLM_STDERR")" "${1:-one line on stderr}"
}

# ------------------------------------------------ killed and restarted
start_redis
LLM_ENV+=("LLMCTL_REDIS_URL=$REDIS_URL")
llm complete hello </dev/null
assert_exit 0 "a call while Redis runs"
stop_redis
sent=$(fake_stats .requests)
llm complete hello </dev/null
assert_exit 3 "closed: an unreachable Redis is a configuration error"
one_line
assert_contains "$LLM_STDERR" "$REDIS_URL" "names the URL"
assert_contains "$LLM_STDERR" "unreachable" "names the cause"
assert_eq "$sent" "$(fake_stats .requests)" "closed: nothing was sent"
assert_eq 1 "$(db_query "SELECT COUNT(*) FROM calls")" "the earlier record is still there"

llm_env LLMCTL_REDIS_ON_ERROR=open -- complete --json hello </dev/null
assert_exit 0 "open: the call goes on"
assert_json .state_backend sqlite
assert_contains "$LLM_STDERR" "using the local SQLite state" "open: a warning says so"
assert_eq $((sent + 1)) "$(fake_stats .requests)" "open: the call was sent"
assert_eq 1 "$(db_query "SELECT requests FROM rate_windows WHERE user_id='tester'")" "open: the local window counted it"

start_redis --same-port
llm complete --json hello </dev/null
assert_exit 0 "Redis is back: calls use it again (scripts reloaded after the restart)"
assert_json .state_backend redis
llm limits --json
assert_json .window.requests_used 1

# ------------------------------------------------ requirepass
PASSWORD=Zq7-very-secret-redis-pass-42
REDIS_PASS=$PASSWORD
start_redis --requirepass "$PASSWORD"
SECRET_URL="redis://:$PASSWORD@127.0.0.1:$REDIS_PORT"
LLM_ENV=(LLM_CACHE=auto LLM_TEMPERATURE=0 LLM_MAX_RETRIES=0 LLM_RATE_LIMIT_REQUESTS=100 "LLMCTL_REDIS_URL=$SECRET_URL"
  "LLMCTL_LOG_FILE=$TMP/calls.jsonl")
: >"$TMP/all_output"
record_output() { cat "$LLM_OUT" "$LLM_ERR" >>"$TMP/all_output"; }
llm -v complete --json hello </dev/null
assert_exit 0 "AUTH with the password from the URL"
record_output
llm -v complete hello </dev/null
record_output
llm limits
record_output
llm config-check --json
record_output
assert_json '.checks[] | select(.check == "state backend") | .status' ok
llm logs --source redis
record_output
llm cache export
record_output
llm_env LLMCTL_REDIS_URL="redis://:wrong-$PASSWORD@127.0.0.1:$REDIS_PORT" -- complete hello </dev/null
assert_exit 3 "a wrong password is a configuration error"
one_line
assert_contains "$LLM_STDERR" "WRONGPASS"
record_output
llm_env LLMCTL_REDIS_URL="redis://127.0.0.1:$REDIS_PORT" -- complete hello </dev/null
assert_exit 3 "no password against requirepass"
assert_contains "$LLM_STDERR" "requires a password"
record_output
rcli XRANGE llmctl:records - + >>"$TMP/all_output"
sqlite3 "$TMP/llmctl.db" "PRAGMA wal_checkpoint(PASSIVE)" >/dev/null
for f in "$TMP/all_output" "$TMP/calls.jsonl" "$TMP"/llmctl.db*; do
  [[ -f $f ]] || continue
  # any 8-character piece of the password is a leak
  for ((k = 0; k + 8 <= ${#PASSWORD}; k++)); do
    if grep -qaF -- "${PASSWORD:k:8}" "$f"; then fail "password fragment ${PASSWORD:k:8} found in $f"; fi
  done
done
ASSERTIONS=$((ASSERTIONS + 1))
assert_contains "$(cat "$TMP/all_output")" "redis://:" "the masked URL is shown"
REDIS_PASS=""
stop_redis

# ------------------------------------------------ bad input
LLM_ENV=(LLM_CACHE=off LLM_MAX_RETRIES=0)
sent=$(fake_stats .requests)
for url in "localhost:6379" "redis://" "redis://host:0" "redis://host:http" "http://127.0.0.1:1" \
  "rediss://127.0.0.1:1" "redis://host/db" "unix://relative.sock"; do
  llm_env "LLMCTL_REDIS_URL=$url" -- complete hello </dev/null
  assert_exit 3 "malformed URL $url"
  one_line "one line for $url"
  assert_contains "$LLM_STDERR" "LLMCTL_REDIS_URL" "names the variable for $url"
done
llm_env "LLMCTL_REDIS_URL=redis://127.0.0.1:1" LLMCTL_REDIS_PREFIX="team a:" -- complete hello </dev/null
assert_exit 3 "a prefix with a space"
one_line
assert_contains "$LLM_STDERR" "LLMCTL_REDIS_PREFIX"
llm_env LLMCTL_REDIS_ON_ERROR=sometimes -- complete hello </dev/null
assert_exit 3 "a bad LLMCTL_REDIS_ON_ERROR"
llm_env LLMCTL_REDIS_TIMEOUT_MS=0 -- complete hello </dev/null
assert_exit 3 "a bad LLMCTL_REDIS_TIMEOUT_MS"

# The fake provider is an HTTP server, not Redis.
llm_env "LLMCTL_REDIS_URL=redis://127.0.0.1:$FAKE_PORT" LLMCTL_REDIS_ON_ERROR=open -- complete hello </dev/null
assert_exit 3 "a server that is not Redis is an error even under open"
one_line
assert_contains "$LLM_STDERR" "Redis protocol"

# A Redis that takes longer than the timeout to answer.
start_redis --enable-debug-command yes
rcli DEBUG SLEEP 3 >/dev/null &
sleeper=$!
sleep 0.3
t0=$(date +%s%N)
llm_env "LLMCTL_REDIS_URL=$REDIS_URL" LLMCTL_REDIS_TIMEOUT_MS=300 -- complete hello </dev/null
elapsed_ms=$((($(date +%s%N) - t0) / 1000000))
assert_exit 3 "a Redis slower than LLMCTL_REDIS_TIMEOUT_MS"
one_line
assert_contains "$LLM_STDERR" "300 ms"
((elapsed_ms < 2500)) || fail "gave up after $elapsed_ms ms, not about 300 ms"
wait "$sleeper" || true
assert_eq "$sent" "$(fake_stats .requests)" "no bad input sent anything"
pass
