/* SPDX-License-Identifier: Apache-2.0 */
/* classes.c - the solver's view of the request: one item per fleet entry
 * with the maximal geometries over the profiles some tenant can use, and
 * tenant classes (tenants with equal profile masks on every fleet entry,
 * whose replicas are interchangeable). Masks come from the tenant module. */
#include "solver_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static long long gcd_ll(long long a, long long b)
{
    while (b) {
        long long t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* Plan costs are sums of fleet costs, so they lie on a lattice: its step
 * when the costs have few decimals, else 0. */
static double cost_lattice(const sv_solver *s)
{
    for (double scale = 1; scale <= 1e6; scale *= 10) {
        long long g = 0;
        bool ok = true;
        for (int i = 0; i < s->nitems && ok; i++) {
            double v = s->items[i].cost * scale;
            ok = fabs(v - llround(v)) < 1e-6 && v < 1e12;
            if (ok)
                g = gcd_ll(g, llround(v));
        }
        if (ok && g > 0)
            return (double)g / scale;
    }
    return 0;
}

static int class_add(sv_solver *s, int c, int t)
{
    sv_class *cl = &s->classes[c];
    int *nt = realloc(cl->tenants, (size_t)(cl->ntenants + 1) * sizeof(int));
    if (!nt)
        return MP_ENOMEM;
    cl->tenants = nt;
    cl->tenants[cl->ntenants++] = t;
    cl->demand += s->req->tenants[t].replicas;
    s->class_of[t] = c;
    return 0;
}

static int group_tenants(sv_solver *s)
{
    const mp_request *r = s->req;
    uint32_t(*elig)[MP_MAX_FLEET] =
        malloc((size_t)(r->n_tenants ? r->n_tenants : 1) * sizeof(*elig));
    if (!elig)
        return MP_ENOMEM;
    int nc = mp_request_classes(r, s->class_of, elig, SV_MAX_CLASSES);
    for (int c = 0; c < nc; c++) {
        memcpy(s->classes[c].elig, elig[c], sizeof(*elig));
        s->classes[c].capped_tenant = -1;
    }
    free(elig);
    if (nc < 0)
        return MP_ELIMIT;
    s->nclasses = nc;
    for (int t = 0; t < r->n_tenants; t++) {
        int c = s->class_of[t];
        if (c < 0)
            continue;
        int rc = class_add(s, c, t);
        if (rc)
            return rc;
        for (int i = 0; i < s->nitems; i++)
            for (int p = 0; p < s->items[i].m->n_profiles; p++)
                if (s->classes[c].elig[i] & (1u << p))
                    s->items[i].useful[p] = true;
    }
    return 0;
}

int sv_classes_setup(sv_solver *s)
{
    const mp_request *r = s->req;
    s->nitems = r->n_fleet;
    s->integral_costs = true;
    for (int i = 0; i < r->n_fleet; i++) {
        sv_item *it = &s->items[i];
        it->m = r->fleet[i].model;
        it->fleet = i;
        it->count = r->fleet[i].count;
        it->cost = r->fleet[i].cost;
        s->integral_costs &= it->cost == floor(it->cost);
    }
    s->cost_step = cost_lattice(s);
    s->class_of =
        malloc((size_t)(r->n_tenants ? r->n_tenants : 1) * sizeof(int));
    s->classes = calloc(SV_MAX_CLASSES, sizeof(sv_class));
    if (!s->class_of || !s->classes)
        return MP_ENOMEM;
    int rc = group_tenants(s);
    for (int i = 0; i < s->nitems && !rc; i++) {
        bool any = false;
        for (int p = 0; p < s->items[i].m->n_profiles; p++)
            any |= s->items[i].useful[p];
        if (any && mp_geom_enumerate(s->items[i].m, s->items[i].useful, true,
                                     &s->items[i].geoms) != 0)
            rc = MP_ENOMEM;
    }
    return rc;
}

void sv_classes_free(sv_solver *s)
{
    for (int i = 0; i < s->nitems; i++)
        mp_geom_list_free(&s->items[i].geoms);
    for (int c = 0; s->classes && c < s->nclasses; c++)
        free(s->classes[c].tenants);
    free(s->classes);
    free(s->class_of);
    s->classes = NULL;
    s->class_of = NULL;
    s->nclasses = 0;
}

int sv_class_split(sv_solver *s, int t, int cap)
{
    int c = s->class_of[t];
    sv_class *old = &s->classes[c];
    if (old->ntenants == 1) {
        old->capped_tenant = t;
        old->cap = cap;
        return 0;
    }
    if (s->nclasses == SV_MAX_CLASSES)
        return MP_ELIMIT;
    sv_class *nc = &s->classes[s->nclasses];
    memset(nc, 0, sizeof(*nc));
    memcpy(nc->elig, old->elig, sizeof(nc->elig));
    nc->tenants = malloc(sizeof(int));
    if (!nc->tenants)
        return MP_ENOMEM;
    nc->tenants[0] = t;
    nc->ntenants = 1;
    nc->demand = s->req->tenants[t].replicas;
    nc->capped_tenant = t;
    nc->cap = cap;
    int k = 0;
    for (int m = 0; m < old->ntenants; m++)
        if (old->tenants[m] != t)
            old->tenants[k++] = old->tenants[m];
    old->ntenants = k;
    old->demand -= nc->demand;
    s->class_of[t] = s->nclasses;
    s->nclasses++;
    return 0;
}
