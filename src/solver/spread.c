/* SPDX-License-Identifier: Apache-2.0 */
/* spread.c - among optimal plans, spread tenants over distinct GPUs.
 *
 * Tenant by tenant in request order, the smallest per-GPU cap the optimum
 * allows: the tenant gets a class of its own, capped, and the cap is
 * bisected between what its replicas need at least (over as many GPUs as
 * the optimal cost can buy) and what the plan has now, each step a
 * feasibility search with the cost held at the optimum. The plan is then
 * rebuilt from the last feasible candidate (capped replicas are handed to
 * GPUs exactly, assign.c), and kept only if it is no worse. The cap stays
 * on the tenant's class for the tenants after it, also when the tenant was
 * spread as far as it can be from the start. A time limit that stops the
 * bisection short is recorded in the plan (spread_cut), never taken for
 * infeasibility.
 */
#include "solver_internal.h"

#include <string.h>

/* The plan of c replaces plan's GPUs if it keeps tenant t within cur per
 * GPU and the cost within best_cost; otherwise plan stays. */
static int adopt(sv_solver *s, const sv_cand *c, int t, int cur,
                 double best_cost, mp_plan *plan)
{
    mp_plan next = *plan;
    next.gpus = NULL;
    next.n_gpus = 0;
    s->tidy_cut = false;
    int rc = sv_plan_build(s, c, &next);
    next.tidy_cut = s->tidy_cut;
    if (rc == MP_ENOMEM) {
        mp_plan_free(&next);
        return rc;
    }
    if (rc || mp_plan_max_per_gpu(&next, t) > cur ||
        next.cost > best_cost + 1e-6) {
        mp_plan_free(&next); /* not better: keep the previous plan */
        return 0;
    }
    mp_plan_free(plan);
    *plan = next;
    return 0;
}

/* Bisect tenant t's cap in [lo, hi) (hi is feasible); *best gets the
 * candidate of the smallest feasible cap found, if below hi. A search
 * that stops at a limit without a plan proves nothing: the cap is not
 * taken as infeasible then, only as not found, and *cut says so. */
static int bisect(sv_solver *s, int t, int lo, int hi, double best_cost,
                  sv_cand *best, bool *cut)
{
    sv_class *cl = &s->classes[s->class_of[t]];
    int rc = 0;
    while (lo < hi && sv_now() < s->deadline) {
        int mid = (lo + hi) / 2;
        sv_cand c;
        cl->cap = mid;
        rc = sv_candidate(s, best_cost, true, &c);
        if (rc || !c.have) {
            *cut |= !rc && c.timeout;
            sv_cand_free(&c);
            if (rc)
                break;
            lo = mid + 1;
            continue;
        }
        sv_cand_free(best);
        *best = c; /* best owns it now */
        hi = mid;
    }
    *cut |= lo < hi;
    cl->cap = hi;
    return rc;
}

/* Most GPUs a plan of cost at most budget can use (-1: no bound). */
static int affordable_gpus(const sv_solver *s, double budget)
{
    bool taken[MP_MAX_FLEET] = {false};
    long long n = 0;
    for (int step = 0; step < s->nitems; step++) {
        int i = -1; /* the cheapest entry not taken yet */
        for (int k = 0; k < s->nitems; k++)
            if (!taken[k] && (i < 0 || s->items[k].cost < s->items[i].cost))
                i = k;
        taken[i] = true;
        const sv_item *it = &s->items[i];
        if (it->cost <= 0)
            return it->count < 0 ? -1 : (int)(n += it->count);
        long long fit = (long long)((budget + 1e-6) / it->cost);
        if (it->count >= 0 && fit > it->count)
            fit = it->count;
        n += fit;
        budget -= (double)fit * it->cost;
    }
    return n > 1 << 30 ? -1 : (int)n;
}

/* Spread tenant t of plan as far as cost best_cost allows. The tenant
 * keeps a class of its own capped at what it got, so that later tenants'
 * searches cannot undo it. */
static int spread_tenant(sv_solver *s, int t, double best_cost, mp_plan *plan)
{
    const mp_tenant *tn = &s->req->tenants[t];
    int cur = mp_plan_max_per_gpu(plan, t);
    /* plans at the same cost may use more GPUs than this one (cheaper
     * models instead of dearer ones): bound by what the cost buys */
    int most = affordable_gpus(s, best_cost);
    int lo = most > 0 ? (tn->replicas + most - 1) / most : 1;
    int rc = sv_class_split(s, t, cur);
    if (rc || cur <= lo)
        return rc;
    sv_cand best;
    memset(&best, 0, sizeof(best));
    bool cut = false;
    rc = bisect(s, t, lo, cur, best_cost, &best, &cut);
    if (!rc && best.have)
        rc = adopt(s, &best, t, cur, best_cost, plan);
    plan->spread_cut |= cut;
    sv_cand_free(&best);
    return rc;
}

int sv_spread(sv_solver *s, mp_plan *plan, double best_cost)
{
    const mp_request *r = s->req;
    int rc = 0;
    for (int t = 0; t < r->n_tenants && !rc; t++) {
        const mp_tenant *tn = &r->tenants[t];
        if (!tn->spread || tn->whole_gpu || tn->replicas < 2)
            continue;
        if (sv_now() > s->deadline) {
            plan->spread_cut = true;
            break;
        }
        rc = spread_tenant(s, t, best_cost, plan);
    }
    /* too many classes to give one more tenant its own: spread no more */
    if (rc == MP_ELIMIT)
        plan->spread_cut = true;
    return rc == MP_ELIMIT ? 0 : rc;
}
