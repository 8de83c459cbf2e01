#!/usr/bin/env bash
# `llmctl eval`, end to end against the fake server: every
# assertion type passing and failing, {{var}} templating, the closing line,
# --output JSONL, --junit well-formed with matching counts, plain progress
# lines on a non-terminal stderr, and suite errors with FILE:LINE (exit 2).
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

start_fake
LLM_ENV+=(LLM_RATE_LIMIT_TOKENS=0)
ANSWER='{"name": "Ada Lovelace", "born": 1815}'
fake_default_step "$(jq -cn --arg t "$ANSWER" '{text: $t}')"

# ---------------------------------------------------------------- every assertion type

# case ID TYPE VALUE_JSON: one JSONL line asking any prompt with one assertion.
case_line() {
  jq -cn --arg id "$1" --arg type "$2" --argjson value "$3" \
    '{id: $id, prompt: "Who wrote the first program?", assert: [{type: $type, value: $value}]}'
}
SUITE=$TMP/assertions.jsonl
{
  echo '{"defaults": {"model": "openai:gpt-4o-mini", "max_tokens": 64}}'
  case_line equals-pass equals "$(jq -cn --arg t "$ANSWER" '$t')"
  case_line equals-fail equals '"Ada"'
  case_line contains-pass contains '"Lovelace"'
  case_line contains-fail contains '"Babbage"'
  case_line icontains-pass icontains '"ADA LOVELACE"'
  case_line icontains-fail icontains '"charles"'
  case_line contains-any-pass contains-any '["Babbage", "Ada"]'
  case_line contains-any-fail contains-any '["Babbage", "Turing"]'
  case_line contains-all-pass contains-all '["Ada", "1815"]'
  case_line contains-all-fail contains-all '["Ada", "1816"]'
  case_line not-contains-pass not-contains '"Babbage"'
  case_line not-contains-fail not-contains '"Ada"'
  case_line regex-pass regex '"\"born\": 18\\d\\d"'
  case_line regex-fail regex '"^Ada"'
  case_line not-regex-pass not-regex '"^Ada"'
  case_line not-regex-fail not-regex '"Love(lace)?"'
  case_line starts-with-pass starts-with '"{\"name\""'
  case_line starts-with-fail starts-with '"Ada"'
  case_line is-json-pass is-json '["name", "born"]'
  case_line is-json-fail is-json '["name", "died"]'
  case_line max-cost-pass max-cost 1
  case_line max-cost-fail max-cost 0
  case_line max-latency-ms-pass max-latency-ms 60000
  case_line max-latency-ms-fail max-latency-ms 0
  case_line max-output-tokens-pass max-output-tokens 100
  case_line max-output-tokens-fail max-output-tokens 1
  case_line finish-reason-pass finish-reason '"stop"'
  case_line finish-reason-fail finish-reason '"length"'
} >"$SUITE"
# is-json with no value (any JSON) passes too.
echo '{"id": "is-json-any", "prompt": "x", "assert": [{"type": "is-json"}]}' >>"$SUITE"

llm eval "$SUITE" --concurrency 4 --output "$TMP/out.jsonl" --junit "$TMP/junit.xml" </dev/null
assert_exit 9 "a failed assertion exits 9"
assert_eq "15 passed, 14 failed" "$(tail -n 1 <<<"$LLM_STDOUT")" "closing line"
assert_eq 29 "$(wc -l <"$TMP/out.jsonl")" "one --output line per case"
for type in equals contains icontains contains-any contains-all not-contains regex not-regex starts-with \
  is-json max-cost max-latency-ms max-output-tokens finish-reason; do
  assert_eq passed "$(jq -r --arg id "$type-pass" 'select(.case_id == $id) | .status' "$TMP/out.jsonl")" "$type passes"
  assert_eq failed "$(jq -r --arg id "$type-fail" 'select(.case_id == $id) | .status' "$TMP/out.jsonl")" "$type fails"
  msg=$(jq -r --arg id "$type-fail" 'select(.case_id == $id) | .assertions[0].message' "$TMP/out.jsonl")
  assert_match "$msg" '^expected .*, got ' "$type failure message shows expected and got"
  assert_contains "$LLM_STDOUT" "FAIL $type-fail ($SUITE:" "$type failure listed with its suite line"
done
assert_contains "$(jq -r 'select(.case_id == "contains-fail") | .message' "$TMP/out.jsonl")" \
  'contains: expected output to contain "Babbage", got "{\"name\": \"Ada Lovelace\", \"born\": 1815}"'
assert_contains "$(jq -r 'select(.case_id == "contains-all-fail") | .message' "$TMP/out.jsonl")" 'missing ["1816"]'
assert_contains "$(jq -r 'select(.case_id == "is-json-fail") | .message' "$TMP/out.jsonl")" 'missing ["died"]'
assert_contains "$(jq -r 'select(.case_id == "finish-reason-fail") | .message' "$TMP/out.jsonl")" \
  'expected finish reason "length", got "stop"'
assert_eq passed "$(jq -r 'select(.case_id == "is-json-any") | .status' "$TMP/out.jsonl")"
# --output carries the call's figures and the answer.
assert_eq "$ANSWER" "$(jq -r 'select(.case_id == "equals-pass") | .output' "$TMP/out.jsonl")"
assert_eq "openai gpt-4o-mini stop false" \
  "$(jq -r 'select(.case_id == "equals-pass") | "\(.provider) \(.model) \(.finish_reason) \(.cache_hit)"' "$TMP/out.jsonl")"
assert_match "$(jq -r 'select(.case_id == "equals-pass") | .request_id' "$TMP/out.jsonl")" '^[0-9a-f-]{36}$'
# Plain progress lines: stderr is not a terminal here.
assert_match "$LLM_STDERR" '\[[0-9]+/29\] PASS equals-pass \([0-9]+ ms\)'
assert_not_contains "$LLM_STDERR" $'\r' "no redrawn bar off a terminal"
# The summary table lists every case.
assert_match "$LLM_STDOUT" 'equals-fail +FAILED +0/1'
assert_match "$LLM_STDOUT" 'run [0-9a-f-]{36}: 29 case runs'

# Every record carries the run id and its case id.
run_id=$(jq -r '.run_id' "$TMP/out.jsonl" | sort -u)
assert_eq 29 "$(db_query "SELECT COUNT(*) FROM calls WHERE run_id = '$run_id'")"
assert_eq 1 "$(db_query "SELECT COUNT(*) FROM calls WHERE run_id = '$run_id' AND case_id = 'regex-fail'")"
# No prompt or answer text in the stored records.
assert_eq 0 "$(db_query "SELECT COUNT(*) FROM calls WHERE record LIKE '%Lovelace%' OR record LIKE '%first program%'")"

# ---------------------------------------------------------------- JUnit

python3 - "$TMP/junit.xml" >"$TMP/junit.txt" <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
suite = root.find("testsuite")
cases = suite.findall("testcase")
print(root.tag, root.get("tests"), root.get("failures"), root.get("errors"), root.get("skipped"))
print(suite.get("tests"), len(cases), sum(1 for c in cases if c.find("failure") is not None))
fail = [c for c in cases if c.get("name") == "contains-fail"][0].find("failure")
print(fail.get("type"), fail.get("message"))
PY
assert_eq "testsuites 29 14 0 0" "$(sed -n 1p "$TMP/junit.txt")" "JUnit totals"
assert_eq "29 29 14" "$(sed -n 2p "$TMP/junit.txt")" "one testcase per case, failures match"
assert_contains "$(sed -n 3p "$TMP/junit.txt")" 'contains contains: expected output to contain "Babbage"'

# Markup and control characters in an answer still give well-formed XML.
fake_default_step '{"text": "<b>&amp; \"quotes\" ]]> \u0001 done"}'
echo '{"id": "x<&>\"", "prompt": "p", "assert": [{"type": "equals", "value": "nope"}]}' >"$TMP/markup.jsonl"
llm eval "$TMP/markup.jsonl" -m openai:gpt-4o-mini --junit "$TMP/markup.xml" </dev/null
assert_exit 9
assert_eq 'x<&>" 1' "$(python3 -c '
import sys, xml.etree.ElementTree as ET
c = ET.parse(sys.argv[1]).getroot().find("testsuite/testcase")
print(c.get("name"), len(c.findall("failure")))' "$TMP/markup.xml")" "escaped JUnit parses"

# ---------------------------------------------------------------- templating

fake_default_step "$(jq -cn --arg t "$ANSWER" '{text: $t}')"
fake_reset
cat >"$TMP/tpl.jsonl" <<'JSONL'
{"defaults": {"system": "You answer as {{persona}}.", "vars": {"persona": "a historian"}, "prompt": "Who was {{who}}?", "assert": [{"type": "contains", "value": "{{expect}}"}]}}
{"id": "ada", "vars": {"who": "Ada Lovelace", "expect": "Ada"}}
{"id": "override", "vars": {"who": "Charles Babbage", "expect": "Babbage", "persona": "a pirate"}}
JSONL
llm eval "$TMP/tpl.jsonl" -m openai:gpt-4o-mini --concurrency 1 </dev/null
assert_exit 9 "templated assertion value fails for Babbage"
assert_eq "1 passed, 1 failed" "$(tail -n 1 <<<"$LLM_STDOUT")"
assert_contains "$LLM_STDOUT" 'expected output to contain "Babbage"'
bodies=$(fake_stats '.recent[] | .body | tostring')
assert_contains "$bodies" 'Who was Ada Lovelace?'
assert_contains "$bodies" 'You answer as a historian.'
assert_contains "$bodies" 'Who was Charles Babbage?'
assert_contains "$bodies" 'You answer as a pirate.'
assert_not_contains "$bodies" '{{'

# ---------------------------------------------------------------- suite errors

cat >"$TMP/bad.jsonl" <<'JSONL'
{"id": "fine", "prompt": "hello"}

{"id": "fine", "prompt": "again"}
{"id": "tpl", "prompt": "Hi {{nobody}}"}
{"id": "typo", "prompt": "x", "assert": [{"type": "contain", "value": "a"}]}
not json
JSONL
fake_reset
llm eval "$TMP/bad.jsonl" -m openai:gpt-4o-mini </dev/null
assert_exit 2 "an invalid suite exits 2"
assert_contains "$LLM_STDERR" "$TMP/bad.jsonl:3: duplicate id \"fine\" (first used on line 1)"
assert_contains "$LLM_STDERR" "$TMP/bad.jsonl:4: case \"tpl\": \"prompt\": unknown variable {{nobody}}"
assert_contains "$LLM_STDERR" "$TMP/bad.jsonl:5: case \"typo\": assert[0]: unknown assertion type \"contain\""
assert_contains "$LLM_STDERR" "$TMP/bad.jsonl:6: not valid JSON"
assert_eq 0 "$(fake_stats .requests)" "nothing is sent for an invalid suite"
assert_eq "" "$LLM_STDOUT"

echo '{"id": "m", "prompt": "x", "model": 5}' >"$TMP/model.jsonl"
llm eval "$TMP/model.jsonl" </dev/null
assert_exit 2 "a bad field type is a suite error"
assert_contains "$LLM_STDERR" "$TMP/model.jsonl:1: case \"m\": \"model\" must be a string"

llm eval "$TMP/missing.jsonl" </dev/null
assert_exit 2
llm eval "$SUITE" --filter 'no-such-case' </dev/null
assert_exit 2
assert_contains "$LLM_STDERR" "matches no case"

pass
