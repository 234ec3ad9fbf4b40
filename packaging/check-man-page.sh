#!/bin/sh
# Checks the generated man page against the program it documents: every command that `tlslab --help` lists (and
# their subcommands) has its own subsection, every option each --help prints is in the page, and groff formats it
# without warnings. A stale page, or a command whose --help is missing, fails here.
# usage: check-man-page.sh TLSLAB_1_GZ TLSLAB_BINARY
set -eu
page=${1:?usage: check-man-page.sh TLSLAB_1_GZ TLSLAB_BINARY}
tlslab=${2:?usage: check-man-page.sh TLSLAB_1_GZ TLSLAB_BINARY}
status=0
fail() { echo "FAIL: $*" >&2; status=1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/tlslab-man.XXXXXX")
trap 'rm -rf "$work"' EXIT
export HOME="$work" TLSLAB_DATA_DIR="$work/data" QT_QPA_PLATFORM=offscreen

gzip -t "$page" || { echo "FAIL: $page is not gzip" >&2; exit 1; }
gzip -dc "$page" >"$work/tlslab.1"
grep -q '^\.TH TLSLAB 1 ' "$work/tlslab.1" || fail "no .TH TLSLAB 1 header"

# commands HELP_FILE: the names listed under a "Commands...:" heading.
# commands HELP_FILE WORDS...: the subcommands of "tlslab WORDS": those listed under a "Commands...:" heading, and
# those its usage lines show ("Usage: tlslab cert new ...").
commands() {
    file=$1
    shift
    {
        awk '/^Commands.*:$/ { on = 1; next } /^[^ ]/ || /^$/ { on = 0 } on { print $1 }' "$file"
        sed -nE "s/^(Usage:)? +tlslab${*:+ $*} ([a-z][a-z0-9-]*)( .*)?$/\2/p" "$file"
    } | sort -u
}

# check WORDS...: the help of "tlslab WORDS" is in the page, recursively.
check() {
    help="$work/help.$(echo "$*" | tr ' ' '_')"
    timeout 20 "$tlslab" "$@" --help >"$help" || { fail "'tlslab $* --help' exited $?"; return; }
    if [ $# -gt 0 ]; then
        head -n 1 "$help" | grep -q "^Usage: tlslab $* " ||
            { fail "'tlslab $* --help' does not print its own usage: $(head -n 1 "$help")"; return; }
        grep -qxF ".SS \"tlslab $*\"" "$work/tlslab.1" || fail "no section for 'tlslab $*'"
    fi
    for option in $(grep -o -- '--[a-z][a-z0-9-]*' "$help" | sort -u); do
        escaped=$(echo "$option" | sed 's/-/\\\\-/g')
        grep -q -- "$escaped" "$work/tlslab.1" || fail "'tlslab $*' option $option is not in the page"
    done
    [ $# -lt 3 ] || return 0
    for c in $(commands "$help" "$@"); do
        check "$@" "$c"
    done
}
check

echo "== groff -man -ww -z"
if command -v groff >/dev/null; then
    LC_ALL=C.UTF-8 groff -man -ww -z -Tutf8 "$work/tlslab.1" 2>"$work/groff.err" || fail "groff exited $?"
    if [ -s "$work/groff.err" ]; then
        cat "$work/groff.err" >&2
        fail "groff warnings"
    fi
else
    echo "groff not installed: formatting not checked"
fi
[ "$status" -eq 0 ] && echo "PASS"
exit "$status"
