#!/usr/bin/env bash
# Truncation on every provider: OpenAI `length`, Anthropic
# `max_tokens`, Gemini `MAX_TOKENS` (and an OpenAI-compatible endpoint) ->
# the partial text is printed, exit 7, one stderr line, and the record has
# alert, finish_reason length and error_type truncated; --allow-truncated
# exits 0 and still keeps the alert.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/core_helpers.sh"

start_fake
write_local_config
LLM_ENV+=("LLM_MAX_RETRIES=0" "LOCAL_KEY=test-key" "LLMCTL_CONFIG=$LOCAL_CONFIG")

declare -A FINISH=([openai]=length [anthropic]=max_tokens [gemini]=MAX_TOKENS [local]=length)
count=0
for p in openai anthropic gemini local; do
  for mode in --no-stream --stream; do
    fake_script "[{\"text\":\"The partial answer\",\"finish\":\"${FINISH[$p]}\"}]"
    llm complete -p "$p" $mode --max-tokens 3 "write an essay" </dev/null
    assert_exit 7 "$p $mode: truncated -> exit 7"
    assert_eq "The partial answer" "$LLM_STDOUT" "$p $mode: the partial text is still printed"
    assert_eq 1 "$(grep -c "error:" <<<"$LLM_STDERR")" "$p $mode: one stderr line"
    assert_match "$LLM_STDERR" '[Tt]runcat' "$p $mode: stderr says truncated"
    assert_contains "$LLM_STDERR" --allow-truncated "$p $mode: stderr says what to do"
    count=$((count + 1))
    assert_eq "$count" "$(record_count)" "$p $mode: one record"
    last_record
    assert_json '"\(.finish_reason) \(.provider_finish_reason) \(.error_type)"' "length ${FINISH[$p]} truncated" "$REC"
    assert_match "$(json_get .alert "$REC")" '^TRUNCATED_RESPONSE' "$p $mode: alert in the record"
    assert_json '.output_tokens > 0 and .cost_usd > 0' true "$REC"
  done

  # --allow-truncated: exit 0, the alert stays in the record.
  fake_script "[{\"text\":\"The partial answer\",\"finish\":\"${FINISH[$p]}\"}]"
  llm complete -p "$p" --allow-truncated --json --max-tokens 3 "write an essay" </dev/null
  assert_exit 0 "$p --allow-truncated"
  assert_json .text "The partial answer"
  assert_json .finish_reason length
  assert_match "$(json_get .alert)" '^TRUNCATED_RESPONSE' "$p --allow-truncated keeps the alert"
  count=$((count + 1))
  last_record
  assert_match "$(json_get .alert "$REC")" '^TRUNCATED_RESPONSE' "$p --allow-truncated: alert stored"
  assert_json .finish_reason length "$REC"
done

# A normal stop has no alert.
fake_script '[{"text":"complete"}]'
llm complete -p openai --json "hi" </dev/null
assert_exit 0
assert_json 'has("alert")' false

pass
