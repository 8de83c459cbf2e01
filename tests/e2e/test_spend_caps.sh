#!/usr/bin/env bash
# shellcheck disable=SC2034  # LLM_ENV and LLM_UNSET are read by lib.sh
# Daily spend caps (LLM_USER_DAILY_BUDGET_USD, LLM_DAILY_BUDGET_USD)
# and the per-request cost guard (LLM_MAX_COST_PER_REQUEST): exit 5, the
# refusal names the budget, nothing is sent, nothing is used.
source "$(dirname "$0")/lib.sh"

start_fake --quiet
# gpt-4o-mini: $0.15 / $0.60 per million. 1000 in + 500 out = $0.00045 a call.
fake_default_step '{"text":"ok","usage":{"input":1000,"output":500}}'
LLM_ENV=(LLM_CACHE=off LLM_MAX_RETRIES=0 LLM_RATE_LIMIT_TOKENS=0)

nanos() { jq -r "($1 * 1e9 | round)" "${2:-$LLM_OUT}"; }

llm complete --json --max-tokens 20 hello </dev/null
assert_exit 0
assert_eq 450000 "$(nanos .cost_usd)" "cost of 1000 in + 500 out on gpt-4o-mini"
db_query "DELETE FROM daily_spend; DELETE FROM calls;" >/dev/null
fake_reset

# ---------------------------------------------------------------- per-user cap
# Reserved per call (worst case): 10 input tokens + 20 output tokens
# = $0.0000135. Spend before calls 1..4: 0, 0.00045, 0.0009, 0.00135; with a
# cap of $0.001 calls 1-3 fit (0.0009 + 0.0000135 <= 0.001), call 4 does not.
CAP=(LLM_USER_DAILY_BUDGET_USD=0.001)
for i in 1 2 3; do
  llm_env "${CAP[@]}" -- complete --max-tokens 20 hello </dev/null
  assert_exit 0 "call $i under the user's daily budget"
done
llm_env "${CAP[@]}" -- limits --json
# spend today
assert_json '(.day.user_spend_usd * 1e9 | round)' 1350000
assert_json .day.user_budget_usd 0.001
cp "$LLM_OUT" "$TMP/before.json"

llm_env "${CAP[@]}" -- complete --max-tokens 20 hello </dev/null
assert_exit 5 "the user's daily budget is spent"
assert_contains "$LLM_STDERR" "LLM_USER_DAILY_BUDGET_USD" "the refusal names the budget"
assert_contains "$LLM_STDERR" "tester" "and the user"
assert_match "$LLM_STDERR" 'spent \$0\.001[34]' "and the spend"
assert_contains "$LLM_STDERR" '$0.0010' "and the cap"
assert_match "$LLM_STDERR" "in [0-9]+ s" "and when it resets"
assert_eq 3 "$(fake_stats .requests)" "nothing sent"
llm logs -n 1
assert_json .error_type budget_exceeded
llm_env "${CAP[@]}" -- limits --json
assert_eq "$(jq -c .day "$TMP/before.json")" "$(jq -c .day "$LLM_OUT")" "a refused call spends nothing"

llm_env "${CAP[@]}" -- complete -u bob --max-tokens 20 hello </dev/null
assert_exit 0 "another user's budget is separate"

# ---------------------------------------------------------------- everyone's cap
# Spent today by everyone: 0.00135 + 0.00045 = 0.0018. Cap 0.002: one more
# call fits (0.0018 + 0.0000135), the next one does not, for any user.
GCAP=(LLM_DAILY_BUDGET_USD=0.002)
llm_env "${GCAP[@]}" -- complete -u zed --max-tokens 20 hello </dev/null
assert_exit 0 "under everyone's daily budget"
llm_env "${GCAP[@]}" -- complete -u yan --max-tokens 20 hello </dev/null
assert_exit 5 "everyone's daily budget is spent"
assert_contains "$LLM_STDERR" "LLM_DAILY_BUDGET_USD" "the refusal names the global budget"
assert_match "$LLM_STDERR" 'spent \$0\.002[23]' "total spend"
assert_contains "$LLM_STDERR" '$0.0020' "global cap"
assert_eq 5 "$(fake_stats .requests)" "nothing sent"
llm_env "${GCAP[@]}" -- limits -u yan --json
assert_json '(.day.total_spend_usd * 1e9 | round)' 2250000
assert_json .day.user_spend_usd 0
assert_json .day.total_budget_usd 0.002

# ---------------------------------------------------------------- cost guard
# "hello" on gpt-4o-mini with --max-tokens 20: 9 input tokens (exact count,
# chat framing, margin) at $0.15/M + min(20, 2 x 9) = 18 output tokens at
# $0.60/M = $0.00001215.
before=$(fake_stats .requests)
llm_env LLM_MAX_COST_PER_REQUEST=0.00001 -- complete --max-tokens 20 hello </dev/null
assert_exit 5 "estimate above LLM_MAX_COST_PER_REQUEST"
assert_contains "$LLM_STDERR" "LLM_MAX_COST_PER_REQUEST"
assert_match "$LLM_STDERR" 'estimated cost \$0\.000012 ' "the estimate"
assert_eq "$before" "$(fake_stats .requests)" "nothing sent"
llm logs -n 1
assert_json .error_type budget_exceeded
llm_env LLM_MAX_COST_PER_REQUEST=0.0000121 -- complete --max-tokens 20 hello </dev/null
assert_exit 5 "just above the guard"
llm_env LLM_MAX_COST_PER_REQUEST=0.0000122 -- complete --max-tokens 20 hello </dev/null
assert_exit 0 "just under the guard"
# Expected output is min(max_tokens, 2 x input): max_tokens 5 -> 9 x 0.15 + 5 x 0.60 = $0.00000435.
llm_env LLM_MAX_COST_PER_REQUEST=0.000005 -- complete --max-tokens 5 --allow-truncated hello </dev/null
assert_exit 0 "a lower max_tokens lowers the estimate"
llm_env LLM_MAX_COST_PER_REQUEST=0 -- complete --max-tokens 20 hello </dev/null
assert_exit 0 "0 turns the guard off"
# Default guard is $0.10: a prompt of some 200,000 tokens on a pricey model
# is refused (numbers, since a run of one letter packs into few tokens).
seq 1 100000 >"$TMP/big.txt"
before=$(fake_stats .requests)
llm complete -m openai:gpt-4.1 - <"$TMP/big.txt"
assert_exit 5 "default LLM_MAX_COST_PER_REQUEST of \$0.10"
assert_contains "$LLM_STDERR" "LLM_MAX_COST_PER_REQUEST"
assert_eq "$before" "$(fake_stats .requests)" "nothing sent"

pass
