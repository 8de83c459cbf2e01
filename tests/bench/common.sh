# shellcheck shell=bash
# Shared helpers for the benchmarks: binaries, a fake provider on loopback,
# timing and percentiles. Benchmarks print ratios against a reference
# measured in the same run; they are never part of ctest.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LLMCTL_BIN=${LLMCTL_BIN:-$ROOT/build/llmctl}
FAKE_PROVIDER_BIN=${FAKE_PROVIDER_BIN:-$ROOT/build/tests/fake_provider}
BENCH_TMP=$(mktemp -d)
FAKE_PID=""
cleanup() {
  [[ -n $FAKE_PID ]] && kill "$FAKE_PID" 2>/dev/null || true
  rm -rf "$BENCH_TMP"
}
trap cleanup EXIT

# start_fake [extra fake_provider args...]: exports FAKE_URL.
start_fake() {
  "$FAKE_PROVIDER_BIN" --port-file "$BENCH_TMP/port" "$@" >"$BENCH_TMP/fake.log" 2>&1 &
  FAKE_PID=$!
  for _ in $(seq 100); do [[ -s $BENCH_TMP/port ]] && break; sleep 0.05; done
  FAKE_URL=http://127.0.0.1:$(cat "$BENCH_TMP/port")
  export FAKE_URL
}

# stop_fake: stops the fake provider, so start_fake can start another.
stop_fake() {
  kill "$FAKE_PID"; wait "$FAKE_PID" 2>/dev/null || true
  FAKE_PID=""
  rm -f "$BENCH_TMP/port"
}

now_ns() { date +%s%N; }

# median FILE: the median of one number per line.
median() { sort -n "$1" | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# percentile P FILE: nearest rank.
percentile() { sort -n "$2" | awk -v p="$1" '{a[NR]=$1} END {r=int((p/100)*NR); if (r<(p/100)*NR) r++; if (r<1) r=1; print a[r]}'; }

# peak_rss_kb CMD...: maximum resident set size of one run, via GNU time.
peak_rss_kb() {
  command -v /usr/bin/time >/dev/null || { echo "install the 'time' package for RSS figures" >&2; echo 0; return; }
  /usr/bin/time -f '%M' -o "$BENCH_TMP/rss" "$@" >/dev/null 2>&1 || true
  tail -1 "$BENCH_TMP/rss"
}

llm_env() {
  env -i PATH="$PATH" HOME="$BENCH_TMP" LLMCTL_DB="$BENCH_TMP/llmctl.db" LLMCTL_USER=bench \
    OPENAI_BASE_URL="$FAKE_URL/v1" ANTHROPIC_BASE_URL="$FAKE_URL" GEMINI_BASE_URL="$FAKE_URL" \
    OPENAI_API_KEY=test-key ANTHROPIC_API_KEY=test-key GOOGLE_API_KEY=test-key \
    LLM_CACHE=off LLM_RATE_LIMIT_TOKENS=0 "$@"
}
