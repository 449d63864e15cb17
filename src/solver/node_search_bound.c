// SPDX-License-Identifier: Apache-2.0
/* node_search_bound.c - a lower bound on the node cost of a choice of
 * profiles that the GPU optimum does not see: under strategy: single a
 * node carries one profile, so the replicas pinned to a profile on single
 * nodes need whole nodes of their own. The GPU optimum gives each type of
 * a single pool all the pool's nodes and so misses that several profiles
 * share them (np-c2.yaml: four B200 nodes of two profiles cost 34.60 while
 * its bound says 28.5), and the search of choices prunes by the larger of
 * the two. */
#include "nodes_internal.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The most instances of profile `name` one node of pool i holds; 0 when
 * its model has no such profile. */
static long node_room(const mp_node_pool *pl, const char *name)
{
    const mp_model *m = pl->model;
    for (int p = 0; p < m->n_profiles; p++)
        if (strcmp(m->profiles[p].name, name) == 0)
            return (long)pl->gpus * m->profiles[p].max_instances;
    return 0;
}

/* The cheapest `nodes` nodes of the pools in mask, INFINITY when they
 * have fewer. */
static double cheapest_nodes(const mp_request *r, uint64_t mask, long nodes)
{
    double cost = 0;
    bool taken[MP_MAX_FLEET] = {false};
    while (nodes > 0) {
        int b = -1;
        for (int i = 0; i < r->n_pools; i++)
            if ((mask >> i & 1) && !taken[i] &&
                (b < 0 || r->pools[i].cost < r->pools[b].cost))
                b = i;
        if (b < 0)
            return INFINITY;
        taken[b] = true;
        long n = r->pools[b].count < 0 || r->pools[b].count > nodes
                     ? nodes
                     : r->pools[b].count;
        cost += (double)n * r->pools[b].cost;
        nodes -= n;
    }
    return cost;
}

double sv_single_bound(const nsolve *ns)
{
    const mp_request *r = ns->req;
    const char *name[MP_MAX_FLEET];
    long inst[MP_MAX_FLEET];
    int nn = 0;
    for (int t = 0; t < r->n_tenants; t++) {
        const mp_tenant *tn = &ns->tenants[t];
        if (!tn->pin || tn->pin_single != 1)
            continue;
        int k = 0;
        while (k < nn && strcmp(name[k], tn->pin) != 0)
            k++;
        if (k == nn) {
            if (nn == MP_MAX_FLEET)
                return 0; /* no bound */
            name[nn] = tn->pin;
            inst[nn++] = 0;
        }
        inst[k] += tn->replicas;
    }
    /* per profile: the nodes it needs at least and the single pools that
     * can carry it; profiles with the same pools share their nodes */
    uint64_t mask[MP_MAX_FLEET];
    long nodes[MP_MAX_FLEET];
    for (int k = 0; k < nn; k++) {
        long room = 0;
        mask[k] = 0;
        for (int i = 0; i < r->n_pools && i < 64; i++) {
            long n = r->pools[i].strategy == MP_STRATEGY_SINGLE
                         ? node_room(&r->pools[i], name[k])
                         : 0;
            if (n > 0)
                mask[k] |= (uint64_t)1 << i;
            room = n > room ? n : room;
        }
        if (!room)
            return INFINITY;
        nodes[k] = (inst[k] + room - 1) / room;
    }
    double bound = 0;
    for (int k = 0; k < nn; k++) {
        if (!nodes[k])
            continue; /* counted with an earlier profile of its pools */
        long sum = 0;
        for (int j = k; j < nn; j++)
            if (mask[j] == mask[k]) {
                sum += nodes[j];
                nodes[j] = j > k ? 0 : nodes[j];
            }
        bound += cheapest_nodes(r, mask[k], sum);
    }
    return bound;
}

/* The node-count vectors are a lattice: a plan's cost is the cost of the
 * nodes it uses, one of the vectors sv_node_vectors walks, and its GPUs a
 * GPU plan within that vector's GPUs. So no plan is cheaper than the
 * cheapest vector whose GPU relaxation (no pins: every choice at once) is
 * not proven infeasible. The GPU optimum's bound sees fractional nodes
 * (np-c2.yaml: 26.48, a bit over three nodes); the lattice sees that the
 * only three-node vectors that cost that much lack the GPUs, and the next
 * vector is the cheapest four nodes (34.08, the optimum). */
#define LATTICE_VECTORS 64 /* vectors tried, cheapest first */

int sv_lattice_bound(nsolve *ns, double lo, double hi, nsub_fn solve,
                     double *bound, mp_diag *d)
{
    *bound = lo;
    if (!(hi > lo) || isinf(hi))
        return 0;
    nvec *v = malloc(LATTICE_VECTORS * sizeof(nvec));
    if (!v)
        return MP_ENOMEM;
    /* a tenth of the time left at most, the walk of vectors and every
     * GPU solve included: the search needs the rest */
    double deadline = ns->deadline;
    ns->deadline = sv_now() + 0.1 * (deadline - sv_now());
    int over;
    int nv = sv_node_vectors(ns, lo, hi, v, LATTICE_VECTORS, &over);
    int rc = 0, k = 0;
    for (; over != 2 && k < nv && sv_now() < ns->deadline; k++) {
        int cnt[MP_MAX_FLEET];
        for (int j = 0; j < ns->ntypes; j++)
            cnt[j] = v[k].n[j] * ns->req->pools[ns->types[j].pool].gpus;
        mp_plan p;
        rc = solve(ns, cnt, 0.05, false, &p, d);
        if (rc)
            break;
        bool open = p.feasible || p.time_limit_hit;
        mp_plan_free(&p);
        if (open)
            break; /* this vector may hold a plan */
    }
    /* the vectors before k are proven empty; every vector walked: the
     * next is one left out (as dear as the dearest kept, or dearer) or
     * none below hi. A walk stopped at the deadline may miss cheaper
     * vectors: lo. Out of time, the first vector not tried. */
    if (rc || over == 2)
        *bound = lo;
    else if (k < nv)
        *bound = v[k].cost;
    else
        *bound = over ? v[nv - 1].cost : hi;
    ns->deadline = deadline; /* the next solve_sub applies slow_deadline */
    free(v);
    return rc;
}
