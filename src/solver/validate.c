/* SPDX-License-Identifier: Apache-2.0 */
/* validate.c - check a plan independently of how it was found: every GPU's
 * layout valid (geometry engine), every replica served exactly once by an
 * instance (or whole GPU) the tenant module says may serve it, fleet
 * counts respected, the cost adding up. */
#include "solver_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* A MIG-enabled GPU: a valid layout, each instance serving a tenant that
 * may use it. got[t] counts replicas served. */
static int check_mig(const mp_plan *p, const mp_plan_gpu *g, int *got,
                     char *why, size_t n)
{
    const mp_request *r = p->req;
    char reason[512];
    if (mp_gpu_layout_validate(&g->layout, reason, sizeof(reason)) != 0) {
        snprintf(why, n, "GPU %d: %s", g->index, reason);
        return MP_EINTERNAL;
    }
    const mp_layout *l = &g->layout.gis;
    for (int q = 0; q < l->n; q++) {
        int t = g->tenant[q];
        if (t < 0 && r->n_pools &&
            r->pools[g->fleet].strategy == MP_STRATEGY_SINGLE)
            continue; /* free instances of a single node stay schedulable */
        if (t < 0 && sv_current_keeps(p, g, q))
            continue; /* kept from the current state, serving nobody */
        if (t < 0 || t >= r->n_tenants) {
            snprintf(why, n, "GPU %d has an instance with no tenant", g->index);
            return MP_EINTERNAL;
        }
        const mp_tenant *tn = &r->tenants[t];
        if (!mp_tenant_takes_profile(tn, l->model, l->gi[q].profile)) {
            snprintf(why, n, "GPU %d gives %s a profile it cannot use",
                     g->index, tn->name);
            return MP_EINTERNAL;
        }
        got[t]++;
    }
    return 0;
}

/* A used GPU of its fleet entry's model: whole for one tenant that may
 * have it, or MIG-enabled. */
static int check_gpu(const mp_plan *p, const mp_plan_gpu *g, int *got,
                     char *why, size_t n)
{
    const mp_request *r = p->req;
    const mp_model *m = r->fleet[g->fleet].model;
    if (g->layout.gis.model != m) {
        snprintf(why, n, "GPU %d is not a %s like its fleet entry", g->index,
                 m->id);
        return MP_EINTERNAL;
    }
    if (g->layout.mig_enabled)
        return check_mig(p, g, got, why, n);
    if (g->whole_tenant < 0 || g->whole_tenant >= r->n_tenants ||
        g->layout.gis.n) {
        snprintf(why, n, "GPU %d is MIG-disabled without one tenant", g->index);
        return MP_EINTERNAL;
    }
    const mp_tenant *t = &r->tenants[g->whole_tenant];
    if (!mp_tenant_takes_whole(t, m)) {
        snprintf(why, n, "GPU %d does not suit %s", g->index, t->name);
        return MP_EINTERNAL;
    }
    got[g->whole_tenant]++;
    return 0;
}

/* An unused GPU: emptied exactly where a plan from node states makes a
 * node of a single pool all-disabled (the GPUs serving nothing there:
 * MIG disabled, no instance, their changes carried out), nowhere else. */
static int check_unused(const mp_plan *p, const mp_plan_gpu *g, char *why,
                        size_t n)
{
    const mp_plan_node *nd = p->nodes && g->node >= 0 && g->node < p->n_nodes
                                 ? &p->nodes[g->node]
                                 : NULL;
    bool all_disabled = nd && p->current && nd->used && nd->profile < 0 &&
                        p->req->pools[nd->pool].strategy == MP_STRATEGY_SINGLE;
    if (g->emptied && !all_disabled) {
        snprintf(why, n, "GPU %d is emptied, but not on an all-disabled node",
                 g->index);
        return MP_EINTERNAL;
    }
    if (g->emptied &&
        (g->layout.mig_enabled || g->layout.gis.n || g->whole_tenant >= 0)) {
        snprintf(why, n, "GPU %d is emptied, but holds something", g->index);
        return MP_EINTERNAL;
    }
    if (!g->emptied && all_disabled) {
        snprintf(why, n,
                 "GPU %d of an all-disabled node serves nothing and is not "
                 "emptied (its change would go unsaid)",
                 g->index);
        return MP_EINTERNAL;
    }
    return 0;
}

/* Replicas served, GPUs used per fleet entry, and the cost. */
static int check_totals(const mp_plan *p, const int *got, const int *used,
                        double cost, char *why, size_t n)
{
    const mp_request *r = p->req;
    for (int t = 0; t < r->n_tenants; t++)
        if (got[t] != r->tenants[t].replicas * mp_tenant_gpus(&r->tenants[t])) {
            snprintf(why, n, "tenant %s has %d of %d replicas%s",
                     r->tenants[t].name, got[t],
                     r->tenants[t].replicas * mp_tenant_gpus(&r->tenants[t]),
                     mp_tenant_gpus(&r->tenants[t]) > 1 ? " (as GPUs)" : "");
            return MP_EINTERNAL;
        }
    for (int i = 0; i < r->n_fleet; i++)
        if (r->fleet[i].count >= 0 && used[i] > r->fleet[i].count) {
            snprintf(why, n, "%d GPUs of %s used, the fleet has %d", used[i],
                     r->fleet[i].model->id, r->fleet[i].count);
            return MP_EINTERNAL;
        }
    if (r->n_pools)
        return sv_nodes_validate(p, why, n);
    if (fabs(cost - p->cost) > 1e-6) {
        snprintf(why, n, "cost %.3f does not add up to %.3f", p->cost, cost);
        return MP_EINTERNAL;
    }
    return 0;
}

/* Each replica of a whole-gpu: N tenant t has N GPUs of one fleet entry. */
static int check_whole_group(const mp_plan *p, int t, char *why, size_t n)
{
    const mp_tenant *tn = &p->req->tenants[t];
    int *fleet = malloc((size_t)tn->replicas * 2 * sizeof(int));
    if (!fleet) {
        snprintf(why, n, "out of memory");
        return MP_ENOMEM;
    }
    int *cnt = fleet + tn->replicas, rc = 0;
    for (int i = 0; i < tn->replicas; i++)
        fleet[i] = -1, cnt[i] = 0;
    for (int k = 0; k < p->n_gpus && !rc; k++) {
        const mp_plan_gpu *g = &p->gpus[k];
        int rep = g->whole_replica;
        if (!g->used || g->whole_tenant != t)
            continue;
        if (rep < 0 || rep >= tn->replicas ||
            (fleet[rep] >= 0 && fleet[rep] != g->fleet)) {
            snprintf(why, n,
                     "GPU %d: replica %d of %s is not on GPUs of one "
                     "model",
                     g->index, rep, tn->name);
            rc = MP_EINTERNAL;
        } else {
            fleet[rep] = g->fleet;
            cnt[rep]++;
        }
    }
    for (int i = 0; i < tn->replicas && !rc; i++)
        if (cnt[i] != mp_tenant_gpus(tn)) {
            snprintf(why, n, "replica %d of %s has %d GPUs, not %d", i,
                     tn->name, cnt[i], mp_tenant_gpus(tn));
            rc = MP_EINTERNAL;
        }
    free(fleet);
    return rc;
}

int mp_plan_validate(const mp_plan *p, char *why, size_t n)
{
    const mp_request *r = p->req;
    int *got = calloc((size_t)(r->n_tenants ? r->n_tenants : 1), sizeof(int));
    int used[MP_MAX_FLEET] = {0};
    double cost = 0;
    if (!got) {
        snprintf(why, n, "out of memory");
        return MP_ENOMEM;
    }
    int rc = 0;
    for (int k = 0; k < p->n_gpus && !rc; k++) {
        const mp_plan_gpu *g = &p->gpus[k];
        if (!g->used) {
            rc = check_unused(p, g, why, n);
            continue;
        }
        used[g->fleet]++;
        cost += r->fleet[g->fleet].cost;
        rc = check_gpu(p, g, got, why, n);
    }
    if (!rc)
        rc = check_totals(p, got, used, cost, why, n);
    for (int t = 0; t < r->n_tenants && !rc; t++)
        if (r->tenants[t].whole_gpu && mp_tenant_gpus(&r->tenants[t]) > 1)
            rc = check_whole_group(p, t, why, n);
    free(got);
    return rc;
}
