#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# change-preview.sh [BUILD-DIR] [GPUS] - how long a change script takes on
# a node of GPUS H100s (default 64) against the fake nvidia-smi (tests/fake/):
# each GPU holds 3g.40gb@4, 2g.20gb@0 and 1g.10gb@2, the config asks for one
# 3g.40gb and four 1g.10gb (keep 2, destroy 1, create 3 per GPU). Prints the
# wall, user and system time and the nvidia-smi calls of DRY_RUN=1, of the
# change and of a second run (which changes nothing). BUILD-DIR (default
# build/) holds migplan and tests/fake-bin. The fake's changing commands
# dominate the change itself; the preview and the second run are the
# runtime's own cost.
set -euo pipefail

# shellcheck source=tests/bench/bench-lib.sh
. "$(dirname "$0")/bench-lib.sh"
bench_setup change-preview.sh "${1:-}"
gpus=${2:-64}
export FAKE_NVIDIA_SMI_STATE=$tmp/state FAKE_NVIDIA_SMI_LOG=$tmp/log

nvidia-smi --fake-init "h100-sxm5-80gb:$gpus" >/dev/null
nvidia-smi -mig 1 >/dev/null
for ((g = 0; g < gpus; g++)); do nvidia-smi mig -i "$g" -cgi 9:4,14:0,19:2 -C >/dev/null; done
{ nvidia-smi mig -lgi; nvidia-smi mig -lci; nvidia-smi; } >"$tmp/state.txt"
printf 'version: v1\nmig-configs:\n  serve:\n    - devices: all\n      mig-enabled: true\n      mig-devices:\n        "3g.40gb": 1\n        "1g.10gb": 4\n' >"$tmp/serve.yaml"
"$build/migplan" script "$tmp/serve.yaml" --current "$tmp/state.txt" \
    --gpu h100-sxm5-80gb -o "$tmp/change.sh"

# measure NAME [ENV=VALUE...]: run the change script, print a table row
measure() {
    local name=$1 t
    shift
    : >"$FAKE_NVIDIA_SMI_LOG"
    t=$({ TIMEFORMAT='%R s wall, %U s user, %S s sys'; time env "$@" bash "$tmp/change.sh" >"$tmp/out" 2>&1; } 2>&1)
    printf '| %s | %s | %s |\n' "$name" "$t" "$(wc -l <"$FAKE_NVIDIA_SMI_LOG")"
}

echo "| $gpus GPUs | time | nvidia-smi calls |"
echo "|---|---|---|"
measure "DRY_RUN=1 preview" DRY_RUN=1
measure "the change" DRY_RUN=0
measure "a second run" DRY_RUN=0
