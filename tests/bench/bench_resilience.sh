#!/usr/bin/env bash
# The primary is down (connection refused), the breaker has opened,
# a healthy fallback answers. `complete` with that chain vs a direct call to
# the fallback, alternating, median of N runs each (target ≤ 1.2×).
source "$(dirname "$0")/common.sh"
RUNS=${RUNS:-30}
start_fake
# A port nothing listens on: start a second fake, note its port, stop it.
"$FAKE_PROVIDER_BIN" --port-file "$BENCH_TMP/dead.port" --quiet & dead_pid=$!
for _ in $(seq 100); do [[ -s $BENCH_TMP/dead.port ]] && break; sleep 0.05; done
dead_port=$(cat "$BENCH_TMP/dead.port"); kill "$dead_pid"; wait "$dead_pid" 2>/dev/null || true

export HOME="$BENCH_TMP" LLMCTL_DB="$BENCH_TMP/llmctl.db" LLMCTL_USER=bench LLM_CACHE=off \
  OPENAI_BASE_URL="http://127.0.0.1:$dead_port/v1" ANTHROPIC_BASE_URL="$FAKE_URL" \
  OPENAI_API_KEY=test-key ANTHROPIC_API_KEY=test-key LLM_RETRY_BASE_SECONDS=0.01 LLM_RETRY_MAX_SECONDS=0.01
chain=(complete -p openai --fallback anthropic:claude-haiku-4-5 "Say hello")
direct=(complete -p anthropic "Say hello")
for _ in 1 2 3; do "$LLMCTL_BIN" "${chain[@]}" >/dev/null; done  # opens the breaker (threshold 5)
"$LLMCTL_BIN" config-check 2>/dev/null | grep -q "breaker openai.*open" || echo "warning: breaker not open" >&2
: >"$BENCH_TMP/chain.us"; : >"$BENCH_TMP/direct.us"
for _ in $(seq "$RUNS"); do
  t0=$(now_ns); "$LLMCTL_BIN" "${chain[@]}" >/dev/null; t1=$(now_ns)
  "$LLMCTL_BIN" "${direct[@]}" >/dev/null; t2=$(now_ns)
  echo $(( (t1 - t0) / 1000 )) >>"$BENCH_TMP/chain.us"
  echo $(( (t2 - t1) / 1000 )) >>"$BENCH_TMP/direct.us"
done
mc=$(median "$BENCH_TMP/chain.us"); md=$(median "$BENCH_TMP/direct.us")
echo "primary down, breaker open: chain ${mc} us, direct fallback ${md} us, ratio $(awk -v a="$mc" -v b="$md" 'BEGIN{printf "%.2f", a/b}') (target <= 1.2)"
