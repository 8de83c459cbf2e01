#!/usr/bin/env bash
# Benchmarks the reports on generated data: 1 M call records over
# 30 days, 1 k users, 20 models. Compares `cost-report` on the database and
# on JSONL with jq computing the same per-user totals, times
# `latency-stats`, and reports peak RSS. Not part of ctest (it takes a
# minute or two); run it by hand:
#   tests/bench/bench_reports.sh            # uses $LLMCTL_BIN or ./build/llmctl
#   ROWS=100000 tests/bench/bench_reports.sh
set -euo pipefail
# shellcheck source=tests/bench/call_records.sh
source "$(dirname "$0")/call_records.sh"

LLMCTL=${LLMCTL_BIN:-./build/llmctl}
ROWS=${ROWS:-1000000}
for tool in sqlite3 jq /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "bench: needs $tool (apt-get install sqlite3 jq time)" >&2; exit 2; }
done
[ -x "$LLMCTL" ] || { echo "bench: no llmctl binary at $LLMCTL (set LLMCTL_BIN)" >&2; exit 2; }

WORK=$(mktemp -d)
[ -n "${KEEP:-}" ] || trap 'rm -rf "$WORK"' EXIT
export LLMCTL_DB=$WORK/llmctl.db
export XDG_CONFIG_HOME=$WORK/config  # no user config file interferes
unset LLMCTL_CONFIG
JSONL=$WORK/calls.jsonl

# Let llmctl create and migrate the schema (config-check opens it for
# writing), then fill `calls` directly.
"$LLMCTL" config-check >/dev/null 2>&1 || true  # read-only commands never create it

NOW_MS=$(date +%s%3N)
echo "generating $ROWS records over 30 days (1000 users, 20 models)..."
gen_start=$(date +%s.%N)
generate_call_records "$LLMCTL_DB" "$ROWS" "$NOW_MS"
echo "  done in $(echo "$(date +%s.%N) - $gen_start" | bc) s"

"$LLMCTL" logs >"$JSONL"
echo "exported $(wc -l <"$JSONL") lines, $(du -m "$JSONL" | cut -f1) MB of JSONL"

# run NAME CMD...: runs CMD with stdout to $WORK/NAME.out; sets SECS and RSS_MB.
run() {
  local name=$1
  shift
  /usr/bin/time -f '%e %M' -o "$WORK/$name.time" "$@" >"$WORK/$name.out" || true
  read -r SECS RSS_KB <"$WORK/$name.time"
  RSS_MB=$((RSS_KB / 1024))
  printf '  %-34s %7.2f s  %5d MB peak RSS\n' "$name" "$SECS" "$RSS_MB"
}
ratio() { echo "scale=1; $1 / $2" | bc; }

SINCE_ISO=$(date -u -d "@$(((NOW_MS / 1000) - 7 * 86400))" +%Y-%m-%dT%H:%M:%S)
# Same per-user totals as `cost-report --by user`: calls, tokens, cost.
JQ_TOTALS='reduce (inputs | select(.timestamp >= $since)) as $r ({};
  .[$r.user_id] |= {calls: ((.calls // 0) + 1),
                    input_tokens: ((.input_tokens // 0) + $r.input_tokens),
                    output_tokens: ((.output_tokens // 0) + $r.output_tokens),
                    cost_usd: ((.cost_usd // 0) + $r.cost_usd)})'

echo
echo "1. cost-report --by user --since 7d (database) vs jq over the exported JSONL"
run db_since7d "$LLMCTL" cost-report --by user --since "$SINCE_ISO" --format json
db_secs=$SECS
run jq_since7d jq -n --arg since "$SINCE_ISO" "$JQ_TOTALS" "$JSONL"
jq_secs=$SECS
echo "  speed-up vs jq: $(ratio "$jq_secs" "$db_secs")x   (target: <= 1 s and >= 10x)"

echo
echo "2. cost-report --input over the $ROWS-line JSONL vs jq on the same file"
run input_all "$LLMCTL" cost-report --by user --input "$JSONL" --format json
in_secs=$SECS
in_rss=$RSS_MB
run jq_all jq -n --arg since "" "$JQ_TOTALS" "$JSONL"
echo "  speed-up vs jq: $(ratio "$SECS" "$in_secs")x, peak RSS $in_rss MB   (target: >= 5x, < 50 MB)"

# The two computations must agree to the nano-dollar (jq's float sum only
# to its precision, so compare the call counts and token sums exactly).
db_calls=$(jq '[.groups[].calls] | add' "$WORK/input_all.out")
jq_calls=$(jq '[.[].calls] | add' "$WORK/jq_all.out")
[ "$db_calls" = "$jq_calls" ] || { echo "MISMATCH: llmctl $db_calls calls, jq $jq_calls" >&2; exit 1; }
db_in=$(jq '.total.input_tokens' "$WORK/input_all.out")
jq_in=$(jq '[.[].input_tokens] | add' "$WORK/jq_all.out")
[ "$db_in" = "$jq_in" ] || { echo "MISMATCH: llmctl $db_in input tokens, jq $jq_in" >&2; exit 1; }
# Money must match to the nano-dollar: the exact decimal of SQL's integer sum.
sql_nanos=$(sqlite3 "$LLMCTL_DB" 'SELECT SUM(cost_nanos) FROM calls')
want_usd=$(printf '%d.%09d' $((sql_nanos / 1000000000)) $((sql_nanos % 1000000000)) | sed -e 's/0*$//' -e 's/\.$//')
rep_usd=$(jq -r '.total.cost_usd' "$WORK/input_all.out")
db_usd=$("$LLMCTL" cost-report --format json | jq -r '.total.cost_usd')
[ "$rep_usd" = "$want_usd" ] && [ "$db_usd" = "$want_usd" ] ||
  { echo "MISMATCH: cost --input $rep_usd, database $db_usd, SQL $want_usd" >&2; exit 1; }
echo "  totals agree: $db_calls calls, $db_in input tokens, \$$want_usd exactly (JSONL, database and SQL)"

echo
echo "3. latency-stats over all records"
run latency_db "$LLMCTL" latency-stats --threshold-ms 1e9
run latency_db_by "$LLMCTL" latency-stats --by provider,model --format prometheus --threshold-ms 1e9
run latency_input "$LLMCTL" latency-stats --input "$JSONL" --threshold-ms 1e9
echo "  (target: <= 1 s on the database)"

echo
echo "4. logs export"
run logs_all "$LLMCTL" logs
run logs_tail "$LLMCTL" logs -n 100
