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
