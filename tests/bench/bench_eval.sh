#!/usr/bin/env bash
# `llmctl eval` with 1,000 cases against the fake server answering
# in 100 ms at --concurrency 50. The ideal is 1000 × 0.1 s / 50 = 2 s; the
# target is a wall time ≤ 1.15× that. Also reports peak RSS (GNU time), and
# curl sending the same requests alone at the same concurrency (what the
# machine and the fake server cost per request, which the ideal leaves out).
#
# With PROMPTFOO_DIR set to a directory holding node_modules/.bin/promptfoo
# (`npm install promptfoo` there, outside the repository), the same cases run
# through promptfoo's OpenAI provider pointed at the same fake server, cache
# off, same concurrency, and both figures are printed side by side.
source "$(dirname "$0")/common.sh"
CASES=${CASES:-1000}
CONCURRENCY=${CONCURRENCY:-50}
DELAY_MS=${DELAY_MS:-100}
# The fake widens its listen backlog itself (httplib's default is 5), so 50
# clients connecting at once are not dropped and retried a second later.
start_fake --quiet --threads 256 --default-step "{\"text\": \"The answer is 42.\", \"delay_ms\": $DELAY_MS}"
overflows() { local v; v=$(nstat -az TcpExtListenOverflows 2>/dev/null | awk '/ListenOverflows/ {print $2}'); echo "${v:-0}"; }

suite=$BENCH_TMP/suite.jsonl
echo '{"defaults": {"model": "openai:gpt-4o-mini", "max_tokens": 64, "prompt": "Question {{n}}: what is six times seven?", "assert": [{"type": "contains", "value": "42"}]}}' >"$suite"
for ((i = 1; i <= CASES; i++)); do printf '{"id": "case-%04d", "vars": {"n": %d}}\n' "$i" "$i" >>"$suite"; done

ideal_ms=$((CASES * DELAY_MS / CONCURRENCY))
command -v /usr/bin/time >/dev/null || { echo "install the Debian package 'time' for /usr/bin/time" >&2; exit 1; }

# run_timed NAME CMD...: wall ms and peak RSS KB of one run, via GNU time.
run_timed() {
  local name=$1
  shift
  /usr/bin/time -f '%e %M' -o "$BENCH_TMP/$name.time" "$@" >"$BENCH_TMP/$name.out" 2>"$BENCH_TMP/$name.err" || true
  read -r secs rss < <(tail -n 1 "$BENCH_TMP/$name.time")
  [[ -s $BENCH_TMP/$name.err ]] && tail -n 3 "$BENCH_TMP/$name.err" >&2
  wall_ms=$(awk -v s="$secs" 'BEGIN{printf "%d", s * 1000}')
  peak_kb=$rss
}

# Warm the page cache and the database file once, then measure.
llm_env LLMCTL_DB="$BENCH_TMP/warm.db" "$LLMCTL_BIN" -q eval "$suite" --filter 'case-000[1-9]' >/dev/null 2>&1 || true
curl -s -X POST --data-binary "" "$FAKE_URL/_control/reset" >/dev/null
ov0=$(overflows)
# `env` execs llmctl, so GNU time measures llmctl itself.
run_timed llmctl env -i PATH="$PATH" HOME="$BENCH_TMP" LLMCTL_DB="$BENCH_TMP/llmctl.db" LLMCTL_USER=bench \
  OPENAI_BASE_URL="$FAKE_URL/v1" OPENAI_API_KEY=test-key LLM_CACHE=off LLM_RATE_LIMIT_TOKENS=0 "$LLMCTL_BIN" -q eval "$suite" --concurrency "$CONCURRENCY"
llmctl_ms=$wall_ms
closing=$(tail -n 1 "$BENCH_TMP/llmctl.out")
max_in_flight=$(curl -s "$FAKE_URL/_control/stats" | jq .max_in_flight)
echo "llmctl eval: $CASES cases, ${DELAY_MS} ms answers, --concurrency $CONCURRENCY: ${wall_ms} ms wall" \
  "(ideal ${ideal_ms} ms, ratio $(awk -v a="$wall_ms" -v b="$ideal_ms" 'BEGIN{printf "%.3f", a/b}'), target <= 1.15)," \
  "peak RSS ${peak_kb} KB, max in flight ${max_in_flight}, listen overflows $(($(overflows) - ov0)); \"$closing\""

# The same POSTs sent by curl alone, 50 at a time: what this machine and
# the fake server cost per request with no guardrails at all. The ideal
# above leaves that cost out.
urls=()
for ((i = 1; i <= CASES; i++)); do urls+=("$FAKE_URL/v1/chat/completions" -o /dev/null); done
body='{"model":"gpt-4o-mini","max_tokens":64,"messages":[{"role":"user","content":"Question 1: what is six times seven?"}]}'
run_timed curl curl -sS --no-progress-meter --parallel --parallel-max "$CONCURRENCY" -H 'Authorization: Bearer test-key' \
  -H 'Content-Type: application/json' --data-binary "$body" "${urls[@]}"
curl_ms=$wall_ms
echo "curl --parallel-max $CONCURRENCY, the same $CASES requests: ${curl_ms} ms wall" \
  "(llmctl/curl $(awk -v a="$llmctl_ms" -v b="$curl_ms" 'BEGIN{printf "%.3f", a/b}'))"

if [[ -n ${PROMPTFOO_DIR:-} ]]; then
  pf=$PROMPTFOO_DIR/node_modules/.bin/promptfoo
  [[ -x $pf ]] || { echo "no promptfoo at $pf" >&2; exit 1; }
  cfg=$BENCH_TMP/promptfooconfig.yaml
  {
    echo "prompts:"
    echo "  - 'Question {{n}}: what is six times seven?'"
    echo "providers:"
    echo "  - id: openai:chat:gpt-4o-mini"
    echo "    config:"
    echo "      apiBaseUrl: $FAKE_URL/v1"
    echo "      apiKey: test-key"
    echo "      max_tokens: 64"
    echo "tests:"
    for ((i = 1; i <= CASES; i++)); do
      echo "  - vars: {n: $i}"
      echo "    assert: [{type: contains, value: '42'}]"
    done
  } >"$cfg"
  curl -s -X POST --data-binary '' "$FAKE_URL/_control/reset" >/dev/null
  export PROMPTFOO_DISABLE_TELEMETRY=1 PROMPTFOO_DISABLE_UPDATE=1 PROMPTFOO_CACHE_ENABLED=false \
    PROMPTFOO_CONFIG_DIR="$BENCH_TMP/promptfoo-home" OPENAI_API_KEY=test-key
  run_timed promptfoo "$pf" eval -c "$cfg" --no-cache --max-concurrency "$CONCURRENCY" --no-write --no-table \
    --no-progress-bar -o "$BENCH_TMP/promptfoo.json"
  pf_requests=$(curl -s "$FAKE_URL/_control/stats" | jq .requests)
  pf_in_flight=$(curl -s "$FAKE_URL/_control/stats" | jq .max_in_flight)
  pf_passed=$(jq '.results.stats.successes // empty' "$BENCH_TMP/promptfoo.json" 2>/dev/null || true)
  echo "promptfoo $("$pf" --version 2>/dev/null | tail -n 1): ${wall_ms} ms wall" \
    "(ratio $(awk -v a="$wall_ms" -v b="$ideal_ms" 'BEGIN{printf "%.3f", a/b}')), peak RSS ${peak_kb} KB," \
    "${pf_requests} requests, max in flight ${pf_in_flight}, ${pf_passed:-?} passed"
fi
