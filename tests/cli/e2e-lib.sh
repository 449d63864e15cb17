#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# e2e-lib.sh - sourced by the scripts that run migplan's scripts against
# the fake nvidia-smi (script-e2e.sh, change-e2e.sh, state-formats-e2e.sh):
# the fake's environment and the fixtures they share (the node captures,
# requests and mig-parted configs they plan from), so that each is written
# once. Sourcing it only defines; e2e_setup makes the environment.
# shellcheck disable=SC2034 # migplan, fake, fails and changing are the caller's

# The options of nvidia-smi commands that change a GPU, as a grep -E pattern
# over the fake's log.
changing='(-cgi|-cci|-dgi|-dci|-mig|-r)( |$)'

# e2e_setup MIGPLAN FAKE-NVIDIA-SMI (the caller's arguments; any other count
# is a usage error, exit 2): $migplan and $fake as absolute paths,
# and a temporary directory $tmp (removed on exit) whose bin/ puts the fake
# first on PATH as nvidia-smi, with the fake's state and log ($tmp/log) in
# it; $fails counts the failures fail reports.
e2e_setup() {
    if [ $# -ne 2 ]; then
        echo "usage: $0 MIGPLAN FAKE-NVIDIA-SMI" >&2
        exit 2
    fi
    migplan=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
    fake=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
    tmp=$(mktemp -d)
    # shellcheck disable=SC2064 # $tmp is fixed now
    trap "rm -rf '$tmp'" EXIT
    mkdir "$tmp/bin"
    ln -s "$fake" "$tmp/bin/nvidia-smi"
    export PATH="$tmp/bin:$PATH"
    export FAKE_NVIDIA_SMI_STATE=$tmp/state
    export FAKE_NVIDIA_SMI_LOG=$tmp/log
    fails=0
}

fail() {
    printf 'FAIL %s\n' "$*" >&2
    fails=$((fails + 1))
}

ok() {
    printf 'ok   %s\n' "$*"
}

# What an operator captures on the node into file $1: -lgi, -lci and the
# plain view (its Processes table).
capture() {
    { nvidia-smi mig -lgi; nvidia-smi mig -lci; nvidia-smi; } >"$1"
}

# The GPU instance ID of profile ID $2 at start $3 on GPU $1.
gi_of() {
    nvidia-smi mig -i "$1" -lgi | awk -v p="$2" -v s="$3" \
        '$1 == "|" && $3 == "MIG" && $5 == p && $7 ~ "^" s ":" { print $6 }'
}

# A second run of script $2 changes nothing: no changing command, the node
# as the first run left it. $1 names the case in failures.
second_run() {
    local after
    after=$(nvidia-smi --fake-dump)
    : >"$FAKE_NVIDIA_SMI_LOG"
    bash "$2" >"$tmp/again.txt" 2>&1 || fail "$1: second run failed: $(cat "$tmp/again.txt")"
    grep -Eq -- "$changing" "$FAKE_NVIDIA_SMI_LOG" &&
        fail "$1: the second run changed something: $(cat "$FAKE_NVIDIA_SMI_LOG")"
    [ "$(nvidia-smi --fake-dump)" = "$after" ] || fail "$1: the second run changed the node"
}

# A request on $1 H100s: tenant llm (one 3g, 30 GiB) and $2 replicas of
# embed (1g, 8 GiB).
llm_embed_request() {
    printf 'fleet:\n  - model: h100\n    count: %s\ntenants:\n' "$1"
    printf '  - name: llm\n    memory: 30GiB\n    compute: 3g\n'
    printf '  - name: embed\n    memory: 8GiB\n    compute: 1g\n    replicas: %s\n' "$2"
}

# A mig-parted config named $1, one entry per pair of arguments after it:
# the entry's devices (all, or [0, 1]) and its PROFILE=COUNT words.
mig_config() {
    local w
    printf 'version: v1\nmig-configs:\n  %s:\n' "$1"
    shift
    while [ $# -ge 2 ]; do
        printf '    - devices: %s\n      mig-enabled: true\n      mig-devices:\n' "$1"
        for w in $2; do printf '        "%s": %s\n' "${w%%=*}" "${w#*=}"; done
        shift 2
    done
}
