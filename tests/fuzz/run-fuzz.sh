#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# run-fuzz.sh [SECONDS] [TARGET...] - fuzz migplan's readers with libFuzzer.
#
# Builds build-fuzz/ with clang-14 (-fsanitize=fuzzer,address,undefined),
# seeds each target from the project's own files and its regression corpus,
# and runs it for SECONDS (default 600) on one core. Inputs that crash,
# leak, time out or run out of memory land in tests/fuzz/out/TARGET/; after
# fixing the bug, copy each into tests/fuzz/corpus/TARGET/ so ctest replays
# it forever. Targets: migparted request profiles node nvsmi smi dcgm
# (default: all).
# Needs clang-14 and libclang-rt-14-dev (Debian).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
seconds=${1:-600}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(migparted request profiles node nvsmi smi dcgm)

cc=$(command -v clang-14 || command -v clang || true)
if [ -z "$cc" ]; then
    echo "run-fuzz.sh: clang not found (apt-get install clang-14 libclang-rt-14-dev)" >&2
    exit 2
fi
CC=$cc cmake -S "$root" -B "$root/build-fuzz" -DMIGPLAN_FUZZ=ON \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMIGPLAN_BUILD_BENCH=OFF >/dev/null
cmake --build "$root/build-fuzz" -j "$(nproc)" \
    --target "${targets[@]/#/fuzz_}" >/dev/null

for t in "${targets[@]}"; do
    work=$root/tests/fuzz/corpus-work/$t
    out=$root/tests/fuzz/out/$t
    mkdir -p "$work" "$out"
    case $t in
    migparted) seeds=("$root"/tests/data/mig-parted "$root"/examples/mig-parted) ;;
    request) seeds=("$root"/examples "$root"/tests/data/requests "$root"/tests/bench/cases) ;;
    profiles) seeds=("$root"/profiles) ;;
    node) seeds=("$root"/examples/mig-parted) ;;
    nvsmi) seeds=("$root"/tests/data/nvidia-smi) ;;
    smi | dcgm) seeds=("$root"/tests/data/sizing "$root"/examples/sizing) ;;
    *) echo "unknown target $t" >&2; exit 2 ;;
    esac
    for s in "${seeds[@]}" "$root/tests/fuzz/corpus/$t"; do
        find "$s" -maxdepth 2 -type f \( -name '*.yaml' -o -name '*.csv' -o -name '*.prom' \) \
            -exec cp {} "$work/" \; 2>/dev/null || true
        find "$s" -maxdepth 1 -type f ! -name '*.md' -exec cp {} "$work/" \; 2>/dev/null || true
    done
    echo "== fuzz_$t for ${seconds}s ($(find "$work" -type f | wc -l) seed inputs)"
    set +e
    "$root/build-fuzz/tests/fuzz/fuzz_$t" "$work" -max_total_time="$seconds" \
        -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$out/" -print_final_stats=1 2>"$out/log.txt"
    rc=$?
    set -e
    grep -E '^stat::(number_of_executed_units|peak_rss_mb)|cov:|ERROR' "$out/log.txt" | tail -n 4
    found=$(find "$out" -type f ! -name log.txt | wc -l)
    echo "   exit $rc, $found new crashing input(s) in $out"
done
