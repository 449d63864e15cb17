// SPDX-License-Identifier: Apache-2.0
/* current_keep.c - planning from a running node, the cheap first
 * candidate (CUR_KEEP): every GPU keeps its layout exactly as it is and its
 * existing instances serve the replicas they fit; only what they cannot
 * serve is placed elsewhere (cur_place_rest). When the state already serves
 * the request, this is the plan that changes nothing, so a plan cut short
 * by the time limit is never worse than leaving the node as it is. */
#include "current_internal.h"

#include <stdlib.h>
#include <string.h>

/* The tenant instance q of g serves as it is, or -1: the tenant named like
 * its process when it fits, else the one with units left that takes the
 * fewest profiles of g's model (the hardest to serve elsewhere), then the
 * one with the most left. nprof[t * n_fleet + f]: profiles t takes on
 * fleet entry f. */
static int keep_tenant(const cur *c, const cur_gpu *g, int q, const int *nprof)
{
    int nf = c->req->n_fleet;
    const mp_request *r = c->req;
    const mp_layout *l = &g->st->layout.gis;
    const char *proc =
        g->st->gi[q].n_processes > 0 ? g->st->gi[q].process : NULL;
    int best = -1;
    for (int t = 0; t < r->n_tenants; t++) {
        if (c->left[t] <= 0 || cur_whole(&r->tenants[t]) ||
            !cur_takes(r, t, g->fleet, l->model, l->gi[q].profile))
            continue;
        if (proc && strcmp(proc, r->tenants[t].name) == 0)
            return t;
        int a = nprof[t * nf + g->fleet],
            b = best < 0 ? 0 : nprof[best * nf + g->fleet];
        if (best < 0 || a < b || (a == b && c->left[t] > c->left[best]))
            best = t;
    }
    return best;
}

/* A GPU with MIG disabled and nothing on it serves one replica of a
 * single-GPU whole tenant as it is. */
static int keep_whole(const cur *c, const cur_gpu *g)
{
    const mp_request *r = c->req;
    for (int t = 0; t < r->n_tenants; t++) {
        const mp_tenant *tn = &r->tenants[t];
        if (c->left[t] > 0 && cur_whole(tn) && mp_tenant_gpus(tn) == 1 &&
            mp_request_takes_whole(r, tn, g->fleet))
            return t;
    }
    return -1;
}

/* GPU g as it is, serving what its instances fit (taken when they serve
 * any, or when it counts anyway). */
static void keep_gpu(cur *c, cur_gpu *g, const int *nprof)
{
    const mp_gpu_state *s = g->st;
    mp_plan_gpu *pg = &g->pg;
    if (!s->layout.mig_enabled) {
        int t = g->kind == CUR_EMPTY ? keep_whole(c, g) : -1;
        if (t >= 0) {
            sv_plan_gpu_init(pg, g->fleet, s->layout.gis.model, true, t);
            g->taken = true;
            c->left[t]--;
        }
        return;
    }
    sv_plan_gpu_init(pg, g->fleet, s->layout.gis.model, true, -1);
    pg->layout = s->layout;
    pg->layout.driver_order = pg->layout.driver_exact = false;
    bool serves = false;
    for (int q = 0; q < s->layout.gis.n; q++) {
        int t = keep_tenant(c, g, q, nprof);
        pg->tenant[q] = t;
        if (t >= 0) {
            c->left[t]--;
            serves = true;
        }
    }
    g->taken = serves || (g->kind == CUR_BUSY && cur_counts_busy(c, g));
}

/* What g as it is is worth now, in thousandths of its memory slices: per
 * instance, the most memory slices that a tenant with units left needs
 * there (its smallest profile, tsize[t * n_fleet + f]) of those taking
 * it (a GPU with MIG disabled: all of it when it serves a whole GPU). A
 * small replica on a large instance is worth little: GPUs whose instances
 * fit what is left come first. */
static int worth(const cur *c, const cur_gpu *g, const int *tsize)
{
    if (!g->st->layout.mig_enabled)
        return g->kind == CUR_EMPTY && keep_whole(c, g) >= 0 ? 1000 : 0;
    const mp_layout *l = &g->st->layout.gis;
    int n = 0, nf = c->req->n_fleet;
    for (int q = 0; q < l->n; q++) {
        int most = 0;
        for (int t = 0; t < c->req->n_tenants; t++)
            if (c->left[t] > 0 && !cur_whole(&c->req->tenants[t]) &&
                tsize[t * nf + g->fleet] > most &&
                cur_takes(c->req, t, g->fleet, l->model, l->gi[q].profile))
                most = tsize[t * nf + g->fleet];
        n += most;
    }
    return (int)(1000LL * n / (l->model->units ? l->model->units : 1));
}

/* Per tenant t and fleet entry f: how many profiles t takes there
 * (nprof) and the memory slices of the smallest (tsize, 0: none). */
static void tenant_sizes(const cur *c, int *nprof, int *tsize)
{
    const mp_request *r = c->req;
    for (int t = 0; t < r->n_tenants; t++)
        for (int f = 0; f < r->n_fleet; f++) {
            const mp_model *m = r->fleet[f].model;
            int i = t * r->n_fleet + f;
            nprof[i] = tsize[i] = 0;
            for (int p = 0; p < m->n_profiles; p++) {
                if (!cur_takes(r, t, f, m, p))
                    continue;
                nprof[i]++;
                if (!tsize[i] || m->profiles[p].memory_slices < tsize[i])
                    tsize[i] = m->profiles[p].memory_slices;
            }
        }
}

/* The GPUs that count anyway first (in index order); then, greedily, the
 * GPU worth the most for what is left (a set cover: the fewer GPUs kept,
 * the fewer used), through buckets by worth, which only falls as replicas
 * are placed. */
int cur_place_keep(cur *c)
{
    /* one profile for all replicas cannot be promised by keeping */
    for (int t = 0; t < c->req->n_tenants; t++)
        if (c->req->tenants[t].same_profile) {
            c->small_blocked = true;
            return 0;
        }
    size_t nt = (size_t)c->req->n_tenants * (size_t)c->req->n_fleet + 1;
    int *head = malloc(1001 * sizeof(*head));
    int *next = malloc((size_t)(c->n ? c->n : 1) * sizeof(*next));
    int *nprof = malloc(2 * nt * sizeof(*nprof));
    if (!head || !next || !nprof) {
        free(head), free(next), free(nprof);
        return MP_ENOMEM;
    }
    int *tsize = nprof + nt;
    tenant_sizes(c, nprof, tsize);
    for (int b = 0; b <= 1000; b++)
        head[b] = -1;
    for (int k = 0; k < c->n; k++) {
        cur_gpu *g = &c->g[k];
        if (g->st && g->kind == CUR_BUSY && cur_counts_busy(c, g))
            keep_gpu(c, g, nprof);
    }
    for (int k = c->n - 1; k >= 0; k--) {
        const cur_gpu *g = &c->g[k];
        int b =
            g->st && !g->taken && g->kind != CUR_HELD ? worth(c, g, tsize) : 0;
        if (b > 0)
            next[k] = head[b], head[b] = k;
    }
    for (int b = 1000; b > 0; b--)
        while (head[b] >= 0) {
            int k = head[b];
            head[b] = next[k];
            int now = worth(c, &c->g[k], tsize);
            if (now >= b)
                keep_gpu(c, &c->g[k], nprof);
            else if (now > 0)
                next[k] = head[now], head[now] = k;
        }
    free(head), free(next), free(nprof);
    return 0;
}
