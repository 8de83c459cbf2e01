#!/usr/bin/env bash
# Runs every fuzz target of a -DLLMCTL_FUZZ=ON build for SECONDS each, JOBS
# at a time, starting from the committed seeds in corpus/TARGET/. New inputs
# go to a scratch directory, so the committed corpus only changes by hand.
# A crash, leak or sanitizer report fails the run and leaves the reproducer
# under ARTIFACTS (default: a temporary directory that is printed).
# Usage: run_all.sh BUILD_DIR [SECONDS=30] [JOBS=2]
set -euo pipefail
build=${1:?usage: run_all.sh BUILD_DIR [SECONDS] [JOBS]}
seconds=${2:-30}
jobs=${3:-2}
here=$(cd "$(dirname "$0")" && pwd)
targets_file="$build/tests/fuzz/targets.txt"
[ -f "$targets_file" ] || { echo "run_all: $targets_file missing; configure with -DLLMCTL_FUZZ=ON" >&2; exit 1; }
own_artifacts=0
if [ -z "${ARTIFACTS:-}" ]; then ARTIFACTS=$(mktemp -d); own_artifacts=1; fi
artifacts=$ARTIFACTS
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

run_one() {
  local target=$1
  local work="$scratch/$target"
  mkdir -p "$work/corpus" "$artifacts/$target"
  if "$build/tests/fuzz/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
       -print_final_stats=1 -artifact_prefix="$artifacts/$target/" \
       "$work/corpus" "$here/corpus/$target" >"$work/log" 2>&1; then
    echo "ok   $target: $(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$work/log" | grep -o '[0-9]*$') runs"
  else
    echo "FAIL $target (reproducer in $artifacts/$target/):"
    grep -E 'ERROR|runtime error|SUMMARY|deadly signal' "$work/log" | head -20
    return 1
  fi
}
export -f run_one
export build seconds here artifacts scratch

status=0
xargs -P "$jobs" -I{} bash -c 'run_one "$@"' _ {} <"$targets_file" || status=1
if [ $status -eq 0 ] && [ $own_artifacts = 1 ]; then rm -rf "$artifacts"; fi
exit $status
