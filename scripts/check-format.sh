#!/bin/sh
# Fails when a tracked C++ file differs from what .clang-format asks for. Fix with:
#   git ls-files '*.cpp' '*.h' | xargs clang-format -i
# The tree is formatted with Debian 12's clang-format 14; another major version formats some constructs differently,
# so a different version is an error here rather than a wall of unrelated "violations".
set -eu
cd "$(dirname "$0")/.."
expected=14
version=$(clang-format --version | sed -n 's/.*clang-format version \([0-9]*\)\..*/\1/p')
if [ "$version" != "$expected" ]; then
    echo "check-format: clang-format $expected expected (the version the tree is formatted with), found '${version:-unknown}'" >&2
    exit 1
fi
git ls-files '*.cpp' '*.h' | xargs clang-format --dry-run --Werror
