// SPDX-License-Identifier: Apache-2.0
/* current_joint.c - the busy GPUs' layouts chosen together.
 *
 * Each busy GPU has its targets (current_busy.c), one per vector of
 * instance counts. A choice of one target per GPU gives a supply of
 * instances per supply group (a model and what its fleet entries offer:
 * their profiles and whether whole GPUs only, so that a tenant pinned to
 * one pool kind gets no instance of another) and profile; a max-flow from
 * those to the tenants still to place says what they serve. Tenants are added
 * to the flow largest first (weight: the memory and compute of the smallest
 * profile they take), which gives the most weight served: the replicas one
 * instance each can serve form a transversal matroid, on which the greedy
 * order is exact. The choice is improved one GPU at a time (the target
 * serving the most weight, then changing the fewest instances, given the
 * others) until no GPU improves, from the state kept as it is, from each
 * GPU's own best, and from random starts while time allows. The layouts
 * then get the flow's tenants; new instances serving nobody are not made.
 */
#include "current_internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "migplan/solver/maxflow.h"

static uint64_t cnt_hash(const int *cnt)
{
    uint64_t h = 1469598103934665603ull;
    for (int p = 0; p < MP_MAX_PROFILES; p++)
        h = (h ^ (uint64_t)(unsigned)cnt[p]) * 1099511628211ull;
    return h;
}

/* Does a change less than b: in use destroyed, destroyed, created, size? */
static bool changes_less(const cur_opt *a, const cur_opt *b)
{
    if (a->in_use_destroyed != b->in_use_destroyed)
        return a->in_use_destroyed < b->in_use_destroyed;
    if (a->destroyed != b->destroyed)
        return a->destroyed < b->destroyed;
    if (a->created != b->created)
        return a->created < b->created;
    return a->size < b->size;
}

static bool grow(cur_opts *o)
{
    if (o->n < o->cap)
        return true;
    int cap = o->cap ? 2 * o->cap : 64, hcap = 4 * cap;
    cur_opt *v = realloc(o->v, (size_t)cap * sizeof(*v));
    int *slot = v ? malloc((size_t)hcap * sizeof(*slot)) : NULL;
    if (v)
        o->v = v;
    if (!slot)
        return false;
    for (int i = 0; i < hcap; i++)
        slot[i] = -1;
    for (int i = 0; i < o->n; i++) {
        size_t h = (size_t)(cnt_hash(o->v[i].cnt) & (uint64_t)(hcap - 1));
        while (slot[h] >= 0)
            h = (h + 1) & (size_t)(hcap - 1);
        slot[h] = i;
    }
    free(o->slot);
    o->slot = slot;
    o->cap = cap;
    o->hcap = hcap;
    return true;
}

void cur_opts_add(cur_opts *o, const cur_opt *x)
{
    if (o->nomem || !grow(o)) {
        o->nomem = true;
        return;
    }
    size_t mask = (size_t)(o->hcap - 1);
    size_t h = (size_t)cnt_hash(x->cnt) & mask;
    for (; o->slot[h] >= 0; h = (h + 1) & mask) {
        cur_opt *y = &o->v[o->slot[h]];
        if (memcmp(y->cnt, x->cnt, sizeof(x->cnt)) != 0)
            continue;
        if (changes_less(x, y))
            *y = *x;
        return;
    }
    o->slot[h] = o->n;
    o->v[o->n++] = *x;
}

void cur_opts_free(cur_opts *o)
{
    free(o->v);
    free(o->slot);
    memset(o, 0, sizeof(*o));
}

/* One busy GPU: its targets, the one chosen, its instances by name. */
typedef struct jgpu {
    cur_gpu *g;
    const mp_gpu_state *s; /* its state (CUR_SMALL: maybe an empty one) */
    bool may_off;          /* CUR_SMALL: may be left as it is */
    int model;             /* its supply group: index into joint.models */
    cur_opts o;
    int pick;
    int fixed[MP_MAX_GIS];
} jgpu;

typedef struct joint {
    cur *c;
    jgpu *v;
    int n;
    /* the supply groups: model, and a fleet entry offering what all the
     * group's entries offer (cur_takes) */
    const mp_model *models[MP_MAX_FLEET];
    int fleet[MP_MAX_FLEET];
    int nm;
    int *order;        /* tenants, largest first */
    long long *weight; /* per tenant */
    int nt;
    long long supply[MP_MAX_FLEET][MP_MAX_PROFILES];
    int in_use_destroyed; /* by the picks */
    long evals;           /* flows computed: the random starts' budget */
    unsigned rng;
} joint;

/* The smallest profile tenant t takes on any model: its weight. */
static long long tenant_weight(const joint *j, const mp_tenant *t)
{
    long long w = -1;
    for (int m = 0; m < j->nm; m++)
        for (int p = 0; p < j->models[m]->n_profiles; p++) {
            const mp_gi_profile *pr = &j->models[m]->profiles[p];
            long long x = pr->memory_slices * 16LL + pr->compute_slices;
            if (mp_tenant_takes_profile(t, j->models[m], p) && (w < 0 || x < w))
                w = x;
        }
    return w < 0 ? 0 : w;
}

/* The flow of the current supply; NULL when out of memory. edge[m * P *
 * nt + p * nt + t]: the edge from supply (m, p) to tenant t, or -1. */
static mp_flow *flow_of(const joint *j, int *edge)
{
    const mp_request *r = j->c->req;
    int P = MP_MAX_PROFILES, nsup = j->nm * P, src = nsup + j->nt;
    mp_flow *f = mp_flow_new(nsup + j->nt + 2);
    bool ok = f != NULL;
    for (int m = 0; m < j->nm && ok; m++)
        for (int p = 0; p < P && ok; p++) {
            int at = m * P + p;
            for (int t = 0; t < j->nt; t++)
                edge[at * j->nt + t] = -1;
            if (j->supply[m][p] == 0)
                continue;
            ok = mp_flow_add_edge(f, src, at, j->supply[m][p]) >= 0;
            for (int t = 0; t < j->nt && ok; t++)
                if (j->c->left[t] > 0 && !cur_whole(&r->tenants[t]) &&
                    cur_takes(r, t, j->fleet[m], j->models[m], p))
                    ok = (edge[at * j->nt + t] = mp_flow_add_edge(
                              f, at, nsup + t, j->supply[m][p])) >= 0;
        }
    /* largest first: the greedy order of the matroid */
    for (int i = 0; i < j->nt && ok; i++) {
        int t = j->order[i];
        if (j->c->left[t] <= 0)
            continue;
        ok = mp_flow_add_edge(f, nsup + t, src + 1, j->c->left[t]) >= 0;
        mp_flow_max(f, src, src + 1);
    }
    if (!ok) {
        mp_flow_free(f);
        return NULL;
    }
    return f;
}

/* The weight the current supply serves; -1 when out of memory. */
static long long value(joint *j, int *edge)
{
    j->evals++;
    mp_flow *f = flow_of(j, edge);
    if (!f)
        return -1;
    long long v = 0;
    for (int e = 0; e < j->nm * MP_MAX_PROFILES * j->nt; e++)
        if (edge[e] >= 0)
            v += mp_flow_edge_flow(f, edge[e]) * j->weight[e % j->nt];
    mp_flow_free(f);
    return v;
}

static void supply_add(joint *j, const jgpu *x, int pick, int sign)
{
    if (pick < 0)
        return;
    for (int p = 0; p < MP_MAX_PROFILES; p++)
        j->supply[x->model][p] += sign * x->o.v[pick].cnt[p];
}

/* Is (va, a) better than (vb, b): more weight, then fewer changes? */
static bool improves(long long va, const cur_opt *a, long long vb,
                     const cur_opt *b)
{
    return va != vb ? va > vb : changes_less(a, b);
}

/* x's best target given the others' supply (x's own not in it), within
 * the budget: `from` (-1: none), unless another beats it (value from_v).
 * *v gets its value, -1 when out of memory. */
static int best_target(joint *j, const jgpu *x, int from, long long from_v,
                       int *edge, long long *v)
{
    int best = from;
    int others =
        j->in_use_destroyed - (from >= 0 ? x->o.v[from].in_use_destroyed : 0);
    *v = from_v;
    for (int k = 0; k < x->o.n; k++) {
        if (k == from ||
            others + x->o.v[k].in_use_destroyed > j->c->disrupt_budget)
            continue;
        supply_add(j, x, k, 1);
        long long val = value(j, edge);
        supply_add(j, x, k, -1);
        if (val < 0) {
            *v = -1;
            return best;
        }
        if (best < 0 || improves(val, &x->o.v[k], *v, &x->o.v[best]))
            best = k, *v = val;
    }
    return best;
}

/* Each GPU in turn takes its best target given the others, until none
 * changes. Returns the value, or -1 when out of memory. */
static long long descend(joint *j, int *edge)
{
    long long cur_v = value(j, edge);
    for (bool moved = true; moved && cur_v >= 0;) {
        moved = false;
        for (int i = 0; i < j->n && cur_v >= 0; i++) {
            jgpu *x = &j->v[i];
            supply_add(j, x, x->pick, -1);
            int best = best_target(j, x, x->pick, cur_v, edge, &cur_v);
            supply_add(j, x, best, 1);
            j->in_use_destroyed += x->o.v[best].in_use_destroyed -
                                   x->o.v[x->pick].in_use_destroyed;
            moved = moved || best != x->pick;
            x->pick = best;
        }
    }
    return cur_v;
}

/* Start from picks (-1: chosen in turn, each the best given those before
 * it) and descend; keep the result in best[] when it beats *best_v. */
static int start_from(joint *j, int *edge, int *best, long long *best_v,
                      cur_opt *best_ch)
{
    memset(j->supply, 0, sizeof(j->supply));
    j->in_use_destroyed = 0;
    for (int i = 0; i < j->n; i++) {
        supply_add(j, &j->v[i], j->v[i].pick, 1);
        j->in_use_destroyed +=
            j->v[i].pick >= 0 ? j->v[i].o.v[j->v[i].pick].in_use_destroyed : 0;
    }
    for (int i = 0; i < j->n; i++) {
        jgpu *x = &j->v[i];
        if (x->pick >= 0)
            continue;
        long long bv;
        x->pick = best_target(j, x, -1, -1, edge, &bv);
        if (x->pick < 0) /* keeping the state is always within budget */
            return bv < 0 && x->o.n > 0 ? MP_EINTERNAL : MP_ENOMEM;
        if (bv < 0)
            return MP_ENOMEM;
        supply_add(j, x, x->pick, 1);
        j->in_use_destroyed += x->o.v[x->pick].in_use_destroyed;
    }
    long long v = descend(j, edge);
    if (v < 0)
        return MP_ENOMEM;
    cur_opt ch = {.in_use_destroyed = 0};
    for (int i = 0; i < j->n; i++) {
        const cur_opt *o = &j->v[i].o.v[j->v[i].pick];
        ch.in_use_destroyed += o->in_use_destroyed;
        ch.destroyed += o->destroyed;
        ch.created += o->created;
        ch.size += o->size;
    }
    if (*best_v < 0 || improves(v, &ch, *best_v, best_ch)) {
        *best_v = v;
        *best_ch = ch;
        for (int i = 0; i < j->n; i++)
            best[i] = j->v[i].pick;
    }
    return 0;
}

static int rnd(joint *j, int n)
{
    j->rng = j->rng * 1103515245u + 12345u;
    return (int)((j->rng >> 16) % (unsigned)n);
}

#define MAX_EVALS 200000 /* flows the random starts may compute */

/* The picks: kept as they are, chosen in turn, then random starts while
 * the budget allows and not all is served. */
static int choose(joint *j, int *edge, long long total)
{
    int *best = malloc((size_t)(j->n ? j->n : 1) * sizeof(*best));
    if (!best)
        return MP_ENOMEM;
    long long best_v = -1;
    cur_opt best_ch = {.destroyed = 0};
    for (int i = 0; i < j->n; i++) {
        j->v[i].pick = 0;
        for (int k = 1; k < j->v[i].o.n; k++)
            if (changes_less(&j->v[i].o.v[k], &j->v[i].o.v[j->v[i].pick]))
                j->v[i].pick = k;
    }
    int rc = start_from(j, edge, best, &best_v, &best_ch);
    for (int i = 0; i < j->n; i++)
        j->v[i].pick = -1;
    if (!rc)
        rc = start_from(j, edge, best, &best_v, &best_ch);
    /* a budget of flows, not of time, so that plans do not depend on the
     * machine's load; a twentieth of the time left stops it regardless */
    double until = sv_now() + (j->c->deadline - sv_now()) / 20;
    long budget = j->evals + MAX_EVALS;
    for (int it = 0; !rc && best_v < total && it < 200 && j->evals < budget &&
                     sv_now() < until;
         it++) {
        for (int i = 0; i < j->n; i++) {
            jgpu *x = &j->v[i];
            x->pick = rnd(j, 4) == 0 ? -1 : rnd(j, x->o.n);
            if (x->pick >= 0 && x->o.v[x->pick].in_use_destroyed > 0)
                x->pick = -1; /* chosen in turn, within the budget */
        }
        rc = start_from(j, edge, best, &best_v, &best_ch);
    }
    for (int i = 0; i < j->n; i++)
        j->v[i].pick = best[i];
    free(best);
    return rc;
}

/* GPU x's layout as picked, its instances serving what the flow gives
 * (y per model, profile and tenant): kept ones in the state's order, then
 * the new ones that serve someone. */
static int lay_out(joint *j, jgpu *x, long long *y)
{
    cur *c = j->c;
    const mp_gpu_state *s = x->s;
    if (x->pick < 0)
        return 0; /* CUR_SMALL: left as it is */
    const mp_layout *l = &x->o.v[x->pick].l;
    mp_plan_gpu *pg = &x->g->pg;
    x->g->taken = true;
    sv_plan_gpu_init(pg, x->g->fleet, l->model, true, -1);
    int kq[MP_MAX_GIS], tq[MP_MAX_GIS];
    for (int q = 0; q < l->n; q++) {
        kq[q] = -1;
        for (int i = 0; i < s->layout.gis.n && kq[q] < 0; i++)
            if (s->layout.gis.gi[i].profile == l->gi[q].profile &&
                s->layout.gis.gi[i].start == l->gi[q].start)
                kq[q] = i;
        tq[q] = kq[q] >= 0 ? x->fixed[kq[q]] : -1;
    }
    /* the flow's replicas: first to the instances in use named like
     * their tenant, then to the other kept ones, then to new ones */
    for (int pass = 0; pass < 3; pass++)
        for (int q = 0; q < l->n; q++) {
            int k = kq[q];
            const char *proc =
                k >= 0 && s->gi[k].n_processes > 0 ? s->gi[k].process : NULL;
            if (tq[q] >= 0 || (pass == 0 && !proc) || (pass < 2 && k < 0) ||
                (pass == 2 && k >= 0))
                continue;
            long long *yp =
                &y[(x->model * MP_MAX_PROFILES + l->gi[q].profile) * j->nt];
            for (int u = 0; tq[q] < 0 && u < j->nt; u++)
                if (yp[u] > 0 &&
                    (pass > 0 || strcmp(proc, c->req->tenants[u].name) == 0)) {
                    yp[u]--;
                    c->left[u]--;
                    tq[q] = u;
                }
        }
    for (int pass = 0; pass < 2; pass++)
        for (int q = 0; q < l->n; q++) {
            if ((kq[q] >= 0) != (pass == 0) || (kq[q] < 0 && tq[q] < 0))
                continue; /* in order; a new instance serving nobody */
            int at = mp_gpu_layout_add(&pg->layout, l->gi[q].profile,
                                       l->gi[q].start);
            if (at < 0)
                return MP_EINTERNAL;
            pg->tenant[at] = tq[q];
        }
    pg->layout.driver_order = pg->layout.driver_exact = false;
    return 0;
}

/* Do GPUs of model m and fleet entry f supply group k: the same model,
 * profiles offered and whole-GPU rule? */
static bool same_group(const joint *j, int k, const mp_model *m, int f)
{
    const mp_fleet_item *a = &j->c->req->fleet[j->fleet[k]],
                        *b = &j->c->req->fleet[f];
    return j->models[k] == m && a->profiles == b->profiles &&
           a->whole_only == b->whole_only;
}

/* The weights and order of the tenants, the supply groups and the busy
 * GPUs' targets (CUR_SMALL: every GPU's). */
static int setup(joint *j)
{
    cur *c = j->c;
    bool all = c->mode & CUR_SMALL;
    for (int k = 0; k < c->n; k++) {
        cur_gpu *g = &c->g[k];
        if (g->aside || (g->kind != CUR_BUSY && !all))
            continue;
        jgpu *x = &j->v[j->n++];
        memset(x, 0, sizeof(*x));
        x->g = g;
        x->s = g->st ? g->st : &c->empty[k];
        x->may_off = all && !cur_counts_busy(c, g); /* left as it is */
        const mp_model *m = x->s->layout.gis.model;
        for (x->model = 0;
             x->model < j->nm && !same_group(j, x->model, m, g->fleet);)
            x->model++;
        if (x->model == j->nm) {
            j->fleet[j->nm] = g->fleet;
            j->models[j->nm++] = m;
        }
        int rc = cur_busy_options(c, x->s, g->fleet, c->left,
                                  c->disrupt_budget > 0 || g->relaxed, x->fixed,
                                  &x->o);
        if (rc)
            return rc;
        if (x->o.n == 0)
            return MP_EINTERNAL; /* the state itself always qualifies */
        c->exact = c->exact && !x->o.cut;
    }
    for (int t = 0; t < j->nt; t++) {
        j->weight[t] = tenant_weight(j, &c->req->tenants[t]);
        j->order[t] = t;
    }
    for (int a = 1; a < j->nt; a++) /* insertion sort: stable */
        for (int b = a;
             b > 0 && j->weight[j->order[b]] > j->weight[j->order[b - 1]];
             b--) {
            int tmp = j->order[b];
            j->order[b] = j->order[b - 1];
            j->order[b - 1] = tmp;
        }
    return 0;
}

/* The picks' flow per model, profile and tenant into y. */
static int flows(joint *j, int *edge, long long *y)
{
    memset(j->supply, 0, sizeof(j->supply));
    for (int i = 0; i < j->n; i++)
        supply_add(j, &j->v[i], j->v[i].pick, 1);
    mp_flow *f = flow_of(j, edge);
    if (!f)
        return MP_ENOMEM;
    for (int e = 0; e < j->nm * MP_MAX_PROFILES * j->nt; e++)
        y[e] = edge[e] >= 0 ? mp_flow_edge_flow(f, edge[e]) : 0;
    mp_flow_free(f);
    return 0;
}

/* CUR_SMALL: the best combination so far and the walk's budget. */
typedef struct small {
    joint *j;
    int *edge, *best;
    long long total;
    bool have, nomem;
    double cost; /* of the best: its GPUs' cost, then its changes */
    int ch[3];
    long leaves;
} small;

#define SMALL_LEAVES 300000L /* combinations weighed at most */

/* Is (cost, ch) at least as much as the best? The changes only grow
 * along the walk, so such a partial combination leads nowhere better. */
static bool small_no_better(const small *s, double cost, const int *ch)
{
    if (!s->have)
        return false;
    if (cost > s->cost + 1e-9 || cost < s->cost - 1e-9)
        return cost > s->cost;
    for (int k = 0; k < 3; k++)
        if (ch[k] != s->ch[k])
            return ch[k] > s->ch[k];
    return true;
}

/* GPUs i.. of the walk, the others picked: cost and ch so far. */
static void small_walk(small *s, int i, double cost, const int *ch)
{
    joint *j = s->j;
    if (s->nomem || s->leaves > SMALL_LEAVES || small_no_better(s, cost, ch))
        return;
    if (i == j->n) {
        /* past the deadline the search stops, unproven */
        if (++s->leaves % 1024 == 0 && sv_now() > j->c->deadline)
            s->leaves = SMALL_LEAVES + 1;
        long long v = value(j, s->edge);
        s->nomem = v < 0;
        if (v != s->total)
            return;
        s->have = true;
        s->cost = cost;
        memcpy(s->ch, ch, sizeof(s->ch));
        for (int k = 0; k < j->n; k++)
            s->best[k] = j->v[k].pick;
        return;
    }
    jgpu *x = &j->v[i];
    if (x->may_off) {
        x->pick = -1;
        small_walk(s, i + 1, cost, ch);
    }
    double gc = j->c->req->fleet[x->g->fleet].cost;
    for (int k = 0; k < x->o.n; k++) {
        const cur_opt *o = &x->o.v[k];
        int nch[3] = {ch[0] + o->in_use_destroyed, ch[1] + o->destroyed,
                      ch[2] + o->created};
        x->pick = k;
        supply_add(j, x, k, 1);
        small_walk(s, i + 1, cost + gc, nch);
        supply_add(j, x, k, -1);
    }
}

/* Every combination of the GPUs' targets: the picks of the best, or
 * c->small_blocked. */
static int choose_small(joint *j, int *edge, long long total)
{
    small s = {.j = j, .edge = edge, .total = total};
    for (int t = 0; t < j->nt; t++)
        if (j->c->left[t] > 0 && j->weight[t] == 0) {
            j->c->small_blocked = true; /* no profile here serves it */
            return 0;
        }
    s.best = malloc((size_t)(j->n ? j->n : 1) * sizeof(*s.best));
    if (!s.best)
        return MP_ENOMEM;
    memset(j->supply, 0, sizeof(j->supply));
    int ch[3] = {0, 0, 0};
    small_walk(&s, 0, 0, ch);
    j->c->exact = j->c->exact && s.leaves <= SMALL_LEAVES;
    j->c->small_blocked = !s.have || s.leaves > SMALL_LEAVES;
    for (int k = 0; k < j->n; k++)
        j->v[k].pick = s.have ? s.best[k] : -1;
    free(s.best);
    return s.nomem ? MP_ENOMEM : 0;
}

/* The busy GPUs (CUR_SMALL: all) laid out together. */
static int place_joint(cur *c, bool all)

{
    int nt = c->req->n_tenants, ne = MP_MAX_FLEET * MP_MAX_PROFILES * nt;
    joint j = {.c = c, .nt = nt, .rng = 2463534242u};
    j.v = calloc((size_t)(c->n ? c->n : 1), sizeof(*j.v));
    j.order = calloc((size_t)(nt ? nt : 1), sizeof(*j.order));
    j.weight = calloc((size_t)(nt ? nt : 1), sizeof(*j.weight));
    int *edge = calloc((size_t)(ne ? ne : 1), sizeof(*edge));
    long long *y = calloc((size_t)(ne ? ne : 1), sizeof(*y));
    int rc = j.v && j.order && j.weight && edge && y ? setup(&j) : MP_ENOMEM;
    long long total = 0;
    for (int t = 0; t < nt && !rc; t++)
        total += c->left[t] > 0 && !cur_whole(&c->req->tenants[t])
                     ? c->left[t] * j.weight[t]
                     : 0;
    if (!rc && j.n > 0)
        rc = all ? choose_small(&j, edge, total) : choose(&j, edge, total);
    if (!rc && j.n > 0 && !c->small_blocked)
        rc = flows(&j, edge, y);
    for (int i = 0; i < j.n && !rc && !c->small_blocked; i++)
        rc = lay_out(&j, &j.v[i], y);
    for (int i = 0; i < j.n; i++)
        cur_opts_free(&j.v[i].o);
    free(j.v);
    free(j.order);
    free(j.weight);
    free(edge);
    free(y);
    return rc;
}

int cur_place_busy_joint(cur *c)
{
    return place_joint(c, false);
}

/* Can c be searched whole: plain tenants (no whole GPUs, no spreading),
 * a few GPUs, each listed by a fleet entry with a count, offering every
 * profile, and MIG on or to be set up? */
static bool small_fits(const cur *c)
{
    const mp_request *r = c->req;
    if (c->n < 1 || c->n > 3)
        return false;
    for (int i = 0; i < r->n_fleet; i++)
        if (r->fleet[i].count < 0 || r->fleet[i].profiles ||
            r->fleet[i].whole_only)
            return false;
    for (int t = 0; t < r->n_tenants; t++) {
        const mp_tenant *tn = &r->tenants[t];
        if (cur_whole(tn) || tn->spread || tn->spread_nodes || tn->pin ||
            tn->n_models > 0)
            return false;
    }
    for (int k = 0; k < c->n; k++)
        if (c->g[k].kind == CUR_HELD ||
            (c->g[k].st && !c->g[k].st->layout.mig_enabled))
            return false;
    return true;
}

int cur_place_small(cur *c)
{
    c->exact = small_fits(c);
    c->small_blocked = !c->exact;
    if (!c->exact)
        return 0;
    c->empty = calloc((size_t)(c->n > 0 ? c->n : 1), sizeof(*c->empty));
    if (!c->empty)
        return MP_ENOMEM;
    for (int k = 0; k < c->n; k++)
        mp_gpu_state_init(&c->empty[k], k, c->req->fleet[c->g[k].fleet].model);
    int rc = place_joint(c, true);
    free(c->empty);
    c->empty = NULL;
    return rc;
}
