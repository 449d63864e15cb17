#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# migoff-e2e.sh MIGPLAN FAKE-NVIDIA-SMI - change scripts that keep a GPU
# whose MIG mode is already disabled (fresh8 D12), run against the fake
# nvidia-smi (tests/fake/):
#   - a whole-GPU tenant kept on a MIG-off GPU beside a GPU that gets MIG
#     instances (node and fleet requests, the tenant idle or running):
#     DRY_RUN passes and changes nothing, the run changes only the other
#     GPU, a second run changes nothing;
#   - a plan of no change from MIG-off GPUs (a mixed node, an all-disabled
#     single node): its script runs and changes nothing;
#   - `migplan script` with an entry `mig-enabled: false` and --current:
#     the same;
#   - a GPU planned MIG-off but found MIG-on stops the script before any
#     change, saying so.
set -euo pipefail

data=$(cd "$(dirname "$0")/../data" && pwd)
# shellcheck source=tests/cli/e2e-lib.sh
. "$(cd "$(dirname "$0")" && pwd)/e2e-lib.sh"
e2e_setup "$@"
cd "$tmp"

# case_ok MESSAGE: ok MESSAGE when the case (since case_start) had no
# failure.
case_fails=0
case_start() { case_fails=$fails; }
case_ok() {
    [ "$fails" != "$case_fails" ] || ok "$1"
}

# check_script NAME SCRIPT: shellcheck the script written for case NAME.
check_script() {
    if command -v shellcheck >/dev/null 2>&1; then
        shellcheck "$2" || fail "$1: shellcheck"
    fi
}

# dry_run_no_change NAME SCRIPT: DRY_RUN=1 exits 0, runs no changing
# command and leaves the node as it is.
dry_run_no_change() {
    local before
    before=$(nvidia-smi --fake-dump)
    : >"$FAKE_NVIDIA_SMI_LOG"
    DRY_RUN=1 bash "$2" >dry.txt 2>&1 || fail "$1: DRY_RUN failed: $(cat dry.txt)"
    grep -Eq -- "$changing" "$FAKE_NVIDIA_SMI_LOG" &&
        fail "$1: DRY_RUN ran a changing command: $(cat "$FAKE_NVIDIA_SMI_LOG")"
    [ "$(nvidia-smi --fake-dump)" = "$before" ] || fail "$1: DRY_RUN changed the node"
}

# run_changes_gpu1 NAME SCRIPT: the run changes GPU 1 only (MIG on, four
# 1g.10gb), GPU 0 stays MIG-off, and a second run changes nothing.
run_changes_gpu1() {
    : >"$FAKE_NVIDIA_SMI_LOG"
    bash "$2" >run.txt 2>&1 || fail "$1: the script failed: $(cat run.txt)"
    grep -Eq -- '-i 0( |$)' "$FAKE_NVIDIA_SMI_LOG" &&
        fail "$1: GPU 0 was touched: $(cat "$FAKE_NVIDIA_SMI_LOG")"
    local expect='GPU 0 h100-sxm5-80gb mig=off:
GPU 1 h100-sxm5-80gb mig=on: 1g.10gb@0[0] 1g.10gb@1[0] 1g.10gb@2[0] 1g.10gb@3[0]'
    [ "$(nvidia-smi --fake-dump)" = "$expect" ] ||
        fail "$1: the node is
$(nvidia-smi --fake-dump)
expected
$expect"
    second_run "$1" "$2"
}

# off_capture: what an operator captures from a node with MIG disabled
# (-lgi says "No MIG-enabled devices found." and fails), into off.txt.
off_capture() {
    { nvidia-smi mig -lgi 2>&1 || true; nvidia-smi; } >off.txt
}

# off_node N: a node of N H100s with MIG disabled, captured (off_capture).
off_node() {
    nvidia-smi --fake-init "h100-sxm5-80gb:$1" >/dev/null
    off_capture
}

# ---- a whole-GPU tenant kept on MIG-off GPU 0, llm's instances on GPU 1
printf 'nodes:\n  - {pool: s, model: h100, gpus: 2, count: 3, strategy: mixed}\n' >node.yaml
printf 'fleet:\n  - {model: h100, count: 2}\n' >fleet.yaml
for f in node.yaml fleet.yaml; do
    printf 'tenants:\n  - {name: train, whole-gpu: true, replicas: 1}\n' >>"$f"
    printf '  - {name: llm, memory: 9GiB, replicas: 4}\n' >>"$f"
done
for form in node fleet; do
    for proc in idle running; do
        name="whole GPU kept ($form, train $proc)"
        case_start
        off_node 2
        if [ "$proc" = running ]; then
            nvidia-smi --fake-proc 0 4242 train >/dev/null
            off_capture
        fi
        cur=off.txt
        [ "$form" = fleet ] || cur=s-01=off.txt
        opts=(--format nvidia-smi -o keep.sh)
        [ "$form" = fleet ] || opts+=(--node-name s-01)
        "$migplan" plan "$form.yaml" --current "$cur" "${opts[@]}" 2>err.txt ||
            fail "$name: migplan plan --current failed: $(cat err.txt)"
        check_script "$name" keep.sh
        dry_run_no_change "$name" keep.sh
        grep -q '^GPU 0: keeps what it holds, nothing to do$' dry.txt ||
            fail "$name: DRY_RUN does not leave GPU 0 alone: $(cat dry.txt)"
        run_changes_gpu1 "$name" keep.sh
        case_ok "$name: DRY_RUN changes nothing, the run changes GPU 1 only, second run no-op"
    done
done

# ---- the check is of the mode when planned: GPU 0 planned MIG-off but
#   found MIG-on stops the script before any change
case_start
off_node 2
"$migplan" plan node.yaml --current s-01=off.txt --format nvidia-smi --node-name s-01 \
    -o keep.sh 2>err.txt || fail "mode check: migplan plan failed: $(cat err.txt)"
nvidia-smi -i 0 -mig 1 >/dev/null
before=$(nvidia-smi --fake-dump)
: >log
if bash keep.sh >run.txt 2>&1; then fail "mode check: the script ran on a changed node"; fi
grep -q '^GPU 0: MIG mode is Enabled; it was Disabled when planned$' run.txt ||
    fail "mode check: no word of GPU 0's mode: $(cat run.txt)"
grep -Eq -- "$changing" log && fail "mode check: a changing command ran: $(cat log)"
[ "$(nvidia-smi --fake-dump)" = "$before" ] || fail "mode check: the node changed"
case_ok "a GPU planned MIG-off found MIG-on: stopped before any change, saying so"

# ---- plans of no change from MIG-off GPUs: the scripts change nothing
zero_change() { # NAME REQUEST NODE-NAME GPUS
    case_start
    off_node "$4"
    "$migplan" plan "$2" --current "$3=off.txt" --format nvidia-smi --node-name "$3" \
        -o zero.sh 2>err.txt || fail "$1: migplan plan failed: $(cat err.txt)"
    check_script "$1" zero.sh
    dry_run_no_change "$1" zero.sh
    local before
    before=$(nvidia-smi --fake-dump)
    : >log
    bash zero.sh >run.txt 2>&1 || fail "$1: the script failed: $(cat run.txt)"
    grep -Eq -- "$changing" log && fail "$1: a changing command ran: $(cat log)"
    [ "$(nvidia-smi --fake-dump)" = "$before" ] || fail "$1: the node changed"
    grep -q '^done: the node is as planned$' run.txt || fail "$1: $(cat run.txt)"
    case_ok "$1: the script runs and changes nothing"
}
zero_change "0-change plan (mixed node, mig-off.yaml)" "$data/nodecur/mig-off.yaml" gpu-a 2
zero_change "0-change plan (all-disabled single node)" "$data/nodecur/all-disabled.yaml" s-01 3
# the repository's own capture of the mixed node, as the report had it
case_start
nvidia-smi --fake-init h100-sxm5-80gb:2 >/dev/null
"$migplan" plan "$data/nodecur/mig-off.yaml" --current "gpu-a=$data/nodecur/mig-off-2.txt" \
    --format nvidia-smi --node-name gpu-a -o zero.sh 2>err.txt ||
    fail "mig-off-2.txt: migplan plan failed: $(cat err.txt)"
: >log
bash zero.sh >run.txt 2>&1 || fail "mig-off-2.txt: the script failed: $(cat run.txt)"
grep -Eq -- "$changing" log && fail "mig-off-2.txt: a changing command ran: $(cat log)"
case_ok "0-change plan from tests/data/nodecur/mig-off-2.txt: the script runs and changes nothing"

# ---- migplan script: an entry mig-enabled: false kept, --current
case_start
off_node 2
printf 'version: v1\nmig-configs:\n  c:\n    - devices: [0]\n      mig-enabled: false\n' >cfg.yaml
printf '    - devices: [1]\n      mig-enabled: true\n      mig-devices: {"1g.10gb": 4}\n' >>cfg.yaml
# a MIG-off capture without plain nvidia-smi's GPU table does not say how
# many GPUs the node has: --gpu MODEL alone is refused, --node names them
rc=0
"$migplan" script cfg.yaml --current off.txt --gpu h100 -o cfg.sh 2>err.txt || rc=$?
if [ "$rc" != 2 ] || ! grep -q 'give --node FILE' err.txt || [ -e cfg.sh ]; then
    fail "script mig-enabled false: --gpu alone: exit $rc, $(tail -2 err.txt)"
fi
nvidia-smi -L >node.txt
"$migplan" script cfg.yaml --current off.txt --node node.txt -o cfg.sh 2>err.txt ||
    fail "script mig-enabled false: migplan script failed: $(tail -3 err.txt)"
[ ! -s err.txt ] || fail "script mig-enabled false: notes: $(head -3 err.txt)"
check_script "script mig-enabled false" cfg.sh
dry_run_no_change "script mig-enabled false" cfg.sh
run_changes_gpu1 "script mig-enabled false" cfg.sh
case_ok "migplan script, mig-enabled: false + --current: DRY_RUN changes nothing, the run changes GPU 1 only, second run no-op"

if [ "$fails" -gt 0 ]; then
    echo "$fails failure(s)" >&2
    exit 1
fi
echo "MIG-off kept: all passed"
