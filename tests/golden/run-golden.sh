#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# run-golden.sh MIGPLAN CASE.cmd - run one CLI golden test.
#
# CASE.cmd holds a bash command line run from the repository root, in which
# `migplan` is the binary under test and $TMPDIR an empty scratch folder
# (shown as $TMPDIR in the expected output). Its standard output, standard error
# and exit status must equal CASE.out, CASE.err and CASE.rc byte for byte.
# With UPDATE_GOLDEN=1 the expected files are rewritten instead; review the
# diff (git diff tests/golden) before committing it. MIGPLAN_WRAPPER (e.g.
# a valgrind command line) runs the binary through a checker: anything it
# reports changes the output or exit status and fails the case.
set -euo pipefail

if [ $# -ne 2 ]; then
    echo "usage: $0 MIGPLAN CASE.cmd" >&2
    exit 2
fi
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
case_file=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
base=${case_file%.cmd}
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cd "$root"
mkdir "$tmp/t"
set +e
# $MIGPLAN is expanded by the inner shell, hence the single quotes.
# shellcheck disable=SC2016
env -i PATH="$PATH" HOME="$tmp/t" LC_ALL=C TMPDIR="$tmp/t" MIGPLAN="$bin" \
    MIGPLAN_WRAPPER="${MIGPLAN_WRAPPER:-}" \
    bash -c 'migplan() { $MIGPLAN_WRAPPER "$MIGPLAN" "$@"; }; set -o pipefail; '"$(cat "$case_file")" \
    >"$tmp/out" 2>"$tmp/err" </dev/null
rc=$?
set -e
echo "$rc" >"$tmp/rc"
# Under a checker (valgrind runs 20-50 times slower; an ASan + UBSan build,
# MIGPLAN_CHECKED_BUILD, 2-5 times) a plan may end past its --time-limit and
# say so on standard error; that note is about the checker's pace, not the
# program's output, so it is dropped there.
if [ -n "${MIGPLAN_WRAPPER:-}" ] || [ -n "${MIGPLAN_CHECKED_BUILD:-}" ]; then
    sed '/^migplan plan: note: the run took .* over --time-limit/d' "$tmp/err" >"$tmp/err.s" &&
        mv "$tmp/err.s" "$tmp/err"
fi
# the command's scratch folder differs per run: show it as $TMPDIR
for part in out err; do
    sed "s|$tmp/t|\$TMPDIR|g" "$tmp/$part" >"$tmp/$part.s" && mv "$tmp/$part.s" "$tmp/$part"
done

if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
    cp "$tmp/out" "$base.out"
    cp "$tmp/err" "$base.err"
    cp "$tmp/rc" "$base.rc"
    echo "updated $(basename "$base")"
    exit 0
fi

status=0
for part in out err rc; do
    if [ ! -f "$base.$part" ]; then
        echo "missing $base.$part (run with UPDATE_GOLDEN=1 to create it)" >&2
        status=1
    elif ! cmp -s "$base.$part" "$tmp/$part"; then
        echo "--- $(basename "$base").$part differs (expected vs got):" >&2
        diff -u "$base.$part" "$tmp/$part" | head -60 >&2 || true
        status=1
    fi
done
exit "$status"
