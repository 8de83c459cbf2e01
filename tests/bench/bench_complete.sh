#!/usr/bin/env bash
# `llmctl complete` against the local fake server vs curl posting
# the same body, alternating, median of N runs each, on a warm database
# (target ≤ 1.2×) and on a fresh one each time (≤ 1.3×); peak RSS
# of one call (target ≤ 15 MB) and of streaming a 5 MB answer (flat).
source "$(dirname "$0")/common.sh"
RUNS=${RUNS:-30}
start_fake

body=$(llm_env "$LLMCTL_BIN" complete -p openai -m gpt-4o-mini --dry-run "Say hello" | jq -c .request.body)
# Both programs are started the same way, straight from this shell (no
# `env` hop in front of llmctl), with the variables exported beforehand.
export HOME="$BENCH_TMP" LLMCTL_DB="$BENCH_TMP/llmctl.db" LLMCTL_USER=bench OPENAI_BASE_URL="$FAKE_URL/v1" \
  OPENAI_API_KEY=test-key LLM_CACHE=off
# versus_curl LABEL FRESH TARGET: alternating medians of a call and of curl
# posting the same body; with FRESH=1 each call gets a new database file.
versus_curl() {
  local label=$1 fresh=$2 target=$3 i t0 t1 t2
  : >"$BENCH_TMP/llmctl.us"; : >"$BENCH_TMP/curl.us"
  for i in $(seq "$RUNS"); do
    local db=$LLMCTL_DB
    ((fresh)) && db="$BENCH_TMP/fresh-$i.db"
    t0=$(now_ns)
    LLMCTL_DB=$db "$LLMCTL_BIN" complete -p openai -m gpt-4o-mini "Say hello" >/dev/null
    t1=$(now_ns)
    curl -sS -o /dev/null -X POST "$FAKE_URL/v1/chat/completions" -H 'Authorization: Bearer test-key' \
      -H 'Content-Type: application/json' --data-binary "$body"
    t2=$(now_ns)
    echo $(( (t1 - t0) / 1000 )) >>"$BENCH_TMP/llmctl.us"
    echo $(( (t2 - t1) / 1000 )) >>"$BENCH_TMP/curl.us"
  done
  local m_llm m_curl
  m_llm=$(median "$BENCH_TMP/llmctl.us"); m_curl=$(median "$BENCH_TMP/curl.us")
  echo "$label vs curl, median of $RUNS runs: llmctl ${m_llm} us, curl ${m_curl} us," \
    "ratio $(awk -v a="$m_llm" -v b="$m_curl" 'BEGIN{printf "%.2f", a/b}') (target <= $target)"
}
versus_curl "complete" 0 1.2
# A fresh database each time: the call writes the file from the schema
# image and starts its WAL first.
versus_curl "complete on a fresh database" 1 1.3

# Resident size is taken from a copy of the binary, as an install would
# write it: a file the linker has just written can sit in the page cache in
# large folios, and mapping those counted up to 1.9 MB more for the same
# bytes.
cp "$LLMCTL_BIN" "$BENCH_TMP/llmctl-copy"
rss=$(peak_rss_kb env -i PATH="$PATH" HOME="$BENCH_TMP" LLMCTL_DB="$BENCH_TMP/llmctl.db" OPENAI_BASE_URL="$FAKE_URL/v1" OPENAI_API_KEY=test-key LLM_CACHE=off "$BENCH_TMP/llmctl-copy" complete -p openai "Say hello")
echo "peak RSS of one complete: ${rss} KB (target <= 15360 KB)"

stop_fake
start_fake --default-step '{"answer_bytes": 5242880}'
rss_stream=$(peak_rss_kb env -i PATH="$PATH" HOME="$BENCH_TMP" LLMCTL_DB="$BENCH_TMP/llmctl.db" OPENAI_BASE_URL="$FAKE_URL/v1" OPENAI_API_KEY=test-key LLM_CACHE=off LLM_MAX_TOKENS=16000 LLM_MAX_COST_PER_REQUEST=0 "$BENCH_TMP/llmctl-copy" complete -p openai --stream --allow-truncated "Write a lot")
echo "peak RSS streaming a 5 MB answer: ${rss_stream} KB"
