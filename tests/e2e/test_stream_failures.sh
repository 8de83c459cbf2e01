#!/usr/bin/env bash
# Broken streams on every provider: a stream that ends without its
# terminal event (clean or hard cut) or carries a mid-stream error event is
# exit 8 with the record's error set, never a success; after text reached
# stdout there is no retry and no fallback, so stdout never gets a second
# answer.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/core_helpers.sh"

start_fake
write_local_config
LLM_ENV+=("LLM_MAX_RETRIES=0" "LOCAL_KEY=test-key" "LLMCTL_CONFIG=$LOCAL_CONFIG")

# ---------------------------------------------------------------- broken streams

# A stream that ends without its terminal event is a failure (exit 8), never
# a success; the record has error set. cut_after counts events: OpenAI role +
# 2 words; Anthropic message_start, block_start, ping, 1 delta; Gemini 2 words.
declare -A CUT=([openai]=3 [anthropic]=4 [gemini]=2 [local]=3)
declare -A PARTIAL=([openai]="Hello from" [anthropic]="Hello" [gemini]="Hello from" [local]="Hello from")
before=$(record_count)
for p in openai anthropic gemini local; do
  for hard in false true; do
    fake_reset
    fake_script "[{\"stream_cut_after\":${CUT[$p]},\"stream_cut_hard\":$hard}]"
    llm complete -p "$p" --stream "tell me something" </dev/null
    assert_exit 8 "$p: stream cut (hard=$hard) without terminator"
    assert_eq "${PARTIAL[$p]}" "$(printf '%s' "$LLM_STDOUT" | tr -s ' \n' ' ' | sed 's/ $//')" "$p: the partial text was printed once"
    assert_eq 1 "$(grep -c "error:" <<<"$LLM_STDERR")" "$p: one stderr line"
    assert_contains "$LLM_STDERR" "$p" "$p: stderr names the provider"
    last_record
    assert_json '.error != null and .error != ""' true "$REC"
    assert_json '.error_type != null' true "$REC"
    assert_json '.finish_reason' error "$REC"
    assert_json .provider "$p" "$REC"
  done

  # A mid-stream error event.
  fake_script '[{"stream_error":{"after":3,"message":"mid-stream kaboom"}}]'
  llm complete -p "$p" --stream "tell me something" </dev/null
  assert_exit 8 "$p: mid-stream error event"
  assert_eq 1 "$(grep -c "error:" <<<"$LLM_STDERR")" "$p: one stderr line"
  last_record
  assert_json '.error != null and .error_type != null' true "$REC"
done
assert_eq $((before + 12)) "$(record_count)" "one record per failed stream"

# A stream that broke after text reached stdout is not retried and does not
# fall back: no second answer is appended.
fake_reset
fake_script '[{"match":"chat/completions","stream_cut_after":3}]'
llm_env LLM_MAX_RETRIES=2 LLM_RETRY_BASE_SECONDS=0.01 LLM_FALLBACKS=anthropic:claude-haiku-4-5 -- \
  complete -p openai --stream "tell me something" </dev/null
assert_exit 8 "broken stream with retries and a fallback configured"
assert_eq "Hello from" "$(printf '%s' "$LLM_STDOUT" | tr -s ' \n' ' ' | sed 's/ $//')" "stdout holds only the first partial answer"
assert_not_contains "$LLM_STDOUT" anthropic "no fallback answer appended"
assert_eq 1 "$(fake_stats .requests)" "no retry and no fallback request after output"
last_record
assert_json '"\(.fallback_used) \(.attempts | length)"' "false 1" "$REC"

# Mid-stream error with a fallback configured: also no second answer.
fake_reset
fake_script '[{"match":"/v1/messages","stream_error":{"after":5,"type":"overloaded_error"}}]'
llm_env LLM_MAX_RETRIES=2 LLM_RETRY_BASE_SECONDS=0.01 LLM_FALLBACKS=gemini:gemini-2.5-flash -- \
  complete -p anthropic --stream "tell me something" </dev/null
assert_exit 8 "anthropic error event after text, fallback configured"
assert_not_contains "$LLM_STDOUT" gemini "no fallback answer appended"
assert_eq 1 "$(fake_stats .requests)" "no retry/fallback after text was printed"

pass
