#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# lp-crosscheck.sh MIGPLAN REQUEST... - solve each request twice: with
# migplan, and with GLPK on the integer program `migplan plan --format lp`
# writes (explicit placements, none of migplan's geometry enumeration).
# Both must agree on the optimum cost, or on infeasibility. Exits 77 (ctest
# SKIP) when glpsol is not installed (Debian: glpk-utils).
set -euo pipefail

if [ $# -lt 2 ]; then
    echo "usage: $0 MIGPLAN REQUEST..." >&2
    exit 2
fi
migplan=$1
shift
if ! command -v glpsol >/dev/null 2>&1; then
    echo "glpsol not found (apt-get install glpk-utils); skipping" >&2
    exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
for req in "$@"; do
    # node pools (same profile, single strategy, node counts) are not in the
    # LP export, which models GPUs; tests/test_nodes.c brute-forces them
    if grep -q '^nodes:' "$req"; then
        echo "skip $req: node pools"
        continue
    fi
    set +e
    # the optimum is compared, not the speed: a time limit far above the
    # default keeps a slow (sanitized, loaded) machine from cutting the proof
    "$migplan" plan "$req" --time-limit 120 --format json >"$tmp/plan.json" 2>/dev/null
    "$migplan" plan "$req" --time-limit 120 --format lp -o "$tmp/p.lp" 2>/dev/null
    set -e
    if [ ! -s "$tmp/p.lp" ]; then
        echo "FAIL $req: no LP written" >&2
        fail=1
        continue
    fi
    ours=$(sed -n 's/^  "cost": \(.*\),$/\1/p' "$tmp/plan.json")
    glpsol --lp "$tmp/p.lp" --tmlim 120 -o "$tmp/p.sol" >"$tmp/glpsol.log" 2>&1 || true
    if grep -q 'NO .*FEASIBLE SOLUTION' "$tmp/glpsol.log"; then
        theirs=infeasible
    else
        theirs=$(sed -n 's/^Objective: *obj = \([0-9.e+-]*\) .*/\1/p' "$tmp/p.sol")
        if grep -q 'TIME LIMIT' "$tmp/glpsol.log"; then
            echo "FAIL $req: glpsol hit its time limit" >&2
            fail=1
            continue
        fi
    fi
    [ -n "$ours" ] || ours=infeasible
    if [ "$ours" = infeasible ] || [ "$theirs" = infeasible ]; then
        same=$([ "$ours" = "$theirs" ] && echo 1 || echo 0)
    else
        same=$(awk -v a="$ours" -v b="$theirs" 'BEGIN { d = a - b; print (d < 1e-6 && d > -1e-6) ? 1 : 0 }')
    fi
    if [ "$same" = 1 ]; then
        echo "ok   $req: migplan $ours, glpsol $theirs"
    else
        echo "FAIL $req: migplan $ours, glpsol $theirs" >&2
        fail=1
    fi
    rm -f "$tmp/p.lp" "$tmp/p.sol"
done
exit "$fail"
