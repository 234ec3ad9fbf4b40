#!/bin/sh
# Checks an installed tree of TLS Lab (ROOT/usr/...; a DESTDIR staging folder or an unpacked .deb): exactly the
# expected files, the right modes, PNG icons of the size their folder names, and the installed .desktop file and
# AppStream metadata valid together (appstreamcli validate-tree also checks that the icon and launchable resolve).
# usage: check-install-tree.sh ROOT APP_ID
set -eu
root=${1:?usage: check-install-tree.sh ROOT APP_ID}
app_id=${2:?usage: check-install-tree.sh ROOT APP_ID}
here=$(cd "$(dirname "$0")" && pwd)
prefix="$root/usr"
status=0
fail() { echo "FAIL: $*" >&2; status=1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/tlslab-tree.XXXXXX")
trap 'rm -rf "$work"' EXIT

"$here/expected-files.sh" "$app_id" >"$work/required"
"$here/expected-files.sh" "$app_id" --optional >"$work/optional"
(cd "$prefix" && find . \( -type f -o -type l \) | sed 's|^\./||' | LC_ALL=C sort) >"$work/actual"
echo "== installed files under $prefix"
cat "$work/actual"
missing=$(LC_ALL=C comm -23 "$work/required" "$work/actual")
[ -z "$missing" ] || fail "missing: $(echo $missing)"
extra=$(LC_ALL=C comm -13 "$work/required" "$work/actual" | grep -vxF -f "$work/optional" || true)
[ -z "$extra" ] || fail "not expected (installed by mistake, or add it to packaging/expected-files.sh): $(echo $extra)"
other=$(cd "$root" && find . -mindepth 1 -maxdepth 1 ! -name usr)
[ -z "$other" ] || fail "files outside usr/: $other"

echo "== modes"
[ -x "$prefix/bin/tlslab" ] || fail "bin/tlslab is not executable"
while read -r f; do
    [ -e "$prefix/$f" ] || continue
    mode=$(stat -c %a "$prefix/$f")
    case "$f" in
        bin/*) want=755 ;;
        *) want=644 ;;
    esac
    [ "$mode" = "$want" ] || fail "$f has mode $mode, want $want"
done <"$work/actual"

echo "== icon sizes"
for png in "$prefix"/share/icons/hicolor/*x*/apps/"$app_id".png; do
    [ -e "$png" ] || continue
    dir=$(basename "$(dirname "$(dirname "$png")")")
    # The PNG signature, then the IHDR chunk: width and height are the big-endian words at offsets 16 and 20.
    magic=$(od -An -tx1 -N8 "$png" | tr -d ' \n')
    [ "$magic" = "89504e470d0a1a0a" ] || { fail "$png is not a PNG"; continue; }
    set -- $(od -An -tu1 -j16 -N8 "$png")
    w=$(( ($1 << 24) + ($2 << 16) + ($3 << 8) + $4 ))
    h=$(( ($5 << 24) + ($6 << 16) + ($7 << 8) + $8 ))
    [ "${w}x${h}" = "$dir" ] || fail "$png is ${w}x${h}, its folder says $dir"
done
grep -q '<svg' "$prefix/share/icons/hicolor/scalable/apps/$app_id.svg" || fail "the scalable icon is not SVG"

echo "== desktop-file-validate"
desktop-file-validate "$prefix/share/applications/$app_id.desktop" || fail "desktop-file-validate"
echo "== appstreamcli validate-tree --no-net"
appstreamcli validate-tree --no-net "$root" || fail "appstreamcli validate-tree"

[ "$status" -eq 0 ] && echo "PASS"
exit "$status"
