/* SPDX-License-Identifier: Apache-2.0 */
/* node_plan.c - the plan of a node-pool solve: the best GPU plan's GPUs
 * packed into nodes with node-local indices, and the node rules checked
 * independently of how the plan was found. */
#include "nodes_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------ the node plan */

/* Replicas of `spread: nodes` tenants on GPU g. */
static int spread_replicas(const mp_request *r, const mp_plan_gpu *g)
{
    int n = 0;
    for (int t = 0; t < r->n_tenants; t++)
        if (r->tenants[t].spread_nodes)
            n += mp_plan_gpu_replicas(g, t);
    return n;
}

/* GPU g to the node with room where the `spread: nodes` tenants it holds
 * have the fewest replicas yet (the first such node). */
static int pick_node(const mp_request *r, const mp_plan_gpu *g, const int *cnt,
                     const int *fill, int nn, int gpus)
{
    int best = -1;
    long best_score = 0;
    for (int j = 0; j < nn; j++) {
        if (fill[j] == gpus)
            continue;
        long score = 0;
        for (int t = 0; t < r->n_tenants; t++)
            if (r->tenants[t].spread_nodes)
                score += (long)cnt[j * r->n_tenants + t] *
                         mp_plan_gpu_replicas(g, t);
        if (best < 0 || score < best_score) {
            best = j;
            best_score = score;
        }
    }
    return best;
}

static void put(const mp_request *r, const mp_plan_gpu *g, int j, int *cnt,
                int *fill)
{
    fill[j]++;
    for (int t = 0; t < r->n_tenants; t++)
        cnt[j * r->n_tenants + t] += mp_plan_gpu_replicas(g, t);
}

/* Which of nn nodes each of the GPUs gl[0..n) goes to (at most gpus per
 * node), those with node_of[k] >= 0 (tensor-parallel replicas) already
 * placed: GPUs with `spread: nodes` replicas first, each where its tenants
 * have the fewest replicas, then the others filling nodes in order. */
static int balance(const nsolve *ns, const mp_plan_gpu *const *gl, int n,
                   int nn, int gpus, int *node_of)
{
    const mp_request *r = ns->req;
    int *cnt = calloc((size_t)nn * (size_t)(r->n_tenants + 1), sizeof(int));
    if (!cnt)
        return MP_ENOMEM;
    int *fill = cnt + (size_t)nn * (size_t)r->n_tenants;
    for (int k = 0; k < n; k++)
        if (node_of[k] >= 0)
            put(r, gl[k], node_of[k], cnt, fill);
    for (int pass = 0; pass < 2; pass++)
        for (int k = 0; k < n; k++) {
            if (node_of[k] >= 0 ||
                (spread_replicas(r, gl[k]) > 0) != (pass == 0))
                continue;
            int j = pick_node(r, gl[k], cnt, fill, nn, gpus);
            if (j < 0)
                break;
            node_of[k] = j;
            put(r, gl[k], j, cnt, fill);
        }
    free(cnt);
    for (int k = 0; k < n; k++)
        if (node_of[k] < 0)
            return MP_EINTERNAL;
    return 0;
}

/* node_of for the GPUs gl[0..n) of type t that serve tensor-parallel
 * replicas: each replica's GPUs on the node the packing gives it; -1 for
 * the others. */
static int place_groups(const nsolve *ns, int t, const mp_plan_gpu *const *gl,
                        int n, int *node_of)
{
    const mp_request *r = ns->req;
    for (int k = 0; k < n; k++)
        node_of[k] = -1;
    int ng = sv_type_groups(ns, &ns->best, t, NULL);
    if (ng == 0)
        return 0;
    int *bin = malloc((size_t)ng * sizeof(int));
    bool exact;
    if (!bin || sv_type_nodes(ns, &ns->best, t, bin, &exact) < 0) {
        free(bin);
        return MP_ENOMEM;
    }
    int base = 0;
    for (int q = 0; q < r->n_tenants; q++) {
        int g = mp_tenant_gpus(&r->tenants[q]), c = 0;
        if (!r->tenants[q].whole_gpu || g <= 1)
            continue;
        for (int k = 0; k < n; k++)
            if (gl[k]->whole_tenant == q)
                node_of[k] = bin[base + c++ / g];
        base += c / g;
    }
    free(bin);
    return 0;
}

/* GPU g of a single node of profile prof: every slot an instance of prof
 * (as mig-parted's all-<prof>), src's tenants in the first ones. */
static int single_gpu(const mp_node_pool *pl, int pool, int prof,
                      const mp_plan_gpu *src, mp_plan_gpu *g)
{
    const mp_gi_profile *gp = &pl->model->profiles[prof];
    mp_profile_count pc = {gp->name, gp->max_instances};
    char why[256];
    sv_plan_gpu_init(g, pool, pl->model, true, -1);
    if (mp_gpu_layout_from_counts(pl->model, &pc, 1, &g->layout, why,
                                  sizeof(why)) != 0)
        return MP_EINTERNAL;
    const mp_layout *l = &g->layout.gis;
    for (int s = 0; src && s < src->layout.gis.n; s++) {
        if (src->tenant[s] < 0)
            continue;
        int q = -1; /* the free instance leftmost in the slots */
        for (int x = 0; x < l->n; x++)
            if (g->tenant[x] < 0 && (q < 0 || l->gi[x].start < l->gi[q].start))
                q = x;
        if (q < 0)
            return MP_EINTERNAL;
        g->tenant[q] = src->tenant[s];
    }
    return 0;
}

typedef struct nbuild {
    nsolve *ns;
    mp_plan *out;
    const mp_plan_gpu **gl;
    int *node_of;
} nbuild;

/* A node of pool i (used or not, single profile prof or -1) with the GPUs
 * gl[k] for which node_of[k] == j, then empty ones up to the pool's gpus. */
static int add_node(nbuild *b, int i, int k, int prof, int n, int j)
{
    const mp_node_pool *pl = &b->ns->req->pools[i];
    mp_plan *out = b->out;
    mp_plan_node *nd = &out->nodes[out->n_nodes];
    *nd = (mp_plan_node){i, k, j >= 0, prof < 0 ? -1 : prof, out->n_gpus, NULL};
    int idx = 0, rc = 0;
    for (int s = 0; s < n && j >= 0 && !rc; s++) {
        if (b->node_of[s] != j)
            continue;
        mp_plan_gpu *g = &out->gpus[out->n_gpus + idx++];
        if (prof >= 0) {
            rc = single_gpu(pl, i, prof, b->gl[s], g);
        } else {
            *g = *b->gl[s];
            g->fleet = i;
        }
    }
    for (; idx < pl->gpus && !rc; idx++) {
        mp_plan_gpu *g = &out->gpus[out->n_gpus + idx];
        if (prof >= 0 && j >= 0)
            rc = single_gpu(pl, i, prof, NULL, g);
        else
            sv_plan_gpu_init(g, i, pl->model, false, -1);
    }
    for (idx = 0; idx < pl->gpus; idx++) {
        out->gpus[out->n_gpus + idx].node = out->n_nodes;
        out->gpus[out->n_gpus + idx].node_index = idx;
    }
    out->n_gpus += pl->gpus;
    out->n_nodes++;
    return rc;
}

/* The nodes of type t: its GPUs of the best plan, packed. */
static int add_type(nbuild *b, int t, int nn, int *k)
{
    const nsolve *ns = b->ns;
    const mp_plan *p = &ns->best;
    const ntype *ty = &ns->types[t];
    int n = 0;
    for (int s = 0; s < p->n_gpus; s++)
        if (p->gpus[s].used && p->gpus[s].fleet == t)
            b->gl[n++] = &p->gpus[s];
    int gpus = ns->req->pools[ty->pool].gpus;
    int rc = place_groups(ns, t, b->gl, n, b->node_of);
    if (!rc)
        rc = balance(ns, b->gl, n, nn, gpus, b->node_of);
    for (int j = 0; j < nn && !rc; j++)
        rc = add_node(b, ty->pool, (*k)++, ty->prof, n, j);
    return rc;
}

static int alloc_nodes(nsolve *ns, const int *nn, mp_plan *out, nbuild *b)
{
    const mp_request *r = ns->req;
    int nodes = 0, gpus = 0;
    int per_pool[MP_MAX_FLEET] = {0};
    for (int t = 0; t < ns->ntypes; t++)
        per_pool[ns->types[t].pool] += nn[t];
    for (int i = 0; i < r->n_pools; i++) {
        int n = r->pools[i].count >= 0 ? r->pools[i].count : per_pool[i];
        nodes += n;
        gpus += n * r->pools[i].gpus;
    }
    out->nodes = calloc((size_t)(nodes ? nodes : 1), sizeof(*out->nodes));
    out->gpus = calloc((size_t)(gpus ? gpus : 1), sizeof(*out->gpus));
    b->gl = malloc((size_t)(ns->best.n_gpus + 1) * sizeof(*b->gl));
    b->node_of = malloc((size_t)(ns->best.n_gpus + 1) * sizeof(int));
    return out->nodes && out->gpus && b->gl && b->node_of ? 0 : MP_ENOMEM;
}

int sv_build_nodes(nsolve *ns, mp_plan *out)
{
    const mp_request *r = ns->req;
    int nn[MP_MAX_FLEET], gpus;
    double cost;
    sv_pack_counts(ns, &ns->best, nn, &cost, &gpus, NULL);
    nbuild b = {ns, out, NULL, NULL};
    int rc = alloc_nodes(ns, nn, out, &b);
    for (int i = 0; i < r->n_pools && !rc; i++) {
        int k = 0;
        for (int t = 0; t < ns->ntypes && !rc; t++)
            if (ns->types[t].pool == i)
                rc = add_type(&b, t, nn[t], &k);
        while (!rc && k < r->pools[i].count)
            rc = add_node(&b, i, k++, -1, 0, -1);
    }
    free(b.gl);
    free(b.node_of);
    if (!rc)
        rc = sv_plan_number(r, out);
    if (!rc)
        sv_plan_node_cost(r, out);
    return rc;
}

/* --------------------------------------------------------- validation */

/* Every same-profile tenant served by instances of one profile name. */
static int check_same_profile(const mp_plan *p, char *why, size_t n)
{
    const mp_request *r = p->req;
    for (int t = 0; t < r->n_tenants; t++) {
        const char *name = NULL;
        mp_strategy st = MP_STRATEGY_MIXED;
        for (int k = 0; k < p->n_gpus && r->tenants[t].same_profile; k++) {
            const mp_layout *l = &p->gpus[k].layout.gis;
            mp_strategy gs = r->pools[p->gpus[k].fleet].strategy;
            for (int q = 0; q < l->n; q++) {
                if (p->gpus[k].tenant[q] != t)
                    continue;
                const char *s = l->model->profiles[l->gi[q].profile].name;
                if (name && (strcmp(name, s) != 0 || st != gs)) {
                    snprintf(why, n, "%s has %s and %s", r->tenants[t].name,
                             name, s);
                    return MP_EINTERNAL;
                }
                name = s;
                st = gs;
            }
        }
    }
    return 0;
}

/* Node j: its pool's GPUs in a row, local indices 0.., single nodes with
 * one profile on every GPU or MIG disabled on every GPU (all-disabled:
 * the device plugin's single strategy refuses a node that mixes both). */
static int check_node(const mp_plan *p, int j, char *why, size_t n)
{
    const mp_plan_node *nd = &p->nodes[j];
    const mp_node_pool *pl = &p->req->pools[nd->pool];
    bool used = false;
    for (int x = 0; x < pl->gpus; x++) {
        const mp_plan_gpu *g = &p->gpus[nd->first_gpu + x];
        used |= g->used;
        if (nd->first_gpu + x >= p->n_gpus || g->node != j ||
            g->node_index != x || g->fleet != nd->pool) {
            snprintf(why, n, "node %d: GPU %d misplaced", j, x);
            return MP_EINTERNAL;
        }
        if (pl->strategy != MP_STRATEGY_SINGLE || !nd->used)
            continue;
        const mp_layout *l = &g->layout.gis;
        bool ok = nd->profile < 0 ? !g->layout.mig_enabled
                                  : g->layout.mig_enabled && l->n > 0;
        for (int q = 0; q < l->n; q++)
            ok &= l->gi[q].profile == nd->profile;
        if (!ok) {
            snprintf(why, n, "single node %d mixes profiles or MIG modes", j);
            return MP_EINTERNAL;
        }
    }
    if (used != nd->used) {
        snprintf(why, n, "node %d used %d, its GPUs say %d", j, nd->used, used);
        return MP_EINTERNAL;
    }
    return 0;
}

int sv_nodes_validate(const mp_plan *p, char *why, size_t n)
{
    const mp_request *r = p->req;
    int gpus = 0, used[MP_MAX_FLEET] = {0};
    double cost = 0;
    for (int j = 0; j < p->n_nodes; j++) {
        int rc = check_node(p, j, why, n);
        if (rc)
            return rc;
        gpus += r->pools[p->nodes[j].pool].gpus;
        if (p->nodes[j].used) {
            cost += r->pools[p->nodes[j].pool].cost;
            used[p->nodes[j].pool]++;
        }
    }
    for (int i = 0; i < r->n_pools; i++)
        if (r->pools[i].count >= 0 && used[i] > r->pools[i].count) {
            snprintf(why, n, "pool %s: %d nodes used of %d", r->pools[i].name,
                     used[i], r->pools[i].count);
            return MP_EINTERNAL;
        }
    if (gpus != p->n_gpus || fabs(cost - p->cost) > 1e-6) {
        snprintf(why, n, "nodes hold %d of %d GPUs, cost %.3f of %.3f", gpus,
                 p->n_gpus, cost, p->cost);
        return MP_EINTERNAL;
    }
    return check_same_profile(p, why, n);
}

/* The CPU seconds the phases after the search take, estimated generously
 * (about twice what 40 pools of 20 nodes of 8 GPUs with 1,600 replicas
 * measure, RelWithDebInfo): packing the best plan's nodes, checking the
 * plan and writing it, per GPU the pools have and per replica. */
double sv_nodes_post_cpu(const mp_request *r)
{
    double gpus = 0;
    for (int i = 0; i < r->n_pools; i++)
        gpus += (r->pools[i].count >= 0 ? r->pools[i].count : 1) *
                (double)r->pools[i].gpus;
    return 0.01 + 5e-6 * gpus + 10e-6 * (double)r->total_replicas;
}
