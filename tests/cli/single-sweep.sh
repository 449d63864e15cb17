#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# single-sweep.sh MIGPLAN [CASES] [SEED] - random node requests of the kind
# that hit the plan's safety net (fresh7 N0b): every pool `strategy:
# single`, a whole-GPU tenant beside MIG tenants, nodes given states with
# instances in use, --allow-disruption most of the time. Each must plan
# (exit 0) or be refused with a reason (exit 1), never with a choice of
# nodes discarded ("please report it"), an internal error or a crash; and
# in each plan, every GPU of an all-disabled node serves a whole-GPU
# replica or is emptied (MIG disabled, its instances listed to destroy),
# never left holding instances the node's label would wipe unsaid.
# The cases are drawn from bash's RANDOM with a fixed seed: the same every
# run.
set -uo pipefail

migplan=${1:?usage: $0 MIGPLAN [CASES] [SEED]}
cases=${2:-30}
RANDOM=${3:-835}
tmp=$(mktemp -d)
# shellcheck disable=SC2064 # $tmp is fixed now
trap "rm -rf '$tmp'" EXIT
fails=0

fail() {
    printf 'FAIL %s\n' "$*" >&2
    fails=$((fails + 1))
}

# H100 GPU instance profiles: name, profile ID, size in slices, starts.
profiles=('1g.10gb 19 1 0123456' '1g.10gb+me 20 1 0123456'
    '1g.20gb 15 2 0246' '2g.20gb 14 2 024' '3g.40gb 9 4 04'
    '4g.40gb 5 4 0' '7g.80gb 0 8 0')
names=(x llm web embed)

rule='+---------------------------------------------------------+'

# A random `nvidia-smi mig -lgi` and Processes table of a node of $1 GPUs
# into $2 (no file when no GPU got an instance).
state() {
    local gpus=$1 out=$2 g try p id size starts s k free gi me lines='' procs=''
    for ((g = 0; g < gpus; g++)); do
        ((RANDOM % 10 < 3)) && continue
        free=255 gi=1 me=0
        for ((try = RANDOM % 4 + 1; try > 0; try--)); do
            read -r p id size starts <<<"${profiles[RANDOM % ${#profiles[@]}]}"
            s=${starts:RANDOM%${#starts}:1}
            k=$((((1 << size) - 1) << s))
            (((free & k) == k)) || continue
            [ "$p" != 1g.10gb+me ] || ((me++ == 0)) || continue
            free=$((free & ~k))
            lines+=$(printf '|%4d  MIG %-11s%9d%9d%13s     |' "$g" "$p" "$id" "$gi" "$s:$size")$'\n'"$rule"$'\n'
            ((RANDOM % 10 < 4)) &&
                procs+=$(printf '|  %3d  %3d  %3d  %9d      C   %-40s %11s |' "$g" "$gi" 0 $((1000 + gi)) "${names[RANDOM % ${#names[@]}]}" 3000MiB)$'\n'
            gi=$((gi + 1))
        done
    done
    [ -n "$lines" ] || return 0
    {
        printf '%s\n' "$rule" '| GPU instances:                                          |' \
            '| GPU   Name               Profile  Instance   Placement  |' \
            '|                            ID       ID       Start:Size |' \
            '|=========================================================|'
        printf '%s' "$lines"
        if [ -n "$procs" ]; then
            printf '+%s+\n' "$(printf -- '-%.0s' {1..89})"
            printf '| Processes:                                                                              |\n'
            printf '|  GPU   GI   CI        PID   Type   Process name                              GPU Memory |\n'
            printf '|        ID   ID                                                               Usage      |\n'
            printf '|=========================================================================================|\n'
            printf '%s' "$procs"
            printf '+%s+\n' "$(printf -- '-%.0s' {1..89})"
        fi
    } >"$out"
}

plans=0 refused=0
for ((c = 0; c < cases; c++)); do
    d=$tmp/c$c
    mkdir "$d"
    cur=()
    {
        echo 'nodes:'
        npools=$((RANDOM % 3 + 1))
        for ((i = 0; i < npools; i++)); do
            gpus=$((RANDOM % 4 + 1)) count=$((RANDOM % 3 + 1))
            cost=''
            ((RANDOM % 10 < 3)) && cost=", cost: $((RANDOM % 3 + 1)).$((RANDOM % 10))"
            echo "  - {pool: p$i, model: h100, gpus: $gpus, count: $count, strategy: single$cost}"
            for ((k = 1; k <= count; k++)); do
                node=$(printf 'p%d-%02d' "$i" "$k")
                ((RANDOM % 2)) || continue
                state "$gpus" "$d/$node.txt"
                [ ! -e "$d/$node.txt" ] || cur+=(--current "$node=$d/$node.txt")
            done
        done
        echo 'tenants:'
        echo "  - {name: llm, whole-gpu: true, replicas: $((RANDOM % 2 + 1))}"
        for ((t = RANDOM % 3; t > 0; t--)); do
            mem=(4 8 18 30 35)
            echo "  - {name: ${names[t + 1]}, memory: ${mem[RANDOM % 5]}GiB, replicas: $((RANDOM % 4 + 1))}"
        done
    } >"$d/r.yaml"
    flags=()
    ((RANDOM % 10 < 8 && ${#cur[@]} > 0)) && flags+=(--allow-disruption)
    args=(plan "$d/r.yaml" "${cur[@]}" "${flags[@]}" --format json --time-limit 1 -v)
    "$migplan" "${args[@]}" >"$d/plan.json" 2>"$d/err"
    rc=$?
    what="case $c (migplan ${args[*]}; r.yaml: $(tr '\n' ' ' <"$d/r.yaml"))"
    case $rc in
    0) plans=$((plans + 1)) ;;
    1) refused=$((refused + 1)) ;;
    *) fail "$what: exit status $rc: $(cat "$d/err")" ;;
    esac
    grep -q 'choices of nodes discarded\|internal error\|Sanitizer\|runtime error' "$d/err" &&
        fail "$what: $(cat "$d/err")"
    grep -q 'please report' "$d/plan.json" "$d/err" && fail "$what: $(cat "$d/plan.json")"
    if [ "$rc" != 0 ] || [ ${#cur[@]} -eq 0 ]; then continue; fi
    # planned from states, every GPU of a used all-disabled node: a
    # whole-GPU replica, or emptied with MIG disabled and no instance
    bad=$(jq -r '(.nodes | map(select(.used and .config == "all-disabled") | .name)) as $off
        | .gpus[] | select(.node as $n | $off | index($n))
        | select((.mig_enabled or (.tenant == null and .emptied != true))
                 or (.emptied == true and (.used or (.instances | length) > 0)))
        | "\(.node) GPU \(.node_index)"' "$d/plan.json") ||
        fail "$what: jq failed"
    [ -z "$bad" ] || fail "$what: not whole nor emptied on an all-disabled node: $bad"
done
echo "$cases cases: $plans plans, $refused refused"
[ "$plans" -gt 0 ] || fail "no case planned: the sweep tests nothing"
exit $((fails > 0))
