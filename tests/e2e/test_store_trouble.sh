#!/usr/bin/env bash
# Trouble with the state database is a configuration error (exit 3) saying
# what to do, found before anything is sent, within one wait of
# LLMCTL_DB_BUSY_TIMEOUT_MS: a write lock held too long (naming the holder),
# an exclusive lock, a full disk, a corrupt schema page, a corrupt index
# page, a schema newer than this llmctl. A symbolic link as LLMCTL_DB is
# refused, a loose file mode is tightened, and read-only commands neither
# create a database nor need write access to read one.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=core_helpers.sh
source "$(dirname "$0")/core_helpers.sh"

start_fake
LLM_ENV+=(LLM_MAX_RETRIES=0 LLM_CACHE=off)
DB=$TMP/llmctl.db

fresh_db() {  # a database holding one record, all of it in the main file
  rm -f "$DB" "$DB-wal" "$DB-shm"
  llm complete -p mock "seed" </dev/null
  assert_exit 0 "seed call"
  # A call leaves its commits in the WAL; the damage below is done to the
  # main file, so everything must be there first.
  sqlite3 "$DB" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null
}
call() {  # a paid call through the fake; nothing may reach it
  fake_reset
  llm_env "$@" -- complete -p openai --json "hello" </dev/null
}

# ---------------------------------------------------------------- the variable
llm_env LLMCTL_DB_BUSY_TIMEOUT_MS=soon -- complete -p mock hi </dev/null
assert_exit 3 "a bad LLMCTL_DB_BUSY_TIMEOUT_MS"
assert_contains "$LLM_STDERR" LLMCTL_DB_BUSY_TIMEOUT_MS
llm_env LLMCTL_DB_SYNC=sometimes -- complete -p mock hi </dev/null
assert_exit 3 "a bad LLMCTL_DB_SYNC"
assert_contains "$LLM_STDERR" "expected normal or full"

# hold SQL: a sqlite3 process (pid in $holder) runs SQL on the database and
# keeps its session, with its locks, until release.
hold() {
  rm -f "$TMP/hold.fifo"
  mkfifo "$TMP/hold.fifo"
  sqlite3 -cmd '.timeout 5000' "$DB" <"$TMP/hold.fifo" >/dev/null 2>&1 &
  holder=$!
  exec 7>"$TMP/hold.fifo"
  printf '%s\n' "$1" >&7
}
release() {
  exec 7>&-
  wait "$holder" 2>/dev/null || true
}

# ---------------------------------------------------------------- a write lock held too long
fresh_db
hold 'BEGIN IMMEDIATE; DELETE FROM breakers;'
locked() { ! sqlite3 "$DB" 'BEGIN IMMEDIATE; ROLLBACK;' 2>/dev/null; }
wait_until 20 locked
call LLMCTL_DB_BUSY_TIMEOUT_MS=700
assert_exit 3 "write lock held beyond the wait"
assert_nothing_sent "nothing sent while the database is locked"
assert_contains "$LLM_STDERR" "locked by pid $holder (sqlite3)" "the message names the holder"
assert_contains "$LLM_STDERR" LLMCTL_DB_BUSY_TIMEOUT_MS "the message names the variable to raise"
assert_match "$(json_get .error)" "is locked by" "--json does not claim \"error\": null when the record could not be written"
# One wait for the call, not one per statement: well under two waits of 5 s.
start=$SECONDS
call LLMCTL_DB_BUSY_TIMEOUT_MS=5000
assert_exit 3
ASSERTIONS=$((ASSERTIONS + 1))
((SECONDS - start < 10)) || fail "the call waited $((SECONDS - start)) s for a 5 s budget"
release
call
assert_exit 0 "once the lock is released the call goes through"

# ---------------------------------------------------------------- an exclusive lock
fresh_db
hold 'PRAGMA locking_mode=EXCLUSIVE; BEGIN EXCLUSIVE; COMMIT; SELECT count(*) FROM calls;'
unreadable() { ! sqlite3 "$DB" 'SELECT count(*) FROM calls;' >/dev/null 2>&1; }
wait_until 20 unreadable
call LLMCTL_DB_BUSY_TIMEOUT_MS=700
assert_exit 3 "exclusive lock"
assert_nothing_sent "nothing sent under an exclusive lock"
assert_contains "$LLM_STDERR" "locked"
llm_env LLMCTL_DB_BUSY_TIMEOUT_MS=700 -- cost-report </dev/null
assert_exit 3 "a report under an exclusive lock"
release

# ---------------------------------------------------------------- a full disk
# A file size limit makes every write past the first KiB fail, as a full
# disk does.
fresh_db
(
  ulimit -f 1
  trap '' XFSZ
  call
  echo "$LLM_RC" >"$TMP/full.rc"
  cp "$LLM_ERR" "$TMP/full.err"
  cp "$LLM_OUT" "$TMP/full.out"
)
assert_eq 3 "$(cat "$TMP/full.rc")" "disk full -> exit 3"
assert_eq 0 "$(fake_stats .requests)" "nothing sent when the disk is full"
assert_match "$(cat "$TMP/full.err")" "no space left|disk is full" "the message says the disk is full"
assert_contains "$(cat "$TMP/full.err")" "free space"

# ---------------------------------------------------------------- a corrupt schema page
fresh_db
# Page 1 holds the schema; its b-tree page header starts at byte 100.
printf '\0\0\0\0\0\0\0\0' | dd of="$DB" bs=1 seek=100 conv=notrunc status=none
call
assert_exit 3 "corrupt schema page"
assert_nothing_sent "nothing sent with a corrupt schema"
assert_contains "$LLM_STDERR" "corrupt"
assert_contains "$LLM_STDERR" ".recover"
assert_not_contains "$LLM_STDERR" "already exists" "a read error is not taken for an empty schema"
llm cost-report </dev/null
assert_exit 3 "a report over a corrupt schema"

# ---------------------------------------------------------------- a corrupt index page
fresh_db
page_size=$(sqlite3 "$DB" 'PRAGMA page_size;')
root=$(sqlite3 "$DB" "SELECT rootpage FROM sqlite_master WHERE name = 'sqlite_autoindex_calls_1';")
head -c "$page_size" /dev/zero | tr '\0' '\377' |
  dd of="$DB" bs="$page_size" seek=$((root - 1)) conv=notrunc status=none
call
assert_exit 3 "corrupt index page"
assert_nothing_sent "the provider is not called (and billed) when the record could not be stored"
assert_contains "$LLM_STDERR" ".recover"
llm config-check
assert_exit 3 "config-check fails on a corrupt database"
assert_match "$LLM_STDOUT$LLM_STDERR" "FAIL +database" "config-check names the database"

# ---------------------------------------------------------------- a newer schema
fresh_db
sqlite3 "$DB" "INSERT INTO schema_migrations VALUES (999, 'from the future', 'now');"
call
assert_exit 3 "newer schema"
assert_contains "$LLM_STDERR" "newer than this llmctl knows"
assert_nothing_sent "nothing sent to a newer schema"
llm cost-report </dev/null
assert_exit 3 "reports refuse a newer schema too"

# ---------------------------------------------------------------- symbolic links and modes
fresh_db
ln -s "$DB" "$TMP/link.db"
call LLMCTL_DB="$TMP/link.db"
assert_exit 3 "LLMCTL_DB as a symbolic link"
assert_contains "$LLM_STDERR" "symbolic link"
assert_nothing_sent "nothing sent through a symbolic link"
llm_env LLMCTL_DB="$TMP/link.db" -- cost-report </dev/null
assert_exit 3 "reports refuse the link too"
ln -s "$TMP/nowhere.db" "$TMP/dangling.db"
call LLMCTL_DB="$TMP/dangling.db"
assert_exit 3 "a dangling symbolic link"
[[ ! -e $TMP/nowhere.db ]] || fail "the link's target was created"

chmod 644 "$DB"
llm complete -p mock "tighten" </dev/null
assert_exit 0
assert_eq 600 "$(stat -c %a "$DB")" "a 0644 database is tightened to 0600"

# ---------------------------------------------------------------- reading creates nothing
for cmd in "limits" "cost-report" "latency-stats" "logs" "cache stats" "cache export"; do
  # shellcheck disable=SC2086  # the command's words
  llm_env LLMCTL_DB="$TMP/absent/none.db" -- $cmd </dev/null
  ASSERTIONS=$((ASSERTIONS + 1))
  [[ $LLM_RC == 0 ]] || fail "$cmd on a missing database exited $LLM_RC: $LLM_STDERR"
  [[ ! -e $TMP/absent ]] || fail "$cmd created $TMP/absent"
done
llm_env LLMCTL_DB="$TMP/absent/none.db" -- limits --json </dev/null
assert_eq 0 "$(json_get .window.tokens_used)" "a missing database reads as empty"

# ---------------------------------------------------------------- a database on read-only media
# Played by a user who may read but not write the file or its directory
# (root ignores file modes), with no WAL index left to share.
if (($(id -u) != 0)) || command -v setpriv >/dev/null; then
  ro=$TMP/readonly
  mkdir -m 755 "$ro"
  llm_env LLMCTL_DB="$ro/state.db" -- complete -p mock "on media" </dev/null
  assert_exit 0
  rm -f "$ro/state.db-shm"
  chmod 644 "$ro"/state.db*
  chmod 555 "$ro"
  chmod 711 "$TMP"
  as_reader() {
    LLM_RC=0
    local -a as=()
    if (($(id -u) == 0)); then as=(setpriv --reuid=65534 --regid=65534 --clear-groups); fi
    "${as[@]}" env -i PATH="$PATH" HOME=/ LLMCTL_DB="$ro/state.db" LLMCTL_USER=tester "$LLMCTL_BIN" "$@" \
      >"$TMP/ro.out" 2>"$TMP/ro.err" </dev/null || LLM_RC=$?
    LLM_STDOUT=$(<"$TMP/ro.out")
    LLM_STDERR=$(<"$TMP/ro.err")
  }
  as_reader cost-report --format json
  assert_exit 0 "cost-report reads a read-only database"
  assert_contains "$LLM_STDOUT" '"calls": 1' "and sees its record"
  as_reader logs
  assert_exit 0 "logs reads a read-only database"
  assert_eq 1 "$(grep -c . "$TMP/ro.out")"
  as_reader limits
  assert_exit 0 "limits reads a read-only database"
  as_reader complete -p mock "write me"
  assert_exit 3 "a call cannot write there: a configuration error"
  [[ ! -e $ro/state.db-shm ]] || fail "reading created a WAL index on read-only media"
  chmod 755 "$ro"
  chmod 700 "$TMP"
else
  echo "SKIP read-only media: setpriv not installed" >&2
fi

pass
