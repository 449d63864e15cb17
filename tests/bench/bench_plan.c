/* SPDX-License-Identifier: Apache-2.0 */
/* bench_plan.c - migplan's planner next to the greedy heuristics peers use.
 *
 *   bench_plan [--time-limit S] REQUEST.yaml...
 *
 * For each request: migplan's plan (GPUs, cost, proven optimal or not, the
 * lower bound, the median solve time over several runs and the peak of the
 * process so far), and two baselines implemented here from their published
 * descriptions, each checked with the geometry engine:
 *   - first fit: each replica, in request order, takes the smallest
 *     adequate profile at the first free placement of the first GPU that
 *     has one; a new GPU of the first fleet model that can hold it
 *     otherwise (what Kubernetes device plugins and HAMi do);
 *   - most-missing geometry: open GPUs one at a time and give each the
 *     valid geometry that supplies the most of the still-missing profiles,
 *     each replica asking for its smallest adequate profile by name (nos).
 * Whole-GPU tenants take a GPU each in both. Prints one tab-separated line
 * per request (see the header line).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "migplan/model/geometry.h"

#include "bench_util.h"
#include "migplan/solver/solver.h"
#include "migplan/readers/request_reader.h"

/* The smallest profile of m a tenant can use (least memory, then compute),
 * or -1. */
static int smallest(const mp_tenant *t, const mp_model *m)
{
    if (!mp_tenant_allows(t, m))
        return -1;
    int best = -1;
    for (int p = 0; p < m->n_profiles; p++) {
        const mp_gi_profile *q = &m->profiles[p];
        if (!mp_tenant_fits_profile(t, m, q, NULL, 0))
            continue;
        if (best < 0 || q->memory_slices < m->profiles[best].memory_slices ||
            (q->memory_slices == m->profiles[best].memory_slices &&
             q->compute_slices < m->profiles[best].compute_slices))
            best = p;
    }
    return best;
}

typedef struct bgpu {
    int fleet;
    bool whole;
    mp_layout l;
} bgpu;

typedef struct result {
    int gpus;
    double cost;
    bool ok;
} result;

/* Open a GPU of the first fleet entry with room for tenant t (whole or
 * with an adequate profile). */
static int open_gpu(const mp_request *r, const mp_tenant *t, int *used, bgpu *g,
                    int *ng)
{
    for (int i = 0; i < r->n_fleet; i++) {
        const mp_model *m = r->fleet[i].model;
        if (r->fleet[i].count >= 0 && used[i] >= r->fleet[i].count)
            continue;
        if (t->whole_gpu ? !(mp_tenant_allows(t, m) &&
                             mp_tenant_fits_whole(t, m, NULL, 0))
                         : smallest(t, m) < 0)
            continue;
        used[i]++;
        memset(&g[*ng], 0, sizeof(g[*ng]));
        g[*ng].fleet = i;
        g[*ng].whole = t->whole_gpu;
        g[*ng].l.model = m;
        return (*ng)++;
    }
    return -1;
}

static result finish(const mp_request *r, const bgpu *g, int ng, bool ok)
{
    result res = {ng, 0, ok};
    for (int k = 0; k < ng; k++) {
        res.cost += r->fleet[g[k].fleet].cost;
        mp_fit_result fr;
        if (!g[k].whole && g[k].l.n && mp_geom_validate(&g[k].l, &fr) != 0) {
            fprintf(stderr, "bench_plan: baseline made an invalid GPU: %s\n",
                    fr.reason);
            res.ok = false;
        }
    }
    return res;
}

/* Can profile p go at start s of GPU g, with every rule checked? */
static bool fits_at(const bgpu *g, int p, int s)
{
    mp_layout l = g->l;
    l.gi[l.n].profile = p;
    l.gi[l.n].start = s;
    l.n++;
    return mp_geom_validate(&l, NULL) == 0;
}

static result first_fit(const mp_request *r)
{
    int cap = (int)r->total_replicas + 1, ng = 0;
    bgpu *g = calloc((size_t)cap, sizeof(*g));
    int used[MP_MAX_FLEET] = {0};
    bool ok = g != NULL;
    for (int t = 0; ok && t < r->n_tenants; t++) {
        const mp_tenant *tn = &r->tenants[t];
        for (int k = 0; ok && k < tn->replicas; k++) {
            if (tn->whole_gpu) {
                ok = open_gpu(r, tn, used, g, &ng) >= 0;
                continue;
            }
            bool placed = false;
            for (int pass = 0; pass < 2 && !placed; pass++) {
                int from = 0;
                if (pass == 1) {
                    from = open_gpu(r, tn, used, g, &ng);
                    if (from < 0)
                        break;
                }
                for (int x = from; x < ng && !placed; x++) {
                    if (g[x].whole)
                        continue;
                    int p = smallest(tn, g[x].l.model);
                    if (p < 0)
                        continue;
                    const mp_gi_profile *q = &g[x].l.model->profiles[p];
                    for (int s = 0; s < q->n_placements && !placed; s++)
                        if (fits_at(&g[x], p, q->placements[s])) {
                            g[x].l.gi[g[x].l.n].profile = p;
                            g[x].l.gi[g[x].l.n].start = q->placements[s];
                            g[x].l.n++;
                            placed = true;
                        }
                }
            }
            ok = placed;
        }
    }
    result res = finish(r, g, ng, ok);
    free(g);
    return res;
}

typedef struct geoms {
    const mp_model *m;
    mp_geom_list list;
} geoms;

static result most_missing(const mp_request *r)
{
    int cap = (int)r->total_replicas + 1, ng = 0;
    bgpu *g = calloc((size_t)cap, sizeof(*g));
    int used[MP_MAX_FLEET] = {0};
    geoms gl[MP_MAX_FLEET];
    memset(gl, 0, sizeof(gl));
    for (int i = 0; i < r->n_fleet; i++) {
        gl[i].m = r->fleet[i].model;
        mp_geom_enumerate(gl[i].m, NULL, false, &gl[i].list);
    }
    /* pending replicas per tenant */
    int *left = malloc((size_t)(r->n_tenants + 1) * sizeof(int));
    bool ok = g && left;
    long long pending = 0;
    for (int t = 0; ok && t < r->n_tenants; t++) {
        left[t] = r->tenants[t].replicas;
        if (r->tenants[t].whole_gpu) {
            for (int k = 0; ok && k < left[t]; k++)
                ok = open_gpu(r, &r->tenants[t], used, g, &ng) >= 0;
            left[t] = 0;
        }
        pending += left[t];
    }
    while (ok && pending > 0) {
        /* the first pending tenant decides which model opens next */
        int first = 0;
        while (left[first] == 0)
            first++;
        int x = open_gpu(r, &r->tenants[first], used, g, &ng);
        if (x < 0) {
            ok = false;
            break;
        }
        int fi = g[x].fleet;
        const mp_model *m = gl[fi].m;
        /* missing count per profile (smallest adequate, by name) */
        long long want[MP_MAX_PROFILES] = {0};
        for (int t = 0; t < r->n_tenants; t++) {
            int p = left[t] ? smallest(&r->tenants[t], m) : -1;
            if (p >= 0)
                want[p] += left[t];
        }
        int best = -1;
        long long best_served = 0;
        for (int k = 0; k < gl[fi].list.n; k++) {
            long long served = 0;
            for (int p = 0; p < m->n_profiles; p++) {
                long long c = gl[fi].list.v[k].count[p];
                served += c < want[p] ? c : want[p];
            }
            if (served > best_served) {
                best_served = served;
                best = k;
            }
        }
        if (best < 0) {
            ok = false;
            break;
        }
        int cnt[MP_MAX_PROFILES];
        for (int p = 0; p < m->n_profiles; p++)
            cnt[p] = gl[fi].list.v[best].count[p];
        mp_geom_fit_counts(m, cnt, &g[x].l, NULL);
        /* hand the instances to pending replicas, in request order */
        for (int p = 0; p < m->n_profiles; p++) {
            int give = cnt[p];
            for (int t = 0; t < r->n_tenants && give > 0; t++) {
                if (!left[t] || smallest(&r->tenants[t], m) != p)
                    continue;
                int n = left[t] < give ? left[t] : give;
                left[t] -= n;
                give -= n;
                pending -= n;
            }
        }
    }
    result res = finish(r, g, ng, ok);
    for (int i = 0; i < r->n_fleet; i++)
        mp_geom_list_free(&gl[i].list);
    free(left);
    free(g);
    return res;
}

static long peak_kib(void)
{
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss;
}

int main(int argc, char **argv)
{
    mp_db *db;
    mp_diag d;
    if (mp_db_load(NULL, &db, &d) != 0) {
        fprintf(stderr, "%s\n", d.msg);
        return 1;
    }
    printf("file\tfeasible\tgpus\tcost\toptimal\tlower_bound\tsolve_ms_median"
           "\tsolve_ms_max\truns\tpeak_kib\tff_gpus\tff_cost\tnos_gpus"
           "\tnos_cost\n");
    int rc = 0, first = 1;
    double limit = 60;
    if (argc > 2 && strcmp(argv[1], "--time-limit") == 0) {
        limit = atof(argv[2]);
        first = 3;
    }
    for (int a = first; a < argc; a++) {
        mp_request r;
        if (mp_request_load(db, argv[a], NULL, &r, &d) != 0) {
            fprintf(stderr, "%s:%d:%d: %s\n", d.file[0] ? d.file : argv[a],
                    d.line, d.col, d.msg);
            rc = 1;
            continue;
        }
        /* several runs for small requests, one for fleets */
        int runs = r.total_replicas > 2000 ? 1 : r.total_replicas > 300 ? 3 : 9;
        double t[16];
        mp_plan p;
        memset(&p, 0, sizeof(p));
        mp_solve_opts o = {.time_limit = limit};
        for (int k = 0; k < runs; k++) {
            if (k)
                mp_plan_free(&p);
            double t0 = now_ms();
            if (mp_solve(db, &r, &o, &p, &d) != 0) {
                fprintf(stderr, "%s: %s\n", argv[a], d.msg);
                rc = 1;
                break;
            }
            t[k] = now_ms() - t0;
        }
        qsort(t, (size_t)runs, sizeof(double), cmp_double);
        result ff = first_fit(&r), nos = most_missing(&r);
        char ffc[32] = "-", nosc[32] = "-";
        if (ff.ok)
            snprintf(ffc, sizeof(ffc), "%d\t%.2f", ff.gpus, ff.cost);
        else
            snprintf(ffc, sizeof(ffc), "fail\t-");
        if (nos.ok)
            snprintf(nosc, sizeof(nosc), "%d\t%.2f", nos.gpus, nos.cost);
        else
            snprintf(nosc, sizeof(nosc), "fail\t-");
        printf("%s\t%s\t%d\t%.2f\t%s\t%.2f\t%.3f\t%.3f\t%d\t%ld\t%s\t%s\n",
               argv[a], p.feasible ? "yes" : "no", p.gpus_used, p.cost,
               p.optimal ? "yes" : "no", p.lower_bound, t[runs / 2],
               t[runs - 1], runs, peak_kib(), ffc, nosc);
        fflush(stdout);
        mp_plan_free(&p);
        mp_request_free(&r);
    }
    mp_db_free(db);
    return rc;
}
