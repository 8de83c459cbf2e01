#!/usr/bin/env bash
# shellcheck disable=SC2034  # LLM_ENV is read by lib.sh
# Cost attribution by tag: --tag and LLMCTL_TAGS land in the record's tags
# (the flag wins for the same key), on complete and on every eval case;
# a bad tag is one clear line and exit 2 (flag) or 3 (variable) with nothing
# sent; cost-report groups (--by tag:KEY) and filters (--tag) by tag in
# table, JSON and CSV, the same over the database, over --input JSONL and
# over the fleet's Redis stream.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

start_fake --quiet
# gpt-4o-mini: 1000 in + 500 out = $0.00045 a call.
fake_default_step '{"text":"ok","usage":{"input":1000,"output":500}}'
LLM_ENV=(LLM_CACHE=off LLM_MAX_RETRIES=0 LLM_RATE_LIMIT_TOKENS=0 "LLMCTL_LOG_FILE=$TMP/calls.jsonl")

llm_env LLMCTL_TAGS="ci_job=4711,team=search" -- complete --json --tag feature=autocomplete --tag team=ranking hello </dev/null
assert_exit 0
assert_json '.tags | tojson' '{"ci_job":"4711","feature":"autocomplete","team":"ranking"}'
llm logs -n 1
assert_json '.tags | tojson' '{"ci_job":"4711","feature":"autocomplete","team":"ranking"}'
llm_env LLMCTL_TAGS="ci_job=4711,team=search" -- complete hello </dev/null
llm_env LLMCTL_TAGS="ci_job=4712" -- complete hello </dev/null
llm complete hello </dev/null
assert_exit 0
llm logs -n 1
assert_json '.tags | tojson' '{}'

printf '{"id": "a", "prompt": "one"}\n{"id": "b", "prompt": "two"}\n' >"$TMP/suite.jsonl"
llm_env LLMCTL_TAGS="ci_job=4713" -- eval --tag team=search "$TMP/suite.jsonl"
assert_exit 0
assert_eq 2 "$(db_query "SELECT COUNT(*) FROM calls WHERE json_extract(record, '\$.tags.ci_job') = '4713' AND json_extract(record, '\$.tags.team') = 'search'")" \
  "every eval case's record carries the run's tags"
sent=$(fake_stats .requests)
assert_eq 6 "$sent"

# ---------------------------------------------------------------- bad tags
bad_flag() {  # WHY TAG: exit 2, one line naming the flag, nothing sent
  llm complete --tag "$2" hello </dev/null
  assert_exit 2 "--tag $2"
  assert_eq 1 "$(grep -c . <<<"$LLM_STDERR")" "$1: one line"
  assert_contains "$LLM_STDERR" "--tag" "$1: names the flag"
  assert_contains "$LLM_STDERR" "$3" "$1: says why"
}
bad_flag "no =" "ci_job" "KEY=VALUE"
bad_flag "space in key" "ci job=1" "letters, digits"
bad_flag "empty key" "=1" "key is empty"
bad_flag "empty value" "ci_job=" "is empty"
bad_flag "long key" "$(printf 'k%.0s' {1..65})=1" "longer than 64"
bad_flag "long value" "k=$(printf 'v%.0s' {1..257})" "longer than 256"
bad_flag "comma" "k=a,b" "comma"
llm complete --tag k=1 --tag k=2 hello </dev/null
assert_exit 2 "a key given twice"
assert_contains "$LLM_STDERR" "given twice"
many=()
for i in $(seq 1 17); do many+=(--tag "k$i=v"); done
llm complete "${many[@]}" hello </dev/null
assert_exit 2 "17 tags"
assert_contains "$LLM_STDERR" "more than 16 tags"
llm_env LLMCTL_TAGS="ci_job" -- complete hello </dev/null
assert_exit 3 "a bad LLMCTL_TAGS is a configuration error"
assert_contains "$LLM_STDERR" 'LLMCTL_TAGS="ci_job" is invalid'
assert_eq 1 "$(grep -c . <<<"$LLM_STDERR")" "one line"
llm_env LLMCTL_TAGS="a=1,a=2" -- eval "$TMP/suite.jsonl"
assert_exit 3 "eval checks LLMCTL_TAGS too"
llm eval --tag "bad key=1" "$TMP/suite.jsonl"
assert_exit 2 "eval checks --tag"
assert_eq "$sent" "$(fake_stats .requests)" "no bad tag sent anything"

# ---------------------------------------------------------------- reports
report_checks() {  # SOURCE ARGS...: the same figures from every source
  local src=$1
  shift
  llm cost-report "$@" --by tag:ci_job --format json
  assert_exit 0 "$src json"
  assert_json '.by[0]' "tag:ci_job"
  assert_json '[.groups[] | select(."tag:ci_job" == "4711") | .calls][0]' 2
  assert_json '[.groups[] | select(."tag:ci_job" == "4711") | .cost_usd][0]' 0.0009
  assert_json '[.groups[] | select(."tag:ci_job" == "4713") | .calls][0]' 2
  assert_json '[.groups[] | select(."tag:ci_job" == "") | .calls][0]' 1
  assert_json .total.calls 6
  llm cost-report "$@" --by tag:ci_job --format csv
  assert_contains "$(head -1 <<<"$LLM_STDOUT")" "row_type,tag:ci_job,calls" "$src: csv header"
  assert_contains "$LLM_STDOUT" "group,4712,1," "$src: csv row"
  llm cost-report "$@" --by tag:team
  assert_contains "$(head -1 <<<"$LLM_STDOUT")" "TAG:TEAM" "$src: table header"
  assert_match "$LLM_STDOUT" "search +3 " "$src: three calls of team search"
  llm cost-report "$@" --tag team=search --format json
  assert_json .total.calls 3
  llm cost-report "$@" --tag team=search --tag ci_job=4713 --by tag:ci_job --format json
  assert_json .total.calls 2
  assert_json '.groups | length' 1
}
report_checks database
report_checks jsonl --input "$TMP/calls.jsonl"
llm logs
cp "$LLM_OUT" "$TMP/logs.jsonl"
report_checks logs --input "$TMP/logs.jsonl"

# A model with no known price is marked in every form, per tag too.
llm complete -m gpt-unheard-of --max-tokens 20 --tag ci_job=4799 hello </dev/null
assert_exit 0
for src in "" "--input $TMP/calls.jsonl"; do
  # shellcheck disable=SC2086  # $src is empty or two words
  llm cost-report $src --by tag:ci_job --format json
  assert_json '[.groups[] | select(."tag:ci_job" == "4799") | .unknown_price_calls][0]' 1
  assert_json '.total.unknown_price_calls' 1
  assert_json '.total.unknown_price_cost_usd == [.groups[] | select(."tag:ci_job" == "4799") | .cost_usd][0]' true
  # shellcheck disable=SC2086
  llm cost-report $src --by tag:ci_job --format csv
  assert_contains "$(head -1 <<<"$LLM_STDOUT")" "unknown_price_calls,unknown_price_cost_usd"
  # shellcheck disable=SC2086
  llm cost-report $src --by tag:ci_job
  assert_contains "$LLM_STDOUT" "note: 1 of 7 calls used models with no known price"
done

llm cost-report --by "tag:bad key"
assert_exit 2 "a bad tag key in --by"
assert_contains "$LLM_STDERR" "--by tag:bad key"
llm cost-report --by tag:
assert_exit 2 "an empty tag key in --by"
llm cost-report --tag nokey
assert_exit 2 "a bad --tag filter"
assert_contains "$LLM_STDERR" "--tag nokey"

if ! command -v redis-server >/dev/null; then
  echo "SKIP: redis-server not installed, --source redis not tested" >&2
  pass
fi
# shellcheck source=redis_lib.sh
source "$(dirname "$0")/redis_lib.sh"
start_redis
LLM_ENV+=("LLMCTL_REDIS_URL=$REDIS_URL")
llm_env LLMCTL_TAGS="ci_job=9000" LLMCTL_DB="$TMP/m1.db" -- complete hello </dev/null
assert_exit 0
llm_env LLMCTL_DB="$TMP/m2.db" -- complete --tag ci_job=9000 --tag team=search hello </dev/null
llm_env LLMCTL_DB="$TMP/m2.db" -- complete hello </dev/null
llm cost-report --source redis --by tag:ci_job --format json
assert_exit 0
assert_json '[.groups[] | select(."tag:ci_job" == "9000") | .calls][0]' 2
assert_json .total.calls 3
llm cost-report --source redis --tag team=search --format json
assert_json .total.calls 1
pass
