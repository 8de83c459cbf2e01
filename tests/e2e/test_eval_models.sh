#!/usr/bin/env bash
# shellcheck disable=SC2034,SC2016  # LLM_ENV is read by lib.sh; literal $ in patterns
# eval for choosing and gating models: --models runs every case on every
# model (one JUnit testsuite per model, a side-by-side table, --format json,
# --compare model by model); pass-rate gates for flaky models (a case's
# repeat + threshold, the run's --min-pass-rate) around their boundary;
# promptfoo's cost/latency names and contains-json; llm-rubric with a
# scripted grader that passes, fails and answers garbage, its cost counted
# apart and its answer cached.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

start_fake --quiet
LLM_ENV+=(LLM_RATE_LIMIT_TOKENS=0 LLM_MAX_RETRIES=0 LLM_CACHE=off)
last_line() { tail -n 1 <<<"$LLM_STDOUT"; }

# ---------------------------------------------------------------- --models
# The fake answers "Hello from fake openai." or "... anthropic.": the
# assertion passes on one model and fails on the other.
{
  echo '{"defaults": {"assert": [{"type": "contains", "value": "openai"}]}}'
  echo '{"id": "c1", "prompt": "one", "model": "gemini:gemini-2.5-flash"}'
  echo '{"id": "c2", "prompt": "two"}'
  echo '{"id": "c3", "prompt": "three"}'
} >"$TMP/models.jsonl"
llm eval --models openai:gpt-4o-mini,anthropic:claude-haiku-4-5 --junit "$TMP/models.xml" --run-id m1 "$TMP/models.jsonl"
assert_exit 9 "one model fails the assertion"
assert_eq "3 passed, 3 failed" "$(last_line)"
assert_eq 3 "$(fake_stats '.by_path["/v1/chat/completions"]')" "every case on the first model"
assert_eq 3 "$(fake_stats '.by_path["/v1/messages"]')" "every case on the second, the case's own model ignored"
assert_eq 0 "$(fake_stats '.by_path | with_entries(select(.key | test("generateContent"))) | length')"
assert_match "$LLM_STDOUT" "openai:gpt-4o-mini +1\.00 +3 +0 +0 " "side by side: the first model passes all"
assert_match "$LLM_STDOUT" "anthropic:claude-haiku-4-5 +0\.00 +0 +3 +0 " "and the second none"
assert_contains "$LLM_STDOUT" "p95_ms"
assert_eq 2 "$(grep -c '<testsuite ' "$TMP/models.xml")" "one JUnit testsuite per model"
assert_contains "$(cat "$TMP/models.xml")" 'name="'"$TMP"'/models.jsonl [anthropic:claude-haiku-4-5]" tests="3" failures="3"'
assert_contains "$(cat "$TMP/models.xml")" 'name="'"$TMP"'/models.jsonl [openai:gpt-4o-mini]" tests="3" failures="0"'
assert_eq 6 "$(db_query "SELECT COUNT(*) FROM calls WHERE run_id = 'm1'")" "one record per case and model"

llm eval --models openai:gpt-4o-mini,anthropic:claude-haiku-4-5 --format json "$TMP/models.jsonl"
assert_exit 9
assert_json '.models | length' 2
assert_json '.models[0].model' openai:gpt-4o-mini
assert_json '.models[0].pass_rate' 1
assert_json '.models[1].pass_rate' 0
assert_json '.models[1].failed' 3
assert_json '.models[0].output_tokens > 0' true
assert_json '.models[0].latency_p95_ms >= .models[0].latency_p50_ms' true
assert_json .passed 3

# --compare model by model: in run m2 the other assertion flips both.
sed 's/"value": "openai"/"value": "anthropic"/' "$TMP/models.jsonl" >"$TMP/models2.jsonl"
llm eval --models openai:gpt-4o-mini,anthropic:claude-haiku-4-5 --run-id m2 "$TMP/models2.jsonl"
llm eval --compare m1 m2
assert_exit 9 "the first model regressed"
assert_contains "$LLM_STDOUT" "openai:gpt-4o-mini c1"
assert_contains "$LLM_STDOUT" "anthropic:claude-haiku-4-5 c1"

for bad in "openai:gpt-4o-mini,openai:gpt-4o-mini|named twice" "nope:x|unknown provider" "openai:|is empty"; do
  llm eval --models "${bad%|*}" "$TMP/models.jsonl"
  assert_exit 2 "--models ${bad%|*}"
  assert_contains "$LLM_STDERR" "${bad#*|}"
  assert_eq 1 "$(grep -c . <<<"$LLM_STDERR")" "one line"
done

# ---------------------------------------------------------------- thresholds
# A flaky case: 5 runs, the first 3 answers good, the last 2 bad (-c 1
# keeps the order).
flaky() {  # THRESHOLD
  fake_reset
  fake_script '[{"text": "good", "times": 3}, {"text": "bad", "times": 2}]'
  printf '{"id": "flaky", "prompt": "p", "repeat": 5, "threshold": %s, "assert": [{"type": "equals", "value": "good"}]}\n' "$1" \
    >"$TMP/flaky.jsonl"
  llm eval -c 1 "$TMP/flaky.jsonl"
}
flaky 0.6
assert_exit 0 "3 of 5 meets a threshold of 0.6"
assert_eq 5 "$(fake_stats .requests)" "the case ran 5 times"
assert_contains "$LLM_STDOUT" "case flaky: 3 of 5 runs passed (0.60), threshold 0.60: met"
assert_eq "3 passed, 2 failed" "$(last_line)"
flaky 0.61
assert_exit 9 "3 of 5 is below 0.61"
assert_contains "$LLM_STDOUT" "threshold 0.61: BELOW"
assert_contains "$(tail -n 1 <<<"$LLM_STDERR")" "3 of 5 runs passed (0.60), threshold 0.61" "the closing error line"

# --min-pass-rate: 4 cases, 3 pass.
fake_reset
fake_script '[{"text": "good", "times": 3}, {"text": "bad"}]'
printf '{"defaults": {"assert": [{"type": "equals", "value": "good"}]}}\n' >"$TMP/rate.jsonl"
for i in 1 2 3 4; do printf '{"id": "r%d", "prompt": "p%d"}\n' "$i" "$i" >>"$TMP/rate.jsonl"; done
rate() {
  fake_reset
  fake_script '[{"text": "good", "times": 3}, {"text": "bad"}]'
  llm eval -c 1 "$@" "$TMP/rate.jsonl"
}
rate --min-pass-rate 0.75
assert_exit 0 "0.75 meets --min-pass-rate 0.75"
assert_contains "$LLM_STDOUT" "pass rate 0.75 (3 of 4 case runs), --min-pass-rate 0.75: met"
rate --min-pass-rate 0.76
assert_exit 9 "0.75 is below 0.76"
assert_contains "$LLM_STDOUT" "--min-pass-rate 0.76: BELOW"
rate
assert_exit 9 "without --min-pass-rate every case must pass"
for bad in 1.5 -0.1 abc; do
  llm eval --min-pass-rate "$bad" "$TMP/rate.jsonl"
  assert_exit 2 "--min-pass-rate $bad"
  assert_contains "$LLM_STDERR" "--min-pass-rate $bad: expected a fraction from 0 to 1"
done
printf '{"id": "t", "prompt": "p", "threshold": 2}\n{"id": "u", "prompt": "p", "repeat": 0}\n' >"$TMP/badgate.jsonl"
llm eval "$TMP/badgate.jsonl"
assert_exit 2 "a bad threshold or repeat in the suite"
assert_contains "$LLM_STDERR" "badgate.jsonl:1: case \"t\": \"threshold\" must be the fraction"
assert_contains "$LLM_STDERR" "badgate.jsonl:2: case \"u\": \"repeat\" must be a whole number from 1 to 1000"

# ---------------------------------------------------------------- promptfoo names, contains-json
fake_reset
fake_default_step '{"text": "Here it is: {\"name\": \"x\", \"n\": 1} as asked", "usage": {"input": 10, "output": 1000}}'
cat >"$TMP/names.jsonl" <<'JSONL'
{"id": "cost-ok", "prompt": "p1", "assert": [{"type": "cost", "threshold": 0.01}, {"type": "latency", "threshold": 60000}]}
{"id": "cost-over", "prompt": "p2", "assert": [{"type": "cost", "threshold": 0.0001}]}
{"id": "json-ok", "prompt": "p3", "assert": [{"type": "contains-json", "value": {"required": ["name"]}}]}
{"id": "json-keys", "prompt": "p4", "assert": [{"type": "contains-json", "value": ["missing"]}]}
{"id": "aliases", "prompt": "p5", "assert": [{"type": "max-cost", "value": 0.01}, {"type": "max-latency-ms", "value": 60000}]}
JSONL
llm eval --output "$TMP/names.out" "$TMP/names.jsonl"
assert_exit 9
assert_eq "3 passed, 2 failed" "$(last_line)"
assert_eq "failed" "$(jq -r 'select(.case_id == "cost-over") | .status' "$TMP/names.out")"
assert_contains "$(jq -r 'select(.case_id == "cost-over") | .message' "$TMP/names.out")" 'cost: expected cost ≤ $0.0001, got $0.0006'
assert_contains "$(jq -r 'select(.case_id == "json-keys") | .message' "$TMP/names.out")" 'missing ["missing"]'
fake_default_step '{"text": "no json here"}'
printf '{"id": "nojson", "prompt": "p", "assert": [{"type": "contains-json"}]}\n' >"$TMP/nojson.jsonl"
llm eval "$TMP/nojson.jsonl"
assert_exit 9 "an answer with no JSON fails contains-json"
assert_contains "$LLM_STDOUT" "expected output to contain JSON"

# ---------------------------------------------------------------- llm-rubric
# The case's model is OpenAI, the grader Anthropic: scripted steps matching
# /v1/messages are the grader's answers.
fake_reset
fake_default_step '{"text": "Paris is the capital of France.", "usage": {"input": 10, "output": 10}}'
printf '{"id": "capital", "prompt": "Capital of France?", "assert": [{"type": "llm-rubric", "value": "names Paris"}]}\n' >"$TMP/rubric.jsonl"
GRADER=(LLM_GRADER_MODEL=anthropic:claude-haiku-4-5 LLM_CACHE=auto)
grade() {  # GRADER_ANSWER_JSON_STRING, then eval args
  local answer=$1
  shift
  fake_script "[{\"match\": \"/v1/messages\", \"text\": $answer, \"usage\": {\"input\": 100, \"output\": 20}}]"
  llm_env "${GRADER[@]}" -- eval --output "$TMP/rubric.out" "$@" "$TMP/rubric.jsonl"
}
grade '"{\"pass\": true, \"score\": 0.9, \"reason\": \"it says Paris\"}"'
assert_exit 0 "the grader passed it"
assert_eq "1 passed, 0 failed" "$(last_line)"
assert_eq 1 "$(fake_stats '.by_path["/v1/messages"]')" "one grader call"
body=$(fake_stats '[.recent[] | select(.path == "/v1/messages")][0].body')
assert_contains "$(jq -r '.messages[0].content' <<<"$body")" "Paris is the capital of France." "the grader sees the answer"
assert_contains "$(jq -r '.messages[0].content' <<<"$body")" "names Paris" "and the rubric"
assert_eq 0 "$(jq -r .temperature <<<"$body")" "at temperature 0"
assert_match "$LLM_STDOUT" 'grader \$0\.000200' "the grader's cost is shown apart"
assert_eq 2 "$(db_query "SELECT COUNT(*) FROM calls WHERE case_id = 'capital'")" "the grader call has its record"
assert_match "$(jq -r .grader_cost_usd "$TMP/rubric.out")" '^[0-9.e-]+$'

# The same answer again: the grader's verdict comes from the cache.
llm_env "${GRADER[@]}" -- eval "$TMP/rubric.jsonl"
assert_exit 0 "cached verdict"
assert_eq 1 "$(fake_stats '.by_path["/v1/messages"]')" "no second grader call"

fake_default_step '{"text": "Lyon is the capital of France.", "usage": {"input": 10, "output": 10}}'
grade '"{\"pass\": false, \"score\": 0.1, \"reason\": \"it says Lyon\"}"'
assert_exit 9 "the grader failed it"
assert_contains "$LLM_STDOUT" "llm-rubric: the grader failed it (score 0.1)"
assert_contains "$LLM_STDOUT" "it says Lyon"

fake_default_step '{"text": "Marseille.", "usage": {"input": 10, "output": 10}}'
grade '"I think it is fine"'
assert_exit 9 "a grader answer that is not the JSON is a case error"
assert_eq "0 passed, 0 failed, 1 error" "$(last_line)"
assert_contains "$LLM_STDERR" "the grader's answer is not {\"pass\": bool"
assert_eq error "$(jq -r .status "$TMP/rubric.out")"

fake_default_step '{"text": "Nice.", "usage": {"input": 10, "output": 10}}'
grade '"{\"pass\": \"yes\", \"score\": 1, \"reason\": \"ok\"}"'
assert_exit 9 "pass must be a boolean"
assert_contains "$LLM_STDERR" '"pass" is not a boolean'

# A score threshold, and the case's own grader.
fake_default_step '{"text": "Paris, probably.", "usage": {"input": 10, "output": 10}}'
printf '{"id": "strict", "prompt": "Capital?", "grader": "anthropic:claude-haiku-4-5", "assert": [{"type": "llm-rubric", "value": "names Paris confidently", "threshold": 0.8}]}\n' >"$TMP/rubric.jsonl"
fake_script '[{"match": "/v1/messages", "text": "{\"pass\": true, \"score\": 0.5, \"reason\": \"hedges\"}"}]'
llm eval "$TMP/rubric.jsonl"
assert_exit 9 "a score under the assertion's threshold fails"
assert_contains "$LLM_STDOUT" "score 0.5 is below the threshold 0.8"

printf '{"id": "g", "prompt": "p", "assert": [{"type": "llm-rubric", "value": "x", "grader": "nope:model"}]}\n{"id": "h", "prompt": "p", "assert": [{"type": "llm-rubric"}]}\n' >"$TMP/badrubric.jsonl"
sent=$(fake_stats .requests)
llm eval "$TMP/badrubric.jsonl"
assert_exit 2 "a rubric without its text"
assert_contains "$LLM_STDERR" 'badrubric.jsonl:2: case "h": assert[0]: assertion llm-rubric: "value" must be the rubric'
printf '{"id": "g", "prompt": "p", "assert": [{"type": "llm-rubric", "value": "x", "grader": "nope:model"}]}\n' >"$TMP/badrubric.jsonl"
llm eval "$TMP/badrubric.jsonl"
assert_exit 2 "an unknown grader provider"
assert_contains "$LLM_STDERR" 'badrubric.jsonl:1: case "g": grader nope:model'
assert_eq "$sent" "$(fake_stats .requests)" "nothing sent"
pass
