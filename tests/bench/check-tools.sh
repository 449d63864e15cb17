#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# check-tools.sh BENCH_STARTUP BENCH_BARE BENCH_GEN MIGPLAN - a few seconds'
# check of the benchmark's own tools (results, never timing), so that
# run-bench.sh does not find them broken after an hour: bench_startup
# reports two positive numbers and fails on a failing program; bench_gen
# scale writes the same request for the same seed, with the replicas asked
# for, over the four models (priced with `costs`); migplan plans it.
set -euo pipefail
startup=$1 bare=$2 gen=$3 migplan=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "check-tools: $*" >&2; exit 1; }

read -r cpu wall < <("$startup" 5 "$bare")
awk -v c="$cpu" -v w="$wall" 'BEGIN { exit !(c > 0 && w > 0) }' || fail "bench_startup printed '$cpu $wall'"
if "$startup" 2 /bin/false >/dev/null 2>&1; then fail "bench_startup passed a failing program"; fi
if "$startup" 0 "$bare" >/dev/null 2>&1; then fail "bench_startup took 0 runs"; fi

"$gen" scale 1000 7 "$tmp/a.yaml" costs
"$gen" scale 1000 7 "$tmp/b.yaml" costs
"$gen" scale 1000 7 "$tmp/unit.yaml"
cmp -s "$tmp/a.yaml" "$tmp/b.yaml" || fail "bench_gen scale differs for one seed"
# a tenant without replicas: has one
replicas=$(awk '/- name:/ { n++ } /replicas:/ { n += $2 - 1 } END { print n }' "$tmp/a.yaml")
[ "$replicas" = 1000 ] || fail "bench_gen scale 1000 wrote $replicas replicas"
[ "$(grep -c 'cost:' "$tmp/a.yaml")" = 4 ] || fail "bench_gen scale costs: not four priced models"
[ "$(grep -c 'cost:' "$tmp/unit.yaml" || true)" = 0 ] || fail "bench_gen scale without costs has prices"
"$migplan" plan "$tmp/unit.yaml" -o "$tmp/plan.txt"
sed -n 2p "$tmp/plan.txt" | grep -Eq '^[0-9]+ GPUs, ' || fail "no plan summary: $(sed -n 2p "$tmp/plan.txt")"
echo "benchmark tools work"
