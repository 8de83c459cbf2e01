#!/usr/bin/env bash
# Installs the build tree into a scratch prefix, as `make install` does, and
# checks that the installed binary runs and that the man page and the bash,
# zsh and fish completions are where those tools look for them.
# Usage: test_install.sh BUILD_DIR
set -euo pipefail
build=${1:?usage: test_install.sh BUILD_DIR}
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT

cmake --install "$build" --prefix "$prefix" >/dev/null

fail() { echo "FAIL: $*" >&2; exit 1; }
for f in bin/llmctl share/man/man1/llmctl.1 \
         share/bash-completion/completions/llmctl \
         share/zsh/vendor-completions/_llmctl \
         share/fish/vendor_completions.d/llmctl.fish; do
  [ -s "$prefix/$f" ] || fail "$f was not installed"
done
[ -x "$prefix/bin/llmctl" ] || fail "bin/llmctl is not executable"

version=$(env -i PATH=/usr/bin:/bin HOME="$prefix" "$prefix/bin/llmctl" --version) \
  || fail "the installed binary does not run"
[[ $version == *llmctl* ]] || fail "unexpected --version output: $version"
answer=$(env -i PATH=/usr/bin:/bin HOME="$prefix" "$prefix/bin/llmctl" complete -p mock hello) \
  || fail "the installed binary cannot make a mock call"
[ -n "$answer" ] || fail "the mock call printed nothing"

if command -v man >/dev/null; then
  MANPATH="$prefix/share/man" man -w llmctl >/dev/null 2>&1 || fail "man cannot find the page"
fi
grep -q 'llmctl' "$prefix/share/bash-completion/completions/llmctl" || fail "bash completion is empty"
echo "ok: installed into a temporary prefix and ran $version"
