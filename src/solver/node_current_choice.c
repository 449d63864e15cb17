/* SPDX-License-Identifier: Apache-2.0 */
/* node_current_choice.c - the first choices of nodes a plan from node
 * states tries (node_current.c): a cheap one (the busy nodes and, per
 * kind of node, the GPUs the plan on empty nodes uses beyond theirs),
 * the per-pool one, shares of the other nodes, and every node. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "node_current_internal.h"

/* The choice of every stated node and the most empty ones. */
nchoice sv_full_choice(const nc_nodes *n)
{
    nchoice c;
    memset(&c, 0, sizeof(c));
    for (int i = 0; i < n->req->n_pools; i++) {
        int cnt = n->first[i + 1] - n->first[i];
        c.mask[i] = cnt ? UINT64_MAX >> (64 - cnt) : 0;
        c.empty[i] = n->max_empty[i];
        c.cost += (cnt + c.empty[i]) * n->req->pools[i].cost;
        c.gpus += (cnt + c.empty[i]) * n->req->pools[i].gpus;
    }
    return c;
}

/* Do choices a and b take the same nodes? */
bool sv_same_nodes(const mp_request *r, const nchoice *a, const nchoice *b)
{
    for (int i = 0; i < r->n_pools; i++)
        if (a->mask[i] != b->mask[i] || a->empty[i] != b->empty[i])
            return false;
    return true;
}

/* Add up to want of pool i's nodes outside c (stated idle ones first:
 * the fleet planner keeps what it can of their instances, and leaving an
 * empty node out changes nothing, then empty ones); returns how many it
 * added. */
static int add_nodes(const nc_nodes *n, nchoice *c, int i, int want)
{
    const mp_node_pool *pl = &n->req->pools[i];
    int added = 0;
    for (int b = 0; b < n->first[i + 1] - n->first[i] && want > added; b++)
        if (!(c->mask[i] & (uint64_t)1 << b)) {
            c->mask[i] |= (uint64_t)1 << b;
            added++;
        }
    while (want > added && c->empty[i] < n->max_empty[i]) {
        c->empty[i]++;
        added++;
    }
    c->cost += added * pl->cost;
    c->gpus += added * pl->gpus;
    return added;
}

/* The busy nodes (in every choice) alone. */
static nchoice busy_choice(const nc_nodes *n)
{
    nchoice c;
    memset(&c, 0, sizeof(c));
    for (int i = 0; i < n->req->n_pools; i++)
        for (int b = 0; b < n->first[i + 1] - n->first[i]; b++)
            if (n->sn[n->first[i] + b].busy) {
                c.mask[i] |= (uint64_t)1 << b;
                c.cost += n->req->pools[i].cost;
                c.gpus += n->req->pools[i].gpus;
            }
    return c;
}

/* Pools i and j: one kind of node for the plan (model and strategy)? */
static bool same_kind(const mp_request *r, int i, int j)
{
    return r->pools[i].model == r->pools[j].model &&
           r->pools[i].strategy == r->pools[j].strategy;
}

/* The cheap choice: the busy nodes, and of each kind of node (model and
 * strategy) the GPUs the plan on empty nodes uses of it beyond the busy
 * nodes' GPUs, from its pools cheapest per GPU first. The busy nodes are
 * paid anyway, so their free GPUs come before any other node's. */
static nchoice cheap_choice(const nc_nodes *n)
{
    const mp_request *r = n->req;
    nchoice c = busy_choice(n);
    bool done[MP_MAX_FLEET] = {false};
    for (int i = 0; i < r->n_pools; i++) {
        if (done[i])
            continue;
        int want = 0; /* GPUs */
        for (int j = i; j < r->n_pools; j++)
            if (same_kind(r, i, j))
                want += (n->need[j] - __builtin_popcountll(c.mask[j])) *
                        r->pools[j].gpus;
        while (want > 0) {
            int p = -1; /* the kind's cheapest pool per GPU left */
            for (int j = i; j < r->n_pools; j++)
                if (same_kind(r, i, j) && !done[j] &&
                    (p < 0 || r->pools[j].cost * r->pools[p].gpus <
                                  r->pools[p].cost * r->pools[j].gpus))
                    p = j;
            if (p < 0)
                break;
            done[p] = true;
            int gp = r->pools[p].gpus;
            want -= add_nodes(n, &c, p, (want + gp - 1) / gp) * gp;
        }
        for (int j = i; j < r->n_pools; j++)
            done[j] |= same_kind(r, i, j);
    }
    return c;
}

nchoice sv_resort_choice(const nc_nodes *n)
{
    nchoice c = busy_choice(n);
    for (int i = 0; i < n->req->n_pools; i++) {
        int e = n->need[i] < n->max_empty[i] ? n->need[i] : n->max_empty[i];
        c.empty[i] = e;
        c.cost += e * n->req->pools[i].cost;
        c.gpus += e * n->req->pools[i].gpus;
        add_nodes(n, &c, i, n->need[i] - e); /* stated idle ones */
    }
    return c;
}

/* The choice of step s of NC_STEPS between the cheap choice (0) and the
 * full one (NC_STEPS): the per-pool one (busy nodes, then as many of each
 * pool as the plan on empty nodes uses, step 1), then each pool's other
 * nodes added by shares. */
nchoice sv_step_choice(const nc_nodes *n, int s)
{
    if (s == 0)
        return cheap_choice(n);
    if (s == NC_STEPS)
        return sv_full_choice(n);
    const mp_request *r = n->req;
    nchoice c = busy_choice(n);
    for (int i = 0; i < r->n_pools; i++) {
        int busy = __builtin_popcountll(c.mask[i]);
        int idle = n->first[i + 1] - n->first[i] - busy + n->max_empty[i];
        int want = n->need[i] > busy ? n->need[i] - busy : 0;
        want += (idle * (s - 1) + NC_STEPS - 2) / (NC_STEPS - 1);
        add_nodes(n, &c, i, want);
    }
    return c;
}

/* The first node of pool i from j on that base uses (n_nodes: none). */
static int next_used(const mp_plan *base, int i, int j)
{
    while (j < base->n_nodes &&
           (base->nodes[j].pool != i || !base->nodes[j].used))
        j++;
    return j;
}

/* A node of pool i in a fleet plan, its GPUs g: base's next node of pool
 * i that it uses (from *j on), or idle GPUs past them. */
static void put_base_node(const mp_node_pool *pl, int i, const mp_plan *base,
                          int *j, mp_plan_gpu *g)
{
    *j = next_used(base, i, *j);
    for (int x = 0; x < pl->gpus; x++)
        if (*j < base->n_nodes)
            g[x] = base->gpus[base->nodes[*j].first_gpu + x];
        else
            sv_node_idle_gpu(&g[x], i, pl->model, NULL, false);
    if (*j < base->n_nodes)
        (*j)++;
}

/* The fleet plan of choice c without the fleet planner, in the choice's
 * fleet order (its stated nodes, then its empty ones, by pool): the busy
 * nodes as they are (only their instances in use) and, on c's other
 * nodes, the GPUs of the nodes base (the plan on empty nodes) uses of
 * that pool, in order. 1 when c has too few other nodes for base's,
 * MP_ENOMEM. */
int sv_resort_fleet_plan(const nc_nodes *n, const nchoice *c,
                         const mp_plan *base, mp_plan *fp)
{
    const mp_request *r = n->req;
    int total = 0;
    for (int i = 0; i < r->n_pools; i++)
        total +=
            (__builtin_popcountll(c->mask[i]) + c->empty[i]) * r->pools[i].gpus;
    memset(fp, 0, sizeof(*fp));
    fp->req = r;
    fp->gpus = calloc((size_t)(total ? total : 1), sizeof(*fp->gpus));
    if (!fp->gpus)
        return MP_ENOMEM;
    for (int i = 0, at = 0; i < r->n_pools; i++) {
        const mp_node_pool *pl = &r->pools[i];
        int j = 0; /* base's next node */
        for (int b = 0; b < n->first[i + 1] - n->first[i]; b++) {
            const nstated *s = &n->sn[n->first[i] + b];
            if (!(c->mask[i] & (uint64_t)1 << b))
                continue;
            for (int x = 0; x < pl->gpus && s->busy; x++)
                sv_node_idle_gpu(&fp->gpus[at + x], i, pl->model,
                                 mp_node_state_gpu(s->st, x), false);
            if (!s->busy)
                put_base_node(pl, i, base, &j, &fp->gpus[at]);
            at += pl->gpus;
        }
        for (int e = 0; e < c->empty[i]; e++, at += pl->gpus)
            put_base_node(pl, i, base, &j, &fp->gpus[at]);
        if (next_used(base, i, j) <
            base->n_nodes) { /* some of base's nodes left out */
            mp_plan_free(fp);
            return 1;
        }
        fp->n_gpus = at;
    }
    return 0;
}
