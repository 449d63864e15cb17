#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# script-e2e.sh MIGPLAN FAKE-NVIDIA-SMI [PART] - run the scripts migplan writes
# against the fake nvidia-smi (tests/fake/), as an operator would:
#   - for every example request: the plan's script from a clean node and
#     from a dirty one (MIG on, stray GPU and compute instances), twice each;
#     the node must end with exactly the plan's instances at the plan's
#     start slots, and a second run must change nothing; the same with
#     --no-placement (the driver picks the slots: same profiles);
#   - for NVIDIA's shipped configs, one config per GPU model
#     (tests/data/script-cases.tsv, expectations written from the configs);
#   - the refusals: a busy GPU, a wrong model, a missing GPU, an Ampere GPU
#     that needs a reset, nvidia-smi reads that fail (the fake made to fail
#     with FAKE_NVIDIA_SMI_FAIL), and a config whose name tries shell
#     injection;
#   - DRY_RUN=1, with and without nvidia-smi.
# PART (plans, configs or refusals; default all) runs one part, so that
# ctest can run them side by side.
set -euo pipefail

if [ $# -lt 2 ] || [ $# -gt 3 ]; then
    echo "usage: $0 MIGPLAN FAKE-NVIDIA-SMI [plans|configs|refusals]" >&2
    exit 2
fi
part=${3:-all}
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/cli/e2e-lib.sh
. "$(cd "$(dirname "$0")" && pwd)/e2e-lib.sh"
e2e_setup "$1" "$2"
cd "$root"
cases=0

dump() {
    nvidia-smi --fake-dump
}

# The fake's dump without CI lists, and the GIs as a sorted multiset.
gis_placed() { dump | sed 's/\[[0-9,]*\]//g'; }
gis_multiset() {
    dump | awk '{
        line = $1 " " $2 " " $3 " " $4
        n = 0
        for (i = 5; i <= NF; i++) {
            t = $i
            sub(/@[0-9]+/, "", t)
            a[n++] = t
        }
        for (i = 1; i < n; i++)
            for (j = i; j > 0 && a[j] < a[j - 1]; j--) {
                t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
            }
        for (i = 0; i < n; i++)
            line = line " " a[i]
        print line
    }' | LC_ALL=C awk 'NR > 1 { printf " | " } { printf "%s", $0 } END { print "" }'
}

# What a plan (JSON) says each GPU should hold: "GPU N MODEL mig=on: P@S ..."
plan_expect() {
    "$migplan" plan "$1" --format json | awk '
        /"tenants":/ { done = 1 }
        done { next }
        /"index":/ { if (n) flush(); n = 1; gsub(/[^0-9]/, "", $2); idx = $2; nin = 0 }
        /"model":/ { split($0, q, "\""); model = q[4] }
        /"mig_enabled":/ { mig = ($2 ~ /true/) }
        /"profile":/ { split($0, q, "\""); prof = q[4] }
        /"start":/ { s = $2; gsub(/[^0-9]/, "", s); inst[nin++] = s " " prof }
        function flush(   i, j, t, out, a) {
            for (i = 1; i < nin; i++)
                for (j = i; j > 0 && inst[j] + 0 < inst[j - 1] + 0; j--) {
                    t = inst[j]; inst[j] = inst[j - 1]; inst[j - 1] = t
                }
            out = "GPU " idx " " model " mig=" (mig ? "on" : "off") ":"
            for (i = 0; i < nin; i++) {
                split(inst[i], a, " ")
                out = out " " a[2] "@" a[1]
            }
            print out
        }
        END { if (n) flush() }'
}

# Fleet of a plan as --fake-init arguments, one model per GPU index.
plan_fleet() {
    "$migplan" plan "$1" --format json |
        awk '/"tenants":/ { exit } /"model":/ { split($0, q, "\""); printf "%s ", q[4] }'
}

# Dirty every MIG-capable GPU: MIG on, stray GPU instances with and without
# compute instances.
make_dirty() {
    nvidia-smi --fake-dirty
}

# Commands of the last run that change a GPU.
changes() {
    grep -E -- ' -cgi | -cci| -dci| -dgi| -mig ' "$FAKE_NVIDIA_SMI_LOG" || true
}

# run_twice NAME SCRIPT EXPECTED-FN: run, check, run again, check no changes.
run_twice() {
    local name=$1 script=$2 check_fn=$3 expected=$4 out
    : >"$FAKE_NVIDIA_SMI_LOG"
    if ! out=$(bash "$script" 2>&1); then
        fail "$name: first run failed: $out"
        return
    fi
    if [ "$($check_fn)" != "$expected" ]; then
        fail "$name: after the first run
  expected: $expected
  actual:   $($check_fn)"
        return
    fi
    : >"$FAKE_NVIDIA_SMI_LOG"
    if ! out=$(bash "$script" 2>&1); then
        fail "$name: second run failed: $out"
        return
    fi
    if [ -n "$(changes)" ]; then
        fail "$name: the second run changed GPUs: $(changes | tr '\n' ';')"
        return
    fi
    if [ "$($check_fn)" != "$expected" ]; then
        fail "$name: the second run moved instances"
        return
    fi
    ok "$name"
}

# ---------------------------------------------------------------- plans

part_plans() {
    for req in examples/*.yaml; do
        "$migplan" plan "$req" --format json >/dev/null 2>&1 || continue
        base=$(basename "$req" .yaml)
        if grep -q '^nodes:' "$req"; then
            # node pools: one script per node (--node-name); the fake models
            # one GPU set, so these are checked for syntax and lint only
            node=$("$migplan" plan "$req" --format json |
                awk '/"nodes":/ { on = 1 } on && /"name":/ {
                    split($0, q, "\""); print q[4]; exit }')
            [ -n "$node" ] || fail "$base: no node name in the JSON plan"
            "$migplan" plan "$req" --format nvidia-smi --node-name "$node" \
                -o "$tmp/$base.sh" 2>/dev/null
            bash -n "$tmp/$base.sh" || fail "$base: bash -n"
            if command -v shellcheck >/dev/null 2>&1; then
                shellcheck "$tmp/$base.sh" || fail "$base: shellcheck"
            fi
            continue
        fi
        fleet=$(plan_fleet "$req")
        expected=$(plan_expect "$req")
        "$migplan" plan "$req" --format nvidia-smi -o "$tmp/$base.sh"
        "$migplan" plan "$req" --format nvidia-smi --no-placement -o "$tmp/$base-np.sh"
        bash -n "$tmp/$base.sh" || fail "$base: bash -n"
        if command -v shellcheck >/dev/null 2>&1; then
            shellcheck "$tmp/$base.sh" "$tmp/$base-np.sh" || fail "$base: shellcheck"
        fi
        # shellcheck disable=SC2086
        nvidia-smi --fake-init $fleet >/dev/null
        cases=$((cases + 1))
        run_twice "plan $base, clean node" "$tmp/$base.sh" gis_placed "$expected"
        # every GPU instance got exactly its default compute instance
        if dump | grep -Eq '\[\]|\[[0-9]+,'; then
            fail "plan $base: a GPU instance without exactly one compute instance: $(dump)"
        fi
        # shellcheck disable=SC2086
        nvidia-smi --fake-init $fleet >/dev/null
        make_dirty
        run_twice "plan $base, dirty node" "$tmp/$base.sh" gis_placed "$expected"
        # without placements: the same profiles (the driver picks the slots)
        want_multi=$(gis_multiset)
        # shellcheck disable=SC2086
        nvidia-smi --fake-init $fleet >/dev/null
        make_dirty
        run_twice "plan $base --no-placement, dirty node" "$tmp/$base-np.sh" \
            gis_multiset "$want_multi"
    done
}

# ------------------------------------------------- shipped configs

part_configs() {
    while IFS=$'\t' read -r file config fleet flags expected; do
        case $file in '' | '#'*) continue ;; esac
        [ "$flags" != - ] || flags=
        name="script $(basename "$file") --config $config on $fleet"
        # shellcheck disable=SC2086 # flags are words
        if ! "$migplan" script "$file" --config "$config" $flags -o "$tmp/c.sh" 2>"$tmp/err"; then
            fail "$name: migplan script failed: $(cat "$tmp/err")"
            continue
        fi
        # shellcheck disable=SC2086
        "$migplan" script "$file" --config "$config" $flags --no-placement \
            -o "$tmp/c-np.sh" 2>/dev/null
        shellcheck "$tmp/c.sh" || fail "$name: shellcheck"
        cases=$((cases + 1))
        # shellcheck disable=SC2086
        nvidia-smi --fake-init $fleet >/dev/null
        run_twice "$name, clean" "$tmp/c.sh" gis_multiset "$expected"
        # shellcheck disable=SC2086
        nvidia-smi --fake-init $fleet >/dev/null
        make_dirty
        run_twice "$name, dirty" "$tmp/c.sh" gis_multiset "$expected"
        # shellcheck disable=SC2086
        nvidia-smi --fake-init $fleet >/dev/null
        make_dirty
        run_twice "$name --no-placement, dirty" "$tmp/c-np.sh" gis_multiset "$expected"
    done <tests/data/script-cases.tsv
    preview_calls
}

# A setup script's DRY_RUN preview reads the node with the same few
# nvidia-smi calls whatever its size, and previews every GPU.
preview_calls() {
    local n want
    local -a calls=()
    printf 'version: v1\nmig-configs:\n  serve:\n    - devices: all\n      mig-enabled: true\n      mig-devices:\n        "3g.40gb": 1\n        "1g.10gb": 4\n' >"$tmp/serve.yaml"
    "$migplan" script "$tmp/serve.yaml" --gpu h100-sxm5-80gb -o "$tmp/serve.sh"
    for n in 2 48; do
        nvidia-smi --fake-init "h100-sxm5-80gb:$n" >/dev/null
        make_dirty
        : >"$FAKE_NVIDIA_SMI_LOG"
        DRY_RUN=1 bash "$tmp/serve.sh" >"$tmp/preview" 2>&1 ||
            fail "setup preview of $n GPUs: $(cat "$tmp/preview")"
        calls[n]=$(wc -l <"$FAKE_NVIDIA_SMI_LOG")
        want=$(grep -c -- '-cgi 9:4,19:0,19:1,19:2,19:3 -C$' "$tmp/preview")
        [ "$want" = "$n" ] || fail "setup preview of $n GPUs previews $want of them"
    done
    cases=$((cases + 1))
    if [ "${calls[2]}" = "${calls[48]}" ]; then
        ok "setup preview: ${calls[48]} nvidia-smi calls for 2 and for 48 GPUs"
    else
        fail "setup preview: ${calls[2]} nvidia-smi calls for 2 GPUs, ${calls[48]} for 48"
    fi
}

# ------------------------------------------------------------ refusals

part_refusals() {
    ex=examples/three-teams-dgx-h100.yaml
    "$migplan" plan "$ex" --format nvidia-smi -o "$tmp/t.sh"

    # A busy GPU stops the script before any GPU changes.
    nvidia-smi --fake-init h100:8 >/dev/null
    nvidia-smi --fake-proc 2 31337 vllm-worker
    before=$(dump)
    if out=$(bash "$tmp/t.sh" 2>&1); then
        fail "busy GPU: the script succeeded"
    elif [ "$(dump)" != "$before" ]; then
        fail "busy GPU: GPUs changed before the script stopped"
    elif ! grep -q 'GPU 2 is in use by vllm-worker (pid 31337).*nvidia-dcgm' <<<"$out"; then
        fail "busy GPU: unclear message: $out"
    else
        ok "busy GPU 2 stops the script before any change"
    fi

    # A different model at an index stops it too.
    nvidia-smi --fake-init h100:3 a100-80gb h100:4 >/dev/null
    before=$(dump)
    if out=$(bash "$tmp/t.sh" 2>&1); then
        fail "wrong model: the script succeeded"
    elif [ "$(dump)" != "$before" ]; then
        fail "wrong model: GPUs changed before the script stopped"
    elif ! grep -q 'GPU 3 is NVIDIA A100-SXM4-80GB (0x20B210DE), but GPU 3 of the plan expects h100-sxm5-80gb' <<<"$out"; then
        fail "wrong model: unclear message: $out"
    else
        ok "a wrong model at GPU 3 stops the script before any change"
    fi

    # A missing GPU.
    nvidia-smi --fake-init h100:6 >/dev/null
    if out=$(bash "$tmp/t.sh" 2>&1); then
        fail "missing GPU: the script succeeded"
    elif ! grep -q 'GPU 6: not found on this node' <<<"$out"; then
        fail "missing GPU: unclear message: $out"
    else
        ok "missing GPUs 6 and 7 stop the script"
    fi

    # Ampere: MIG mode pending until a GPU reset; then a rerun finishes.
    printf 'fleet: [{model: a100-40gb, count: 2}]\ntenants:\n  - {name: a, memory: 4GiB, replicas: 9}\n' >"$tmp/a100.yaml"
    "$migplan" plan "$tmp/a100.yaml" --format nvidia-smi -o "$tmp/a100.sh"
    nvidia-smi --fake-init a100-40gb:2 --fake-ampere-reset >/dev/null
    if out=$(bash "$tmp/a100.sh" 2>&1); then
        fail "Ampere reset: the script succeeded while MIG mode was pending"
    elif ! grep -q 'MIG mode is pending on GPU 0, 1; reset them (nvidia-smi -r -i 0,1)' <<<"$out"; then
        fail "Ampere reset: unclear message: $out"
    else
        nvidia-smi -r >/dev/null
        if out=$(bash "$tmp/a100.sh" 2>&1) && [ "$(dump | grep -c '1g.5gb')" = 2 ]; then
            ok "Ampere: the script asks for a reset, then finishes"
        else
            fail "Ampere reset: rerun after reset: $out"
        fi
    fi

    # A failing nvidia-smi read stops the script with a message naming the
    # read, never taken for an empty answer (no GPUs, no instances, no
    # processes). The reads before the first change leave the node as it
    # was; a failed read of the MIG modes is not taken for a pending mode.
    local what
    for what in index,pci.device_id -lgi -lci --query-compute-apps \
        index,mig.mode.current; do
        nvidia-smi --fake-init h100:8 >/dev/null
        [ "$what" = index,mig.mode.current ] || make_dirty
        before=$(dump)
        if out=$(FAKE_NVIDIA_SMI_FAIL=$what bash "$tmp/t.sh" 2>&1); then
            fail "failing read $what: the script succeeded"
        elif ! grep -q "^migplan script: cannot read the GPUs: nvidia-smi .*$what.* failed (exit status 255): fake nvidia-smi: failing on purpose" <<<"$out"; then
            fail "failing read $what: unclear message: $out"
        elif [ "$what" != index,mig.mode.current ] && [ "$(dump)" != "$before" ]; then
            fail "failing read $what: GPUs changed before the script stopped"
        else
            ok "a failing nvidia-smi read ($what) stops the script"
        fi
    done

    # Shell injection through a config name reaches nothing.
    evil="x\$(touch $tmp/pwned)'\"\`touch $tmp/pwned2\`"
    printf 'version: v1\nmig-configs:\n  "%s":\n    - devices: all\n      mig-enabled: true\n      mig-devices:\n        "3g.40gb": 2\n' \
        "$(printf '%s' "$evil" | sed 's/\\/\\\\/g; s/"/\\"/g')" >"$tmp/evil.yaml"
    if ! "$migplan" script "$tmp/evil.yaml" --gpu h100 -o "$tmp/evil.sh" 2>"$tmp/err"; then
        fail "injection: no script: $(cat "$tmp/err")"
    else
        nvidia-smi --fake-init h100:2 >/dev/null
        bash "$tmp/evil.sh" >/dev/null 2>&1 || true
        if [ -e "$tmp/pwned" ] || [ -e "$tmp/pwned2" ]; then
            fail "injection: the config name ran a command"
        else
            ok "a config name with \$(...), quotes and backticks runs nothing"
        fi
    fi

    # DRY_RUN=1 changes nothing and shows the commands.
    nvidia-smi --fake-init h100:8 >/dev/null
    make_dirty
    before=$(dump)
    out=$(DRY_RUN=1 bash "$tmp/t.sh" 2>&1) || fail "DRY_RUN: failed: $out"
    if [ "$(dump)" != "$before" ]; then
        fail "DRY_RUN: GPUs changed"
    elif ! grep -q '^+ nvidia-smi mig -i 1 -cgi 14:4,14:0,15:6,19:2,19:3 -C$' <<<"$out"; then
        fail "DRY_RUN: the -cgi command is not shown: $out"
    else
        ok "DRY_RUN=1 shows the commands and changes nothing"
    fi
    # ... and without nvidia-smi at all: a preview for the planned GPUs.
    out=$(PATH=/usr/bin:/bin DRY_RUN=1 bash "$tmp/t.sh" 2>&1) ||
        fail "DRY_RUN without nvidia-smi failed: $out"
    if grep -q '^+ nvidia-smi -i 0 -mig 0$' <<<"$out" &&
        grep -q '^+ nvidia-smi mig -i 3 -cgi' <<<"$out"; then
        ok "DRY_RUN=1 without nvidia-smi previews every planned GPU"
    else
        fail "DRY_RUN without nvidia-smi: $out"
    fi

}

case $part in
plans) part_plans ;;
configs) part_configs ;;
refusals) part_refusals ;;
all)
    part_plans
    part_configs
    part_refusals
    ;;
*)
    echo "unknown part $part" >&2
    exit 2
    ;;
esac
echo "$cases layouts scripted and run; $fails failure(s)"
[ "$fails" -eq 0 ]
