#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# examples-k8s-clean.sh MIGPLAN ROOT - every example that describes a
# cluster (nodes:) plans, and its k8s and mig-parted outputs read back
# clean with `check --strict`, with --strategy when every pool has one
# strategy. A new nodes: example is covered without editing this file.
set -euo pipefail
migplan=${1:?usage: $0 MIGPLAN ROOT}
root=${2:?usage: $0 MIGPLAN ROOT}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

n=0
for req in "$root"/examples/*.yaml; do
    grep -q '^nodes:' "$req" || continue
    n=$((n + 1))
    name=$(basename "$req" .yaml)
    # --strategy when the pools share one (a pool without one is mixed)
    pools=$(grep -c '^ *- pool:' "$req")
    singles=$(grep -c '^ *strategy: *single' "$req" || true)
    opt=()
    if [ "$singles" -eq 0 ]; then
        opt=(--strategy mixed)
    elif [ "$singles" -eq "$pools" ]; then
        opt=(--strategy single)
    fi
    for fmt in k8s mig-parted; do
        out="$tmp/$name.$fmt.yaml"
        "$migplan" plan "$req" --time-limit 60 --format "$fmt" -o "$out" 2>/dev/null ||
            fail "$name: plan --format $fmt failed"
        "$migplan" check --strict "${opt[@]}" "$out" >"$tmp/check.out" 2>&1 ||
            fail "$name: check --strict ${opt[*]} on its $fmt output: $(cat "$tmp/check.out")"
    done
done
[ "$n" -ge 3 ] || fail "only $n nodes: examples found"
echo "$n nodes: examples: k8s and mig-parted outputs check clean"
