#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# color-tty.sh MIGPLAN SOURCE_DIR - colour through a pseudo-terminal
# (util-linux `script`): on for a terminal, off with NO_COLOR set to a
# non-empty value (an empty one does not count, as no-color.org says), off
# with TERM=dumb and --color never, off in a pipe, and on in a pipe with
# --color always even under NO_COLOR. Both standard output (findings) and
# standard error (a diagnostic) are tried. Skipped without `script`.
set -euo pipefail

bin=${1:?usage: color-tty.sh MIGPLAN SOURCE_DIR}
src=${2:?usage: color-tty.sh MIGPLAN SOURCE_DIR}
command -v script >/dev/null 2>&1 || exit 77
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$src"
printf 'version: v1\nmig-configs:\n  x:\n    - devices: all\n      mig-enabled: true\n      mig-devices: {"1g.10gb": 8}\n' >"$tmp/bad.yaml"
esc=$'\033['
fails=0

# on_tty WANT ENV... -- ARGS...: run migplan ARGS on a pseudo-terminal with
# the environment ENV; WANT is colour or plain.
on_tty() {
    local want=$1 env=() args=()
    shift
    while [ "$1" != -- ]; do
        env+=("$1")
        shift
    done
    shift
    args=("$@")
    local cmd
    cmd=$(printf '%q ' "$bin" "${args[@]}")
    local out
    out=$(env TERM=xterm "${env[@]}" script -qec "$cmd" /dev/null </dev/null || true)
    verdict "$want" "$out" "tty ${env[*]} migplan ${args[*]}"
}

verdict() {
    local got=plain
    [[ $2 == *"$esc"* ]] && got=colour
    if [ "$got" = "$1" ]; then
        echo "ok: $3: $got"
    else
        echo "FAIL: $3: $got, expected $1"
        fails=$((fails + 1))
    fi
}

on_tty colour -- check "$tmp/bad.yaml" --gpu h100
on_tty plain NO_COLOR=1 -- check "$tmp/bad.yaml" --gpu h100
on_tty colour NO_COLOR= -- check "$tmp/bad.yaml" --gpu h100
on_tty plain TERM=dumb -- check "$tmp/bad.yaml" --gpu h100
on_tty plain -- check --color never "$tmp/bad.yaml" --gpu h100
on_tty plain -- --color=never check "$tmp/bad.yaml" --gpu h100
on_tty colour NO_COLOR=1 -- check --color always "$tmp/bad.yaml" --gpu h100
# standard error: a diagnostic
on_tty colour -- check "$tmp/missing.yaml"
on_tty plain NO_COLOR=yes -- check "$tmp/missing.yaml"
# -o FILE on a terminal: the file gets no colour
on_tty plain -- check "$tmp/bad.yaml" --gpu h100 -o "$tmp/report.txt"
verdict plain "$(cat "$tmp/report.txt")" "the -o file written on a tty"
# a pipe
verdict plain "$("$bin" check "$tmp/bad.yaml" --gpu h100 2>&1 || true)" "pipe"
verdict colour "$(NO_COLOR=1 "$bin" check --color always "$tmp/bad.yaml" --gpu h100 2>&1 || true)" \
    "pipe, NO_COLOR=1, --color always"

[ "$fails" = 0 ] || {
    echo "$fails colour case(s) failed" >&2
    exit 1
}
