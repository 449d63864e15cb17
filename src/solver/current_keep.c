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
 * one with the most left. nprof[t]: profiles t takes on g's fleet entry. */
static int keep_tenant(const cur *c, const cur_gpu *g, int q, const int *nprof)
{
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
        if (best < 0 || nprof[t] < nprof[best] ||
            (nprof[t] == nprof[best] && c->left[t] > c->left[best]))
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
static void keep_gpu(cur *c, cur_gpu *g, int *nprof)
{
    const mp_request *r = c->req;
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
    for (int t = 0; t < r->n_tenants; t++)
        nprof[t] = 0;
    for (int t = 0; t < r->n_tenants; t++)
        for (int p = 0; p < s->layout.gis.model->n_profiles; p++)
            nprof[t] += cur_takes(r, t, g->fleet, s->layout.gis.model, p);
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

/* How many replicas g as it is could serve now: its instances that a
 * tenant with units left takes (a GPU with MIG disabled: one whole GPU). */
static int servable(const cur *c, const cur_gpu *g)
{
    if (!g->st->layout.mig_enabled)
        return g->kind == CUR_EMPTY && keep_whole(c, g) >= 0;
    const mp_layout *l = &g->st->layout.gis;
    int n = 0;
    for (int q = 0; q < l->n; q++)
        for (int t = 0; t < c->req->n_tenants; t++)
            if (c->left[t] > 0 && !cur_whole(&c->req->tenants[t]) &&
                cur_takes(c->req, t, g->fleet, l->model, l->gi[q].profile)) {
                n++;
                break;
            }
    return n;
}

/* The GPUs that count anyway first (in index order); then, greedily, the
 * GPU that serves the most of what is left (a set cover: the fewer GPUs
 * kept, the fewer used), through buckets by that number, which only falls
 * as replicas are placed. */
int cur_place_keep(cur *c)
{
    /* one profile for all replicas cannot be promised by keeping */
    for (int t = 0; t < c->req->n_tenants; t++)
        if (c->req->tenants[t].same_profile) {
            c->small_blocked = true;
            return 0;
        }
    int head[MP_MAX_GIS + 1];
    int *next = malloc((size_t)(c->n ? c->n : 1) * sizeof(*next));
    int *nprof = malloc((size_t)(c->req->n_tenants + 1) * sizeof(*nprof));
    if (!next || !nprof) {
        free(next), free(nprof);
        return MP_ENOMEM;
    }
    for (int b = 0; b <= MP_MAX_GIS; b++)
        head[b] = -1;
    for (int k = 0; k < c->n; k++) {
        cur_gpu *g = &c->g[k];
        if (g->st && g->kind == CUR_BUSY && cur_counts_busy(c, g))
            keep_gpu(c, g, nprof);
    }
    for (int k = c->n - 1; k >= 0; k--) {
        const cur_gpu *g = &c->g[k];
        int b = g->st && !g->taken && g->kind != CUR_HELD ? servable(c, g) : 0;
        if (b > 0)
            next[k] = head[b], head[b] = k;
    }
    for (int b = MP_MAX_GIS; b > 0; b--)
        while (head[b] >= 0) {
            int k = head[b];
            head[b] = next[k];
            int now = servable(c, &c->g[k]);
            if (now >= b)
                keep_gpu(c, &c->g[k], nprof);
            else if (now > 0)
                next[k] = head[now], head[now] = k;
        }
    free(next), free(nprof);
    return 0;
}
