#!/usr/bin/env bash
# shellcheck disable=SC2034  # LLM_ENV is read by lib.sh
# A call whose every provider rejected its key is a configuration error
# (exit 3) naming the providers and the variables to fix; a fallback chain
# that fails names every provider tried; a successful fallback says on
# stderr which provider answered (not with -q).
source "$(dirname "$0")/lib.sh"

start_fake --quiet
LLM_ENV=(LLM_MAX_RETRIES=0 LLM_BREAKER_THRESHOLD=0 LLM_CACHE=off)
OA=chat/completions
AN=/v1/messages

# ---------------------------------------------------------------- every key rejected
fake_script "[{\"match\":\"$OA\",\"status\":401},{\"match\":\"$AN\",\"status\":403}]"
llm complete -p openai --fallback anthropic:claude-haiku-4-5 "hello" </dev/null
assert_exit 3 "401 then 403: a configuration error"
assert_eq "" "$LLM_STDOUT"
errline=$(grep 'error:' <<<"$LLM_STDERR")
assert_contains "$errline" "authentication failed"
assert_contains "$errline" "openai rejected its key (HTTP 401"
assert_contains "$errline" "anthropic rejected its key (HTTP 403"
assert_contains "$errline" "OPENAI_API_KEY for openai"
assert_contains "$errline" "ANTHROPIC_API_KEY for anthropic"
assert_not_contains "$LLM_STDERR" "test-key" "the key itself is never shown"
llm logs -n 1
assert_json .error_type auth

fake_script '[{"status":401}]'
llm complete -p gemini "hello" </dev/null
assert_exit 3 "a single provider's rejected key"
assert_contains "$LLM_STDERR" "GOOGLE_API_KEY or GEMINI_API_KEY"

# ---------------------------------------------------------------- mixed failures: every provider named
fake_script "[{\"match\":\"$OA\",\"status\":500},{\"match\":\"$AN\",\"status\":401}]"
llm complete -p openai --fallback anthropic:claude-haiku-4-5 "hello" </dev/null
assert_exit 8 "a server error and a rejected key: a provider failure"
errline=$(grep 'error:' <<<"$LLM_STDERR")
assert_contains "$errline" "every provider failed: openai (HTTP 500 provider_error), anthropic (HTTP 401 auth)"

# ---------------------------------------------------------------- a successful fallback says so
fake_script "[{\"match\":\"$OA\",\"status\":503}]"
llm complete -p openai --fallback anthropic:claude-haiku-4-5 "hello" </dev/null
assert_exit 0
assert_eq "Hello from fake anthropic." "$LLM_STDOUT"
assert_contains "$LLM_STDERR" "answered by fallback anthropic:claude-haiku-4-5 after openai (HTTP 503"
fake_script "[{\"match\":\"$OA\",\"status\":503}]"
llm complete -q -p openai --fallback anthropic:claude-haiku-4-5 "hello" </dev/null
assert_exit 0
assert_eq "" "$LLM_STDERR" "-q keeps the fallback note off stderr"
# No fallback, no note.
llm complete -p openai "hello" </dev/null
assert_exit 0
assert_not_contains "$LLM_STDERR" "answered by fallback"

pass
