#!/bin/sh
# Builds the Debian package with CPack and checks it without installing it: the control fields (name, version,
# architecture, section, maintainer, description, dependencies found by dpkg-shlibdeps), the file list (exactly the
# expected files, owned by root, with the right modes), then unpacks it into a clean folder tree and checks that tree
# and runs the smoke test from it.
# usage: check-deb.sh BUILD_DIR OUTPUT_DIR APP_ID VERSION [CONFIG]
set -eu
build=${1:?usage: check-deb.sh BUILD_DIR OUTPUT_DIR APP_ID VERSION [CONFIG]}
out=${2:?}
app_id=${3:?}
version=${4:?}
config=${5:-}
here=$(cd "$(dirname "$0")" && pwd)
cpack=${CPACK_COMMAND:-cpack}
status=0
fail() { echo "FAIL: $*" >&2; status=1; }

export LC_ALL=C
rm -rf "$out"
mkdir -p "$out"
echo "== cpack -G DEB"
"$cpack" -G DEB --config "$build/CPackConfig.cmake" -B "$out" ${config:+-C "$config"} >"$out/cpack.log" 2>&1 ||
    { cat "$out/cpack.log" >&2; echo "FAIL: cpack exited $?" >&2; exit 1; }
arch=$(dpkg --print-architecture)
deb="$out/tlslab_${version}-1_${arch}.deb"
[ -f "$deb" ] || { cat "$out/cpack.log" >&2; ls -l "$out" >&2; echo "FAIL: no $deb" >&2; exit 1; }
echo "$deb"

echo "== control fields"
dpkg-deb -I "$deb"
field() { dpkg-deb -f "$deb" "$1"; }
[ "$(field Package)" = "tlslab" ] || fail "Package is '$(field Package)'"
[ "$(field Version)" = "${version}-1" ] || fail "Version is '$(field Version)', want ${version}-1"
[ "$(field Architecture)" = "$arch" ] || fail "Architecture is '$(field Architecture)', want $arch"
[ "$(field Section)" = "net" ] || fail "Section is '$(field Section)', want net"
[ -n "$(field Maintainer)" ] || fail "no Maintainer"
field Description | head -n 1 | grep -q 'TLS' || fail "Description does not say what it is"
[ "$(field Description | wc -l)" -gt 1 ] || fail "no extended Description"
depends=$(field Depends)
# The package names alone, one a line ("libc6 (>= 2.34), libqt6svg6" -> libc6, libqt6svg6).
echo "$depends" | tr ',|' '\n\n' | sed 's/(.*//; s/[[:space:]]//g' >"$out/depends"
for lib in libc6 libstdc++6 libqt6core6 libqt6gui6 libqt6widgets6 libqt6network6 libssl3 libqt6svg6; do
    grep -qxF "$lib" "$out/depends" || fail "Depends lacks $lib: $depends"
done

echo "== contents"
dpkg-deb -c "$deb" | tee "$out/contents.txt"
# Lines read: MODE OWNER/GROUP SIZE DATE TIME ./PATH
awk '$1 !~ /^d/ { sub("^\\./usr/", "", $6); print $6 }' "$out/contents.txt" | sort >"$out/actual"
"$here/expected-files.sh" "$app_id" >"$out/required"
"$here/expected-files.sh" "$app_id" --optional >"$out/optional"
missing=$(comm -23 "$out/required" "$out/actual")
[ -z "$missing" ] || fail "missing from the package: $(echo $missing)"
extra=$(comm -13 "$out/required" "$out/actual" | grep -vxF -f "$out/optional" || true)
[ -z "$extra" ] || fail "not expected in the package: $(echo $extra)"
awk '$2 != "root/root" { print "FAIL: not owned by root: " $0; bad = 1 } END { exit bad }' "$out/contents.txt" >&2 ||
    status=1
awk '$1 ~ /^-/ && $6 ~ /^\.\/usr\/bin\// && $1 != "-rwxr-xr-x" { print "FAIL: mode of " $6 ": " $1; bad = 1 }
     $1 ~ /^-/ && $6 !~ /^\.\/usr\/bin\// && $1 != "-rw-r--r--" { print "FAIL: mode of " $6 ": " $1; bad = 1 }
     END { exit bad }' "$out/contents.txt" >&2 || status=1

echo "== unpacked into a clean tree"
dpkg-deb -x "$deb" "$out/root"
"$here/check-install-tree.sh" "$out/root" "$app_id" || status=1
"$here/smoke-test.sh" "$out/root/usr/bin/tlslab" "$version" || status=1
changelog="$out/root/usr/share/doc/tlslab/changelog.Debian.gz"
gzip -t "$changelog" || fail "changelog.Debian.gz is not gzip"
gzip -dc "$changelog" | head -n 1 | grep -qF "tlslab (${version}-1) " ||
    fail "changelog.Debian.gz does not start with this version: $(gzip -dc "$changelog" | head -n 1)"

if command -v lintian >/dev/null; then
    echo "== lintian (information only, not a failure)"
    lintian --tag-display-limit 0 "$deb" || true
fi
[ "$status" -eq 0 ] && echo "PASS"
exit "$status"
