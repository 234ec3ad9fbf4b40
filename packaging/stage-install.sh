#!/bin/sh
# Installs a build into an empty staging folder, as a package build does: DESTDIR=STAGE_DIR, prefix /usr.
# usage: stage-install.sh BUILD_DIR STAGE_DIR [CONFIG]
set -eu
build=${1:?usage: stage-install.sh BUILD_DIR STAGE_DIR [CONFIG]}
stage=${2:?usage: stage-install.sh BUILD_DIR STAGE_DIR [CONFIG]}
config=${3:-}
cmake=${CMAKE_COMMAND:-cmake}
rm -rf "$stage"
mkdir -p "$stage"
DESTDIR=$stage "$cmake" --install "$build" --prefix /usr ${config:+--config "$config"}
