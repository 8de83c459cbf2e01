#!/usr/bin/env bash
# shellcheck disable=SC2034,SC2016  # LLM_ENV is read by lib.sh; literal $ in patterns
# Monthly spend caps (LLM_USER_MONTHLY_BUDGET_USD, LLM_MONTHLY_BUDGET_USD):
# exit 5 naming the budget and the month, nothing sent; counted apart from
# the daily counters (which are pruned after a week); a past month does not
# count; shown by `limits`. Then exactness: 48 invocations, 24 at a time,
# against a monthly cap that refuses most, on SQLite and on Redis (the
# server's clock decides the month): admitted spend never passes the cap,
# and calls made one at a time afterwards are refused at exactly the call
# that would pass it.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

start_fake --quiet
# gpt-4o-mini: $0.15 / $0.60 per million. 1000 in + 500 out = $0.00045 a call.
fake_default_step '{"text":"ok","usage":{"input":1000,"output":500}}'
LLM_ENV=(LLM_CACHE=off LLM_MAX_RETRIES=0 LLM_RATE_LIMIT_TOKENS=0)
MONTH=$(date -u +%Y-%m)

# Reserved per call: 9 input + 20 output tokens = $0.00001335. Spend before
# calls 1..4: 0, 0.00045, 0.0009, 0.00135: with $0.001 calls 1-3 fit.
CAP=(LLM_USER_MONTHLY_BUDGET_USD=0.001)
for i in 1 2 3; do
  llm_env "${CAP[@]}" -- complete --max-tokens 20 hello </dev/null
  assert_exit 0 "call $i under the user's monthly budget"
done
llm_env "${CAP[@]}" -- limits --json
assert_json .month.month "$MONTH"
assert_json '(.month.user_spend_usd * 1e9 | round)' 1350000
assert_json .month.user_budget_usd 0.001
assert_match "$(jq -r .month.resets_at "$LLM_OUT")" '^[0-9]{4}-[0-9]{2}-01T00:00:00\.000Z$' "resets on the 1st"
llm_env "${CAP[@]}" -- limits
assert_contains "$LLM_STDOUT" "month $MONTH (UTC"

# The daily counters are pruned after a week; the month must not forget.
db_query "DELETE FROM daily_spend" >/dev/null
llm_env "${CAP[@]}" -- complete --max-tokens 20 hello </dev/null
assert_exit 5 "the user's monthly budget is spent"
assert_contains "$LLM_STDERR" "LLM_USER_MONTHLY_BUDGET_USD" "the refusal names the budget"
assert_contains "$LLM_STDERR" "in $MONTH" "and the month"
assert_contains "$LLM_STDERR" "tester" "and the user"
assert_match "$LLM_STDERR" 'spent \$0\.00135' "and the spend"
assert_contains "$LLM_STDERR" "next UTC month" "and when it resets"
assert_eq 1 "$(grep -c . <<<"$LLM_STDERR")" "one line"
assert_eq 3 "$(fake_stats .requests)" "nothing sent"
llm logs -n 1
assert_json .error_type budget_exceeded
llm_env "${CAP[@]}" -- complete -u bob --max-tokens 20 hello </dev/null
assert_exit 0 "another user's monthly budget is separate"

# Everyone's cap: 0.0018 spent this month; 0.0018 + 0.00001335 > 0.00181.
llm_env LLM_MONTHLY_BUDGET_USD=0.00181 -- complete -u zed --max-tokens 20 hello </dev/null
assert_exit 5 "everyone's monthly budget"
assert_contains "$LLM_STDERR" "LLM_MONTHLY_BUDGET_USD"
assert_contains "$LLM_STDERR" "everyone together spent \$0.0018"
# A call that could never fit says so.
llm_env LLM_USER_MONTHLY_BUDGET_USD=0.00001 -- complete -u zed --max-tokens 20 hello </dev/null
assert_exit 5
assert_contains "$LLM_STDERR" "can never pass"

# Last month's spend does not count this month.
db_query "UPDATE monthly_spend SET month = '2000-01'" >/dev/null
llm_env "${CAP[@]}" -- complete --max-tokens 20 hello </dev/null
assert_exit 0 "a new month starts from zero"
llm_env LLM_USER_MONTHLY_BUDGET_USD=-1 -- complete hello </dev/null
assert_exit 3 "a negative cap is a configuration error"
assert_contains "$LLM_STDERR" 'LLM_USER_MONTHLY_BUDGET_USD="-1" is invalid'

# ---------------------------------------------------------------- exactness
# Actual 10 in + 5 out = $0.0000045 a call, reserved $0.00001335. With a cap
# of $0.0001 at most 22 calls' spend fits.
fake_reset
fake_default_step '{"text":"ok","delay_ms":100,"usage":{"input":10,"output":5}}'
CAP_NANOS=100000
# crowd LABEL FILES: 48 invocations, 24 at a time, over FILES database files
# (machines), then one at a time until refused. Sets $admitted and $spent.
crowd() {
  local label=$1 files=$2 wave i n
  for wave in 0 1; do
    for i in $(seq 0 23); do
      n=$((wave * 24 + i))
      LLM_ENV+=("LLMCTL_DB=$TMP/$label$((n % files)).db")
      llm_bg "$label$n" complete -u "u$((n % 4))" --max-tokens 20 hello
      unset 'LLM_ENV[${#LLM_ENV[@]}-1]'
    done
    for i in $(seq 0 23); do
      llm_wait "$label$((wave * 24 + i))"
      [[ $LLM_RC == 0 || $LLM_RC == 5 ]] || fail "$label: invocation exited $LLM_RC: $LLM_STDERR"
      assert_not_contains "$LLM_STDERR" "locked"
    done
  done
  admitted=$(fake_stats .requests)
  ((admitted * 4500 <= CAP_NANOS)) || fail "$label: admitted $admitted calls spend $((admitted * 4500)) nanos > $CAP_NANOS"
  ((admitted >= 2)) || fail "$label: only $admitted admitted"
  ASSERTIONS=$((ASSERTIONS + 2))
  spent=$((admitted * 4500))
  LLM_ENV+=("LLMCTL_DB=$TMP/${label}0.db")
  while :; do
    llm complete -u solo --max-tokens 20 hello </dev/null
    if ((spent + 13350 <= CAP_NANOS)); then
      assert_exit 0 "$label: fits at spend $spent"
      spent=$((spent + 4500))
    else
      assert_exit 5 "$label: refused at spend $spent, the first call that would pass the cap"
      break
    fi
  done
  unset 'LLM_ENV[${#LLM_ENV[@]}-1]'
}
LLM_ENV=(LLM_CACHE=off LLM_MAX_RETRIES=0 LLM_RATE_LIMIT_TOKENS=0 LLM_MONTHLY_BUDGET_USD=0.0001)
crowd sq 1
assert_eq "$spent" "$(sqlite3 "$TMP/sq0.db" "SELECT SUM(cost_nanos) FROM monthly_spend WHERE month = '$MONTH'")" \
  "sqlite: the month holds exactly the admitted spend"
assert_eq 0 "$(sqlite3 "$TMP/sq0.db" 'SELECT COUNT(*) FROM reservations')" "sqlite: no reservation left"
assert_eq ok "$(sqlite3 "$TMP/sq0.db" 'PRAGMA integrity_check;')" "sqlite: integrity_check"

if ! command -v redis-server >/dev/null; then
  echo "SKIP: redis-server not installed, the fleet half of this test did not run" >&2
  pass
fi
# shellcheck source=redis_lib.sh
source "$(dirname "$0")/redis_lib.sh"
start_redis
fake_reset
fake_default_step '{"text":"ok","delay_ms":100,"usage":{"input":10,"output":5}}'
LLM_ENV+=("LLMCTL_REDIS_URL=$REDIS_URL")
crowd redis 3
month_index=$((10#$(date -u +%Y) * 12 + 10#$(date -u +%m) - 1))
assert_eq "$spent" "$(rcli HGET llmctl:mspend:all "$month_index")" \
  "redis: the month's counter holds exactly the admitted spend"
assert_eq 0 "$(rcli HLEN llmctl:resv)" "redis: no reservation left"
LLM_ENV+=("LLMCTL_DB=$TMP/redis0.db")
llm limits -u solo --json
assert_json .month.month "$MONTH"
assert_json .state.backend redis
assert_json '(.month.total_spend_usd * 1e9 | round)' "$spent"
pass
