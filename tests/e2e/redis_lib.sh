# shellcheck shell=bash
# Redis helpers for the fleet-state end-to-end tests; source after lib.sh:
#
#   source "$(dirname "$0")/lib.sh"
#   source "$(dirname "$0")/redis_lib.sh"
#
#   start_redis [ARGS...]   start a private redis-server on a free port, with
#                           persistence off and its files in $TMP/redis; sets
#                           REDIS_PORT, REDIS_PID, REDIS_URL (redis://127.0.0.1:PORT)
#   stop_redis              stop it (also done on exit); REDIS_PORT is kept so
#                           start_redis --same-port can bring it back
#   rcli ARGS...            redis-cli against it (REDISCLI_AUTH from REDIS_PASS)
#
# A test needing Redis skips visibly when redis-server is not installed.

REDIS_PID=""
REDIS_PORT=""
REDIS_URL=""
REDIS_PASS=""

if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
  echo "SKIP ${E2E_NAME}: redis-server/redis-cli not installed (Debian package redis-server)"
  exit 0
fi

_redis_cleanup() {
  local rc=$?
  stop_redis
  (exit "$rc")
  _e2e_cleanup
}
trap _redis_cleanup EXIT

rcli() {
  # An empty REDISCLI_AUTH still sends AUTH, which a server without a
  # password refuses (and --scan then prints nothing).
  if [[ -n $REDIS_PASS ]]; then
    REDISCLI_AUTH=$REDIS_PASS redis-cli -p "$REDIS_PORT" --no-auth-warning "$@"
  else
    redis-cli -p "$REDIS_PORT" "$@"
  fi
}

# A port nobody listens on: bash's /dev/tcp refuses to connect to it.
_redis_free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return 0
    fi
  done
}

# shellcheck disable=SC2120  # arguments are optional
start_redis() {
  local same=0 attempt i
  if [[ ${1:-} == --same-port ]]; then
    same=1
    shift
  fi
  stop_redis
  mkdir -p "$TMP/redis"
  for ((attempt = 0; attempt < 5; attempt++)); do
    if ((same == 0)) || [[ -z $REDIS_PORT ]]; then REDIS_PORT=$(_redis_free_port); fi
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no \
      --dir "$TMP/redis" --logfile "$TMP/redis/redis.log" --daemonize no "$@" &
    REDIS_PID=$!
    for ((i = 0; i < 100; i++)); do
      if ! _e2e_running "$REDIS_PID"; then break; fi
      # Any answer (PONG or NOAUTH) means it listens.
      if [[ -n $(redis-cli -p "$REDIS_PORT" --no-auth-warning ping 2>/dev/null) ]]; then
        REDIS_URL=redis://127.0.0.1:$REDIS_PORT
        export REDIS_PORT REDIS_URL
        return 0
      fi
      sleep 0.05
    done
    stop_redis
    ((same == 0)) || break
  done
  fail "redis-server did not start (log: $(tail -n 5 "$TMP/redis/redis.log" 2>/dev/null))"
}

stop_redis() {
  [[ -n $REDIS_PID ]] || return 0
  local pid=$REDIS_PID i
  REDIS_PID=""
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do
    _e2e_running "$pid" || break
    sleep 0.05
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
