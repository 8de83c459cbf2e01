#!/usr/bin/env bash
# `cost-report --by tag:ci_job` over 1 M call records (500 CI jobs, a third
# of the calls untagged), from the database and from JSONL, against jq
# doing the same grouping over the same JSONL. Not part of ctest; run by hand:
#   tests/bench/bench_tag_report.sh            # uses $LLMCTL_BIN or ./build/llmctl
#   ROWS=100000 tests/bench/bench_tag_report.sh
# shellcheck disable=SC2016,SC2154  # jq programs; the *_ms figures are set by timed
set -euo pipefail
LLMCTL=${LLMCTL_BIN:-./build/llmctl}
ROWS=${ROWS:-1000000}
for tool in sqlite3 jq /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "bench: needs $tool" >&2; exit 2; }
done
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export LLMCTL_DB=$WORK/llmctl.db XDG_CONFIG_HOME=$WORK/config
"$LLMCTL" config-check >/dev/null 2>&1 || true  # creates and migrates the schema
NOW_MS=$(date +%s%3N)
sqlite3 "$LLMCTL_DB" >/dev/null <<SQL
PRAGMA journal_mode=WAL;
PRAGMA synchronous=OFF;
BEGIN;
WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < $ROWS),
  raw AS MATERIALIZED (SELECT i, $NOW_MS - abs(random()) % (30 * 86400000) AS ts_ms, abs(random()) % 1500 AS job,
                       abs(random()) % 5000000 AS cost_nanos FROM seq),
  rec AS (SELECT i, ts_ms, cost_nanos, CASE WHEN job < 500 THEN json_object('ci_job', CAST(job AS TEXT)) END AS tags,
                 printf('00000000-0000-4000-8000-%012d', i) AS request_id FROM raw)
INSERT INTO calls(request_id, ts_ms, user_id, provider, model, input_tokens, output_tokens, cost_nanos,
                  latency_ms, finish_reason, price_source, tags, record)
SELECT request_id, ts_ms, 'ci', 'openai', 'gpt-4o-mini', 100, 10, cost_nanos, 100, 'stop', 'builtin', tags,
       json_object('timestamp', strftime('%Y-%m-%dT%H:%M:%fZ', ts_ms / 1000.0, 'unixepoch'), 'request_id', request_id,
                   'user_id', 'ci', 'provider', 'openai', 'model', 'gpt-4o-mini', 'input_tokens', 100,
                   'output_tokens', 10, 'cost_usd', cost_nanos / 1e9, 'latency_ms', 100, 'finish_reason', 'stop',
                   'price_source', 'builtin', 'tags', json(COALESCE(tags, '{}')))
FROM rec;
COMMIT;
SQL
sqlite3 "$LLMCTL_DB" "SELECT record FROM calls" >"$WORK/calls.jsonl"
timed() {  # NAME CMD...: wall ms and peak RSS of one run
  local name=$1
  shift
  /usr/bin/time -f '%e %M' -o "$WORK/$name.time" "$@" >"$WORK/$name.out" 2>/dev/null
  read -r secs rss <"$WORK/$name.time"
  printf '%-34s %7d ms  peak RSS %7d KB\n' "$name" "$(awk -v s="$secs" 'BEGIN{printf "%d", s*1000}')" "$rss"
  printf -v "${name}_ms" '%s' "$(awk -v s="$secs" 'BEGIN{printf "%d", s*1000}')"
}
echo "$ROWS records, $(du -h "$WORK/calls.jsonl" | cut -f1) of JSONL"
timed llmctl_db "$LLMCTL" cost-report --by tag:ci_job --format csv
timed llmctl_jsonl "$LLMCTL" cost-report --by tag:ci_job --format csv --input "$WORK/calls.jsonl"
timed jq jq -n 'reduce inputs as $r ({}; .[$r.tags.ci_job // ""] += $r.cost_usd)' "$WORK/calls.jsonl"
groups=$(($(wc -l <"$WORK/llmctl_db.out") - 2))
echo "groups: llmctl $groups, jq $(jq 'length' "$WORK/jq.out")"
echo "ratio jq / llmctl db: $(awk -v a="$jq_ms" -v b="$llmctl_db_ms" 'BEGIN{printf "%.1f", a/(b?b:1)}')," \
  "jq / llmctl jsonl: $(awk -v a="$jq_ms" -v b="$llmctl_jsonl_ms" 'BEGIN{printf "%.1f", a/(b?b:1)}')"
