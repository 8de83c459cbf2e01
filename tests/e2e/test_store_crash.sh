#!/usr/bin/env bash
# A burst of calls on one database, with processes killed (SIGKILL) at
# random moments of their calls. Under the default durability the file must
# stay intact, every call that finished (exit 0, its record printed with
# --json) must have its record, and a killed call's reservation must stop
# counting: nothing may depend on a process getting to clean up. Then the
# WAL is left as the burst left it and a fresh process must read it.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

start_fake
DB=$TMP/state.db
ROUNDS=${LLMCTL_CRASH_ROUNDS:-6}
PER_ROUND=8
_llm_vars
VARS=("${_LLM_VARS[@]}" "LLMCTL_DB=$DB" LLM_CACHE=off LLMCTL_USER=crash)
fake_default_step '{"text":"crash burst answer","usage":{"input":5,"output":3},"delay_ms":40}'

mkdir -p "$TMP/acks"
launched=0
killed=0
for ((r = 1; r <= ROUNDS; r++)); do
  pids=()
  for ((i = 1; i <= PER_ROUND; i++)); do
    n=$((r * 100 + i))
    env -i "${VARS[@]}" "$LLMCTL_BIN" complete --json -p openai "burst call $n" \
      >"$TMP/acks/$n.json" 2>"$TMP/acks/$n.err" </dev/null &
    pids+=($!)
    launched=$((launched + 1))
  done
  # Kill every other process at a moment somewhere in its call: before,
  # during or after the request, in the middle of a commit or not.
  sleep "0.0$((RANDOM % 9 + 1))"
  for ((i = 0; i < PER_ROUND; i += 2)); do
    if kill -KILL "${pids[$i]}" 2>/dev/null; then killed=$((killed + 1)); fi
  done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
done

assert_eq ok "$(sqlite3 "$DB" 'PRAGMA integrity_check;')" "integrity_check after $killed of $launched calls were killed"
acked=0
for f in "$TMP"/acks/*.json; do
  id=$(jq -r '.request_id // empty' "$f" 2>/dev/null || true)
  [[ -n $id ]] || continue
  acked=$((acked + 1))
  assert_eq 1 "$(sqlite3 "$DB" "select count(*) from calls where request_id = '$id';")" \
    "the acknowledged call $id has its record"
done
((acked >= ROUNDS * PER_ROUND / 2)) || fail "only $acked of $launched calls finished; the unkilled half should all have"
echo "crash burst: $launched calls, $killed killed, $acked acknowledged" >&2

# A fresh process reads the WAL the burst left and sees every record.
records=$(sqlite3 "$DB" 'select count(*) from calls;')
llm_env LLMCTL_DB="$DB" -- logs -n 100000 </dev/null
assert_exit 0 "logs after the burst"
assert_eq "$records" "$(grep -c . <<<"$LLM_STDOUT")" "logs reads every record the burst left"

# The killed calls' reservations expire; they do not block the next call.
llm_env LLMCTL_DB="$DB" LLM_CACHE=off LLMCTL_USER=crash -- complete -p openai "after the burst" </dev/null
assert_exit 0 "a call after the burst"
assert_eq ok "$(sqlite3 "$DB" 'PRAGMA integrity_check;')" "integrity_check at the end"

pass
