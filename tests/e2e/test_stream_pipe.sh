#!/usr/bin/env bash
# shellcheck disable=SC2034  # LLM_ENV is read by lib.sh
# A streamed call cut short by a reader that closed the pipe (`| head -c 5`)
# or by SIGTERM leaves its record, billed for the input it was sent with,
# and holds no reservation afterwards.
source "$(dirname "$0")/lib.sh"

start_fake --quiet
LLM_ENV=(LLM_MAX_RETRIES=0 LLM_CACHE=off)
# A long answer: 1000 events of 1000 bytes, 10 ms apart (10 s or more).
fake_default_step '{"answer_bytes":1000000,"event_delay_ms":10}'

# ---------------------------------------------------------------- | head -c 5
_llm_vars
set +o pipefail
start=$SECONDS
head_out=$(env -i "${_LLM_VARS[@]}" "$LLMCTL_BIN" complete --stream "Tell me a long story" \
  2>"$TMP/pipe.err" </dev/null | head -c 5)
set -o pipefail
assert_eq "The q" "$head_out" "head got its five bytes"
((SECONDS - start < 8)) || fail "llmctl kept streaming for $((SECONDS - start)) s into a closed pipe"
ASSERTIONS=$((ASSERTIONS + 1))
assert_contains "$(cat "$TMP/pipe.err")" "standard output was closed"
assert_eq 1 "$(db_query 'SELECT COUNT(*) FROM calls')" "one record"
assert_eq interrupted "$(db_query 'SELECT error_type FROM calls')"
input=$(db_query 'SELECT input_tokens FROM calls')
((input > 0)) || fail "the record shows $input input tokens; the input was billed"
ASSERTIONS=$((ASSERTIONS + 1))
assert_eq 0 "$(db_query 'SELECT COUNT(*) FROM reservations')" "no reservation held"
tokens=$(db_query 'SELECT COALESCE(SUM(tokens), 0) FROM rate_windows')
((tokens >= input)) || fail "the window counts $tokens tokens, fewer than the $input billed"
ASSERTIONS=$((ASSERTIONS + 1))

# ---------------------------------------------------------------- SIGTERM mid-stream
llm_bg term complete --stream "Another long story"
wait_until 10 test -s "$TMP/term.out"
kill -TERM "$LLM_PID"
llm_wait term
assert_exit 130 "SIGTERM ends the call like SIGINT"
assert_eq 2 "$(db_query 'SELECT COUNT(*) FROM calls')" "the terminated call has its record"
assert_eq interrupted "$(db_query 'SELECT error_type FROM calls ORDER BY id DESC LIMIT 1')"
input=$(db_query 'SELECT input_tokens FROM calls ORDER BY id DESC LIMIT 1')
((input > 0)) || fail "SIGTERM: $input input tokens recorded"
ASSERTIONS=$((ASSERTIONS + 1))
assert_eq 0 "$(db_query 'SELECT COUNT(*) FROM reservations')" "no reservation held after SIGTERM"

pass
