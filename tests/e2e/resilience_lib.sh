# shellcheck shell=bash
# shellcheck disable=SC2034,SC2119  # LLM_ENV is read by lib.sh; optional-argument helpers
# Helpers shared by the resilience e2e tests (test_retry_*.sh,
# test_fallback.sh, test_breaker.sh, test_deadline_signals.sh). Source it
# after lib.sh. Not a test itself (the ctest glob is test_*.sh).
#
#   res_env                     sets LLM_ENV to fast retry settings + a log file
#   match_of PROVIDER           fake step `match` for a provider's chat route
#   model_of PROVIDER           the provider's default model
#   fake_requests [MATCH]       protocol requests seen (optionally for one route)
#   fake_gaps                   ms between consecutive recent requests, space-separated
#   last_record                 copies the last log-file record to $TMP/rec.json
#   attempts_of [FILE]          "status:error_type ..." of a record's attempts
#   assert_between LO HI VALUE MSG
#   dead_port                   a loopback port nobody listens on (sets DEAD_PORT)
#   now_ms                      wall clock in ms

# Fast backoff (0.05 s base, 0.2 s cap), 2 retries, 1 s per-attempt timeout,
# no cache and no breaker (so cases do not influence each other).
res_env() {
  LLM_ENV=(
    LLM_MAX_RETRIES=2 LLM_RETRY_BASE_SECONDS=0.05 LLM_RETRY_MAX_SECONDS=0.2
    LLM_TIMEOUT_SECONDS=1 LLM_CACHE=off LLM_BREAKER_THRESHOLD=0
    "LLMCTL_LOG_FILE=$TMP/calls.jsonl"
  )
}

match_of() {
  case $1 in
    openai) echo chat/completions ;;
    anthropic) echo /v1/messages ;;
    gemini) echo models/gemini ;;  # both :generateContent and :streamGenerateContent
    *) fail "match_of: unknown provider $1" ;;
  esac
}

model_of() {
  case $1 in
    openai) echo gpt-4o-mini ;;
    anthropic) echo claude-haiku-4-5 ;;
    gemini) echo gemini-2.5-flash ;;
    *) fail "model_of: unknown provider $1" ;;
  esac
}

fake_requests() {
  if [[ $# -eq 0 ]]; then
    fake_stats .requests
  else
    fake_stats "[.by_path | to_entries[] | select(.key | contains(\"$1\")) | .value] | add // 0"
  fi
}

fake_gaps() {
  fake_stats '[.recent as $r | range(1; $r | length) | ($r[.].t_ms - $r[. - 1].t_ms) | floor] | map(tostring) | join(" ")'
}

last_record() {
  [[ -s $TMP/calls.jsonl ]] || fail "last_record: no record in $TMP/calls.jsonl"
  tail -n 1 "$TMP/calls.jsonl" >"$TMP/rec.json"
}

attempts_of() {
  json_get '[.attempts[] | "\(.status):\(.error_type)"] | join(" ")' "${1:-$TMP/rec.json}"
}

assert_between() {
  ASSERTIONS=$((ASSERTIONS + 1))
  local lo=$1 hi=$2 v=$3
  if ! [[ $v =~ ^-?[0-9]+$ ]] || ((v < lo || v > hi)); then
    fail "${4:-assert_between}: expected $lo..$hi, got '$v'"
  fi
}

# Starts a second fake, notes its port, stops it: nothing listens there now.
dead_port() {
  local f=$TMP/dead.port
  "$FAKE_PROVIDER_BIN" --port-file "$f" --quiet >/dev/null 2>&1 &
  local pid=$! i
  for ((i = 0; i < 100; i++)); do [[ -s $f ]] && break; sleep 0.05; done
  [[ -s $f ]] || fail "dead_port: helper fake did not start"
  DEAD_PORT=$(<"$f")
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  if curl -s --max-time 1 "http://127.0.0.1:$DEAD_PORT/_control/health" >/dev/null 2>&1; then
    fail "dead_port: port $DEAD_PORT still answers"
  fi
}

now_ms() { date +%s%3N; }

# RES_SOFT=1 (by hand, for triage): report every failed assertion and go on,
# then fail at the end, instead of stopping at the first one.
if [[ -n ${RES_SOFT:-} ]]; then
  RES_FAILURES=0
  fail() {
    RES_FAILURES=$((RES_FAILURES + 1))
    echo "FAIL ${E2E_NAME} ($(_e2e_caller)): $1" >&2
  }
  pass() {
    if ((RES_FAILURES > 0)); then
      echo "FAIL ${E2E_NAME}: $RES_FAILURES of ${ASSERTIONS} assertions failed" >&2
      exit 1
    fi
    echo "PASS ${E2E_NAME}: ${ASSERTIONS} assertions"
    exit 0
  }
fi
