#!/usr/bin/env bash
# shellcheck disable=SC2034  # LLM_ENV and LLM_UNSET are read by lib.sh
# Per-user token and request limits, sequentially. The window fills
# at exactly the call the documented estimator predicts, a refusal names the
# user, the usage, the limit and the reset, exits 4, sends nothing, uses
# nothing and is recorded; another user is unaffected; `llmctl limits`.
source "$(dirname "$0")/lib.sh"

start_fake --quiet
# Every answer reports the same usage: 10 in + 5 out = 15 actual tokens.
fake_default_step '{"text":"ok","usage":{"input":10,"output":5}}'
LLM_ENV=(LLM_CACHE=off LLM_MAX_RETRIES=0)

# Estimate for the prompt "hello" to gpt-4o-mini (exact o200k count: 1 token,
# one user message, no system prompt): 3 framing + "user" 1 + 1 + 3 priming
# = 8, x1.10 = 8.8 -> 9 input tokens.
# Reserved per call: 9 + --max-tokens 20 = 29. Actual per call: 15.
llm complete --dry-run --json --max-tokens 20 hello </dev/null
assert_exit 0 "dry run under no limit pressure"
# estimator: 3+1+1+3 = 8, x1.10 rounded up = 9
assert_json .estimate.input_tokens 9
assert_json .estimate.max_output_tokens 20

# With a limit of 100 tokens the window holds 0,15,30,45,60,75 before calls
# 1..6; call k is admitted while used + 29 <= 100, so calls 1-5 go through
# (75 + 29 = 104 refuses call 6). Had the actual usage not replaced the
# reservation (29 each), call 4 would already be refused.
LIM=(LLM_RATE_LIMIT_TOKENS=100 LLM_RATE_LIMIT_WINDOW_SECONDS=3600)
for i in 1 2 3 4 5; do
  llm_env "${LIM[@]}" -- complete --max-tokens 20 hello </dev/null
  assert_exit 0 "call $i is within the token limit"
  assert_eq ok "$LLM_STDOUT" "call $i answer"
done
assert_eq 5 "$(fake_stats .requests)" "five calls reached the fake"

llm_env "${LIM[@]}" -- limits --json
assert_exit 0 "limits --json"
cp "$LLM_OUT" "$TMP/limits_before.json"
assert_json .user_id tester
# 5 calls x 15 actual tokens
assert_json .window.tokens_used 75
assert_json .window.requests_used 5
assert_json .window.tokens_limit 100
assert_json .window.seconds 3600

llm_env "${LIM[@]}" -- complete --max-tokens 20 hello </dev/null
assert_exit 4 "call 6 crosses the token limit"
assert_eq "" "$LLM_STDOUT" "no answer on a refusal"
assert_contains "$LLM_STDERR" "tester" "refusal names the user"
assert_contains "$LLM_STDERR" "75" "refusal names the usage"
assert_contains "$LLM_STDERR" "100" "refusal names the limit"
assert_match "$LLM_STDERR" "resets in [0-9]+ s" "refusal says when the window resets"
secs=$(grep -oE 'resets in [0-9]+ s' <<<"$LLM_STDERR" | head -1 | grep -oE '[0-9]+')
((secs >= 0 && secs <= 3600)) || fail "reset seconds out of range: $secs"
assert_eq 5 "$(fake_stats .requests)" "a refused call sends nothing"

llm logs -n 1
assert_exit 0
# the refusal is recorded
assert_json .error_type rate_limited
assert_json .user_id tester
assert_json .cost_usd 0

llm_env "${LIM[@]}" -- limits --json
cp "$LLM_OUT" "$TMP/limits_after.json"
assert_eq "$(jq -c '.window | del(.resets_in_seconds)' "$TMP/limits_before.json")" \
  "$(jq -c '.window | del(.resets_in_seconds)' "$TMP/limits_after.json")" "a refused request consumes nothing"
assert_eq "$(jq -c .day "$TMP/limits_before.json")" "$(jq -c .day "$TMP/limits_after.json")" \
  "a refused request spends nothing"
assert_eq 0 "$(db_query 'SELECT COUNT(*) FROM reservations')" "no reservation is left behind"

# A smaller request still fits: 75 + (9 + 16) = 100 <= 100.
llm_env "${LIM[@]}" -- complete --max-tokens 16 hello </dev/null
assert_exit 0 "a request whose worst case still fits is admitted"
assert_eq 6 "$(fake_stats .requests)"

# Another user has a window of their own.
llm_env "${LIM[@]}" -- complete -u bob --max-tokens 20 hello </dev/null
assert_exit 0 "a second user is unaffected"
llm_env "${LIM[@]}" LLMCTL_USER=carol -- complete --max-tokens 20 hello </dev/null
assert_exit 0 "LLMCTL_USER selects the user too"
llm_env "${LIM[@]}" -- limits --user bob --json
assert_json .user_id bob
# bob's window holds only bob's call
assert_json .window.tokens_used 15
llm_env "${LIM[@]}" -- complete --max-tokens 20 hello </dev/null
assert_exit 4 "tester is still refused"

# ---------------------------------------------------------------- requests per window
LLM_ENV=(LLM_CACHE=off LLM_MAX_RETRIES=0 LLM_RATE_LIMIT_TOKENS=0 LLM_RATE_LIMIT_REQUESTS=3)
before=$(fake_stats .requests)
for i in 1 2 3; do
  llm complete -u dora hello </dev/null
  assert_exit 0 "request $i of 3"
done
llm complete -u dora hello </dev/null
assert_exit 4 "the fourth request in the window is refused"
assert_contains "$LLM_STDERR" "dora"
assert_contains "$LLM_STDERR" "3 of 3" "usage and limit"
assert_match "$LLM_STDERR" "resets in [0-9]+ s"
assert_eq $((before + 3)) "$(fake_stats .requests)" "the refused request sent nothing"
llm limits -u dora --json
# the refused request is not counted
assert_json .window.requests_used 3
assert_json .window.requests_limit 3
llm complete -u erin hello </dev/null
assert_exit 0 "another user may still make requests"

# A failed call releases its reservation: it uses no quota.
fake_script '[{"status":400,"error":{"type":"invalid_request_error","message":"bad"}}]'
llm complete -u fred hello </dev/null
assert_exit 8 "a provider 400 fails"
llm limits -u fred --json
# a failed call consumes nothing
assert_json .window.requests_used 0
assert_json .window.tokens_used 0

# ---------------------------------------------------------------- limits (text)
llm limits -u dora
assert_exit 0 "limits (text)"
assert_contains "$LLM_STDOUT" "user dora"
assert_match "$LLM_STDOUT" "requests +3 / 3"
assert_match "$LLM_STDOUT" "tokens +[0-9]+ / off"
assert_match "$LLM_STDOUT" "resets [0-9]{4}-[0-9]{2}-[0-9]{2}T"
assert_contains "$LLM_STDOUT" "user spend"
assert_contains "$LLM_STDOUT" "all users"
llm limits -u dora --json
assert_match "$(json_get .window.resets_at)" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$'
assert_match "$(json_get .day.date)" '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'
assert_json '.window.resets_in_seconds <= 3600 and .window.resets_in_seconds >= 0' true

pass
