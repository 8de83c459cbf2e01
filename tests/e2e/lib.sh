# shellcheck shell=bash
# shellcheck disable=SC2034  # LLM_* variables are read by the sourcing test
# Shared helpers for llmctl end-to-end tests. Each tests/e2e/test_*.sh
# starts with
#
#   source "$(dirname "$0")/lib.sh"
#
# and ends with `pass`. ctest provides LLMCTL_BIN, FAKE_PROVIDER_BIN and
# LLMCTL_SOURCE_DIR; when run by hand the defaults below point into ./build.
#
# What you get:
#   $TMP                      a private directory, removed on exit (KEEP_TMP=1 keeps it)
#   start_fake [ARGS...]      start fake_provider; sets FAKE_PORT, FAKE_URL
#   stop_fake                 stop it (also done on exit)
#   fake_script JSON          replace the fake's script with a JSON array of steps
#   fake_script_append JSON   append steps
#   fake_default_step JSON    step applied when the script is empty ('null' clears)
#   fake_reset                clear script and counters
#   fake_stats [JQ_FILTER]    print the stats JSON (or the filter's raw result)
#   llm ARGS...               run llmctl in a clean environment (see below)
#   llm_env VAR=V... [-u VAR]... -- ARGS...   same, with extra/removed variables
#   llm_bg NAME ARGS...       start llmctl in the background (pid in LLM_PID)
#   llm_wait NAME             wait for it; loads LLM_RC/LLM_STDOUT/LLM_STDERR
#   assert_eq EXPECTED ACTUAL [MSG]
#   assert_contains HAYSTACK NEEDLE [MSG]
#   assert_not_contains HAYSTACK NEEDLE [MSG]
#   assert_match STRING REGEX [MSG]
#   assert_exit CODE [MSG]    exit code of the last llm run
#   assert_json JQ_EXPR EXPECTED [FILE]   jq -r over FILE (default: last stdout)
#   json_get JQ_EXPR [FILE]   print jq -r result
#   db_query SQL              sqlite3 on $TMP/llmctl.db, one row per line, '|' separated
#   wait_until SECONDS CMD... retry CMD every 0.05 s until it succeeds
#   fail MSG                  fail the test now
#   pass                      print the assertion count; call at the end
#
# llm runs "$LLMCTL_BIN" under `env -i` with only:
#   PATH HOME=$TMP LLMCTL_DB=$TMP/llmctl.db LLMCTL_USER=tester
#   XDG_CONFIG_HOME=$TMP/config XDG_STATE_HOME=$TMP/state
#   OPENAI_API_KEY=ANTHROPIC_API_KEY=GOOGLE_API_KEY=test-key
#   and, once start_fake ran, OPENAI_BASE_URL=$FAKE_URL/v1
#   ANTHROPIC_BASE_URL=$FAKE_URL GEMINI_BASE_URL=$FAKE_URL
# plus the entries of the array LLM_ENV (VAR=value; later entries win), minus
# the names in the array LLM_UNSET. It never aborts the test: the exit code
# is in $LLM_RC, output in $LLM_STDOUT/$LLM_STDERR and the files $LLM_OUT/$LLM_ERR.
# Stdin is passed through: `printf 'hi' | llm complete -`; use </dev/null
# when a test must not feed stdin. Each run is limited to $LLM_TIMEOUT
# seconds (default 120; a timeout gives exit code 124).

set -euo pipefail
# `printf hi | llm complete -` must run llm in this shell to keep LLM_RC.
shopt -s lastpipe

E2E_NAME=$(basename "${BASH_SOURCE[1]:-$0}" .sh)
: "${LLMCTL_SOURCE_DIR:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${LLMCTL_BIN:=$LLMCTL_SOURCE_DIR/build/llmctl}"
: "${FAKE_PROVIDER_BIN:=$LLMCTL_SOURCE_DIR/build/tests/fake_provider}"
export LLMCTL_SOURCE_DIR LLMCTL_BIN FAKE_PROVIDER_BIN

TMP=$(mktemp -d "${TMPDIR:-/tmp}/llmctl-e2e.${E2E_NAME}.XXXXXX")
export TMP
ASSERTIONS=0
FAKE_PID=""
FAKE_PORT=""
FAKE_URL=""
LLM_ENV=()
LLM_UNSET=()
LLM_RC=0
LLM_STDOUT=""
LLM_STDERR=""
LLM_OUT=$TMP/stdout
LLM_ERR=$TMP/stderr
LLM_PID=""
LLM_TIMEOUT=${LLM_TIMEOUT:-120}

_e2e_cleanup() {
  local rc=$?
  stop_fake
  if [[ -n ${KEEP_TMP:-} ]]; then
    echo "e2e: kept $TMP" >&2
  else
    rm -rf "$TMP"
  fi
  exit "$rc"
}
trap _e2e_cleanup EXIT

# ---------------------------------------------------------------- failures

# "test_x.sh:42": the first stack frame outside this file.
_e2e_caller() {
  local i
  for ((i = 1; i < ${#BASH_SOURCE[@]}; i++)); do
    if [[ ${BASH_SOURCE[i]} != "${BASH_SOURCE[0]}" ]]; then
      echo "${BASH_SOURCE[i]##*/}:${BASH_LINENO[i - 1]}"
      return 0
    fi
  done
  echo "?"
}

fail() {
  {
    echo "FAIL ${E2E_NAME} ($(_e2e_caller)): $1"
    if [[ -s $LLM_ERR ]]; then
      echo "--- llmctl stderr (last run, exit code $LLM_RC) ---"
      head -c 4000 "$LLM_ERR"
      echo
    fi
    if [[ -s $TMP/fake.log ]]; then
      echo "--- fake_provider log (last 15 lines) ---"
      tail -n 15 "$TMP/fake.log"
    fi
  } >&2
  exit 1
}

# Shows a value on one line, or as an indented block when it is long.
_e2e_show() {
  if [[ $1 == *$'\n'* || ${#1} -gt 200 ]]; then
    printf '\n%s\n' "$(printf '%s' "$1" | head -c 4000 | sed 's/^/    | /')"
  else
    printf "'%s'" "$1"
  fi
}

assert_eq() {
  ASSERTIONS=$((ASSERTIONS + 1))
  if [[ $1 != "$2" ]]; then
    fail "${3:-assert_eq}"$'\n'"  expected: $(_e2e_show "$1")"$'\n'"  got:      $(_e2e_show "$2")"
  fi
}

assert_contains() {
  ASSERTIONS=$((ASSERTIONS + 1))
  if [[ $1 != *"$2"* ]]; then
    fail "${3:-assert_contains}"$'\n'"  expected to contain: $(_e2e_show "$2")"$'\n'"  got: $(_e2e_show "$1")"
  fi
}

assert_not_contains() {
  ASSERTIONS=$((ASSERTIONS + 1))
  if [[ $1 == *"$2"* ]]; then
    fail "${3:-assert_not_contains}"$'\n'"  expected NOT to contain: $(_e2e_show "$2")"$'\n'"  got: $(_e2e_show "$1")"
  fi
}

assert_match() {
  ASSERTIONS=$((ASSERTIONS + 1))
  if ! [[ $1 =~ $2 ]]; then
    fail "${3:-assert_match}"$'\n'"  expected to match: /$2/"$'\n'"  got: $(_e2e_show "$1")"
  fi
}

assert_exit() {
  ASSERTIONS=$((ASSERTIONS + 1))
  if [[ $LLM_RC != "$1" ]]; then
    fail "${2:-assert_exit}"$'\n'"  expected exit code: $1"$'\n'"  got:                $LLM_RC"$'\n'"  stdout: $(_e2e_show "$LLM_STDOUT")"
  fi
}

json_get() {
  local file=${2:-$LLM_OUT} out
  if ! out=$(jq -r "$1" "$file" 2>&1); then
    fail "jq '$1' failed: $out"$'\n'"  input: $(_e2e_show "$(head -c 4000 "$file")")"
  fi
  printf '%s\n' "$out"
}

assert_json() {
  local file=${3:-$LLM_OUT} actual
  actual=$(json_get "$1" "$file")
  ASSERTIONS=$((ASSERTIONS + 1))
  if [[ $actual != "$2" ]]; then
    fail "assert_json $1"$'\n'"  expected: $(_e2e_show "$2")"$'\n'"  got:      $(_e2e_show "$actual")"$'\n'"  input: $(_e2e_show "$(head -c 4000 "$file")")"
  fi
}

db_query() {
  local db=$TMP/llmctl.db out
  [[ -f $db ]] || fail "db_query: no database at $db"
  if ! out=$(sqlite3 -batch -noheader -cmd '.timeout 5000' "$db" "$1" 2>&1); then
    fail "db_query failed: $1"$'\n'"  $out"
  fi
  printf '%s\n' "$out"
}

wait_until() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    if ((SECONDS >= deadline)); then
      fail "wait_until: '$*' did not succeed in time"
    fi
    sleep 0.05
  done
}

pass() {
  echo "PASS ${E2E_NAME}: ${ASSERTIONS} assertions"
  exit 0
}

# ---------------------------------------------------------------- fake server

# True while PID runs. `kill -0` is not enough: our own exited child stays
# a zombie until waited for, and kill -0 still succeeds on it.
_e2e_running() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [[ ${stat:0:1} != Z ]]
}

start_fake() {
  [[ -x $FAKE_PROVIDER_BIN ]] || fail "FAKE_PROVIDER_BIN is not executable: $FAKE_PROVIDER_BIN"
  stop_fake
  local port_file=$TMP/fake.port i
  rm -f "$port_file"
  "$FAKE_PROVIDER_BIN" --port-file "$port_file" "$@" >>"$TMP/fake.log" 2>&1 &
  FAKE_PID=$!
  # The fake writes the port file (atomically) once it is listening.
  for ((i = 0; i < 100; i++)); do
    [[ -s $port_file ]] && break
    if ! _e2e_running "$FAKE_PID"; then
      FAKE_PID=""
      fail "fake_provider exited at startup"
    fi
    sleep 0.05
  done
  [[ -s $port_file ]] || fail "fake_provider did not start within 5 s"
  FAKE_PORT=$(<"$port_file")
  FAKE_URL=http://127.0.0.1:$FAKE_PORT
  export FAKE_PORT FAKE_URL
}

stop_fake() {
  [[ -n $FAKE_PID ]] || return 0
  local pid=$FAKE_PID i
  FAKE_PID=""
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do
    _e2e_running "$pid" || break
    sleep 0.05
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# POST to a control route. httplib rejects a POST without Content-Length,
# hence --data-binary even for empty bodies.
_fake_post() {
  local route=$1 body=${2-} out
  [[ -n $FAKE_URL ]] || fail "$route: the fake server is not running (call start_fake)"
  if ! out=$(curl -sS --max-time 10 -X POST --data-binary "$body" "$FAKE_URL$route" 2>&1); then
    fail "POST $route failed: $out"
  fi
  if [[ $out != *'"ok":true'* ]]; then
    fail "POST $route rejected: $out"
  fi
}

fake_script() { _fake_post /_control/script "$1"; }
fake_script_append() { _fake_post '/_control/script?append=1' "$1"; }
fake_default_step() { _fake_post /_control/default "$1"; }
fake_reset() { _fake_post /_control/reset ""; }

fake_stats() {
  [[ -n $FAKE_URL ]] || fail "fake_stats: the fake server is not running"
  local out
  out=$(curl -sS --max-time 10 "$FAKE_URL/_control/stats") || fail "GET /_control/stats failed"
  if [[ $# -gt 0 ]]; then
    jq -r "$1" <<<"$out"
  else
    printf '%s\n' "$out"
  fi
}

# ---------------------------------------------------------------- llmctl

# Fills _LLM_VARS with the environment for one llmctl run.
_llm_vars() {
  local -a base=(
    "PATH=$PATH" "HOME=$TMP" "LLMCTL_DB=$TMP/llmctl.db" "LLMCTL_USER=tester"
    "XDG_CONFIG_HOME=$TMP/config" "XDG_STATE_HOME=$TMP/state"
    "OPENAI_API_KEY=test-key" "ANTHROPIC_API_KEY=test-key" "GOOGLE_API_KEY=test-key"
  )
  if [[ -n $FAKE_URL ]]; then
    base+=("OPENAI_BASE_URL=$FAKE_URL/v1" "ANTHROPIC_BASE_URL=$FAKE_URL" "GEMINI_BASE_URL=$FAKE_URL")
  fi
  _LLM_VARS=()
  local v u skip
  for v in "${base[@]}" "${LLM_ENV[@]}"; do
    skip=0
    for u in "${LLM_UNSET[@]}"; do
      if [[ ${v%%=*} == "$u" ]]; then skip=1; fi
    done
    if ((skip == 0)); then _LLM_VARS+=("$v"); fi
  done
}

_llm_load() {
  LLM_STDOUT=$(<"$LLM_OUT")
  LLM_STDERR=$(<"$LLM_ERR")
}

llm() {
  [[ -x $LLMCTL_BIN ]] || fail "LLMCTL_BIN is not executable: $LLMCTL_BIN"
  _llm_vars
  LLM_OUT=$TMP/stdout
  LLM_ERR=$TMP/stderr
  LLM_RC=0
  timeout -k 5 "$LLM_TIMEOUT" env -i "${_LLM_VARS[@]}" "$LLMCTL_BIN" "$@" >"$LLM_OUT" 2>"$LLM_ERR" || LLM_RC=$?
  _llm_load
}

llm_env() {
  local -a add=() remove=()
  while (($# > 0)); do
    case $1 in
      --) shift; break ;;
      -u) remove+=("$2"); shift 2 ;;
      *=*) add+=("$1"); shift ;;
      *) fail "llm_env: expected VAR=value, -u VAR or --, got '$1'" ;;
    esac
  done
  local -a saved_env=("${LLM_ENV[@]}") saved_unset=("${LLM_UNSET[@]}")
  LLM_ENV+=("${add[@]}")
  LLM_UNSET+=("${remove[@]}")
  llm "$@"
  LLM_ENV=("${saved_env[@]}")
  LLM_UNSET=("${saved_unset[@]}")
}

# Background run, e.g. for concurrency or SIGINT tests. `env` execs
# llmctl, so LLM_PID is llmctl's own pid (signals reach it directly).
llm_bg() {
  local name=$1
  shift
  [[ $name =~ ^[A-Za-z0-9_]+$ ]] || fail "llm_bg: NAME must be [A-Za-z0-9_]+, got '$name'"
  _llm_vars
  env -i "${_LLM_VARS[@]}" "$LLMCTL_BIN" "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" </dev/null &
  LLM_PID=$!
  printf -v "LLM_PID_$name" '%s' "$LLM_PID"
}

llm_wait() {
  local var="LLM_PID_$1"
  [[ -n ${!var:-} ]] || fail "llm_wait: no background run named '$1'"
  LLM_OUT=$TMP/$1.out
  LLM_ERR=$TMP/$1.err
  LLM_RC=0
  wait "${!var}" || LLM_RC=$?
  _llm_load
}
