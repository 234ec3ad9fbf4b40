#!/bin/sh
# The files an install of TLS Lab holds, relative to the prefix (e.g. /usr), one a line, sorted. Used by the install
# tree and .deb checks so that a file gone missing, or a stray one installed by accident, fails a test.
#   expected-files.sh APP_ID            the files every install must have
#   expected-files.sh APP_ID --optional files that may be there
set -eu
app_id=${1:?usage: expected-files.sh APP_ID [--optional]}
if [ "${2:-}" = "--optional" ]; then
    exit 0
fi
{
    echo "bin/tlslab"
    echo "share/applications/$app_id.desktop"
    echo "share/metainfo/$app_id.metainfo.xml"
    echo "share/icons/hicolor/scalable/apps/$app_id.svg"
    for size in 16 22 24 32 48 64 128 256; do
        echo "share/icons/hicolor/${size}x${size}/apps/$app_id.png"
    done
    echo "share/man/man1/tlslab.1.gz"
    echo "share/bash-completion/completions/tlslab"
    echo "share/doc/tlslab/README.md"
    echo "share/doc/tlslab/LICENSE"
    echo "share/doc/tlslab/copyright"
    echo "share/doc/tlslab/changelog.Debian.gz"
} | LC_ALL=C sort
