#!/usr/bin/env bash
# `llmctl complete` on a cache hit vs `sqlite3 FILE "select ..."`
# reading the same entry, alternating, median of N runs (target ≤ 1.5×);
# then `cache export` of 100 k entries vs sqlite3 writing the same JSON
# lines with json_object (target ≤ 1.2×); then the same hit with 1 M
# entries in the cache vs 1 k (target ≤ 1.2×).
source "$(dirname "$0")/common.sh"
RUNS=${RUNS:-30}
start_fake
export HOME="$BENCH_TMP" LLMCTL_DB="$BENCH_TMP/llmctl.db" LLMCTL_USER=bench LLM_TEMPERATURE=0 \
  OPENAI_BASE_URL="$FAKE_URL/v1" OPENAI_API_KEY=test-key
call=(complete -p openai --cache only "Say hello")
"$LLMCTL_BIN" complete -p openai --cache refresh "Say hello" >/dev/null
key=$(sqlite3 "$LLMCTL_DB" "select key from cache_entries limit 1")

time_hits() {  # time_hits LABEL: median llmctl hit and sqlite3 read, in us
  : >"$BENCH_TMP/hit.us"; : >"$BENCH_TMP/sql.us"
  for _ in $(seq "$RUNS"); do
    t0=$(now_ns); "$LLMCTL_BIN" "${call[@]}" >/dev/null; t1=$(now_ns)
    sqlite3 "$LLMCTL_DB" "select text from cache_entries where key = '$key' and expires_ms > 0" >/dev/null; t2=$(now_ns)
    echo $(( (t1 - t0) / 1000 )) >>"$BENCH_TMP/hit.us"
    echo $(( (t2 - t1) / 1000 )) >>"$BENCH_TMP/sql.us"
  done
  echo "$(median "$BENCH_TMP/hit.us") $(median "$BENCH_TMP/sql.us")"
}
fill() {  # fill N: pad the cache to N entries with synthetic rows
  sqlite3 "$LLMCTL_DB" "with recursive n(i) as (select 1 union all select i+1 from n where i < $1)
    insert or ignore into cache_entries(key, key_input, created_ms, expires_ms, provider, model, text,
      finish_reason, provider_finish_reason, input_tokens, output_tokens, cached_input_tokens,
      reasoning_tokens, cost_nanos, price_source)
    select printf('%064x', i), '{}', 0, 9999999999999, 'openai', 'gpt-4o-mini', 'synthetic answer ' || i,
      'stop', 'stop', 10, 10, 0, 0, 1000, 'builtin' from n"
}
fill 1000
read -r hit1k sql1k < <(time_hits)
echo "1 k entries: llmctl hit ${hit1k} us, sqlite3 ${sql1k} us, ratio $(awk -v a="$hit1k" -v b="$sql1k" 'BEGIN{printf "%.2f", a/b}') (target <= 1.5)"
fill 100000
export_sql="select json_object('key', key, 'key_input', json(key_input),
  'created', strftime('%Y-%m-%dT%H:%M:%fZ', created_ms / 1000.0, 'unixepoch'),
  'expires', strftime('%Y-%m-%dT%H:%M:%fZ', expires_ms / 1000.0, 'unixepoch'),
  'provider', provider, 'model', model, 'text', text, 'finish_reason', finish_reason,
  'provider_finish_reason', provider_finish_reason,
  'usage', json_object('input_tokens', input_tokens, 'output_tokens', output_tokens,
    'cached_input_tokens', cached_input_tokens, 'reasoning_tokens', reasoning_tokens),
  'cost_nanos', cost_nanos, 'price_source', price_source) from cache_entries order by created_ms, key"
: >"$BENCH_TMP/export.us"; : >"$BENCH_TMP/export_sql.us"
for _ in 1 2 3 4 5; do
  t0=$(now_ns); "$LLMCTL_BIN" cache export >"$BENCH_TMP/export.jsonl" 2>/dev/null; t1=$(now_ns)
  sqlite3 "$LLMCTL_DB" "$export_sql" >"$BENCH_TMP/export_sql.jsonl"; t2=$(now_ns)
  echo $(( (t1 - t0) / 1000 )) >>"$BENCH_TMP/export.us"
  echo $(( (t2 - t1) / 1000 )) >>"$BENCH_TMP/export_sql.us"
done
ex=$(median "$BENCH_TMP/export.us"); exs=$(median "$BENCH_TMP/export_sql.us")
echo "cache export, $(wc -l <"$BENCH_TMP/export.jsonl") entries: llmctl ${ex} us, sqlite3 json_object ${exs} us ($(wc -l <"$BENCH_TMP/export_sql.jsonl") lines)," \
  "ratio $(awk -v a="$ex" -v b="$exs" 'BEGIN{printf "%.2f", a/b}') (target <= 1.2)"
fill 1000000
read -r hit1m sql1m < <(time_hits)
echo "1 M entries: llmctl hit ${hit1m} us, sqlite3 ${sql1m} us; hit 1 M / 1 k = $(awk -v a="$hit1m" -v b="$hit1k" 'BEGIN{printf "%.2f", a/b}') (target <= 1.2)"
