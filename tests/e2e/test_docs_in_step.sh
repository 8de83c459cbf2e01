#!/usr/bin/env bash
# Every subcommand and flag that `llmctl --help` shows must appear in each
# completion script, the man page and the README.
set -euo pipefail
bin=${LLMCTL_BIN:?}
src=${LLMCTL_SOURCE_DIR:?}
failures=0
checked=0

flags_of() {
  # CLI11 help lists options as "  -m,--model TEXT ..." under "Options:".
  "$bin" "$@" --help | sed -n '/^Options:/,/^Subcommands:/p' |
    grep -oE '^ +(-[A-Za-z],)?--?[A-Za-z][A-Za-z0-9-]*(,--?[A-Za-z][A-Za-z0-9-]*)*' |
    tr ',' '\n' | tr -d ' ' | grep -vE '^(-h|--help)$' || true
}
subcommands_of() {
  "$bin" "$@" --help | sed -n '/^Subcommands:/,$p' | grep -oE '^  [a-z][a-z-]*' | tr -d ' ' || true
}
check() {
  local word=$1 where=$2
  local man_word=${word//-/\\-}
  checked=$((checked + 1))
  for f in "$src/completions/llmctl.bash" "$src/completions/_llmctl" "$src/completions/llmctl.fish"; do
    local needle=$word
    # fish spells flags as "-l name" / "-s x"
    if [[ $f == *.fish && $word == --* ]]; then needle="-l ${word#--}"; fi
    if [[ $f == *.fish && $word =~ ^-[A-Za-z]$ ]]; then needle="-s ${word#-}"; fi
    if ! grep -qF -- "$needle" "$f"; then echo "FAIL: $word ($where) missing from $(basename "$f")"; failures=$((failures + 1)); fi
  done
  if ! grep -qF -- "$man_word" "$src/man/llmctl.1" && ! grep -qF -- "$word" "$src/man/llmctl.1"; then
    echo "FAIL: $word ($where) missing from man/llmctl.1"; failures=$((failures + 1))
  fi
  if ! grep -qF -- "$word" "$src/README.md"; then echo "FAIL: $word ($where) missing from README.md"; failures=$((failures + 1)); fi
}

for flag in $(flags_of); do check "$flag" "global"; done
for cmd in $(subcommands_of); do
  check "$cmd" "command"
  [[ $cmd == help ]] && continue
  for flag in $(flags_of "$cmd"); do check "$flag" "$cmd"; done
  for sub in $(subcommands_of "$cmd"); do
    check "$sub" "$cmd"
    for flag in $(flags_of "$cmd" "$sub"); do check "$flag" "$cmd $sub"; done
  done
done
echo "$checked names checked, $failures missing"
[[ $failures == 0 ]]
