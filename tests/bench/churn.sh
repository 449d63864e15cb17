#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# churn.sh [BUILD-DIR] - how many GPU instances a sequence of request
# changes on one H100 destroys, three ways, each run against the fake
# nvidia-smi (tests/fake/, the driver's rules) on a node of its own:
#   migplan     `migplan script CONFIG --current STATE` on what the node
#               holds, then the change script it writes (destroys counted
#               from its -dgi commands);
#   first fit   keep the instances whose profile is still wanted, destroy
#               the surplus, create the missing ones largest first where
#               the driver puts them (-cgi without a start); when one does
#               not fit, clear the GPU and create everything again;
#   rebuild     what `nvidia-mig-parted apply` does when the layout
#               differs: clear the GPU, create the whole layout.
# Prints a Markdown table: per step the request and the instances each
# destroyed. BUILD-DIR (default build/) holds migplan and tests/fake-bin.
set -euo pipefail

# shellcheck source=tests/bench/bench-lib.sh
. "$(dirname "$0")/bench-lib.sh"
bench_setup churn.sh "${1:-}"
migplan=$build/migplan
model=h100-sxm5-80gb
printf 'gpus:\n  - {index: 0, model: %s}\n' "$model" >"$tmp/node.yaml"

# The requests, one per step: PROFILE=COUNT words for GPU 0.
steps=(
    "3g.40gb=1 2g.20gb=1 1g.10gb=1"
    "3g.40gb=1 2g.20gb=1 1g.10gb=2"
    "3g.40gb=1 1g.10gb=4"
    "3g.40gb=1 2g.20gb=2"
    "4g.40gb=1 2g.20gb=1 1g.10gb=1"
    "4g.40gb=1 1g.10gb=3"
    "3g.40gb=1 2g.20gb=1 1g.10gb=2"
    "2g.20gb=2 1g.10gb=3"
    "3g.40gb=2"
    "3g.40gb=1 1g.10gb=3"
)

# nvidia-smi profile IDs of the H100 (profiles/h100-sxm5-80gb.yaml).
declare -A pid=([7g.80gb]=0 [4g.40gb]=5 [3g.40gb]=9 [2g.20gb]=14 [1g.10gb]=19 [1g.20gb]=15)
declare -A size=([7g.80gb]=8 [4g.40gb]=4 [3g.40gb]=4 [2g.20gb]=2 [1g.10gb]=1 [1g.20gb]=2)

config() { # step words -> a mig-parted config
    printf 'version: v1\nmig-configs:\n  step:\n    - devices: all\n      mig-enabled: true\n      mig-devices:\n'
    local w
    for w in $1; do printf '        "%s": %s\n' "${w%%=*}" "${w#*=}"; done
}

node() { # start node $1 with one H100, MIG on, empty
    export FAKE_NVIDIA_SMI_STATE=$tmp/$1.state
    [ -e "$FAKE_NVIDIA_SMI_STATE" ] && return 0
    nvidia-smi --fake-init "$model" >/dev/null
    nvidia-smi -mig 1 >/dev/null
}

n_gis() { nvidia-smi mig -lgi 2>/dev/null | awk '$1 == "|" && $3 == "MIG"' | wc -l; }

# "ID PROFILE-ID" per GPU instance, highest ID first.
gis() { nvidia-smi mig -lgi 2>/dev/null | awk '$1 == "|" && $3 == "MIG" { print $6, $5 }' | sort -rn; }

destroy() { # GI ID $1
    nvidia-smi mig -dci -i 0 -gi "$1" >/dev/null 2>&1 || true
    nvidia-smi mig -dgi -i 0 -gi "$1" >/dev/null
}

# The profile names of the words, largest first, once per instance.
wanted() {
    local w k
    for w in $1; do
        for ((k = 0; k < ${w#*=}; k++)); do echo "${size[${w%%=*}]} ${w%%=*}"; done
    done | sort -rn | awk '{ print $2 }'
}

run_migplan() { # step words; prints instances destroyed
    node migplan
    config "$1" >"$tmp/c.yaml"
    { nvidia-smi mig -lgi; nvidia-smi mig -lci; nvidia-smi; } >"$tmp/state.txt" 2>&1
    rm -f "$tmp/change.sh"
    "$migplan" script "$tmp/c.yaml" --current "$tmp/state.txt" \
        --node "$tmp/node.yaml" -o "$tmp/change.sh" 2>"$tmp/err" ||
        { cat "$tmp/err" >&2; echo "churn.sh: migplan refused step: $1" >&2; exit 1; }
    FAKE_NVIDIA_SMI_LOG=$tmp/log bash "$tmp/change.sh" >/dev/null
    grep -c -- '-dgi' "$tmp/log" || true
    rm -f "$tmp/log"
}

run_rebuild() {
    node rebuild
    local before
    before=$(n_gis)
    config "$1" >"$tmp/c.yaml"
    rm -f "$tmp/setup.sh"
    "$migplan" script "$tmp/c.yaml" --gpu "$model" -o "$tmp/setup.sh" 2>"$tmp/err" ||
        { cat "$tmp/err" >&2; echo "churn.sh: no setup script for: $1" >&2; exit 1; }
    FAKE_NVIDIA_SMI_LOG=$tmp/log bash "$tmp/setup.sh" >/dev/null
    if grep -q -- '-dgi' "$tmp/log"; then echo "$before"; else echo 0; fi
    rm -f "$tmp/log"
}

run_firstfit() {
    node firstfit
    local -A have=() want=()
    local id p name k gone=0 missing=()
    while read -r id p; do
        [ -n "$id" ] && have[$p]=$((${have[$p]:-0} + 1))
    done < <(gis)
    for name in $(wanted "$1"); do want[${pid[$name]}]=$((${want[${pid[$name]}]:-0} + 1)); done
    while read -r id p; do # surplus: the newest first
        [ -n "$id" ] || continue
        if [ "${have[$p]}" -gt "${want[$p]:-0}" ]; then
            destroy "$id"
            have[$p]=$((have[$p] - 1))
            gone=$((gone + 1))
        fi
    done < <(gis)
    for name in $(wanted "$1"); do
        p=${pid[$name]}
        if [ "${have[$p]:-0}" -gt 0 ]; then
            have[$p]=$((have[$p] - 1))
        else
            missing+=("$p")
        fi
    done
    for p in "${missing[@]}"; do
        if ! nvidia-smi mig -i 0 -cgi "$p" -C >/dev/null 2>&1; then
            k=$(n_gis) # no room where the driver looks: rebuild
            gone=$((gone + k))
            while read -r id p; do [ -z "$id" ] || destroy "$id"; done < <(gis)
            for name in $(wanted "$1"); do
                nvidia-smi mig -i 0 -cgi "${pid[$name]}" -C >/dev/null ||
                    { echo "churn.sh: first fit cannot rebuild: $1" >&2; exit 1; }
            done
            break
        fi
    done
    echo "$gone"
}

echo "| step | request (one H100) | migplan | first fit | full rebuild |"
echo "|---:|---|---:|---:|---:|"
tm=0 tf=0 tr=0 s=0
for st in "${steps[@]}"; do
    s=$((s + 1))
    m=$(run_migplan "$st") || exit 1
    f=$(run_firstfit "$st") || exit 1
    r=$(run_rebuild "$st") || exit 1
    tm=$((tm + m)) tf=$((tf + f)) tr=$((tr + r))
    echo "| $s | ${st//=/:} | $m | $f | $r |"
done
echo "| | **instances destroyed in all** | **$tm** | **$tf** | **$tr** |"
