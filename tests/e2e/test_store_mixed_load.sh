#!/usr/bin/env bash
# Many processes, and many threads of one process, on one database: loops of
# `complete`, loops of `eval -c 4` (one connection per worker thread), two
# loops continuing one conversation with the audit store on, and readers
# and writers beside them (`cost-report`, `limits`, `logs`, `cache import`,
# `conversation show`) for a bounded time, with tags on every call and the
# monthly caps on (their counters written by every call). The file must stay
# intact, no invocation may fail, every call must have its record, every
# conversation call its turn (none lost to a concurrent one) and its audit
# entry. A process that
# closed any descriptor of the open database file would drop its own locks
# on it and let the others corrupt it within seconds.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

DURATION=${LLMCTL_MIXED_LOAD_SECONDS:-15}
DB=$TMP/shared/state.db
CASES=6

printf '{"defaults": {"model": "mock:mock-1", "temperature": 0.5, "assert": [{"type": "contains", "value": "mock answer"}]}}\n' \
  >"$TMP/suite.jsonl"
for ((i = 1; i <= CASES; i++)); do
  printf '{"id": "c%d", "prompt": "mixed load question %d"}\n' "$i" "$i" >>"$TMP/suite.jsonl"
done
# A cassette of a few cache entries, exported from a scratch database.
llm_env LLMCTL_DB="$TMP/scratch.db" -- complete -p mock --temperature 0 --cache refresh "cassette one" </dev/null
assert_exit 0
llm_env LLMCTL_DB="$TMP/scratch.db" -- complete -p mock --temperature 0 --cache refresh "cassette two" </dev/null
llm_env LLMCTL_DB="$TMP/scratch.db" -- cache export -o "$TMP/cassette.jsonl" </dev/null
assert_exit 0
assert_eq 2 "$(grep -c . "$TMP/cassette.jsonl")" "cassette exported"

_llm_vars
VARS=("${_LLM_VARS[@]}" "LLMCTL_DB=$DB" LLM_RATE_LIMIT_TOKENS=0 LLM_CACHE=off LLMCTL_TAGS=ci_job=mixed
  LLM_USER_MONTHLY_BUDGET_USD=1000 LLM_MONTHLY_BUDGET_USD=1000)
END=$((SECONDS + DURATION))

# loop NAME CMD...: runs llmctl CMD until the time is up; one line per run
# in $TMP/NAME.runs: "exit-code". LOOP_ENV, when set as the loop starts,
# adds VAR=VALUE words to its environment.
LOOP_ENV=()
loop() {
  local name=$1
  shift
  local n=0
  while ((SECONDS < END)); do
    n=$((n + 1))
    local rc=0
    env -i "${VARS[@]}" ${LOOP_ENV[@]+"${LOOP_ENV[@]}"} "$LLMCTL_BIN" "$@" >"$TMP/$name.out" 2>>"$TMP/$name.err" </dev/null || rc=$?
    echo "$rc" >>"$TMP/$name.runs"
    if ((rc != 0)); then echo "$name run $n exited $rc" >>"$TMP/$name.err"; fi
  done
}

mkdir -p "$TMP/shared"
head -c 32 /dev/urandom >"$TMP/audit.key"
chmod 600 "$TMP/audit.key"
# The conversation exists before its reader starts.
env -i "${VARS[@]}" "LLMCTL_AUDIT_KEY_FILE=$TMP/audit.key" "$LLMCTL_BIN" complete -p mock -u convuser -C shared \
  "the first turn" >/dev/null </dev/null || fail "the conversation's first turn failed"
pids=()
for u in 1 2 3; do
  loop "complete$u" complete -p mock -u "user$u" --tag "loop=$u" "a call from loop $u" &
  pids+=($!)
done
for e in 1 2; do
  loop "eval$e" eval -c 4 -p mock -u "evaluser$e" --tag "loop=eval$e" "$TMP/suite.jsonl" &
  pids+=($!)
done
loop report cost-report --by user &
pids+=($!)
loop limits limits -u user1 &
pids+=($!)
loop tagreport cost-report --by tag:loop --tag ci_job=mixed --format csv &
pids+=($!)
loop logs logs -n 5 &
pids+=($!)
loop import cache import "$TMP/cassette.jsonl" &
pids+=($!)
LOOP_ENV=("LLMCTL_AUDIT_KEY_FILE=$TMP/audit.key")
for c in 1 2; do
  loop "conversation$c" complete -p mock -u convuser -C shared "a turn from loop $c" &
  pids+=($!)
done
LOOP_ENV=()
loop show conversation show shared -u convuser --json &
pids+=($!)
for p in "${pids[@]}"; do wait "$p"; done

runs() { if [[ -f $TMP/$1.runs ]]; then wc -l <"$TMP/$1.runs"; else echo 0; fi; }
failures() { grep -cv '^0$' "$TMP/$1.runs" 2>/dev/null || true; }

assert_eq ok "$(sqlite3 "$DB" 'PRAGMA integrity_check;')" "integrity_check after ${DURATION} s of mixed load"
for name in complete1 complete2 complete3 eval1 eval2 report limits tagreport logs import conversation1 conversation2 show; do
  ASSERTIONS=$((ASSERTIONS + 1))
  if (($(runs "$name") == 0)); then fail "loop $name never ran"; fi
  if [[ $(failures "$name") != 0 ]]; then
    fail "loop $name: $(failures "$name") of $(runs "$name") runs failed: $(tail -n 5 "$TMP/$name.err")"
  fi
done
for u in 1 2 3; do
  assert_eq "$(runs "complete$u")" "$(sqlite3 "$DB" "select count(*) from calls where user_id = 'user$u';")" \
    "every complete of loop $u has its record"
  assert_eq "$(runs "complete$u")" "$(sqlite3 "$DB" "select count(*) from calls where json_extract(tags, '\$.loop') = '$u';")" \
    "every complete of loop $u carries its tag"
done
assert_eq "$(sqlite3 "$DB" 'select count(*) from calls;')" \
  "$(sqlite3 "$DB" "select count(*) from calls where json_extract(tags, '\$.ci_job') = 'mixed';")" "every call carries LLMCTL_TAGS"
assert_eq 1 "$(sqlite3 "$DB" "select count(*) > 0 from monthly_spend;")" "the monthly counters were written"
for e in 1 2; do
  assert_eq "$(($(runs "eval$e") * CASES))" \
    "$(sqlite3 "$DB" "select count(*) from calls where user_id = 'evaluser$e';")" \
    "every eval case of loop $e has its record"
  assert_eq "$(runs "eval$e")" "$(sqlite3 "$DB" "select count(distinct run_id) from eval_results where run_id in (select run_id from calls where user_id = 'evaluser$e');")" \
    "every eval run of loop $e stored its results"
done
conversation_calls=$((1 + $(runs conversation1) + $(runs conversation2)))
assert_eq "$conversation_calls" "$(sqlite3 "$DB" "select count(*) from calls where user_id = 'convuser';")" \
  "every conversation call has its record"
assert_eq "$conversation_calls" "$(sqlite3 "$DB" "select count(*) from conversation_turns;")" \
  "every conversation call has its turn: none lost to a concurrent one"
assert_eq "1,$conversation_calls,$conversation_calls" \
  "$(sqlite3 "$DB" "select min(seq) || ',' || max(seq) || ',' || count(distinct seq) from conversation_turns;")" \
  "the turns are numbered 1..N, each its own number"
assert_eq "$conversation_calls" "$(sqlite3 "$DB" "select count(*) from audit_entries;")" \
  "every conversation call has its audit entry"
assert_eq 0 "$(sqlite3 "$DB" "select count(*) from conversation_turns where request_id not in (select request_id from calls);")" \
  "no turn without its call's record"
assert_eq 0 "$(sqlite3 "$DB" 'select count(*) from reservations;')" "no reservation left held"
assert_eq 2 "$(sqlite3 "$DB" 'select count(*) from cache_entries;')" "the cassette's entries"
echo "mixed load: $(runs complete1) + $(runs complete2) + $(runs complete3) completes, $(runs eval1) + $(runs eval2) evals, $conversation_calls conversation turns in ${DURATION} s" >&2

pass
