#!/bin/bash
# Checks the generated bash completion by running it as bash would on <Tab>: every command `tlslab --help` lists
# completes from its first letters, `tlslab CMD --` offers exactly the options `tlslab CMD --help` prints, and an
# option taking a FILE completes file names. Needs the bash-completion package (for _init_completion and _filedir).
# usage: check-bash-completion.sh COMPLETION_FILE TLSLAB_BINARY
set -u
completion=${1:?usage: check-bash-completion.sh COMPLETION_FILE TLSLAB_BINARY}
tlslab=${2:?usage: check-bash-completion.sh COMPLETION_FILE TLSLAB_BINARY}
status=0
fail() { echo "FAIL: $*" >&2; status=1; }

bash -n "$completion" || { echo "FAIL: $completion is not valid bash" >&2; exit 1; }
bash_completion=/usr/share/bash-completion/bash_completion
if [ ! -r "$bash_completion" ]; then
    echo "SKIP: $bash_completion not installed (apt-get install bash-completion)"
    exit 77
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/tlslab-completion.XXXXXX")
trap 'rm -rf "$work"' EXIT
export HOME="$work" TLSLAB_DATA_DIR="$work/data" QT_QPA_PLATFORM=offscreen

# shellcheck source=/dev/null
source "$bash_completion"
# shellcheck source=/dev/null
source "$completion"

# complete LINE: the sorted completions bash would offer for LINE (the cursor at its end).
complete_line() {
    local line=$1
    read -r -a COMP_WORDS <<<"$line"
    [[ $line == *" " ]] && COMP_WORDS+=("")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMP_LINE=$line
    COMP_POINT=${#line}
    COMPREPLY=()
    _tlslab tlslab "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
    printf '%s\n' "${COMPREPLY[@]}" | LC_ALL=C sort -u | sed '/^$/d'
}

# The long options of an --help's option list (not ones its prose mentions).
help_options() {
    timeout 20 "$tlslab" "$@" --help | sed -nE 's/^ +(-[^ ,]+, )?(--[a-z][a-z0-9-]*).*/\2/p' | LC_ALL=C sort -u
}
# The subcommands of "tlslab WORDS": listed under a "Commands...:" heading, or shown by its usage lines.
commands() {
    local help
    help=$(timeout 20 "$tlslab" "$@" --help)
    {
        awk '/^Commands.*:$/ { on = 1; next } /^[^ ]/ || /^$/ { on = 0 } on { print $1 }' <<<"$help"
        sed -nE "s/^(Usage:)? +tlslab${*:+ $*} ([a-z][a-z0-9-]*)( .*)?$/\2/p" <<<"$help"
    } | sort -u
}

want=$(help_options)
got=$(complete_line "tlslab --")
[ "$got" = "$want" ] || fail "'tlslab --<Tab>' offers [$(echo $got)], its --help has [$(echo $want)]"
for c in $(commands); do
    got=$(complete_line "tlslab ${c:0:2}")
    grep -qxF "$c" <<<"$got" || fail "'tlslab ${c:0:2}<Tab>' offers '$got', not $c"
    want=$(help_options "$c")
    got=$(complete_line "tlslab $c --")
    [ "$got" = "$want" ] || fail "'tlslab $c --<Tab>' offers [$(echo $got)], its --help has [$(echo $want)]"
    for sub in $(commands "$c"); do
        want=$(help_options "$c" "$sub")
        got=$(complete_line "tlslab $c $sub --")
        [ "$got" = "$want" ] || fail "'tlslab $c $sub --<Tab>' offers [$(echo $got)], its --help has [$(echo $want)]"
    done
done
echo "commands and options: checked against --help"

# A FILE option completes file names (from the current folder).
mkdir "$work/files" && touch "$work/files/server.pem" && cd "$work/files" || exit 1
got=$(complete_line "tlslab serve --cert ")
[ "$got" = "server.pem" ] || fail "'tlslab serve --cert <Tab>' offers '$got', not server.pem"
got=$(complete_line "tlslab serve --cert server.pem --")
grep -qxF -- "--key" <<<"$got" || fail "after an option's value, '--<Tab>' offers '$got' without --key"

[ "$status" -eq 0 ] && echo "PASS"
exit "$status"
