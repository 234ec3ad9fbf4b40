#!/usr/bin/env bash
# Builds the libFuzzer targets (preset `fuzz`, clang) and runs each over its seed corpus (real hellos; captures).
#   tests/fuzz/run.sh            short form for CI: 30 s per target (FUZZ_SECONDS to change)
#   tests/fuzz/run.sh full       by hand: 10,000,000 executions per target (FUZZ_RUNS to change), 2 jobs
# New inputs go to build/fuzz/corpus/<target> (the checked-in seeds stay as they are); a crash leaves its input
# in build/fuzz/findings/ and makes this script fail.
set -euo pipefail
cd "$(dirname "$0")/../.."
mode=${1:-short}
launcher=()
if command -v ccache >/dev/null; then
    launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
cmake --preset fuzz "${launcher[@]}" >/dev/null
cmake --build --preset fuzz -j "$(nproc)"

mkdir -p build/fuzz/findings
for target in firstbytes clienthello serverhello handshake capturereader certimport; do
    corpus=build/fuzz/corpus/$target
    mkdir -p "$corpus"
    if [[ $mode == full ]]; then
        limit=(-runs="${FUZZ_RUNS:-10000000}")
    else
        limit=(-max_total_time="${FUZZ_SECONDS:-30}")
    fi
    echo "==> fuzz_$target ${limit[*]}"
    build/fuzz/tests/fuzz/fuzz_$target "${limit[@]}" -print_final_stats=1 -artifact_prefix=build/fuzz/findings/ \
        -rss_limit_mb=2048 "$corpus" "tests/fuzz/corpus/$target" 2>&1 |
        grep -E '^(stat::number_of_executed_units|stat::new_units_added|==[0-9]+==ERROR|SUMMARY|Done|INFO: Seed)' || true
    if ls build/fuzz/findings/crash-* build/fuzz/findings/leak-* build/fuzz/findings/timeout-* build/fuzz/findings/oom-* >/dev/null 2>&1; then
        echo "fuzz_$target: findings in build/fuzz/findings" >&2
        exit 1
    fi
done
