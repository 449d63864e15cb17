/* SPDX-License-Identifier: Apache-2.0 */
/* explain.c - why a request has no plan, in words a person can act on: a
 * tenant no GPU of the fleet can serve (and the models that could), a
 * fleet too small (and how many GPUs it would take), or a time limit. */
#include "solver_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
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

/* A completion of the fleet: GPUs per fleet entry, and whether the search
 * that found it was stopped by a limit. */
typedef struct completion {
    bool found, timeout;
    int gpus[MP_MAX_FLEET];
    int total;
    double cost;
} completion;

/* "2 x h200-141gb + 1 x gb200-186gb" for the nonzero n[i], and with
 * costs ", cost 4". */
static void model_list(const sv_solver *s, const int *n, bool cost, char *out,
                       size_t sz, size_t *k)
{
    bool first = true;
    double total = 0;
    for (int i = 0; i < s->nitems; i++) {
        if (!n[i])
            continue;
        mp_catf(out, sz, k, "%s%d x %s", first ? "" : " + ", n[i],
                s->items[i].m->id);
        total += n[i] * s->items[i].cost;
        first = false;
    }
    if (cost)
        mp_catf(out, sz, k, ", cost %g", round(total * 1e6) / 1e6);
}

/* "the fleet is too small: this request needs at least 3 x h100-sxm5-80gb,
 * 3 GPUs; the fleet has 2 x ...; add at least 1 GPU", with the models to
 * add on mixed fleets. When the fewest GPUs to add (fewest) are not the
 * cheapest completion (cheap), both, each with what it costs. */
static void too_small(const sv_solver *s, const completion *cheap,
                      const completion *fewest, const int *have, char *reason,
                      size_t n)
{
    int cheap_add[MP_MAX_FLEET] = {0}, cheap_added = 0;
    for (int i = 0; i < s->nitems; i++) {
        cheap_add[i] = have[i] >= 0 && cheap->gpus[i] > have[i]
                           ? cheap->gpus[i] - have[i]
                           : 0;
        cheap_added += cheap_add[i];
    }
    bool differ = fewest->found &&
                  memcmp(cheap_add, fewest->gpus, sizeof(cheap_add)) != 0;
    size_t k = (size_t)snprintf(reason, n, "the fleet is too small: ");
    if (!differ) {
        mp_catf(reason, n, &k, "this request needs at least ");
        model_list(s, cheap->gpus, false, reason, n, &k);
        mp_catf(reason, n, &k, ", %d GPU%s%s; ", cheap->total,
                cheap->total == 1 ? "" : "s",
                cheap->timeout ? " (not proven minimal)" : "");
    }
    mp_catf(reason, n, &k, "the fleet has");
    bool first = true;
    for (int i = 0; i < s->nitems; i++) {
        if (have[i] < 0)
            continue;
        mp_catf(reason, n, &k, "%s %d x %s", first ? "" : " +", have[i],
                s->items[i].m->id);
        first = false;
    }
    const completion *add = fewest->found ? fewest : cheap;
    int added = fewest->found ? fewest->total : cheap_added;
    mp_catf(reason, n, &k, "; add at least %d GPU%s%s", added,
            added == 1 ? "" : "s", add->timeout ? " (not proven minimal)" : "");
    if (s->nitems > 1 || differ) {
        mp_catf(reason, n, &k, " (");
        model_list(s, fewest->found ? fewest->gpus : cheap_add, differ, reason,
                   n, &k);
        mp_catf(reason, n, &k, ")");
    }
    if (differ) {
        mp_catf(reason, n, &k, "; the cheapest completion adds %d GPU%s%s (",
                cheap_added, cheap_added == 1 ? "" : "s",
                cheap->timeout ? ", not proven cheapest" : "");
        model_list(s, cheap_add, true, reason, n, &k);
        mp_catf(reason, n, &k, ")");
    }
}

/* GPUs per fleet entry (of entries [from, from + n)) of c's plan. */
static void count_gpus(const mp_request *r, const sv_cand *c, int from, int n,
                       completion *out)
{
    for (int j = 0; j < c->md.nv; j++) {
        const sv_var *v = &c->md.v[j];
        if (sv_var_gpus(r, v) > 0 && v->item >= from && v->item < from + n) {
            int g = sv_var_gpus(r, v) * (int)llround(c->best[j]);
            out->gpus[v->item - from] += g;
            out->total += g;
        }
    }
    out->found = c->have;
    out->timeout = c->timeout;
    out->cost = c->best_obj;
}

/* The cheapest plan with every fleet entry unlimited. */
static int cheapest(sv_solver *s, completion *out)
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
    if (!rc && c.have)
        count_gpus(s->req, &c, 0, s->nitems, out);
    sv_cand_free(&c);
    return rc;
}

/* The fewest GPUs to add: every fleet entry twice, its own GPUs free and
 * as many as it has, then a copy of it, unlimited, at 1 a GPU. */
static int fewest(sv_solver *s, completion *out)
{
    int n = s->nitems;
    if (2 * n > MP_MAX_FLEET)
        return 0; /* out->found stays false */
    uint32_t *elig = malloc((size_t)(s->nclasses ? s->nclasses : 1) *
                            (size_t)n * sizeof(uint32_t));
    if (!elig)
        return MP_ENOMEM;
    sv_item saved[MP_MAX_FLEET];
    memcpy(saved, s->items, (size_t)n * sizeof(sv_item));
    double step = s->cost_step;
    for (int i = 0; i < n; i++) {
        s->items[n + i] = s->items[i];
        s->items[n + i].cost = 1;
        s->items[n + i].count = s->items[i].count < 0 ? 0 : -1;
        s->items[i].cost = 0;
    }
    for (int c = 0; c < s->nclasses; c++) {
        memcpy(elig + (size_t)c * (size_t)n, s->classes[c].elig + n,
               (size_t)n * sizeof(uint32_t));
        memcpy(s->classes[c].elig + n, s->classes[c].elig,
               (size_t)n * sizeof(uint32_t));
    }
    s->nitems = 2 * n;
    s->cost_step = 1;
    sv_cand cand;
    int rc = sv_candidate(s, -1, false, &cand);
    if (!rc && cand.have)
        count_gpus(s->req, &cand, n, n, out);
    sv_cand_free(&cand);
    s->nitems = n;
    s->cost_step = step;
    memcpy(s->items, saved, (size_t)n * sizeof(sv_item));
    for (int c = 0; c < s->nclasses; c++)
        memcpy(s->classes[c].elig + n, elig + (size_t)c * (size_t)n,
               (size_t)n * sizeof(uint32_t));
    free(elig);
    return rc;
}

/* How many GPUs, of which models, would make the request feasible. */
static int fleet_too_small(sv_solver *s, mp_plan *plan)
{
    completion cheap, few;
    memset(&cheap, 0, sizeof(cheap));
    memset(&few, 0, sizeof(few));
    /* fewest() splits each model into the GPUs the fleet has and added ones,
     * which one whole-gpu: N replica must not straddle (its GPUs are of one
     * fleet entry): with such tenants only the cheapest completion is
     * known, and "add at least" may overstate the fewest. */
    bool grouped = false;
    for (int t = 0; t < s->req->n_tenants; t++)
        grouped |= mp_tenant_gpus(&s->req->tenants[t]) > 1;
    int rc = cheapest(s, &cheap);
    if (!rc && cheap.found && !grouped)
        rc = fewest(s, &few);
    if (rc)
        return rc;
    int have[MP_MAX_FLEET];
    for (int i = 0; i < s->nitems; i++)
        have[i] = s->items[i].count;
    if (cheap.found)
        too_small(s, &cheap, &few, have, plan->reason, sizeof(plan->reason));
    else
        snprintf(plan->reason, sizeof(plan->reason),
                 "no plan exists: the tenants' needs cannot be met together on "
                 "these GPU models (check media, graphics and models "
                 "constraints)");
    return 0;
}

int sv_explain_no_plan(sv_solver *s, const sv_cand *c, mp_plan *plan)
{
    if (s->o->no_explain && !c->timeout) {
        snprintf(plan->reason, sizeof(plan->reason), "no plan");
        return 0;
    }
    if (!c->timeout)
        return fleet_too_small(s, plan);
    snprintf(plan->reason, sizeof(plan->reason),
             "no plan found within the time limit of %.1f s; raise "
             "--time-limit",
             s->o->time_limit > 0 ? s->o->time_limit : 5.0);
    return 0;
}
