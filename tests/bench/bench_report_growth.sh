#!/usr/bin/env bash
# The report and cache measures at 10 k, 100 k and 1 M call records, each
# beside a reference measured in the same run on the same data, so growth
# shows: cost-report over JSONL against jq (streaming for totals, slurping
# for grouping), grouped reports and latency-stats on the database against
# sqlite3 running the same aggregate, the time index (--since with and
# without --by user), and `cache stats` against sqlite3 count(*).
# Not part of ctest; run by hand:
#   tests/bench/bench_report_growth.sh
#   SIZES="10000 100000" tests/bench/bench_report_growth.sh
source "$(dirname "$0")/common.sh"
# shellcheck source=tests/bench/call_records.sh
source "$(dirname "$0")/call_records.sh"
SIZES=${SIZES:-10000 100000 1000000}
for tool in sqlite3 jq; do
  command -v "$tool" >/dev/null || { echo "bench: needs $tool" >&2; exit 2; }
done
export XDG_CONFIG_HOME=$BENCH_TMP/config
unset LLMCTL_CONFIG

# secs CMD...: wall-clock seconds of the fastest of RUNS (default 3) runs.
secs() {
  local best=""
  for _ in $(seq "${RUNS:-3}"); do
    local t0 t1
    t0=$(now_ns)
    "$@" >/dev/null 2>&1 || true
    t1=$(now_ns)
    best=$(awk -v a="${best:-1e18}" -v b=$(((t1 - t0) / 1000)) 'BEGIN { print (b < a ? b : a) }')
  done
  awk -v us="$best" 'BEGIN { printf "%.3f", us / 1e6 }'
}
row() {  # row MEASURE ROWS LLMCTL_SECS REF_SECS REF_NAME
  printf '%-44s %8s %8s s %8s s  %5.2fx  (%s)\n' "$1" "$2" "$3" "$4" \
    "$(awk -v a="$3" -v b="$4" 'BEGIN { print (b > 0 ? a / b : 0) }')" "$5"
}

printf '%-44s %8s %10s %10s %7s\n' measure records llmctl reference ratio
for rows in $SIZES; do
  export LLMCTL_DB=$BENCH_TMP/calls-$rows.db
  jsonl=$BENCH_TMP/calls-$rows.jsonl
  "$LLMCTL_BIN" config-check >/dev/null 2>&1 || true
  now_ms=$(date +%s%3N)
  generate_call_records "$LLMCTL_DB" "$rows" "$now_ms"
  "$LLMCTL_BIN" logs >"$jsonl"
  since=$(date -u -d "@$((now_ms / 1000 - 86400))" +%Y-%m-%dT%H:%M:%S)
  since_ms=$((now_ms - 86400000))

  row "cost-report --input (totals)" "$rows" "$(secs "$LLMCTL_BIN" cost-report --input "$jsonl" --format json)" \
    "$(secs jq -n 'reduce inputs as $r (0; . + $r.cost_usd)' "$jsonl")" "jq reduce inputs"
  row "cost-report --input --by model" "$rows" \
    "$(secs "$LLMCTL_BIN" cost-report --input "$jsonl" --by model --format json)" \
    "$(RUNS=1 secs jq -s 'group_by(.model) | map({model: .[0].model, cost: (map(.cost_usd) | add)})' "$jsonl")" \
    "jq -s group_by"
  row "cost-report --by model (database)" "$rows" "$(secs "$LLMCTL_BIN" cost-report --by model --format json)" \
    "$(secs sqlite3 "$LLMCTL_DB" 'select model, count(*), sum(input_tokens), sum(output_tokens), sum(cost_nanos) from calls group by model')" \
    "sqlite3 group by"
  row "latency-stats (database)" "$rows" "$(secs "$LLMCTL_BIN" latency-stats --threshold-ms 1e9)" \
    "$(secs sqlite3 "$LLMCTL_DB" 'select latency_ms from calls order by latency_ms')" "sqlite3 order by"
  row "latency-stats --input" "$rows" "$(secs "$LLMCTL_BIN" latency-stats --input "$jsonl" --threshold-ms 1e9)" \
    "$(secs jq -n '[inputs.latency_ms] | sort | length' "$jsonl")" "jq sort"
  row "cost-report --since 24h --by user" "$rows" \
    "$(secs "$LLMCTL_BIN" cost-report --since "$since" --by user --format json)" \
    "$(secs "$LLMCTL_BIN" cost-report --since "$since" --format json)" "same, no --by user"
  row "cache stats" "$rows" "$(secs "$LLMCTL_BIN" cache stats --json)" \
    "$(secs sqlite3 "$LLMCTL_DB" "select count(*) from calls where cache_hit and ts_ms >= $since_ms")" \
    "sqlite3 count(*)"
  rm -f "$jsonl" "$LLMCTL_DB"*
done
