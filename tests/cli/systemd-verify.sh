#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# systemd-verify.sh MIGPLAN - the boot units of `migplan script --systemd`
# and `migplan plan --format nvidia-smi --systemd` pass
# `systemd-analyze verify` without a single message. A unit with a known
# mistake is verified first, so that a systemd-analyze that checks nothing
# here (no systemd, a container) skips the test (77) instead of passing it.
set -euo pipefail

bin=${1:?usage: systemd-verify.sh MIGPLAN}
if ! command -v systemd-analyze >/dev/null 2>&1; then
    echo "systemd-analyze not found: skipped"
    exit 77
fi
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
unit=$tmp/migplan-mig.service
script=$tmp/migplan-mig.sh

verify() {
    systemd-analyze verify --man=no "$unit" >"$tmp/log" 2>&1 || return 1
    ! grep -q . "$tmp/log"
}

# the control: a misspelt service type must be reported
printf '[Service]\nType=oneshoot\nExecStart=/bin/true\n' >"$unit"
if verify; then
    echo "systemd-analyze verify reports nothing here, even a bad unit: skipped"
    exit 77
fi

status=0
cd "$root"
"$bin" plan examples/three-teams-dgx-h100.yaml --format nvidia-smi -o "$script"
for cmd in "plan examples/three-teams-dgx-h100.yaml --format nvidia-smi" \
    "script examples/mig-parted/node-config.yaml --config inference --node examples/mig-parted/node.yaml"; do
    # shellcheck disable=SC2086 # cmd is a list of words
    "$bin" $cmd --systemd "$script" -o "$unit"
    grep -qx "ExecStart=/bin/bash $script" "$unit"
    if verify; then
        echo "ok: migplan $cmd --systemd"
    else
        echo "systemd-analyze verify on the unit of migplan $cmd --systemd:" >&2
        cat "$tmp/log" >&2
        status=1
    fi
done
exit "$status"
