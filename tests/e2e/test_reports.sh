#!/usr/bin/env bash
# cost-report, latency-stats and logs through the real binary: exact totals,
# JSONL input from several files with malformed lines, the degraded exit,
# Prometheus output checked against its grammar, logs prune.
source "$(dirname "$0")/lib.sh"

rec() {  # rec TS USER MODEL COST LATENCY [ERROR_TYPE]
  local err=null
  [[ -n ${6:-} ]] && err="\"$6\""
  printf '{"timestamp":"%s","request_id":"r-%s-%s","user_id":"%s","provider":"openai","model":"%s","input_tokens":10,"output_tokens":5,"cached_input_tokens":0,"reasoning_tokens":0,"cost_usd":%s,"price_source":"builtin","latency_ms":%s,"ttft_ms":null,"finish_reason":"stop","provider_finish_reason":"stop","cache_hit":false,"attempts":[],"fallback_used":false,"error":null,"error_type":%s,"prompt_hash":"sha256:x","llmctl_version":"0.1.0"}\n' \
    "$1" "$2" "$RANDOM$RANDOM" "$2" "$3" "$4" "$5" "$err"
}
{
  rec 2026-11-01T10:00:00.000Z ann gpt-4o-mini 0.1 100
  rec 2026-11-01T11:00:00.000Z ann gpt-4o-mini 0.2 200
  echo 'this is not json'
} >"$TMP/a.jsonl"
{
  rec 2026-11-02T10:00:00.000Z bob gpt-4o 0.000000001 300
  echo '{"timestamp": 5}'
  rec 2026-11-02T12:00:00.000Z bob gpt-4o 0.3 400 provider_error
} >"$TMP/b.jsonl"

# Totals to the nano-dollar: 0.1 + 0.2 + 0.000000001 + 0.3, no float drift.
llm cost-report --input "$TMP/a.jsonl" "$TMP/b.jsonl" --format json
assert_exit 0
assert_contains "$LLM_STDERR" "a.jsonl:3"
assert_contains "$LLM_STDERR" "b.jsonl:2"
assert_contains "$LLM_STDOUT" "0.600000001"
llm cost-report --input "$TMP/a.jsonl" "$TMP/b.jsonl" --strict
assert_exit 2
assert_contains "$LLM_STDERR" "a.jsonl:3"

# Grouping and time filters.
llm cost-report --input "$TMP/a.jsonl" "$TMP/b.jsonl" --by user --format csv
assert_exit 0
assert_match "$LLM_STDOUT" "ann,2,"
assert_match "$LLM_STDOUT" "bob,2,"
llm cost-report --input "$TMP/a.jsonl" "$TMP/b.jsonl" --since 2026-11-02 --format json
assert_contains "$LLM_STDOUT" "0.300000001"
llm cost-report --input "$TMP/a.jsonl" "$TMP/b.jsonl" --by day --by user --format csv
assert_match "$LLM_STDOUT" "2026-11-01,ann"
cat "$TMP/a.jsonl" | llm cost-report --input - --format json
assert_contains "$LLM_STDOUT" "0.3"

# Latency: errors are counted apart; p95 over the threshold exits 9.
llm latency-stats --input "$TMP/a.jsonl" "$TMP/b.jsonl" --threshold-ms 250 --format json
assert_exit 9
assert_contains "$LLM_STDOUT" "degraded"
# One provider failure in four (25%) is tolerated here by the error-rate threshold.
llm_env LLM_ERROR_RATE_ALERT=0.5 -- latency-stats --input "$TMP/a.jsonl" "$TMP/b.jsonl" --threshold-ms 1000
assert_exit 0
assert_contains "$LLM_STDOUT" "status: ok"

# Prometheus text format: every line is a comment or `name{labels} value`.
llm_env LLM_ERROR_RATE_ALERT=0.5 -- latency-stats --input "$TMP/a.jsonl" "$TMP/b.jsonl" --threshold-ms 1000 --format prometheus --by provider
assert_exit 0
bad=$(grep -vE '^(# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .*|[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="[^"]*",?)*\})? (-?[0-9.e+-]+|NaN|\+Inf|-Inf))$' "$LLM_OUT" || true)
assert_eq "" "$bad" "non-conforming prometheus lines"
assert_contains "$LLM_STDOUT" 'llmctl_latency_ms{'

# From the database: records written by real calls, then logs prune.
for _ in 1 2 3; do llm complete -p mock hello >/dev/null; done
llm cost-report --format json
assert_exit 0
assert_json '.total.calls' 3
llm logs
assert_eq 3 "$(wc -l <"$LLM_OUT" | tr -d ' ')"
llm logs prune --older-than 1d
assert_exit 0
llm logs
assert_eq 3 "$(wc -l <"$LLM_OUT" | tr -d ' ')" "recent records survive a 1d prune"
db_query "update calls set ts_ms = ts_ms - 100*86400000" >/dev/null
llm logs prune --older-than 90d
assert_exit 0
llm logs
assert_eq 0 "$(wc -l <"$LLM_OUT" | tr -d ' ')" "old records pruned"
pass
