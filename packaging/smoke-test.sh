#!/bin/sh
# Smoke test of a tlslab binary as installed (staged by `cmake --install`, or /usr/bin/tlslab from the package):
#   1. `tlslab --version` names the expected version;
#   2. the window starts under the offscreen platform, shows itself and exits 0 (`tlslab --self-test`);
#   3. a headless round trip on 127.0.0.1: `tlslab serve` on a port the kernel picks, `tlslab connect` verifying the
#      development certificate; both must see the connection encrypted and exit 0.
# Everything runs with a throw-away HOME and TLSLAB_DATA_DIR, and under `timeout`.
#
# usage: smoke-test.sh TLSLAB_BINARY [EXPECTED_VERSION]
set -eu

tlslab=${1:?usage: smoke-test.sh TLSLAB_BINARY [EXPECTED_VERSION]}
expected_version=${2:-}

fail() { echo "FAIL: $*" >&2; exit 1; }
[ -x "$tlslab" ] || fail "$tlslab is not an executable"

work=$(mktemp -d "${TMPDIR:-/tmp}/tlslab-smoke.XXXXXX")
serve_pid=
cleanup() {
    [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

mkdir -m 0700 "$work/home" "$work/runtime"
export HOME="$work/home" XDG_RUNTIME_DIR="$work/runtime" TLSLAB_DATA_DIR="$work/data"
unset XDG_CONFIG_HOME XDG_DATA_HOME
export QT_QPA_PLATFORM=offscreen

echo "== $tlslab --version"
version=$(timeout 20 "$tlslab" --version) || fail "tlslab --version exited $?"
echo "$version"
case "$version" in
    "tlslab ${expected_version}"*) ;;
    *) fail "expected 'tlslab ${expected_version}...', got '$version'" ;;
esac

echo "== $tlslab --self-test (offscreen)"
timeout 60 "$tlslab" --self-test || fail "tlslab --self-test exited $? (124 is a timeout)"

echo "== serve/connect round trip on 127.0.0.1"
timeout 60 "$tlslab" serve --listen 127.0.0.1:0 --max-connections 1 >"$work/serve.out" 2>"$work/serve.err" &
serve_pid=$!
port=
i=0
while [ $i -lt 100 ]; do # up to 10 s (the first start makes the development certificate)
    port=$(sed -n 's/.*"kind":"listener-started".*"port":\([0-9][0-9]*\).*/\1/p; s/.*"port":\([0-9][0-9]*\).*"kind":"listener-started".*/\1/p' \
        "$work/serve.out" | head -n 1)
    [ -n "$port" ] && break
    kill -0 "$serve_pid" 2>/dev/null || break
    sleep 0.1
    i=$((i + 1))
done
[ -n "$port" ] || { cat "$work/serve.out" "$work/serve.err" >&2; fail "tlslab serve did not report listener-started"; }
echo "listening on 127.0.0.1:$port"
[ -s "$TLSLAB_DATA_DIR/tlslab-dev.pem" ] || fail "no development certificate in $TLSLAB_DATA_DIR"

connect_status=0
timeout 30 "$tlslab" connect "127.0.0.1:$port" --ca "$TLSLAB_DATA_DIR/tlslab-dev.pem" --no-system-ca \
    >"$work/connect.out" 2>"$work/connect.err" || connect_status=$?
serve_status=0
wait "$serve_pid" || serve_status=$?
serve_pid=
show() { echo "--- serve:"; cat "$work/serve.out" "$work/serve.err"; echo "--- connect:"; cat "$work/connect.out" "$work/connect.err"; }
[ "$connect_status" -eq 0 ] || { show >&2; fail "tlslab connect exited $connect_status"; }
[ "$serve_status" -eq 0 ] || { show >&2; fail "tlslab serve exited $serve_status (124 is a timeout)"; }
grep -q '"kind":"encrypted"' "$work/connect.out" || { show >&2; fail "the client never saw the connection encrypted"; }
grep -q '"kind":"encrypted"' "$work/serve.out" || { show >&2; fail "the server never saw the connection encrypted"; }
echo "round trip: client and server both encrypted, both exited 0"
echo "PASS"
