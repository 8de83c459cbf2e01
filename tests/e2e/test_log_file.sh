#!/usr/bin/env bash
# LLMCTL_LOG_FILE and eval's report paths are checked before anything is
# sent: a missing directory, a directory, a symbolic link exit 3 naming the
# variable (2 for an eval flag) and nothing reaches the provider; missing
# directories are not created; config-check reports the log file. Every
# record in the log starts on a line of its own, even after a torn line.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=core_helpers.sh
source "$(dirname "$0")/core_helpers.sh"

start_fake
LLM_ENV+=(LLM_MAX_RETRIES=0 LLM_CACHE=off)

call() {  # call LOG: a paid call with LLMCTL_LOG_FILE=LOG
  fake_reset
  llm_env "LLMCTL_LOG_FILE=$1" -- complete -p openai "hello" </dev/null
}

# ---------------------------------------------------------------- unusable paths
mkdir "$TMP/adir"
ln -s "$TMP/target.jsonl" "$TMP/link.jsonl"
for bad in "$TMP/missing/dir/calls.jsonl" "$TMP/adir" "$TMP/link.jsonl"; do
  call "$bad"
  assert_exit 3 "LLMCTL_LOG_FILE=$bad"
  assert_contains "$LLM_STDERR" "LLMCTL_LOG_FILE" "the message names the variable"
  assert_nothing_sent "nothing sent with LLMCTL_LOG_FILE=$bad"
  assert_eq "" "$LLM_STDOUT" "no answer printed"
  llm_env "LLMCTL_LOG_FILE=$bad" -- config-check </dev/null
  assert_exit 3 "config-check with LLMCTL_LOG_FILE=$bad"
  assert_match "$LLM_STDOUT" "FAIL +log file" "config-check has a FAIL line for the log file"
done
[[ ! -e $TMP/missing ]] || fail "a missing log directory was created"
[[ ! -e $TMP/target.jsonl ]] || fail "the symbolic link was followed"
assert_eq 0 "$(record_count)" "no record for calls that never started"

llm_env "LLMCTL_LOG_FILE=$TMP/ok.jsonl" -- config-check </dev/null
assert_match "$LLM_STDOUT" "ok +log file" "config-check: a usable log file is ok"

# ---------------------------------------------------------------- whole lines
LOG=$TMP/calls.jsonl
call "$LOG"
assert_exit 0
# A writer that died mid-line (or a full disk) left half a record.
printf '{"timestamp": "2026-01-01T00:00:00.000Z", "half' >>"$LOG"
call "$LOG"
assert_exit 0
call "$LOG"
assert_exit 0
assert_eq 4 "$(wc -l <"$LOG" | tr -d ' ')" "each record on a line of its own after a torn line"
assert_eq 3 "$(grep -c '"request_id"' "$LOG")"
assert_eq 3 "$(grep '"request_id"' "$LOG" | jq -c . | wc -l | tr -d ' ')" "every record line is whole JSON"
assert_eq 600 "$(stat -c %a "$LOG")" "the log is created 0600"

# ---------------------------------------------------------------- eval report paths
printf '{"id": "one", "prompt": "hi", "assert": [{"type": "contains", "value": "x"}]}\n' >"$TMP/suite.jsonl"
for flag in --junit --output; do
  for bad in "$TMP/nodir/report.out" "$TMP/adir"; do
    fake_reset
    llm eval "$TMP/suite.jsonl" -p openai "$flag" "$bad" </dev/null
    assert_exit 2 "eval $flag $bad"
    assert_contains "$LLM_STDERR" "$flag"
    assert_nothing_sent "no case runs (or is paid for) with eval $flag $bad"
  done
done
[[ ! -e $TMP/nodir ]] || fail "eval created a missing report directory"

pass
