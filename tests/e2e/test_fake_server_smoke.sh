#!/usr/bin/env bash
# Proves the fake provider server (and lib.sh) with curl alone, so the
# harness is known to work before the llmctl binary does: all three wire
# protocols, streaming and not, auth errors, scripted faults, stats.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

start_fake

# ---------------------------------------------------------------- helpers

# req METHOD PATH [curl args...]: sets STATUS, BODY, CURL_RC; headers in $TMP/headers.
req() {
  local method=$1 path=$2
  shift 2
  : >"$TMP/body"
  : >"$TMP/headers"
  CURL_RC=0
  STATUS=$(curl -sS --max-time 30 -o "$TMP/body" -D "$TMP/headers" -w '%{http_code}' \
    -X "$method" "$@" "$FAKE_URL$path" 2>"$TMP/curl.err") || CURL_RC=$?
  BODY=$(<"$TMP/body")
}
openai() {
  req POST /v1/chat/completions -H 'Authorization: Bearer test-key' \
    -H 'Content-Type: application/json' --data-binary "$1" "${@:2}"
}
anthropic() {
  req POST /v1/messages -H 'x-api-key: test-key' -H 'anthropic-version: 2023-06-01' \
    -H 'Content-Type: application/json' --data-binary "$1" "${@:2}"
}
gemini() {  # gemini METHOD[?query] BODY [curl args...]
  req POST "/v1beta/models/gemini-2.5-flash:$1" -H 'x-goog-api-key: test-key' \
    -H 'Content-Type: application/json' --data-binary "$2" "${@:3}"
}
header() { grep -i "^$1:" "$TMP/headers" | head -n 1 | cut -d: -f2- | tr -d '\r' | sed 's/^ //' || true; }
# The data payloads of an SSE body, one per line.
sse_data() { tr -d '\r' <"$TMP/body" | sed -n 's/^data: //p'; }
sse_json() { sse_data | grep -v '^\[DONE\]$' || true; }
body_json() { jq -r "$1" <"$TMP/body"; }

OA='{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Say hello to the tests"}]}'
OA_STREAM='{"model":"gpt-4o-mini","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"Say hello to the tests"}]}'
AN='{"model":"claude-haiku-4-5","max_tokens":64,"messages":[{"role":"user","content":"Say hello to the tests"}]}'
AN_STREAM='{"model":"claude-haiku-4-5","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"Say hello to the tests"}]}'
GE='{"contents":[{"role":"user","parts":[{"text":"Say hello to the tests"}]}]}'

# ---------------------------------------------------------------- OpenAI

openai "$OA"
assert_eq 200 "$STATUS" "openai non-stream status"
assert_eq chat.completion "$(body_json .object)"
assert_eq "Hello from fake openai." "$(body_json '.choices[0].message.content')"
assert_eq stop "$(body_json '.choices[0].finish_reason')"
assert_eq gpt-4o-mini "$(body_json .model)"
# "Say hello to the tests" is 22 chars -> 6 tokens; the answer has 4 words.
assert_eq "6 4 10" "$(body_json '"\(.usage.prompt_tokens) \(.usage.completion_tokens) \(.usage.total_tokens)"')"
assert_match "$(header x-request-id)" '^req_' "x-request-id header"
assert_eq 10000 "$(header x-ratelimit-limit-requests)"

openai "$OA_STREAM"
assert_eq 200 "$STATUS" "openai stream status"
assert_contains "$(header content-type)" text/event-stream
assert_eq '[DONE]' "$(sse_data | tail -n 1)" "openai stream ends with [DONE]"
assert_eq assistant "$(sse_json | head -n 1 | jq -r '.choices[0].delta.role')"
assert_eq "Hello from fake openai." "$(sse_json | jq -j '.choices[0].delta.content // empty')"
assert_eq '{} stop' "$(sse_json | jq -c 'select(.choices[0].finish_reason != null) | [.choices[0].delta, .choices[0].finish_reason]' | jq -r '"\(.[0]|tojson) \(.[1])"')"
assert_eq '[] 10' "$(sse_json | tail -n 1 | jq -c '[.choices, .usage.total_tokens]' | jq -r '"\(.[0]|tojson) \(.[1])"')" "usage chunk"
assert_eq 6 "$(sse_json | jq -s '[.[] | select(.usage == null)] | length')" "usage:null on the other chunks"
assert_eq 1 "$(sse_json | jq -s '[.[].id] | unique | length')" "one id per stream"

openai '{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"hi"}]}'
assert_eq 0 "$(sse_json | jq -s '[.[] | select(has("usage"))] | length')" "no usage without include_usage"

req POST /v1/chat/completions --data-binary "$OA"
assert_eq 401 "$STATUS" "openai without key"
assert_eq invalid_request_error "$(body_json .error.type)"
req POST /v1/chat/completions -H 'Authorization: Bearer sk-wrong-key-123456' --data-binary "$OA"
assert_eq 401 "$STATUS" "openai wrong key"
assert_eq invalid_api_key "$(body_json .error.code)"
assert_not_contains "$BODY" sk-wrong-key-123456 "the key is never echoed"

openai '{"model":"o3-mini","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}'
assert_eq 400 "$STATUS" "reasoning model rejects max_tokens"
assert_eq "unsupported_parameter max_tokens" "$(body_json '"\(.error.code) \(.error.param)"')"

# ---------------------------------------------------------------- Anthropic

anthropic "$AN"
assert_eq 200 "$STATUS" "anthropic non-stream status"
assert_eq "message assistant end_turn" "$(body_json '"\(.type) \(.role) \(.stop_reason)"')"
assert_eq "Hello from fake anthropic." "$(body_json '.content[0].text')"
assert_eq "6 4" "$(body_json '"\(.usage.input_tokens) \(.usage.output_tokens)"')"
assert_match "$(header request-id)" '^req_' "request-id header"

anthropic "$AN_STREAM"
assert_eq 200 "$STATUS" "anthropic stream status"
events=$(tr -d '\r' <"$TMP/body" | sed -n 's/^event: //p' | tr '\n' ' ')
assert_eq "message_start content_block_start ping content_block_delta content_block_delta content_block_delta content_block_delta content_block_stop message_delta message_stop " "$events" "anthropic event order"
assert_eq "Hello from fake anthropic." "$(sse_json | jq -j 'select(.type == "content_block_delta") | .delta.text')"
assert_eq "end_turn 4" "$(sse_json | jq -r 'select(.type == "message_delta") | "\(.delta.stop_reason) \(.usage.output_tokens)"')"
assert_eq 6 "$(sse_json | jq -r 'select(.type == "message_start") | .message.usage.input_tokens')"

req POST /v1/messages -H 'x-api-key: test-key' --data-binary "$AN"
assert_eq "400 invalid_request_error" "$STATUS $(body_json .error.type)" "anthropic-version required"
anthropic '{"model":"claude-haiku-4-5","messages":[{"role":"user","content":"hi"}]}'
assert_eq "400 invalid_request_error" "$STATUS $(body_json .error.type)" "max_tokens required"
assert_contains "$(body_json .error.message)" max_tokens
req POST /v1/messages -H 'x-api-key: wrong' -H 'anthropic-version: 2023-06-01' --data-binary "$AN"
assert_eq "401 authentication_error" "$STATUS $(body_json .error.type)" "anthropic wrong key"
assert_eq error "$(body_json .type)"

# ---------------------------------------------------------------- Gemini

gemini generateContent "$GE"
assert_eq 200 "$STATUS" "gemini non-stream status"
assert_eq "Hello from fake gemini." "$(body_json '.candidates[0].content.parts[0].text')"
assert_eq "STOP model" "$(body_json '"\(.candidates[0].finishReason) \(.candidates[0].content.role)"')"
assert_eq "6 4 10" "$(body_json '.usageMetadata | "\(.promptTokenCount) \(.candidatesTokenCount) \(.totalTokenCount)"')"

req POST '/v1beta/models/gemini-2.5-flash:generateContent?key=test-key' --data-binary "$GE"
assert_eq 200 "$STATUS" "gemini key= query parameter"
req POST /v1beta/models/gemini-2.5-flash:generateContent --data-binary "$GE"
assert_eq "403 PERMISSION_DENIED" "$STATUS $(body_json .error.status)" "gemini without key"
req POST /v1beta/models/gemini-2.5-flash:generateContent -H 'x-goog-api-key: nope' --data-binary "$GE"
assert_eq "400 API_KEY_INVALID" "$STATUS $(body_json '.error.details[0].reason')" "gemini wrong key"

gemini 'streamGenerateContent?alt=sse' "$GE"
assert_eq 200 "$STATUS" "gemini stream status"
assert_contains "$BODY" $'}\r\n\r\ndata: ' "gemini events are separated by CRLF CRLF"
assert_eq 0 "$(grep -c $'[^\r]$' "$TMP/body" || true)" "every gemini line ends in CR"
assert_not_contains "$BODY" '[DONE]'
assert_eq "Hello from fake gemini." "$(sse_json | jq -j '.candidates[0].content.parts[0].text // empty')"
assert_eq "STOP 4" "$(sse_json | tail -n 1 | jq -r '"\(.candidates[0].finishReason) \(.usageMetadata.candidatesTokenCount)"')"
assert_eq 1 "$(sse_json | jq -s '[.[] | select(.candidates[0].finishReason)] | length')" "only the last chunk finishes"

gemini streamGenerateContent "$GE"
assert_eq "array 5" "$(body_json '"\(type) \(length)"')" "streamGenerateContent without alt=sse is a JSON array"

# ---------------------------------------------------------------- model lists

req GET /v1/models -H 'Authorization: Bearer test-key'
assert_eq "list gpt-4o-mini" "$(body_json '"\(.object) \(.data[0].id)"')" "openai model list"
req GET /v1/models -H 'x-api-key: test-key' -H 'anthropic-version: 2023-06-01'
assert_eq "claude-haiku-4-5 false" "$(body_json '"\(.data[0].id) \(.has_more)"')" "anthropic model list"
req GET '/v1beta/models?key=test-key'
assert_eq models/gemini-2.5-flash "$(body_json '.models[0].name')" "gemini model list"

# ---------------------------------------------------------------- stats

fake_reset
assert_eq "0 0" "$(fake_stats '"\(.requests) \(.steps_remaining)"')" "reset clears counters"
openai "$OA" -H 'X-Test-Header: yes'
anthropic "$AN"
gemini 'generateContent?key=test-key' "$GE"
req GET /no/such/route
assert_eq 404 "$STATUS" "unknown route"
assert_eq 4 "$(fake_stats .requests)" "every request counted"
assert_eq 1 "$(fake_stats '.by_path["/v1/chat/completions"]')"
assert_eq 1 "$(fake_stats '.by_path["/no/such/route"]')" "unknown routes are counted too"
assert_eq "3 1" "$(fake_stats '"\(.by_status["200"]) \(.by_status["404"])"')"
assert_eq 4 "$(fake_stats '.recent | length')"
assert_eq "Bearer test-key yes" "$(fake_stats '.recent[0].headers | "\(.authorization) \(.["x-test-header"])"')" "headers are recorded"
assert_eq "gpt-4o-mini" "$(fake_stats '.recent[0].body.model')" "JSON bodies are recorded parsed"
assert_eq "test-key" "$(fake_stats '.recent[2].query.key')" "query is recorded"
assert_eq "/no/such/route GET" "$(fake_stats '"\(.last_request.path) \(.last_request.method)"')"
assert_eq 0 "$(fake_stats .in_flight)"

# ---------------------------------------------------------------- scripted errors

fake_reset
fake_script '[{"status":429,"retry_after":2,"json":{"error":{"message":"Rate limit reached","type":"tokens","param":null,"code":"rate_limit_exceeded"}}}]'
assert_eq 1 "$(fake_stats .steps_remaining)"
openai "$OA"
assert_eq 429 "$STATUS" "scripted 429"
assert_eq 2 "$(header retry-after)" "Retry-After header"
assert_eq 0 "$(header x-ratelimit-remaining-requests)"
assert_eq "tokens rate_limit_exceeded" "$(body_json '"\(.error.type) \(.error.code)"')"
openai "$OA"
assert_eq 200 "$STATUS" "the step is used up; the next request gets the default answer"
assert_eq "1 1" "$(fake_stats '"\(.by_status["429"]) \(.by_status["200"])"')"

# The `error` shorthand is rendered in each route's native envelope.
fake_script '[{"error":{"type":"overloaded_error"}}, {"status":429,"retry_after":3}, {"status":503}]'
anthropic "$AN"
assert_eq "529 overloaded_error Overloaded" "$STATUS $(body_json '"\(.error.type) \(.error.message)"')" "anthropic 529 from the error type"
gemini generateContent "$GE"
assert_eq "429 RESOURCE_EXHAUSTED 429" "$STATUS $(body_json '"\(.error.status) \(.error.code)"')" "gemini 429"
assert_eq 3s "$(body_json '.error.details[] | select(."@type" | endswith("RetryInfo")) | .retryDelay')" "gemini RetryInfo"
assert_eq "" "$(header retry-after)" "gemini sends no Retry-After header"
openai "$OA"
assert_eq "503 server_error" "$STATUS $(body_json .error.type)" "openai 503 default envelope"

# `match` limits a step to one route; other requests skip over it.
fake_script '[{"match":"/v1/messages","status":500}, {"text":"Scripted answer.","finish":"length","usage":{"input":100,"output":7,"cached":40,"reasoning":3}}]'
openai "$OA"
assert_eq "Scripted answer. length" "$(body_json '"\(.choices[0].message.content) \(.choices[0].finish_reason)"')" "scripted text and finish"
assert_eq "100 7 40 3" "$(body_json '.usage | "\(.prompt_tokens) \(.completion_tokens) \(.prompt_tokens_details.cached_tokens) \(.completion_tokens_details.reasoning_tokens)"')" "usage override"
assert_eq 1 "$(fake_stats .steps_remaining)" "the anthropic-only step is still queued"
anthropic "$AN"
assert_eq "500 api_error" "$STATUS $(body_json .error.type)" "matched step applied on anthropic"

fake_script '[{"finish":"stop_sequence","stop_sequence":"END"}, {"finish":"refusal"}, {"finish":"SAFETY"}, {"block":"PROHIBITED_CONTENT"}, {"finish":"MAX_TOKENS","text":"","usage":{"reasoning":50}}]'
anthropic "$AN"
assert_eq "stop_sequence END" "$(body_json '"\(.stop_reason) \(.stop_sequence)"')"
anthropic "$AN"
assert_eq "refusal cyber " "$(body_json '"\(.stop_reason) \(.stop_details.category) \(.content[0].text)"')" "refusal with empty text"
gemini generateContent "$GE"
assert_eq "SAFETY false" "$(body_json '"\(.candidates[0].finishReason) \(.candidates[0] | has("content"))"')" "SAFETY has no content"
gemini generateContent "$GE"
assert_eq "PROHIBITED_CONTENT false" "$(body_json '"\(.promptFeedback.blockReason) \(has("candidates"))"')" "prompt block"
gemini generateContent "$GE"
assert_eq "MAX_TOKENS false 50" "$(body_json '"\(.candidates[0].finishReason) \(.candidates[0] | has("content")) \(.usageMetadata.thoughtsTokenCount)"')" "thinking ate the budget"

fake_script '[{"status":200,"body":"<html>502 Bad Gateway</html>","content_type":"text/html","headers":{"X-Custom":"1"}}]'
openai "$OA"
assert_eq "200 <html>502 Bad Gateway</html>" "$STATUS $BODY" "raw body"
assert_contains "$(header content-type)" text/html
assert_eq 1 "$(header x-custom)"

# A bad step is rejected at POST time with the field named.
req POST /_control/script --data-binary '[{"stauts":500}]'
assert_eq 400 "$STATUS" "typo in a step is rejected"
assert_contains "$BODY" stauts

# ---------------------------------------------------------------- stream faults

fake_script '[{"stream_cut_after":3}]'
openai "$OA_STREAM"
assert_eq "0 3" "$CURL_RC $(sse_data | wc -l)" "clean cut after 3 events"
assert_not_contains "$BODY" '[DONE]'

fake_script '[{"stream_cut_after":2,"stream_cut_hard":true}]'
anthropic "$AN_STREAM"
assert_eq 18 "$CURL_RC" "hard cut: transfer closed with outstanding data"
assert_eq 2 "$(sse_data | wc -l)"

fake_script '[{"stream_error":{"after":2,"message":"boom"}}, {"stream_error":{"after":4,"type":"overloaded_error"}}, {"stream_error":{"after":1,"type":"UNAVAILABLE"}}]'
openai "$OA_STREAM"
assert_eq "server_error boom" "$(sse_data | tail -n 1 | jq -r '"\(.error.type) \(.error.message)"')" "openai mid-stream error"
assert_eq 3 "$(sse_data | wc -l)"
anthropic "$AN_STREAM"
assert_eq "error" "$(tr -d '\r' <"$TMP/body" | sed -n 's/^event: //p' | tail -n 1)" "anthropic event: error"
assert_eq overloaded_error "$(sse_data | tail -n 1 | jq -r .error.type)"
assert_not_contains "$BODY" message_stop
gemini 'streamGenerateContent?alt=sse' "$GE"
assert_eq "503 UNAVAILABLE" "$(sse_data | tail -n 1 | jq -r '"\(.error.code) \(.error.status)"')" "gemini mid-stream error"

fake_script '[{"crlf":true}]'
openai "$OA_STREAM"
assert_eq 0 "$(grep -c $'[^\r]$' "$TMP/body" || true)" "crlf: every line ends in CR"
assert_eq "Hello from fake openai." "$(sse_json | jq -j '.choices[0].delta.content // empty')"
fake_script '[{"crlf":false}]'
gemini 'streamGenerateContent?alt=sse' "$GE"
assert_not_contains "$BODY" $'\r' "crlf:false turns gemini's CRLF off"

# chunk_bytes: the body arrives in many small reads, but unchanged.
openai "$OA_STREAM"
whole=$(sse_json | jq -j '.choices[0].delta.content // empty')
fake_script '[{"chunk_bytes":7}]'
curl -sS --max-time 30 --trace-ascii "$TMP/trace" -o "$TMP/body" -H 'Authorization: Bearer test-key' \
  --data-binary "$OA_STREAM" "$FAKE_URL/v1/chat/completions"
reads=$(grep -c '^<= Recv data' "$TMP/trace" || true)
if ((reads < 20)); then fail "chunk_bytes: expected many small reads, curl saw $reads"; fi
assert_eq "$whole" "$(sse_json | jq -j '.choices[0].delta.content // empty')" "chunked stream reassembles"
assert_eq '[DONE]' "$(sse_data | tail -n 1)"
fake_script '[{"chunk_bytes":5}]'
anthropic "$AN"
assert_eq "Hello from fake anthropic." "$(body_json '.content[0].text')" "chunk_bytes on a JSON body"

fake_script '[{"drop_connection":true}]'
openai "$OA"
assert_eq "52 000" "$CURL_RC $STATUS" "drop_connection: empty reply"
assert_eq 1 "$(fake_stats '.by_status["0"]')" "a dropped request is counted with status 0"
openai "$OA"
assert_eq 200 "$STATUS" "the server is fine after a drop"

# answer_bytes: a 5 MB answer streamed in many events.
size=$((5 * 1024 * 1024))
fake_script "[{\"answer_bytes\":$size}]"
openai "$OA_STREAM"
assert_eq '[DONE]' "$(sse_data | tail -n 1)" "5 MB stream completes"
got=$(sse_json | jq -j '.choices[0].delta.content // empty' | md5sum)
expected=$(yes 'The quick brown fox jumps over the lazy dog.' | head -c "$size" | md5sum || true)
assert_eq "$expected" "$got" "5 MB stream content"
fake_script '[{"answer_bytes":1000}]'
anthropic "$AN"
assert_eq 1000 "$(body_json '.content[0].text | length')" "answer_bytes non-stream"

# event_delay_ms spaces out events (time-to-first-token tests).
fake_script '[{"event_delay_ms":100}]'
start=$(date +%s%N)
openai "$OA_STREAM"
elapsed_ms=$((($(date +%s%N) - start) / 1000000))
if ((elapsed_ms < 600)); then fail "event_delay_ms: 8 events took only ${elapsed_ms} ms"; fi
ASSERTIONS=$((ASSERTIONS + 1))

# ---------------------------------------------------------------- concurrency

fake_reset
fake_script '[{"delay_ms":800,"times":8}]'
pids=()
for i in 1 2 3 4 5 6 7 8; do
  curl -sS --max-time 30 -o "$TMP/par.$i" -H 'Authorization: Bearer test-key' \
    --data-binary "$OA" "$FAKE_URL/v1/chat/completions" &
  pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid"; done
assert_eq 8 "$(fake_stats .requests)"
assert_eq 8 "$(fake_stats .max_in_flight)" "8 delayed requests ran at once"
assert_eq 0 "$(fake_stats .in_flight)"
assert_eq "Hello from fake openai." "$(jq -r '.choices[0].message.content' "$TMP/par.8")"

# ---------------------------------------------------------------- default step, shutdown

fake_default_step '{"text":"Always this."}'
openai "$OA"
assert_eq "Always this." "$(body_json '.choices[0].message.content')" "default step"
fake_default_step null
openai "$OA"
assert_eq "Hello from fake openai." "$(body_json '.choices[0].message.content')" "default step cleared"

# --default-step on the command line, e.g. for benchmarks.
start_fake --default-step '{"text":"From the flag.","match":"chat"}' --quiet
openai "$OA"
assert_eq "From the flag." "$(body_json '.choices[0].message.content')" "--default-step"

pid=$FAKE_PID
req POST /_control/shutdown --data-binary ''
assert_eq 200 "$STATUS" "shutdown route"
# The fake removes its port file as the last thing before exiting.
wait_until 5 test ! -e "$TMP/fake.port"
rc=0
wait "$pid" || rc=$?
FAKE_PID=""
assert_eq 0 "$rc" "fake_provider exits cleanly after /_control/shutdown"

pass
