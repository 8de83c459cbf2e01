#!/usr/bin/env bash
# Records and privacy: the API key, the prompt, the system
# prompt and the answer never appear in the database (and its -wal/-shm), in
# `llmctl logs`, in LLMCTL_LOG_FILE or on stderr (also with -vv, on failures
# and with --dry-run); LLMCTL_LOG_FILE gets the same lines as `llmctl logs`;
# LLMCTL_HASH_KEY -> hmac-sha256 prompt hashes; --dry-run sends nothing and
# writes nothing; --log-format json and NO_COLOR/non-terminal stderr.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/core_helpers.sh"

KEY=sk-e2e-Qw7Er5Ty3Ui1Op9As-zx12
PROMPT_MARK=PromptMarker7f3aSecretQuestion
SYS_MARK=SystemMarker5b1cHiddenRules
ANSWER_MARK=AnswerMarker99dd
start_fake --key "$KEY"
LOG=$TMP/calls.jsonl
LLM_ENV+=("OPENAI_API_KEY=$KEY" "ANTHROPIC_API_KEY=$KEY" "GOOGLE_API_KEY=$KEY" "LLMCTL_LOG_FILE=$LOG" "LLM_MAX_RETRIES=0")
ALL_ERR=$TMP/all-stderr
: >"$ALL_ERR"
collect() { cat "$LLM_ERR" >>"$ALL_ERR"; }

declare -A FINISH=([openai]=length [anthropic]=max_tokens [gemini]=MAX_TOKENS)
runs=0
for p in openai anthropic gemini; do
  for extra in "|" "|--stream" "-vv|" "-vv|--stream" "--log-format json -v|--json"; do
    fake_script "[{\"text\":\"$ANSWER_MARK is the answer\"}]"
    # shellcheck disable=SC2086
    llm ${extra%|*} complete ${extra#*|} -p "$p" -s "$SYS_MARK" "$PROMPT_MARK: what is 2+2?" </dev/null
    [[ $extra != *--json ]] || LLM_STDOUT=$(jq -r .text "$LLM_OUT")
    assert_exit 0 "$p $extra"
    assert_eq "$ANSWER_MARK is the answer" "$LLM_STDOUT" "$p $extra: the answer"
    collect
    runs=$((runs + 1))
  done
  # Failures too: a 401 echoing a key fragment, a truncated answer, a cut stream.
  fake_script "[{\"status\":401}, {\"text\":\"$ANSWER_MARK cut\",\"finish\":\"${FINISH[$p]}\"}, {\"stream_cut_after\":4}]"
  llm -vv complete -p "$p" -s "$SYS_MARK" "$PROMPT_MARK" </dev/null
  assert_exit 3 "$p 401 (an authentication failure is a configuration error)"
  collect
  llm -vv complete -p "$p" -s "$SYS_MARK" "$PROMPT_MARK" </dev/null
  assert_exit 7 "$p truncated"
  collect
  llm -vv complete --stream -p "$p" -s "$SYS_MARK" "$PROMPT_MARK" </dev/null
  assert_exit 8 "$p cut stream"
  collect
  runs=$((runs + 3))
done
# Cacheable calls with the cache off keep no text either.
llm_env LLM_CACHE=off -- complete -p openai --temperature 0 -s "$SYS_MARK" "$PROMPT_MARK" </dev/null
assert_exit 0 "temperature 0 with LLM_CACHE=off"
collect
runs=$((runs + 1))

assert_eq "$runs" "$(record_count)" "one record per call, failures included"
llm logs </dev/null
assert_exit 0 "llmctl logs"
assert_eq "$runs" "$(grep -c . "$LLM_OUT")" "logs: one line per record"
cp "$LLM_OUT" "$TMP/logs.jsonl"
jq -e . "$TMP/logs.jsonl" >/dev/null || fail "logs output is not JSONL"
ASSERTIONS=$((ASSERTIONS + 1))
assert_eq "$runs" "$(grep -c . "$LOG")" "LLMCTL_LOG_FILE: one line per call"
assert_eq "$(cat "$LOG")" "$(cat "$TMP/logs.jsonl")" "LLMCTL_LOG_FILE holds the same lines as llmctl logs"
assert_eq "$(jq -r .request_id "$LOG" | sort | tr '\n' ' ')" "$(db_query 'select request_id from calls' | sort | tr '\n' ' ')" "same request ids as the database"

# Nothing secret anywhere.
leak_check() { # FILE LABEL
  local f=$1 label=$2 s
  [[ -e $f ]] || return 0
  for s in "$KEY" "Qw7Er5Ty3Ui1Op9As" "$PROMPT_MARK" "$SYS_MARK" "$ANSWER_MARK"; do
    assert_eq 0 "$(grep -c -a -F -- "$s" "$f" || true)" "$label must not contain '$s'"
  done
}
sqlite3 "$TMP/llmctl.db" 'PRAGMA wal_checkpoint(PASSIVE);' >/dev/null 2>&1 || true
for f in "$TMP/llmctl.db" "$TMP/llmctl.db-wal" "$TMP/llmctl.db-shm" "$TMP/llmctl.db-journal"; do
  leak_check "$f" "$(basename "$f")"
done
leak_check "$TMP/logs.jsonl" "llmctl logs"
leak_check "$LOG" "LLMCTL_LOG_FILE"
leak_check "$ALL_ERR" "stderr (incl. -vv and failures)"
[[ -s $ALL_ERR ]] || fail "expected some stderr output from -vv runs"

# llmctl logs filters.
rid=$(jq -r .request_id <<<"$(sed -n 2p "$LOG")")
llm logs --request-id "$rid" </dev/null
assert_eq "$(sed -n 2p "$LOG")" "$LLM_STDOUT" "logs --request-id"
llm logs -n 1 </dev/null
assert_eq "$(tail -n 1 "$LOG")" "$LLM_STDOUT" "logs -n 1 is the newest"
llm logs --model claude-haiku-4-5 </dev/null
assert_eq 8 "$(grep -c . "$LLM_OUT")" "logs --model"

# ---------------------------------------------------------------- prompt_hash

fake_reset
llm complete -p openai --json "$PROMPT_MARK same" </dev/null
h1=$(json_get .prompt_hash)
llm complete -p openai --json "$PROMPT_MARK same" </dev/null
h2=$(json_get .prompt_hash)
llm complete -p openai --json "$PROMPT_MARK other" </dev/null
h3=$(json_get .prompt_hash)
assert_match "$h1" '^sha256:[0-9a-f]{64}$'
assert_eq "$h1" "$h2" "equal prompts hash equally"
[[ $h1 != "$h3" ]] || fail "different prompts must hash differently"
llm complete -p openai --json --max-tokens 99 "$PROMPT_MARK same" </dev/null
[[ $(json_get .prompt_hash) != "$h1" ]] || fail "max tokens is part of the canonical request"
ASSERTIONS=$((ASSERTIONS + 2))
llm_env LLMCTL_HASH_KEY=e2e-hash-key-31337 -- complete -p openai --json "$PROMPT_MARK same" </dev/null
assert_exit 0 "LLMCTL_HASH_KEY"
hk1=$(json_get .prompt_hash)
assert_match "$hk1" '^hmac-sha256:[0-9a-f]{64}$' "LLMCTL_HASH_KEY -> hmac-sha256"
assert_not_contains "$hk1" "${h1#sha256:}" "the HMAC differs from the plain hash"
llm_env LLMCTL_HASH_KEY=e2e-hash-key-31337 -- complete -p openai --json "$PROMPT_MARK same" </dev/null
assert_eq "$hk1" "$(json_get .prompt_hash)" "HMAC is deterministic"
llm_env LLMCTL_HASH_KEY=another-key -- complete -p openai --json "$PROMPT_MARK same" </dev/null
[[ $(json_get .prompt_hash) != "$hk1" ]] || fail "the HMAC depends on the key"
ASSERTIONS=$((ASSERTIONS + 1))
last_record
assert_match "$(json_get .prompt_hash "$REC")" '^hmac-sha256:' "stored hash is the HMAC"
assert_eq 0 "$(grep -c -a -F e2e-hash-key-31337 "$TMP/llmctl.db" "$LOG" | awk -F: '{s+=$2} END {print s+0}')" "the hash key is not stored"

# ---------------------------------------------------------------- --dry-run

for p in openai anthropic gemini mock; do
  fake_reset
  before=$(record_count)
  log_lines=$(grep -c . "$LOG")
  llm complete --dry-run -p "$p" -s "be brief" "dry run prompt" </dev/null
  assert_exit 0 "$p --dry-run"
  [[ -n $LLM_STDOUT ]] || fail "$p --dry-run printed nothing"
  assert_contains "$LLM_STDOUT" "dry run prompt" "$p --dry-run shows the request"
  assert_not_contains "$LLM_STDOUT$LLM_STDERR" "$KEY" "$p --dry-run: key masked"
  assert_not_contains "$LLM_STDOUT$LLM_STDERR" "Qw7Er5Ty3Ui1Op9As" "$p --dry-run: key masked"
  assert_match "$LLM_STDOUT" '[Ee]stimat|input_tokens|tokens' "$p --dry-run shows the estimate"
  assert_nothing_sent "$p --dry-run sends nothing"
  assert_eq "$before" "$(record_count)" "$p --dry-run writes no record"
  assert_eq "$log_lines" "$(grep -c . "$LOG")" "$p --dry-run appends nothing to LLMCTL_LOG_FILE"
done
llm complete --dry-run -p openai "dry" </dev/null
assert_match "$LLM_STDOUT" 'sk-…z?x?12|sk-\.\.\.|\*\*\*|…' "the key appears masked in the dry-run request"

# ---------------------------------------------------------------- stderr formats

fake_script '[{"status":401}]'
llm --log-format json -vv complete -p anthropic "hello" </dev/null
assert_exit 3 "--log-format json error (an authentication failure is a configuration error)"
[[ -n $LLM_STDERR ]] || fail "no stderr"
while IFS= read -r line; do
  [[ -z $line ]] && continue
  jq -e 'type == "object"' <<<"$line" >/dev/null 2>&1 || fail "--log-format json: stderr line is not a JSON object: $line"
  ASSERTIONS=$((ASSERTIONS + 1))
done <"$LLM_ERR"
assert_contains "$LLM_STDERR" "401" "the JSON error line carries the failure"
llm --log-format json complete -p nope "hello" </dev/null
assert_exit 2
jq -e . "$LLM_ERR" >/dev/null 2>&1 || fail "--log-format json: a usage error is JSON too: $LLM_STDERR"
ASSERTIONS=$((ASSERTIONS + 1))
llm --log-format xml complete -p mock "hello" </dev/null
assert_exit 2 "--log-format xml is a usage error"

esc=$'\033'
for envset in "NO_COLOR=1" "TERM=xterm-256color" "CLICOLOR_FORCE=0"; do
  fake_script '[{"status":401}]'
  llm_env "$envset" -- -vv complete -p openai "hello" </dev/null
  assert_exit 3
  assert_not_contains "$LLM_STDERR" "$esc" "$envset, stderr not a terminal: no escape codes"
  llm_env "$envset" -- -v complete -p mock --max-tokens 5 "hello" </dev/null
  assert_not_contains "$LLM_STDERR$LLM_STDOUT" "$esc" "$envset: no escape codes on success either"
done
if command -v script >/dev/null; then
  # On a terminal with NO_COLOR set: still no escape codes.
  _llm_vars
  script -qec "env -i ${_LLM_VARS[*]@Q} NO_COLOR=1 TERM=xterm-256color $LLMCTL_BIN -v complete -p nope hello" /dev/null >"$TMP/tty.out" 2>&1 </dev/null || true
  assert_contains "$(cat "$TMP/tty.out")" "nope" "ran on a pty"
  assert_not_contains "$(cat "$TMP/tty.out")" "${esc}[" "NO_COLOR on a terminal: no colour"
fi

pass
