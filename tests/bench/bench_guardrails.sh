#!/usr/bin/env bash
# Issue #3: 64 concurrent processes × 20 calls each on one SQLite file
# against the fake server, with rate limits on: calls per second, and p50/p99
# of the guardrail stage (process start to the request leaving), read from
# each call's debug line "stage guardrails_ms=...". Target p99 < 10 ms.
# The limit admission (the SQLite transaction every process contends for)
# is reported on its own, from "stage admit_ms=...".
source "$(dirname "$0")/common.sh"
PROCS=${PROCS:-64}
CALLS=${CALLS:-20}
start_fake
# Each worker runs llmctl directly (no env/grep processes per call, which
# would compete for the same two cores); timings are read afterwards.
worker() {
  export HOME="$BENCH_TMP" LLMCTL_DB="$BENCH_TMP/llmctl.db" LLMCTL_USER="user$1" \
    OPENAI_BASE_URL="$FAKE_URL/v1" OPENAI_API_KEY=test-key LLM_CACHE=off \
    LLM_RATE_LIMIT_TOKENS=1000000000 LLM_RATE_LIMIT_REQUESTS=1000000
  for _ in $(seq "$CALLS"); do
    "$LLMCTL_BIN" -vv complete -p openai "Say hello" >/dev/null
  done
}
llm_env "$LLMCTL_BIN" complete -p mock warmup >/dev/null  # create the database once
t0=$(now_ns)
pids=()
for p in $(seq "$PROCS"); do worker "$p" 2>"$BENCH_TMP/stage.$p" & pids+=($!); done
wait "${pids[@]}"  # not a bare wait: the fake server is a background job too
t1=$(now_ns)
cat "$BENCH_TMP"/stage.* | grep -oE 'guardrails_ms=[0-9.]+' | cut -d= -f2 >"$BENCH_TMP/stage.all"
cat "$BENCH_TMP"/stage.* | grep -oE 'admit_ms=[0-9.]+' | cut -d= -f2 >"$BENCH_TMP/admit.all"
n=$(wc -l <"$BENCH_TMP/stage.all")
records=$(sqlite3 "$BENCH_TMP/llmctl.db" "select count(*) from calls where provider='openai'")
echo "$PROCS processes x $CALLS calls: $n stage timings, $records records, $(awk -v n="$records" -v ns=$((t1 - t0)) 'BEGIN{printf "%.0f", n/(ns/1e9)}') calls/s"
echo "limit admission (BEGIN IMMEDIATE, lock wait included): p50 $(percentile 50 "$BENCH_TMP/admit.all") ms, p99 $(percentile 99 "$BENCH_TMP/admit.all") ms"
echo "guardrail stage: p50 $(percentile 50 "$BENCH_TMP/stage.all") ms, p99 $(percentile 99 "$BENCH_TMP/stage.all") ms (target p99 < 10 ms)"
