// SPDX-License-Identifier: Apache-2.0
/* current_bound.c - the fewest instances in use any plan of a given number
 * of GPUs destroys (--allow-disruption), by counting slices; see
 * cur_in_use_bound in current_internal.h for the reasoning. */
#include "current_internal.h"

#include <stdlib.h>

/* Resource r of an instance of m->profiles[p]: 0 memory slices (placement
 * units), 1 compute slices. */
static int prof_size(const mp_model *m, int p, int r)
{
    return r ? m->profiles[p].compute_slices : m->profiles[p].memory_slices;
}

/* Resource r of a whole GPU of model m. */
static int gpu_size(const mp_model *m, int r)
{
    return r ? m->compute_slices : m->units;
}

/* The least of resource r that one unit of tenant t takes on a GPU of
 * fleet entry i: its smallest profile, or its GPUs when it may take whole
 * GPUs; -1 when nothing there serves it. */
static int tenant_size(const mp_request *req, const mp_tenant *t, int i, int r)
{
    const mp_model *m = req->fleet[i].model;
    int best = mp_request_takes_whole(req, t, i)
                   ? gpu_size(m, r) * mp_tenant_gpus(t)
                   : -1;
    for (int p = 0; p < m->n_profiles; p++)
        if (mp_tenant_takes_profile(t, m, p) &&
            (best < 0 || prof_size(m, p, r) < best))
            best = prof_size(m, p, r);
    return best;
}

/* Do all of c's GPUs come from fleet entries of one model and one cost,
 * each with a count (the node is all there is)? */
static bool uniform(const cur *c)
{
    const mp_request *r = c->req;
    for (int i = 0; i < r->n_fleet; i++)
        if (r->fleet[i].count < 0)
            return false;
    for (int k = 1; k < c->n; k++) {
        const mp_fleet_item *a = &r->fleet[c->g[0].fleet];
        const mp_fleet_item *b = &r->fleet[c->g[k].fleet];
        if (a->model != b->model || a->cost != b->cost)
            return false;
    }
    return c->n > 0;
}

/* Waste of resource r on busy GPU s kept whole: each instance in use
 * takes its size but covers at most the size of the largest demand among
 * the tenants it fits (all of it when it fits none). */
static long long busy_waste(const cur *c, const mp_gpu_state *s,
                            const int *size, int r)
{
    const mp_layout *l = &s->layout.gis;
    long long w = 0;
    for (int q = 0; q < l->n; q++) {
        if (s->gi[q].n_processes == 0)
            continue;
        int own = prof_size(l->model, l->gi[q].profile, r), cover = 0;
        for (int t = 0; t < c->req->n_tenants; t++)
            if (size[t] > cover && size[t] <= own &&
                mp_tenant_takes_profile(&c->req->tenants[t], l->model,
                                        l->gi[q].profile))
                cover = size[t];
        w += own - cover;
    }
    return w;
}

static int cmp_ll(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

/* The most busy GPUs whose waste of resource r fits the slack: the
 * smallest wastes first. */
static int most_whole(long long *w, int n, long long slack)
{
    qsort(w, (size_t)n, sizeof(*w), cmp_ll);
    int k = 0;
    for (long long sum = 0; k < n && sum + w[k] <= slack; k++)
        sum += w[k];
    return k;
}

/* The bound for resource r, or -1 when it gives none. */
static int bound_for(const cur *c, int gpus, int r, int *size, long long *w)
{
    const mp_request *req = c->req;
    const mp_model *m = req->fleet[c->g[0].fleet].model;
    long long need = 0;
    for (int t = 0; t < req->n_tenants; t++) {
        size[t] = tenant_size(req, &req->tenants[t], c->g[0].fleet, r);
        if (size[t] < 0)
            return -1;
        need += (long long)size[t] * req->tenants[t].replicas;
    }
    long long slack = (long long)gpus * gpu_size(m, r) - need;
    if (slack < 0)
        return -1;
    int busy = 0, others = 0;
    for (int k = 0; k < c->n; k++) {
        const mp_gpu_state *s = c->g[k].st;
        if (s && s->layout.mig_enabled && mp_gpu_state_in_use(s) > 0)
            w[busy++] = busy_waste(c, s, size, r);
        else
            others++;
    }
    int lb = gpus - others - most_whole(w, busy, slack);
    return lb > 0 ? lb : 0;
}

int cur_in_use_bound(const cur *c, int gpus)
{
    if (!uniform(c))
        return 0;
    long long *w = malloc((size_t)c->n * sizeof(*w));
    int *size = malloc((size_t)(c->req->n_tenants + 1) * sizeof(*size));
    int lb = 0;
    for (int r = 0; r < 2 && w && size; r++) {
        int b = bound_for(c, gpus, r, size, w);
        lb = b > lb ? b : lb;
    }
    free(size);
    free(w);
    return lb;
}
