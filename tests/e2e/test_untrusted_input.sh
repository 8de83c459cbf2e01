#!/usr/bin/env bash
# Untrusted input: forged provider usage, absurd numbers from servers, files
# and flags, secrets echoed back by a provider, a regex over a long answer,
# an oversized --messages file. Each case must neither crash nor corrupt
# what llmctl stores, and must fail (if at all) with one clear line.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/core_helpers.sh"

KEY=sk-proj-UntrustedE2E-Zq81LmNoPqRsTuVwXyZ0123
start_fake --key "$KEY"
LOG=$TMP/calls.jsonl
LLM_ENV+=("OPENAI_API_KEY=$KEY" "ANTHROPIC_API_KEY=$KEY" "LLMCTL_LOG_FILE=$LOG" "LLM_MAX_RETRIES=0"
  "LLM_RATE_LIMIT_TOKENS=1000000")

# openai_body USAGE_JSON: a complete non-streamed chat answer with that usage.
openai_body() {
  jq -cn --argjson u "$1" '{id: "x", object: "chat.completion", model: "gpt-4o-mini",
    choices: [{index: 0, message: {role: "assistant", content: "forged"}, finish_reason: "stop"}],
    usage: $u}'
}

# ---------------------------------------------------------------- forged usage

for usage in '{"prompt_tokens": -1e9, "completion_tokens": 5}' \
  '{"prompt_tokens": 1e300, "completion_tokens": 5}' \
  '{"prompt_tokens": 18446744073709551615, "completion_tokens": 5}' \
  '{"prompt_tokens": 10, "completion_tokens": 2.5}'; do
  fake_script "$(jq -cn --arg b "$(openai_body "$usage")" '[{body: $b}]')"
  llm complete --json -p openai --max-tokens 100 "hello there" </dev/null
  assert_exit 0 "forged usage $usage: the answer still counts"
  assert_json .text forged
  assert_match "$(json_get .alert)" '^UNTRUSTED_USAGE ' "forged usage $usage: the record says so"
  assert_json '.input_tokens >= 1 and .input_tokens < 100' true
  assert_json .output_tokens 100
  assert_json '.cost_usd >= 0 and .cost_usd < 1' true
  assert_contains "$LLM_STDERR" "impossible token counts" "a warning on stderr"
done
# Anthropic reports its parts separately; one forged part poisons the sum.
fake_script "$(jq -cn '[{match: "/v1/messages", body: ({id: "m", type: "message", role: "assistant",
  model: "claude-haiku-4-5", content: [{type: "text", text: "forged"}], stop_reason: "end_turn",
  usage: {input_tokens: 9223372036854775807, cache_read_input_tokens: 9223372036854775807,
          output_tokens: 3}} | tojson)}]')"
llm complete --json -p anthropic --max-tokens 50 "hello there" </dev/null
assert_exit 0 "anthropic forged usage"
assert_match "$(json_get .alert)" '^UNTRUSTED_USAGE ' "anthropic: the record says so"
assert_json '.input_tokens >= 0 and .cost_usd >= 0' true
llm limits --json </dev/null
assert_exit 0
assert_json '.window.tokens_used >= 0' true
llm cost-report --format json </dev/null
assert_exit 0 "cost-report works after forged usage"

# Records an older version wrote from such answers: huge and negative values.
db_query "INSERT INTO calls(request_id, ts_ms, user_id, provider, model, input_tokens, output_tokens,
  cached_input_tokens, reasoning_tokens, cost_nanos, saved_cost_nanos, latency_ms, ttft_ms, finish_reason,
  cache_hit, error_type, run_id, case_id, record)
  SELECT request_id || v, ts_ms, user_id, provider, model, v, v, 0, 0, v, 0, latency_ms, ttft_ms,
         finish_reason, cache_hit, error_type, run_id, case_id, record
  FROM (SELECT * FROM calls ORDER BY id LIMIT 1),
       (SELECT 9223372036854775807 AS v UNION ALL SELECT 9223372036854775806
        UNION ALL SELECT -1 UNION ALL SELECT -2000000000)" >/dev/null
llm cost-report --format json </dev/null
assert_exit 0 "cost-report over historic overflowing rows"
assert_not_contains "$LLM_STDERR" "integer overflow"
assert_json '.total.cost_usd >= 0 and .total.cost_usd < 10' true
assert_json '.total.input_tokens >= 0' true

# ---------------------------------------------------------------- cost-report --input

good_line=$(head -n 1 "$LOG")
{
  echo "$good_line"
  jq -c '.cost_usd = -5' <<<"$good_line"
  jq -c '.input_tokens = 18446744073709551615' <<<"$good_line"
  sed 's/"cost_usd":[^,]*/"cost_usd":1e300/' <<<"$good_line"
  sed 's/"latency_ms":[^,]*/"latency_ms":1e999/' <<<"$good_line"
} >"$TMP/bad-records.jsonl"
llm cost-report --input "$TMP/bad-records.jsonl" --format json </dev/null
assert_exit 0 "bad --input lines are skipped"
for n in 2 3 4 5; do
  assert_contains "$LLM_STDERR" "bad-records.jsonl:$n:" "line $n is reported"
done
assert_json .total.calls 1
assert_json '.total.cost_usd >= 0' true
llm cost-report --input "$TMP/bad-records.jsonl" --strict </dev/null
assert_exit 2 "--strict: a bad number is fatal"
assert_contains "$LLM_STDERR" "bad-records.jsonl:2:"

# ---------------------------------------------------------------- server wait hints

for hint in '"retry_after": 1e300' '"retry_after_ms": 1e300'; do
  fake_reset
  fake_script "[{\"status\": 429, $hint}, {\"text\": \"late\"}]"
  start=$SECONDS
  llm_env LLM_MAX_RETRIES=1 LLM_DEADLINE_SECONDS=30 -- complete -p openai "hi" </dev/null
  assert_exit 8 "$hint: a wait past the deadline is not waited for"
  assert_eq 1 "$(fake_stats .requests)" "$hint: no retry"
  ((SECONDS - start < 20)) || fail "$hint: took $((SECONDS - start)) s"
  ASSERTIONS=$((ASSERTIONS + 1))
done

# ---------------------------------------------------------------- echoed secrets

GW_TOKEN=gw-secret-Hd83jfKq02LmZx77
cat >"$TMP/gw.toml" <<CFG
[providers.gw]
base_url = "$FAKE_URL/v1"
api_key_env = "OPENAI_API_KEY"
headers = ["X-Gateway-Token: $GW_TOKEN"]
CFG
cut_body="{\"detail\": \"$(printf 'x%.0s' {1..60}) rejected key $KEY and token $GW_TOKEN\"}"
for body in "$cut_body" \
  "{\"error\": {\"message\": \"bad key\", \"type\": \"auth\", \"code\": \"$KEY\"}}" \
  "{\"error\": {\"message\": \"gateway token $GW_TOKEN refused\"}}" \
  "upstream said: key=$KEY token=$GW_TOKEN"; do
  fake_script "$(jq -cn --arg b "$body" '[{status: 401, body: $b}]')"
  llm --config "$TMP/gw.toml" -vv complete -p gw -m m1 "hi" </dev/null
  assert_exit 3 "401 echoing secrets (an authentication failure is a configuration error)"
  for secret in "$KEY" "$GW_TOKEN"; do
    for piece in "${secret:0:8}" "${secret: -8}"; do
      assert_not_contains "$LLM_STDERR" "$piece" "stderr hides every 8-character piece of a secret"
      assert_not_contains "$(db_query 'select record from calls order by id desc limit 1')" "$piece" \
        "the stored record hides it"
      assert_not_contains "$(tail -n 1 "$LOG")" "$piece" "the log line hides it"
    done
  done
done

# ---------------------------------------------------------------- numbers people type

for value in " 5" "5 " "+5" "0x10" "1e3" "nan"; do
  llm_env "LLM_MAX_TOKENS=$value" -- complete -p mock "hi" </dev/null
  assert_exit 3 "LLM_MAX_TOKENS='$value'"
  assert_contains "$LLM_STDERR" "LLM_MAX_TOKENS"
done
for value in " 0.5" "+0.5" "inf" "0x1p-1" "0.5x"; do
  llm_env "LLM_TEMPERATURE=$value" -- complete -p mock "hi" </dev/null
  assert_exit 3 "LLM_TEMPERATURE='$value'"
done
llm_env LLM_CACHE_TTL_SECONDS=1000000000000 -- complete -p mock "hi" </dev/null
assert_exit 3 "a TTL whose expiry cannot be represented"
assert_contains "$LLM_STDERR" "LLM_CACHE_TTL_SECONDS"
llm_env LLM_CACHE_TTL_SECONDS=0 -- complete -p mock "hi" </dev/null
assert_exit 0 "a TTL of 0 is allowed"
llm latency-stats --threshold-ms nan </dev/null
assert_exit 2 "--threshold-ms nan"
assert_contains "$LLM_STDERR" "--threshold-ms"
llm latency-stats --last 0x10 </dev/null
assert_exit 2 "--last 0x10"
llm complete --max-tokens " 7" -p mock "hi" </dev/null
assert_exit 2 "--max-tokens with a space"
assert_contains "$LLM_STDERR" "--max-tokens"

# ---------------------------------------------------------------- eval inputs

fake_default_step '{"answer_bytes": 102400}'
printf '%s\n' '{"id": "long", "prompt": "write a lot", "assert": [{"type": "regex", "value": "^(.|\\n)*$"}]}' \
  >"$TMP/long.jsonl"
llm eval "$TMP/long.jsonl" -m openai:gpt-4o-mini --max-tokens 16000 </dev/null
assert_exit 0 "a backtracking-prone regex over a 100 KB answer passes, no crash"
printf '%s\n' '{"id": "bad", "prompt": "x", "assert": [{"type": "regex", "value": "(a)\\1"}]}' >"$TMP/badre.jsonl"
llm eval "$TMP/badre.jsonl" -m openai:gpt-4o-mini </dev/null
assert_exit 2 "an unsupported regex is a suite error"
assert_contains "$LLM_STDERR" "invalid regular expression"
printf '%s\n' '{"id": "big", "prompt": "x", "max_tokens": 9223372036854775807}' >"$TMP/big.jsonl"
llm eval "$TMP/big.jsonl" -m openai:gpt-4o-mini </dev/null
assert_exit 2 "a suite max_tokens of INT64_MAX is refused"
assert_contains "$LLM_STDERR" "max_tokens"
llm eval "$TMP/long.jsonl" -m openai:gpt-4o-mini --concurrency 0x2 </dev/null
assert_exit 2 "--concurrency 0x2"
fake_default_step null

# ---------------------------------------------------------------- cassette numbers

llm_env LLM_TEMPERATURE=0 -- complete -p openai "cache me" </dev/null
assert_exit 0
llm cache export -o "$TMP/cassette.jsonl" </dev/null
assert_exit 0
good=$(head -n 1 "$TMP/cassette.jsonl")
{
  sed 's/"cost_nanos":[0-9]*/"cost_nanos":1e300/' <<<"$good"
  sed 's/"input_tokens":[0-9]*/"input_tokens":1e300/' <<<"$good"
  sed 's/"output_tokens":[0-9]*/"output_tokens":-3/' <<<"$good"
} >"$TMP/bad-cassette.jsonl"
llm_env LLM_TEMPERATURE=0 "LLMCTL_DB=$TMP/import.db" -- cache import "$TMP/bad-cassette.jsonl" </dev/null
assert_exit 2 "absurd cassette numbers are bad lines"
for n in 1 2 3; do assert_contains "$LLM_STDERR" "bad-cassette.jsonl:$n:"; done

# ---------------------------------------------------------------- --messages cap

fake_reset
{
  printf '[{"role": "user", "content": "'
  head -c $((33 * 1024 * 1024)) /dev/zero | tr '\0' 'a'
  printf '"}]'
} >"$TMP/huge.json"
llm complete -p openai --messages "$TMP/huge.json" </dev/null
assert_exit 2 "--messages over 32 MiB"
assert_contains "$LLM_STDERR" "32 MiB"
assert_nothing_sent "nothing sent for an oversized --messages file"
rm -f "$TMP/huge.json"

pass
