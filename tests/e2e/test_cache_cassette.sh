#!/usr/bin/env bash
# shellcheck disable=SC2034  # LLM_ENV and LLM_UNSET are read by lib.sh
# Cassettes. Record with --cache refresh, export, import into a
# fresh database, and replay every entry with --cache only, no keys and no
# server. Bad import lines are reported with their line numbers (exit 2,
# good lines still imported). Two processes missing the same key at the
# same moment both succeed.
source "$(dirname "$0")/lib.sh"

start_fake --quiet
LLM_ENV=(LLM_TEMPERATURE=0 LLM_MAX_RETRIES=0)

# ---------------------------------------------------------------- record
fake_script '[
 {"text":"Paris.","usage":{"input":12,"output":2}},
 {"text":"Four.","usage":{"input":14,"output":2}},
 {"text":"Bonjour from anthropic.","usage":{"input":9,"output":3}},
 {"text":"Hola from gemini.","usage":{"input":9,"output":3}},
 {"text":"line one\nline two","usage":{"input":20,"output":4}},
 {"text":"warm answer","usage":{"input":5,"output":2}}
]'
printf '%s' '[{"role":"user","content":"Hi"},{"role":"assistant","content":"Hello"},{"role":"user","content":"Two lines please"}]' >"$TMP/chat.json"
CALLS=(
  "complete|Capital of France?"
  "complete|-s|Answer with one word.|What is 2+2?"
  "complete|-p|anthropic|Greet me"
  "complete|-m|gemini:gemini-2.5-flash|Greet me"
  "complete|--messages|$TMP/chat.json"
  "complete|--temperature|0.8|Warm call"
)
i=0
for c in "${CALLS[@]}"; do
  IFS='|' read -r -a args <<<"$c"
  llm "${args[@]}" --cache refresh </dev/null
  assert_exit 0 "record call $i"
  cp "$LLM_OUT" "$TMP/rec.$i.out"
  i=$((i + 1))
done
assert_eq 6 "$(fake_stats .requests)"
assert_eq 6 "$(db_query 'SELECT COUNT(*) FROM cache_entries')" "refresh writes at any temperature"

llm cache export -o "$TMP/cassette.jsonl"
assert_exit 0 "export"
assert_contains "$LLM_STDERR" "exported 6"
assert_eq 6 "$(wc -l <"$TMP/cassette.jsonl")" "one entry a line"
assert_eq 6 "$(jq -s 'map(select(.key_input | type == "object")) | length' "$TMP/cassette.jsonl")" "each line carries its key input"
assert_not_contains "$(cat "$TMP/cassette.jsonl")" "test-key" "no key in the cassette"
llm cache export
assert_exit 0 "export to stdout"
cmp "$TMP/cassette.jsonl" "$LLM_OUT" || fail "export -o and export to stdout differ"
ASSERTIONS=$((ASSERTIONS + 1))

# ---------------------------------------------------------------- replay: fresh db, no keys, no server
stop_fake
# FAKE_URL still names the stopped server: a stray request would fail locally.
FRESH=$TMP/fresh/llmctl.db
mkdir -p "$TMP/fresh"
LLM_ENV=(LLM_TEMPERATURE=0 "LLMCTL_DB=$FRESH")
LLM_UNSET=(OPENAI_API_KEY ANTHROPIC_API_KEY GOOGLE_API_KEY)
llm cache import "$TMP/cassette.jsonl"
assert_exit 0 "import into a fresh database"
assert_contains "$LLM_STDERR" "imported 6"
i=0
for c in "${CALLS[@]}"; do
  IFS='|' read -r -a args <<<"$c"
  llm "${args[@]}" --cache only </dev/null
  assert_exit 0 "replay $i with --cache only, no keys, no server"
  cmp "$TMP/rec.$i.out" "$LLM_OUT" || fail "replay $i printed something else: $LLM_STDOUT"
  ASSERTIONS=$((ASSERTIONS + 1))
  i=$((i + 1))
done
llm complete --cache only "Capital of Spain?" </dev/null
assert_exit 8 "a request that is not in the cassette"
llm_env LLMCTL_DB=$FRESH -- logs
assert_eq 6 "$(jq -s 'map(select(.cache_hit)) | length' "$LLM_OUT")" "six replayed hits recorded"
assert_eq '["anthropic","gemini","openai"]' "$(jq -cs 'map(select(.cache_hit) | .provider) | unique' "$LLM_OUT")" \
  "hits keep the serving provider"
# Re-export from the fresh database: the same entries.
llm cache export
assert_eq "$(jq -c '{key, text, provider, model}' "$TMP/cassette.jsonl" | sort)" \
  "$(jq -c '{key, text, provider, model}' "$LLM_OUT" | sort)" "round trip keeps every entry"

# ---------------------------------------------------------------- bad lines
good=$(sed -n 1p "$TMP/cassette.jsonl")
{
  echo "$good"                                                  # 1 good (already present)
  echo '{not json'                                              # 2
  jq -c '.key = "0000"' <<<"$good"                              # 3 key does not match key_input
  jq -c 'del(.text)' <<<"$good"                                 # 4 no text
  echo ''                                                       # 5 blank: skipped silently
  jq -c '.finish_reason = "length" | .key_input.messages[0].content = "x" | del(.key)' <<<"$good"  # 6 never cached
  # 7 good, new (edited as text: see the jq section at the end for why)
  sed -e 's/"Capital of France?"/"Imported only"/' -e 's/"text":"Paris\."/"text":"From the import."/' \
    -e 's/"key":"[0-9a-f]*",//' <<<"$good"
  echo '[1,2,3]'                                                # 8 not an object
} >"$TMP/bad.jsonl"
LLM_ENV=(LLM_TEMPERATURE=0 "LLMCTL_DB=$TMP/bad.db")
llm cache import "$TMP/bad.jsonl"
assert_exit 2 "bad lines: exit 2"
for n in 2 3 4 6 8; do
  assert_contains "$LLM_STDERR" "bad.jsonl:$n:" "line $n is reported"
done
assert_not_contains "$LLM_STDERR" "bad.jsonl:1:" "line 1 is good"
assert_not_contains "$LLM_STDERR" "bad.jsonl:5:" "a blank line is not an error"
assert_not_contains "$LLM_STDERR" "bad.jsonl:7:" "line 7 is good"
assert_contains "$LLM_STDERR" "imported 2"
assert_eq 2 "$(sqlite3 "$TMP/bad.db" 'SELECT COUNT(*) FROM cache_entries')" "the good lines were imported"
llm complete --cache only "Imported only" </dev/null
assert_exit 0 "an entry built by hand replays"
assert_eq "From the import." "$LLM_STDOUT"
llm cache import - <"$TMP/bad.jsonl"
assert_exit 2 "from stdin"
assert_contains "$LLM_STDERR" "stdin:2:"
llm cache import "$TMP/no-such-file.jsonl"
assert_exit 2 "an unreadable file"
LLM_UNSET=()

# ---------------------------------------------------------------- two processes miss the same key
start_fake --quiet
fake_default_step '{"text":"same answer","delay_ms":800,"usage":{"input":7,"output":2}}'
LLM_ENV=(LLM_TEMPERATURE=0 LLM_MAX_RETRIES=0)
llm_bg a complete "Race me"
llm_bg b complete "Race me"
llm_wait a
assert_exit 0 "first racer"
assert_eq "same answer" "$LLM_STDOUT"
llm_wait b
assert_exit 0 "second racer"
assert_eq "same answer" "$LLM_STDOUT"
assert_eq 2 "$(fake_stats .max_in_flight)" "both missed at the same moment"
assert_eq 1 "$(db_query "SELECT COUNT(*) FROM cache_entries WHERE text = 'same answer'")" "one entry"
assert_eq ok "$(db_query 'PRAGMA integrity_check')" "nothing corrupted"
before=$(fake_stats .requests)
llm complete "Race me" </dev/null
assert_exit 0
assert_eq "same answer" "$LLM_STDOUT"
assert_eq "$before" "$(fake_stats .requests)" "the stored entry serves the next call"

# ---------------------------------------------------------------- a cassette passed through jq
# A committed cassette is JSON; reformatting it (jq, a pretty-printer, a
# hand edit writing 0 for 0.0) must not change the keys it rebuilds.
jq -c . "$TMP/cassette.jsonl" >"$TMP/jq.jsonl"
LLM_ENV=(LLM_TEMPERATURE=0 "LLMCTL_DB=$TMP/jq.db")
LLM_UNSET=(OPENAI_API_KEY ANTHROPIC_API_KEY GOOGLE_API_KEY)
llm cache import "$TMP/jq.jsonl"
assert_exit 0 "a cassette reformatted by jq imports"
llm complete --cache only "Capital of France?" </dev/null
assert_exit 0 "a cassette reformatted by jq replays"
assert_eq "Paris." "$LLM_STDOUT"
jq -c 'del(.key)' "$TMP/cassette.jsonl" >"$TMP/jq2.jsonl"
LLM_ENV=(LLM_TEMPERATURE=0 "LLMCTL_DB=$TMP/jq2.db")
llm cache import "$TMP/jq2.jsonl"
assert_exit 0
llm complete --cache only "Capital of France?" </dev/null
assert_exit 0 "an entry without \"key\" whose temperature reads 0 (not 0.0) replays"

pass
