#!/bin/sh
# Checks that a tlslab binary carries the release hardening of cmake/Hardening.cmake, as `hardening-check` would:
# a position-independent executable, full RELRO (GNU_RELRO segment and BIND_NOW), stack protector, and (optimised
# builds, --fortify) glibc's fortified functions in use.
# usage: check-hardening.sh BINARY [--fortify]
set -eu
binary=${1:?usage: check-hardening.sh BINARY [--fortify]}
fortify=${2:-}
status=0
fail() { echo "FAIL: $*" >&2; status=1; }
ok() { echo "ok: $*"; }

export LC_ALL=C
readelf -h "$binary" | grep -q 'Type:[[:space:]]*DYN' && ok "PIE" || fail "not a position-independent executable"
readelf -lW "$binary" | grep -q 'GNU_RELRO' && ok "RELRO segment" || fail "no GNU_RELRO segment (-z relro)"
readelf -dW "$binary" | grep -Eq '\(BIND_NOW\)|\(FLAGS_1\).*NOW|\(FLAGS\).*BIND_NOW' && ok "BIND_NOW" ||
    fail "no BIND_NOW (-z now)"
symbols=$(readelf --dyn-syms -W "$binary")
echo "$symbols" | grep -q '__stack_chk_fail' && ok "stack protector" || fail "no __stack_chk_fail (stack protector)"
if [ "$fortify" = "--fortify" ]; then
    chk=$(echo "$symbols" | grep -Eo '__[a-z0-9_]+_chk' | sort -u | grep -v '__stack_chk' | tr '\n' ' ' || true)
    [ -n "$chk" ] && ok "fortified functions: $chk" || fail "no __*_chk function in use (-D_FORTIFY_SOURCE)"
fi
[ "$status" -eq 0 ] && echo "PASS"
exit "$status"
