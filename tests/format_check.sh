#!/usr/bin/env bash
# Fails, listing the files, when a C++ source under src/ or tests/ differs
# from the style in .clang-format. Fix with: clang-format -i FILE...
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files -- 'src/*.cc' 'src/*.h' 'tests/*.cc' 'tests/*.h' 2>/dev/null ||
                     find src tests -name '*.cc' -o -name '*.h')
[ ${#files[@]} -gt 0 ] || { echo "format_check: no C++ files found" >&2; exit 1; }
bad=()
for f in "${files[@]}"; do
  clang-format --dry-run -Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done
if [ ${#bad[@]} -gt 0 ]; then
  printf 'not formatted: %s\n' "${bad[@]}" >&2
  echo "format_check: ${#bad[@]} of ${#files[@]} files differ from .clang-format (clang-format -i FILE fixes one)" >&2
  exit 1
fi
echo "format_check: ${#files[@]} files ok"
