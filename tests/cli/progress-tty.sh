#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# progress-tty.sh MIGPLAN SOURCE_DIR - a plan that searches for a while
# shows a progress line on standard error when that is a terminal (through
# util-linux `script`): redrawn in place with the phase and the nodes
# explored, and wiped at the end; in a pipe there is none, and standard
# output is the same either way. Skipped without `script`.
set -euo pipefail

bin=${1:?usage: progress-tty.sh MIGPLAN SOURCE_DIR}
src=${2:?usage: progress-tty.sh MIGPLAN SOURCE_DIR}
command -v script >/dev/null 2>&1 || exit 77
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$src"
# ten times tests/data/large/progress-100k.yaml (each count and replicas
# with a 0 appended): since unused GPUs are held as runs, its 100,000
# replicas plan in 0.3 s, before the line's first half second; 1,000,000
# take a few seconds in every build
req=$tmp/progress-1m.yaml
sed -E 's/((replicas|count): [0-9]+)/\10/' tests/data/large/progress-100k.yaml >"$req"

cmd=$(printf '%q ' "$bin" plan "$req" --time-limit 3 --summary -o "$tmp/tty.txt")
script -qec "$cmd" /dev/null </dev/null >"$tmp/tty.raw"
# on a loaded machine the run may end past its limit and say so after the
# progress line is wiped: that note is not what this test is about
cr=$'\r'
overrun="migplan plan: note: the run took [^$cr]* over --time-limit [0-9.]*"
sed "s/$overrun$cr\{0,1\}\$//" "$tmp/tty.raw" | tr -d '\n' >"$tmp/tty.err"
grep -q $'\rmigplan plan: [a-z]*, [0-9]* nodes, best ' "$tmp/tty.err" || {
    echo "no progress line on the terminal:" >&2
    cat -v "$tmp/tty.err" >&2
    exit 1
}
# the line is wiped: the last thing written is a carriage return
[ "$(tail -c 1 "$tmp/tty.err" | od -An -c | tr -d ' ')" = '\r' ] || {
    echo "the progress line is not wiped at the end" >&2
    exit 1
}
"$bin" plan "$req" --time-limit 3 --summary -o "$tmp/pipe.txt" 2>"$tmp/pipe.raw"
sed "/$overrun/d" "$tmp/pipe.raw" >"$tmp/pipe.err"
[ ! -s "$tmp/pipe.err" ] || {
    echo "standard error in a pipe is not empty:" >&2
    cat -v "$tmp/pipe.err" >&2
    exit 1
}
grep -q '^TENANT ' "$tmp/tty.txt"
echo "progress on a terminal, none in a pipe"
