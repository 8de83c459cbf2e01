#!/usr/bin/env bash
# shellcheck disable=SC2034  # LLM_ENV is read by lib.sh
# The cache and the circuit breaker live in Redis too: an answer recorded on
# one machine is a hit on another, cache commands act on Redis, entries
# expire natively, and an endpoint opened on one machine is skipped on the
# other.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=redis_lib.sh
source "$(dirname "$0")/redis_lib.sh"

start_fake --quiet
fake_default_step '{"text":"the answer","usage":{"input":10,"output":5}}'
start_redis
LLM_ENV=(LLM_CACHE=auto LLM_TEMPERATURE=0 LLM_MAX_RETRIES=0 "LLMCTL_REDIS_URL=$REDIS_URL" LLM_CACHE_TTL_SECONDS=3600)
A=(LLMCTL_DB="$TMP/machine_a.db")
B=(LLMCTL_DB="$TMP/machine_b.db")

llm_env "${A[@]}" -- complete --json "what is 6x7" </dev/null
assert_exit 0
assert_json .cache_hit false
llm_env "${B[@]}" -- complete --json "what is 6x7" </dev/null
assert_exit 0
assert_json .cache_hit true
assert_json .text "the answer"
assert_eq 1 "$(fake_stats .requests)" "the hit sent nothing"
ttl=$(rcli PTTL "$(rcli --scan --pattern 'llmctl:cache:e:*')")
((ttl > 3500000 && ttl <= 3600000)) || fail "the entry's native expiry is $ttl ms, not about 3600 s"
ASSERTIONS=$((ASSERTIONS + 1))

llm_env "${B[@]}" -- cache stats --json
assert_json .entries 1
assert_json .hits 1
assert_json .state_backend redis
llm_env "${A[@]}" -- cache export -o "$TMP/cassette.jsonl"
assert_exit 0
assert_eq 1 "$(wc -l <"$TMP/cassette.jsonl")" "export reads the Redis cache"
llm_env "${A[@]}" -- cache clear
assert_exit 0
assert_eq 0 "$(rcli --scan --pattern 'llmctl:cache:e:*' | wc -l)" "clear empties the Redis cache"
llm_env "${A[@]}" -- cache prune
assert_exit 0
llm_env "${B[@]}" -- cache import "$TMP/cassette.jsonl"
assert_exit 0
llm_env "${A[@]}" -- complete --cache only "what is 6x7" </dev/null
assert_exit 0 "a cassette imported on B replays on A"
assert_eq "the answer" "$LLM_STDOUT"
assert_eq 0 "$(sqlite3 "$TMP/machine_a.db" "SELECT COUNT(*) FROM cache_entries")" "nothing cached locally"

# ------------------------------------------------ breaker
fake_reset
fake_default_step '{"status":500}'
LLM_ENV=(LLM_CACHE=off LLM_MAX_RETRIES=0 "LLMCTL_REDIS_URL=$REDIS_URL" LLM_BREAKER_THRESHOLD=2 LLM_BREAKER_COOLDOWN_SECONDS=60)
for i in 1 2; do
  llm_env "${A[@]}" -- complete -p openai hello </dev/null
  assert_exit 8 "failure $i on machine A"
done
before=$(fake_stats .requests)
llm_env "${B[@]}" -- complete -p openai --fallback anthropic:claude-haiku-4-5 --json hello </dev/null
assert_json '.attempts[0].error_type' skipped
assert_eq $((before + 1)) "$(fake_stats .requests)" "only the fallback was contacted"
llm_env "${B[@]}" -- config-check
assert_match "$LLM_STDOUT" "warn  breaker openai .*open" "config-check on B shows the open breaker"
pass
