// SPDX-License-Identifier: Apache-2.0
/* node_search_vec.c - the node-count vectors the node search (nodes.c:
 * try_vectors) tries for one choice of profiles: a count of nodes per node
 * type, within the pools' counts, whose cost lies between the choice's
 * lower bound and the best plan's cost.
 *
 * Only the types some tenant can use under the current pins get nodes,
 * and at most as many as the replicas they can take could fill: every
 * other vector is dearer than one that leaves the extra nodes out, and
 * as feasible, so it can never be the first feasible one in cost order.
 * When there are more vectors than room, the cheapest are kept. */
#include "nodes_internal.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>

typedef struct venum {
    const nsolve *ns;
    double lo, hi; /* lo <= cost < hi */
    nvec cur;
    int per_pool[MP_MAX_FLEET];
    int cap[MP_MAX_FLEET]; /* the most nodes of each type worth having */
    /* rest[k]: the most the nodes of types k.. can add */
    double rest[MP_MAX_FLEET + 1];
    long steps;
    nvec *v; /* a max-heap by vec_cmp once full */
    int nv, max;
    bool overflow; /* vectors left out (dearer than every one kept) */
    bool stopped;  /* the time is up */
} venum;

/* Cheaper first, then fewer GPUs. */
static int vec_cmp(const nvec *x, const nvec *y)
{
    if (fabs(x->cost - y->cost) > 1e-9)
        return x->cost < y->cost ? -1 : 1;
    return (x->gpus > y->gpus) - (x->gpus < y->gpus);
}

/* The most nodes of type k a plan of the current pins can use: a node per
 * tensor-parallel replica that may go there, and enough for one GPU per
 * other replica (a used GPU serves at least one); 0 when no tenant can
 * use the type. */
static int type_cap(const nsolve *ns, int k)
{
    const mp_request *r = &ns->sub;
    int gpus = ns->req->pools[ns->types[k].pool].gpus;
    long tp = 0, units = 0;
    for (int t = 0; t < r->n_tenants; t++) {
        const mp_tenant *tn = &r->tenants[t];
        uint32_t elig[MP_MAX_FLEET];
        mp_request_profile_masks(r, tn, elig);
        bool whole = tn->whole_gpu && mp_request_takes_whole(r, tn, k);
        if (!whole && !elig[k])
            continue;
        if (whole && mp_tenant_gpus(tn) > 1)
            tp += tn->replicas;
        else
            units += tn->replicas;
    }
    long cap = tp + (units + gpus - 1) / gpus;
    return cap > INT_MAX ? INT_MAX : (int)cap;
}

static void vec_setup(venum *e)
{
    const nsolve *ns = e->ns;
    for (int k = 0; k < ns->ntypes; k++)
        e->cap[k] = type_cap(ns, k);
    /* rest[k]: per pool, its nodes or the caps of its types from k on,
     * whichever is fewer */
    for (int k = 0; k <= ns->ntypes; k++) {
        double nodes[MP_MAX_FLEET] = {0};
        for (int j = k; j < ns->ntypes; j++)
            nodes[ns->types[j].pool] += e->cap[j];
        e->rest[k] = 0;
        for (int i = 0; i < ns->req->n_pools; i++) {
            const mp_node_pool *pl = &ns->req->pools[i];
            double n = pl->count < 0 ? nodes[i] : fmin(nodes[i], pl->count);
            e->rest[k] += n * pl->cost;
        }
    }
}

static void heap_down(nvec *v, int n, int i)
{
    for (;;) {
        int b = i, l = 2 * i + 1, r = l + 1;
        if (l < n && vec_cmp(&v[l], &v[b]) > 0)
            b = l;
        if (r < n && vec_cmp(&v[r], &v[b]) > 0)
            b = r;
        if (b == i)
            return;
        nvec x = v[i];
        v[i] = v[b];
        v[b] = x;
        i = b;
    }
}

static void heap_up(nvec *v, int i)
{
    while (i > 0 && vec_cmp(&v[(i - 1) / 2], &v[i]) < 0) {
        nvec x = v[i];
        v[i] = v[(i - 1) / 2];
        v[(i - 1) / 2] = x;
        i = (i - 1) / 2;
    }
}

/* e->cur into the vectors kept: the cheapest e->max of them. */
static void keep(venum *e)
{
    if (e->nv < e->max) {
        e->v[e->nv] = e->cur;
        heap_up(e->v, e->nv++);
        return;
    }
    e->overflow = true;
    if (vec_cmp(&e->cur, &e->v[0]) >= 0)
        return;
    e->v[0] = e->cur;
    heap_down(e->v, e->nv, 0);
    /* nothing dearer than the dearest kept can enter any more */
    e->hi = fmin(e->hi, e->v[0].cost + 2e-9);
}

/* Every vector of node counts from type k on within [lo, hi). A branch
 * that cannot reach lo is not walked; past the deadline, with a plan in
 * hand, the walk stops (overflow: not proven). */
static void vec_rec(venum *e, int k)
{
    if (e->stopped || e->cur.cost + e->rest[k] < e->lo - 1e-9)
        return;
    if (++e->steps % 4096 == 0 && (e->ns->have || e->ns->have_first) &&
        sv_now() > e->ns->deadline) {
        e->overflow = e->stopped = true;
        return;
    }
    if (k == e->ns->ntypes) {
        if (e->cur.cost >= e->lo - 1e-9 && e->cur.cost < e->hi - 1e-9)
            keep(e);
        return;
    }
    const mp_node_pool *pl = &e->ns->req->pools[e->ns->types[k].pool];
    int *pp = &e->per_pool[e->ns->types[k].pool];
    for (int n = 0; n <= e->cap[k] && e->cur.cost + n * pl->cost < e->hi - 1e-9;
         n++) {
        if (pl->count >= 0 && *pp + n > pl->count)
            break;
        e->cur.n[k] = n;
        e->cur.cost += n * pl->cost;
        e->cur.gpus += n * pl->gpus;
        *pp += n;
        vec_rec(e, k + 1);
        *pp -= n;
        e->cur.gpus -= n * pl->gpus;
        e->cur.cost -= n * pl->cost;
    }
    e->cur.n[k] = 0;
}

static int vec_qcmp(const void *a, const void *b)
{
    return vec_cmp(a, b);
}

int sv_node_vectors(const nsolve *ns, double lo, double hi, nvec *v, int max,
                    int *overflow)
{
    venum e = {.ns = ns, .lo = lo, .hi = hi, .v = v, .max = max};
    vec_setup(&e);
    vec_rec(&e, 0);
    qsort(v, (size_t)e.nv, sizeof(nvec), vec_qcmp);
    *overflow = e.stopped ? 2 : e.overflow;
    return e.nv;
}
