#!/usr/bin/env bash
# 64 concurrent processes × 20 calls each on one SQLite file
# against the fake server, with rate limits on: calls per second, and p50/p99
# of the guardrail stage (process start to the request leaving), read from
# each call's debug line "stage guardrails_ms=...". Target p99 < 10 ms.
# The limit admission (the SQLite transaction every process contends for)
# is reported on its own, from "stage admit_ms=...".
#
# Two runs: the fake answering at once, where 64 processes that do nothing
# but start, call and exit keep both cores saturated (the CPU used per call
# is printed, so the saturation is visible), and the fake answering after
# DELAY_MS (default 1000, a short real completion), where processes spend
# most of their time waiting as they would on a real provider. Beside each,
# the reference: how long a bare sqlite3 process takes from start to exit
# under the same load.
source "$(dirname "$0")/common.sh"
PROCS=${PROCS:-64}
CALLS=${CALLS:-20}
DELAY_MS=${DELAY_MS:-1000}
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
# children_cpu_ms VAR: sets VAR to the user+sys CPU of every finished child
# of this shell (`times` must run in this shell, not in a command
# substitution, hence the variable).
children_cpu_ms() {
  times >"$BENCH_TMP/times"
  printf -v "$1" '%s' "$(tail -1 "$BENCH_TMP/times" | awk '{ms = 0; for (i = 1; i <= 2; i++) {split($i, t, /[ms]/); ms += (t[1] * 60 + t[2]) * 1000} printf "%.0f", ms}')"
}
# probe OUT PID...: the reference. While the workers run, time whole runs
# of a process that does almost nothing (sqlite3 on an in-memory database,
# start to exit), one every 20 ms: what any new process waits for the CPU
# under the same load, the floor beneath the guardrail stage.
probe() {
  local out=$1 t0
  shift
  : >"$out"
  while kill -0 "$@" 2>/dev/null; do
    t0=$EPOCHREALTIME
    sqlite3 :memory: "select 1" >/dev/null
    awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.3f\n", (b - a) * 1000}' >>"$out"
    sleep 0.02
  done
}
run() {  # run DELAY_MS LABEL
  start_fake --default-step "{\"delay_ms\":$1}"
  rm -f "$BENCH_TMP"/llmctl.db* "$BENCH_TMP"/stage.*
  llm_env "$LLMCTL_BIN" complete -p mock warmup >/dev/null  # create the database once
  local cpu0 t0 t1 cpu1 pids=()
  children_cpu_ms cpu0
  t0=$(now_ns)
  for p in $(seq "$PROCS"); do worker "$p" 2>"$BENCH_TMP/stage.$p" & pids+=($!); done
  probe "$BENCH_TMP/probe.all" "${pids[@]}" &
  local probe_pid=$!
  wait "${pids[@]}"  # not a bare wait: the fake server is a background job too
  t1=$(now_ns)
  children_cpu_ms cpu1  # before the probe is reaped: workers only
  wait "$probe_pid"
  stop_fake
  cat "$BENCH_TMP"/stage.* | grep -oE 'guardrails_ms=[0-9.]+' | cut -d= -f2 >"$BENCH_TMP/stage.all"
  cat "$BENCH_TMP"/stage.* | grep -oE 'admit_ms=[0-9.]+' | cut -d= -f2 >"$BENCH_TMP/admit.all"
  local n records
  n=$(wc -l <"$BENCH_TMP/stage.all")
  records=$(sqlite3 "$BENCH_TMP/llmctl.db" "select count(*) from calls where provider='openai'")
  echo "== $2: $PROCS processes x $CALLS calls: $n stage timings, $records records," \
    "$(awk -v n="$records" -v ns=$((t1 - t0)) 'BEGIN{printf "%.0f", n/(ns/1e9)}') calls/s," \
    "CPU per call $(awk -v c=$((cpu1 - cpu0)) -v n="$records" 'BEGIN{printf "%.1f", c/n}') ms," \
    "cores busy $(awk -v c=$((cpu1 - cpu0)) -v ns=$((t1 - t0)) 'BEGIN{printf "%.0f%%", 100*c/(ns/1e6)/2}')"
  echo "limit admission (BEGIN IMMEDIATE, lock wait included): p50 $(percentile 50 "$BENCH_TMP/admit.all") ms, p99 $(percentile 99 "$BENCH_TMP/admit.all") ms"
  local p99 ref99
  p99=$(percentile 99 "$BENCH_TMP/stage.all") ref99=$(percentile 99 "$BENCH_TMP/probe.all")
  echo "reference, a bare sqlite3 process start to exit under the same load ($(wc -l <"$BENCH_TMP/probe.all") runs): p50 $(percentile 50 "$BENCH_TMP/probe.all") ms, p99 $ref99 ms"
  echo "guardrail stage: p50 $(percentile 50 "$BENCH_TMP/stage.all") ms, p99 $p99 ms (target p99 < 10 ms)," \
    "p99 ratio to the reference $(awk -v a="$p99" -v b="$ref99" 'BEGIN{printf "%.2f", a/b}')"
}
run 0 "fake answers at once (cores saturated)"
run "$DELAY_MS" "fake answers after $DELAY_MS ms"
