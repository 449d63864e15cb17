#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# run-all.sh - the whole test suite, as CI runs it (.ci/run).
#
#  1. a -Werror build with AddressSanitizer and UndefinedBehaviorSanitizer
#     (build-ci/) and every ctest test in it: unit tests, CLI golden files,
#     the GLPK cross-check, scripts against the fake nvidia-smi, the fuzz
#     regression corpus, shellcheck and clang-format;
#  2. a plain build (build-valgrind/) whose unit tests and CLI golden cases
#     run under valgrind, which must report no error and no leak.
# Test tools that are missing (shellcheck, glpk-utils, valgrind,
# clang-format, libxml2-utils) are installed with apt-get first. Takes a
# few minutes.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
jobs=$(nproc 2>/dev/null || echo 2)

need=()
command -v shellcheck >/dev/null 2>&1 || need+=(shellcheck)
command -v glpsol >/dev/null 2>&1 || need+=(glpk-utils)
command -v valgrind >/dev/null 2>&1 || need+=(valgrind)
command -v clang-format >/dev/null 2>&1 || need+=(clang-format)
command -v xmllint >/dev/null 2>&1 || need+=(libxml2-utils)
if [ ${#need[@]} -gt 0 ]; then
    sudo=
    [ "$(id -u)" = 0 ] || sudo=sudo
    echo "== installing test tools: ${need[*]}"
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi

echo "== build-ci: -Werror, ASan + UBSan"
cmake -S . -B build-ci -DCMAKE_BUILD_TYPE=Debug -DMIGPLAN_WERROR=ON \
    -DMIGPLAN_SANITIZE=ON >/dev/null
cmake --build build-ci -j "$jobs" >/dev/null
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# the README's examples plan within the default --time-limit: they run on
# the optimised build below, where a sanitised build on a loaded machine
# could stop a proof, or a node search, and print a different plan
(cd build-ci && ctest -j "$jobs" --output-on-failure -E '^cli\.readme_examples$')

echo "== build-valgrind: the unit tests and the CLI under valgrind"
cmake -S . -B build-valgrind -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DMIGPLAN_WERROR=ON -DMIGPLAN_BUILD_BENCH=OFF >/dev/null
cmake --build build-valgrind -j "$jobs" >/dev/null
# 99: valgrind found something (migplan itself exits 0, 1, 2 or 3)
vg=(valgrind --quiet --error-exitcode=99 --leak-check=full
    "--errors-for-leak-kinds=definite,indirect,possible" --track-origins=yes)
for t in build-valgrind/tests/test_*; do
    echo "-- valgrind $(basename "$t")"
    CMOCKA_MESSAGE_OUTPUT=stdout "${vg[@]}" "$t" >/dev/null
done
# the CLI: every golden case through valgrind (a report or a leak changes
# the case's output or exit status, so it fails)
echo "-- the README's examples (optimised build, no valgrind)"
(cd build-valgrind && ctest --output-on-failure -R '^cli\.readme_examples$')
echo "-- valgrind: the CLI golden cases"
(cd build-valgrind &&
    MIGPLAN_WRAPPER="${vg[*]}" ctest -j "$jobs" -R '^golden\.' --output-on-failure)
echo "== all tests passed"
