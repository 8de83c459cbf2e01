#!/usr/bin/env bash
# The SQLite store: created 0600 in a 0700 directory (also
# at the XDG default and under umask 000), WAL mode, numbered migrations; an
# unusable database path is a configuration error; 20 processes started at
# the same moment on a brand-new file all succeed with exactly 20 records.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/core_helpers.sh"

# A new database under a new directory (LLMCTL_DB).
db=$TMP/new/deeper/calls.db
llm_env LLMCTL_DB="$db" -- complete -p mock "hello" </dev/null
assert_exit 0 "new database under a new directory"
assert_eq 600 "$(stat -c %a "$db")" "database file mode 0600"
assert_eq 700 "$(stat -c %a "$(dirname "$db")")" "its directory mode 0700"
for f in "$db-wal" "$db-shm"; do
  if [[ -e $f ]]; then assert_match "$(stat -c %a "$f")" '^600$' "$(basename "$f") mode 0600"; fi
done
assert_eq wal "$(sqlite3 "$db" 'PRAGMA journal_mode;')" "WAL mode"
assert_eq 1 "$(sqlite3 "$db" 'select count(*) from calls;')" "one record"
assert_match "$(sqlite3 "$db" 'select max(version) from schema_migrations;')" '^[0-9]+$' "numbered migrations recorded"

# The XDG default location, under umask 000.
(
  umask 000
  llm_env -u LLMCTL_DB -- complete -p mock "hello" </dev/null
  echo "$LLM_RC" >"$TMP/rc"
)
assert_eq 0 "$(cat "$TMP/rc")" "default database path"
xdb=$TMP/state/llmctl/llmctl.db
[[ -f $xdb ]] || fail "no database at \$XDG_STATE_HOME/llmctl/llmctl.db"
assert_eq 600 "$(stat -c %a "$xdb")" "0600 even under umask 000"
assert_eq 700 "$(stat -c %a "$(dirname "$xdb")")" "0700 even under umask 000"

# An existing directory keeps its mode (llmctl does not chmod what it did not create)
# but the file is still 0600.
mkdir -m 755 "$TMP/shared"
llm_env LLMCTL_DB="$TMP/shared/x.db" -- complete -p mock "hello" </dev/null
assert_exit 0
assert_eq 600 "$(stat -c %a "$TMP/shared/x.db")" "file 0600 in an existing directory"

# An unusable path is a configuration error, before anything is sent.
start_fake
: >"$TMP/a-file"
llm_env LLMCTL_DB="$TMP/a-file/sub/x.db" LLM_MAX_RETRIES=0 -- complete -p openai "hello" </dev/null
assert_exit 3 "database under a regular file -> exit 3"
assert_contains "$LLM_STDERR" "$TMP/a-file" "the message names the path"
assert_nothing_sent "nothing sent when the database cannot be opened"
printf 'this is not a database, just text\n%.0s' {1..200} >"$TMP/garbage.db"
llm_env LLMCTL_DB="$TMP/garbage.db" -- complete -p mock "hello" </dev/null
assert_match "$LLM_RC" '^3$' "a file that is not SQLite -> exit 3"
assert_contains "$LLM_STDERR" garbage.db

# ---------------------------------------------------------------- concurrency

# 20 processes released at the same moment on a brand-new database file.
cdb=$TMP/concurrent/fresh.db
_llm_vars
vars=("${_LLM_VARS[@]}" "LLMCTL_DB=$cdb")
pids=()
for i in $(seq 1 20); do
  (
    while [[ ! -e $TMP/go ]]; do sleep 0.002; done
    exec env -i "${vars[@]}" "$LLMCTL_BIN" complete -p mock -u "user$((i % 3))" "concurrent call $i" \
      >"$TMP/c$i.out" 2>"$TMP/c$i.err" </dev/null
  ) &
  pids+=($!)
done
sleep 0.5
touch "$TMP/go"
failed=0
for i in $(seq 1 20); do
  rc=0
  wait "${pids[$((i - 1))]}" || rc=$?
  if ((rc != 0)); then
    echo "process $i exited $rc: $(cat "$TMP/c$i.err")" >&2
    failed=$((failed + 1))
  fi
done
assert_eq 0 "$failed" "all 20 concurrent processes succeed"
assert_eq 20 "$(sqlite3 "$cdb" 'select count(*) from calls;')" "exactly 20 records"
assert_eq 20 "$(sqlite3 "$cdb" 'select count(distinct request_id) from calls;')" "20 distinct request ids"
assert_eq 0 "$(cat "$TMP"/c*.err | grep -ci 'locked\|busy' || true)" "no 'database is locked' anywhere"
assert_eq 20 "$(cat "$TMP"/c*.out | grep -c .)" "20 answers"
assert_eq "$(sqlite3 "$db" 'select group_concat(version) from schema_migrations;')" \
  "$(sqlite3 "$cdb" 'select group_concat(version) from schema_migrations;')" "each migration applied exactly once"
assert_eq ok "$(sqlite3 "$cdb" 'PRAGMA integrity_check;')" "integrity_check"
assert_eq 600 "$(stat -c %a "$cdb")" "concurrently created file is 0600"

pass
