#!/usr/bin/env bash
# shellcheck disable=SC2034  # LLM_ENV and LLM_UNSET are read by lib.sh
# A recorded cassette does not go stale: --cache only replays an entry
# whatever its age (no key, no server), LLM_CACHE_TTL_SECONDS=0 never
# expires, and a miss names the key part that differs from a stored entry
# for the same prompt.
source "$(dirname "$0")/lib.sh"

start_fake --quiet
LLM_ENV=(LLM_TEMPERATURE=0 LLM_MAX_RETRIES=0 LLM_CACHE_TTL_SECONDS=1)
fake_script '[{"text":"Paris.","usage":{"input":12,"output":2}}]'
llm complete --cache refresh "Capital of France?" </dev/null
assert_exit 0 "record"
llm cache export -o "$TMP/cassette.jsonl"
assert_exit 0 "export"
stop_fake

# Age the recording past its TTL, as a cassette committed last week is.
jq -c '.created = "2026-01-01T00:00:00.000Z" | .expires = "2026-01-02T00:00:00.000Z"' \
  "$TMP/cassette.jsonl" >"$TMP/aged.jsonl"
mkdir -p "$TMP/fresh"
LLM_ENV=(LLM_TEMPERATURE=0 "LLMCTL_DB=$TMP/fresh/llmctl.db")
LLM_UNSET=(OPENAI_API_KEY ANTHROPIC_API_KEY GOOGLE_API_KEY)
llm cache import "$TMP/aged.jsonl"
assert_exit 0 "import the aged cassette"
llm complete --cache only "Capital of France?" </dev/null
assert_exit 0 "--cache only replays an expired entry, without keys or server"
assert_eq "Paris." "$LLM_STDOUT"

# auto still treats the expired entry as absent: it goes to the (stopped)
# provider and fails.
LLM_UNSET=()
llm_env LLM_MAX_RETRIES=0 -- complete --cache auto "Capital of France?" </dev/null
assert_exit 8 "auto does not serve an expired entry"
LLM_UNSET=(OPENAI_API_KEY ANTHROPIC_API_KEY GOOGLE_API_KEY)

# A miss that differs only in the sampling parameters says so.
llm complete --cache only --temperature 0.7 "Capital of France?" </dev/null
assert_exit 8 "a different temperature misses"
assert_contains "$LLM_STDERR" "temperature (cached 0.0, requested 0.7)"
llm complete --cache only --max-tokens 77 -m gpt-4o "Capital of France?" </dev/null
assert_exit 8
assert_contains "$LLM_STDERR" "model (cached \"gpt-4o-mini\", requested \"gpt-4o\")"
assert_contains "$LLM_STDERR" "max_tokens (cached 2048, requested 77)"
llm complete --cache only "Capital of Spain?" </dev/null
assert_exit 8 "another prompt"
assert_not_contains "$LLM_STDERR" "differs in"
assert_contains "$LLM_STDERR" "cache import"

# ---------------------------------------------------------------- TTL 0: never expires
start_fake --quiet
LLM_UNSET=()
LLM_ENV=(LLM_TEMPERATURE=0 LLM_MAX_RETRIES=0 LLM_CACHE_TTL_SECONDS=0 "LLMCTL_DB=$TMP/ttl0.db")
fake_script '[{"text":"Forever.","usage":{"input":5,"output":2}}]'
llm complete "Keep me" </dev/null
assert_exit 0 "record with TTL 0"
expires=$(sqlite3 "$TMP/ttl0.db" 'SELECT expires_ms FROM cache_entries')
now_ms=$(($(date +%s) * 1000))
((expires > now_ms + 100 * 365 * 86400 * 1000)) || fail "TTL 0 entry expires at $expires (now $now_ms)"
ASSERTIONS=$((ASSERTIONS + 1))
llm cache prune
assert_exit 0
assert_eq 1 "$(sqlite3 "$TMP/ttl0.db" 'SELECT COUNT(*) FROM cache_entries')" "prune keeps a never-expiring entry"
llm complete "Keep me" </dev/null
assert_exit 0
assert_eq "Forever." "$LLM_STDOUT"
assert_eq 1 "$(fake_stats .requests)" "served from the cache"
llm cache export
assert_exit 0
assert_match "$(jq -r .expires "$LLM_OUT")" '^9999-' "exported expiry"

pass
