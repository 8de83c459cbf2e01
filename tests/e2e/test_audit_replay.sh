#!/usr/bin/env bash
# shellcheck disable=SC2034  # LLM_ENV and LLM_UNSET are read by lib.sh
# The encrypted audit store and replay: with LLMCTL_AUDIT_KEY_FILE the
# request and answer are kept only as AES-256-GCM ciphertext (the plaintext
# is in no state file, WAL or log); audit show decrypts them with the right
# key, and with a wrong or missing key, or a changed byte, exits 3 printing
# nothing of the entry; a bad key file stops a call before anything is sent;
# old entries are pruned. replay sends the identical messages, records
# replay_of, goes to another model with -m, and --diff shows the change.
source "$(dirname "$0")/lib.sh"

start_fake --quiet
head -c 32 /dev/urandom >"$TMP/audit.key"
chmod 600 "$TMP/audit.key"
LLM_ENV=(LLM_CACHE=off LLM_MAX_RETRIES=0 LLM_RATE_LIMIT_TOKENS=0 "LLMCTL_AUDIT_KEY_FILE=$TMP/audit.key"
  "LLMCTL_LOG_FILE=$TMP/calls.jsonl")
req() { fake_stats ".last_request.body | $1"; }

PROMPT="PLAINTEXT-PROMPT-7f3a9c the quarterly numbers"
ANSWER="PLAINTEXT-ANSWER-51be0d all good"
fake_script "{\"text\":\"$ANSWER\"}"
llm complete --json "$PROMPT" </dev/null
assert_exit 0
id=$(json_get .request_id)
sent=$(req '.messages | tojson')

# ---------------------------------------------------------------- nothing in the clear
for f in "$TMP"/llmctl.db* "$TMP/calls.jsonl"; do
  for needle in PLAINTEXT-PROMPT-7f3a9c PLAINTEXT-ANSWER-51be0d; do
    if grep -a -q "$needle" "$f"; then fail "$needle found in $f"; fi
    ASSERTIONS=$((ASSERTIONS + 1))
  done
done
assert_eq 1 "$(db_query "SELECT COUNT(*) FROM audit_entries WHERE request_id = '$id'")" "one entry, keyed by the request id"
assert_eq 12 "$(db_query "SELECT length(nonce) FROM audit_entries")" "a 96-bit nonce"

# ---------------------------------------------------------------- audit show
llm audit show "$id"
assert_exit 0
assert_json .request_id "$id"
assert_json '.request.messages[0].content' "$PROMPT"
assert_json '.answer.text' "$ANSWER"
assert_json '.request.model' gpt-4o-mini

head -c 32 /dev/urandom >"$TMP/other.key"
chmod 600 "$TMP/other.key"
llm_env "LLMCTL_AUDIT_KEY_FILE=$TMP/other.key" -- audit show "$id"
assert_exit 3 "the wrong key"
assert_eq "" "$LLM_STDOUT" "nothing of the entry is printed"
assert_contains "$LLM_STDERR" "cannot be decrypted"
assert_not_contains "$LLM_STDERR" "PLAINTEXT"
llm_env -u LLMCTL_AUDIT_KEY_FILE -- audit show "$id"
assert_exit 3 "no key"
assert_eq "" "$LLM_STDOUT"
assert_contains "$LLM_STDERR" "LLMCTL_AUDIT_KEY_FILE is not set"
llm audit show 00000000-0000-0000-0000-000000000000
assert_exit 2 "no such entry"

# A changed byte of the ciphertext is detected.
hex=$(db_query "SELECT hex(ciphertext) FROM audit_entries WHERE request_id = '$id'")
first=${hex:0:2}
flipped=$(printf '%02X' $((16#$first ^ 1)))
db_query "UPDATE audit_entries SET ciphertext = X'$flipped${hex:2}' WHERE request_id = '$id'" >/dev/null
llm audit show "$id"
assert_exit 3 "tampered ciphertext"
assert_eq "" "$LLM_STDOUT"
assert_contains "$LLM_STDERR" "changed"
db_query "UPDATE audit_entries SET ciphertext = X'$hex' WHERE request_id = '$id'" >/dev/null
llm audit show "$id"
assert_exit 0 "restored"

# An entry moved under another request id does not open: the id is bound.
fake_script '{"text":"second"}'
llm complete --json "another prompt" </dev/null
id2=$(json_get .request_id)
db_query "UPDATE audit_entries SET (nonce, ciphertext) = (SELECT nonce, ciphertext FROM audit_entries WHERE request_id = '$id') WHERE request_id = '$id2'" >/dev/null
llm audit show "$id2"
assert_exit 3 "an entry under another request id"
assert_eq "" "$LLM_STDOUT"

# eval cases are calls like any other: audited too.
printf '%s\n' '{"id":"c1","prompt":"EVAL-PROMPT-93c1","assert":[{"type":"contains","value":"eval"}]}' >"$TMP/suite.jsonl"
fake_script '{"text":"eval answer"}'
llm eval "$TMP/suite.jsonl" -c 1
assert_exit 0
eval_id=$(db_query "SELECT request_id FROM calls WHERE case_id = 'c1'")
llm audit show "$eval_id"
assert_exit 0 "an eval case is audited"
assert_json '.request.messages[0].content' EVAL-PROMPT-93c1
if grep -a -q EVAL-PROMPT-93c1 "$TMP"/llmctl.db*; then fail "eval prompt stored in the clear"; fi

# ---------------------------------------------------------------- the key file
printf 'short' >"$TMP/short.key"
fake_reset
llm_env "LLMCTL_AUDIT_KEY_FILE=$TMP/short.key" -- complete "hello" </dev/null
assert_exit 3 "a key of the wrong length"
assert_contains "$LLM_STDERR" "expected 32 random bytes or 64 hex characters"
assert_eq 0 "$(fake_stats .requests)" "nothing sent"
llm_env "LLMCTL_AUDIT_KEY_FILE=$TMP/missing.key" -- complete "hello" </dev/null
assert_exit 3 "a missing key file"
od -An -tx1 "$TMP/audit.key" | tr -d ' \n' >"$TMP/audit.hex"
chmod 644 "$TMP/audit.hex"
llm_env "LLMCTL_AUDIT_KEY_FILE=$TMP/audit.hex" -- audit show "$id"
assert_exit 0 "the same key as 64 hex characters"
assert_contains "$LLM_STDERR" "chmod 600" "a key others may read is warned about"

# ---------------------------------------------------------------- retention
db_query "UPDATE audit_entries SET created_ms = created_ms - 3 * 86400000 WHERE request_id = '$id2'" >/dev/null
llm_env LLMCTL_AUDIT_RETENTION_DAYS=2 -- complete "prune trigger" </dev/null
assert_exit 0
assert_eq 0 "$(db_query "SELECT COUNT(*) FROM audit_entries WHERE request_id = '$id2'")" "an entry past the retention is pruned"
assert_eq 1 "$(db_query "SELECT COUNT(*) FROM audit_entries WHERE request_id = '$id'")" "a recent one stays"

# ---------------------------------------------------------------- replay
fake_script '{"text":"line one\nline two\nline three"}'
llm complete --json -s "Be exact." "replay me" </dev/null
assert_exit 0
orig=$(json_get .request_id)
orig_messages=$(req '.messages | tojson')
fake_script '{"text":"line one\nline two\nline three"}'
llm replay "$orig"
assert_exit 0
assert_eq $'line one\nline two\nline three' "$LLM_STDOUT" "the new answer"
assert_eq "$orig_messages" "$(req '.messages | tojson')" "the identical messages are sent"
assert_eq gpt-4o-mini "$(req .model)"
llm logs -n 1
assert_json .replay_of "$orig"
new_id=$(json_get .request_id)
llm audit show "$new_id"
assert_exit 0 "a replay is audited like any call"

fake_script '{"text":"line one\nline 2\nline three"}'
llm replay "$orig" --diff -m openai:gpt-4o
assert_exit 0
assert_eq gpt-4o "$(req .model)" "-m sends it to another model"
assert_contains "$LLM_STDOUT" "--- $orig openai:gpt-4o-mini"
assert_contains "$LLM_STDOUT" "+++ "
assert_contains "$LLM_STDOUT" "@@ -1,3 +1,3 @@"
assert_contains "$LLM_STDOUT" $'\n-line two\n+line 2\n'
fake_script '{"text":"line one\nline two\nline three"}'
llm replay "$orig" --diff
assert_exit 0
assert_eq "" "$LLM_STDOUT" "no change, no diff"

# A conversation call replays with its history.
fake_script '{"text":"first"}'
llm complete -C chat "one" </dev/null
fake_script '{"text":"second"}'
llm complete -C chat --json "two" </dev/null
conv_id=$(json_get .request_id)
conv_messages=$(req '.messages | tojson')
fake_script '{"text":"second"}'
llm replay "$conv_id"
assert_exit 0
assert_eq "$conv_messages" "$(req '.messages | tojson')" "history included"
llm conversation show chat --json
assert_json '.turns | length' 2

# Replay goes through the guardrails: a cost cap refuses it.
fake_reset
llm_env LLM_MAX_COST_PER_REQUEST=0.0000001 -- replay "$orig"
assert_exit 5 "the cost guard applies"
assert_eq 0 "$(fake_stats .requests)"
llm_env -u LLMCTL_AUDIT_KEY_FILE -- replay "$orig"
assert_exit 3 "replay needs the key"

pass
