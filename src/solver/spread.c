/* SPDX-License-Identifier: Apache-2.0 */
/* spread.c - among optimal plans, spread tenants over distinct GPUs.
 *
 * Tenant by tenant, the smallest per-GPU cap the optimum allows: the
 * tenant gets a class of its own, capped, and the cap is bisected between
 * what its replicas need at least and what the plan has now, each step a
 * feasibility search with the cost held at the optimum. The plan is then
 * rebuilt from the last feasible candidate, and kept only if it is no
 * worse. The cap stays on the tenant's class for the tenants after it.
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
    int rc = sv_plan_build(s, c, &next);
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
 * candidate of the smallest feasible cap found, if below hi. */
static int bisect(sv_solver *s, int t, int lo, int hi, double best_cost,
                  sv_cand *best)
{
    sv_class *cl = &s->classes[s->class_of[t]];
    int rc = 0;
    while (lo < hi && sv_now() < s->deadline) {
        int mid = (lo + hi) / 2;
        sv_cand c;
        cl->cap = mid;
        rc = sv_candidate(s, best_cost, true, &c);
        if (rc || !c.have) {
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
    cl->cap = hi;
    return rc;
}

/* Spread tenant t of plan as far as cost best_cost allows. */
static int spread_tenant(sv_solver *s, int t, double best_cost, mp_plan *plan)
{
    const mp_tenant *tn = &s->req->tenants[t];
    int cur = mp_plan_max_per_gpu(plan, t);
    int lo = (tn->replicas + plan->gpus_used - 1) / plan->gpus_used;
    if (!s->integral_costs)
        lo = 1;
    if (cur <= lo)
        return 0;
    int rc = sv_class_split(s, t, cur);
    if (rc)
        return rc;
    sv_cand best;
    memset(&best, 0, sizeof(best));
    rc = bisect(s, t, lo, cur, best_cost, &best);
    if (!rc && best.have)
        rc = adopt(s, &best, t, cur, best_cost, plan);
    sv_cand_free(&best);
    return rc;
}

int sv_spread(sv_solver *s, mp_plan *plan, double best_cost)
{
    const mp_request *r = s->req;
    int rc = 0;
    for (int t = 0; t < r->n_tenants && !rc; t++) {
        const mp_tenant *tn = &r->tenants[t];
        if (!tn->spread || tn->whole_gpu || tn->replicas < 2 ||
            sv_now() > s->deadline)
            continue;
        rc = spread_tenant(s, t, best_cost, plan);
    }
    /* too many classes to give one more tenant its own: spread no more */
    return rc == MP_ELIMIT ? 0 : rc;
}
