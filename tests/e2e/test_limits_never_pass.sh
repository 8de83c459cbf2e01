#!/usr/bin/env bash
# shellcheck disable=SC2034  # LLM_ENV is read by lib.sh
# Limits that can never pass say so instead of "resets in N s"; budget
# refusals print amounts exact enough that their arithmetic is true; with
# LLM_RATE_LIMIT_WAIT_SECONDS a call waits for a window that reopens soon.
source "$(dirname "$0")/lib.sh"

start_fake --quiet
fake_default_step '{"text":"ok","usage":{"input":10,"output":5}}'
LLM_ENV=(LLM_CACHE=off LLM_MAX_RETRIES=0)

# ---------------------------------------------------------------- larger than the window
# "hello" is estimated at about ten input tokens; + 500 max tokens > 100.
llm_env LLM_RATE_LIMIT_TOKENS=100 -- complete --max-tokens 500 hello </dev/null
assert_exit 4 "a request larger than the whole window"
assert_contains "$LLM_STDERR" "can never pass"
assert_match "$LLM_STDERR" "may use up to 5[0-9][0-9] tokens"
assert_contains "$LLM_STDERR" "LLM_RATE_LIMIT_TOKENS=100"
assert_contains "$LLM_STDERR" "lower --max-tokens"
assert_not_contains "$LLM_STDERR" "resets in"
assert_eq 0 "$(fake_stats .requests)" "nothing sent"

# ---------------------------------------------------------------- budget smaller than one request
# gpt-4o-mini, about ten input + 1000 output tokens at most: over $0.0006.
llm_env LLM_USER_DAILY_BUDGET_USD=0.0001 -- complete --max-tokens 1000 hello </dev/null
assert_exit 5 "a request dearer than the whole daily budget"
assert_contains "$LLM_STDERR" "can never pass"
assert_contains "$LLM_STDERR" "LLM_USER_DAILY_BUDGET_USD"
assert_match "$LLM_STDERR" 'may cost up to \$0\.0006[0-9]{2,}' "more than four decimals"
assert_not_contains "$LLM_STDERR" "resets at"
llm_env LLM_DAILY_BUDGET_USD=0.0001 -- complete --max-tokens 1000 hello </dev/null
assert_exit 5
assert_contains "$LLM_STDERR" "can never pass"
assert_contains "$LLM_STDERR" "LLM_DAILY_BUDGET_USD"

# ---------------------------------------------------------------- exact amounts
# Each call settles 10 x $0.15/M + 5 x $0.60/M = $0.0000045 and reserves at
# most (about ten input tokens) x $0.15/M + 20 x $0.60/M, about $0.0000135.
# A cap of $0.00002 takes two calls (0.0000045 + 0.0000135 <= 0.00002) and
# refuses the third (0.000009 + 0.0000135 > 0.00002); at four decimals every
# figure would print as $0.0000.
CAP=(LLM_USER_DAILY_BUDGET_USD=0.00002)
llm_env "${CAP[@]}" -- complete --max-tokens 20 hello </dev/null
assert_exit 0
llm_env "${CAP[@]}" -- complete --max-tokens 20 hello </dev/null
assert_exit 0
llm_env "${CAP[@]}" -- complete --max-tokens 20 hello </dev/null
assert_exit 5 "the third call crosses the cap"
assert_contains "$LLM_STDERR" 'spent $0.000009 of $0.00002 '
assert_match "$LLM_STDERR" 'may cost up to \$0\.00001[0-9]+' "more than four decimals"

# ---------------------------------------------------------------- waiting for the window
# One request per 6 s window: the second call lands in the same window
# (unless the calls straddle a boundary) and, allowed to wait 10 s, waits
# for the next one instead of exiting 4.
WIN=(LLM_RATE_LIMIT_REQUESTS=1 LLM_RATE_LIMIT_WINDOW_SECONDS=6 "LLMCTL_DB=$TMP/wait.db")
llm_env "${WIN[@]}" -- complete hello </dev/null
assert_exit 0
start=$SECONDS
llm_env "${WIN[@]}" LLM_RATE_LIMIT_WAIT_SECONDS=10 -- complete hello </dev/null
assert_exit 0 "with LLM_RATE_LIMIT_WAIT_SECONDS the call waits for the next window"
assert_eq ok "$LLM_STDOUT"
((SECONDS - start <= 12)) || fail "waited $((SECONDS - start)) s for a 6 s window"
ASSERTIONS=$((ASSERTIONS + 1))
# A window that reopens later than the allowed wait is refused at once.
LONG=(LLM_RATE_LIMIT_REQUESTS=1 LLM_RATE_LIMIT_WINDOW_SECONDS=3600 "LLMCTL_DB=$TMP/long.db")
llm_env "${LONG[@]}" -- complete hello </dev/null
assert_exit 0
start=$SECONDS
llm_env "${LONG[@]}" LLM_RATE_LIMIT_WAIT_SECONDS=5 -- complete hello </dev/null
assert_exit 4 "a window an hour away is not waited for"
((SECONDS - start <= 3)) || fail "refusal took $((SECONDS - start)) s"
ASSERTIONS=$((ASSERTIONS + 1))
llm_env LLM_RATE_LIMIT_WAIT_SECONDS=-1 -- complete hello </dev/null
assert_exit 3 "LLM_RATE_LIMIT_WAIT_SECONDS is validated"
assert_contains "$LLM_STDERR" "LLM_RATE_LIMIT_WAIT_SECONDS"

pass
