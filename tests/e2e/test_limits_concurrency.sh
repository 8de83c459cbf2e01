#!/usr/bin/env bash
# shellcheck disable=SC2034  # LLM_ENV and LLM_UNSET are read by lib.sh
# Limits stay exact when many processes share one SQLite file.
# 48 invocations, 24 at a time, against a token limit that refuses most:
# admitted actual usage <= the limit, only exits 0 and 4, no "database is
# locked", one record per invocation. Then a process killed with SIGKILL
# mid-call: its reservation holds quota only until it expires.
source "$(dirname "$0")/lib.sh"

start_fake --quiet
# Overlapping calls (100 ms each) with a fixed actual usage of 15 tokens.
fake_default_step '{"text":"ok","delay_ms":100,"usage":{"input":10,"output":5}}'
# "hello": estimate 10 input tokens; reserved 10 + 20 = 30 per call.
LIMIT=150
LLM_ENV=(LLM_CACHE=off LLM_MAX_RETRIES=0 "LLM_RATE_LIMIT_TOKENS=$LIMIT" LLM_RATE_LIMIT_WINDOW_SECONDS=3600)

# Create the database first so the test is about the limiter, not migrations.
llm limits --json
assert_exit 0

N=48
BATCH=24
for ((b = 0; b < N; b += BATCH)); do
  for ((i = b; i < b + BATCH; i++)); do
    llm_bg "c$i" complete --max-tokens 20 hello
  done
  for ((i = b; i < b + BATCH; i++)); do
    llm_wait "c$i"
    echo "$LLM_RC" >"$TMP/rc.$i"
  done
done

ok=0
refused=0
for ((i = 0; i < N; i++)); do
  rc=$(<"$TMP/rc.$i")
  err=$(<"$TMP/c$i.err")
  case $rc in
    0) ok=$((ok + 1)); assert_eq ok "$(<"$TMP/c$i.out")" "invocation $i answer" ;;
    4) refused=$((refused + 1)); assert_contains "$err" "rate limit" "invocation $i refusal" ;;
    *) fail "invocation $i exited $rc (only 0 or 4 expected): $err" ;;
  esac
  assert_not_contains "$err" "database is locked" "invocation $i"
  assert_not_contains "$err" "busy" "invocation $i"
done
echo "admitted $ok, refused $refused" >&2
assert_eq $N $((ok + refused))
((ok >= 1)) || fail "nothing was admitted"
((refused > N / 2)) || fail "the limit should refuse most invocations, refused only $refused"
assert_eq "$ok" "$(fake_stats .requests)" "only admitted calls reached the fake"
overlap=$(fake_stats .max_in_flight)
((overlap >= 2)) || fail "admitted calls never overlapped at the fake (max_in_flight $overlap)"
ASSERTIONS=$((ASSERTIONS + 1))

llm logs
assert_exit 0
assert_eq $N "$(jq -s length "$LLM_OUT")" "exactly one record per invocation"
assert_eq $N "$(jq -s 'map(.request_id) | unique | length' "$LLM_OUT")" "distinct request ids"
assert_eq "$ok" "$(jq -s 'map(select(.error_type == null)) | length' "$LLM_OUT")" "admitted records"
assert_eq "$refused" "$(jq -s 'map(select(.error_type == "rate_limited")) | length' "$LLM_OUT")" "refused records"
used=$(jq -s 'map(select(.error_type == null) | .input_tokens + .output_tokens) | add // 0' "$LLM_OUT")
((used <= LIMIT)) || fail "admitted actual usage $used exceeds the limit $LIMIT"
ASSERTIONS=$((ASSERTIONS + 1))
# With reservations of 30 and actual usage of 15, at least 5 calls fit.
((ok >= 5)) || fail "only $ok calls admitted; at least 5 always fit under $LIMIT"
ASSERTIONS=$((ASSERTIONS + 1))
assert_eq "$used" "$(db_query "SELECT COALESCE(SUM(tokens),0) FROM rate_windows WHERE user_id='tester'")" \
  "the window holds exactly the admitted usage"
assert_eq 0 "$(db_query 'SELECT COUNT(*) FROM reservations')" "no reservation left behind"
llm limits --json
assert_json .window.tokens_used "$used"
assert_json .window.requests_used "$ok"

# ---------------------------------------------------------------- SIGKILL mid-call
fake_default_step '{"text":"ok","usage":{"input":10,"output":5}}'
fake_reset
fake_script '[{"text":"never","delay_ms":20000}]'
LLM_ENV=(LLM_CACHE=off LLM_MAX_RETRIES=0 LLM_RATE_LIMIT_TOKENS=100 LLM_DEADLINE_SECONDS=10 LLM_TIMEOUT_SECONDS=10)
t0=$(($(date +%s%N) / 1000000))
llm_bg killed complete -u kim --max-tokens 20 hello
in_flight_is() { [[ $(fake_stats .in_flight) == "$1" ]]; }
wait_until 10 in_flight_is 1
kill -9 "$LLM_PID"
llm_wait killed
assert_eq 137 "$LLM_RC" "killed with SIGKILL"
t1=$(($(date +%s%N) / 1000000))

assert_eq 1 "$(db_query "SELECT COUNT(*) FROM reservations WHERE user_id='kim'")" "the killed call left its reservation"
# "hello" is 9 input tokens with the chat framing and margin, plus 20 output.
assert_eq 29 "$(db_query "SELECT tokens FROM reservations WHERE user_id='kim'")" "it reserved estimate + max_tokens"
# The reservation expires LLM_DEADLINE_SECONDS + 60 s after it was made.
expires=$(db_query "SELECT expires_ms FROM reservations WHERE user_id='kim'")
((expires >= t0 + 70000 && expires <= t1 + 70000)) ||
  fail "reservation expiry $expires not within [$((t0 + 70000)), $((t1 + 70000))] (deadline 10 s + 60 s)"
ASSERTIONS=$((ASSERTIONS + 1))

llm limits -u kim --json
# the held reservation counts while it lives
assert_json .window.tokens_used 29
assert_json .window.requests_used 1
# 29 held + 9 + 63 = 101 > 100: refused while the reservation lives.
llm complete -u kim --max-tokens 63 hello </dev/null
assert_exit 4 "quota held by the killed process still counts before expiry"

# Waiting deadline + 60 s is too slow for a test: age the reservation by
# moving its expiry into the past instead, exactly what the clock would do.
db_query "UPDATE reservations SET expires_ms = $(($(date +%s%N) / 1000000 - 1)) WHERE user_id='kim'" >/dev/null
llm limits -u kim --json
# an expired reservation holds no quota
assert_json .window.tokens_used 0
assert_json .window.requests_used 0
llm complete -u kim --max-tokens 63 hello </dev/null
assert_exit 0 "after expiry the whole limit is available again"
llm limits -u kim --json
# only the real call's usage counts
assert_json .window.tokens_used 15

pass
