#!/bin/sh
# Validates the AppStream metainfo (offline) and checks it has a <release> entry for the version being built, so a
# version bump without release notes fails.
# usage: check-metainfo.sh METAINFO_XML VERSION
set -eu
metainfo=${1:?usage: check-metainfo.sh METAINFO_XML VERSION}
version=${2:?usage: check-metainfo.sh METAINFO_XML VERSION}
appstreamcli validate --no-net "$metainfo"
grep -q "<release version=\"$version\"" "$metainfo" || { echo "FAIL: no <release version=\"$version\"> entry" >&2; exit 1; }
echo "PASS"
