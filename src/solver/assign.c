/* SPDX-License-Identifier: Apache-2.0 */
/* assign.c - from an integral choice of GPUs to replicas in slots.
 *
 * For integral x (GPUs per geometry) and w (whole GPUs), which replicas
 * can go where is a transportation problem, solved exactly by max-flow:
 * source -> class (its demand) -> (entry, profile) -> (entry, geometry,
 * profile) -> sink (the slots the chosen GPUs offer). A capped class goes
 * through (class, entry, geometry) nodes instead, at most cap times the
 * number of such GPUs. The flow on each y and v edge is the integral
 * number of replicas, which sv_expand then hands out GPU by GPU.
 */
#include "solver_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "migplan/solver/maxflow.h"

#define UNLIMITED ((long long)1 << 40)

/* The node layout of the network. */
typedef struct net {
    mp_flow *f;
    int P, G;                   /* profiles and geometries per entry, at most */
    int cls, ip, igp, cig;      /* first node of each kind */
    int capped[SV_MAX_CLASSES]; /* index among capped classes, or -1 */
    bool failed;                /* an edge could not be added */
} net;

static int edge(net *n, int from, int to, long long cap)
{
    int id = mp_flow_add_edge(n->f, from, to, cap);
    n->failed |= id < 0;
    return id;
}

/* GPUs laid out as geometry g of entry i in x. */
static long long gpus_of(const sv_model *md, const double *x, int i, int g)
{
    long long ng = 0;
    for (int j = 0; j < md->nv; j++)
        if (md->v[j].kind == 'x' && md->v[j].item == i && md->v[j].geom == g)
            ng = llround(x[j]);
    return ng;
}

static int net_new(const sv_solver *s, net *n)
{
    n->P = MP_MAX_PROFILES;
    n->G = 1;
    for (int i = 0; i < s->nitems; i++)
        if (s->items[i].geoms.n > n->G)
            n->G = s->items[i].geoms.n;
    int ncapped = 0;
    for (int c = 0; c < s->nclasses; c++)
        n->capped[c] = s->classes[c].cap > 0 ? ncapped++ : -1;
    /* nodes: source 0, sink 1, then the four kinds */
    n->cls = 2;
    n->ip = n->cls + s->nclasses;
    n->igp = n->ip + s->nitems * n->P;
    n->cig = n->igp + s->nitems * n->G * n->P;
    n->f = mp_flow_new(n->cig + ncapped * s->nitems * n->G + 1);
    return n->f ? 0 : MP_ENOMEM;
}

/* The slots of the chosen GPUs, per (entry, geometry, profile). */
static void slot_edges(const sv_solver *s, const sv_model *md, const double *x,
                       net *n)
{
    for (int i = 0; i < s->nitems; i++) {
        const sv_item *it = &s->items[i];
        for (int g = 0; g < it->geoms.n; g++) {
            long long ng = gpus_of(md, x, i, g);
            if (ng == 0)
                continue;
            for (int p = 0; p < it->m->n_profiles; p++) {
                if (!sv_cnt(it, g, p))
                    continue;
                int node = n->igp + (i * n->G + g) * n->P + p;
                edge(n, node, 1, ng * sv_cnt(it, g, p));
                edge(n, n->ip + i * n->P + p, node, ng * sv_cnt(it, g, p));
            }
        }
    }
}

/* A capped class: at most cap replicas per GPU of each geometry. */
static void cap_edges(const sv_solver *s, const sv_model *md, const double *x,
                      net *n)
{
    for (int c = 0; c < s->nclasses; c++) {
        const sv_class *cl = &s->classes[c];
        if (cl->cap <= 0)
            continue;
        for (int i = 0; i < s->nitems; i++)
            for (int g = 0; g < s->items[i].geoms.n; g++)
                edge(n, n->cls + c,
                     n->cig + (n->capped[c] * s->nitems + i) * n->G + g,
                     gpus_of(md, x, i, g) * cl->cap);
    }
}

/* One edge per y and v column; ids[j] its id, -1 for other columns. */
static void var_edges(const sv_model *md, net *n, int nitems, int *ids)
{
    for (int j = 0; j < md->nv; j++) {
        const sv_var *v = &md->v[j];
        ids[j] = -1;
        if (v->kind == 'y')
            ids[j] = edge(n, n->cls + v->cls, n->ip + v->item * n->P + v->prof,
                          UNLIMITED);
        else if (v->kind == 'v')
            ids[j] =
                edge(n,
                     n->cig + (n->capped[v->cls] * nitems + v->item) * n->G +
                         v->geom,
                     n->igp + (v->item * n->G + v->geom) * n->P + v->prof,
                     UNLIMITED);
    }
}

int sv_assign(sv_solver *s, const sv_model *md, const double *x,
              long long *alloc, bool *ok)
{
    net n;
    memset(&n, 0, sizeof(n));
    int *ids = malloc((size_t)(md->nv ? md->nv : 1) * sizeof(int));
    int rc = ids ? net_new(s, &n) : MP_ENOMEM;
    if (rc)
        goto out;
    long long want = 0;
    for (int c = 0; c < s->nclasses; c++) {
        edge(&n, 0, n.cls + c, s->classes[c].demand);
        want += s->classes[c].demand;
    }
    slot_edges(s, md, x, &n);
    cap_edges(s, md, x, &n);
    var_edges(md, &n, s->nitems, ids);
    if (n.failed) {
        rc = MP_ENOMEM;
        goto out;
    }
    *ok = mp_flow_max(n.f, 0, 1) == want;
    for (int j = 0; alloc && j < md->nv; j++)
        alloc[j] = ids[j] >= 0 ? mp_flow_edge_flow(n.f, ids[j]) : 0;
out:
    mp_flow_free(n.f);
    free(ids);
    return rc;
}

/* ------------------------------------------------------- the GPUs */

static int free_slot(const sv_gpu *g, int p)
{
    for (int q = 0; q < g->nslots; q++)
        if (g->slots[q].profile == p && g->slots[q].tenant < 0)
            return q;
    return -1;
}

/* Does g serve column v (its entry, and its geometry for a v column)? */
static bool serves(const sv_gpu *g, const sv_var *v)
{
    return g->item == v->item && g->geom >= 0 &&
           (v->kind != 'v' || g->geom == v->geom);
}

static bool has_profile(const sv_gpu *g, int p)
{
    for (int q = 0; q < g->nslots; q++)
        if (g->slots[q].profile == p)
            return true;
    return false;
}

/* Place one replica of t into a free slot of column v's profile on the first
 * GPU v can use. GPUs only fill up, so the first one with room for v
 * never moves back: *from (per column) remembers it. A run of GPUs alike
 * (one column's) that v cannot use is passed over at once. */
static bool put(sv_gpu *gpus, int ng, const sv_var *v, int t, int *from)
{
    for (int k = *from; k < ng; k++) {
        const sv_gpu *g = &gpus[k];
        if (!serves(g, v) || !has_profile(g, v->prof)) {
            k = g->run_end > k ? g->run_end - 1 : k;
            continue;
        }
        int q = free_slot(g, v->prof);
        if (q >= 0) {
            *from = k;
            gpus[k].slots[q].tenant = t;
            return true;
        }
    }
    return false;
}

/* The GPUs of x, each with its geometry's slots, all free. */
static int open_gpus(const sv_solver *s, const sv_model *md, const double *x,
                     sv_gpu **out, int *nout)
{
    int ng = 0;
    for (int j = 0; j < md->nv; j++)
        ng += sv_var_gpus(s->req, &md->v[j]) * (int)llround(x[j]);
    sv_gpu *gpus = calloc((size_t)(ng ? ng : 1), sizeof(*gpus));
    if (!gpus)
        return MP_ENOMEM;
    int k = 0;
    for (int j = 0; j < md->nv; j++) {
        const sv_var *v = &md->v[j];
        int n = sv_var_gpus(s->req, v) * (int)llround(x[j]), end = k + n;
        for (int c = 0; c < n; c++) {
            sv_gpu *g = &gpus[k++];
            g->run_end = end;
            g->item = v->item;
            g->whole_tenant = v->kind == 'w' ? v->tenant : -1;
            g->geom = v->kind == 'w' ? -1 : v->geom;
            const sv_item *it = &s->items[v->item];
            for (int p = 0; p < it->m->n_profiles && v->kind == 'x'; p++)
                for (int q = 0; q < sv_cnt(it, v->geom, p); q++)
                    g->slots[g->nslots++] = (sv_slot){p, -1};
        }
    }
    *out = gpus;
    *nout = ng;
    return 0;
}

/* ------------------------------------------- capped classes, exactly */

/* The capped classes' replicas on the GPUs of geometry (i, g), listed in
 * at[0..n): a max-flow class -> (class, GPU) (at most cap) -> (GPU,
 * profile) -> profile (the class quotas on (i, g) of it) -> sink, so that
 * each GPU keeps its cap and each profile gets exactly the replicas the
 * assignment gave it (the uncapped classes then find their slots). */
typedef struct capnet {
    const sv_solver *s;
    const sv_model *md;
    const long long *alloc;
    int i, g, n, P, K;
    const int *at;
    int *cls; /* the capped classes on (i, g), K of them */
} capnet;

static int cap_node_cg(const capnet *c, int k, int u)
{
    return 2 + c->K + k * c->n + u;
}

static int cap_node_gp(const capnet *c, int u, int p)
{
    return 2 + c->K + c->K * c->n + u * c->P + p;
}

static int cap_node_p(const capnet *c, int p)
{
    return 2 + c->K + c->K * c->n + c->n * c->P + p;
}

/* Edges of the network; ids[(k * n + u) * P + p] the (class k, GPU u,
 * profile p) edge or -1; want gets the replicas to place. */
static void cap_edges_geom(const capnet *c, net *n, int *ids, long long *want)
{
    const int *cls = c->cls;
    const sv_item *it = &c->s->items[c->i];
    long long per_p[MP_MAX_PROFILES] = {0};
    for (int k = 0; k < c->K * c->n * c->P; k++)
        ids[k] = -1;
    *want = 0;
    for (int j = 0; j < c->md->nv; j++) {
        const sv_var *v = &c->md->v[j];
        if (v->kind != 'v' || v->item != c->i || v->geom != c->g ||
            !c->alloc[j])
            continue;
        int k = 0;
        while (cls[k] != v->cls)
            k++;
        edge(n, 0, 2 + k, c->alloc[j]);
        per_p[v->prof] += c->alloc[j];
        *want += c->alloc[j];
        for (int u = 0; u < c->n; u++)
            ids[(k * c->n + u) * c->P + v->prof] = edge(
                n, cap_node_cg(c, k, u), cap_node_gp(c, u, v->prof), UNLIMITED);
    }
    for (int k = 0; k < c->K; k++)
        for (int u = 0; u < c->n; u++)
            edge(n, 2 + k, cap_node_cg(c, k, u), c->s->classes[cls[k]].cap);
    for (int p = 0; p < c->P; p++) {
        if (!per_p[p])
            continue;
        for (int u = 0; u < c->n; u++)
            edge(n, cap_node_gp(c, u, p), cap_node_p(c, p),
                 sv_cnt(it, c->g, p));
        edge(n, cap_node_p(c, p), 1, per_p[p]);
    }
}

/* Place the capped replicas on the GPUs at[0..n) of (i, g). */
static int place_capped_geom(capnet *c, sv_gpu *gpus)
{
    int *cls = c->cls;
    c->K = 0;
    for (int j = 0; j < c->md->nv; j++) {
        const sv_var *v = &c->md->v[j];
        bool seen = false;
        if (v->kind != 'v' || v->item != c->i || v->geom != c->g ||
            !c->alloc[j])
            continue;
        for (int k = 0; k < c->K && !seen; k++)
            seen = cls[k] == v->cls;
        if (!seen)
            cls[c->K++] = v->cls;
    }
    if (c->K == 0)
        return 0;
    net n;
    memset(&n, 0, sizeof(n));
    size_t nids = (size_t)c->K * (size_t)c->n * (size_t)c->P;
    int *ids = malloc(nids * sizeof(int));
    n.f = ids ? mp_flow_new(cap_node_p(c, c->P)) : NULL;
    int rc = n.f ? 0 : MP_ENOMEM;
    long long want = 0;
    if (!rc)
        cap_edges_geom(c, &n, ids, &want);
    if (!rc && n.failed)
        rc = MP_ENOMEM;
    if (!rc && mp_flow_max(n.f, 0, 1) != want)
        rc = MP_EINTERNAL; /* the caps cannot be kept GPU by GPU */
    for (size_t e = 0; !rc && e < nids; e++) {
        if (ids[e] < 0)
            continue;
        int p = (int)(e % (size_t)c->P);
        int u = (int)(e / (size_t)c->P % (size_t)c->n);
        int k = (int)(e / (size_t)c->P / (size_t)c->n);
        sv_gpu *gp = &gpus[c->at[u]];
        for (long long r = mp_flow_edge_flow(n.f, ids[e]); r > 0; r--)
            gp->slots[free_slot(gp, p)].tenant =
                c->s->classes[cls[k]].capped_tenant;
    }
    mp_flow_free(n.f);
    free(ids);
    return rc;
}

/* Every capped class's replicas, geometry by geometry. */
static int place_capped(const sv_solver *s, const sv_model *md,
                        const long long *alloc, sv_gpu *gpus, int ng)
{
    int *at = malloc((size_t)(ng ? ng : 1) * sizeof(int));
    int *cls = malloc((size_t)(s->nclasses ? s->nclasses : 1) * sizeof(int));
    int rc = at && cls ? 0 : MP_ENOMEM;
    for (int i = 0; i < s->nitems && !rc; i++)
        for (int g = 0; g < s->items[i].geoms.n && !rc; g++) {
            capnet c = {s, md, alloc, i, g, 0, MP_MAX_PROFILES, 0, at, cls};
            for (int k = 0, end; k < ng; k = end) { /* run by run */
                end = gpus[k].run_end > k ? gpus[k].run_end : k + 1;
                for (int m = k;
                     m < end && gpus[k].item == i && gpus[k].geom == g; m++)
                    at[c.n++] = m;
            }
            if (c.n)
                rc = place_capped_geom(&c, gpus);
        }
    free(at);
    free(cls);
    return rc;
}

/* What sv_expand hands out: quotas left and where to look, per column;
 * per class, the first column that may still have quota for it. */
typedef struct quotas {
    long long *left;
    int *from;
    int *first;
} quotas;

/* The first column of class c with quota left, or -1. Quotas only
 * shrink, so the columns before it never get one back: qu->first[c]
 * remembers where to start, and a class costs one pass over the columns,
 * not one per replica. */
static int pick_quota(const sv_model *md, quotas *qu, int c)
{
    for (int j = qu->first[c]; j < md->nv; j++) {
        const sv_var *v = &md->v[j];
        if ((v->kind == 'y' || v->kind == 'v') && v->cls == c &&
            qu->left[j] > 0) {
            qu->first[c] = j;
            return j;
        }
    }
    qu->first[c] = md->nv;
    return -1;
}

/* A spread tenant's placement: per column, the fewest replicas of the
 * tenant on a GPU that can still take one (lvl) and where the first such
 * GPU may be (ptr); per GPU, the tenant's replicas (cnt). Counts only grow
 * and free slots only shrink, so a column's level never falls and, within
 * a level, its pointer never moves back: every replica costs the columns,
 * not a pass over the GPUs. */
typedef struct spreader {
    int *lvl, *ptr, *cnt;
} spreader;

/* The first GPU that takes column v's replica at the column's level (the
 * fewest of the tenant), moving to the next level when none is left at
 * this one; -1 when no GPU can take it. */
static int spread_gpu(spreader *sp, int j, const sv_var *v, const sv_gpu *gpus,
                      int ng)
{
    for (;;) {
        int next = -1; /* the least count above the level seen */
        for (int k = sp->ptr[j]; k < ng; k++) {
            if (!serves(&gpus[k], v) || free_slot(&gpus[k], v->prof) < 0)
                continue;
            if (sp->cnt[k] == sp->lvl[j]) {
                sp->ptr[j] = k;
                return k;
            }
            if (sp->cnt[k] > sp->lvl[j] && (next < 0 || sp->cnt[k] < next))
                next = sp->cnt[k];
        }
        /* GPUs before ptr have no room at this level or count more */
        for (int k = 0; k < sp->ptr[j] && k < ng; k++)
            if (serves(&gpus[k], v) && free_slot(&gpus[k], v->prof) >= 0 &&
                sp->cnt[k] > sp->lvl[j] && (next < 0 || sp->cnt[k] < next))
                next = sp->cnt[k];
        if (next < 0)
            return -1;
        sp->lvl[j] = next;
        sp->ptr[j] = 0;
    }
}

/* Every replica of spread tenant t (class c): the column whose GPUs hold
 * the fewest of it (the first on ties), on its first GPU holding that
 * few. */
static int place_spread(const sv_model *md, int c, int t, quotas *qu,
                        sv_gpu *gpus, int ng, int replicas)
{
    spreader sp = {calloc((size_t)md->nv + 1, sizeof(int)),
                   calloc((size_t)md->nv + 1, sizeof(int)),
                   calloc((size_t)ng + 1, sizeof(int))};
    int rc = sp.lvl && sp.ptr && sp.cnt ? 0 : MP_ENOMEM;
    for (int rep = 0; rep < replicas && !rc; rep++) {
        int pick = -1, at = -1;
        for (int j = 0; j < md->nv; j++) {
            const sv_var *v = &md->v[j];
            if ((v->kind != 'y' && v->kind != 'v') || v->cls != c ||
                qu->left[j] <= 0)
                continue;
            int k = spread_gpu(&sp, j, v, gpus, ng);
            if (k >= 0 && (pick < 0 || sp.lvl[j] < sp.lvl[pick])) {
                pick = j;
                at = k;
            }
        }
        if (pick < 0) {
            rc = MP_EINTERNAL;
            break;
        }
        gpus[at].slots[free_slot(&gpus[at], md->v[pick].prof)].tenant = t;
        sp.cnt[at]++;
        qu->left[pick]--;
    }
    free(sp.lvl);
    free(sp.ptr);
    free(sp.cnt);
    return rc;
}

/* Every replica of tenant t (class c) into a slot, by the quotas left. */
static int place_tenant(const sv_solver *s, const sv_model *md, int c, int t,
                        quotas *qu, sv_gpu *gpus, int ng)
{
    const mp_tenant *tn = &s->req->tenants[t];
    if (tn->spread)
        return place_spread(md, c, t, qu, gpus, ng, tn->replicas);
    for (int rep = 0; rep < tn->replicas; rep++) {
        int j = pick_quota(md, qu, c);
        if (j < 0 || !put(gpus, ng, &md->v[j], t, &qu->from[j]))
            return MP_EINTERNAL;
        qu->left[j]--;
    }
    return 0;
}

int sv_expand(sv_solver *s, const sv_model *md, const double *x,
              const long long *alloc, sv_gpu **out, int *nout)
{
    sv_gpu *gpus;
    int ng;
    int rc = open_gpus(s, md, x, &gpus, &ng);
    if (rc)
        return rc;
    size_t nv = (size_t)(md->nv ? md->nv : 1);
    quotas qu = {malloc(nv * sizeof(long long)), calloc(nv, sizeof(int)),
                 calloc((size_t)s->nclasses + 1, sizeof(int))};
    if (!qu.left || !qu.from || !qu.first)
        rc = MP_ENOMEM;
    else
        memcpy(qu.left, alloc, (size_t)md->nv * sizeof(long long));
    /* capped classes exactly, then each other class's quotas among its
     * tenants, spread tenants first */
    if (!rc)
        rc = place_capped(s, md, alloc, gpus, ng);
    for (int pass = 0; pass < 2 && !rc; pass++)
        for (int c = 0; c < s->nclasses && !rc; c++)
            for (int m = 0;
                 m < s->classes[c].ntenants && !rc && s->classes[c].cap <= 0;
                 m++) {
                int t = s->classes[c].tenants[m];
                if (s->req->tenants[t].spread == (pass == 0))
                    rc = place_tenant(s, md, c, t, &qu, gpus, ng);
            }
    free(qu.left);
    free(qu.from);
    free(qu.first);
    if (rc) {
        free(gpus);
        return rc;
    }
    *out = gpus;
    *nout = ng;
    return 0;
}
