# SPDX-License-Identifier: Apache-2.0
# curve.awk - the scaling table from run-bench.sh's curve.tsv (the input):
# one row per size, fewest GPUs next to with costs. -v cap=S is the
# per-case cap in seconds.

function mb(kib) { return kib == "-" ? "-" : sprintf("%.0f MB", kib / 1024) }

function secs(s) { return s < 10 ? sprintf("%.2f s", s) : sprintf("%.1f s", s) }

function result(v, n,   st) {
    st = status[v, n]
    if (st == "proven") return v == "unit" ? sprintf("proven, %d GPUs", gpus[v, n]) : sprintf("proven, cost %s", cost[v, n])
    if (st == "gap") return sprintf("gap %s (%s, bound %s)", gap[v, n], v == "unit" ? gpus[v, n] " GPUs" : "cost " cost[v, n], bound[v, n])
    if (st == "timeout") return sprintf("no plan within %d s", cap)
    return st
}

function cbc(v, n,   st) {
    st = cbc_status[v, n]
    if (st == "optimal") return sprintf("%s (optimal %g)", secs(cbc_s[v, n]), cbc_obj[v, n] + 0)
    if (st == "infeasible") return sprintf("%s (infeasible)", secs(cbc_s[v, n]))
    if (st == "stopped" || st == "killed") return sprintf("not solved in %d s", cap)
    if (st == "skipped") return "not run (unsolved at a smaller size)"
    return st
}

BEGIN { FS = "\t" }
NR == 1 { next }
{
    v = $1; n = $2
    if (!(n in seen)) { seen[n] = 1; order[++k] = n }
    wall[v, n] = $3; kib[v, n] = $4; status[v, n] = $5; gpus[v, n] = $6
    cost[v, n] = $7; bound[v, n] = $8; gap[v, n] = $9
    cbc_status[v, n] = $10; cbc_obj[v, n] = $11; cbc_s[v, n] = $12
}
END {
    print "| replicas | fewest GPUs: time | peak memory | result | CBC | with costs: time | peak memory | result | CBC |"
    print "|---:|---:|---:|---|---|---:|---:|---|---|"
    for (i = 1; i <= k; i++) {
        n = order[i]
        printf "| %d |", n
        split("unit cost", vs, " ")
        for (j = 1; j <= 2; j++) {
            v = vs[j]
            if ((v, n) in wall)
                printf " %s | %s | %s | %s |", secs(wall[v, n]), mb(kib[v, n]), result(v, n), cbc(v, n)
            else
                printf " - | - | - | - |"
        }
        printf "\n"
    }
}
