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
        if ((c->g[k].kind == CUR_BUSY || c->g[k].kind == CUR_HELD ||
             c->g[k].taken) &&
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

/* The mapping by classes. Plan GPUs of one fleet entry, layout and
 * tenants give the same layout and cost on any free GPU of one fleet
 * entry and state, so each pair of classes is weighed once (D7: 3,693
 * GPUs of a plan onto 12,000 GPUs, 3,693 of them listed, make about 130
 * plan classes and 17 GPU classes), and the mapping is near-linear in
 * GPUs where weighing every pair took seconds. */
#define UNWEIGHED (-2LL)

typedef struct mclass {
    int rep;         /* its first member (plan GPU, or GPU of c) */
    int fleet;       /* fleet entry */
    int first, size; /* free GPUs: members at gm[first .. first+size-1] */
    int next;        /* free GPUs: members taken so far (in index order) */
    long long *row;  /* plan classes: cost per GPU class, NULL: none yet */
} mclass;

/* A pair of classes mapped: the layout a plan GPU of class p gets on a
 * GPU of class s. */
typedef struct mpair {
    int p, s;
    mp_plan_gpu pg;
} mpair;

typedef struct mapper {
    cur *c;
    const mp_plan *pb;
    const int *tmap;
    long long base;
    bool large; /* past the deadline, layouts stay as placed */
    int *pcl;   /* per plan GPU: its class, -1 when unused */
    int *gcl;   /* per GPU of c: its class, -1 when not free */
    int *gm;    /* free GPUs by class, in index order within one */
    mclass *pc, *gc;
    int npc, ngc;
    int *act, nact; /* GPU classes with a member free */
    mpair *pairs;
    int npairs, cap_pairs;
    mp_hashidx px, gx, pairx;
    bool cut; /* the deadline stopped the weighing */
} mapper;

static uint32_t hash_layout(uint32_t h, const mp_gpu_layout *l)
{
    h = mp_hash32_add(h, (uint32_t)l->mig_enabled);
    h = mp_hash32_add(h, (uint32_t)(l->driver_order * 2 + l->driver_exact));
    for (int q = 0; q < l->gis.n; q++) {
        h = mp_hash32_add(h, (uint32_t)l->gis.gi[q].profile);
        h = mp_hash32_add(h, (uint32_t)l->gis.gi[q].start);
        h = mp_hash32_add(h, (uint32_t)l->ci_explicit[q]);
        for (int k = 0; l->ci_explicit[q] && k < MP_MAX_CI; k++)
            h = mp_hash32_add(h, (uint32_t)(unsigned char)l->ci_count[q][k]);
    }
    return mp_hash32_add(h, (uint32_t)l->gis.n);
}

static uint32_t hash_plan_gpu(const mp_plan_gpu *g)
{
    uint32_t h = mp_hash32_add(MP_HASH32_INIT, (uint32_t)g->fleet);
    h = mp_hash32_add(h, (uint32_t)g->whole_tenant);
    for (int q = 0; q < g->layout.gis.n; q++)
        h = mp_hash32_add(h, (uint32_t)g->tenant[q]);
    return hash_layout(h, &g->layout);
}

static bool same_plan_gpu(const void *arr, int pos, const void *key)
{
    const mapper *m = arr;
    const mp_plan_gpu *a = &m->pb->gpus[m->pc[pos].rep], *b = key;
    if (a->fleet != b->fleet || a->whole_tenant != b->whole_tenant ||
        !mp_gpu_layout_equal(&a->layout, &b->layout))
        return false;
    for (int q = 0; q < a->layout.gis.n; q++)
        if (a->tenant[q] != b->tenant[q])
            return false;
    return true;
}

static uint32_t hash_gpu(const cur_gpu *g)
{
    uint32_t h = mp_hash32_add(MP_HASH32_INIT, (uint32_t)g->fleet);
    h = mp_hash32_add(h, (uint32_t)(g->kind * 4 + g->relaxed * 2 + !g->st));
    return g->st ? hash_layout(h, &g->st->layout) : h;
}

static bool same_proc(const mp_gi_state *a, const mp_gi_state *b)
{
    return a->n_processes == b->n_processes &&
           (a->process == b->process ||
            (a->process && b->process && !strcmp(a->process, b->process)));
}

static bool same_gpu(const void *arr, int pos, const void *key)
{
    const mapper *m = arr;
    const cur_gpu *a = &m->c->g[m->gc[pos].rep], *b = key;
    if (a->fleet != b->fleet || a->kind != b->kind ||
        a->relaxed != b->relaxed || !a->st != !b->st)
        return false;
    if (!a->st)
        return true;
    if (!mp_gpu_layout_equal(&a->st->layout, &b->st->layout) ||
        !same_proc(&a->st->whole, &b->st->whole))
        return false;
    for (int q = 0; q < a->st->layout.gis.n; q++)
        if (!same_proc(&a->st->gi[q], &b->st->gi[q]))
            return false;
    return true;
}

/* The class of element key (hash h) in x, a new one (member rep) when
 * none matches. -1 when out of memory. */
static int class_of(mapper *m, mp_hashidx *x, mclass **v, int *n, uint32_t h,
                    mp_hashidx_same same, const void *key, int rep, int fleet)
{
    int at = mp_hashidx_find(x, h, same, m, key);
    if (at >= 0)
        return at;
    mclass *grown = realloc(*v, (size_t)(*n + 1) * sizeof(**v));
    if (!grown)
        return -1;
    *v = grown;
    if (mp_hashidx_add(x, h) != *n)
        return -1;
    grown[*n] = (mclass){.rep = rep, .fleet = fleet};
    return (*n)++;
}

/* Every used plan GPU and every free GPU in its class; the free GPUs of
 * each class listed in index order. */
static int classify(mapper *m)
{
    const cur *c = m->c;
    const mp_plan *pb = m->pb;
    m->pcl = malloc((size_t)(pb->n_gpus + 1) * sizeof(int));
    m->gcl = malloc((size_t)(c->n + 1) * sizeof(int));
    m->gm = malloc((size_t)(c->n + 1) * sizeof(int));
    if (!m->pcl || !m->gcl || !m->gm)
        return MP_ENOMEM;
    for (int k = 0; k < pb->n_gpus; k++) {
        const mp_plan_gpu *g = &pb->gpus[k];
        m->pcl[k] = !g->used
                        ? -1
                        : class_of(m, &m->px, &m->pc, &m->npc, hash_plan_gpu(g),
                                   same_plan_gpu, g, k, g->fleet);
        if (g->used && m->pcl[k] < 0)
            return MP_ENOMEM;
    }
    for (int j = 0; j < c->n; j++) {
        const cur_gpu *g = &c->g[j];
        m->gcl[j] = !free_for(c, j, g->fleet)
                        ? -1
                        : class_of(m, &m->gx, &m->gc, &m->ngc, hash_gpu(g),
                                   same_gpu, g, j, g->fleet);
        if (free_for(c, j, g->fleet) && m->gcl[j] < 0)
            return MP_ENOMEM;
        if (m->gcl[j] >= 0)
            m->gc[m->gcl[j]].size++;
    }
    m->act = malloc((size_t)(m->ngc + 1) * sizeof(int));
    if (!m->act)
        return MP_ENOMEM;
    for (int s = 0, at = 0; s < m->ngc; at += m->gc[s++].size) {
        m->gc[s].first = at;
        m->act[m->nact++] = s;
    }
    for (int j = 0; j < c->n; j++)
        if (m->gcl[j] >= 0) {
            mclass *s = &m->gc[m->gcl[j]];
            m->gm[s->first + s->next++] = j;
        }
    for (int s = 0; s < m->ngc; s++)
        m->gc[s].next = 0;
    return 0;
}

/* The cost of plan class p on GPU class s, weighed once. */
static int weigh(mapper *m, int p, int s, long long *v)
{
    mclass *pc = &m->pc[p];
    if (!pc->row) {
        pc->row = malloc((size_t)m->ngc * sizeof(*pc->row));
        if (!pc->row)
            return MP_ENOMEM;
        for (int k = 0; k < m->ngc; k++)
            pc->row[k] = UNWEIGHED;
    }
    if (pc->row[s] == UNWEIGHED) {
        const cur_gpu *g = &m->c->g[m->gc[s].rep];
        mp_plan_gpu pg;
        int rc =
            map_one(m->c, g, &m->pb->gpus[pc->rep], m->tmap, m->large, &pg);
        if (rc)
            return rc;
        pc->row[s] = cost_on(g, &pg, m->base);
    }
    *v = pc->row[s];
    return 0;
}

/* Plan GPU k onto the free GPU that changes least (ties: the lowest
 * index), *to its GPU (-1: none fits), *v its cost. Past the deadline,
 * classes not weighed yet are weighed only while no GPU fits. */
static int pick(mapper *m, int k, int *to, long long *v)
{
    int p = m->pcl[k], best = -1;
    bool late = sv_now() > m->c->deadline;
    *to = -1;
    for (int i = 0; i < m->nact; i++) {
        int s = m->act[i];
        if (m->gc[s].fleet != m->pc[p].fleet)
            continue;
        const long long *row = m->pc[p].row;
        long long w;
        if (late && *to >= 0 && (!row || row[s] == UNWEIGHED)) {
            m->cut = true;
            continue;
        }
        int rc = weigh(m, p, s, &w);
        if (rc)
            return rc;
        int j = m->gm[m->gc[s].first + m->gc[s].next];
        if (w != CUR_NEVER && (*to < 0 || w < *v || (w == *v && j < *to)))
            *to = j, *v = w, best = i;
    }
    if (best < 0)
        return 0;
    mclass *s = &m->gc[m->act[best]];
    if (++s->next == s->size)
        m->act[best] = m->act[--m->nact];
    return 0;
}

/* Each used GPU of pb in turn onto the free GPU that changes least; the
 * total into *sum. */
static int map_greedy(mapper *m, int *to, long long *sum)
{
    *sum = 0;
    for (int k = 0; k < m->pb->n_gpus; k++) {
        long long v = 0;
        to[k] = -1;
        int rc = m->pcl[k] < 0 ? 0 : pick(m, k, &to[k], &v);
        if (rc)
            return rc;
        *sum += to[k] >= 0 ? v : 0;
    }
    return 0;
}

/* The cost of every used GPU of pb on every free GPU (cost[k * c->n + j],
 * CUR_NEVER where it cannot go), for the exact assignment. */
static int map_matrix(mapper *m, long long *cost)
{
    const cur *c = m->c;
    for (int k = 0; k < m->pb->n_gpus; k++)
        for (int j = 0; j < c->n; j++) {
            long long *v = &cost[(size_t)k * c->n + j];
            *v = CUR_NEVER;
            int p = m->pcl[k], s = m->gcl[j];
            if (p < 0 || s < 0 || m->gc[s].fleet != m->pc[p].fleet)
                continue;
            int rc = weigh(m, p, s, v);
            if (rc)
                return rc;
        }
    return 0;
}

static uint32_t hash_pair(int p, int s)
{
    return mp_hash32_add(mp_hash32_add(MP_HASH32_INIT, (uint32_t)p),
                         (uint32_t)s);
}

static bool same_pair(const void *arr, int pos, const void *key)
{
    const mpair *a = &((const mapper *)arr)->pairs[pos];
    const int *b = key;
    return a->p == b[0] && a->s == b[1];
}

/* Plan GPU k on GPU j: the layout its class pair gets, placed once per
 * pair. */
static int place_pair(mapper *m, int k, int j)
{
    int key[2] = {m->pcl[k], m->gcl[j]};
    uint32_t h = hash_pair(key[0], key[1]);
    int at = mp_hashidx_find(&m->pairx, h, same_pair, m, key);
    if (at < 0) {
        if (mp_grow(&m->pairs, &m->cap_pairs, m->npairs + 1, sizeof(*m->pairs),
                    16) ||
            mp_hashidx_add(&m->pairx, h) != m->npairs)
            return MP_ENOMEM;
        at = m->npairs++;
        mpair *pr = &m->pairs[at];
        pr->p = key[0], pr->s = key[1];
        int rc = map_one(m->c, &m->c->g[m->gc[key[1]].rep],
                         &m->pb->gpus[m->pc[key[0]].rep], m->tmap, m->large,
                         &pr->pg);
        if (rc)
            return rc;
    }
    cur_gpu *g = &m->c->g[j];
    const mp_plan_gpu *src = &m->pb->gpus[k];
    g->pg = m->pairs[at].pg;
    g->pg.index = src->index;
    g->pg.node = src->node;
    g->pg.node_index = src->node_index;
    g->pg.used = true;
    g->taken = true;
    return 0;
}

static void mapper_free(mapper *m)
{
    for (int p = 0; p < m->npc; p++)
        free(m->pc[p].row);
    free(m->pcl), free(m->gcl), free(m->gm), free(m->pc), free(m->gc);
    free(m->act), free(m->pairs);
    mp_hashidx_free(&m->px);
    mp_hashidx_free(&m->gx);
    mp_hashidx_free(&m->pairx);
}

/* Each used GPU of pb onto a free GPU of its model, together changing
 * the fewest instances (in use first): the GPUs in turn, each taking the
 * one that changes least, unless the exact assignment (a few hundred
 * GPUs at most) does better. Past the deadline the weighing stops: each
 * GPU then takes the first that fits (c->time_limit_hit). */
static int map_all(cur *c, const mp_plan *pb, const int *tmap)
{
    mapper m = {.c = c, .pb = pb, .tmap = tmap};
    m.px = m.gx = m.pairx = (mp_hashidx)MP_HASHIDX_INIT;
    long long *cost = NULL, gsum = 0, xsum = 0;
    int *to = malloc((size_t)(pb->n_gpus + 1) * sizeof(*to));
    int *xto = malloc((size_t)(pb->n_gpus + 1) * sizeof(*xto));
    int rc = to && xto ? map_append(c, pb, &m.base) : MP_ENOMEM;
    m.large = (double)pb->n_gpus * c->n > 256;
    if (!rc)
        rc = classify(&m);
    if (!rc)
        rc = map_greedy(&m, to, &gsum);
    /* O(rows^2 columns): up to a few hundred GPUs */
    double work = (double)pb->n_gpus * pb->n_gpus * c->n;
    if (!rc && work < 3e7 && (double)pb->n_gpus * c->n <= 4e6) {
        cost = malloc(((size_t)pb->n_gpus * c->n + 1) * sizeof(*cost));
        rc = cost ? map_matrix(&m, cost) : MP_ENOMEM;
        if (!rc && map_exact(c, pb, cost, xto, &xsum) && xsum < gsum)
            memcpy(to, xto, (size_t)pb->n_gpus * sizeof(*to));
    }
    for (int k = 0; k < pb->n_gpus && !rc; k++) {
        if (!pb->gpus[k].used)
            continue;
        /* every model has enough GPUs appended */
        rc = to[k] < 0 ? MP_EINTERNAL : place_pair(&m, k, to[k]);
    }
    c->time_limit_hit |= m.cut;
    mapper_free(&m);
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
        /* half of what is left: the attempts after it get the rest; a
         * minimum only while no attempt has found a plan (the first valid
         * one may end late; once there is one, the deadline holds) */
        o2.time_limit =
            fmax(c->have_plan ? 1e-3 : 0.1, (c->deadline - sv_now()) / 2);
        mp_plan pb;
        double t = sv_now();
        int solved = mp_solve(c->db, &r2, &o2, &pb, d);
        c->rest_seconds += sv_now() - t;
        rc = solved;
        if (!rc && !pb.feasible) {
            *blocked = true;
            memcpy(out->reason, pb.reason, sizeof(out->reason));
        } else if (!rc) {
            c->time_limit_hit = pb.time_limit_hit;
            double t0 = sv_now();
            rc = map_all(c, &pb, tmap);
            if (!rc)
                reuse_idle(c);
            c->map_seconds += sv_now() - t0;
            out->map_seconds = c->map_seconds;
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
