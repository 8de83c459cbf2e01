#!/usr/bin/env bash
# --stream on every provider: same text as non-streamed, usage and
# ttft captured, stream_options.include_usage, CRLF framing, events split
# into 1-byte writes, Anthropic ping, text written as it arrives; a stream
# without its terminator or with an error event is exit 8 with the record's
# error set, and stdout never gets a second answer.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/core_helpers.sh"

start_fake
write_local_config
LLM_ENV+=("LLM_MAX_RETRIES=0" "LOCAL_KEY=test-key" "LLMCTL_CONFIG=$LOCAL_CONFIG")

for p in openai anthropic gemini local; do
  fake_reset
  llm complete -p "$p" "tell me something" </dev/null
  assert_exit 0 "$p non-stream"
  plain=$LLM_STDOUT
  llm complete -p "$p" --stream "tell me something" </dev/null
  assert_exit 0 "$p --stream"
  assert_eq "$plain" "$LLM_STDOUT" "$p: streamed text == non-streamed text"
  assert_eq 2 "$(fake_stats .requests)" "$p: one request each"
  last_record
  assert_json '"\(.provider) \(.finish_reason) \(.error)"' "$p stop null" "$REC"
  assert_json '.input_tokens > 0' true "$REC"
  assert_json .output_tokens 4 "$REC"
  assert_json '.cost_usd > 0' true "$REC"
  assert_json '.ttft_ms != null and .ttft_ms >= 0' true "$REC"
  assert_json '.ttft_ms <= .latency_ms' true "$REC"
  case $p in
    openai | local)
      assert_eq true "$(fake_req .body.stream)" "$p: stream:true in the body"
      if [[ $p == openai ]]; then
        assert_eq true "$(fake_req .body.stream_options.include_usage)" "openai: stream_options.include_usage"
      fi
      ;;
    anthropic)
      assert_eq true "$(fake_req .body.stream)" "anthropic: stream:true"
      ;;
    gemini)
      assert_eq "/v1beta/models/gemini-2.5-flash:streamGenerateContent sse null" \
        "$(fake_req '"\(.path) \(.query.alt) \(.query.key)"')" "gemini: :streamGenerateContent?alt=sse, no key in the URL"
      ;;
  esac

  # --stream --json: one object, the streamed text in "text".
  llm complete -p "$p" --stream --json "tell me something" </dev/null
  assert_exit 0 "$p --stream --json"
  assert_eq 1 "$(wc -l <"$LLM_OUT")" "$p --stream --json: one line"
  assert_json .text "$plain"
  assert_json '.ttft_ms != null' true

  # CRLF framing, and every event split across 1-byte writes.
  # (1-byte writes pause ~2 ms each, so that run uses a short answer.)
  for step in '{"crlf":true}' '{"crlf":false}' '{"chunk_bytes":1,"crlf":true,"text":"Split anywhere."}' '{"chunk_bytes":5,"text":"Ünïcödé ✓ splits 😀 anywhere"}'; do
    fake_script "[$step]"
    llm complete -p "$p" --stream "tell me something" </dev/null
    assert_exit 0 "$p $step"
    if [[ $step == *Ünï* ]]; then
      assert_eq "Ünïcödé ✓ splits 😀 anywhere" "$LLM_STDOUT" "$p $step: multi-byte text split across reads"
    elif [[ $step == *chunk_bytes\":1* ]]; then
      assert_eq "Split anywhere." "$LLM_STDOUT" "$p $step: 1-byte writes"
    else
      assert_eq "$plain" "$LLM_STDOUT" "$p $step: same text"
    fi
    last_record
    assert_json '"\(.finish_reason) \(.output_tokens > 0) \(.ttft_ms != null)"' "stop true true" "$REC"
  done
done

# Anthropic's ping (and any unknown event) is ignored: the fake sends one in
# every stream; a stream of only pings around the text still works.
fake_script '[{"chunks":["a","b","c"]}]'
llm complete -p anthropic --stream "x" </dev/null
assert_exit 0 "anthropic with ping"
assert_eq abc "$LLM_STDOUT"

# Text is written as it arrives: with 300 ms between events the first words
# are on stdout while llmctl is still running.
fake_script '[{"event_delay_ms":300}]'
llm_bg slow complete -p openai --stream "slow please"
wait_until 10 grep -q Hello "$TMP/slow.out"
# shellcheck disable=SC2154  # llm_bg sets LLM_PID_slow with printf -v
if _e2e_running "$LLM_PID_slow"; then ASSERTIONS=$((ASSERTIONS + 1)); else fail "text reached stdout only at the end"; fi
llm_wait slow
assert_exit 0 "slow stream"
assert_eq "Hello from fake openai." "$LLM_STDOUT"

# Raw SSE bodies exercising the parser: comments, CR-only line ends, id/retry
# fields, "data:" without a space, one event's JSON over two data: lines,
# unknown event types; each also delivered in 3-byte writes.
# shellcheck disable=SC2034  # the *_RAW bodies are read by name in the loop below
OA_RAW=$(printf '%s' ': OPENROUTER PROCESSING\r\rretry: 1000\rid: 1\rdata: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}\r\r: ping\r\rdata: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"Raw "},"finish_reason":null}]}\r\rdata: {"id":"c","object":"chat.completion.chunk",\rdata: "choices":[{"index":0,"delta":{"content":"SSE"},"finish_reason":null}]}\r\rdata:{"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\r\rdata: {"id":"c","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":7,"completion_tokens":2,"total_tokens":9}}\r\rdata: [DONE]\r\r' | sed 's/\\r/\r/g')
# shellcheck disable=SC2034
AN_RAW=$(printf '%s\n' \
  'event: message_start' 'data: {"type":"message_start","message":{"id":"m","type":"message","role":"assistant","model":"claude-haiku-4-5","content":[],"stop_reason":null,"usage":{"input_tokens":11,"output_tokens":1}}}' '' \
  'event: content_block_start' 'data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}' '' \
  'event: ping' 'data: {"type": "ping"}' '' \
  'event: some_future_event' 'data: {"type":"some_future_event","x":1}' '' \
  'event: content_block_delta' 'data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Raw "}}' '' \
  ': a comment' '' \
  'event: content_block_delta' 'data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"SSE"}}' '' \
  'event: content_block_stop' 'data: {"type":"content_block_stop","index":0}' '' \
  'event: message_delta' 'data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":2}}' '' \
  'event: message_stop' 'data: {"type":"message_stop"}' '')
# shellcheck disable=SC2034
GE_RAW=$(printf '%s\n' \
  'data: {"candidates":[{"content":{"parts":[{"text":"Raw "}],"role":"model"},"index":0}],"usageMetadata":{"promptTokenCount":5,"totalTokenCount":5},"modelVersion":"gemini-2.5-flash"}' '' \
  'data: {"candidates":[{"content":{"parts":[{"text":"SSE"}],"role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":5,"candidatesTokenCount":2,"totalTokenCount":7},"modelVersion":"gemini-2.5-flash"}' '')
for spec in "openai OA_RAW 7" "anthropic AN_RAW 11" "gemini GE_RAW 5"; do
  read -r p var in_tokens <<<"$spec"
  for chunk in 0 3; do
    fake_script "$(jq -cn --arg b "${!var}"$'\n' --argjson c "$chunk" '[{body:$b, content_type:"text/event-stream"} + (if $c > 0 then {chunk_bytes:$c} else {} end)]')"
    llm complete -p "$p" --stream --json "raw" </dev/null
    assert_exit 0 "$p raw SSE (chunk_bytes $chunk)"
    assert_json '"\(.text)|\(.input_tokens)|\(.output_tokens)|\(.finish_reason)"' "Raw SSE|$in_tokens|2|stop"
  done
done

pass
