/* SPDX-License-Identifier: Apache-2.0 */
/* plan.c - the mp_plan of a candidate: its GPUs tidied, the fleet's unused
 * GPUs added, all in a stable order (per fleet entry: whole GPUs, then by
 * the tenants they hold), numbered in that order, replicas numbered in GPU
 * order and by start slot within a GPU. */
#define _DEFAULT_SOURCE /* madvise's MADV_HUGEPAGE (Linux) */
#include "solver_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

void mp_plan_free(mp_plan *p)
{
    if (!p)
        return;
    free(p->gpus);
    free(p->nodes);
    mp_node_state_free(p->own_state);
    free(p->own_state);
    p->own_state = NULL;
    p->gpus = NULL;
    p->nodes = NULL;
    p->n_gpus = 0;
    p->n_repeated = 0;
    mp_findings_free(&p->warnings);
    p->n_nodes = 0;
}

int mp_plan_gpu_replicas(const mp_plan_gpu *g, int t)
{
    int n = g->whole_tenant == t;
    for (int q = 0; q < g->layout.gis.n; q++)
        n += g->tenant[q] == t;
    return n;
}

int mp_plan_max_per_gpu(const mp_plan *p, int t)
{
    int best = 0;
    for (int k = 0; k < p->n_gpus; k++) {
        int n = mp_plan_gpu_replicas(&p->gpus[k], t);
        if (n > best)
            best = n;
    }
    return best;
}

void mp_plan_tenant_spread(const mp_plan *p, int *gpus, int *most)
{
    for (int t = 0; t < p->req->n_tenants; t++) {
        if (gpus)
            gpus[t] = 0;
        if (most)
            most[t] = 0;
    }
    for (int k = 0; k < p->n_gpus; k++) {
        const mp_plan_gpu *g = &p->gpus[k];
        int seen[MP_MAX_GIS + 1], n = 0; /* the GPU's tenants, once each */
        if (g->whole_tenant >= 0)
            seen[n++] = g->whole_tenant;
        for (int q = 0; q < g->layout.gis.n; q++) {
            int t = g->tenant[q], i = 0;
            while (i < n && seen[i] != t)
                i++;
            if (t >= 0 && i == n)
                seen[n++] = t;
        }
        for (int i = 0; i < n; i++) {
            int c = mp_plan_gpu_replicas(g, seen[i]);
            if (gpus)
                gpus[seen[i]]++;
            if (most && c > most[seen[i]])
                most[seen[i]] = c;
        }
    }
}

void mp_plan_units_free(mp_plan_units *u)
{
    free(u->start);
    free(u->gpu);
    free(u->gi);
    memset(u, 0, sizeof(*u));
}

/* Every unit of p in GPU order: counted per tenant in u->start[t + 1]
 * (fill false), or recorded at u->start[t], which moves on (fill true). */
static void each_unit(const mp_plan *p, mp_plan_units *u, bool fill)
{
    for (int k = 0; k < p->n_gpus; k++) {
        const mp_plan_gpu *g = &p->gpus[k];
        for (int q = -1; q < g->layout.gis.n; q++) {
            int t = q < 0 ? g->whole_tenant : g->tenant[q];
            if (t < 0 || t >= p->req->n_tenants)
                continue;
            if (!fill) {
                u->start[t + 1]++;
                continue;
            }
            int at = u->start[t]++;
            u->gpu[at] = k;
            u->gi[at] = (signed char)q;
        }
    }
}

int mp_plan_units_build(const mp_plan *p, mp_plan_units *u)
{
    int nt = p->req->n_tenants;
    memset(u, 0, sizeof(*u));
    u->start = calloc((size_t)nt + 2, sizeof(int));
    if (!u->start)
        return MP_ENOMEM;
    each_unit(p, u, false);
    for (int t = 0; t < nt; t++)
        u->start[t + 1] += u->start[t];
    size_t n = (size_t)u->start[nt];
    u->gpu = malloc((n ? n : 1) * sizeof(int));
    u->gi = malloc(n ? n : 1);
    if (!u->gpu || !u->gi) {
        mp_plan_units_free(u);
        return MP_ENOMEM;
    }
    each_unit(p, u, true); /* start[t] moves to the end of t's units */
    memmove(u->start + 1, u->start, (size_t)nt * sizeof(int));
    u->start[0] = 0;
    return 0;
}

int mp_plan_node_view(const mp_plan *p, int j, mp_plan *out)
{
    const mp_plan_node *nd = &p->nodes[j];
    int n = p->req->pools[nd->pool].gpus;
    *out = *p;
    out->nodes = NULL;
    out->n_nodes = 0;
    out->gpus = malloc((size_t)n * sizeof(*out->gpus));
    if (!out->gpus)
        return MP_ENOMEM;
    memcpy(out->gpus, &p->gpus[nd->first_gpu], (size_t)n * sizeof(*out->gpus));
    for (int k = 0; k < n; k++)
        out->gpus[k].index = out->gpus[k].node_index;
    out->n_gpus = n;
    static const mp_node_state no_state; /* a node given no state: empty */
    if (p->own_state) /* planned from node states: the node's own */
        out->current = nd->state ? nd->state : &no_state;
    out->own_state = NULL;
    return 0;
}

int mp_plan_find_node(const mp_plan *p, const char *name)
{
    char buf[300];
    for (int j = 0; j < p->n_nodes; j++) {
        const mp_plan_node *nd = &p->nodes[j];
        mp_node_pool_node_name(&p->req->pools[nd->pool], nd->k, buf,
                               sizeof(buf));
        if (strcmp(buf, name) == 0)
            return j;
    }
    return -1;
}

/* ---------------------------------------------------------- the order */

/* A GPU with its sort key: the tenants of its instances, sorted. */
typedef struct sort_ent {
    const mp_plan_gpu *g;
    int pos; /* before sorting: ties keep it, as a stable sort would */
    int tenants[MP_MAX_GIS];
} sort_ent;

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static int cmp3(int a, int b)
{
    return (a > b) - (a < b);
}

/* Per fleet entry: used GPUs first, whole GPUs (by tenant) before MIG
 * ones, then by the sorted tenants (a GPU whose list is a prefix of
 * another's after it), then by profiles and starts; ties by position. */
static int ent_cmp(const void *pa, const void *pb)
{
    const sort_ent *ea = pa, *eb = pb;
    const mp_plan_gpu *a = ea->g, *b = eb->g;
    const mp_layout *la = &a->layout.gis, *lb = &b->layout.gis;
    bool mig = a->layout.mig_enabled;
    if (a->fleet != b->fleet)
        return cmp3(a->fleet, b->fleet);
    if (a->used != b->used)
        return a->used ? -1 : 1;
    if (mig != b->layout.mig_enabled)
        return mig ? 1 : -1;
    if (!mig && a->whole_tenant != b->whole_tenant)
        return cmp3(a->whole_tenant, b->whole_tenant);
    for (int k = 0; mig && k < la->n && k < lb->n; k++)
        if (ea->tenants[k] != eb->tenants[k])
            return cmp3(ea->tenants[k], eb->tenants[k]);
    if (mig && la->n != lb->n)
        return cmp3(lb->n, la->n);
    for (int k = 0; mig && k < la->n; k++) {
        if (la->gi[k].profile != lb->gi[k].profile)
            return cmp3(la->gi[k].profile, lb->gi[k].profile);
        if (la->gi[k].start != lb->gi[k].start)
            return cmp3(la->gi[k].start, lb->gi[k].start);
    }
    return cmp3(ea->pos, eb->pos);
}

/* The n used GPUs at the start of gpus put in order, in place, each fleet
 * entry i's from gpus[at[i]] on (the places between stay for its unused
 * GPUs): a permutation followed cycle by cycle, so that a plan of a
 * million replicas holds its GPUs once, not twice. */
static int sort_gpus(mp_plan_gpu *gpus, int n, int total, const int *at)
{
    sort_ent *e = malloc((size_t)(n > 0 ? n : 1) * sizeof(*e));
    int *dest = malloc((size_t)(total > 0 ? total : 1) * sizeof(int));
    if (!e || !dest) {
        free(e);
        free(dest);
        return MP_ENOMEM;
    }
    for (int k = 0; k < n; k++) {
        const mp_plan_gpu *g = &gpus[k];
        e[k].g = g;
        e[k].pos = k;
        int n_gis = g->layout.gis.n;
        memcpy(e[k].tenants, g->tenant, (size_t)n_gis * sizeof(int));
        qsort(e[k].tenants, (size_t)n_gis, sizeof(int), cmp_int);
    }
    qsort(e, (size_t)n, sizeof(*e), ent_cmp);
    int next[MP_MAX_FLEET];
    memcpy(next, at, sizeof(next));
    for (int k = 0; k < total; k++)
        dest[k] = -1; /* a place with nothing to move yet */
    for (int k = 0; k < n; k++)
        dest[e[k].pos] = next[e[k].g->fleet]++;
    free(e);
    /* each swap puts one GPU where it belongs; a place moved into from
     * past the used ones holds nothing (dest -1), which ends the cycle */
    for (int k = 0; k < n; k++)
        while (dest[k] >= 0 && dest[k] != k) {
            int d = dest[k];
            mp_plan_gpu tmp = gpus[d];
            gpus[d] = gpus[k];
            gpus[k] = tmp;
            dest[k] = dest[d];
            dest[d] = d;
        }
    free(dest);
    return 0;
}

/* ------------------------------------------------------------ building */

void sv_plan_gpu_init(mp_plan_gpu *pg, int fleet, const mp_model *m, bool used,
                      int whole_tenant)
{
    memset(pg, 0, sizeof(*pg));
    pg->fleet = fleet;
    pg->used = used;
    pg->whole_tenant = whole_tenant;
    pg->whole_replica = -1;
    pg->node = pg->node_index = -1;
    mp_gpu_layout_init(&pg->layout, m, used && whole_tenant < 0);
    for (int q = 0; q < MP_MAX_GIS; q++)
        pg->tenant[q] = pg->replica[q] = -1;
}

/* Room for n GPUs, not initialised: fill_gpus writes every one (free()
 * them). A large array is asked on huge pages where the system offers
 * them: a plan of a million replicas holds a fleet of GPUs (~0.5 KB
 * each), and on 4 KB pages the faults of touching them first cost more
 * than planning did. Zeroing it first would write it all twice (the
 * system hands out zeroed pages already). */
static mp_plan_gpu *alloc_gpus(size_t n)
{
    size_t size = (n ? n : 1) * sizeof(mp_plan_gpu);
#ifdef MADV_HUGEPAGE
    const size_t huge = (size_t)2 << 20;
    if (size >= 8 * huge) {
        size = (size + huge - 1) / huge * huge; /* aligned_alloc's rule */
        void *a = aligned_alloc(huge, size);
        if (a)
            (void)madvise(a, size, MADV_HUGEPAGE); /* a hint: may fail */
        if (a)
            return a;
    }
#endif
    return malloc(size);
}

/* The candidate's GPUs, tidied and sorted, each fleet entry's followed by
 * its unused ones: the order ent_cmp gives the whole plan, without sorting
 * the unused GPUs, which can be most of a fleet (each is a copy of one
 * empty GPU of its entry). With unused_runs, an entry's unused GPUs are
 * one record standing for them all (repeat). */
static int fill_gpus(sv_solver *s, const sv_gpu *gpus, int ng, mp_plan *plan)
{
    bool runs = s->o->unused_runs && !s->req->n_pools && !s->o->current;
    int used[MP_MAX_FLEET] = {0}, unused[MP_MAX_FLEET] = {0}, at[MP_MAX_FLEET];
    for (int k = 0; k < ng; k++)
        used[gpus[k].item]++;
    int n = 0; /* entry i: its used GPUs from at[i], then its unused ones */
    for (int i = 0; i < s->nitems; i++) {
        if (s->items[i].count > used[i])
            unused[i] = s->items[i].count - used[i];
        at[i] = n;
        n += used[i] + (runs && unused[i] ? 1 : unused[i]);
    }
    plan->gpus = alloc_gpus((size_t)n);
    int rc = plan->gpus ? 0 : MP_ENOMEM;
    for (int k = 0; k < ng && !rc; k++) {
        if (k % 1024 == 0)
            sv_progress(s, NULL, NULL); /* a long build reports too */
        rc = sv_tidy_gpu(s, &gpus[k], &plan->gpus[k]);
    }
    if (!rc)
        rc = sort_gpus(plan->gpus, ng, n, at);
    for (int i = 0; i < s->nitems && !rc; i++) {
        mp_plan_gpu empty;
        sv_plan_gpu_init(&empty, i, s->items[i].m, false, -1);
        int records = runs && unused[i] ? 1 : unused[i];
        empty.repeat = runs && unused[i] ? unused[i] - 1 : 0;
        for (int k = at[i] + used[i]; k < at[i] + used[i] + records; k++)
            plan->gpus[k] = empty;
    }
    plan->n_gpus = n;
    return rc;
}

int mp_plan_gpus_total(const mp_plan *p)
{
    return p->n_gpus + p->n_repeated;
}

int mp_plan_gpu_last(const mp_plan_gpu *g)
{
    return g->index + g->repeat;
}

const mp_plan_gpu *mp_plan_next_gpu(mp_plan_walk *w)
{
    if (w->pos >= w->p->n_gpus)
        return NULL;
    const mp_plan_gpu *g = &w->p->gpus[w->pos];
    if (!g->repeat) {
        w->pos++;
        return g;
    }
    w->one = *g;
    w->one.index = g->index + w->off;
    w->one.repeat = 0;
    if (w->off++ == g->repeat) {
        w->pos++;
        w->off = 0;
    }
    return &w->one;
}

/* Does GPU pg of plan run a replica of whole-gpu: N tenant tn (N > 1) now:
 * MIG disabled in the state plan starts from, a process named like tn? */
static bool runs_whole(const mp_plan *plan, const mp_plan_gpu *pg,
                       const mp_tenant *tn)
{
    const mp_gpu_state *s = plan->current && mp_tenant_gpus(tn) > 1
                                ? mp_node_state_gpu(plan->current, pg->index)
                                : NULL;
    return s && !s->layout.mig_enabled && s->whole.process &&
           strcmp(s->whole.process, tn->name) == 0;
}

int sv_plan_number(const mp_request *r, mp_plan *plan)
{
    int *next = calloc((size_t)(r->n_tenants ? r->n_tenants : 1), sizeof(int));
    if (!next)
        return MP_ENOMEM;
    plan->cost = 0;
    plan->gpus_used = 0;
    plan->n_repeated = 0;
    for (int k = 0; k < plan->n_gpus; k++) {
        mp_plan_gpu *pg = &plan->gpus[k];
        pg->index = k + plan->n_repeated; /* the GPUs of runs before it */
        plan->n_repeated += pg->repeat;
        if (pg->used) {
            plan->gpus_used++;
            plan->cost += r->fleet[pg->fleet].cost;
        }
        /* within a GPU, number replicas by start slot */
        const mp_layout *l = &pg->layout.gis;
        for (int s0 = 0; s0 < MP_MAX_UNITS; s0++)
            for (int q = 0; q < l->n; q++)
                if (l->gi[q].start == s0 && pg->tenant[q] >= 0)
                    pg->replica[q] = next[pg->tenant[q]]++;
    }
    /* a whole-gpu: N replica is N GPUs in a row, of one entry: first those
     * that run it now (current_whole.c takes them by entry), then the rest */
    for (int pass = 0; pass < 2; pass++)
        for (int k = 0; k < plan->n_gpus; k++) {
            mp_plan_gpu *pg = &plan->gpus[k];
            if (pg->whole_tenant < 0 ||
                runs_whole(plan, pg, &r->tenants[pg->whole_tenant]) != !pass)
                continue;
            pg->whole_replica = next[pg->whole_tenant]++ /
                                mp_tenant_gpus(&r->tenants[pg->whole_tenant]);
        }
    /* sums of decimal costs: show 5.8, not 5.799999999999999 */
    plan->cost = round(plan->cost * 1e6) / 1e6;
    free(next);
    return 0;
}

void sv_plan_node_cost(const mp_request *r, mp_plan *plan)
{
    plan->cost = 0;
    plan->nodes_used = 0;
    for (int j = 0; j < plan->n_nodes; j++)
        if (plan->nodes[j].used) {
            plan->nodes_used++;
            plan->cost += r->pools[plan->nodes[j].pool].cost;
        }
    plan->cost = round(plan->cost * 1e6) / 1e6;
}

int sv_plan_changes_cmp(const mp_plan *a, const mp_plan *b)
{
    int d = a->disruption.in_use_destroyed - b->disruption.in_use_destroyed;
    if (!d)
        d = a->disruption.destroyed - b->disruption.destroyed;
    return d ? d : a->disruption.created - b->disruption.created;
}

/* Drop the GPUs of gpus[0..*ng) that serve nothing: a search stopped by
 * the time limit can keep a column whose GPUs the assignment leaves empty,
 * and an empty GPU would count as used (and make a node used that holds
 * nothing). */
static void drop_empty(sv_gpu *gpus, int *ng)
{
    int n = 0;
    for (int k = 0; k < *ng; k++) {
        bool serves = gpus[k].whole_tenant >= 0;
        for (int q = 0; q < gpus[k].nslots && !serves; q++)
            serves = gpus[k].slots[q].tenant >= 0;
        if (serves)
            gpus[n++] = gpus[k];
    }
    *ng = n;
}

int sv_plan_build(sv_solver *s, const sv_cand *c, mp_plan *plan)
{
    const sv_model *md = &c->md;
    sv_gpu *gpus = NULL;
    int ng = 0;
    bool ok = false;
    long long *alloc = malloc((size_t)(md->nv ? md->nv : 1) * sizeof(*alloc));
    int rc = alloc ? sv_assign(s, md, c->best, alloc, &ok) : MP_ENOMEM;
    if (!rc && !ok)
        rc = MP_EINTERNAL; /* the search accepted it: it must assign */
    if (!rc)
        rc = sv_expand(s, md, c->best, alloc, &gpus, &ng);
    free(alloc);
    if (!rc)
        drop_empty(gpus, &ng);
    if (!rc)
        rc = fill_gpus(s, gpus, ng, plan);
    free(gpus);
    if (!rc)
        rc = sv_plan_number(s->req, plan);
    return rc;
}
