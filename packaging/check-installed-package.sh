#!/bin/sh
# Installs the TLS Lab .deb on this machine with dpkg, checks the installed program, then removes it again and checks
# that nothing is left. For CI (as root, on a throw-away machine or container); not registered with CTest because it
# changes the system.
#
#   sudo packaging/check-installed-package.sh BUILD_DIR/tlslab_0.1.0-1_amd64.deb
#
# Safe by construction: it refuses to run when a tlslab package or a /usr/bin/tlslab is already there (it will not
# replace or remove something it did not install), and whatever happens after `dpkg -i` the package is purged on exit.
# Checks: the package is installed; /usr/bin/tlslab --version names the package's version; the smoke test
# (packaging/smoke-test.sh: the window under the offscreen platform, and a serve/connect round trip on 127.0.0.1) passes
# from /usr/bin/tlslab; the desktop file, icon, man page and completion are where the system looks for them. After
# `dpkg -r` and `dpkg --purge`: no package, and none of its files remain.
set -eu
deb=${1:?usage: check-installed-package.sh PACKAGE.deb}
here=$(cd "$(dirname "$0")" && pwd)
status=0
fail() { echo "FAIL: $*" >&2; status=1; }
die() { echo "FAIL: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run as root (dpkg -i needs it)"
[ -f "$deb" ] || die "$deb: no such file"
[ "$(dpkg-deb -f "$deb" Package)" = "tlslab" ] || die "$deb is not the tlslab package"
package_status=$(dpkg-query -W -f='${Status}' tlslab 2>/dev/null || true)
case "$package_status" in
    "" | *not-installed*) ;;
    *) die "a tlslab package is already on this machine ($package_status): not touching it" ;;
esac
[ ! -e /usr/bin/tlslab ] || die "/usr/bin/tlslab already exists: not touching it"

version=$(dpkg-deb -f "$deb" Version)
upstream_version=${version%-*}
work=$(mktemp -d "${TMPDIR:-/tmp}/tlslab-installed.XXXXXX")
installed=0
cleanup() {
    if [ "$installed" -eq 1 ]; then
        echo "== cleaning up: dpkg --purge tlslab"
        dpkg --purge tlslab >/dev/null 2>&1 || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

echo "== dpkg -i $deb"
installed=1
if ! dpkg -i "$deb"; then
    die "dpkg -i failed (missing dependencies? install them with: apt-get install -y ./$(basename "$deb"))"
fi
dpkg-query -W -f='${Status}\n' tlslab | grep -q 'install ok installed' || fail "tlslab is not 'install ok installed'"
dpkg -L tlslab >"$work/files"
while read -r f; do [ -d "$f" ] || echo "$f"; done <"$work/files" >"$work/plain-files"
echo "== installed files"
cat "$work/plain-files"

echo "== /usr/bin/tlslab --version"
[ "$(command -v tlslab)" = "/usr/bin/tlslab" ] || fail "tlslab on PATH is '$(command -v tlslab || true)', not /usr/bin/tlslab"
/usr/bin/tlslab --version | grep -q "^tlslab $upstream_version" || fail "--version does not say $upstream_version"
"$here/smoke-test.sh" /usr/bin/tlslab "$upstream_version" || fail "smoke test from /usr/bin/tlslab"

echo "== desktop integration"
desktop=$(grep '^/usr/share/applications/.*\.desktop$' "$work/plain-files" | head -n 1 || true)
[ -n "$desktop" ] || fail "the package has no desktop file in /usr/share/applications"
app_id=$(basename "$desktop" .desktop)
for f in "/usr/share/applications/$app_id.desktop" "/usr/share/metainfo/$app_id.metainfo.xml" \
    "/usr/share/icons/hicolor/scalable/apps/$app_id.svg" "/usr/share/icons/hicolor/48x48/apps/$app_id.png" \
    /usr/share/man/man1/tlslab.1.gz /usr/share/bash-completion/completions/tlslab; do
    [ -f "$f" ] || fail "$f is missing"
done
if command -v desktop-file-validate >/dev/null; then
    desktop-file-validate "/usr/share/applications/$app_id.desktop" || fail "desktop-file-validate"
fi
if command -v man >/dev/null; then
    [ "$(man -w tlslab 2>/dev/null)" = "/usr/share/man/man1/tlslab.1.gz" ] || fail "man -w tlslab: $(man -w tlslab 2>&1)"
fi

echo "== dpkg -r tlslab, then dpkg --purge tlslab"
dpkg -r tlslab || fail "dpkg -r tlslab"
dpkg --purge tlslab || fail "dpkg --purge tlslab"
installed=0
package_status=$(dpkg-query -W -f='${Status}' tlslab 2>/dev/null || true)
case "$package_status" in
    "" | *not-installed*) echo "package: gone" ;;
    *) fail "after purge the package is still '$package_status'" ;;
esac
left=$(while read -r f; do [ -e "$f" ] && echo "$f"; done <"$work/plain-files" || true)
[ -z "$left" ] || fail "files left after removal: $left"
[ ! -e /usr/bin/tlslab ] || fail "/usr/bin/tlslab is still there"
hash -r 2>/dev/null || true
! command -v tlslab >/dev/null || fail "tlslab is still on PATH: $(command -v tlslab)"

[ "$status" -eq 0 ] && echo "PASS"
exit "$status"
