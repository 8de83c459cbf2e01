#!/usr/bin/env bash
# The fallback chain (README step 5): a primary whose retries are spent, or
# that fails in a way retrying cannot cure (401/403/404, exhausted quota),
# hands over to the next provider; a bad request stops at once; a
# context-length error moves only to a model with a larger window; a stream
# falls back only before its first byte reached stdout.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=resilience_lib.sh
source "$(dirname "$0")/resilience_lib.sh"

start_fake
res_env

OA=chat/completions
AN=/v1/messages
GE=models/gemini

call() {  # call ARGS...: complete with the given args; record in $TMP/rec.json
  : >"$TMP/calls.jsonl"
  llm complete "$@" "hello fallback" </dev/null
  last_record
}

# ------------------------------------------------ retries spent, then the fallback answers
fake_reset
fake_script "[{\"match\":\"$OA\",\"status\":500,\"times\":3}]"
call -p openai --fallback anthropic:claude-haiku-4-5 --json
assert_exit 0 "500×3 then fallback exits 0"
assert_eq 3 "$(fake_requests $OA)" "primary tried 1 + LLM_MAX_RETRIES times"
assert_eq 1 "$(fake_requests $AN)" "fallback contacted once"
assert_eq "500:provider_error 500:provider_error 500:provider_error 200:null" "$(attempts_of)"
assert_json '[.attempts[].provider] | join(",")' "openai,openai,openai,anthropic" "$TMP/rec.json"
assert_json .fallback_used true "$TMP/rec.json"
assert_json .provider anthropic "$TMP/rec.json"
assert_json .model claude-haiku-4-5 "$TMP/rec.json"
assert_json .error_type null "$TMP/rec.json"
assert_json .price_source builtin "$TMP/rec.json"
# Priced at the fallback's rates: claude-haiku-4-5 is $1 / $5 per million.
assert_json '(.cost_usd * 1e9 | round) == ((.input_tokens * 1000) + (.output_tokens * 5000))' true "$TMP/rec.json"
assert_json .text "Hello from fake anthropic."
# stdout JSON and the stored record agree.
assert_json .request_id "$(json_get .request_id "$TMP/rec.json")"

# The same chain from LLM_FALLBACKS.
fake_reset
fake_script "[{\"match\":\"$OA\",\"status\":503,\"times\":3}]"
: >"$TMP/calls.jsonl"
llm_env LLM_FALLBACKS=gemini:gemini-2.5-flash -- complete -p openai --json "hello fallback" </dev/null
last_record
assert_exit 0 "LLM_FALLBACKS: exit 0"
assert_json .provider gemini "$TMP/rec.json"
assert_json .model gemini-2.5-flash "$TMP/rec.json"
assert_json .fallback_used true "$TMP/rec.json"
assert_eq 1 "$(fake_requests $GE)" "LLM_FALLBACKS: gemini contacted"

# --fallback replaces LLM_FALLBACKS.
fake_reset
fake_script "[{\"match\":\"$OA\",\"status\":503,\"times\":3}]"
: >"$TMP/calls.jsonl"
llm_env LLM_FALLBACKS=gemini:gemini-2.5-flash -- complete -p openai --fallback anthropic:claude-haiku-4-5 --json hi </dev/null
last_record
assert_exit 0
assert_json .provider anthropic "$TMP/rec.json" 
assert_eq 0 "$(fake_requests $GE)" "--fallback replaces LLM_FALLBACKS"

# Other primaries: Anthropic 529 → OpenAI; Gemini 503 → Anthropic.
fake_reset
fake_script "[{\"match\":\"$AN\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"},\"times\":3}]"
call -p anthropic --fallback openai:gpt-4o-mini --json
assert_exit 0 "anthropic 529×3 → openai"
assert_eq "529:provider_error 529:provider_error 529:provider_error 200:null" "$(attempts_of)"
assert_json .provider openai "$TMP/rec.json"
fake_reset
fake_script "[{\"match\":\"$GE\",\"status\":503,\"times\":3}]"
call -p gemini --fallback anthropic:claude-haiku-4-5 --json
assert_exit 0 "gemini 503×3 → anthropic"
assert_eq "503:provider_error 503:provider_error 503:provider_error 200:null" "$(attempts_of)"
assert_json .provider anthropic "$TMP/rec.json"

# The fallback has its own retries.
fake_reset
fake_script "[{\"match\":\"$OA\",\"status\":500,\"times\":3},{\"match\":\"$AN\",\"status\":503}]"
call -p openai --fallback anthropic:claude-haiku-4-5 --json
assert_exit 0
assert_eq "500:provider_error 500:provider_error 500:provider_error 503:provider_error 200:null" "$(attempts_of)" "the fallback is retried too"

# Every provider fails: exit 8, every attempt recorded.
fake_reset
fake_script "[{\"match\":\"$OA\",\"status\":500,\"times\":3},{\"match\":\"$AN\",\"status\":500,\"times\":3}]"
call -p openai --fallback anthropic:claude-haiku-4-5 --json
assert_exit 8 "the whole chain fails: exit 8"
assert_eq 6 "$(json_get '.attempts | length' "$TMP/rec.json")" "3 + 3 attempts"
assert_json .error_type provider_error "$TMP/rec.json"
assert_json .fallback_used false "$TMP/rec.json"
assert_json .finish_reason error "$TMP/rec.json"

# ------------------------------------------------ next provider at once: 401, 403, 404, quota
for st in 401 403 404; do
  fake_reset
  fake_script "[{\"match\":\"$OA\",\"status\":$st,\"times\":3}]"
  call -p openai --fallback anthropic:claude-haiku-4-5 --json
  assert_exit 0 "$st → fallback: exit 0"
  assert_eq 1 "$(fake_requests $OA)" "$st: primary not retried"
  assert_eq 1 "$(fake_requests $AN)" "$st: fallback contacted"
  assert_json '.attempts[0].status' "$st" "$TMP/rec.json"
  assert_json '.attempts | length' 2 "$TMP/rec.json"
  assert_json .provider anthropic "$TMP/rec.json"
  assert_json .fallback_used true "$TMP/rec.json"
  # The call's own duration, as recorded: a sanitized build under load can
  # take seconds just to start a process.
  assert_between 0 1500 "$(json_get '.latency_ms | floor' "$TMP/rec.json")" \
    "$st: no backoff before the fallback (ms)"
done
fake_reset
fake_script "[{\"match\":\"$OA\",\"status\":401}]"
call -p openai --fallback anthropic:claude-haiku-4-5 --json
assert_eq "401:auth 200:null" "$(attempts_of)" "401 is an auth failure"

fake_reset
fake_script "[{\"match\":\"$OA\",\"status\":429,\"error\":{\"type\":\"insufficient_quota\",\"code\":\"insufficient_quota\",\"message\":\"You exceeded your current quota\"},\"times\":3}]"
call -p openai --fallback anthropic:claude-haiku-4-5 --json
assert_exit 0 "quota → fallback: exit 0"
assert_eq 1 "$(fake_requests $OA)" "quota: primary not retried"
assert_eq "429:rate_limited 200:null" "$(attempts_of)"
assert_json .provider anthropic "$TMP/rec.json"

fake_reset
fake_script "[{\"match\":\"$AN\",\"status\":429,\"json\":{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"You have reached your specified workspace API usage limits.\",\"details\":{\"error_code\":\"enforced_spend_limit_reached\"}}},\"times\":3}]"
call -p anthropic --fallback openai:gpt-4o-mini --json
assert_exit 0 "spend limit → fallback: exit 0"
assert_eq 1 "$(fake_requests $AN)" "spend limit: primary not retried"
assert_json .provider openai "$TMP/rec.json"

# ------------------------------------------------ 400 invalid request: stop, no fallback
fake_reset
fake_script "[{\"match\":\"$OA\",\"status\":400,\"error\":{\"type\":\"invalid_request_error\",\"param\":\"temperature\",\"code\":\"invalid_value\",\"message\":\"Invalid value for 'temperature': decimal above maximum value.\"},\"times\":3}]"
call -p openai --fallback anthropic:claude-haiku-4-5 --json
assert_exit 8 "400 stops: exit 8"
assert_eq 1 "$(fake_requests $OA)" "400: not retried"
assert_eq 0 "$(fake_requests $AN)" "400: fallback never contacted"
assert_eq "400:invalid_request" "$(attempts_of)"
assert_json .error_type invalid_request "$TMP/rec.json"
assert_contains "$LLM_STDERR" "Invalid value for 'temperature'" "the provider's message is shown"

# Content-filter stop: not routed around.
fake_reset
fake_script "[{\"match\":\"$OA\",\"finish\":\"content_filter\",\"times\":3}]"
call -p openai --fallback anthropic:claude-haiku-4-5 --json
assert_exit 8 "content filter: exit 8"
assert_eq 0 "$(fake_requests $AN)" "content filter: fallback never contacted"
assert_json .error_type content_filter "$TMP/rec.json"

# ------------------------------------------------ context length: only to a larger window
# gpt-4o-mini (128k) → claude-haiku-4-5 (200k): larger, tried.
fake_reset
fake_script "[{\"match\":\"$OA\",\"status\":400,\"error\":{\"type\":\"invalid_request_error\",\"param\":\"messages\",\"code\":\"context_length_exceeded\",\"message\":\"This model's maximum context length is 128000 tokens. However, your messages resulted in 130001 tokens.\"}}]"
call -p openai --fallback anthropic:claude-haiku-4-5 --json
assert_exit 0 "context → larger window: exit 0"
assert_eq "400:context_window 200:null" "$(attempts_of)"
assert_eq 1 "$(fake_requests $OA)" "context: primary not retried"
assert_json .provider anthropic "$TMP/rec.json"

# gemini-2.5-flash (1M) → claude-haiku-4-5 (200k): smaller, skipped.
fake_reset
fake_script "[{\"match\":\"$GE\",\"status\":400,\"error\":{\"type\":\"INVALID_ARGUMENT\",\"message\":\"The input token count (1200293) exceeds the maximum number of tokens allowed (1048576).\"}}]"
call -p gemini --fallback anthropic:claude-haiku-4-5 --json
assert_exit 8 "context → only smaller windows: exit 8"
assert_eq "400:context_window 0:skipped" "$(attempts_of)" "the smaller fallback is a skipped attempt"
assert_json '.attempts[1].provider' anthropic "$TMP/rec.json"
assert_eq 0 "$(fake_requests $AN)" "the smaller fallback is not contacted"
assert_json .error_type context_window "$TMP/rec.json"

# claude-haiku-4-5 (200k) → gpt-4o-mini (128k, skipped) → gemini-2.5-flash (1M, tried).
fake_reset
fake_script "[{\"match\":\"$AN\",\"status\":400,\"error\":{\"type\":\"invalid_request_error\",\"message\":\"prompt is too long: 208423 tokens > 200000 maximum\"}}]"
call -p anthropic --fallback openai:gpt-4o-mini --fallback gemini:gemini-2.5-flash --json
assert_exit 0 "context → skip smaller, use larger: exit 0"
assert_eq "400:context_window 0:skipped 200:null" "$(attempts_of)"
assert_eq 0 "$(fake_requests $OA)" "gpt-4o-mini skipped"
assert_json .provider gemini "$TMP/rec.json"
assert_json .fallback_used true "$TMP/rec.json"

# ------------------------------------------------ streaming
# Failure before the first byte: falls back, one answer on stdout.
fake_reset
fake_script "[{\"match\":\"$OA\",\"status\":500,\"times\":3}]"
call -p openai --fallback anthropic:claude-haiku-4-5 --stream
assert_exit 0 "stream: 500 before first byte → fallback"
assert_eq "Hello from fake anthropic." "$LLM_STDOUT" "stream: only the fallback's answer"
assert_json .provider anthropic "$TMP/rec.json"
assert_json .fallback_used true "$TMP/rec.json"

fake_reset
fake_script "[{\"match\":\"$OA\",\"stream_error\":{\"after\":1,\"type\":\"server_error\"},\"times\":3}]"
call -p openai --fallback anthropic:claude-haiku-4-5 --stream
assert_exit 0 "stream: error event before text ×3 → fallback"
assert_eq 3 "$(fake_requests $OA)"
assert_eq "Hello from fake anthropic." "$LLM_STDOUT"

# Failure after text was printed: exit 8, no fallback, no second answer.
fake_reset
fake_script "[{\"match\":\"$OA\",\"text\":\"alpha beta gamma delta\",\"stream_cut_after\":3,\"stream_cut_hard\":true,\"times\":3}]"
call -p openai --fallback anthropic:claude-haiku-4-5 --stream
assert_exit 8 "stream: cut after text → exit 8"
assert_eq 1 "$(fake_requests $OA)" "stream after text: not retried"
assert_eq 0 "$(fake_requests $AN)" "stream after text: fallback never contacted"
assert_eq "alpha beta" "$LLM_STDOUT" "stream after text: only the first partial answer"
assert_json '.error != null' true "$TMP/rec.json"
assert_json .provider openai "$TMP/rec.json"
assert_json .fallback_used false "$TMP/rec.json"

fake_reset
fake_script "[{\"match\":\"$OA\",\"text\":\"alpha beta gamma delta\",\"stream_error\":{\"after\":3,\"type\":\"server_error\"},\"times\":3}]"
call -p openai --fallback anthropic:claude-haiku-4-5 --stream
assert_exit 8 "stream: error event after text → exit 8"
assert_eq 0 "$(fake_requests $AN)"
assert_eq "alpha beta" "$LLM_STDOUT"

pass
