# SPDX-License-Identifier: Apache-2.0
# ---- the functions setup and change scripts share: src/script/script_common.sh,
# spliced by the emitter into each runtime where it says @COMMON@ ----
# shellcheck shell=bash disable=SC2154,SC2034 # dry_run and offline are the runtime's
die() {
    printf 'migplan script: %s\n' "$*" >&2
    exit 1
}

say() {
    printf '%s\n' "$*"
}

# Without nvidia-smi only a DRY_RUN=1 preview may go on: stop the script,
# or set offline=1 and say so in two comment lines that end with $1 and $2
# (what the preview shows).
offline_preview() {
    command -v nvidia-smi >/dev/null 2>&1 && return 0
    [ "$dry_run" = 1 ] ||
        die "nvidia-smi not found; install the NVIDIA driver, or preview with DRY_RUN=1"
    offline=1
    say "# nvidia-smi not found: $1"
    say "# $2"
}

# Run a command that changes a GPU; under DRY_RUN=1 only print it.
run() {
    if [ "$dry_run" = 1 ]; then
        printf '+ %s\n' "$*"
        return 0
    fi
    "$@"
}

# Read the GPUs with `nvidia-smi $2...` into $smi_out. Everything after a
# read decides from what it says, so a read that fails stops the script
# (a failure inside a pipe or `< <(...)` would go unnoticed). With $1 = 1
# (the -lgi/-lci tables, whose parser skips any other line), standard error
# is read too, and nvidia-smi's answer that there is nothing to list (no
# MIG-enabled GPU, no GPU or compute instance) is an empty list, not a
# failure.
smi_out=''
smi_read() {
    local none_ok=$1 rc=0
    shift
    if [ "$none_ok" = 1 ]; then
        smi_out=$(nvidia-smi "$@" 2>&1) || rc=$?
    else
        smi_out=$(nvidia-smi "$@") || rc=$?
    fi
    [ "$rc" != 0 ] || return 0
    if [ "$none_ok" = 1 ]; then
        case $smi_out in
        'No MIG-enabled devices found'* | 'No GPU instances found'* | 'No compute instances found'*)
            smi_out=''
            return 0
            ;;
        esac
    fi
    die "cannot read the GPUs: nvidia-smi $* failed (exit status $rc): ${smi_out//$'\n'/ }; check that nvidia-smi works on this node, then run this script again"
}

# Set the variable named $1 to PCI ID $2 as the rules below spell it
# (" 0x233010de" -> "0x233010DE"), without a subshell: it runs per GPU.
norm_id() {
    local v=${2// /}
    v=${v^^}
    printf -v "$1" '0x%s' "${v#0X}"
}

