/* SPDX-License-Identifier: Apache-2.0 */
/* current_map.c - planning from a running node: what the busy GPUs do not
 * serve, solved exactly (mp_solve) on the fleet less the busy GPUs, then
 * each GPU of that plan put on the GPU of its model whose instances it
 * keeps best (fewest destroyed, then fewest created), its instances moved
 * onto the existing ones of the same profile where the geometry allows,
 * and the idle instances that still fit kept. */
#include "current_internal.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The rest of the request: the tenants with units left (tmap: their index
 * in the request) on the fleet less the busy GPUs. r2 shares the request's
 * arena: free only r2->tenants. */
static int rest_request(const cur *c, mp_request *r2, int *tmap)
{
    const mp_request *r = c->req;
    *r2 = *r;
    r2->tenants = malloc((size_t)(r->n_tenants ? r->n_tenants : 1) *
                         sizeof(*r2->tenants));
    if (!r2->tenants)
        return MP_ENOMEM;
    int n = 0;
    r2->total_replicas = 0;
    for (int t = 0; t < r->n_tenants; t++) {
        if (c->left[t] <= 0)
            continue;
        mp_tenant *tn = &r2->tenants[n];
        *tn = r->tenants[t];
        int done = tn->replicas - (int)c->left[t];
        tn->replicas = (int)c->left[t];
        if (tn->asked_replicas > 0) {
            tn->asked_replicas -= done * mp_tenant_share(tn);
            if (tn->asked_replicas < 1)
                tn->asked_replicas = 1;
        }
        r2->total_replicas += tn->replicas;
        tmap[n++] = t;
    }
    r2->n_tenants = n;
    for (int k = 0; k < c->n; k++)
        if ((c->g[k].kind == CUR_BUSY || c->g[k].kind == CUR_HELD) &&
            r2->fleet[c->g[k].fleet].count > 0)
            r2->fleet[c->g[k].fleet].count--;
    return 0;
}

/* Pin each instance of t to an unmatched instance of the same profile of
 * s; drop the last pins until the geometry allows them. fit gets the
 * placement; false when no pin holds. */
static bool pin_onto(const mp_layout *t, const mp_layout *s, mp_layout *fit)
{
    int prof[MP_MAX_GIS], pin[MP_MAX_GIS], npin = 0;
    bool matched[MP_MAX_GIS] = {false};
    for (int k = 0; k < t->n; k++) {
        prof[k] = t->gi[k].profile;
        pin[k] = -1;
        for (int q = 0; q < s->n; q++)
            if (!matched[q] && s->gi[q].profile == prof[k]) {
                pin[k] = s->gi[q].start;
                matched[q] = true;
                npin++;
                break;
            }
    }
    while (npin > 0) {
        if (mp_geom_fit(t->model, prof, pin, t->n, fit, NULL) == 0)
            return true;
        for (int k = t->n - 1; k >= 0; k--)
            if (pin[k] >= 0) {
                pin[k] = -1;
                npin--;
                break;
            }
    }
    return false;
}

/* dst's instances moved to fit's starts (creation order: largest first,
 * then by start), tenants and compute instances carried along. */
static void relayout(const mp_plan_gpu *src, const mp_layout *fit,
                     mp_plan_gpu *dst)
{
    const mp_model *m = fit->model;
    bool done[MP_MAX_GIS] = {false};
    mp_gpu_layout_init(&dst->layout, m, true);
    for (int q = 0; q < MP_MAX_GIS; q++)
        dst->tenant[q] = dst->replica[q] = -1;
    for (int i = 0; i < fit->n; i++) {
        int k = -1;
        for (int j = 0; j < fit->n; j++) {
            if (done[j])
                continue;
            int sj = m->profiles[fit->gi[j].profile].memory_slices;
            int sk = k < 0 ? 0 : m->profiles[fit->gi[k].profile].memory_slices;
            if (k < 0 || sj > sk ||
                (sj == sk && fit->gi[j].start < fit->gi[k].start))
                k = j;
        }
        done[k] = true;
        int at = mp_gpu_layout_add(&dst->layout, fit->gi[k].profile,
                                   fit->gi[k].start);
        dst->tenant[at] = src->tenant[k];
        dst->layout.ci_explicit[at] = src->layout.ci_explicit[k];
        memcpy(dst->layout.ci_count[at], src->layout.ci_count[k],
               sizeof(dst->layout.ci_count[at]));
    }
}

/* The instances of state s that dst does not hold and that still fit
 * beside it stay, serving nobody (destroying them gains nothing). Returns
 * whether any was added. */
static bool keep_idle(const mp_layout *s, mp_plan_gpu *dst)
{
    bool added = false;
    for (int q = 0; s && q < s->n; q++) {
        const mp_layout *l = &dst->layout.gis;
        bool kept = false;
        for (int k = 0; k < l->n && !kept; k++)
            kept = l->gi[k].profile == s->gi[q].profile &&
                   l->gi[k].start == s->gi[q].start;
        mp_layout t = *l;
        if (kept || t.n >= MP_MAX_GIS)
            continue;
        t.gi[t.n++] = s->gi[q];
        int at = -1;
        if (mp_geom_validate(&t, NULL) == 0)
            at = mp_gpu_layout_add(&dst->layout, s->gi[q].profile,
                                   s->gi[q].start);
        if (at >= 0) {
            dst->tenant[at] = dst->replica[at] = -1;
            added = true;
        }
    }
    return added;
}

/* src (a GPU of the rest's plan, tenants as tmap maps them) on GPU g. */
static void place_on(const cur_gpu *g, const mp_plan_gpu *src, const int *tmap,
                     mp_plan_gpu *dst)
{
    *dst = *src;
    dst->fleet = g->fleet;
    if (src->whole_tenant >= 0)
        dst->whole_tenant = tmap[src->whole_tenant];
    for (int q = 0; q < src->layout.gis.n; q++)
        dst->tenant[q] = src->tenant[q] >= 0 ? tmap[src->tenant[q]] : -1;
    const mp_layout *s = g->st ? &g->st->layout.gis : NULL;
    if (!src->layout.mig_enabled || !s || s->n == 0)
        return;
    mp_plan_gpu mapped = *dst;
    mp_layout fit;
    bool added = pin_onto(&src->layout.gis, s, &fit);
    if (added)
        relayout(&mapped, &fit, dst);
    if (keep_idle(s, dst) || added)
        dst->layout.driver_order = dst->layout.driver_exact = false;
}

/* What GPU g holding pg changes, as one number: instances in use
 * destroyed, then destroyed, then created, then whether its MIG mode
 * changes, each level weighing more than base times the next (base: more
 * than any sum of the next level over the plan). CUR_NEVER when the
 * layout does not fit the GPU. */
#define CUR_NEVER LLONG_MAX
static long long cost_on(const cur_gpu *g, const mp_plan_gpu *pg,
                         long long base)
{
    mp_gpu_state empty;
    const mp_gpu_state *s = g->st;
    if (!s) {
        mp_gpu_state_init(&empty, g->index, pg->layout.gis.model);
        s = &empty;
    }
    mp_gpu_change ch;
    char why[200];
    if (mp_gpu_change_diff(s, &pg->layout, &ch, why, sizeof(why)) != 0)
        return CUR_NEVER;
    long long v = ch.in_use_destroyed;
    v = v * base + ch.n_destroy;
    v = v * base + ch.n_create;
    return v * base + (ch.mig_enable || ch.mig_disable);
}

/* Plan GPU src on GPU g: placed, then refined to keep the most (past the
 * deadline, on a large state, the layouts stay as placed: valid, but
 * maybe keeping less; an 80-GPU state refined every pair of GPUs for
 * seconds past --time-limit. A small one, at most 256 pairs, is refined
 * whatever the clock says, so that its plan does not depend on how fast
 * the machine runs). */
static int map_one(cur *c, const cur_gpu *g, const mp_plan_gpu *src,
                   const int *tmap, bool large, mp_plan_gpu *out)
{
    cur_gpu refined = *g;
    place_on(g, src, tmap, &refined.pg);
    bool late = large && sv_now() > c->deadline;
    c->time_limit_hit |= late;
    int rc = late ? 0 : cur_refine(c, &refined);
    *out = refined.pg;
    return rc;
}

/* Can GPU j of c take a GPU of the rest's plan of fleet entry f? */
static bool free_for(const cur *c, int j, int f)
{
    const cur_gpu *g = &c->g[j];
    return !g->taken && g->kind != CUR_BUSY && g->kind != CUR_HELD &&
           g->fleet == f;
}

/* GPUs appended where the fleet has fewer free GPUs than pb uses; *base:
 * the weight of one level of cost_on over the plan. */
static int map_append(cur *c, const mp_plan *pb, long long *base)
{
    int used = 0;
    for (int k = 0; k < pb->n_gpus; k++)
        used += pb->gpus[k].used;
    for (int f = 0; f < c->req->n_fleet; f++) {
        int want = 0, have = 0;
        for (int k = 0; k < pb->n_gpus; k++)
            want += pb->gpus[k].used && pb->gpus[k].fleet == f;
        for (int j = 0; j < c->n; j++)
            have += free_for(c, j, f);
        for (; have < want; have++)
            if (cur_append(c, f) < 0)
                return MP_ENOMEM;
    }
    *base = 8LL * (used + 1) + 1;
    return 0;
}

/* Plan GPU src's cost on free GPU j; a GPU the state does not list (no
 * instances) costs what the last such GPU cost (*blank, -1: not known yet):
 * they differ only by index. */
static int cost_of(cur *c, int j, const mp_plan_gpu *src, const int *tmap,
                   bool large, long long base, long long *blank, long long *v)
{
    if (!c->g[j].st && *blank != -1) {
        *v = *blank;
        return 0;
    }
    mp_plan_gpu pg;
    int rc = map_one(c, &c->g[j], src, tmap, large, &pg);
    *v = rc ? CUR_NEVER : cost_on(&c->g[j], &pg, base);
    if (!c->g[j].st)
        *blank = *v;
    return rc;
}

/* Every used GPU of pb gets the cost of each free GPU of its model
 * (cost[k * c->n + j]). */
static int map_costs(cur *c, const mp_plan *pb, const int *tmap,
                     long long *cost, long long base)
{
    bool large = pb->n_gpus * c->n > 256;
    for (int k = 0; k < pb->n_gpus; k++) {
        long long blank = -1;
        for (int j = 0; j < c->n; j++) {
            long long *v = &cost[k * c->n + j];
            *v = CUR_NEVER;
            const mp_plan_gpu *src = &pb->gpus[k];
            if (!src->used || !free_for(c, j, src->fleet))
                continue;
            int rc = cost_of(c, j, src, tmap, large, base, &blank, v);
            if (rc)
                return rc;
        }
    }
    return 0;
}

/* map_greedy without the matrix, for a plan too large for one: each used
 * GPU of pb in turn onto the free GPU that changes least, trying the GPUs
 * the state lists and the first free one of its fleet entry it does not
 * (blank[f]: where to look for that one next; blank GPUs are taken in
 * order, so the walk is linear). */
static int map_greedy_direct(cur *c, const mp_plan *pb, const int *tmap,
                             long long base, int *to)
{
    bool *tk = calloc((size_t)c->n + 1, sizeof(*tk));
    int *listed = malloc((size_t)c->n * sizeof(*listed) + 1), nl = 0;
    int blank[MP_MAX_FLEET] = {0};
    int rc = tk && listed ? 0 : MP_ENOMEM;
    for (int j = 0; !rc && j < c->n; j++)
        if (c->g[j].st)
            listed[nl++] = j;
    for (int k = 0; k < pb->n_gpus && !rc; k++) {
        const mp_plan_gpu *src = &pb->gpus[k];
        long long best = CUR_NEVER, none = -1, v;
        to[k] = -1;
        for (int i = 0; i < nl && src->used && !rc; i++) {
            int j = listed[i];
            if (tk[j] || !free_for(c, j, src->fleet))
                continue;
            rc = cost_of(c, j, src, tmap, true, base, &none, &v);
            if (!rc && v != CUR_NEVER && (to[k] < 0 || v < best))
                best = v, to[k] = j;
        }
        int *b = &blank[src->fleet];
        while (*b < c->n &&
               (tk[*b] || c->g[*b].st || !free_for(c, *b, src->fleet)))
            (*b)++;
        if (src->used && !rc && *b < c->n) {
            rc = cost_of(c, *b, src, tmap, true, base, &none, &v);
            if (!rc && v != CUR_NEVER && (to[k] < 0 || v < best))
                best = v, to[k] = *b;
        }
        if (to[k] >= 0)
            tk[to[k]] = true;
    }
    free(tk), free(listed);
    return rc;
}

/* Each used GPU of pb in turn onto the free GPU that changes least; the
 * total into *sum. */
static void map_greedy(const cur *c, const mp_plan *pb, const long long *cost,
                       int *to, long long *sum)
{
    bool *tk = calloc((size_t)c->n + 1, sizeof(*tk));
    *sum = 0;
    for (int k = 0; k < pb->n_gpus; k++) {
        to[k] = -1;
        for (int j = 0; tk && j < c->n && pb->gpus[k].used; j++)
            if (!tk[j] && cost[k * c->n + j] != CUR_NEVER &&
                (to[k] < 0 || cost[k * c->n + j] < cost[k * c->n + to[k]]))
                to[k] = j;
        if (to[k] >= 0) {
            tk[to[k]] = true;
            *sum += cost[k * c->n + to[k]];
        }
    }
    if (!tk)
        *sum = CUR_NEVER;
    free(tk);
}

/* The assignment of the used GPUs of pb (rows) to GPUs (columns) of least
 * total cost: the Hungarian method with potentials. to[k] gets row k's
 * GPU. False when out of memory or no assignment avoids CUR_NEVER. */
static bool map_exact(const cur *c, const mp_plan *pb, const long long *cost,
                      int *to, long long *sum)
{
    int nr = 0, m = c->n;
    int *row = malloc((size_t)(pb->n_gpus + 1) * sizeof(*row));
    for (int k = 0; row && k < pb->n_gpus; k++)
        if (pb->gpus[k].used)
            row[++nr - 1] = k;
    long long *u = calloc((size_t)(nr + 1), sizeof(*u));
    long long *v = calloc((size_t)(m + 1), sizeof(*v));
    long long *mn = malloc((size_t)(m + 1) * sizeof(*mn));
    int *p = calloc((size_t)(m + 1), sizeof(*p));
    int *way = calloc((size_t)(m + 1), sizeof(*way));
    bool *used = malloc((size_t)(m + 1) * sizeof(*used));
    bool ok = row && u && v && mn && p && way && used && nr <= m;
    /* a pair that cannot be: dearer than every other assignment */
    long long top = 0;
    for (int k = 0; ok && k < pb->n_gpus * m; k++)
        top = cost[k] != CUR_NEVER && cost[k] > top ? cost[k] : top;
    ok = ok && top < LLONG_MAX / 64 / (nr + 1) / (nr + 1);
    const long long big = ok ? (top + 1) * (nr + 1) : 0, inf = big * (nr + 2);
    for (int i = 1; ok && i <= nr; i++) {
        p[0] = i;
        int j0 = 0;
        for (int j = 0; j <= m; j++)
            mn[j] = inf, used[j] = false;
        do {
            used[j0] = true;
            int i0 = p[j0], j1 = -1;
            long long delta = inf;
            for (int j = 1; j <= m; j++) {
                if (used[j])
                    continue;
                long long w = cost[row[i0 - 1] * m + j - 1];
                long long r = (w == CUR_NEVER ? big : w) - u[i0] - v[j];
                if (r < mn[j])
                    mn[j] = r, way[j] = j0;
                if (mn[j] < delta)
                    delta = mn[j], j1 = j;
            }
            for (int j = 0; j <= m; j++)
                if (used[j])
                    u[p[j]] += delta, v[j] -= delta;
                else
                    mn[j] -= delta;
            j0 = j1;
        } while (p[j0] != 0);
        do {
            int j1 = way[j0];
            p[j0] = p[j1];
            j0 = j1;
        } while (j0);
    }
    *sum = 0;
    for (int k = 0; ok && k < pb->n_gpus; k++)
        to[k] = -1;
    for (int j = 1; ok && j <= m; j++)
        if (p[j]) {
            long long w = cost[row[p[j] - 1] * m + j - 1];
            ok = w != CUR_NEVER;
            to[row[p[j] - 1]] = j - 1;
            *sum += ok ? w : 0;
        }
    free(row), free(u), free(v), free(mn), free(p), free(way), free(used);
    return ok;
}

/* Each used GPU of pb onto a free GPU of its model, together changing
 * the fewest instances (in use first): the GPUs in turn, each taking the
 * one that changes least, unless the exact assignment does better. */
static int map_all(cur *c, const mp_plan *pb, const int *tmap)
{
    long long *cost = NULL, base = 0, gsum = 0, xsum = 0;
    int *to = malloc((size_t)(pb->n_gpus + 1) * sizeof(*to));
    int *xto = malloc((size_t)(pb->n_gpus + 1) * sizeof(*xto));
    int rc = to && xto ? map_append(c, pb, &base) : MP_ENOMEM;
    /* a matrix of more than 4M pairs (32 MB): the greedy without it */
    bool direct = (double)pb->n_gpus * c->n > 4e6;
    if (!rc && direct)
        rc = map_greedy_direct(c, pb, tmap, base, to);
    else if (!rc) {
        cost = malloc((size_t)(pb->n_gpus * c->n + 1) * sizeof(*cost));
        rc = cost ? map_costs(c, pb, tmap, cost, base) : MP_ENOMEM;
    }
    if (!rc && !direct) {
        map_greedy(c, pb, cost, to, &gsum);
        /* O(rows^2 columns): up to a few hundred GPUs */
        double work = (double)pb->n_gpus * pb->n_gpus * c->n;
        if (work < 3e7 && map_exact(c, pb, cost, xto, &xsum) && xsum < gsum)
            memcpy(to, xto, (size_t)pb->n_gpus * sizeof(*to));
    }
    bool large = pb->n_gpus * c->n > 256;
    for (int k = 0; k < pb->n_gpus && !rc; k++) {
        if (!pb->gpus[k].used)
            continue;
        if (to[k] < 0) {
            rc = MP_EINTERNAL; /* every model has enough GPUs appended */
            break;
        }
        cur_gpu *g = &c->g[to[k]];
        rc = map_one(c, g, &pb->gpus[k], tmap, large, &g->pg);
        g->taken = true;
        g->pg.used = true;
    }
    free(cost), free(to), free(xto);
    return rc;
}

/* Is instance q of g one of its state's? */
static bool kept_gi(const cur_gpu *g, int q)
{
    const mp_layout *s = g->st ? &g->st->layout.gis : NULL;
    const mp_gi *gi = &g->pg.layout.gis.gi[q];
    for (int k = 0; s && k < s->n; k++)
        if (s->gi[k].profile == gi->profile && s->gi[k].start == gi->start)
            return true;
    return false;
}

/* Drop instance r of g's layout (a subset of a valid layout is valid). */
static void drop_gi(cur_gpu *g, int r)
{
    mp_plan_gpu *pg = &g->pg;
    mp_gpu_layout *l = &pg->layout;
    for (int q = r; q + 1 < l->gis.n; q++) {
        l->gis.gi[q] = l->gis.gi[q + 1];
        l->ci_explicit[q] = l->ci_explicit[q + 1];
        memcpy(l->ci_count[q], l->ci_count[q + 1], sizeof(l->ci_count[q]));
        pg->tenant[q] = pg->tenant[q + 1];
    }
    l->gis.n--;
    pg->tenant[l->gis.n] = -1;
    l->driver_order = l->driver_exact = false;
}

/* A new instance serving what kept instance q of GPU a (serving nobody)
 * could: it is not created, a serves it instead. */
static void reuse_one(cur *c, cur_gpu *a, int q)
{
    const mp_gi *gi = &a->pg.layout.gis.gi[q];
    for (int j = 0; j < c->n; j++) {
        cur_gpu *b = &c->g[j];
        for (int r = 0; b->taken && r < b->pg.layout.gis.n; r++) {
            int t = b->pg.tenant[r];
            if (t < 0 || kept_gi(b, r) || c->req->tenants[t].spread ||
                !cur_takes(c->req, t, a->pg.fleet, a->pg.layout.gis.model,
                           gi->profile))
                continue;
            a->pg.tenant[q] = t;
            drop_gi(b, r);
            return;
        }
    }
}

/* Kept instances that serve nobody take the replicas of new instances they
 * fit, which are then not created; a GPU left serving nobody (and with
 * nothing in use) is left as it is. */
static void reuse_idle(cur *c)
{
    for (int k = 0; k < c->n; k++) {
        cur_gpu *a = &c->g[k];
        for (int q = 0;
             a->taken && a->pg.layout.mig_enabled && q < a->pg.layout.gis.n;
             q++)
            if (a->pg.tenant[q] < 0 && kept_gi(a, q))
                reuse_one(c, a, q);
    }
    /* what a GPU gave away may leave room for its idle instances again */
    for (int k = 0; k < c->n; k++) {
        cur_gpu *g = &c->g[k];
        if (g->taken && g->st && g->pg.layout.mig_enabled &&
            keep_idle(&g->st->layout.gis, &g->pg))
            g->pg.layout.driver_order = g->pg.layout.driver_exact = false;
    }
    for (int k = 0; k < c->n; k++) {
        cur_gpu *g = &c->g[k];
        bool serves = !g->pg.layout.mig_enabled;
        for (int q = 0; q < g->pg.layout.gis.n; q++)
            serves = serves || g->pg.tenant[q] >= 0;
        if (g->taken && g->kind != CUR_BUSY && !serves)
            g->taken = false;
    }
}

int cur_place_rest(cur *c, bool *blocked, mp_plan *out, mp_diag *d)
{
    *blocked = false;
    mp_request r2;
    int *tmap = malloc((size_t)(c->req->n_tenants ? c->req->n_tenants : 1) *
                       sizeof(int));
    int rc = tmap ? rest_request(c, &r2, tmap) : MP_ENOMEM;
    if (rc) {
        free(tmap);
        return mp_diag_set(d, rc, NULL, 0, 0, "out of memory");
    }
    if (r2.n_tenants > 0) {
        mp_solve_opts o2 = *c->o;
        o2.current = NULL;
        /* half of what is left: the attempts after it get the rest */
        o2.time_limit = fmax(0.1, (c->deadline - sv_now()) / 2);
        mp_plan pb;
        int solved = mp_solve(c->db, &r2, &o2, &pb, d);
        rc = solved;
        if (!rc && !pb.feasible) {
            *blocked = true;
            memcpy(out->reason, pb.reason, sizeof(out->reason));
        } else if (!rc) {
            c->time_limit_hit = pb.time_limit_hit;
            rc = map_all(c, &pb, tmap);
            if (!rc)
                reuse_idle(c);
            if (rc)
                mp_diag_set(d, rc, NULL, 0, 0,
                            rc == MP_ENOMEM ? "out of memory"
                                            : "internal error: a GPU's "
                                              "layout; please report it");
        }
        if (!solved)
            mp_plan_free(&pb);
    }
    free(r2.tenants);
    free(tmap);
    return rc;
}
