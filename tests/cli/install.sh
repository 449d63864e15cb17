#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# install.sh BUILD_DIR MANIFEST - `cmake --install` into an empty DESTDIR
# must put exactly the files MANIFEST lists under the prefix, and the
# installed binary must work from there: print its version and plan the
# installed example.
set -euo pipefail

build=${1:?usage: install.sh BUILD_DIR MANIFEST}
manifest=${2:?usage: install.sh BUILD_DIR MANIFEST}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

prefix=/opt/migplan-test
DESTDIR="$tmp/root" cmake --install "$build" --prefix "$prefix" >"$tmp/log"
root="$tmp/root$prefix"
(cd "$root" && find . \( -type f -o -type l \) | sed 's|^\./||' | LC_ALL=C sort) >"$tmp/got"
grep -v '^#' "$manifest" >"$tmp/want"
if ! diff -u "$tmp/want" "$tmp/got"; then
    echo "installed files differ from $manifest (expected vs installed)" >&2
    exit 1
fi
echo "installed $(wc -l <"$tmp/got") files:"
sed 's/^/  /' "$tmp/got"

[ -x "$root/bin/migplan" ] || {
    echo "bin/migplan is not executable" >&2
    exit 1
}
"$root/bin/migplan" --version | head -1 | grep -qE '^migplan [0-9]+\.[0-9]+\.[0-9]+$'
cd "$tmp"
"$root/bin/migplan" plan "$root/share/doc/migplan/examples/three-teams-dgx-h100.yaml" |
    grep -qx '4 GPUs, optimal (lower bound 4)'
echo "the installed migplan runs and plans the installed example"

# The installed man page renders without a warning (groff, when present),
# and the installed bash completion loads and completes a command.
man1="$root/share/man/man1/migplan.1"
if command -v groff >/dev/null 2>&1; then
    warnings=$(groff -man -Tutf8 -ww -z "$man1" 2>&1)
    [ -z "$warnings" ] || {
        echo "migplan.1 renders with warnings:" >&2
        echo "$warnings" >&2
        exit 1
    }
    groff -man -Tutf8 "$man1" 2>/dev/null | grep -q 'migplan check' || {
        echo "migplan.1 does not describe migplan check" >&2
        exit 1
    }
    echo "share/man/man1/migplan.1 renders without warnings"
fi
out=$(bash -c 'source "$1"; COMP_WORDS=("$2" che); COMP_CWORD=1; _migplan; echo "${COMPREPLY[*]}"' \
    _ "$root/share/bash-completion/completions/migplan" "$root/bin/migplan")
[ "$out" = check ] || {
    echo "the installed bash completion completes 'migplan che' to '$out'" >&2
    exit 1
}
echo "the installed bash completion completes 'migplan che' to check"
