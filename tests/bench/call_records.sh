# shellcheck shell=bash
# Synthetic call records for the report benchmarks, written straight into
# the calls table of a database llmctl has created and migrated:
# generate_call_records DB ROWS NOW_MS spreads ROWS records over the 30 days
# before NOW_MS, 1 k users, 20 models, 5% cache hits, 1% timeouts.
generate_call_records() {
  local LLMCTL_DB=$1 ROWS=$2 NOW_MS=$3
  sqlite3 "$LLMCTL_DB" >/dev/null <<SQL
PRAGMA journal_mode=WAL;
PRAGMA synchronous=OFF;
BEGIN;
WITH RECURSIVE
  seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < $ROWS),
  -- MATERIALIZED: evaluated once per row, so every random() value is used
  -- consistently (an inlined CTE would call random() again per reference).
  raw AS MATERIALIZED (
    SELECT i,
           $NOW_MS - abs(random()) % (30 * 86400000) AS ts_ms,
           'user' || (abs(random()) % 1000) AS user_id,
           abs(random()) % 20 AS m,
           100 + abs(random()) % 4000 AS input_tokens,
           10 + abs(random()) % 1000 AS output_tokens,
           abs(random()) % 100 AS dice,
           200 + (abs(random()) % 500000) / 100.0 AS latency_ms,
           abs(random()) % 5000000 AS cost_nanos
    FROM seq),
  rec AS (
    SELECT i, ts_ms, user_id, input_tokens, output_tokens, latency_ms,
           CASE m % 3 WHEN 0 THEN 'openai' WHEN 1 THEN 'anthropic' ELSE 'gemini' END AS provider,
           'model-' || m AS model,
           dice < 5 AS cache_hit,
           CASE WHEN dice >= 5 AND dice < 6 THEN 'timeout' END AS error_type,
           CASE WHEN dice < 5 THEN 0 ELSE cost_nanos END AS cost_nanos,
           CASE WHEN dice < 5 THEN cost_nanos ELSE 0 END AS saved_cost_nanos,
           CASE WHEN dice >= 70 THEN round(latency_ms / 4, 3) END AS ttft_ms,
           printf('00000000-0000-4000-8000-%012d', i) AS request_id
    FROM raw)
INSERT INTO calls(request_id, ts_ms, user_id, provider, model, input_tokens, output_tokens,
                  cached_input_tokens, reasoning_tokens, cost_nanos, saved_cost_nanos,
                  latency_ms, ttft_ms, finish_reason, cache_hit, error_type, record)
SELECT request_id, ts_ms, user_id, provider, model, input_tokens, output_tokens, 0, 0,
       cost_nanos, saved_cost_nanos, latency_ms, ttft_ms,
       CASE WHEN error_type IS NULL THEN 'stop' ELSE 'error' END, cache_hit, error_type,
       json_object(
         'attempts', json_array(json_object('error_type', error_type, 'latency_ms', latency_ms,
                                            'model', model, 'provider', provider,
                                            'status', CASE WHEN error_type IS NULL THEN 200 ELSE 0 END)),
         'cache_hit', json(CASE WHEN cache_hit THEN 'true' ELSE 'false' END),
         'cached_input_tokens', 0,
         'cost_usd', cost_nanos / 1e9,
         'error', CASE WHEN error_type IS NOT NULL THEN 'request timed out' END,
         'error_type', error_type,
         'fallback_used', json('false'),
         'finish_reason', CASE WHEN error_type IS NULL THEN 'stop' ELSE 'error' END,
         'input_tokens', input_tokens,
         'latency_ms', latency_ms,
         'llmctl_version', '0.1.0',
         'model', model,
         'output_tokens', output_tokens,
         'price_source', 'builtin',
         'prompt_hash', 'sha256:' || lower(hex(randomblob(32))),
         'provider', provider,
         'provider_finish_reason', CASE WHEN error_type IS NULL THEN 'stop' ELSE '' END,
         'reasoning_tokens', 0,
         'request_id', request_id,
         'saved_cost_usd', saved_cost_nanos / 1e9,
         'timestamp', strftime('%Y-%m-%dT%H:%M:%fZ', ts_ms / 1000.0, 'unixepoch'),
         'ttft_ms', ttft_ms,
         'user_id', user_id)
FROM rec;
COMMIT;
PRAGMA wal_checkpoint(TRUNCATE);
SQL
}
