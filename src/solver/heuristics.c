/* SPDX-License-Identifier: Apache-2.0 */
/* heuristics.c - plans found quickly: a greedy first fit (the first
 * incumbent, and the answer of last resort when the time limit stops the
 * search) and, for big requests, a dive and large neighbourhood searches
 * from the root LP that give branch and bound a good plan to cut with. */
#include "solver_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Replicas look for room on this many of the newest GPUs. */
#define LOOK_BACK 24

/* A GPU of the greedy plan: its fleet entry and profile counts. */
typedef struct ggpu {
    int item;
    int count[MP_MAX_PROFILES];
} ggpu;

typedef struct greedy {
    sv_solver *s;
    const sv_model *md;
    double *x;
    int used[MP_MAX_FLEET]; /* GPUs taken per fleet entry */
    ggpu *gp;
    int ng, gcap;
    /* GPUs below this have no room for the class being placed: one that
     * had none keeps having none while only that class is placed */
    int full_below;
} greedy;

/* Whole GPUs, each replica's (N for whole-gpu: N) from the cheapest entry
 * with that many left. False when a replica finds none. */
static bool greedy_whole(greedy *gr)
{
    const mp_request *r = gr->s->req;
    const sv_model *md = gr->md;
    for (int t = 0; t < r->n_tenants; t++) {
        if (!r->tenants[t].whole_gpu)
            continue;
        int n = mp_tenant_gpus(&r->tenants[t]);
        for (int k = 0; k < r->tenants[t].replicas; k++) {
            int best = -1;
            for (int j = 0; j < md->nv; j++) {
                const sv_var *v = &md->v[j];
                if (v->kind != 'w' || v->tenant != t)
                    continue;
                const sv_item *it = &gr->s->items[v->item];
                if (it->count >= 0 && gr->used[v->item] + n > it->count)
                    continue;
                if (best < 0 || it->cost < gr->s->items[md->v[best].item].cost)
                    best = j;
            }
            if (best < 0)
                return false;
            gr->x[best] += 1;
            gr->used[md->v[best].item] += n;
        }
    }
    return true;
}

/* Classes by the size of the smallest profile they can use, large first
 * (ties in class order). */
typedef struct class_key {
    int key, c;
} class_key;

static int class_key_cmp(const void *a, const void *b)
{
    const class_key *x = a, *y = b;
    if (x->key != y->key)
        return x->key > y->key ? -1 : 1;
    return (x->c > y->c) - (x->c < y->c);
}

static int smallest_profile(const sv_solver *s, const sv_class *cl)
{
    int key = 99;
    for (int i = 0; i < s->nitems; i++)
        for (int p = 0; p < s->items[i].m->n_profiles; p++)
            if (cl->elig[i] & (1u << p)) {
                const mp_gi_profile *q = &s->items[i].m->profiles[p];
                int sz = q->memory_slices * 16 + q->compute_slices;
                if (sz < key)
                    key = sz;
            }
    return key;
}

/* One replica of cl onto one of the newest GPUs, if one has room. */
static bool place_on_open(greedy *gr, const sv_class *cl)
{
    for (int gi = gr->ng - 1; gi >= gr->full_below && gi >= gr->ng - LOOK_BACK;
         gi--) {
        ggpu *g = &gr->gp[gi];
        const mp_model *m = gr->s->items[g->item].m;
        for (int p = 0; p < m->n_profiles; p++) {
            if (!(cl->elig[g->item] & (1u << p)))
                continue;
            g->count[p]++;
            if (mp_geom_fit_counts(m, g->count, NULL, NULL) == 0)
                return true;
            g->count[p]--;
        }
    }
    gr->full_below = gr->ng;
    return false;
}

/* One replica of cl onto a new GPU of the cheapest entry left, in the
 * first profile it can use. *placed false when no entry is left. */
static int place_on_new(greedy *gr, const sv_class *cl, bool *placed)
{
    const sv_solver *s = gr->s;
    int bi = -1;
    *placed = false;
    for (int i = 0; i < s->nitems; i++) {
        if (!cl->elig[i])
            continue;
        if (s->items[i].count >= 0 && gr->used[i] >= s->items[i].count)
            continue;
        if (bi < 0 || s->items[i].cost < s->items[bi].cost)
            bi = i;
    }
    if (bi < 0)
        return 0;
    if (mp_grow(&gr->gp, &gr->gcap, gr->ng + 1, sizeof(*gr->gp), 64))
        return MP_ENOMEM;
    ggpu *g = &gr->gp[gr->ng++];
    memset(g, 0, sizeof(*g));
    g->item = bi;
    gr->used[bi]++;
    const mp_model *m = s->items[bi].m;
    for (int p = 0; p < m->n_profiles; p++)
        if (cl->elig[bi] & (1u << p)) {
            g->count[p] = 1;
            break;
        }
    *placed = true;
    return 0;
}

/* Every replica of every class, largest classes first. */
static int greedy_replicas(greedy *gr, bool *ok)
{
    const sv_solver *s = gr->s;
    class_key *order =
        malloc((size_t)(s->nclasses ? s->nclasses : 1) * sizeof(*order));
    if (!order)
        return MP_ENOMEM;
    for (int c = 0; c < s->nclasses; c++)
        order[c] = (class_key){smallest_profile(s, &s->classes[c]), c};
    qsort(order, (size_t)s->nclasses, sizeof(*order), class_key_cmp);
    int rc = 0;
    *ok = true;
    for (int oc = 0; oc < s->nclasses && *ok && !rc; oc++) {
        const sv_class *cl = &s->classes[order[oc].c];
        gr->full_below = 0;
        for (long long k = 0; k < cl->demand && *ok && !rc; k++)
            if (!place_on_open(gr, cl))
                rc = place_on_new(gr, cl, ok);
    }
    free(order);
    return rc;
}

static bool same_counts(const mp_geometry *geo, const int *count, int n)
{
    for (int p = 0; p < n; p++)
        if (geo->count[p] != count[p])
            return false;
    return true;
}

/* Each GPU's profile counts grown to a maximal geometry of its model, and
 * counted in x. False when one is not among the model's geometries. */
static bool greedy_maximal(greedy *gr)
{
    const sv_model *md = gr->md;
    for (int gi = 0; gi < gr->ng; gi++) {
        ggpu *g = &gr->gp[gi];
        const sv_item *it = &gr->s->items[g->item];
        const mp_model *m = it->m;
        for (bool grew = true; grew;) {
            grew = false;
            for (int p = 0; p < m->n_profiles && !grew; p++) {
                if (!it->useful[p])
                    continue;
                g->count[p]++;
                grew = mp_geom_fit_counts(m, g->count, NULL, NULL) == 0;
                if (!grew)
                    g->count[p]--;
            }
        }
        int found = -1;
        for (int k = 0; k < it->geoms.n && found < 0; k++)
            if (same_counts(&it->geoms.v[k], g->count, m->n_profiles))
                found = k;
        if (found < 0)
            return false;
        for (int j = 0; j < md->nv; j++)
            if (md->v[j].kind == 'x' && md->v[j].item == g->item &&
                md->v[j].geom == found)
                gr->x[j] += 1;
    }
    return true;
}

int sv_greedy(sv_solver *s, const sv_model *md, double *x, bool *found)
{
    greedy gr;
    memset(&gr, 0, sizeof(gr));
    gr.s = s;
    gr.md = md;
    gr.x = x;
    *found = false;
    for (int j = 0; j < md->nv; j++)
        x[j] = 0;
    if (!greedy_whole(&gr))
        return 0;
    bool ok;
    int rc = greedy_replicas(&gr, &ok);
    if (!rc && ok && greedy_maximal(&gr))
        rc = sv_assign(s, md, x, NULL, found);
    free(gr.gp);
    return rc;
}

/* Primal heuristics for big instances, within a quarter of the time left:
 *   - a dive: keep every pattern the root LP uses whole times
 *     (x >= floor(x*)) and search only what is left;
 *   - large neighbourhoods: per fleet entry, let its GPUs change freely
 *     while every other entry may only give GPUs up (so demand can move
 *     to cheaper models), again while that improves the plan.
 * Plain branch and bound then starts from the best plan found. */
int sv_heuristics(sv_solver *s, sv_cand *c, const double *xlp)
{
    sv_model *md = &c->md;
    double *lo = malloc((size_t)(md->nv ? md->nv : 1) * sizeof(double));
    double *hi = malloc((size_t)(md->nv ? md->nv : 1) * sizeof(double));
    if (!lo || !hi) {
        free(lo);
        free(hi);
        return MP_ENOMEM;
    }
    for (int j = 0; j < md->nv; j++)
        mp_lp_get_bounds(md->lp, j, &lo[j], &hi[j]);
    double t0 = sv_now(), end = t0 + (s->deadline - t0) / 4;
    for (int j = 0; j < md->nv; j++) {
        double f = floor(xlp[j] + 1e-9);
        if (md->v[j].is_int && f > lo[j] && (hi[j] < 0 || f <= hi[j]))
            mp_lp_set_bounds(md->lp, j, f, hi[j]);
    }
    int rc = sv_subsearch(s, c, 2000, t0 + (end - t0) / 3);
    for (int j = 0; j < md->nv; j++)
        mp_lp_set_bounds(md->lp, j, lo[j], hi[j]);
    for (bool better = true;
         !rc && better && c->have && s->nitems > 1 && sv_now() < end;) {
        better = false;
        for (int i = 0; i < s->nitems && !rc && sv_now() < end; i++) {
            double before = c->best_obj;
            for (int j = 0; j < md->nv; j++)
                if (md->v[j].is_int && md->v[j].item != i)
                    mp_lp_set_bounds(md->lp, j, lo[j], fmax(lo[j], c->best[j]));
            rc = sv_subsearch(s, c, 400, end);
            for (int j = 0; j < md->nv; j++)
                mp_lp_set_bounds(md->lp, j, lo[j], hi[j]);
            better |= c->best_obj < before - 1e-9;
        }
    }
    free(lo);
    free(hi);
    return rc;
}
