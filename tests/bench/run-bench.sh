#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# run-bench.sh [--quick] [--seed N] [--out DIR] [--cap S] [--max-replicas N]
#              [--publish] - migplan's planner and checker against CBC, GLPK
# and the peers' greedy heuristics, its scaling and its start-up, in one run.
#
# Builds a Release tree (build-bench/), generates seeded requests (node,
# rack, the cost classes rack-cost and mix-cost, fleet) next to the
# hand-made tricky cases (tests/bench/cases/), solves each with migplan,
# with CBC and GLPK on `migplan plan --format lp`, and with two greedy
# baselines (bench_plan.c); runs the scaling curve (bench_gen scale: 100 to
# 1,000,000 replicas over four models, without and with costs: wall time,
# peak memory, proven or gap, CBC where it finishes within the cap); times
# the start-up of `migplan gpus` against a bare C program linked with
# libyaml (bench_bare, bench_startup); times `migplan check`; checks the
# issue-13 targets; and prints a Markdown report (also DIR/report.md, with
# the log-log plot DIR/scaling.svg and the raw data beside them).
#
#   --quick            small sizes and few instances: a smoke run of minutes
#   --cap S            per-case cap in seconds for migplan, CBC and GLPK
#                      (default 300; 30 with --quick)
#   --max-replicas N   top of the scaling curve (default 1000000; 3000 with
#                      --quick)
#   --publish          copy report.md and scaling.svg to tests/bench/results/
#                      (what the README shows)
# Tries to install coinor-cbc, glpk-utils and gnuplot when missing (Debian);
# without them their columns say so and the run goes on.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
seed=1
quick=0
publish=0
cap=
max_replicas=
out=$root/tests/bench/out
usage() {
    echo "usage: $0 [--quick] [--seed N] [--out DIR] [--cap S] [--max-replicas N] [--publish]" >&2
    exit 2
}
number() { # NAME VALUE: VALUE must be a positive integer
    [[ $2 =~ ^[0-9]+$ && $2 -gt 0 ]] || { echo "$0: $1 needs a positive whole number, not '$2'" >&2; exit 2; }
}
while [ $# -gt 0 ]; do
    case $1 in
    --quick) quick=1 ;;
    --publish) publish=1 ;;
    --seed) seed=${2:?--seed needs a number}; number --seed "$seed"; shift ;;
    --out) out=${2:?--out needs a folder}; shift ;;
    --cap) cap=${2:?--cap needs seconds}; number --cap "$cap"; shift ;;
    --max-replicas) max_replicas=${2:?--max-replicas needs a number}; number --max-replicas "$max_replicas"; shift ;;
    -h | --help) sed -n '3,/^set -e/{/^#/p}' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) usage ;;
    esac
    shift
done
if [ "$quick" = 1 ]; then
    n_node=6 n_rack=2 n_mix=3 n_fleet=1 startup_runs=50 startup_rounds=1
    : "${cap:=30}" "${max_replicas:=3000}"
    cost_limit=1
else
    n_node=20 n_rack=6 n_mix=10 n_fleet=3 startup_runs=200 startup_rounds=3
    : "${cap:=300}" "${max_replicas:=1000000}"
    cost_limit=5
fi

# ---- tools
have() { command -v "$1" >/dev/null 2>&1; }
if ! have cbc || ! have glpsol || ! have gnuplot; then
    sudo=
    [ "$(id -u)" = 0 ] || sudo=sudo
    { $sudo apt-get update -qq && $sudo apt-get install -y -qq coinor-cbc glpk-utils gnuplot-nox; } >/dev/null 2>&1 ||
        echo "run-bench: could not install cbc, glpsol or gnuplot; their results are left out" >&2
fi
[ -x /usr/bin/time ] || { echo "run-bench: needs GNU time (/usr/bin/time; Debian package time) for peak memory" >&2; exit 1; }
have_cbc=0 have_glpk=0
have cbc && have_cbc=1
have glpsol && have_glpk=1
cmake -S "$root" -B "$root/build-bench" -DCMAKE_BUILD_TYPE=Release \
    -DMIGPLAN_BUILD_TESTS=OFF >/dev/null
cmake --build "$root/build-bench" -j "$(nproc)" >/dev/null
migplan=$root/build-bench/migplan
bench=$root/build-bench/tests/bench

load_start=$(cut -d ' ' -f 1 /proc/loadavg)
rm -rf "$out"
mkdir -p "$out/requests" "$out/lp" "$out/scale"
cd "$root"

# ---- instances
"$bench/bench_gen" requests node "$seed" "$n_node" "$out/requests"
"$bench/bench_gen" requests rack "$seed" "$n_rack" "$out/requests"
"$bench/bench_gen" requests rack-cost "$seed" "$n_rack" "$out/requests"
"$bench/bench_gen" requests mix-cost "$seed" "$n_mix" "$out/requests"
"$bench/bench_gen" requests fleet "$seed" "$n_fleet" "$out/requests"
"$bench/bench_gen" requests fleet1 "$seed" "$n_fleet" "$out/requests"
cp tests/bench/cases/*.yaml "$out/requests/"
for f in "$out"/requests/*.yaml; do
    case $(basename "$f") in
    node-*) echo "node $f" ;;
    rack-cost-*) echo "rack-cost $f" ;;
    rack-*) echo "rack $f" ;;
    mix-cost-*) echo "mix-cost $f" ;;
    fleet1-*) echo "fleet1 $f" ;;
    fleet-*) echo "fleet $f" ;;
    *) echo "tricky $f" ;;
    esac
done >"$out/classes.txt"

ms() { date +%s%N | awk '{ printf "%.3f", $1 / 1e6 }'; }

# ---- migplan in process, with the greedy baselines
mapfile -t small < <(awk '$1 != "fleet" && $1 != "fleet1" { print $2 }' "$out/classes.txt")
mapfile -t unit < <(awk '$1 != "fleet" && $1 != "fleet1" && $1 !~ /cost/ { print $2 }' "$out/classes.txt")
mapfile -t priced < <(awk '$1 ~ /cost/ { print $2 }' "$out/classes.txt")
mapfile -t big < <(awk '$1 == "fleet" || $1 == "fleet1" { print $2 }' "$out/classes.txt")
"$bench/bench_plan" "${unit[@]}" >"$out/plan.tsv"
# cost classes: the best plan within the CLI's default limit (1 s --quick)
"$bench/bench_plan" --time-limit "$cost_limit" "${priced[@]}" | tail -n +2 >>"$out/plan.tsv"
# fleets: the best plan within 0.8 s, as a user with --time-limit 0.8 gets
"$bench/bench_plan" --time-limit 0.8 "${big[@]}" | tail -n +2 >>"$out/plan.tsv"

# ---- the ILP solvers on migplan's own LP export
# run_cbc LP: cbc_status (optimal, infeasible, stopped, killed, "not
# installed"), cbc_obj and cbc_ms; CBC stops itself at the cap and is
# killed 30 s after it (reading a huge LP is not covered by its own limit).
run_cbc() {
    cbc_status="not installed" cbc_obj=- cbc_ms=0
    [ "$have_cbc" = 1 ] || return 0
    local t0 t1 log rc=0
    t0=$(ms)
    log=$(timeout $((cap + 30)) cbc "$1" sec "$cap" solve quit 2>&1) || rc=$?
    t1=$(ms)
    cbc_ms=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
    cbc_status=$(sed -n 's/^Result - //p' <<<"$log" | head -n 1)
    case $cbc_status in
    "Optimal solution found") cbc_status=optimal ;;
    *infeasible*) cbc_status=infeasible ;;
    *) cbc_status=stopped ;;
    esac
    [ "$rc" = 124 ] && cbc_status=killed
    cbc_obj=$(sed -n 's/^Objective value: *//p' <<<"$log" | head -n 1)
    cbc_obj=${cbc_obj:--}
}
# run_glpk LP: glpk_status, glpk_obj and glpk_ms, the same way.
run_glpk() {
    glpk_status="not installed" glpk_obj=- glpk_ms=0
    [ "$have_glpk" = 1 ] || return 0
    local t0 t1 base=${1%.lp}
    t0=$(ms)
    timeout $((cap + 30)) glpsol --lp "$1" --tmlim "$cap" -o "$base.glpk" >"$base.glpk.log" 2>&1 || true
    t1=$(ms)
    glpk_ms=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
    glpk_status=$(sed -n 's/^Status: *//p' "$base.glpk" 2>/dev/null | head -n 1)
    case $glpk_status in
    "INTEGER OPTIMAL") glpk_status=optimal ;;
    *EMPTY* | *"NO "*) glpk_status=infeasible ;;
    *) glpk_status=stopped ;;
    esac
    grep -q 'NO .*FEASIBLE' "$base.glpk.log" && glpk_status=infeasible
    glpk_obj=$(sed -n 's/^Objective: *obj = \([0-9.e+-]*\).*/\1/p' "$base.glpk" 2>/dev/null | head -n 1)
    glpk_obj=${glpk_obj:--}
}

# ---- the same requests through the CLI, and the ILP solvers
printf 'file\tmigplan_ms\tcbc_status\tcbc_obj\tcbc_ms\tglpk_status\tglpk_obj\tglpk_ms\n' >"$out/ilp.tsv"
for f in "${small[@]}"; do
    base=$(basename "$f" .yaml)
    lp=$out/lp/$base.lp
    t0=$(ms)
    timeout "$cap" "$migplan" plan "$f" --format json -o "$out/lp/$base.json" || true
    t1=$(ms)
    timeout "$cap" "$migplan" plan "$f" --format lp -o "$lp" 2>/dev/null || true
    run_cbc "$lp"
    run_glpk "$lp"
    printf '%s\t%.3f\t%s\t%s\t%s\t%s\t%s\t%s\n' "$f" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" \
        "$cbc_status" "$cbc_obj" "$cbc_ms" "$glpk_status" "$glpk_obj" "$glpk_ms" >>"$out/ilp.tsv"
done

# ---- fleets through the CLI: wall time and peak memory
printf 'file\twall_s\tpeak_kib\tresult\n' >"$out/fleet.tsv"
for f in "${big[@]}"; do
    /usr/bin/time -f '%e %M' -o "$out/time.txt" timeout "$cap" "$migplan" plan "$f" --time-limit 0.8 -o "$out/plan.txt" || true
    read -r wall kib < <(tail -n 1 "$out/time.txt")
    result=$(sed -n 2p "$out/plan.txt")
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

# ---- the scaling curve: bench_gen scale, without and with costs
sizes=()
for n in 100 300 1000 3000 10000 30000 100000 300000 1000000; do
    [ "$n" -le "$max_replicas" ] && sizes+=("$n")
done
[ ${#sizes[@]} -gt 0 ] || sizes=("$max_replicas")
# plan_case FILE [OPTION...]: one `migplan plan` (table output written to a
# file) within the cap; sets wall (s), kib (peak), status (proven, gap,
# timeout, infeasible, error N), gpus, cost, bound and gap.
plan_case() {
    local f=$1 t0 t1 rc=0
    shift
    t0=$(ms)
    /usr/bin/time -f '%M' -o "$out/time.txt" timeout "$cap" "$migplan" plan "$f" "$@" \
        -o "$out/plan.txt" 2>"$out/plan.err" || rc=$?
    t1=$(ms)
    wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1000 }')
    kib=$(tail -n 1 "$out/time.txt")
    gpus=- cost=- bound=- gap=-
    case $rc in
    0) read -r status gpus cost bound gap < <(sed -n 2p "$out/plan.txt" | awk '{
           cost = $1; bound = "-"; gap = "-"; status = "?"
           if (match($0, /cost [0-9.]+/)) cost = substr($0, RSTART + 5, RLENGTH - 5)
           if (match($0, /lower bound [0-9.]+/)) bound = substr($0, RSTART + 12, RLENGTH - 12)
           if ($0 ~ /, optimal/) { status = "proven"; gap = 0 }
           else if (match($0, /gap [0-9.]+/)) { status = "gap"; gap = substr($0, RSTART + 4, RLENGTH - 4) }
           print status, $1, cost, bound, gap }') ;;
    124) status=timeout ;;
    1) status=infeasible ;;
    *) status="error $rc" ;;
    esac
}
printf 'variant\treplicas\twall_s\tpeak_kib\tstatus\tgpus\tcost\tbound\tgap\tcbc_status\tcbc_obj\tcbc_s\n' >"$out/curve.tsv"
for variant in unit cost; do
    cbc_on=$have_cbc
    for n in "${sizes[@]}"; do
        f=$out/scale/$variant-$n.yaml
        if [ "$variant" = cost ]; then
            "$bench/bench_gen" scale "$n" "$seed" "$f" costs
        else
            "$bench/bench_gen" scale "$n" "$seed" "$f"
        fi
        plan_case "$f"
        if [ "$cbc_on" = 1 ]; then
            lp=$out/scale/$variant-$n.lp
            if timeout "$cap" "$migplan" plan "$f" --format lp -o "$lp" 2>/dev/null; then
                run_cbc "$lp"
            else
                cbc_status="no LP export within $cap s" cbc_obj=- cbc_ms=0
            fi
            rm -f "$lp"
            # a larger size would not finish either
            case $cbc_status in optimal | infeasible) ;; *) cbc_on=0 ;; esac
        elif [ "$have_cbc" = 1 ]; then
            cbc_status=skipped cbc_obj=- cbc_ms=0
        else
            cbc_status="not installed" cbc_obj=- cbc_ms=0
        fi
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$variant" "$n" "$wall" "$kib" \
            "$status" "$gpus" "$cost" "$bound" "$gap" "$cbc_status" "$cbc_obj" \
            "$(awk -v m="$cbc_ms" 'BEGIN { printf "%.3f", m / 1000 }')" >>"$out/curve.tsv"
        echo "run-bench: scale $variant $n replicas: $wall s, $status; CBC $cbc_status" >&2
    done
done
# the time limit honoured: --time-limit 1 on the 30,000-replica (or the
# largest smaller) request with costs
tl_n=${sizes[0]}
for n in "${sizes[@]}"; do [ "$n" -le 30000 ] && tl_n=$n; done
plan_case "$out/scale/cost-$tl_n.yaml" --time-limit 1
tl_wall=$wall tl_status=$status
# memory per replica, table and JSON written: the 100,000-replica requests
# and the top of the curve, without and with costs (the table's runs are
# the curve's own; the JSON ones run here, same limit)
printf 'variant\treplicas\tformat\twall_s\tpeak_kib\trc\n' >"$out/memory.tsv"
for n in 100000 "$max_replicas"; do
    [ -f "$out/scale/unit-$n.yaml" ] || continue
    grep -q "^unit	$n	json" "$out/memory.tsv" && continue
    for v in unit cost; do
        awk -F '\t' -v v="$v" -v n="$n" '$1 == v && $2 == n { printf "%s\t%s\ttable\t%s\t%s\t0\n", v, n, $3, $4 }' \
            "$out/curve.tsv" >>"$out/memory.tsv"
        t0=$(ms) rc=0
        /usr/bin/time -f '%M' -o "$out/time.txt" timeout "$cap" "$migplan" plan \
            "$out/scale/$v-$n.yaml" --format json -o "$out/plan.json" 2>/dev/null || rc=$?
        t1=$(ms)
        printf '%s\t%s\tjson\t%s\t%s\t%s\n' "$v" "$n" \
            "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1000 }')" \
            "$(tail -n 1 "$out/time.txt")" "$rc" >>"$out/memory.tsv"
        rm -f "$out/plan.json"
    done
done

# ---- start-up: `migplan gpus` against a C program that only initialises
# libyaml; CPU time per run, the lowest mean of the rounds (the least
# disturbed by other load)
bare_us='' mp_us=''
for ((r = 0; r < startup_rounds; r++)); do
    read -r c _ < <("$bench/bench_startup" "$startup_runs" "$bench/bench_bare")
    bare_us=$(awk -v a="$c" -v b="${bare_us:-$c}" 'BEGIN { print (a < b ? a : b) }')
    read -r c _ < <("$bench/bench_startup" "$startup_runs" "$migplan" gpus)
    mp_us=$(awk -v a="$c" -v b="${mp_us:-$c}" 'BEGIN { print (a < b ? a : b) }')
done
startup_ratio=$(awk -v a="$mp_us" -v b="$bare_us" 'BEGIN { printf "%.2f", a / b }')

# ---- the log-log plot of time against replicas
plot=$out/scaling.svg
if have gnuplot; then
    series=()
    for v in unit cost; do
        awk -F '\t' -v v="$v" '$1 == v && ($5 == "proven" || $5 == "gap") { print $2, ($3 > 0.001 ? $3 : 0.001) }' "$out/curve.tsv" >"$out/plot-$v.dat"
        awk -F '\t' -v v="$v" '$1 == v && $10 == "optimal" { print $2, ($12 > 0.001 ? $12 : 0.001) }' "$out/curve.tsv" >"$out/plot-cbc-$v.dat"
    done
    [ -s "$out/plot-unit.dat" ] && series+=("'$out/plot-unit.dat' with linespoints lw 2 pt 7 title 'migplan, fewest GPUs'")
    [ -s "$out/plot-cost.dat" ] && series+=("'$out/plot-cost.dat' with linespoints lw 2 pt 5 title 'migplan, with costs'")
    [ -s "$out/plot-cbc-unit.dat" ] && series+=("'$out/plot-cbc-unit.dat' with linespoints dt 2 pt 6 title 'CBC on the LP export, fewest GPUs'")
    [ -s "$out/plot-cbc-cost.dat" ] && series+=("'$out/plot-cbc-cost.dat' with linespoints dt 2 pt 4 title 'CBC on the LP export, with costs'")
    if [ ${#series[@]} -gt 0 ]; then
        joined=$(printf '%s, ' "${series[@]}")
        gnuplot <<GNUPLOT || echo "run-bench: gnuplot failed; no plot" >&2
set terminal svg size 800,500 dynamic enhanced font "sans,12" background "white"
set output "$plot"
set logscale xy
set format x "10^{%L}"
set xlabel "replicas"
set ylabel "wall time (s), whole process"
set key top left
set grid
set title "migplan plan: time against replicas (seed $seed; default --time-limit; cap $cap s)"
plot ${joined%, }
GNUPLOT
    fi
else
    echo "run-bench: gnuplot is not installed; no plot" >&2
fi

# ---- the issue-13 targets
targets() {
    local t10 t100 m100
    row() { printf '| %s | %s | %s |\n' "$1" "$2" "$3"; }
    ok() { awk "BEGIN { exit !($1) }" && echo yes || echo "**no**"; }
    get() { awk -F '\t' -v v="$1" -v n="$2" -v c="$3" '$1 == v && $2 == n { print $c }' "$out/curve.tsv"; }
    echo "| target | measured | met |"
    echo "|---|---|---|"
    for v in unit cost; do
        t10=$(get "$v" 10000 3) t100=$(get "$v" 100000 3) m100=$(get "$v" 100000 4)
        [ -n "$t100" ] || continue
        row "100,000 replicas ($v) in at most 15x the 10,000-replica time" \
            "$(awk -v a="$t100" -v b="$t10" 'BEGIN { printf "%.2f s / %.2f s = %.1fx", a, b, a / b }')" \
            "$(ok "$t100 <= 15 * $t10")"
        row "100,000 replicas ($v) under 400 MB" "$(awk -v k="$m100" 'BEGIN { printf "%.0f MB", k / 1024 }')" \
            "$(ok "$m100 < 400 * 1024")"
    done
    row "--time-limit 1 on $tl_n replicas with costs ends within 1.5 s" "$tl_wall s ($tl_status)" \
        "$(ok "$tl_wall <= 1.5")"
    local mv mn mf mw mk mrc
    while IFS=$'\t' read -r mv mn mf mw mk mrc; do
        [ "$mv" = variant ] && continue
        row "$mn replicas ($mv) planned and written as $mf, at most 1 KB per replica" \
            "$(awk -v w="$mw" -v k="$mk" -v n="$mn" -v rc="$mrc" 'BEGIN { printf "%.2f s, %.0f MB = %.2f KB per replica%s", w, k / 1024, k / n, rc == 0 ? "" : " (exit " rc ")" }')" \
            "$(ok "$mrc == 0 && $mk <= $mn")"
    done <"$out/memory.tsv"
    local st w cs c
    st=$(get cost 100 5) w=$(get cost 100 3) cs=$(get cost 100 10) c=$(get cost 100 12)
    if [ -n "$st" ]; then
        row "four-model request with costs (100 replicas) proven, 10x faster than CBC" \
            "$st in $w s; CBC $cs in $c s" \
            "$(ok "\"$st\" == \"proven\" && \"$cs\" == \"optimal\" && $c >= 10 * $w")"
    fi
    awk -F '\t' -v classes="$out/classes.txt" -v ilp="$out/ilp.tsv" '
        BEGIN {
            while ((getline l < classes) > 0) { split(l, a, " "); if (a[1] == "rack-cost") rc[a[2]] = 1 }
            while ((getline l < ilp) > 0) { split(l, a, "\t"); cli[a[1]] = a[2]; cbc[a[1]] = a[5]; cst[a[1]] = a[3] }
        }
        ($1 in rc) {
            n++; if ($5 == "yes") p++
            if ($7 + 0 > worst) worst = $7 + 0
            if (cst[$1] == "optimal") { r = cbc[$1] / cli[$1]; if (!m || r < low) low = r; m++ }
        }
        END {
            if (!n) exit
            met = p == n && worst < 1000 && m == n && low >= 10
            printf "| rack with costs proven in under a second, 10x faster than CBC | %d of %d proven, worst solve %.0f ms; CBC / migplan CLI at least %s | %s |\n", p, n, worst, m ? sprintf("%.1fx", low) : "n/a (CBC did not finish)", met ? "yes" : "**no**"
        }' "$out/plan.tsv"
    row "start-up within 2x of a bare C program linked with libyaml" \
        "$mp_us us / $bare_us us CPU = ${startup_ratio}x" "$(ok "$startup_ratio <= 2")"
}

# ---- report
{
    echo "## Benchmark ($(date -u +%Y-%m-%d), seed $seed)"
    echo
    echo "Machine: $(nproc) cores, $(awk '/model name/ { sub(/.*: /, ""); print; exit }' /proc/cpuinfo), $(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo) RAM;"
    cbc_version="CBC not installed" glpk_version="GLPK not installed"
    [ "$have_cbc" = 1 ] && cbc_version=$(cbc -quit 2>/dev/null | sed -n 's/^Version: *\([^ ]*\).*/CBC \1/p' | head -n 1)
    [ "$have_glpk" = 1 ] && glpk_version=$(glpsol --version | head -n 1)
    echo "$cbc_version, $glpk_version; per-case cap $cap s."
    echo "Load average (1 min) at the start $load_start, at the end $(cut -d ' ' -f 1 /proc/loadavg): wall times"
    echo "on a machine shared with other work are longer than on a quiet one."
    echo
    echo "### Targets of issue 13"
    echo
    targets
    echo
    echo "### Scaling: 100 to $max_replicas replicas (bench_gen scale, seed $seed)"
    echo
    echo "Four models (h100, h200, b200, a100-80gb), 3 GPUs of each per 10 replicas (1.2 GPUs per"
    echo "replica offered, a plan needs about 0.36; 1,200,000 GPUs at the top, each in the plan);"
    echo "with costs 1 / 1.3 / 2.1 / 0.6. Whole process: reading, planning with the default"
    echo "--time-limit, writing the table; CBC on migplan's --format lp export, not run past"
    echo "the first size it does not solve within the cap."
    echo
    awk -F '\t' -v cap="$cap" -f tests/bench/curve.awk "$out/curve.tsv"
    echo
    [ -s "$plot" ] && echo "Plot: scaling.svg (log-log, time against replicas)." && echo
    echo "### Start-up"
    echo
    echo "CPU time per run (user + system, mean of $startup_runs runs, best of $startup_rounds rounds):"
    echo
    echo "| program | CPU per run | ratio |"
    echo "|---|---:|---:|"
    printf '| bare C program linked with libyaml (bench_bare) | %.0f us | 1 |\n' "$bare_us"
    printf '| migplan gpus | %.0f us | %sx |\n' "$mp_us" "$startup_ratio"
    echo
    echo "### Classes (cost classes next to the unit-cost ones)"
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
if [ "$publish" = 1 ]; then
    mkdir -p tests/bench/results
    cp "$out/report.md" tests/bench/results/report.md
    [ -s "$plot" ] && sed "s|$out/||g" "$plot" >tests/bench/results/scaling.svg
    echo "run-bench: wrote tests/bench/results/report.md and scaling.svg" >&2
fi
