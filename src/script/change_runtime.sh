# SPDX-License-Identifier: Apache-2.0
# ---- runtime: the same in every change script migplan writes ----
# (src/script/change_runtime.sh in the migplan sources, embedded at build time;
# gpu_data and change_gpus follow as data)
# shellcheck disable=SC2154 # change_gpus is data below
set -euo pipefail
# Each nvidia-smi query runs once for the whole node and is parsed once; the
# work per GPU runs in this shell, without a subshell, pipe or command
# (results come back in r_* variables), so a node of 64 GPUs previews in
# about the time of one.

dry_run=${DRY_RUN:-0}
offline=0 # 1: DRY_RUN without nvidia-smi, a preview of the plan as made
# What the node holds now, read once: per GPU its PCI device ID, MIG mode
# and GPU instances (sorted "ID:PROFILE:START" words); per "GPU:GI" its
# compute instances and the processes in it ("GPU:N/A": on a GPU with MIG
# disabled, the whole GPU).
declare -A g_dev=() g_mode=() g_gis=() g_nci=() g_proc=()
# The fields of the GPU being looked at (gpu_fields); f_mode and f_want:
# its MIG mode when planned and the one planned (Enabled or Disabled);
# f_mig: what the change does to it (enable, disable or keep).
f_model='' f_devices='' f_mode='' f_want='' f_mig='' f_from='' f_target=''
f_keep='' f_destroy='' f_create='' f_names=''
g_row='' # gpu_data's answer
# Results of the helpers below (set, not printed: no subshell).
r_sorted='' r_ids='' r_name='' r_inst='' r_desc='' r_prof='' r_status='' r_why=''

# @COMMON@
# r_sorted: the words of $1 sorted as C strings (as `LC_ALL=C sort`),
# one space apart; an insertion sort, as a GPU holds a few words.
sorted() {
    local LC_ALL=C IFS=' ' w i j
    local -a v=()
    read -ra v <<<"$1"
    for ((i = 1; i < ${#v[@]}; i++)); do
        w=${v[i]}
        for ((j = i; j > 0; j--)); do
            [[ ${v[j - 1]} > "$w" ]] || break
            v[j]=${v[j - 1]}
        done
        v[j]=$w
    done
    r_sorted="${v[*]}"
}

# Read the node: PCI IDs, MIG modes, GPU and compute instances, and the
# Processes table of the plain nvidia-smi view (its GI ID column says
# which GPU instance each process runs in).
read_node() {
    local idx dev mode words key n
    g_dev=() g_mode=() g_gis=() g_nci=() g_proc=()
    if [ "$offline" = 1 ]; then
        for idx in $change_gpus; do
            gpu_fields "$idx"
            g_dev[$idx]=${f_devices%% *}
            g_mode[$idx]=$f_mode
            g_gis[$idx]=$f_from
        done
        return 0
    fi
    smi_read 0 --query-gpu=index,pci.device_id,mig.mode.current --format=csv,noheader
    while IFS=, read -r idx dev mode; do
        idx=${idx// /}
        [ -n "$idx" ] || continue
        norm_id "g_dev[$idx]" "$dev"
        g_mode[$idx]=${mode// /}
        g_gis[$idx]=''
    done <<<"$smi_out"
    smi_read 1 mig -lgi
    # each GPU's words sorted here, as `LC_ALL=C sort` would
    while read -r idx words; do
        [ -z "$idx" ] || g_gis[$idx]=$words
    done < <(LC_ALL=C awk '$1 == "|" && $3 == "MIG" {
            split($7, p, ":"); w[$2, ++n[$2]] = $6 ":" $5 ":" p[1] }
        END {
            for (g in n) {
                for (i = 2; i <= n[g]; i++) {
                    t = w[g, i]
                    for (j = i - 1; j >= 1 && w[g, j] > t; j--)
                        w[g, j + 1] = w[g, j]
                    w[g, j + 1] = t
                }
                s = w[g, 1]
                for (i = 2; i <= n[g]; i++) s = s " " w[g, i]
                print g, s
            }
        }' <<<"$smi_out")
    smi_read 1 mig -lci
    while read -r key n; do
        [ -z "$key" ] || g_nci[$key]=$n
    done < <(LC_ALL=C awk '$1 == "|" && $4 == "MIG" { n[$2 ":" $3]++ }
        END { for (k in n) print k, n[k] }' <<<"$smi_out")
    smi_read 0
    while read -r key words; do
        [ -z "$key" ] || g_proc[$key]="${g_proc[$key]:+${g_proc[$key]}, }$words"
    done < <(LC_ALL=C awk '/Processes:/ { p = 1; next }
        p && $1 == "|" && $2 ~ /^[0-9]+$/ && ($3 ~ /^[0-9]+$/ || $3 == "N/A") &&
        NF >= 9 {
            name = $7
            for (i = 8; i <= NF - 2; i++) name = name " " $i
            print $2 ":" $3, name " (pid " $5 ")" }' <<<"$smi_out")
}

# r_ids: the words "ID:PROFILE:START" of $2, those whose ID was not known
# when planned ("?": a state read from a plan or a mig-parted export) with
# the ID of the GPU instance GPU $1 holds at PROFILE:START now.
with_ids() {
    local w n
    r_ids=''
    for w in $2; do
        if [ "${w%%:*}" = '?' ]; then
            for n in ${g_gis[$1]:-}; do
                [ "${n#*:}" != "${w#*:}" ] || w=$n
            done
        fi
        r_ids="$r_ids${r_ids:+ }$w"
    done
}

# Set the f_* fields from GPU $1's data.
gpu_fields() {
    gpu_data "$1"
    IFS='|' read -r f_model f_devices f_mode f_want f_from f_target f_keep \
        f_destroy f_create f_names <<<"$g_row"
    case $f_mode$f_want in
    DisabledEnabled) f_mig=enable ;;
    EnabledDisabled) f_mig=disable ;;
    *) f_mig=keep ;;
    esac
    if [[ "$f_from" == *'?:'* ]]; then
        with_ids "$1" "$f_from"
        sorted "$r_ids"
        f_from=$r_sorted
        with_ids "$1" "$f_keep"
        f_keep=$r_ids
        with_ids "$1" "$f_destroy"
        f_destroy=$r_ids
    fi
}

# r_name: the name of profile ID $1 on the GPU looked at (f_names).
profile_name() {
    local w
    r_name="profile $1"
    for w in $f_names; do
        [ "${w%%=*}" != "$1" ] || r_name=${w#*=}
    done
}

# r_inst: "2g.20gb@0" for the word "ID:PROFILE:START" $1.
instance() {
    local rest=${1#*:}
    profile_name "${rest%%:*}"
    r_inst="$r_name@${rest#*:}"
}

# r_desc: "GI 3 (2g.20gb@0)" for the word "ID:PROFILE:START" $1.
describe() {
    instance "$1"
    r_desc="GI ${1%%:*} ($r_inst)"
}

# r_prof: the "PROFILE:START" words of the GPU instances in $1, sorted.
profiles_of() {
    local w out=''
    for w in $1; do out="$out ${w#*:}"; done
    sorted "$out"
    r_prof=$r_sorted
}

# Is GPU $1 part-way through its change (a run that stopped)? MIG on, the
# instances kept still there, and every other instance either one the
# change destroys or one it creates (a PROFILE:START of f_create). A GPU
# that stays MIG-disabled has no way part-way.
part_way() {
    local now=${g_gis[$1]:-} w spec made
    [ "${g_mode[$1]:-}" = Enabled ] && [ "$f_mode$f_want" != DisabledDisabled ] ||
        return 1
    for w in $f_keep; do [[ " $now " == *" $w "* ]] || return 1; done
    for w in $now; do
        [[ " $f_from " != *" $w "* ]] || continue
        made=0
        for spec in $f_create; do
            [ "${w#*:}" != "${spec%%=*}" ] || made=1
        done
        [ "$made" = 1 ] || return 1
    done
}

# GPU $1 part-way changed: f_destroy and f_create become what is left.
# MIG is on already; an instance the stopped run created without its
# compute instances is destroyed and made again.
remaining() {
    local idx=$1 now=${g_gis[$1]:-} w spec destroy='' create='' made
    [ "$f_mig" != enable ] || f_mig=keep
    for w in $f_destroy; do
        [[ " $now " != *" $w "* ]] || destroy="$destroy $w"
    done
    for w in $now; do
        [[ " $f_from " != *" $w "* ]] || continue
        [ "${g_nci[$idx:${w%%:*}]:-0}" -gt 0 ] || destroy="$destroy $w"
    done
    for spec in $f_create; do
        made=0
        for w in $now; do
            [ "${w#*:}" != "${spec%%=*}" ] || [[ " $destroy " == *" $w "* ]] ||
                made=1
        done
        [ "$made" = 1 ] || create="$create $spec"
    done
    f_destroy=${destroy# } f_create=${create# }
}

# gpu_fields, and for a GPU part-way changed ($partial) what is left.
fields() {
    gpu_fields "$1"
    [[ " $partial " != *" $1 "* ]] || remaining "$1"
}

# r_status: where GPU $1 stands: "planned" (as when planned), "changed"
# (changed as planned), "partial" (part-way: a run stopped) or "differs";
# r_why: what differs, one line each (each ends in a newline).
gpu_status() {
    local idx=$1 now=${g_gis[$1]:-} w mode=${g_mode[$1]:-}
    local keep_ok=1
    for w in $f_keep; do [[ " $now " == *" $w "* ]] || keep_ok=0; done
    # every instance but those kept holds one compute instance, as made:
    # an instance destroyed for its compute instances and made again at
    # its slot may get its old ID back, and then only this tells the
    # changed GPU from the one planned from
    for w in $now; do
        [[ " $f_keep " == *" $w "* ]] || [ "${g_nci[$idx:${w%%:*}]:-0}" = 1 ] ||
            keep_ok=0
    done
    local done_=0
    r_why=''
    if [ "$f_want" = Disabled ]; then
        [ "$mode" != Disabled ] || done_=1
    elif [ "$mode" = Enabled ] && [ "$keep_ok" = 1 ]; then
        profiles_of "$now"
        [ "$r_prof" != "$f_target" ] || done_=1
    fi
    if [ "$mode" = "$f_mode" ] && [ "$now" = "$f_from" ] &&
        { [ -z "$f_destroy" ] || [ "$done_" = 0 ]; }; then
        r_status=planned
        return 0
    fi
    if [ "$done_" = 1 ]; then
        r_status=changed
        return 0
    fi
    if part_way "$idx"; then
        r_status=partial
        return 0
    fi
    r_status=differs
    [ "$mode" = "$f_mode" ] ||
        r_why+="GPU $idx: MIG mode is $mode; it was $f_mode when planned"$'\n'
    for w in $f_from; do
        [[ " $now " != *" $w "* ]] || continue
        describe "$w"
        r_why+="GPU $idx: $r_desc is gone"$'\n'
    done
    for w in $now; do
        [[ " $f_from " != *" $w "* ]] || continue
        describe "$w"
        r_why+="GPU $idx: $r_desc is new"$'\n'
    done
}

# Add to $block the instances in use that GPU $1's change would destroy,
# one line each.
blockers() {
    local idx=$1 w key
    for w in $f_destroy; do
        key="$idx:${w%%:*}"
        [ -n "${g_proc[$key]:-}" ] || continue
        describe "$w"
        block+="GPU $idx: $r_desc is in use by ${g_proc[$key]}; this change destroys it"$'\n'
    done
    if [ "$f_mig" != keep ]; then
        for key in "${!g_proc[@]}"; do
            [ "${key%%:*}" != "$idx" ] ||
                block+="GPU $idx: MIG mode must change, but ${g_proc[$key]} runs on it"$'\n'
        done
    fi
}

# The ID of the GPU instance "PROFILE:START" $2 on GPU $1, read now.
new_gi_id() {
    smi_read 1 mig -i "$1" -lgi
    LC_ALL=C awk -v k="$2" '$1 == "|" && $3 == "MIG" {
            split($7, p, ":"); if ($5 ":" p[1] == k) { print $6; found = 1; exit } }
        END { exit !found }' <<<"$smi_out"
}

# MIG mode on, first, on every GPU of $1 whose change needs it, so that one
# GPU reset or reboot covers all of them when the mode stays pending (an
# A100 may need one; from Hopper on enabling needs no reset: mig-facts.md
# 7.1, and the "pending enable state" transcripts). Nothing else is changed
# while any stays pending; the next run goes on from there.
enable_mig_all() {
    local idx mode pending='' enabled=''
    local -A now=()
    for idx in $1; do
        fields "$idx"
        [ "$f_mig" = enable ] || continue
        run nvidia-smi -i "$idx" -mig 1 || die "GPU $idx: cannot enable MIG mode"
        enabled="$enabled $idx"
    done
    [ "$dry_run" != 1 ] && [ -n "$enabled" ] || return 0
    # the modes of every GPU in one read
    smi_read 0 --query-gpu=index,mig.mode.current --format=csv,noheader
    while IFS=, read -r idx mode; do
        idx=${idx// /}
        [ -z "$idx" ] || now[$idx]=${mode// /}
    done <<<"$smi_out"
    for idx in $enabled; do
        [ "${now[$idx]:-}" = Enabled ] || pending="$pending $idx"
    done
    if [ -n "$pending" ]; then
        pending=${pending# }
        die "MIG mode is pending on GPU ${pending// /, }; reset them (nvidia-smi -r -i ${pending// /,}) or reboot, then run this script again"
    fi
}

# Carry out GPU $1's change: destroy by GI ID, then create at start slots
# (MIG mode on first: enable_mig_all).
change_gpu() {
    local idx=$1 w id spec ps cis
    for w in $f_destroy; do
        id=${w%%:*}
        # an ID the state did not give, previewed offline (else with_ids
        # found it on the node)
        if [ "$id" = '?' ]; then
            instance "$w"
            id="<ID of the GPU instance $r_inst on the node>"
        fi
        describe "$w"
        if [ "$offline" = 1 ] || [ "${g_nci[$idx:$id]:-0}" -gt 0 ]; then
            run nvidia-smi mig -dci -i "$idx" -gi "$id" ||
                die "GPU $idx: cannot destroy the compute instances of $r_desc"
        fi
        run nvidia-smi mig -dgi -i "$idx" -gi "$id" ||
            die "GPU $idx: cannot destroy $r_desc"
    done
    for spec in $f_create; do
        ps=${spec%%=*}
        cis=${spec#*=}
        if [ -z "$cis" ]; then
            run nvidia-smi mig -i "$idx" -cgi "$ps" -C ||
                die "GPU $idx: creating GPU instance $ps failed (see above)"
            continue
        fi
        run nvidia-smi mig -i "$idx" -cgi "$ps" ||
            die "GPU $idx: creating GPU instance $ps failed (see above)"
        id="<ID of the new GPU instance $ps>"
        [ "$dry_run" = 1 ] || id=$(new_gi_id "$idx" "$ps") ||
            die "GPU $idx: the new GPU instance $ps is not listed"
        run nvidia-smi mig -i "$idx" -gi "$id" -cci "$cis" ||
            die "GPU $idx: creating compute instances $cis in GPU instance $id failed"
    done
    if [ "$f_mig" = disable ]; then
        run nvidia-smi -i "$idx" -mig 0 || die "GPU $idx: cannot disable MIG mode"
    fi
}

# "GPU 1 (MODEL): keep GI 1 (3g.40gb@4); destroy ...; create 1g.10gb@3".
summary() {
    local w keep='' destroy='' create='' mig=''
    for w in $f_keep; do
        describe "$w"
        keep="$keep${keep:+, }$r_desc"
    done
    for w in $f_destroy; do
        describe "$w"
        destroy="$destroy${destroy:+, }$r_desc"
    done
    for w in $f_create; do
        w=${w%%=*}
        profile_name "${w%%:*}"
        create="$create${create:+, }$r_name@${w#*:}"
    done
    [ "$f_mig" = keep ] || mig="; MIG mode: $f_mig"
    printf 'GPU %s (%s): keep %s; destroy %s; create %s%s\n' "$1" "$f_model" \
        "${keep:-nothing}" "${destroy:-nothing}" "${create:-nothing}" "$mig"
}

partial='' # GPUs part-way changed by a run that stopped
main() {
    local idx differ='' block='' todo='' noop=''
    offline_preview "a preview of the change as planned; the" \
        "node's state and the instances in use are not checked"
    read_node
    for idx in $change_gpus; do
        gpu_fields "$idx"
        if [ -z "${g_dev[$idx]:-}" ]; then
            differ="${differ}GPU $idx: not found on this node"$'\n'
            continue
        fi
        if [[ " $f_devices " != *" ${g_dev[$idx]} "* ]]; then
            differ="${differ}GPU $idx: PCI device ${g_dev[$idx]}, not a $f_model ($f_devices)"$'\n'
            continue
        fi
        gpu_status "$idx"
        case $r_status in
        planned)
            if [ -z "$f_destroy$f_create" ] && [ "$f_mig" = keep ]; then
                noop="$noop $idx" # it holds its target already
            else
                todo="$todo $idx"
            fi
            ;;
        changed) ;;
        partial)
            todo="$todo $idx"
            partial="$partial $idx"
            ;;
        *) differ+=$r_why ;;
        esac
    done
    if [ -n "$differ" ]; then
        printf '%s' "$differ" >&2
        die "the node is not in the state this change was planned from (above); nothing was changed; read the node again (nvidia-smi mig -lgi) and plan anew"
    fi
    for idx in "${!g_dev[@]}"; do
        [[ " $change_gpus " == *" $idx "* ]] || say "GPU $idx: not in this change, left as it is"
    done
    for idx in $change_gpus; do
        if [[ " $noop " == *" $idx "* ]]; then
            say "GPU $idx: keeps what it holds, nothing to do"
        elif [[ " $partial " == *" $idx "* ]]; then
            say "GPU $idx: part-way changed (a run stopped), the rest follows"
        elif [[ " $todo " != *" $idx "* ]]; then
            say "GPU $idx: already changed as planned, nothing to do"
        fi
    done
    [ -n "$todo" ] || { say "done: the node is as planned"; return 0; }
    for idx in $todo; do
        fields "$idx"
        blockers "$idx"
    done
    if [ "$dry_run" = 1 ]; then
        enable_mig_all "$todo"
        for idx in $todo; do
            fields "$idx"
            summary "$idx"
            change_gpu "$idx"
        done
        if [ -n "$block" ]; then
            say "# blockers: the change cannot run while these instances are in use:"
            printf '%s' "$block"
            die "blocked (above): stop those workloads, or plan again from the node as it is now"
        fi
        say "# dry run: nothing was changed"
        return 0
    fi
    if [ -n "$block" ]; then
        printf '%s' "$block" >&2
        die "blocked (above): nothing was changed; stop those workloads, or plan again from the node as it is now"
    fi
    enable_mig_all "$todo"
    for idx in $todo; do
        fields "$idx"
        summary "$idx"
        change_gpu "$idx"
    done
    read_node
    for idx in $todo; do
        gpu_fields "$idx"
        gpu_status "$idx"
        if [ "$r_status" != changed ]; then
            printf '%s' "${r_why:-GPU $idx: $r_status$'\n'}" >&2
            die "GPU $idx: not as planned after the change (above)"
        fi
        say "GPU $idx: changed and verified"
    done
    say "done: the node is as planned"
}
