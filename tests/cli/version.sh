#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# version.sh MIGPLAN SOURCE_DIR - what `migplan --version` says, recomputed
# here from the source tree: the commit of the checkout (or "unknown"), the
# number of profile files and their revision (the first 12 hex digits of
# the SHA-256 of `sha256sum *.yaml`), and every driver version named by a
# memory-driver field. The golden case tests/golden/version.* fixes the
# format with the commit and revision masked.
set -euo pipefail

bin=${1:?usage: version.sh MIGPLAN SOURCE_DIR}
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
src=$(cd "${2:?usage: version.sh MIGPLAN SOURCE_DIR}" && pwd -P)
out=$("$bin" --version)
status=0
expect() {
    if ! grep -qxF -- "$1" <<<"$out"; then
        echo "--version lacks the line: $1" >&2
        status=1
    fi
}

cd "$src/profiles"
rev=$(LC_ALL=C sha256sum -- *.yaml | sha256sum | cut -c1-12)
models=$(find . -maxdepth 1 -name '*.yaml' | wc -l)
expect "profiles: $models models, revision $rev"

commit=$(grep '^commit: ' <<<"$out" | cut -d' ' -f2)
if head=$(git -C "$src" rev-parse --short=12 HEAD 2>/dev/null) &&
    [ "$(git -C "$src" rev-parse --show-toplevel)" = "$(cd "$src" && pwd -P)" ]; then
    # the binary may be a build of an earlier state of the tree, but of
    # this repository: its commit must be one of ours
    case $commit in
    "$head" | "$head-dirty") ;;
    *)
        if ! git -C "$src" cat-file -e "${commit%-dirty}^{commit}" 2>/dev/null; then
            echo "commit '$commit' is not a commit of $src" >&2
            status=1
        fi
        ;;
    esac
else
    [ "$commit" = unknown ] || {
        echo "not a git checkout, yet commit '$commit'" >&2
        status=1
    }
fi

drivers=$(grep -h '^memory-driver:' -- *.yaml |
    grep -oE '(^|[^0-9A-Za-z])[0-9]+(\.[0-9]+)+' | grep -oE '[0-9.]+$' |
    sort -u -t. -k1,1n -k2,2n -k3,3n | paste -sd, - | sed 's/,/, /g')
with=$(grep -h '^memory-driver:' -- *.yaml | grep -cE '(^|[^0-9A-Za-z])[0-9]+(\.[0-9]+)+')
line=$(grep '^memory sizes: ' <<<"$out")
case $line in
"memory sizes: drivers $drivers ($with models);"*) ;;
*)
    echo "expected drivers $drivers ($with models), got: $line" >&2
    status=1
    ;;
esac
exit "$status"
