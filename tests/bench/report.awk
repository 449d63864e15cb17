# SPDX-License-Identifier: Apache-2.0
# report.awk - the benchmark table from bench_plan's TSV (the input),
# the instance classes (-v classes=FILE) and the ILP results (-v ilp=FILE).
# Used by run-bench.sh.

function median(v, n,   i, j, t) {
    for (i = 2; i <= n; i++)
        for (j = i; j > 1 && v[j] < v[j - 1]; j--) {
            t = v[j]; v[j] = v[j - 1]; v[j - 1] = t
        }
    if (n == 0) return 0
    return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
}

BEGIN {
    FS = "\t"
    while ((getline line < classes) > 0) {
        split(line, a, " ")
        cls[a[2]] = a[1]
    }
    while ((getline line < ilp) > 0) {
        split(line, a, "\t")
        if (a[1] == "file") continue
        cli_ms[a[1]] = a[2]
        if (a[3] == "optimal") { ilp_obj[a[1]] = a[4]; ilp_ms[a[1]] = a[5] }
        else if (a[6] == "optimal") { ilp_obj[a[1]] = a[7] }
        else if (a[3] == "infeasible" || a[6] == "infeasible") ilp_obj[a[1]] = "infeasible"
        cbc_ms[a[1]] = a[5]
        cbc_ok[a[1]] = a[3] == "optimal" || a[3] == "infeasible"
    }
    order["node"] = 1; order["rack"] = 2; order["rack-cost"] = 3; order["mix-cost"] = 4
    order["fleet"] = 5; order["fleet1"] = 6; order["tricky"] = 7
    label["node"] = "node (8 GPUs, 5-30 tenants)"
    label["rack"] = "rack (64 GPUs, 2 models, 200 tenants)"
    label["rack-cost"] = "rack with costs (the same requests, priced)"
    label["mix-cost"] = "mix with costs (2-4 models of 8 GPUs, up to 25 tenants)"
    label["fleet"] = "fleet (10,000 replicas, 4 models, costs)"
    label["fleet1"] = "fleet, no costs (fewest GPUs)"
    label["tricky"] = "hand-made tricky cases"
}

NR == 1 { next }

{
    f = $1; c = cls[f]
    n[c]++
    feasible = $2 == "yes"
    cost = $4 + 0
    if (feasible) { mp_cost[c] += cost; mp_gpus[c] += $3 }
    if ($5 == "yes") proven[c]++
    if (feasible) gap[c] += cost - $6
    t[c, n[c]] = $7 + 0
    if ($7 + 0 > worst[c]) worst[c] = $7 + 0
    # the ILP
    if (f in ilp_obj) {
        ilp_n[c]++
        if (ilp_obj[f] == "infeasible") {
            if (!feasible) ilp_match[c]++
        } else {
            ilp_sum[c] += ilp_obj[f]
            if (feasible && (cost - ilp_obj[f] < 1e-6 && ilp_obj[f] - cost < 1e-6)) ilp_match[c]++
        }
    }
    if ((f in cbc_ms) && cbc_ok[f] && (f in cli_ms)) {
        rn[c]++
        r_cli[c, rn[c]] = cbc_ms[f] / cli_ms[f]
        r_solve[c, rn[c]] = cbc_ms[f] / ($7 + 0.0001)
    }
    # baselines
    if ($11 == "fail") ff_fail[c]++
    else if (feasible) { ff_cost[c] += $12; if ($12 > cost + 1e-6) { ff_worse[c]++; ff_extra[c] += $12 - cost } }
    if ($13 == "fail") nos_fail[c]++
    else if (feasible) { nos_cost[c] += $14; if ($14 > cost + 1e-6) { nos_worse[c]++; nos_extra[c] += $14 - cost } }
}

END {
    print "| class | n | migplan: GPUs (cost) | proven optimal | = ILP optimum | first fit: worse on (+cost) | most-missing: worse on (+cost) | solve median / worst | CBC time / migplan (CLI, median) | CBC time / migplan solve (median) |"
    print "|---|---|---|---|---|---|---|---|---|---|"
    for (k = 1; k <= 7; k++) {
        for (c in order) if (order[c] == k) break
        if (!(c in n)) continue
        m = n[c]
        for (i = 1; i <= m; i++) v[i] = t[c, i]
        med = median(v, m)
        costs = mp_cost[c] != mp_gpus[c] ? sprintf("%d (%.1f)", mp_gpus[c], mp_cost[c]) : sprintf("%d", mp_gpus[c])
        ilps = ilp_n[c] ? sprintf("%d of %d", ilp_match[c], ilp_n[c]) : "n/a (too big for the ILP)"
        ffs = sprintf("%d of %d (+%g)%s", ff_worse[c], m, ff_extra[c], ff_fail[c] ? sprintf(", %d failed", ff_fail[c]) : "")
        noss = sprintf("%d of %d (+%g)%s", nos_worse[c], m, nos_extra[c], nos_fail[c] ? sprintf(", %d failed", nos_fail[c]) : "")
        if (rn[c]) {
            for (i = 1; i <= rn[c]; i++) w[i] = r_cli[c, i]
            rc = sprintf("%.0fx", median(w, rn[c]))
            for (i = 1; i <= rn[c]; i++) w[i] = r_solve[c, i]
            rs = sprintf("%.0fx", median(w, rn[c]))
        } else { rc = "n/a"; rs = "n/a" }
        pr = sprintf("%d of %d", proven[c], m)
        if (proven[c] < m) pr = pr sprintf(" (gap %.1f in all)", gap[c])
        printf "| %s | %d | %s | %s | %s | %s | %s | %.2f / %.2f ms | %s | %s |\n", label[c], m, costs, pr, ilps, ffs, noss, med, worst[c], rc, rs
    }
}
