#!/usr/bin/env bash
# shellcheck disable=SC2034  # LLM_ENV and LLM_UNSET are read by lib.sh
# The response cache. Every parameter is part of the key; hits
# send nothing, cost nothing and print what the original printed (also with
# --json and --stream); modes auto/refresh/only; namespace and TTL; errors,
# truncated and filtered answers are never cached; cache stats/clear/prune.
source "$(dirname "$0")/lib.sh"

start_fake --quiet
# Each answer says which request it was, so a wrong hit cannot pass unseen.
fake_default_step '{"text":"answer","usage":{"input":1000,"output":200}}'
mkdir -p "$TMP/config/llmctl"
# A second provider name on the same server and protocol: only the
# provider differs from openai:gpt-4o-mini.
cat >"$TMP/config/llmctl/config.toml" <<EOF
[providers.twin]
base_url = "$FAKE_URL/v1"
api_key_env = "OPENAI_API_KEY"
default_model = "gpt-4o-mini"
EOF
LLM_ENV=(LLM_TEMPERATURE=0 LLM_MAX_RETRIES=0)
sent() { fake_stats .requests; }
entries() { db_query 'SELECT COUNT(*) FROM cache_entries'; }

# Runs one call; PROBE says whether it reached the fake: "miss" or "hit".
PROBE=""
probe() {
  local before
  before=$(sent)
  llm "$@" </dev/null
  if [[ $(sent) != "$before" ]]; then PROBE=miss; else PROBE=hit; fi
}

# ---------------------------------------------------------------- hit and miss
fake_script '[{"text":"first answer","usage":{"input":1000,"output":200}}]'
llm complete --json "What is 2+2?" </dev/null
assert_exit 0 "the first call misses"
assert_json .cache_hit false
# 1000 x 0.15 + 200 x 0.60 per million
assert_json '(.cost_usd * 1e9 | round)' 270000
assert_eq 1 "$(sent)"
assert_eq 1 "$(entries)" "a temperature-0 answer is stored"

llm complete "What is 2+2?" </dev/null
assert_exit 0 "a hit exits 0"
assert_eq "first answer" "$LLM_STDOUT" "the hit prints the stored answer"
assert_eq 1 "$(sent)" "a hit sends nothing"
llm logs -n 1
assert_json .cache_hit true
assert_json .cost_usd 0
# saved_cost_usd is what the call cost
assert_json '(.saved_cost_usd * 1e9 | round)' 270000
# the entry keeps the usage
assert_json .input_tokens 1000
assert_json .provider openai
assert_json .model gpt-4o-mini
assert_json .finish_reason stop

# Hits do not count against rate limits or budgets (README, step 2).
llm limits --json
cp "$LLM_OUT" "$TMP/limits_before.json"
llm_env LLM_RATE_LIMIT_TOKENS=1 LLM_RATE_LIMIT_REQUESTS=1 LLM_USER_DAILY_BUDGET_USD=0.000000001 -- \
  complete "What is 2+2?" </dev/null
assert_exit 0 "a hit is served even when every limit would refuse a real call"
assert_eq "first answer" "$LLM_STDOUT"
llm_env LLM_RATE_LIMIT_TOKENS=1 -- complete "Not cached yet" </dev/null
assert_exit 4 "(while a real call is refused)"
llm limits --json
assert_eq "$(jq -c '.window | del(.resets_in_seconds)' "$TMP/limits_before.json")" \
  "$(jq -c '.window | del(.resets_in_seconds)' "$LLM_OUT")" "a hit uses no quota"
assert_eq "$(jq -c .day "$TMP/limits_before.json")" "$(jq -c .day "$LLM_OUT")" "a hit spends nothing"

# Byte-identical stdout, including a final newline the answer lacked.
fake_script '[{"text":"multi\nline answer\n\n  spaced  ","usage":{"input":5,"output":5}}]'
llm complete "Exact bytes" </dev/null
cp "$LLM_OUT" "$TMP/miss.out"
llm complete "Exact bytes" </dev/null
cmp "$TMP/miss.out" "$LLM_OUT" || fail "a hit must print exactly what the miss printed"
ASSERTIONS=$((ASSERTIONS + 1))

# --json on a hit: the record of the hit plus the same text.
llm complete --json "Exact bytes" </dev/null
assert_exit 0
# hit with --json
assert_json .cache_hit true
assert_json .text $'multi\nline answer\n\n  spaced  '
assert_json .cost_usd 0
assert_json '.saved_cost_usd > 0' true

# --stream on a hit: printed at once, identical, nothing sent.
before=$(sent)
llm complete --stream "Exact bytes" </dev/null
assert_exit 0 "hit with --stream"
cmp "$TMP/miss.out" "$LLM_OUT" || fail "a streamed hit must print exactly what the miss printed"
ASSERTIONS=$((ASSERTIONS + 1))
assert_eq "$before" "$(sent)" "a streamed hit sends nothing"
# And an answer first streamed is served to a non-streamed call.
llm complete --stream "Streamed first" </dev/null
assert_exit 0
cp "$LLM_OUT" "$TMP/streamed.out"
probe complete "Streamed first"
assert_eq hit "$PROBE" "a streamed answer is cached"
cmp "$TMP/streamed.out" "$LLM_OUT" || fail "stream then non-stream output differs"
ASSERTIONS=$((ASSERTIONS + 1))

# ---------------------------------------------------------------- every parameter is in the key
llm complete -s "Be brief." --max-tokens 100 "Key base" </dev/null
assert_exit 0
probe complete -s "Be brief." --max-tokens 100 "Key base"
assert_eq hit "$PROBE" "same call: hit"
probe complete -m openai:gpt-4o -s "Be brief." --max-tokens 100 "Key base"
assert_eq miss "$PROBE" "model is in the key"
probe complete -m twin:gpt-4o-mini -s "Be brief." --max-tokens 100 "Key base"
assert_eq miss "$PROBE" "provider is in the key"
assert_exit 0 "the twin provider works"
probe complete -p anthropic -s "Be brief." --max-tokens 100 "Key base"
assert_eq miss "$PROBE" "provider (anthropic) is in the key"
probe complete -s "Be brief!" --max-tokens 100 "Key base"
assert_eq miss "$PROBE" "system is in the key"
probe complete --max-tokens 100 "Key base"
assert_eq miss "$PROBE" "no system differs from a system"
probe complete -s "Be brief." --max-tokens 100 "Key base."
assert_eq miss "$PROBE" "prompt is in the key"
probe complete -s "Be brief." --max-tokens 101 "Key base"
assert_eq miss "$PROBE" "max tokens is in the key"
# Temperature: store at 0.5 with refresh; an auto call at 0 must not get it.
probe complete --cache refresh --temperature 0.5 "Temp key"
assert_eq miss "$PROBE" "refresh stores at 0.5"
probe complete --temperature 0 "Temp key"
assert_eq miss "$PROBE" "temperature is in the key"
llm_env -u OPENAI_API_KEY -- complete --cache only --temperature 0.5 "Temp key" </dev/null
assert_exit 0 "the 0.5 entry is there (read with --cache only)"
llm_env -u OPENAI_API_KEY -- complete --cache only --temperature 0.6 "Temp key" </dev/null
assert_exit 8 "0.6 does not match the 0.5 entry"

# Messages files: roles, order and content are all in the key.
printf '%s' '[{"role":"user","content":"A"},{"role":"assistant","content":"B"},{"role":"user","content":"C"}]' >"$TMP/m1.json"
printf '%s' '[{"role":"user","content":"A"},{"role":"assistant","content":"B"},{"role":"user","content":"D"}]' >"$TMP/m2.json"
printf '%s' '[{"role":"user","content":"A"},{"role":"user","content":"B"},{"role":"user","content":"C"}]' >"$TMP/m3.json"
printf '%s' '[{"role":"system","content":"S"},{"role":"user","content":"A"},{"role":"assistant","content":"B"},{"role":"user","content":"C"}]' >"$TMP/m4.json"
probe complete --messages "$TMP/m1.json"
assert_eq miss "$PROBE"
probe complete --messages "$TMP/m1.json"
assert_eq hit "$PROBE" "same messages: hit"
probe complete --messages "$TMP/m2.json"
assert_eq miss "$PROBE" "message content is in the key"
probe complete --messages "$TMP/m3.json"
assert_eq miss "$PROBE" "message roles are in the key"
probe complete --messages "$TMP/m4.json"
assert_eq miss "$PROBE" "a system message is in the key"

# ---------------------------------------------------------------- modes
before=$(entries)
probe complete --temperature 0.7 "Warm"
assert_eq miss "$PROBE" "temperature 0.7"
probe complete --temperature 0.7 "Warm"
assert_eq miss "$PROBE" "auto does not cache at 0.7"
assert_eq "$before" "$(entries)" "nothing stored at 0.7"
probe complete --cache off "Off mode"
assert_eq miss "$PROBE"
probe complete --cache off "Off mode"
assert_eq miss "$PROBE" "off does not read"
probe complete "Off mode"
assert_eq miss "$PROBE" "off does not write"
llm_env LLM_CACHE=off -- complete "Off mode 2" </dev/null
probe complete "Off mode 2"
assert_eq miss "$PROBE" "LLM_CACHE=off keeps nothing"

# refresh: skips the read, replaces the entry.
fake_script '[{"text":"old","usage":{"input":5,"output":1}}, {"text":"new","usage":{"input":5,"output":1}}]'
llm complete "Refresh me" </dev/null
assert_eq old "$LLM_STDOUT"
probe complete --cache refresh "Refresh me"
assert_eq miss "$PROBE" "refresh skips the read"
assert_eq new "$LLM_STDOUT"
probe complete "Refresh me"
assert_eq hit "$PROBE"
assert_eq new "$LLM_STDOUT" "refresh replaced the entry"

# only: a hit needs no key; a miss exits 8 and sends nothing.
NOKEYS=(-u OPENAI_API_KEY -u ANTHROPIC_API_KEY -u GOOGLE_API_KEY)
before=$(sent)
llm_env "${NOKEYS[@]}" -- complete --cache only "Refresh me" </dev/null
assert_exit 0 "--cache only hit with no API key"
assert_eq new "$LLM_STDOUT"
llm_env "${NOKEYS[@]}" -- complete --cache only "Never recorded" </dev/null
assert_exit 8 "--cache only miss"
assert_contains "$LLM_STDERR" "cache miss"
assert_eq "" "$LLM_STDOUT"
llm_env "${NOKEYS[@]}" LLM_CACHE=only -- complete --temperature 0.9 "Never recorded" </dev/null
assert_exit 8 "LLM_CACHE=only miss at temperature 0.9"
assert_eq "$before" "$(sent)" "--cache only never sends"
llm logs -n 1
assert_json .cache_hit false
# the miss is recorded as an error
assert_json '.error != null' true

# ---------------------------------------------------------------- namespace and TTL
llm complete "Namespaced" </dev/null
probe complete "Namespaced"
assert_eq hit "$PROBE"
LLM_ENV+=(LLM_CACHE_NAMESPACE=v2)
probe complete "Namespaced"
assert_eq miss "$PROBE" "a new namespace busts the cache"
probe complete "Namespaced"
assert_eq hit "$PROBE" "the new namespace has its own entry"
LLM_ENV=(LLM_TEMPERATURE=0 LLM_MAX_RETRIES=0)
probe complete "Namespaced"
assert_eq hit "$PROBE" "the old namespace keeps its entry"

LLM_ENV+=(LLM_CACHE_TTL_SECONDS=2)
probe complete "Short lived"
assert_eq miss "$PROBE"
probe complete "Short lived"
assert_eq hit "$PROBE" "within the TTL"
sleep 2.5
probe complete "Short lived"
assert_eq miss "$PROBE" "an expired entry is never served"
LLM_ENV=(LLM_TEMPERATURE=0 LLM_MAX_RETRIES=0)

# ---------------------------------------------------------------- never cached
before=$(entries)
fake_script '[{"status":400,"error":{"type":"invalid_request_error","message":"nope"}}]'
llm complete "Error case" </dev/null
assert_exit 8 "a provider error"
probe complete "Error case"
assert_eq miss "$PROBE" "errors are never cached"
fake_script '[{"text":"cut off","finish":"length"}, {"text":"cut off","finish":"length"}]'
llm complete "Truncated case" </dev/null
assert_exit 7 "a truncated answer"
llm complete --allow-truncated "Truncated case 2" </dev/null
assert_exit 0 "accepted truncated answer"
probe complete "Truncated case"
assert_eq miss "$PROBE" "truncated answers are never cached"
probe complete --allow-truncated "Truncated case 2"
assert_eq miss "$PROBE" "not even with --allow-truncated"
fake_script '[{"text":"","finish":"content_filter"}]'
llm complete "Filtered case" </dev/null
assert_exit 8 "a content-filter stop"
probe complete "Filtered case"
assert_eq miss "$PROBE" "filtered answers are never cached"
fake_script '[{"stream_error":{"after":2,"message":"boom"}}]'
llm complete --stream "Broken stream" </dev/null
assert_exit 8 "a broken stream"
probe complete "Broken stream"
assert_eq miss "$PROBE" "a broken stream is never cached"
assert_eq 0 "$(db_query "SELECT COUNT(*) FROM cache_entries WHERE finish_reason NOT IN ('stop','tool_calls')")"

# ---------------------------------------------------------------- stats, prune, clear
# Wait until the "Short lived" entry stored again above has expired too.
one_expired() {
  [[ $(db_query "SELECT COUNT(*) FROM cache_entries WHERE expires_ms <= CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) - 50") == 1 ]]
}
wait_until 5 one_expired
llm cache stats --json
assert_exit 0 "cache stats --json"
n=$(entries)
assert_json .entries "$n"
# the 2 s entry is expired
assert_json .expired 1
assert_json '.hits >= 5' true
assert_json '.saved_cost_usd > 0' true
assert_json .namespace default
assert_json .mode auto
assert_json .ttl_seconds 86400
llm cache stats
assert_exit 0
assert_match "$LLM_STDOUT" "entries +$n \(1 expired\)"
llm cache prune
assert_exit 0 "cache prune"
assert_contains "$LLM_STDERR" "removed 1 expired"
assert_eq $((n - 1)) "$(entries)" "prune removes only the expired entry"
probe complete "Namespaced"
assert_eq hit "$PROBE" "prune keeps live entries"
llm cache clear
assert_exit 0 "cache clear"
assert_contains "$LLM_STDERR" "removed $((n - 1))"
assert_eq 0 "$(entries)"
llm cache stats --json
assert_json .entries 0
probe complete "Namespaced"
assert_eq miss "$PROBE" "clear empties the cache"

pass
