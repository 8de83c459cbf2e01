#!/usr/bin/env bash
# Retry classification of transport and body faults, per provider: timeout
# (delay beyond LLM_TIMEOUT_SECONDS=1), connection refused, connection dropped
# / reset mid-body, malformed JSON with 200, a stream cut before or after
# text, and a mid-stream error event before or after text. Broken streams are
# retried only while nothing reached stdout; afterwards the call ends with
# exit 8 and stdout holds only the first, partial answer.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=resilience_lib.sh
source "$(dirname "$0")/resilience_lib.sh"

dead_port
start_fake
res_env

call() {  # call PROVIDER [ARGS...]: one call; record in $TMP/rec.json
  local p=$1
  shift
  : >"$TMP/calls.jsonl"
  llm complete -p "$p" "$@" "hello resilience" </dev/null
  last_record
}

# Events before the first text delta: OpenAI role chunk; Anthropic
# message_start, content_block_start, ping; Gemini none.
before_text() { case $1 in openai) echo 1 ;; anthropic) echo 3 ;; gemini) echo 0 ;; esac; }
mid_error_type() { case $1 in openai) echo server_error ;; anthropic) echo overloaded_error ;; gemini) echo UNAVAILABLE ;; esac; }

TEXT="alpha beta gamma delta epsilon"

for p in openai anthropic gemini; do
  m=$(match_of "$p")
  bt=$(before_text "$p")
  at=$((bt + 2))  # two words printed

  # ------------------------------------------------ timeout, then success
  fake_reset
  fake_script "[{\"match\":\"$m\",\"delay_ms\":2500}]"
  call "$p" --json
  assert_exit 0 "$p timeout then success exits 0"
  assert_eq 2 "$(fake_requests)" "$p timeout: retried"
  assert_eq "0:timeout 200:null" "$(attempts_of)" "$p timeout attempts"
  assert_between 900 2000 "$(json_get '.attempts[0].latency_ms | floor' "$TMP/rec.json")" \
    "$p timeout: the attempt was cut at LLM_TIMEOUT_SECONDS=1 (ms)"
  assert_between 950 2200 "$(fake_gaps)" "$p timeout: next request ~1 s later"

  # ------------------------------------------------ connection refused (nothing listens)
  start=$(now_ms)
  : >"$TMP/calls.jsonl"
  case $p in
    openai) llm_env "OPENAI_BASE_URL=http://127.0.0.1:$DEAD_PORT/v1" -- complete -p "$p" --json hi </dev/null ;;
    anthropic) llm_env "ANTHROPIC_BASE_URL=http://127.0.0.1:$DEAD_PORT" -- complete -p "$p" --json hi </dev/null ;;
    gemini) llm_env "GEMINI_BASE_URL=http://127.0.0.1:$DEAD_PORT" -- complete -p "$p" --json hi </dev/null ;;
  esac
  elapsed=$(($(now_ms) - start))
  last_record
  assert_exit 8 "$p connection refused exits 8"
  assert_eq "0:network 0:network 0:network" "$(attempts_of)" "$p refused: 1 + 2 retries, all network"
  assert_json .error_type network "$TMP/rec.json"
  assert_between 0 3000 "$elapsed" "$p refused: fails fast (ms)"

  # ------------------------------------------------ connection dropped without a response
  fake_reset
  fake_script "[{\"match\":\"$m\",\"drop_connection\":true}]"
  call "$p" --json
  assert_exit 0 "$p dropped connection then success exits 0"
  assert_eq 2 "$(fake_requests)" "$p drop: retried"
  assert_eq 1 "$(fake_stats '.by_status["0"] // 0')" "$p drop: the fake saw one dropped connection"
  assert_eq "0:network 200:null" "$(attempts_of)" "$p drop attempts"

  # ------------------------------------------------ malformed JSON with 200
  fake_reset
  fake_script "[{\"match\":\"$m\",\"body\":\"{\\\"id\\\": \\\"x\\\", \\\"choices\\\": [\",\"content_type\":\"application/json\"}]"
  call "$p" --json
  assert_exit 0 "$p malformed 200 then success exits 0"
  assert_eq 2 "$(fake_requests)" "$p malformed: retried"
  assert_eq "200:provider_error 200:null" "$(attempts_of)" "$p malformed attempts"

  fake_reset
  fake_script "[{\"match\":\"$m\",\"body\":\"not json at all\",\"content_type\":\"application/json\",\"times\":3}]"
  call "$p" --json
  assert_exit 8 "$p malformed ×3 exits 8"
  assert_eq 3 "$(fake_requests)" "$p malformed ×3: all attempts used"
  assert_json .error_type provider_error "$TMP/rec.json"

  # ------------------------------------------------ streams: reset mid-body before any text
  fake_reset
  fake_script "[{\"match\":\"$m\",\"stream_cut_after\":$bt,\"stream_cut_hard\":true,\"text\":\"$TEXT\"},{\"match\":\"$m\",\"text\":\"$TEXT\"}]"
  call "$p" --stream
  assert_exit 0 "$p stream reset before text then success exits 0"
  assert_eq 2 "$(fake_requests)" "$p stream reset before text: retried"
  assert_eq "$TEXT" "$LLM_STDOUT" "$p stream reset before text: one clean answer"
  assert_eq 2 "$(json_get '.attempts | length' "$TMP/rec.json")" "$p stream reset: two attempts"
  assert_json '.attempts[0].error_type' network "$TMP/rec.json"
  assert_json '.attempts[1].error_type' null "$TMP/rec.json"
  assert_json '.ttft_ms != null' true "$TMP/rec.json"

  # ------------------------------------------------ streams: clean cut (no terminator) before text
  fake_reset
  fake_script "[{\"match\":\"$m\",\"stream_cut_after\":$bt,\"text\":\"$TEXT\"},{\"match\":\"$m\",\"text\":\"$TEXT\"}]"
  call "$p" --stream
  assert_exit 0 "$p stream cut before text then success exits 0"
  assert_eq 2 "$(fake_requests)" "$p stream cut before text: retried"
  assert_eq "$TEXT" "$LLM_STDOUT" "$p stream cut before text: one clean answer"
  assert_json '.attempts[0].error_type != null' true "$TMP/rec.json"

  # ------------------------------------------------ streams: mid-stream error before text
  et=$(mid_error_type "$p")
  fake_reset
  fake_script "[{\"match\":\"$m\",\"stream_error\":{\"after\":$bt,\"type\":\"$et\"},\"text\":\"$TEXT\"},{\"match\":\"$m\",\"text\":\"$TEXT\"}]"
  call "$p" --stream
  assert_exit 0 "$p mid-stream $et before text then success exits 0"
  assert_eq 2 "$(fake_requests)" "$p mid-stream error before text: retried"
  assert_eq "$TEXT" "$LLM_STDOUT" "$p mid-stream error before text: one clean answer"
  assert_json '.attempts[0].error_type' provider_error "$TMP/rec.json"

  # ------------------------------------------------ after text: no retry, no second answer
  for kind in hard clean error; do
    fake_reset
    case $kind in
      hard) step="\"stream_cut_after\":$at,\"stream_cut_hard\":true" ;;
      clean) step="\"stream_cut_after\":$at" ;;
      error) step="\"stream_error\":{\"after\":$at,\"type\":\"$et\"}" ;;
    esac
    fake_script "[{\"match\":\"$m\",$step,\"text\":\"$TEXT\",\"times\":3}]"
    call "$p" --stream
    assert_exit 8 "$p stream $kind failure after text exits 8"
    assert_eq 1 "$(fake_requests)" "$p stream $kind after text: not retried"
    assert_eq "alpha beta" "$LLM_STDOUT" "$p stream $kind after text: only the partial first answer"
    assert_json '.error != null' true "$TMP/rec.json"
    assert_json .finish_reason error "$TMP/rec.json"
    assert_json '.attempts | length' 1 "$TMP/rec.json"
  done
done

# ------------------------------------------------ every attempt times out
fake_reset
fake_script '[{"match":"chat/completions","delay_ms":3000,"times":3}]'
start=$(now_ms)
call openai --json
elapsed=$(($(now_ms) - start))
assert_exit 8 "timeouts ×3 exit 8"
assert_eq 3 "$(fake_requests)" "timeouts ×3: three attempts"
assert_eq "0:timeout 0:timeout 0:timeout" "$(attempts_of)"
assert_json .error_type timeout "$TMP/rec.json"
assert_between 2900 6000 "$elapsed" "timeouts ×3: about 3 × 1 s plus backoff (ms)"

pass
