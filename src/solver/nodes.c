/* SPDX-License-Identifier: Apache-2.0 */
/* nodes.c - plans for node pools: the fewest (or cheapest) nodes, then
 * GPUs, then the GPU solver's own tie rules.
 *
 * The GPU solver does the packing. A pool becomes node types: a mixed pool
 * one type (its model, any layout), a single pool one type per profile p
 * (only p, no whole GPU: every GPU of such a node is `all-p`). Each type
 * is a fleet entry of a derived request whose GPUs cost the node cost over
 * the GPUs per node. For a choice of profile per same-profile tenant (each
 * tenant pinned to one profile name; choices are searched by branch and
 * bound on the GPU optimum's bound), the GPU optimum P gives
 *   - a lower bound: any node plan's used GPUs are a GPU plan, so no node
 *     plan costs less than P's (fractional) GPU cost;
 *   - an upper bound: P's GPUs packed into ceil(g_t / gpus) nodes per type.
 * Every vector of node counts per type costing in between is then tried
 * cheapest first with the GPU counts it allows; the first feasible one is
 * optimal. With one mixed pool no vector lies in between (ceil is
 * monotone), so the packing of the GPU optimum is the node optimum. */

#include "nodes_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_VECTORS 2000 /* node-count vectors tried per choice */

/* --------------------------------------------------------- node types */

/* Some tenant may use profile p of m (p == NT_WHOLE: a whole GPU). */
static bool useful_profile(const mp_request *r, const mp_model *m, int p)
{
    for (int t = 0; t < r->n_tenants; t++)
        if (p == NT_WHOLE
                ? mp_tenant_takes_whole(&r->tenants[t], m)
                : mp_tenant_profile_mask(&r->tenants[t], m) & (1u << p))
            return true;
    return false;
}

static int setup_types(nsolve *ns)
{
    const mp_request *r = ns->req;
    for (int i = 0; i < r->n_pools; i++) {
        const mp_node_pool *pl = &r->pools[i];
        /* a single pool: a type per profile, and one of whole GPUs with MIG
         * disabled (the device plugin's single strategy falls back to
         * nvidia.com/gpu on a node without MIG devices) */
        for (int p = NT_WHOLE; p < pl->model->n_profiles; p++) {
            if (pl->strategy == MP_STRATEGY_SINGLE
                    ? p == -1 || !useful_profile(r, pl->model, p)
                    : p != -1)
                continue;
            if (ns->ntypes == MP_MAX_FLEET)
                return MP_ELIMIT;
            ns->types[ns->ntypes++] = (ntype){i, p};
        }
    }
    ns->sub = *r;
    ns->sub.n_pools = 0;
    ns->sub.n_fleet = ns->ntypes;
    memset(&ns->sub.arena, 0, sizeof(ns->sub.arena));
    for (int k = 0; k < ns->ntypes; k++) {
        const mp_node_pool *pl = &r->pools[ns->types[k].pool];
        mp_fleet_item *it = &ns->sub.fleet[k];
        *it = r->fleet[ns->types[k].pool];
        it->profiles = ns->types[k].prof < 0 ? 0 : 1u << ns->types[k].prof;
        it->whole_only = ns->types[k].prof == NT_WHOLE;
        it->cost = pl->cost / pl->gpus;
    }
    ns->tenants = malloc((size_t)r->n_tenants * sizeof(mp_tenant));
    ns->best_tenants = malloc((size_t)r->n_tenants * sizeof(mp_tenant));
    ns->best_spread = calloc((size_t)(2 * r->n_tenants + 1), sizeof(int));
    if (!ns->tenants || !ns->best_tenants || !ns->best_spread)
        return MP_ENOMEM;
    ns->spread_try = ns->best_spread + r->n_tenants;
    memcpy(ns->tenants, r->tenants, (size_t)r->n_tenants * sizeof(mp_tenant));
    for (int t = 0; t < r->n_tenants; t++)
        ns->tenants[t].spread |= ns->tenants[t].spread_nodes;
    ns->sub.tenants = ns->tenants;
    return 0;
}

/* ------------------------------------------------ same-profile choices */

/* A same-profile choice: a profile name on nodes of one strategy (a pod
 * template names one resource, and the strategy decides its name). */
typedef struct cand {
    const char *name;
    bool single;
} cand;

static bool has_cand(const cand *v, int n, const char *s, bool single)
{
    for (int k = 0; k < n; k++)
        if (v[k].single == single && strcmp(v[k].name, s) == 0)
            return true;
    return false;
}

/* The choices tenant t has on some type, in type and profile order, into v
 * (room for MP_MAX_FLEET * MP_MAX_PROFILES). */
static int candidates(const nsolve *ns, int t, cand *v)
{
    int n = 0;
    uint32_t elig[MP_MAX_FLEET];
    mp_request_profile_masks(&ns->sub, &ns->req->tenants[t], elig);
    for (int k = 0; k < ns->ntypes; k++) {
        const mp_model *m = ns->sub.fleet[k].model;
        bool single = ns->types[k].prof >= 0;
        for (int p = 0; p < m->n_profiles; p++)
            if ((elig[k] & (1u << p)) &&
                !has_cand(v, n, m->profiles[p].name, single))
                v[n++] = (cand){m->profiles[p].name, single};
    }
    return n;
}

static void pin(mp_tenant *t, const cand *c)
{
    t->pin = c ? c->name : NULL;
    t->pin_single = c ? c->single : -1;
}

static int setup_choices(nsolve *ns)
{
    const mp_request *r = ns->req;
    size_t room = (size_t)MP_MAX_FLEET * MP_MAX_PROFILES;
    ns->choosers = malloc((size_t)r->n_tenants * sizeof(int));
    ns->ncand = malloc((size_t)r->n_tenants * sizeof(int));
    ns->cands = calloc((size_t)r->n_tenants, sizeof(*ns->cands));
    if (!ns->choosers || !ns->ncand || !ns->cands)
        return MP_ENOMEM;
    for (int t = 0; t < r->n_tenants; t++) {
        if (!r->tenants[t].same_profile)
            continue;
        cand *v = malloc(room * sizeof(*v));
        if (!v)
            return MP_ENOMEM;
        int n = candidates(ns, t, v);
        if (n == 1)
            pin(&ns->tenants[t], &v[0]);
        if (n <= 1) {
            free(v);
            continue;
        }
        int k = ns->nchoosers++;
        ns->choosers[k] = t;
        ns->cands[k] = v;
        ns->ncand[k] = n;
    }
    return 0;
}

/* ------------------------------------------------------ one GPU solve */

/* A plan in hand: the search's best or the root incumbent. */
static bool any_plan(const nsolve *ns)
{
    return ns->have || ns->have_first;
}

/* The deadline of the search from how much slower than its CPU time the
 * run goes so far (a loaded machine: other processes take turns), as the
 * phases after the search will: they keep a tenth of the limit (at most
 * 0.25 s) or their expected CPU time that much slower, whichever is more,
 * and never more than half the limit. Only ever moves earlier. */
static void slow_deadline(nsolve *ns)
{
    double wall = sv_now() - ns->t0, cpu = sv_cpu_now() - ns->cpu0;
    double slow = cpu > 0.02 && wall > cpu ? fmin(wall / cpu, 4) : 1;
    double limit = ns->limit_end - ns->t0;
    double keep = fmax(fmin(0.1 * limit, 0.25), slow * ns->post);
    ns->deadline = fmin(ns->deadline, ns->limit_end - fmin(keep, 0.5 * limit));
}

/* The GPU optimum of sub with at most cnt[k] GPUs of type k (-1: any),
 * given share of the time left before the deadline (at least 0.05 s
 * without a plan in hand, for one at all; 0.01 s with one); spread false when
 * only its bound and profiles are read (spreading a big plan over GPUs can take
 * longer than its search). */
static int solve_sub(nsolve *ns, const int *cnt, double share, bool spread,
                     mp_plan *out, mp_diag *d)
{
    for (int k = 0; k < ns->ntypes; k++)
        ns->sub.fleet[k].count = cnt[k];
    slow_deadline(ns);
    mp_solve_opts o = *ns->o;
    double least = any_plan(ns) ? 0.01 : 0.05;
    o.time_limit = fmax(least, share * (ns->deadline - sv_now()));
    o.no_spread |= !spread;
    o.no_explain = !ns->explain;
    ns->solves++;
    return mp_solve(ns->db, &ns->sub, &o, out, d);
}

/* The GPU optimum of sub within the pools' counts; share and spread as
 * for solve_sub. */
static int solve_pools(nsolve *ns, double share, bool spread, mp_plan *out,
                       mp_diag *d)
{
    int cnt[MP_MAX_FLEET];
    for (int k = 0; k < ns->ntypes; k++)
        cnt[k] = ns->req->fleet[ns->types[k].pool].count;
    int rc = solve_sub(ns, cnt, share, spread, out, d);
    if (!rc && !out->feasible)
        ns->proven &= !out->time_limit_hit;
    return rc;
}

bool sv_pack_counts(const nsolve *ns, const mp_plan *p, int *nn, double *cost,
                    int *gpus, bool *exact)
{
    int g[MP_MAX_FLEET] = {0};
    int per_pool[MP_MAX_FLEET] = {0};
    *gpus = 0;
    for (int k = 0; k < p->n_gpus; k++)
        if (p->gpus[k].used)
            g[p->gpus[k].fleet]++, (*gpus)++;
    *cost = 0;
    bool ok = true;
    for (int k = 0; k < ns->ntypes; k++) {
        const mp_node_pool *pl = &ns->req->pools[ns->types[k].pool];
        bool ex = true;
        nn[k] = sv_type_nodes(ns, p, k, NULL, &ex);
        if (nn[k] < 0) { /* out of memory: a node per replica, unproven */
            nn[k] = sv_type_groups(ns, p, k, NULL) +
                    (g[k] + pl->gpus - 1) / pl->gpus;
            ex = false;
        }
        if (exact)
            *exact &= ex;
        *cost += nn[k] * pl->cost;
        per_pool[ns->types[k].pool] += nn[k];
        ok &= pl->count < 0 || per_pool[ns->types[k].pool] <= pl->count;
    }
    return ok;
}

/* ------------------------------------------------ node-count vectors */

/* The most a plan of the search may cost and still win: the best plan's
 * or the root incumbent's (root_incumbent), whichever is lower; INFINITY
 * without either. */
static double cost_bar(const nsolve *ns)
{
    double bar = ns->have ? ns->best_cost : INFINITY;
    return ns->have_first && ns->first_cost < bar ? ns->first_cost : bar;
}

/* Compute and memory slices p's GPUs leave that nothing can use (the
 * checker's stranded-compute and stranded-memory). */
static int stranded(const mp_plan *p)
{
    int n = 0;
    for (int k = 0; k < p->n_gpus; k++) {
        const mp_gpu_layout *l = &p->gpus[k].layout;
        if (!p->gpus[k].used || !l->mig_enabled)
            continue;
        mp_capacity c;
        mp_geom_capacity(&l->gis, &c);
        n += c.stranded_compute +
             (c.largest_addable < 0 ? c.stranded_memory : 0);
    }
    return n;
}

/* The most replicas of tenant t a node of type k holds when p's GPUs of
 * that type holding t go, largest first, to the node with the fewest yet
 * and room for a GPU (as the node builder spreads them). */
static int type_spread(const nsolve *ns, const mp_plan *p, int t, int k,
                       int nodes)
{
    int load[64] = {0}, room[64], most = 0, cap = 64;
    int gpus = ns->req->pools[ns->types[k].pool].gpus;
    nodes = nodes < cap ? nodes : cap; /* beyond 64 nodes: a bound */
    int top = 0;                       /* the most replicas of t on one GPU */
    for (int s = 0; s < p->n_gpus; s++)
        if (p->gpus[s].used && p->gpus[s].fleet == k &&
            mp_plan_gpu_replicas(&p->gpus[s], t) > top)
            top = mp_plan_gpu_replicas(&p->gpus[s], t);
    for (int j = 0; j < nodes; j++)
        room[j] = gpus;
    for (int size = top; size > 0 && nodes > 0; size--)
        for (int s = 0; s < p->n_gpus; s++) {
            const mp_plan_gpu *g = &p->gpus[s];
            if (!g->used || g->fleet != k || mp_plan_gpu_replicas(g, t) != size)
                continue;
            int b = -1;
            for (int j = 0; j < nodes; j++)
                if (room[j] > 0 && (b < 0 || load[j] < load[b]))
                    b = j;
            b = b < 0 ? 0 : b;
            load[b] += size;
            room[b]--;
            most = load[b] > most ? load[b] : most;
        }
    return most;
}

/* How far p spreads each `spread: nodes` tenant over nodes, into sp (per
 * tenant, 0 for the others): the most replicas some node holds. */
static void node_spread(const nsolve *ns, const mp_plan *p, int *sp)
{
    int nn[MP_MAX_FLEET], gpus;
    double cost;
    sv_pack_counts(ns, p, nn, &cost, &gpus, NULL);
    for (int t = 0; t < ns->req->n_tenants; t++) {
        sp[t] = 0;
        if (!ns->req->tenants[t].spread_nodes)
            continue;
        for (int k = 0; k < ns->ntypes; k++) {
            int most = type_spread(ns, p, t, k, nn[k]);
            sp[t] = most > sp[t] ? most : sp[t];
        }
    }
}

/* -1 when spread a beats b (tenant by tenant in request order), 1 when b
 * beats a, 0 when alike. */
static int spread_cmp(const nsolve *ns, const int *a, const int *b)
{
    for (int t = 0; t < ns->req->n_tenants; t++)
        if (a[t] != b[t])
            return a[t] < b[t] ? -1 : 1;
    return 0;
}

/* Keep p as the best plan when it is better: node cost, then `spread:
 * nodes` tenants over more nodes, then GPUs, then fewer stranded
 * slices. */
static void offer(nsolve *ns, mp_plan *p, double cost, int gpus)
{
    int st = stranded(p);
    node_spread(ns, p, ns->spread_try);
    int sc = ns->have ? spread_cmp(ns, ns->spread_try, ns->best_spread) : -1;
    bool better =
        !ns->have || cost < ns->best_cost - 1e-9 ||
        (cost < ns->best_cost + 1e-9 &&
         (sc < 0 ||
          (sc == 0 && (gpus < ns->best_gpus ||
                       (gpus == ns->best_gpus && st < ns->best_stranded)))));
    if (!better) {
        mp_plan_free(p);
        return;
    }
    memcpy(ns->best_spread, ns->spread_try,
           (size_t)ns->req->n_tenants * sizeof(int));
    /* the pins of the best plan, for respread */
    memcpy(ns->best_tenants, ns->sub.tenants,
           (size_t)ns->req->n_tenants * sizeof(mp_tenant));
    mp_plan_free(&ns->best);
    ns->best = *p;
    memset(p, 0, sizeof(*p));
    ns->have = true;
    ns->best_cost = cost;
    ns->best_gpus = gpus;
    ns->best_stranded = st;
}

/* Type k's share of the tensor-parallel replicas that no other type
 * takes, sizes largest first into size; how many. */
static int forced_groups(const nsolve *ns, int k, int *size)
{
    const mp_request *r = &ns->sub;
    int n = 0;
    for (int t = 0; t < r->n_tenants; t++) {
        int g = mp_tenant_gpus(&r->tenants[t]), types = 0;
        if (!r->tenants[t].whole_gpu || g <= 1 ||
            !mp_request_takes_whole(r, &r->tenants[t], k))
            continue;
        for (int j = 0; j < ns->ntypes; j++)
            types += mp_request_takes_whole(r, &r->tenants[t], j);
        for (int q = 0; q < r->tenants[t].replicas && types == 1; q++) {
            int x = n++;
            for (; x > 0 && size[x - 1] < g; x--)
                size[x] = size[x - 1];
            size[x] = g;
        }
    }
    return n;
}

/* False when v's nodes of some type are proven too few for the
 * tensor-parallel replicas only that type can take. */
static bool forced_fit(const nsolve *ns, const nvec *v, int *size)
{
    for (int k = 0; k < ns->ntypes; k++) {
        int n = forced_groups(ns, k, size);
        bool exact = false;
        int cap = ns->req->pools[ns->types[k].pool].gpus;
        int nb = n ? sv_bin_pack(size, n, cap, NULL, &exact) : 0;
        if (exact && nb > v->n[k])
            return false;
    }
    return true;
}

/* Cheaper vectors than the packing of the GPU optimum, cheapest first:
 * the first feasible one is the node optimum of this choice. */
static int try_vectors(nsolve *ns, double lo, double hi, bool *proven,
                       mp_diag *d)
{
    int units = 1;
    bool tp = false; /* tensor-parallel tenants (whole-gpu: N > 1) */
    for (int t = 0; t < ns->req->n_tenants; t++) {
        units += ns->req->tenants[t].replicas;
        tp |= ns->req->tenants[t].whole_gpu &&
              mp_tenant_gpus(&ns->req->tenants[t]) > 1;
    }
    nvec *v = malloc(MAX_VECTORS * sizeof(nvec));
    int *size = malloc((size_t)units * sizeof(int));
    if (!v || !size) {
        free(v);
        free(size);
        return MP_ENOMEM;
    }
    int over; /* vectors left out: proven only by a vector kept */
    int nv = sv_node_vectors(ns, lo, hi, v, MAX_VECTORS, &over);
    *proven &= over != 2;
    bool ended = false;
    int rc = 0;
    for (int k = 0; k < nv && !rc; k++) {
        /* past the deadline, go on only until there is a plan at all */
        if (sv_now() > ns->deadline && any_plan(ns)) {
            *proven = false;
            break;
        }
        if ((ended = v[k].cost > cost_bar(ns) + 1e-9))
            break; /* dearer than a plan found meanwhile */
        if (!forced_fit(ns, &v[k], size))
            continue;
        int cnt[MP_MAX_FLEET];
        for (int j = 0; j < ns->ntypes; j++)
            cnt[j] = v[k].n[j] * ns->req->pools[ns->types[j].pool].gpus;
        mp_plan p;
        rc = solve_sub(ns, cnt, 1, true, &p, d);
        if (rc)
            break;
        *proven &= p.feasible || !p.time_limit_hit;
        if (p.feasible) {
            int nn[MP_MAX_FLEET], gpus;
            double cost;
            bool exact = true;
            bool fits = sv_pack_counts(ns, &p, nn, &cost, &gpus, &exact);
            bool done = fits && cost < v[k].cost + 1e-9;
            if (fits)
                offer(ns, &p, cost, gpus);
            else
                mp_plan_free(&p);
            /* tensor-parallel replicas that do not pack into the vector's
             * nodes: another GPU plan might, which is not searched; without
             * them the first feasible vector is the optimum of this choice,
             * as its packing is */
            *proven &= (done || !tp) && exact;
            if ((ended = done || !tp))
                break;
            continue;
        }
        mp_plan_free(&p);
    }
    *proven &= over != 1 || ended; /* the vectors left out are dearer */
    free(v);
    free(size);
    return rc;
}

/* The cost of every node of every pool, a pool without a count taken as
 * one node per GPU the tenants ask (no optimum uses more). */
static double all_nodes_cost(const mp_request *r)
{
    int units = 0;
    for (int t = 0; t < r->n_tenants; t++)
        units += r->tenants[t].replicas * mp_tenant_gpus(&r->tenants[t]);
    double c = 0;
    for (int i = 0; i < r->n_pools; i++)
        c += (r->pools[i].count >= 0 ? r->pools[i].count : units) *
             r->pools[i].cost;
    return c;
}

/* The node optimum for the current pins. */
static int eval_choice(nsolve *ns, mp_diag *d)
{
    double single = sv_single_bound(ns);
    if (isinf(single) || single > cost_bar(ns) + 1e-9)
        return 0; /* no plan of these pins fits, or can win */
    mp_plan p;
    int rc = solve_pools(ns, 1, true, &p, d);
    if (rc)
        return rc;
    if (!p.feasible) {
        mp_plan_free(&p);
        return 0;
    }
    double lb = fmax(p.lower_bound, single), cost;
    int nn[MP_MAX_FLEET], gpus;
    bool proven = true;
    bool fits = sv_pack_counts(ns, &p, nn, &cost, &gpus, &proven);
    if (ns->pass && fits != (ns->pass == 1)) { /* the other pass's */
        ns->unfit += !fits;
        mp_plan_free(&p);
        return 0;
    }
    double hi = cost;
    if (fits) {
        offer(ns, &p, cost, gpus);
    } else {
        mp_plan_free(&p);
        hi = 1 + all_nodes_cost(ns->req);
    }
    if (hi > cost_bar(ns))
        hi = cost_bar(ns) + 1e-6; /* nothing dearer can win */
    rc = try_vectors(ns, lb, hi, &proven, d);
    ns->proven &= proven;
    if (!ns->any_lb || lb < ns->lower_bound)
        ns->lower_bound = lb;
    ns->any_lb = true;
    return rc;
}

/* The GPU optimum's bound for the current pins (later choosers unpinned):
 * a bound for every completion of them. *go is false when no completion
 * can beat the best plan or none is feasible. */
static int relax(nsolve *ns, bool *go, mp_diag *d)
{
    double single = sv_single_bound(ns);
    *go = !isinf(single) && single <= cost_bar(ns) + 1e-9;
    if (!*go)
        return 0;
    mp_plan p;
    int rc = solve_pools(ns, 0.1, false, &p, d);
    if (rc)
        return rc;
    if (!p.feasible) {
        *go = false;
    } else {
        *go = p.lower_bound <= cost_bar(ns) + 1e-9;
    }
    mp_plan_free(&p);
    return 0;
}

/* Every choice of profile for the same-profile tenants, branch and bound:
 * a choice for chooser k is followed only while the relaxation with the
 * later ones free can still match the best plan. */
static int each_choice(nsolve *ns, int k, mp_diag *d)
{
    if (k == ns->nchoosers)
        return eval_choice(ns, d);
    int rc = 0;
    mp_tenant *t = &ns->tenants[ns->choosers[k]];
    for (int c = 0; c < ns->ncand[k] && !rc; c++) {
        bool late = sv_now() > ns->deadline;
        if (late && any_plan(ns)) {
            ns->proven = false;
            break;
        }
        pin(t, &ns->cands[k][c]);
        bool go = true;
        /* past the deadline without a plan: straight to the first one
         * (the first candidates of the tenants left), no bounds */
        ns->proven &= !late;
        if (k + 1 < ns->nchoosers && !late)
            rc = relax(ns, &go, d);
        if (!rc && go)
            rc = each_choice(ns, k + 1, d);
    }
    pin(t, NULL);
    return rc;
}

/* ------------------------------------------------- spread over nodes */

/* The `spread: nodes` tenants of the best plan over its nodes: the GPU
 * solver once more, with the best plan's nodes per type fixed and every
 * GPU of them free (a GPU of a node already paid for costs nothing), so
 * that its spread over GPUs is bounded by the nodes, not by a GPU count.
 * The new plan replaces the best when it fits the same node cost and
 * spreads those tenants further; a time limit that leaves no room keeps
 * the best as it is and says so (spread_cut). */
static int respread(nsolve *ns, mp_plan *out, mp_diag *d)
{
    bool any = false;
    for (int t = 0; t < ns->req->n_tenants; t++)
        any |= ns->req->tenants[t].spread_nodes &&
               ns->req->tenants[t].replicas > 1;
    if (!any || !ns->have)
        return 0;
    if (sv_now() > ns->deadline) {
        out->spread_cut = true;
        return 0;
    }
    int nn[MP_MAX_FLEET], cnt[MP_MAX_FLEET], gpus;
    double cost, was[MP_MAX_FLEET];
    sv_pack_counts(ns, &ns->best, nn, &cost, &gpus, NULL);
    for (int k = 0; k < ns->ntypes; k++) {
        was[k] = ns->sub.fleet[k].cost;
        ns->sub.fleet[k].cost = 0;
        cnt[k] = nn[k] * ns->req->pools[ns->types[k].pool].gpus;
    }
    mp_plan p;
    ns->sub.tenants = ns->best_tenants; /* the best plan's pins */
    int rc = solve_sub(ns, cnt, 1, true, &p, d);
    ns->sub.tenants = ns->tenants;
    for (int k = 0; k < ns->ntypes; k++)
        ns->sub.fleet[k].cost = was[k];
    if (rc)
        return rc;
    out->spread_cut |= p.spread_cut || (!p.feasible && p.time_limit_hit);
    if (!p.feasible || !sv_pack_counts(ns, &p, nn, &cost, &gpus, NULL) ||
        cost > ns->best_cost + 1e-9) {
        mp_plan_free(&p);
        return 0;
    }
    offer(ns, &p, ns->best_cost, gpus);
    return 0;
}

/* -------------------------------------------------------- the solver */

/* A whole-GPU tenant no pool can serve, its model fitting: which pool
 * bites, one with nodes too small for the replica's GPUs (whole-gpu: N
 * keeps them on one node). A single-strategy pool serves whole GPUs on
 * nodes labelled all-disabled. */
static bool explain_whole(const nsolve *ns, mp_plan *out)
{
    const mp_request *r = ns->req;
    for (int t = 0; t < r->n_tenants; t++) {
        const mp_tenant *tn = &r->tenants[t];
        int small = -1, n = mp_tenant_gpus(tn);
        bool any = false;
        for (int i = 0; i < r->n_pools && tn->whole_gpu; i++) {
            const mp_node_pool *pl = &r->pools[i];
            if (!mp_tenant_takes_whole(tn, pl->model))
                continue;
            if (pl->gpus < n)
                small = small < 0 ? i : small;
            else
                any = true;
        }
        if (any || small < 0)
            continue;
        snprintf(out->reason, sizeof(out->reason),
                 "tenant %s (line %d) asks for %d whole GPUs on one node "
                 "(whole-gpu: %d), more than the nodes of pool %s have "
                 "(%d GPUs); add a pool with nodes of %d GPUs or more, "
                 "or lower whole-gpu",
                 tn->name, tn->line, n, n, r->pools[small].name,
                 r->pools[small].gpus, n);
        return true;
    }
    return false;
}

/* "pool P uses N nodes of G GPUs (it has C)" for each pool the plan p,
 * found without node limits, needs more of; true when there is one. */
static bool pools_short(const nsolve *ns, const mp_plan *p, char *msg, size_t n)
{
    const mp_request *r = ns->req;
    int nn[MP_MAX_FLEET], gpus, need[MP_MAX_FLEET] = {0};
    double cost;
    size_t k = 0;
    bool single = false;
    sv_pack_counts(ns, p, nn, &cost, &gpus, NULL);
    for (int t = 0; t < ns->ntypes; t++)
        need[ns->types[t].pool] += nn[t];
    for (int i = 0; i < r->n_pools; i++) {
        if (r->pools[i].count < 0 || need[i] <= r->pools[i].count)
            continue;
        single |= r->pools[i].strategy == MP_STRATEGY_SINGLE;
        mp_catf(msg, n, &k, "%spool %s: %d node%s of %d GPU%s (it has %d)",
                k ? "; " : "the tenants need more nodes than the pools have: ",
                r->pools[i].name, need[i], need[i] == 1 ? "" : "s",
                r->pools[i].gpus, r->pools[i].gpus == 1 ? "" : "s",
                r->pools[i].count);
    }
    if (k)
        mp_catf(msg, n, &k, "%s; raise count or add a pool",
                single ? " (under strategy: single each profile takes nodes "
                         "of its own)"
                       : "");
    return k > 0;
}

/* No plan within the node counts: how many nodes each pool would need
 * without limits, or, when even that fails, the GPU solver's reason. */
static int explain(nsolve *ns, mp_plan *out, mp_diag *d)
{
    int cnt[MP_MAX_FLEET];
    for (int k = 0; k < ns->ntypes; k++)
        cnt[k] = -1;
    mp_plan p;
    ns->explain = true; /* its reason is the plan's */
    int rc = solve_sub(ns, cnt, 1, true, &p, d);
    if (rc)
        return rc;
    if (!p.feasible || !pools_short(ns, &p, out->reason, sizeof(out->reason)))
        snprintf(out->reason, sizeof(out->reason), "%s",
                 p.feasible ? "no plan fits the pools' node counts within "
                              "the time limit; give more time or nodes"
                            : p.reason);
    mp_plan_free(&p);
    return 0;
}

static void nsolve_free(nsolve *ns)
{
    for (int k = 0; k < ns->nchoosers; k++)
        free(ns->cands[k]);
    free(ns->cands);
    free(ns->ncand);
    free(ns->choosers);
    free(ns->tenants);
    free(ns->best_spread);
    free(ns->best_tenants);
    free(ns->first_tenants);
    mp_plan_free(&ns->best);
    mp_plan_free(&ns->first);
}

/* Every choice, those whose GPU optimum packs into the pools first: their
 * plans bound the node counts the others must search. */
static int two_passes(nsolve *ns, mp_diag *d)
{
    ns->pass = 1;
    ns->unfit = 0;
    int rc = each_choice(ns, 0, d);
    if (rc || ns->unfit == 0) /* pass 2 would solve every choice again */
        return rc;
    ns->pass = 2;
    return each_choice(ns, 0, d);
}

/* The candidate of chooser k that GPU plan p gives most of its tenant's
 * replicas (a profile name, on a type of the candidate's strategy); -1
 * when p gives it none. */
static int root_choice(const nsolve *ns, const mp_plan *p, int k)
{
    int t = ns->choosers[k], best = -1, most = 0;
    for (int c = 0; c < ns->ncand[k]; c++) {
        const cand *v = &ns->cands[k][c];
        int n = 0;
        for (int s = 0; s < p->n_gpus; s++) {
            const mp_plan_gpu *g = &p->gpus[s];
            if (!g->used || (ns->types[g->fleet].prof >= 0) != v->single)
                continue;
            const mp_layout *l = &g->layout.gis;
            for (int q = 0; q < l->n; q++)
                n += g->tenant[q] == t &&
                     strcmp(l->model->profiles[l->gi[q].profile].name,
                            v->name) == 0;
        }
        if (n > most) {
            most = n;
            best = c;
        }
    }
    return best;
}

/* Every same-profile tenant pinned to the profile GPU plan p gives most of
 * its replicas, and that choice evaluated (pass 0: either pass's). */
static int eval_pins_of(nsolve *ns, const mp_plan *p, mp_diag *d)
{
    int rc = 0, k = 0;
    for (; k < ns->nchoosers; k++) {
        int c = root_choice(ns, p, k);
        if (c < 0)
            break;
        pin(&ns->tenants[ns->choosers[k]], &ns->cands[k][c]);
    }
    if (k == ns->nchoosers) {
        ns->pass = 0;
        rc = eval_choice(ns, d);
    }
    for (k = 0; k < ns->nchoosers; k++)
        pin(&ns->tenants[ns->choosers[k]], NULL);
    return rc;
}

/* The GPU optimum without pins sees each type of a single pool with all
 * the pool's nodes, so it may pack into more nodes than a pool has (and
 * its pins then into a dear plan). Repair it a node at a time: for each
 * type of an overfull pool, the GPU optimum with a node less of that type,
 * its pins evaluated; the cheapest packing goes on to the next round. */
static int repair_root(nsolve *ns, const mp_plan *p0, mp_diag *d)
{
    int cnt[MP_MAX_FLEET], nn[MP_MAX_FLEET], qn[MP_MAX_FLEET], gpus;
    double cost;
    if (sv_pack_counts(ns, p0, nn, &cost, &gpus, NULL))
        return 0;
    for (int k = 0; k < ns->ntypes; k++)
        cnt[k] = ns->req->fleet[ns->types[k].pool].count;
    int rc = 0;
    for (int round = 0; round < 4 && !rc && sv_now() < ns->deadline; round++) {
        int used[MP_MAX_FLEET] = {0}, cut = -1, next[MP_MAX_FLEET];
        double least = INFINITY;
        bool fits = false;
        for (int k = 0; k < ns->ntypes; k++)
            used[ns->types[k].pool] += nn[k];
        for (int k = 0; k < ns->ntypes && !rc && !fits; k++) {
            const mp_node_pool *pl = &ns->req->pools[ns->types[k].pool];
            if (!nn[k] || pl->count < 0 || used[ns->types[k].pool] <= pl->count)
                continue;
            int was = cnt[k];
            cnt[k] = (nn[k] - 1) * pl->gpus;
            mp_plan q;
            rc = solve_sub(ns, cnt, 0.1, false, &q, d);
            cnt[k] = was;
            if (rc)
                break;
            if (q.feasible) {
                fits = sv_pack_counts(ns, &q, qn, &cost, &gpus, NULL);
                rc = eval_pins_of(ns, &q, d);
                if (cost < least) {
                    least = cost;
                    cut = k;
                    memcpy(next, qn, sizeof(next));
                }
            }
            mp_plan_free(&q);
        }
        if (rc || cut < 0 || fits)
            break;
        cnt[cut] = (nn[cut] - 1) * ns->req->pools[ns->types[cut].pool].gpus;
        memcpy(nn, next, sizeof(nn));
    }
    return rc;
}

/* A first plan before the search of choices: every same-profile tenant
 * pinned to the profile the GPU optimum without pins (p) gives most of its
 * replicas. The search takes the choices tenant by tenant, a relaxation
 * per step, so that with many tenants its first plan comes late (when the
 * time is up, from the first candidate of each tenant left). This plan
 * bounds the search from the start and is set aside (ns->first): the
 * search's own best wins every tie with it (keep_first), so a search that
 * finishes answers as it would without it. */
static int root_incumbent(nsolve *ns, const mp_plan *p, mp_diag *d)
{
    int rc = eval_pins_of(ns, p, d);
    if (!rc)
        rc = repair_root(ns, p, d);
    if (rc || !ns->have)
        return rc;
    size_t nt = (size_t)ns->req->n_tenants;
    ns->first_tenants = malloc(nt * sizeof(mp_tenant));
    if (!ns->first_tenants)
        return MP_ENOMEM;
    memcpy(ns->first_tenants, ns->best_tenants, nt * sizeof(mp_tenant));
    ns->first = ns->best;
    memset(&ns->best, 0, sizeof(ns->best));
    ns->have_first = true;
    ns->have = false;
    ns->first_cost = ns->best_cost;
    ns->first_gpus = ns->best_gpus;
    return 0;
}

/* The root incumbent back in the running, after the search's plans. */
static void keep_first(nsolve *ns)
{
    if (!ns->have_first)
        return;
    ns->sub.tenants = ns->first_tenants; /* its pins, for offer */
    offer(ns, &ns->first, ns->first_cost, ns->first_gpus);
    ns->sub.tenants = ns->tenants;
    ns->have_first = false;
}

/* The search over choices and node counts; ns->best when there is a plan.
 * The bound without pins holds for every choice. */
static int search(nsolve *ns, mp_diag *d)
{
    int rc = setup_choices(ns);
    ns->proven = true;
    if (rc || ns->nchoosers <= 1)
        return rc ? rc : two_passes(ns, d);
    /* half the time at most: on a big request the GPU optimum without pins
     * is not proven in any time, and what it leaves is for the root
     * incumbent's own solve (root_incumbent), the first plan */
    mp_plan p;
    rc = solve_pools(ns, 0.5, false, &p, d);
    if (rc)
        return rc;
    bool feasible = p.feasible;
    ns->lower_bound = p.lower_bound;
    ns->any_lb = feasible;
    if (feasible)
        rc = root_incumbent(ns, &p, d);
    mp_plan_free(&p);
    /* a bound with node boundaries: it proves a plan that costs as much */
    double lattice = -INFINITY;
    if (!rc && feasible)
        rc = sv_lattice_bound(ns, ns->lower_bound, cost_bar(ns), solve_sub,
                              &lattice, d);
    /* no choice is feasible when the relaxation of them all is not */
    if (!rc && feasible)
        rc = two_passes(ns, d);
    keep_first(ns);
    if (ns->any_lb && lattice > ns->lower_bound)
        ns->lower_bound = lattice;
    ns->proven |= ns->have && ns->best_cost <= ns->lower_bound + 1e-9;
    return rc;
}

static void finish(nsolve *ns, mp_plan *out)
{
    out->feasible = true;
    out->optimal = ns->proven;
    out->lower_bound =
        ns->proven ? out->cost : round(ns->lower_bound * 1e6) / 1e6;
    out->time_limit_hit = sv_now() > ns->deadline;
    out->integral_costs = true;
    for (int i = 0; i < ns->req->n_pools; i++)
        out->integral_costs &=
            ns->req->pools[i].cost == floor(ns->req->pools[i].cost);
    out->classes = ns->best.classes;
    out->patterns = ns->best.patterns;
    out->columns = ns->best.columns;
    out->rows = ns->best.rows;
    out->lp_solves = ns->solves;
}

int sv_nodes_solve(const mp_db *db, const mp_request *req,
                   const mp_solve_opts *o, mp_plan *out, mp_diag *d)
{
    double t0 = sv_now();
    nsolve ns;
    memset(&ns, 0, sizeof(ns));
    memset(out, 0, sizeof(*out));
    out->req = req;
    ns.db = db;
    ns.req = req;
    ns.o = o;
    double limit = o->time_limit > 0 ? o->time_limit : 5.0;
    ns.t0 = t0;
    ns.cpu0 = sv_cpu_now();
    ns.limit_end = t0 + limit;
    ns.deadline = t0 + limit - fmin(0.1 * limit, 0.25);
    ns.post = sv_nodes_post_cpu(req);
    int rc = setup_types(&ns);
    if (rc == MP_ELIMIT)
        rc = mp_diag_set(d, rc, req->path, 0, 0,
                         "more than %d node types (a single-strategy pool "
                         "counts once per profile); use fewer pools",
                         MP_MAX_FLEET);
    else if (rc)
        rc = mp_diag_set(d, rc, req->path, 0, 0, "out of memory");
    double ts = sv_now();
    if (!rc && !explain_whole(&ns, out)) {
        rc = search(&ns, d);
        if (rc && rc != MP_ENOMEM && rc != MP_ELIMIT && rc != MP_EINTERNAL)
            rc = mp_diag_set(d, MP_EINTERNAL, req->path, 0, 0,
                             "internal error while solving; please report it");
        else if (rc == MP_ENOMEM)
            rc = mp_diag_set(d, rc, req->path, 0, 0, "out of memory");
    }
    double t1 = sv_now();
    if (!rc)
        rc = respread(&ns, out, d);
    double t2 = sv_now();
    if (!rc && ns.have) {
        rc = sv_build_nodes(&ns, out);
        if (rc)
            rc = mp_diag_set(d, rc, req->path, 0, 0,
                             rc == MP_ENOMEM ? "out of memory"
                                             : "internal error while packing "
                                               "nodes; please report it");
    }
    if (!rc && ns.have)
        finish(&ns, out);
    else if (!rc && !out->reason[0])
        rc = explain(&ns, out, d);
    out->seconds = sv_now() - t0;
    nsolve_free(&ns);
    double t3 = sv_now();
    if (!rc && out->feasible)
        rc = sv_self_check(out, d);
    /* the warnings of the node plan itself (node names, node indices) */
    if (!rc && mp_plan_warn(out, &out->warnings))
        rc = mp_diag_set(d, MP_ENOMEM, NULL, 0, 0, "out of memory");
    /* -v: the search (every GPU solve in it), spreading, packing, checking */
    out->search_seconds = t1 - ts;
    out->spread_seconds = t2 - t1;
    out->build_seconds = t3 - t2;
    out->check_seconds = sv_now() - t3;
    if (rc)
        mp_plan_free(out);
    return rc;
}
