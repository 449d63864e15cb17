#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# run-bench.sh [--quick] [--seed N] [--out DIR] - migplan's planner and
# checker against CBC, GLPK and the peers' greedy heuristics, in one run.
#
# Builds a Release tree (build-bench/), generates seeded requests (node,
# rack, fleet) next to the hand-made tricky cases (tests/bench/cases/),
# solves each with migplan, with CBC and GLPK on `migplan plan --format lp`,
# and with two greedy baselines (bench_plan.c), times `migplan check` on
# the GPU Operator's config and on a 10,000-entry config, and prints a
# Markdown report (also written to DIR/report.md; raw data beside it).
# Installs coinor-cbc and glpk-utils when missing (Debian).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
seed=1
quick=0
out=$root/tests/bench/out
while [ $# -gt 0 ]; do
    case $1 in
    --quick) quick=1 ;;
    --seed) seed=${2:?--seed needs a number}; shift ;;
    --out) out=${2:?--out needs a folder}; shift ;;
    *) echo "usage: $0 [--quick] [--seed N] [--out DIR]" >&2; exit 2 ;;
    esac
    shift
done
if [ "$quick" = 1 ]; then
    n_node=6 n_rack=2 n_fleet=1 ilp_limit=30
else
    n_node=20 n_rack=6 n_fleet=3 ilp_limit=300
fi

# ---- tools
if ! command -v cbc >/dev/null 2>&1 || ! command -v glpsol >/dev/null 2>&1; then
    sudo=
    [ "$(id -u)" = 0 ] || sudo=sudo
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq coinor-cbc glpk-utils >/dev/null
fi
cmake -S "$root" -B "$root/build-bench" -DCMAKE_BUILD_TYPE=Release \
    -DMIGPLAN_BUILD_TESTS=OFF >/dev/null
cmake --build "$root/build-bench" -j "$(nproc)" >/dev/null
migplan=$root/build-bench/migplan
bench=$root/build-bench/tests/bench

rm -rf "$out"
mkdir -p "$out/requests" "$out/lp"
cd "$root"

# ---- instances
"$bench/bench_gen" requests node "$seed" "$n_node" "$out/requests"
"$bench/bench_gen" requests rack "$seed" "$n_rack" "$out/requests"
"$bench/bench_gen" requests fleet "$seed" "$n_fleet" "$out/requests"
"$bench/bench_gen" requests fleet1 "$seed" "$n_fleet" "$out/requests"
cp tests/bench/cases/*.yaml "$out/requests/"
for f in "$out"/requests/*.yaml; do
    case $(basename "$f") in
    node-*) echo "node $f" ;;
    rack-*) echo "rack $f" ;;
    fleet1-*) echo "fleet1 $f" ;;
    fleet-*) echo "fleet $f" ;;
    *) echo "tricky $f" ;;
    esac
done >"$out/classes.txt"

ms() { date +%s%N | awk '{ printf "%.3f", $1 / 1e6 }'; }

# ---- migplan in process, with the greedy baselines
mapfile -t small < <(awk '$1 != "fleet" && $1 != "fleet1" { print $2 }' "$out/classes.txt")
mapfile -t big < <(awk '$1 == "fleet" || $1 == "fleet1" { print $2 }' "$out/classes.txt")
"$bench/bench_plan" "${small[@]}" >"$out/plan.tsv"
# fleets: the best plan within 0.8 s, as a user with --time-limit 0.8 gets
"$bench/bench_plan" --time-limit 0.8 "${big[@]}" | tail -n +2 >>"$out/plan.tsv"

# ---- the same requests through the CLI, and the ILP solvers
printf 'file\tmigplan_ms\tcbc_status\tcbc_obj\tcbc_ms\tglpk_status\tglpk_obj\tglpk_ms\n' >"$out/ilp.tsv"
for f in "${small[@]}"; do
    base=$(basename "$f" .yaml)
    lp=$out/lp/$base.lp
    t0=$(ms)
    "$migplan" plan "$f" --format json -o "$out/lp/$base.json" || true
    t1=$(ms)
    "$migplan" plan "$f" --format lp -o "$lp" 2>/dev/null || true
    # CBC
    t2=$(ms)
    cbc_log=$(cbc "$lp" sec "$ilp_limit" solve quit 2>&1 || true)
    t3=$(ms)
    cbc_status=$(sed -n 's/^Result - //p' <<<"$cbc_log" | head -n 1)
    case $cbc_status in
    "Optimal solution found") cbc_status=optimal ;;
    *infeasible*) cbc_status=infeasible ;;
    *) cbc_status="stopped" ;;
    esac
    cbc_obj=$(sed -n 's/^Objective value: *//p' <<<"$cbc_log" | head -n 1)
    # GLPK
    t4=$(ms)
    glpsol --lp "$lp" --tmlim "$ilp_limit" -o "$out/lp/$base.glpk" >"$out/lp/$base.glpk.log" 2>&1 || true
    t5=$(ms)
    glpk_status=$(sed -n 's/^Status: *//p' "$out/lp/$base.glpk" 2>/dev/null | head -n 1)
    case $glpk_status in
    "INTEGER OPTIMAL") glpk_status=optimal ;;
    *EMPTY* | *"NO "*) glpk_status=infeasible ;;
    *) glpk_status=stopped ;;
    esac
    grep -q 'NO .*FEASIBLE' "$out/lp/$base.glpk.log" && glpk_status=infeasible
    glpk_obj=$(sed -n 's/^Objective: *obj = \([0-9.e+-]*\).*/\1/p' "$out/lp/$base.glpk" 2>/dev/null | head -n 1)
    printf '%s\t%.3f\t%s\t%s\t%.3f\t%s\t%s\t%.3f\n' "$f" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" \
        "$cbc_status" "${cbc_obj:--}" "$(awk -v a="$t2" -v b="$t3" 'BEGIN { print b - a }')" \
        "$glpk_status" "${glpk_obj:--}" "$(awk -v a="$t4" -v b="$t5" 'BEGIN { print b - a }')" >>"$out/ilp.tsv"
done

# ---- fleets through the CLI: wall time and peak memory
printf 'file\twall_s\tpeak_kib\tresult\n' >"$out/fleet.tsv"
for f in "${big[@]}"; do
    /usr/bin/time -f '%e %M' -o "$out/time.txt" "$migplan" plan "$f" --time-limit 0.8 -o /dev/null || true
    read -r wall kib <"$out/time.txt"
    result=$("$migplan" plan "$f" --time-limit 0.8 | sed -n 2p)
    printf '%s\t%s\t%s\t%s\n' "$f" "$wall" "$kib" "$result" >>"$out/fleet.tsv"
done

# ---- check
"$bench/bench_gen" config 10000 "$seed" "$out/big-config.yaml"
operator=tests/data/mig-parted/gpu-operator_default-mig-parted-config_config.yaml
check_time() { # FILE RUNS -> "median_ms peak_kib"
    local i t0 t1
    for ((i = 0; i < $2; i++)); do
        t0=$(ms)
        "$migplan" check "$1" >/dev/null || true
        t1=$(ms)
        awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }'
    done | sort -n | awk '{ v[NR] = $1 } END { printf "%.2f", v[int((NR + 1) / 2)] }'
    /usr/bin/time -f ' %M' -o "$out/time.txt" "$migplan" check "$1" >/dev/null || true
    cat "$out/time.txt"
}
read -r op_ms op_kib < <(check_time "$operator" 21)
read -r big_ms big_kib < <(check_time "$out/big-config.yaml" 5)
"$bench/bench_geometry" >"$out/geometry.txt"

# ---- report
{
    echo "## Benchmark ($(date -u +%Y-%m-%d), seed $seed)"
    echo
    echo "Machine: $(nproc) cores, $(awk '/model name/ { sub(/.*: /, ""); print; exit }' /proc/cpuinfo), $(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo) RAM;"
    echo "$(cbc -quit 2>/dev/null | sed -n 's/^Version: *\([^ ]*\).*/CBC \1/p' | head -n 1), $(glpsol --version | head -n 1)."
    echo
    awk -F '\t' -v classes="$out/classes.txt" -v ilp="$out/ilp.tsv" -f tests/bench/report.awk "$out/plan.tsv"
    echo
    echo "Fleets through the CLI (wall time includes reading 700+ tenants; --time-limit 0.8):"
    echo
    echo "| request | wall | peak memory | result |"
    echo "|---|---|---|---|"
    tail -n +2 "$out/fleet.tsv" | while IFS=$'\t' read -r f wall kib result; do
        printf '| %s | %s s | %.1f MB | %s |\n' "$(basename "$f")" "$wall" "$(awk -v k="$kib" 'BEGIN { print k / 1024 }')" "$result"
    done
    echo
    echo "| check | median | peak memory |"
    echo "|---|---|---|"
    printf '| GPU Operator default config (%s lines) | %s ms | %.1f MB |\n' "$(wc -l <"$operator")" "$op_ms" "$(awk -v k="$op_kib" 'BEGIN { print k / 1024 }')"
    printf '| generated config, 10,000 entries (%s lines) | %s ms | %.1f MB |\n' "$(wc -l <"$out/big-config.yaml")" "$big_ms" "$(awk -v k="$big_kib" 'BEGIN { print k / 1024 }')"
    echo
    echo "Single-GPU questions (bench_geometry, microseconds):"
    echo
    echo '```'
    cat "$out/geometry.txt"
    echo '```'
} | tee "$out/report.md"
