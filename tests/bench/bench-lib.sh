#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# bench-lib.sh - sourced by the benchmarks that run migplan's scripts
# against the fake nvidia-smi (change-preview.sh, churn.sh): the build
# folder they take and the fake's place on PATH, written once. Sourcing it
# only defines; bench_setup makes the environment.
# shellcheck disable=SC2034 # build and tmp are the caller's

# bench_setup NAME [BUILD-DIR]: $build (BUILD-DIR, default build/ of the
# sources, as an absolute path), which must hold migplan and
# tests/fake-bin/nvidia-smi (else NAME says so and exits 2); the fake first
# on PATH, and a temporary directory $tmp removed on exit.
bench_setup() {
    local name=$1 root
    root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
    build=$(cd "${2:-$root/build}" && pwd)
    if [ ! -x "$build/migplan" ] || [ ! -x "$build/tests/fake-bin/nvidia-smi" ]; then
        echo "$name: build migplan and fake_nvidia_smi in $build first" >&2
        exit 2
    fi
    export PATH="$build/tests/fake-bin:$PATH"
    tmp=$(mktemp -d)
    # shellcheck disable=SC2064 # $tmp is fixed now
    trap "rm -rf '$tmp'" EXIT
}
