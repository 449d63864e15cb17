/* SPDX-License-Identifier: Apache-2.0 */
/* explain.c - why a request has no plan, in words a person can act on: a
 * tenant no GPU of the fleet can serve (and the models that could), a
 * fleet too small (and how many GPUs it would take), or a time limit. */
#include "solver_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "migplan/util/buf.h"

/* Why tenant t (not whole-GPU) fits no profile of model m: the binding
 * constraint, judged by the profile with the most memory. */
static void why_no_profile(const mp_tenant *t, const mp_model *m, char *why,
                           size_t n)
{
    const mp_gi_profile *big = &m->profiles[0];
    for (int p = 1; p < m->n_profiles; p++)
        if (m->profiles[p].memory_mib > big->memory_mib)
            big = &m->profiles[p];
    if (big->memory_mib < t->memory_mib) {
        snprintf(why, n,
                 "needs %.2f GiB; the largest profile of %s has %.2f "
                 "GiB",
                 (double)t->memory_mib / 1024.0, m->id,
                 big->memory_mib / 1024.0);
        return;
    }
    for (int p = 0; p < m->n_profiles; p++) {
        char w[240];
        if (mp_tenant_fits_profile(t, m, &m->profiles[p], w, sizeof(w)))
            continue;
        snprintf(why, n, "on %s: %.240s", m->id, w);
        if (m->profiles[p].memory_mib >= t->memory_mib &&
            m->profiles[p].compute_slices >= t->compute)
            break; /* the first that is big enough */
    }
}

static bool in_fleet(const sv_solver *s, const mp_model *m)
{
    for (int j = 0; j < s->nitems; j++)
        if (s->items[j].m == m)
            return true;
    return false;
}

/* The database models not in the fleet with a profile that meets t's
 * needs (whatever its models list says), smallest GPU memory first (ties
 * in database order): up to three names in out. */
static void larger_models(const sv_solver *s, const mp_tenant *t, char *out,
                          size_t n)
{
    int count = s->db ? mp_db_count(s->db) : 0, chosen[3];
    size_t k = 0;
    out[0] = '\0';
    for (int q = 0; q < 3; q++) {
        chosen[q] = -1;
        for (int i = 0; i < count; i++) {
            const mp_model *m = mp_db_model(s->db, i);
            bool taken = false;
            for (int e = 0; e < q; e++)
                taken |= chosen[e] == i;
            if (taken || in_fleet(s, m) || !mp_tenant_fits_model(t, m))
                continue;
            if (chosen[q] < 0 ||
                m->memory_mib < mp_db_model(s->db, chosen[q])->memory_mib)
                chosen[q] = i;
        }
        if (chosen[q] < 0)
            break;
        mp_catf(out, n, &k, "%s%s", q ? ", " : "",
                mp_db_model(s->db, chosen[q])->id);
    }
}

/* What would serve t: a whole GPU of the fleet, or larger models. */
static void suggest(const sv_solver *s, const mp_tenant *t, char *out, size_t n,
                    size_t k)
{
    bool whole_ok = false;
    for (int i = 0; i < s->nitems; i++)
        whole_ok |= mp_tenant_allows(t, s->items[i].m) &&
                    mp_tenant_fits_whole(t, s->items[i].m, NULL, 0);
    char bigger[200];
    larger_models(s, t, bigger, sizeof(bigger));
    if (whole_ok && bigger[0])
        snprintf(out + k, n - k, "; use whole-gpu or a larger model (%s)",
                 bigger);
    else if (whole_ok)
        snprintf(out + k, n - k, "; use whole-gpu");
    else if (bigger[0])
        snprintf(out + k, n - k, "; use a larger model (%s)", bigger);
}

/* Why tenant t fits no GPU of the fleet, and what would. */
static void explain_tenant(const sv_solver *s, const mp_tenant *t, char *out,
                           size_t n)
{
    size_t k = (size_t)snprintf(out, n,
                                "tenant %s (line %d) cannot be "
                                "placed: ",
                                t->name, t->line);
    int shown = 0;
    for (int i = 0; i < s->nitems && k < n; i++) {
        const mp_model *m = s->items[i].m;
        char why[300] = "";
        if (!mp_tenant_allows(t, m)) {
            if (t->n_models == 0)
                continue;
            snprintf(why, sizeof(why), "its models list excludes %s", m->id);
        } else if (t->whole_gpu) {
            mp_tenant_fits_whole(t, m, why, sizeof(why));
        } else {
            why_no_profile(t, m, why, sizeof(why));
        }
        mp_catf(out, n, &k, "%s%s", shown ? "; " : "", why);
        shown++;
    }
    if (!shown && k < n)
        mp_catf(out, n, &k, "no GPU of the fleet is in its models list");
    if (!t->whole_gpu && k < n)
        suggest(s, t, out, n, k);
}

bool sv_explain_unplaceable(const sv_solver *s, mp_plan *plan)
{
    const mp_request *r = s->req;
    for (int t = 0; t < r->n_tenants; t++) {
        const mp_tenant *tn = &r->tenants[t];
        bool any = false;
        for (int i = 0; i < s->nitems && !any; i++)
            any = mp_tenant_placeable(tn, s->items[i].m);
        if (!any) {
            explain_tenant(s, tn, plan->reason, sizeof(plan->reason));
            return true;
        }
    }
    return false;
}

/* "needs at least 3 x h100-sxm5-80gb, 3 GPUs; the fleet has 2 x ...". */
static void too_small(const sv_solver *s, const int *need, const int *have,
                      bool timeout, char *reason, size_t n)
{
    int have_total = 0, need_total = 0;
    size_t k = (size_t)snprintf(reason, n,
                                "the fleet is too small: this request "
                                "needs at least");
    bool first = true;
    for (int i = 0; i < s->nitems; i++) {
        need_total += need[i];
        if (have[i] >= 0)
            have_total += have[i];
        if (!need[i])
            continue;
        mp_catf(reason, n, &k, "%s %d x %s", first ? "" : " +", need[i],
                s->items[i].m->id);
        first = false;
    }
    mp_catf(reason, n, &k, ", %d GPU%s%s", need_total,
            need_total == 1 ? "" : "s", timeout ? " (not proven minimal)" : "");
    mp_catf(reason, n, &k, "; the fleet has");
    first = true;
    for (int i = 0; i < s->nitems; i++) {
        if (have[i] < 0)
            continue;
        mp_catf(reason, n, &k, "%s %d x %s", first ? "" : " +", have[i],
                s->items[i].m->id);
        first = false;
    }
    if (have_total < need_total && k < n)
        snprintf(reason + k, n - k, "; add at least %d GPU%s",
                 need_total - have_total,
                 need_total - have_total == 1 ? "" : "s");
    else if (k < n)
        snprintf(reason + k, n - k,
                 "; enough GPUs in all, but not of the models the tenants "
                 "need: add GPUs of the models above");
}

/* Solve again with unlimited fleet entries: how many would it take? */
static int fleet_too_small(sv_solver *s, mp_plan *plan)
{
    int saved[MP_MAX_FLEET];
    for (int i = 0; i < s->nitems; i++) {
        saved[i] = s->items[i].count;
        s->items[i].count = -1;
    }
    sv_cand c;
    int rc = sv_candidate(s, -1, false, &c);
    for (int i = 0; i < s->nitems; i++)
        s->items[i].count = saved[i];
    if (!rc && c.have) {
        int need[MP_MAX_FLEET] = {0};
        for (int j = 0; j < c.md.nv; j++)
            need[c.md.v[j].item] +=
                sv_var_gpus(s->req, &c.md.v[j]) * (int)llround(c.best[j]);
        too_small(s, need, saved, c.timeout, plan->reason,
                  sizeof(plan->reason));
    } else if (!rc) {
        snprintf(plan->reason, sizeof(plan->reason),
                 "no plan exists: the tenants' needs cannot be met together on "
                 "these GPU models (check media, graphics and models "
                 "constraints)");
    }
    sv_cand_free(&c);
    return rc;
}

int sv_explain_no_plan(sv_solver *s, const sv_cand *c, mp_plan *plan)
{
    if (!c->timeout)
        return fleet_too_small(s, plan);
    snprintf(plan->reason, sizeof(plan->reason),
             "no plan found within the time limit of %.1f s; raise "
             "--time-limit",
             s->o->time_limit > 0 ? s->o->time_limit : 5.0);
    return 0;
}
