#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# fake-env.sh - sourced by the scripts that run migplan's scripts against
# the fake nvidia-smi (script-e2e.sh, change-e2e.sh): with $migplan and
# $fake set to absolute paths, it makes a temporary directory $tmp (removed
# on exit) whose bin/ puts the fake first on PATH as nvidia-smi, points the
# fake's state and log there, and defines fail/ok, which count failures in
# $fails.
# shellcheck disable=SC2034,SC2154 # $fake is set by the caller, which reads $fails
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/bin"
ln -s "$fake" "$tmp/bin/nvidia-smi"
export PATH="$tmp/bin:$PATH"
export FAKE_NVIDIA_SMI_STATE=$tmp/state
export FAKE_NVIDIA_SMI_LOG=$tmp/log
fails=0

fail() {
    printf 'FAIL %s\n' "$*" >&2
    fails=$((fails + 1))
}

ok() {
    printf 'ok   %s\n' "$*"
}
