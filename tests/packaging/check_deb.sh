#!/usr/bin/env bash
# Checks a package built by `make package`: it holds the binary, the man page
# and the three completions at their Debian paths, and depends on the shared
# libraries the binary needs, including libcurl4, which is loaded at run time
# and is therefore invisible to dpkg-shlibdeps.
# Usage: check_deb.sh PACKAGE.deb
set -euo pipefail
deb=${1:?usage: check_deb.sh PACKAGE.deb}
fail() { echo "FAIL: $*" >&2; exit 1; }

contents=$(dpkg-deb -c "$deb")
for f in ./usr/bin/llmctl ./usr/share/man/man1/llmctl.1 \
         ./usr/share/bash-completion/completions/llmctl \
         ./usr/share/zsh/vendor-completions/_llmctl \
         ./usr/share/fish/vendor_completions.d/llmctl.fish; do
  grep -qF " $f" <<<"$contents" || fail "$deb lacks $f"
done

depends=$(dpkg-deb -f "$deb" Depends)
[ -n "$depends" ] || fail "$deb declares no Depends"
for lib in libc6 libcurl4; do
  grep -qE "(^|, )$lib( |,|$)" <<<"$depends" || fail "Depends lacks $lib: $depends"
done
# Every shared library the binary links must come from a declared package.
bin_dir=$(mktemp -d)
trap 'rm -rf "$bin_dir"' EXIT
dpkg-deb -x "$deb" "$bin_dir"
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
for soname in $(objdump -p "$bin_dir/usr/bin/llmctl" | awk '/NEEDED/ {print $2}'); do
  pkg=$(dpkg -S "*/$multiarch/$soname" 2>/dev/null | head -1 | cut -d: -f1)
  [ -n "$pkg" ] || fail "no installed package provides $soname"
  grep -qE "(^|, )$pkg( |,|$)" <<<"$depends" || fail "$soname comes from $pkg, which Depends lacks: $depends"
done
dpkg-deb -I "$deb" | sed -n 's/^ \(Package\|Version\|Architecture\|Depends\):/\1:/p'
echo "ok: $deb"
