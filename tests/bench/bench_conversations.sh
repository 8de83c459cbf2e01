#!/usr/bin/env bash
# Conversations and the audit store:
# 1. a call on a conversation of 1,000 turns vs the same call without
#    history (median of RUNS each, alternating), and llmctl's own history
#    stage (load + sliding window) from its debug line "stage history_ms=";
# 2. `conversation show` of those 1,000 turns vs sqlite3 reading the same rows;
# 3. database growth per turn: calls with -C against the same calls without;
# 4. the AES-256-GCM sealing of one audit entry for a 10 KB request, from the
#    debug line "stage audit_seal_ms=" (target < 0.1 ms); OpenSSL's one-time
#    cipher set-up of each process, which runs beside the request, from
#    "stage audit_cipher_setup_ms="; and a whole call with the audit store
#    on vs off.
source "$(dirname "$0")/common.sh"
RUNS=${RUNS:-15}
GROWTH_CALLS=${GROWTH_CALLS:-40}
start_fake --quiet
export HOME="$BENCH_TMP" LLMCTL_DB="$BENCH_TMP/llmctl.db" LLMCTL_USER=bench XDG_CONFIG_HOME="$BENCH_TMP/config" \
  OPENAI_BASE_URL="$FAKE_URL/v1" OPENAI_API_KEY=test-key LLM_CACHE=off LLM_RATE_LIMIT_TOKENS=0 \
  LLM_MAX_COST_PER_REQUEST=0 LLM_MAX_TOKENS=100
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a/b}'; }
us() { local t0=$EPOCHREALTIME; "$@" >/dev/null 2>&1; awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.0f\n", (b - a) * 1e6}'; }
db_bytes() {
  sqlite3 "$LLMCTL_DB" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
  sqlite3 "$LLMCTL_DB" "SELECT page_count * page_size FROM pragma_page_count, pragma_page_size"
}

# ---------------------------------------------------------------- 1,000 turns
"$LLMCTL_BIN" complete -p openai -C big "first turn" >/dev/null
# 999 more turns of about 300 bytes each (prompt and answer), written as
# complete would write them.
sqlite3 "$LLMCTL_DB" "WITH RECURSIVE n(i) AS (SELECT 2 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)
  INSERT INTO conversation_turns (conversation_id, seq, request_id, model, ts_ms, prompt, answer)
  SELECT (SELECT id FROM conversations WHERE name = 'big'), i, printf('req-%d', i), 'openai:gpt-4o-mini', i,
         printf('Question %d: how does the release process handle a hotfix branch for version %d?', i, i),
         printf('Answer %d: a hotfix branch is cut from the release tag, fixed, tagged %d.0.1 and merged back into main so the fix is not lost.', i, i)
  FROM n"
echo "conversation 'big': $(sqlite3 "$LLMCTL_DB" "SELECT COUNT(*) FROM conversation_turns") turns"
: >"$BENCH_TMP/with.us"; : >"$BENCH_TMP/without.us"; : >"$BENCH_TMP/hist.log"
for _ in $(seq "$RUNS"); do
  us "$LLMCTL_BIN" complete -p openai "Say hello" >>"$BENCH_TMP/without.us"
  t0=$EPOCHREALTIME
  "$LLMCTL_BIN" -vv complete -p openai -C big "Say hello" >/dev/null 2>>"$BENCH_TMP/hist.log"
  awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.0f\n", (b - a) * 1e6}' >>"$BENCH_TMP/with.us"
done
grep -oE 'history_ms=[0-9.]+' "$BENCH_TMP/hist.log" | cut -d= -f2 >"$BENCH_TMP/hist.ms"
sent=$(grep -oE 'messages=[0-9]+' "$BENCH_TMP/hist.log" | tail -1 | cut -d= -f2)
w=$(median "$BENCH_TMP/with.us"); wo=$(median "$BENCH_TMP/without.us")
echo "call on 1,000 turns: ${w} us, without history: ${wo} us, added $(awk -v a="$w" -v b="$wo" 'BEGIN{printf "%.1f", (a-b)/1000}') ms (x$(ratio "$w" "$wo"))"
echo "  llmctl's history stage (load + window): median $(median "$BENCH_TMP/hist.ms") ms; $sent messages sent after the window"

: >"$BENCH_TMP/show.us"; : >"$BENCH_TMP/sql.us"
for _ in $(seq "$RUNS"); do
  us "$LLMCTL_BIN" conversation show big >>"$BENCH_TMP/show.us"
  us sqlite3 "$LLMCTL_DB" "SELECT seq, prompt, answer FROM conversation_turns WHERE conversation_id = (SELECT id FROM conversations WHERE user_id = 'bench' AND name = 'big') ORDER BY seq" >>"$BENCH_TMP/sql.us"
done
s=$(median "$BENCH_TMP/show.us"); q=$(median "$BENCH_TMP/sql.us")
echo "conversation show (1,000+ turns): ${s} us, sqlite3 reading the same rows: ${q} us, ratio $(ratio "$s" "$q")"

# ---------------------------------------------------------------- growth per turn
prompt="Please summarise the following release note in one sentence: the scheduler now retries failed jobs twice."
b0=$(db_bytes)
for _ in $(seq "$GROWTH_CALLS"); do "$LLMCTL_BIN" complete -p openai "$prompt" >/dev/null; done
b1=$(db_bytes)
for _ in $(seq "$GROWTH_CALLS"); do "$LLMCTL_BIN" complete -p openai -C growth "$prompt" >/dev/null; done
b2=$(db_bytes)
plain=$(( (b1 - b0) / GROWTH_CALLS )); conv=$(( (b2 - b1) / GROWTH_CALLS ))
echo "database growth: ${plain} B per call without -C, ${conv} B per call with -C: $((conv - plain)) B per turn" \
  "(prompt ${#prompt} B + answer $(printf 'Hello from fake openai.' | wc -c) B of text)"

# ---------------------------------------------------------------- audit sealing
head -c 32 /dev/urandom >"$BENCH_TMP/audit.key"; chmod 600 "$BENCH_TMP/audit.key"
big_prompt=$(head -c 7600 /dev/urandom | base64 -w0)  # 10 KB of text
: >"$BENCH_TMP/audit.log"; : >"$BENCH_TMP/on.us"; : >"$BENCH_TMP/off.us"
for _ in $(seq "$RUNS"); do
  us "$LLMCTL_BIN" complete -p openai "$big_prompt" >>"$BENCH_TMP/off.us"
  t0=$EPOCHREALTIME
  LLMCTL_AUDIT_KEY_FILE=$BENCH_TMP/audit.key "$LLMCTL_BIN" -vv complete -p openai "$big_prompt" >/dev/null 2>>"$BENCH_TMP/audit.log"
  awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.0f\n", (b - a) * 1e6}' >>"$BENCH_TMP/on.us"
done
grep -oE 'audit_seal_ms=[0-9.]+' "$BENCH_TMP/audit.log" | cut -d= -f2 >"$BENCH_TMP/seal.ms"
grep -oE 'audit_cipher_setup_ms=[0-9.]+' "$BENCH_TMP/audit.log" | cut -d= -f2 >"$BENCH_TMP/setup.ms"
bytes=$(grep -oE 'audit_seal_ms=[0-9.]+ bytes=[0-9]+' "$BENCH_TMP/audit.log" | tail -1 | grep -oE '[0-9]+$')
on=$(median "$BENCH_TMP/on.us"); off=$(median "$BENCH_TMP/off.us")
echo "audit seal of a ${bytes}-byte entry: median $(median "$BENCH_TMP/seal.ms") ms, p95 $(percentile 95 "$BENCH_TMP/seal.ms") ms (target < 0.1 ms)"
echo "OpenSSL's cipher set-up, once per process, beside the request: median $(median "$BENCH_TMP/setup.ms") ms"
echo "whole call with the audit store: ${on} us, without: ${off} us (x$(ratio "$on" "$off"): the entry's database write and the key read included)"
# The reference: OpenSSL's own steady-state AES-256-GCM speed on 10 KB
# blocks, what the seal above should come close to now that the set-up is
# paid beside the request.
if command -v openssl >/dev/null; then
  kbps=$(openssl speed -evp aes-256-gcm -bytes 10240 -seconds 1 2>/dev/null | awk '/^AES-256-GCM/ {sub(/k$/, "", $2); print $2}')
  echo "openssl speed, AES-256-GCM on 10 KB blocks: $(awk -v k="$kbps" 'BEGIN{printf "%.1f", 10240 / (k * 1000) * 1e6}') us each (steady state)"
fi
