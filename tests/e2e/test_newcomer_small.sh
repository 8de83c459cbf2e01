#!/usr/bin/env bash
# shellcheck disable=SC2034  # LLM_ENV is read by lib.sh
# Smaller newcomer traps: a prompt argument never swallows piped standard
# input (a warning says '-' includes it); --messages - reads standard input;
# the cost-report CSV marks its total row; logs --request-id that finds
# nothing exits 2.
source "$(dirname "$0")/lib.sh"

start_fake --quiet
LLM_ENV=(LLM_MAX_RETRIES=0 LLM_CACHE=off)

# ---------------------------------------------------------------- piped stdin and a prompt argument
printf 'first\nsecond\n' >"$TMP/lines.txt"
seen=""
while read -r line; do
  llm complete "Say $line"
  assert_exit 0 "call for $line"
  seen+="$line "
done <"$TMP/lines.txt"
assert_eq "first second " "$seen" "the loop kept its input"
printf 'piped text' | llm complete "the argument"
assert_exit 0
assert_eq '"the argument"' "$(fake_stats '.last_request.body.messages[-1].content | tojson')" "the prompt is sent alone"
assert_contains "$LLM_STDERR" "standard input was ignored"
assert_contains "$LLM_STDERR" "'-'"
printf 'piped text' | llm complete - "the argument"
assert_exit 0
assert_eq '"piped text\n\nthe argument"' "$(fake_stats '.last_request.body.messages[-1].content | tojson')" "'-' includes it"
assert_not_contains "$LLM_STDERR" "ignored"
llm complete "no stdin" </dev/null
assert_not_contains "$LLM_STDERR" "ignored" "no warning without piped data"

# ---------------------------------------------------------------- --messages -
printf '%s' '[{"role":"system","content":"Be brief."},{"role":"user","content":"From stdin"}]' |
  llm complete --messages -
assert_exit 0 "--messages - reads standard input"
assert_eq '"From stdin"' "$(fake_stats '.last_request.body.messages[-1].content | tojson')"
printf '[]' | llm complete --messages - -
assert_exit 2 "--messages - and - cannot both read standard input"

# ---------------------------------------------------------------- CSV total row
llm cost-report --by model --format csv
assert_exit 0
assert_eq "row_type,model," "$(head -1 "$LLM_OUT" | cut -d, -f1-2),"
assert_eq total "$(tail -1 "$LLM_OUT" | cut -d, -f1)" "the last row is the total"
calls_col=3
sum=$(awk -F, -v c=$calls_col '$1 == "group" { s += $c } END { print s }' "$LLM_OUT")
total=$(awk -F, -v c=$calls_col '$1 == "total" { print $c }' "$LLM_OUT")
assert_eq "$total" "$sum" "the group rows sum to the total row"

# ---------------------------------------------------------------- logs --request-id
id=$(llm logs -n 1 && json_get .request_id)
llm logs --request-id "$id"
assert_exit 0
assert_json .request_id "$id"
llm logs --request-id 00000000-0000-0000-0000-000000000000
assert_exit 2 "an id that matches nothing"
assert_contains "$LLM_STDERR" "no call record has request id"
llm_env "LLMCTL_DB=$TMP/none.db" -- logs --request-id "$id"
assert_exit 2 "no database: no such record either"

pass
