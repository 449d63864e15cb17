# SPDX-License-Identifier: Apache-2.0
# ---- runtime: the same in every script migplan writes ----
# (src/script/script_runtime.sh in the migplan sources, embedded at build time;
# layout_data, pick_layout, required_gpus and offline_gpus follow as data)
# shellcheck disable=SC2154 # required_gpus and offline_gpus are data below
set -euo pipefail

dry_run=${DRY_RUN:-0}
offline=0     # 1: DRY_RUN without nvidia-smi, a preview
pending=''    # GPUs whose MIG mode waits for a reset
# What each GPU (by index) is and holds, read with few nvidia-smi calls
# (each takes a while on a busy node).
declare -a g_id=() g_mode=() g_uuid=() g_lay1=() g_lay0=() g_ngi=() g_nci=()
# layout_data of each picked layout, read once (pick_all).
declare -a ld=()

# @COMMON@
# Fill g_lay1 / g_lay0 (instances with and without start slots, in the
# form of the layouts below), g_ngi and g_nci from `nvidia-smi mig -lgi`
# and `-lci`, for GPU $1, or every GPU when $1 is empty.
read_instances() {
    local -a sel=()
    local idx l1 l0 ngi nci lgi
    [ -z "$1" ] || sel=(-i "$1")
    smi_read 1 mig "${sel[@]}" -lgi
    lgi=$smi_out
    smi_read 1 mig "${sel[@]}" -lci
    while IFS='|' read -r idx l1 l0 ngi nci; do
        g_lay1[idx]=$l1
        g_lay0[idx]=$l0
        g_ngi[idx]=$ngi
        g_nci[idx]=$nci
    done < <(printf '%s\n--\n%s\n' "$lgi" "$smi_out" | LC_ALL=C awk '
        function isort(v, n, num,   i, j, t) {
            for (i = 1; i < n; i++)
                for (j = i; j > 0 && (num ? v[j] + 0 < v[j - 1] + 0 : v[j] < v[j - 1]); j--) {
                    t = v[j]; v[j] = v[j - 1]; v[j - 1] = t
                }
        }
        function join(v, n, sep,   i, s) {
            s = ""
            for (i = 0; i < n; i++) s = s (i ? sep : "") v[i]
            return s
        }
        $0 == "--" { ci = 1; next }
        !ci && $1 == "|" && $3 == "MIG" {
            split($7, p, ":")
            key = $2 SUBSEP $6
            gpu[key] = $2
            s1[key] = $5 ":" $7
            s0[key] = $5 ":" p[2]
            if (!($2 in seen)) { seen[$2] = 1; order[ng++] = $2 }
        }
        ci && $1 == "|" && $4 == "MIG" { c[$2 SUBSEP $3] = c[$2 SUBSEP $3] " " $6; nci[$2]++ }
        END {
            for (g = 0; g < ng; g++) {
                id = order[g]
                n = 0
                for (key in gpu) {
                    if (gpu[key] != id) continue
                    m = split(c[key], a, " ")
                    for (i = 1; i <= m; i++) b[i - 1] = a[i]
                    isort(b, m, 1)
                    cis = join(b, m, ",")
                    l1[n] = s1[key] "=" cis
                    l0[n] = s0[key] "=" cis
                    n++
                }
                isort(l1, n, 0)
                isort(l0, n, 0)
                print id "|" join(l1, n, " ") "|" join(l0, n, " ") "|" n "|" (nci[id] + 0)
            }
        }')
}

# Read every GPU: IDs, MIG mode, UUID, instances.
read_state() {
    local idx id dev sub mode uuid
    g_id=() g_mode=() g_uuid=() g_lay1=() g_lay0=() g_ngi=() g_nci=()
    if [ "$offline" = 1 ]; then
        while read -r idx id; do
            [ -n "$idx" ] || continue
            g_id[idx]=$id g_mode[idx]=unknown g_uuid[idx]=''
            g_lay1[idx]='' g_lay0[idx]='' g_ngi[idx]=0 g_nci[idx]=0
        done <<<"$offline_gpus"
        return 0
    fi
    smi_read 0 --query-gpu=index,pci.device_id,pci.sub_device_id,mig.mode.current,uuid \
        --format=csv,noheader
    while IFS=, read -r idx dev sub mode uuid; do
        idx=${idx// /}
        [ -n "$idx" ] || continue
        norm_id dev "$dev"
        norm_id sub "$sub"
        g_id[idx]="$dev/$sub"
        g_mode[idx]=${mode// /}
        g_uuid[idx]=${uuid// /}
        g_lay1[idx]='' g_lay0[idx]='' g_ngi[idx]=0 g_nci[idx]=0
    done <<<"$smi_out"
    read_instances ''
}

# Read every GPU's MIG mode again (after -mig).
reread_modes() {
    local idx mode
    [ "$offline" = 1 ] && return 0
    smi_read 0 --query-gpu=index,mig.mode.current --format=csv,noheader
    while IFS=, read -r idx mode; do
        idx=${idx// /}
        [ -z "$idx" ] || g_mode[idx]=${mode// /}
    done <<<"$smi_out"
}

# Stop if compute processes run on any GPU in $1 (changing MIG would fail).
# One awk for all GPUs: a fork per GPU costs seconds on a busy node.
check_idle() {
    local uuid who idx
    local -A busy=()
    [ "$offline" = 1 ] && return 0
    smi_read 0 --query-compute-apps=gpu_uuid,pid,process_name --format=csv,noheader
    while IFS=$'\t' read -r uuid who; do
        [ -z "$uuid" ] || busy[$uuid]=$who
    done <<<"$(awk -F', ' '$1 != "" {
        w[$1] = w[$1] s[$1] $3 " (pid " $2 ")"; s[$1] = ", " }
        END { for (u in w) print u "\t" w[u] }' <<<"$smi_out")"
    for idx in $1; do
        [ -n "${g_uuid[idx]}" ] || continue
        who=${busy[${g_uuid[idx]}]:-}
        [ -z "$who" ] ||
            die "GPU $idx is in use by $who; stop these workloads first (and DCGM if it holds the GPU: systemctl stop nvidia-dcgm), then run this script again"
    done
}

# Each GPU's layout (pick[idx], from pick_layout) and each picked layout's
# data (ld[layout], from layout_data), in one subshell each rather than
# one per GPU: a fork costs a lot on a busy node.
pick_all() {
    local idx layout out
    out=$(for idx in "${!g_id[@]}"; do
        printf '%s ' "$idx"
        pick_layout "$idx" "${g_id[idx]}"
    done) || exit 1
    while read -r idx layout; do
        [ -z "$layout" ] || pick[idx]=$layout
    done <<<"$out"
    out=$(for layout in "${pick[@]}"; do
        printf '%s|' "$layout"
        layout_data "$layout"
    done) || exit 1
    while IFS= read -r layout; do
        [ -z "$layout" ] || ld[${layout%%|*}]=${layout#*|}
    done <<<"$out"
}

# Stop: GPU $1 has PCI ID $2, but rule $3 expects $4.
wrong_model() {
    local name
    name=$(nvidia-smi -i "$1" --query-gpu=name --format=csv,noheader 2>/dev/null || echo "a GPU")
    die "GPU $1 is $name ($2), but $3 expects $4; check the GPU indices (nvidia-smi -L) or make the script for this node"
}

# Remove every compute instance, then every GPU instance, of GPU $1.
clear_gpu() {
    local idx=$1
    if [ "$offline" = 1 ]; then
        run nvidia-smi mig -i "$idx" -dci
        run nvidia-smi mig -i "$idx" -dgi
        return 0
    fi
    if [ "${g_nci[idx]}" -gt 0 ]; then
        run nvidia-smi mig -i "$idx" -dci ||
            die "GPU $idx: cannot remove its compute instances (in use? stop the workloads and DCGM: systemctl stop nvidia-dcgm)"
    fi
    if [ "${g_ngi[idx]}" -gt 0 ]; then
        run nvidia-smi mig -i "$idx" -dgi ||
            die "GPU $idx: cannot remove its GPU instances (in use? stop the workloads and DCGM: systemctl stop nvidia-dcgm)"
    fi
}

# The ID of a GPU instance in the `nvidia-smi mig -lgi` listing $1 whose
# "PROFILE:START" ($3 = 1) or "PROFILE" ($3 = 0) is $2 and whose ID is not
# in the list $4.
gi_id() {
    printf '%s\n' "$1" |
        awk -v k="$2" -v ws="$3" -v used="$4" '
            $1 == "|" && $3 == "MIG" {
                split($7, p, ":")
                key = (ws == 1) ? $5 ":" p[1] : $5
                if (key == k && index(used, " " $6 " ") == 0) {
                    print $6; found = 1; exit
                }
            }
            END { exit !found }'
}

# Create compute instances in the GPU instances of GPU $1. $2 lists, per
# GPU instance, KEY=CI-PROFILE-IDS (empty: the default compute instance),
# KEY being PROFILE:START ($3 = 1) or PROFILE ($3 = 0).
create_cis() {
    local idx=$1 spec=$2 ws=$3 tok key cis id used=' ' lgi=''
    if [ "$dry_run" != 1 ]; then
        smi_read 1 mig -i "$idx" -lgi
        lgi=$smi_out
    fi
    for tok in $spec; do
        key=${tok%%=*}
        cis=${tok#*=}
        if [ "$dry_run" = 1 ]; then
            id="<ID of GPU instance $key>"
        else
            id=$(gi_id "$lgi" "$key" "$ws" "$used") ||
                die "GPU $idx: no GPU instance $key to hold compute instances"
            used="$used$id "
        fi
        if [ -n "$cis" ]; then
            run nvidia-smi mig -i "$idx" -gi "$id" -cci "$cis" ||
                die "GPU $idx: creating compute instances $cis in GPU instance $id failed"
        else
            run nvidia-smi mig -i "$idx" -gi "$id" -cci ||
                die "GPU $idx: creating the default compute instance in GPU instance $id failed"
        fi
    done
}

# Does GPU $1 differ from layout $2? (true: it needs changes)
needs_change() {
    local kind cgi cis target ws now
    [ "$offline" = 1 ] && return 0
    IFS='|' read -r kind cgi cis target ws <<<"${ld[$2]}"
    if [ "$kind" = off ]; then
        [ "${g_mode[$1]}" = Enabled ]
        return
    fi
    if [ "$ws" = 1 ]; then now=${g_lay1[$1]}; else now=${g_lay0[$1]}; fi
    [ "${g_mode[$1]}" != Enabled ] || [ "$now" != "$target" ]
}

# Turn MIG mode on for GPU $1 if it is off (the caller reads the modes
# again afterwards: Ampere GPUs may need a GPU reset before it applies).
enable_mig() {
    local idx=$1
    case ${g_mode[idx]} in
    Enabled) return 0 ;;
    Disabled | unknown) ;;
    *) die "GPU $idx: MIG mode reads '${g_mode[idx]}': this GPU does not support MIG, or runs in a display mode that excludes it" ;;
    esac
    run nvidia-smi -i "$idx" -mig 1 || die "GPU $idx: cannot enable MIG mode"
}

# Give GPU $1 layout $2 (checked afterwards by verify).
apply_layout() {
    local idx=$1 kind cgi cis target ws
    IFS='|' read -r kind cgi cis target ws <<<"${ld[$2]}"
    if [ "$kind" = off ]; then
        clear_gpu "$idx"
        run nvidia-smi -i "$idx" -mig 0 || die "GPU $idx: cannot disable MIG mode"
        return 0
    fi
    clear_gpu "$idx"
    if [ "$cis" = -C ]; then
        run nvidia-smi mig -i "$idx" -cgi "$cgi" -C ||
            die "GPU $idx: creating GPU instances $cgi failed (see above)"
    else
        run nvidia-smi mig -i "$idx" -cgi "$cgi" ||
            die "GPU $idx: creating GPU instances $cgi failed (see above)"
        create_cis "$idx" "$cis" "$ws"
    fi
}

# Read the GPUs again and compare each changed one ($1) with its layout.
verify() {
    local idx kind cgi cis target ws now bad=''
    reread_modes
    read_instances ''
    for idx in $1; do
        IFS='|' read -r kind cgi cis target ws <<<"${ld[${pick[idx]}]}"
        if [ "$kind" = off ]; then
            if [ "${g_mode[idx]}" = Enabled ]; then
                say "GPU $idx: MIG mode is still enabled (pending); reset the GPU (nvidia-smi -r -i $idx) or reboot" >&2
                bad="$bad $idx"
            else
                say "GPU $idx: MIG disabled"
            fi
            continue
        fi
        if [ "$ws" = 1 ]; then now=${g_lay1[idx]}; else now=${g_lay0[idx]}; fi
        if [ "${g_mode[idx]}" != Enabled ] || [ "$now" != "$target" ]; then
            say "GPU $idx: expected [$target], found [$now]" >&2
            bad="$bad $idx"
        else
            say "GPU $idx: layout ${pick[idx]} created and verified"
        fi
    done
    [ -z "$bad" ] || die "GPU${bad}: not as planned (above)"
}

main() {
    local idx kind change=''
    local -a pick=()
    offline_preview "a preview for the GPUs this script expects," \
        "as if each had MIG off or old instances to remove"
    [ "$offline" = 0 ] || [ -n "$offline_gpus" ] ||
        die "nothing to preview: this script picks its GPUs when it runs (devices: all); preview it on the node, or make it with --node FILE"
    read_state
    pick_all
    for idx in $required_gpus; do
        [ -n "${g_id[idx]:-}" ] ||
            die "GPU $idx: not found on this node, which has GPUs ${!g_id[*]}; this script expects GPUs $required_gpus"
    done
    for idx in "${!pick[@]}"; do
        if needs_change "$idx" "${pick[idx]}"; then
            change="$change $idx"
        else
            say "GPU $idx: already as wanted (layout ${pick[idx]}), nothing to do"
        fi
    done
    for idx in "${!g_id[@]}"; do
        [ -n "${pick[idx]:-}" ] || say "GPU $idx: no rule selects it, left as it is"
    done
    [ -n "$change" ] || { say "done: every GPU has its layout"; return 0; }
    # every check before the first change
    check_idle "$change"
    # MIG mode first, on every GPU that needs it, so that one GPU reset or
    # reboot covers all of them when the mode stays pending
    for idx in $change; do
        IFS='|' read -r kind _ <<<"${ld[${pick[idx]}]}"
        [ "$kind" != mig ] || enable_mig "$idx"
    done
    if [ "$dry_run" != 1 ]; then
        reread_modes
        for idx in $change; do
            IFS='|' read -r kind _ <<<"${ld[${pick[idx]}]}"
            [ "$kind" != mig ] || [ "${g_mode[idx]}" = Enabled ] || pending="$pending $idx"
        done
    fi
    if [ -n "$pending" ]; then
        pending=${pending# }
        die "MIG mode is pending on GPU ${pending// /, }; reset them (nvidia-smi -r -i ${pending// /,}) or reboot, then run this script again"
    fi
    for idx in $change; do
        apply_layout "$idx" "${pick[idx]}"
    done
    if [ "$dry_run" = 1 ]; then
        say "# dry run: nothing was changed"
        return 0
    fi
    verify "$change"
    say "done: every GPU has its layout"
}
