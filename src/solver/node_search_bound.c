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
