#!/usr/bin/env bash
# Benchmarks `llmctl tokens` (exact o200k_base / cl100k_base BPE):
#  1. throughput on a 10 MB mixed-language file (English, code, and the
#     multilingual samples in the repository, repeated), MB/s beside
#     js-tiktoken and tiktoken's WASM build (npm `tiktoken`) on the same file
#     in the same run; the counts must agree;
#  2. process start to first count on a 2 KB prompt, against `llmctl --version`;
#  3. peak RSS of `llmctl tokens` on the 10 MB file.
# The JavaScript tokenizers are installed with npm into a temporary directory;
# without npm (or network) that comparison is skipped, visibly. Not in ctest.
#   tests/bench/bench_tokens.sh        # uses $LLMCTL_BIN or ./build/llmctl
source "$(dirname "$0")/common.sh"

RUNS=${RUNS:-3}
STARTS=${STARTS:-200}
[[ -x $LLMCTL_BIN ]] || { echo "bench: no llmctl binary at $LLMCTL_BIN (set LLMCTL_BIN)" >&2; exit 2; }

# ------------------------------------------------------------- the input
MIX=$BENCH_TMP/mixed.txt
{
  cat "$ROOT/README.md"
  cat "$ROOT"/src/tokenizer/*.cc "$ROOT"/src/guardrails/*.cc
  cat "$ROOT/src/tokenizer/script_estimate_test.cc"
} >"$BENCH_TMP/seed.txt"
while [[ $(stat -c %s "$MIX" 2>/dev/null || echo 0) -lt 10000000 ]]; do cat "$BENCH_TMP/seed.txt" >>"$MIX"; done
truncate -s 10000000 "$MIX"
# Cut back to a character boundary so the file stays valid UTF-8.
while ! iconv -f UTF-8 -t UTF-8 "$MIX" >/dev/null 2>&1; do truncate -s -1 "$MIX"; done
MB=$(awk -v b="$(stat -c %s "$MIX")" 'BEGIN {printf "%.2f", b / 1e6}')
head -c 2048 "$ROOT/README.md" >"$BENCH_TMP/prompt2k.txt"
while ! iconv -f UTF-8 -t UTF-8 "$BENCH_TMP/prompt2k.txt" >/dev/null 2>&1; do truncate -s -1 "$BENCH_TMP/prompt2k.txt"; done
echo "input: $MB MB mixed-language text (English prose, C++ code, 30 scripts)"

# A command, not a function, so /usr/bin/time can run it too.
ENV_TOKENS=(env -i PATH="$PATH" HOME="$BENCH_TMP" XDG_CONFIG_HOME="$BENCH_TMP/config" "$LLMCTL_BIN")
env_tokens() { "${ENV_TOKENS[@]}" "$@"; }

# best_seconds CMD...: the fastest of $RUNS runs, in seconds.
best_seconds() {
  local best="" t0 t1 s
  for _ in $(seq "$RUNS"); do
    t0=$(now_ns); "$@" >/dev/null; t1=$(now_ns)
    s=$(awk -v d=$((t1 - t0)) 'BEGIN {printf "%.4f", d / 1e9}')
    if [[ -z $best ]] || awk -v a="$s" -v b="$best" 'BEGIN {exit !(a < b)}'; then best=$s; fi
  done
  echo "$best"
}

# ------------------------------------------------------------- 1. throughput
declare -A LLM_MBS
for enc in o200k_base:gpt-4o cl100k_base:gpt-4; do
  name=${enc%%:*} model=${enc##*:}
  count=$(env_tokens tokens -m "$model" "$MIX")
  secs=$(best_seconds env_tokens tokens -m "$model" "$MIX")
  LLM_MBS[$name]=$(awk -v mb="$MB" -v s="$secs" 'BEGIN {printf "%.1f", mb / s}')
  echo "llmctl tokens   $name: $count tokens in ${secs}s (whole process) = ${LLM_MBS[$name]} MB/s"
done

if command -v npm >/dev/null && command -v node >/dev/null &&
   (cd "$BENCH_TMP" && npm init -y >/dev/null 2>&1 && npm install --silent js-tiktoken tiktoken >/dev/null 2>&1); then
  cat >"$BENCH_TMP/bench.cjs" <<'JS'
const fs = require("fs");
const text = fs.readFileSync(process.argv[2], "utf8");
const mb = Buffer.byteLength(text) / 1e6;
const runs = Number(process.argv[3]);
const js = require("js-tiktoken");
const wasm = require("tiktoken");
for (const name of ["o200k_base", "cl100k_base"]) {
  const impls = {
    "js-tiktoken": ((e) => (t) => e.encode(t, [], []).length)(js.getEncoding(name)),
    "tiktoken (WASM)": ((e) => (t) => e.encode_ordinary(t).length)(wasm.get_encoding(name)),
  };
  for (const [impl, count] of Object.entries(impls)) {
    let best = Infinity, n = 0;
    for (let i = 0; i < runs; ++i) {
      const t0 = process.hrtime.bigint();
      n = count(text);
      best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
    }
    console.log([name, impl, n, best.toFixed(4), (mb / best).toFixed(1)].join("\t"));
  }
}
JS
  while IFS=$'\t' read -r name impl count secs mbs; do
    ours=$(env_tokens tokens -m "$([[ $name == o200k_base ]] && echo gpt-4o || echo gpt-4)" "$MIX")
    agree=$([[ $ours == "$count" ]] && echo "counts agree" || echo "COUNTS DIFFER: llmctl $ours")
    ratio=$(awk -v a="${LLM_MBS[$name]}" -v b="$mbs" 'BEGIN {printf "%.1f", a / b}')
    echo "$(printf '%-16s' "$impl") $name: $count tokens in ${secs}s (encode only) = $mbs MB/s; llmctl is ${ratio}x; $agree"
  done < <(cd "$BENCH_TMP" && node bench.cjs "$MIX" "$RUNS")
else
  echo "SKIPPED: js-tiktoken / tiktoken comparison (npm, node or the npm registry unavailable)"
fi

# ------------------------------------------------------------- 2. start-up
start_median_us() {
  : >"$BENCH_TMP/starts"
  local t0 t1
  for _ in $(seq "$STARTS"); do
    t0=$(now_ns); "$@" >/dev/null; t1=$(now_ns)
    echo $(((t1 - t0) / 1000)) >>"$BENCH_TMP/starts"
  done
  median "$BENCH_TMP/starts"
}
v=$(start_median_us env_tokens --version)
t=$(start_median_us env_tokens tokens -m gpt-4o "$BENCH_TMP/prompt2k.txt")
c=$(start_median_us env_tokens tokens -m claude-sonnet-4-5 "$BENCH_TMP/prompt2k.txt")
echo "start-up (median of $STARTS, includes env(1)): --version ${v} us; tokens -m gpt-4o on 2 KB ${t} us" \
     "(+$(awk -v a="$t" -v b="$v" 'BEGIN {print a - b}') us); tokens -m claude-sonnet-4-5 (estimate) ${c} us" \
     "(+$(awk -v a="$c" -v b="$v" 'BEGIN {print a - b}') us)"

# ------------------------------------------------------------- 3. memory
rss=$(peak_rss_kb "${ENV_TOKENS[@]}" tokens -m gpt-4o "$MIX")
rss_v=$(peak_rss_kb "${ENV_TOKENS[@]}" --version)
echo "peak RSS: tokens -m gpt-4o on $MB MB: ${rss} KB (input held once); --version: ${rss_v} KB"
