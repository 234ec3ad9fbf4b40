#!/usr/bin/env bash
# TLS Lab's one entry point for people and CI.
#   scripts/dev.sh run      install what is missing, build, start the app
#   scripts/dev.sh test     install what is missing, build (warnings are errors), run every test, fuzz briefly
#   scripts/dev.sh asan     build with the address and undefined-behaviour sanitizers, run every test under them
#                           (also part of `test` on CI, CI=true)
#   scripts/dev.sh bench    build optimised and print the benchmark figures
#   scripts/dev.sh soak     build, then run the full hostile-mix soak of `tlslab serve` (10,000 connections)
#   scripts/dev.sh package  build the Debian package (build/release/*.deb)
# Debian 12 / Ubuntu 24.04. Uses sudo for apt-get when not root.
set -euo pipefail
cd "$(dirname "$0")/.."

# Build tools, Qt 6 (>= 6.4) and OpenSSL 3, and the real TLS peers the tests talk to.
PACKAGES=(
    build-essential cmake ninja-build pkg-config git clang-format
    qt6-base-dev qt6-base-dev-tools qt6-base-private-dev libqt6svg6-dev qt6-qpa-plugins libgl-dev libvulkan-dev libxkbcommon-dev
    libssl-dev zlib1g-dev openssl ca-certificates gnutls-bin ncat curl tshark
    clang libclang-rt-dev valgrind
    xvfb xauth imagemagick
    desktop-file-utils appstream dpkg-dev file python3 bash-completion groff-base man-db binutils
)

log() { printf '\033[1m==> %s\033[0m\n' "$*"; }

install_missing() {
    local missing=()
    for p in "${PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    if ((${#missing[@]} == 0)); then
        return
    fi
    local sudo=()
    if [[ $(id -u) -ne 0 ]]; then
        sudo=(sudo)
    fi
    log "Installing: ${missing[*]}"
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

launcher_args() {
    if command -v ccache >/dev/null; then
        echo "-DCMAKE_CXX_COMPILER_LAUNCHER=ccache"
    fi
}

build() { # preset
    log "Configuring ($1)"
    # shellcheck disable=SC2046
    cmake --preset "$1" $(launcher_args) >/dev/null
    log "Building ($1)"
    cmake --build --preset "$1" -j "$(nproc)"
}

# The whole suite (but the benchmarks and the packaging tests) under AddressSanitizer, LeakSanitizer and
# UndefinedBehaviorSanitizer: preset asan (CMakePresets.json) sets the options, the exit code 86 for any report and the
# suppression files in tests/sanitizers/ (only Qt's and OpenSSL's own one-time allocations, each line explained). The
# tlslab the tests start is the sanitized one too; a report in it fails the test that started it.
sanitizers() {
    build asan
    log "Running the tests under the sanitizers"
    ctest --preset asan -j "$(nproc)"
}

cmd=${1:-}
case "$cmd" in
run)
    install_missing
    build release
    log "Starting TLS Lab"
    exec build/release/app/tlslab "${@:2}"
    ;;
test)
    install_missing
    build ci
    log "Running the tests"
    ctest --preset ci -j "$(nproc)"
    # The parsers under libFuzzer (clang, address and undefined-behaviour sanitizers) over the seed corpus of real
    # hellos: 10 s per target, about a minute with the build. tests/fuzz/run.sh full runs 10 million per target.
    log "Fuzzing the TLS parsers (10 s per target)"
    FUZZ_SECONDS=10 tests/fuzz/run.sh
    # On CI (root, a throwaway machine) also install the .deb the tests built, check it and remove it again.
    if [[ $(id -u) -eq 0 && ${CI:-} == true ]]; then
        log "Installing the Debian package on this machine, checking it, removing it"
        packaging/check-installed-package.sh build/ci/tests/packaging/deb/tlslab_*.deb
    fi
    # On CI the suite runs a second time under the sanitizers: a second full build, an estimated 15-20 minutes more
    # on 2 cores (see the README).
    if [[ ${CI:-} == true ]]; then
        sanitizers
    fi
    ;;
asan)
    install_missing
    sanitizers
    ;;
bench)
    install_missing
    build release-bench
    log "Benchmarks"
    # One line per figure; the benchmarks assert nothing about speed.
    ctest --test-dir build/release-bench -L bench -V 2>&1 |
        grep -E '(timeline|handshakes|gui|dialog|hello|trickle)\.[A-Za-z_0-9]+:|certificate creation|generation cancel' | sed -E 's/^[0-9]+: (QINFO *: [^)]*\) )?//'
    ;;
soak)
    install_missing
    build ci
    log "Soak: 10,000 hostile and valid connections, 64 at a time, against tlslab serve on loopback"
    python3 tests/soak/soak.py build/ci/app/tlslab --full "${@:2}"
    ;;
package)
    install_missing
    build release
    (cd build/release && cpack -G DEB)
    ;;
*)
    sed -n '2,10p' "$0"
    exit 2
    ;;
esac
