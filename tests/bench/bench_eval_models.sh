#!/usr/bin/env bash
# `llmctl eval --models` with 1,000 cases × 3 models against the fake server
# answering in 100 ms at --concurrency 50 (shared by the models). The ideal
# is 3000 × 0.1 s / 50 = 6 s; the target is a wall time ≤ 1.15× that. Also
# reports peak RSS (GNU time).
#
# With PROMPTFOO_DIR set to a directory holding node_modules/.bin/promptfoo
# (`npm install promptfoo` there, outside the repository), the same 3,000
# calls run through promptfoo's OpenAI provider (three providers, each
# pointed at the fake with apiBaseUrl), cache off, same concurrency, and
# both figures are printed side by side.
source "$(dirname "$0")/common.sh"
CASES=${CASES:-1000}
CONCURRENCY=${CONCURRENCY:-50}
DELAY_MS=${DELAY_MS:-100}
MODELS=(gpt-4o-mini gpt-4.1-mini gpt-4.1-nano)
start_fake --quiet --threads 256 --default-step "{\"text\": \"The answer is 42.\", \"delay_ms\": $DELAY_MS}"

suite=$BENCH_TMP/suite.jsonl
echo '{"defaults": {"max_tokens": 64, "prompt": "Question {{n}}: what is six times seven?", "assert": [{"type": "contains", "value": "42"}]}}' >"$suite"
for ((i = 1; i <= CASES; i++)); do printf '{"id": "case-%04d", "vars": {"n": %d}}\n' "$i" "$i" >>"$suite"; done
models=$(printf 'openai:%s,' "${MODELS[@]}")
models=${models%,}
calls=$((CASES * ${#MODELS[@]}))
ideal_ms=$((calls * DELAY_MS / CONCURRENCY))
command -v /usr/bin/time >/dev/null || { echo "install the Debian package 'time' for /usr/bin/time" >&2; exit 1; }

run_timed() {  # NAME CMD...: wall ms and peak RSS KB of one run, via GNU time
  local name=$1
  shift
  /usr/bin/time -f '%e %M' -o "$BENCH_TMP/$name.time" "$@" >"$BENCH_TMP/$name.out" 2>"$BENCH_TMP/$name.err" || true
  read -r secs rss < <(tail -n 1 "$BENCH_TMP/$name.time")
  wall_ms=$(awk -v s="$secs" 'BEGIN{printf "%d", s * 1000}')
  peak_kb=$rss
}
ratio() { awk -v a="$1" -v b="$ideal_ms" 'BEGIN{printf "%.3f", a/b}'; }

run_timed llmctl env -i PATH="$PATH" HOME="$BENCH_TMP" LLMCTL_DB="$BENCH_TMP/llmctl.db" LLMCTL_USER=bench \
  OPENAI_BASE_URL="$FAKE_URL/v1" OPENAI_API_KEY=test-key LLM_CACHE=off LLM_RATE_LIMIT_TOKENS=0 \
  "$LLMCTL_BIN" -q eval "$suite" --models "$models" --concurrency "$CONCURRENCY"
requests=$(curl -s "$FAKE_URL/_control/stats" | jq .requests)
echo "llmctl eval --models (3): $CASES cases × ${#MODELS[@]} models, ${DELAY_MS} ms answers, --concurrency $CONCURRENCY:" \
  "${wall_ms} ms wall (ideal ${ideal_ms} ms, ratio $(ratio "$wall_ms"), target <= 1.15), peak RSS ${peak_kb} KB," \
  "$requests requests; \"$(tail -n 1 "$BENCH_TMP/llmctl.out")\""

if [[ -n ${PROMPTFOO_DIR:-} ]]; then
  pf=$PROMPTFOO_DIR/node_modules/.bin/promptfoo
  [[ -x $pf ]] || { echo "no promptfoo at $pf" >&2; exit 1; }
  cfg=$BENCH_TMP/promptfooconfig.yaml
  {
    echo "prompts:"
    echo "  - 'Question {{n}}: what is six times seven?'"
    echo "providers:"
    for m in "${MODELS[@]}"; do
      echo "  - id: openai:chat:$m"
      echo "    config: {apiBaseUrl: '$FAKE_URL/v1', apiKey: test-key, max_tokens: 64}"
    done
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
  echo "promptfoo $("$pf" --version 2>/dev/null | tail -n 1): ${wall_ms} ms wall (ratio $(ratio "$wall_ms"))," \
    "peak RSS ${peak_kb} KB, ${pf_requests} requests"
fi
