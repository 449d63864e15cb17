/* SPDX-License-Identifier: Apache-2.0 */
/* current_busy.c - a busy GPU's target: of every valid layout that keeps
 * its instances in use at their slots, the one that serves the most
 * replicas still to place (a max-flow), then destroys the fewest
 * instances, then creates the fewest. An instance in use whose process is
 * named like a tenant serves that tenant when it can. The layouts are
 * built from the GPU's own instances and the placements of the profiles
 * the tenants still to place may use. */
#include "current_internal.h"

#include <stdlib.h>
#include <string.h>

#include "migplan/solver/maxflow.h"

#define MAX_ITEMS 96
#define MAX_LEAVES 50000 /* layouts scored per GPU at most */

typedef struct busy {
    const cur *c;
    const mp_gpu_state *s;
    int mode;              /* as cur.mode */
    int fixed[MP_MAX_GIS]; /* tenant of an instance in use, by name; -1 */
    long long *need;       /* per tenant, what the layout may serve */
    mp_gi items[MAX_ITEMS];
    int nitems;
    long leaves;
    cur_opts *collect; /* every target goes here instead of the best */
    bool disrupt;      /* instances in use may go too */
    int fleet;         /* the GPU's fleet entry */
    /* the best so far */
    bool have;
    int served, in_use, destroyed, created, size;
    mp_layout best;
} busy;

bool cur_takes(const mp_request *r, int t, int fleet, const mp_model *m, int p)
{
    const mp_tenant *tn = &r->tenants[t];
    uint32_t offered = r->fleet[fleet].profiles;
    return mp_tenant_takes_profile(tn, m, p) &&
           (!offered || (offered & (1u << p))) &&
           !(tn->pin && tn->pin_single >= 0 &&
             tn->pin_single != (offered != 0));
}

static bool takes(const busy *b, int t, int p)
{
    return cur_takes(b->c->req, t, b->fleet, b->s->layout.gis.model, p);
}

/* Where gi is in l, or -1. */
static int find_gi(const mp_layout *l, const mp_gi *gi)
{
    for (int q = 0; q < l->n; q++)
        if (l->gi[q].profile == gi->profile && l->gi[q].start == gi->start)
            return q;
    return -1;
}

/* The replicas l serves, beyond the fixed ones; tenant (may be NULL) gets
 * each instance's tenant. -1 when out of memory. */
static int serve(const busy *b, const mp_layout *l, int *tenant)
{
    const mp_request *r = b->c->req;
    int nt = r->n_tenants, src = l->n + nt, sink = src + 1, served = 0;
    int *edge = malloc((size_t)(l->n * nt + 1) * sizeof(int));
    mp_flow *f = edge ? mp_flow_new(l->n + nt + 2) : NULL;
    if (!f) {
        free(edge);
        return -1;
    }
    for (int t = 0; t < nt; t++)
        if (b->need[t] > 0)
            mp_flow_add_edge(f, l->n + t, sink, b->need[t]);
    for (int q = 0; q < l->n; q++) {
        int k = find_gi(&b->s->layout.gis, &l->gi[q]);
        bool fixed = k >= 0 && b->fixed[k] >= 0;
        if (tenant)
            tenant[q] = fixed ? b->fixed[k] : -1;
        if (fixed)
            continue;
        mp_flow_add_edge(f, src, q, 1);
        for (int t = 0; t < nt; t++) {
            edge[q * nt + t] = -1;
            if (b->need[t] > 0 && !cur_whole(&r->tenants[t]) &&
                takes(b, t, l->gi[q].profile))
                edge[q * nt + t] = mp_flow_add_edge(f, q, l->n + t, 1);
        }
    }
    served = (int)mp_flow_max(f, src, sink);
    for (int q = 0; q < l->n && tenant; q++) {
        int k = find_gi(&b->s->layout.gis, &l->gi[q]);
        for (int t = 0;
             t < nt && tenant[q] < 0 && !(k >= 0 && b->fixed[k] >= 0); t++)
            if (edge[q * nt + t] >= 0 &&
                mp_flow_edge_flow(f, edge[q * nt + t]) > 0)
                tenant[q] = t;
    }
    mp_flow_free(f);
    free(edge);
    return served;
}

/* Is (served, in use destroyed, destroyed, created, size) better than
 * the best, in b->mode? */
static bool beats(const busy *b, int served, int in_use, int destroyed,
                  int created, int size)
{
    if ((b->mode & 1) && in_use != b->in_use)
        return in_use < b->in_use;
    if ((b->mode & 1) && destroyed != b->destroyed)
        return destroyed < b->destroyed;
    if (served != b->served)
        return served > b->served;
    if (in_use != b->in_use)
        return in_use < b->in_use;
    if (destroyed != b->destroyed)
        return destroyed < b->destroyed;
    if (created != b->created)
        return created < b->created;
    return size < b->size;
}

/* How much the new instances of l take: memory, then compute, then
 * attributes (a plain 1g.10gb before a 1g.10gb+me). */
static int new_size(const busy *b, const mp_layout *l)
{
    int size = 0;
    for (int q = 0; q < l->n; q++) {
        const mp_gi_profile *p = &l->model->profiles[l->gi[q].profile];
        if (find_gi(&b->s->layout.gis, &l->gi[q]) < 0)
            size += p->memory_slices * 256 + p->compute_slices * 16 +
                    (p->flags ? 1 : 0);
    }
    return size;
}

/* Score layout l: keeps every instance in use? then served, destroyed,
 * created against the best. */
static void score(busy *b, const mp_layout *l)
{
    const mp_layout *s = &b->s->layout.gis;
    int destroyed = 0, created = 0, in_use = 0;
    for (int q = 0; q < s->n; q++) {
        bool kept = find_gi(l, &s->gi[q]) >= 0;
        if (!kept && b->s->gi[q].n_processes > 0 && !b->disrupt)
            return;
        in_use += !kept && b->s->gi[q].n_processes > 0;
        destroyed += !kept;
    }
    for (int q = 0; q < l->n; q++)
        created += find_gi(s, &l->gi[q]) < 0;
    if (b->collect) {
        cur_opt o = {.l = *l,
                     .destroyed = destroyed,
                     .created = created,
                     .in_use_destroyed = in_use,
                     .size = new_size(b, l)};
        for (int q = 0; q < l->n; q++) {
            int k = find_gi(s, &l->gi[q]);
            o.cnt[l->gi[q].profile] += !(k >= 0 && b->fixed[k] >= 0);
        }
        cur_opts_add(b->collect, &o);
        return;
    }
    int served = serve(b, l, NULL);
    if (served < 0)
        return;
    int size = new_size(b, l);
    if (b->have && !beats(b, served, in_use, destroyed, created, size))
        return;
    b->have = true;
    b->served = served;
    b->in_use = in_use;
    b->destroyed = destroyed;
    b->created = created;
    b->size = size;
    b->best = *l;
}

static void walk(busy *b, int i, mp_layout *l)
{
    if (b->leaves >= MAX_LEAVES)
        return;
    if (i == b->nitems) {
        b->leaves++;
        score(b, l);
        return;
    }
    /* the GPU's instances come first: one in use is never left out; an
     * instance is tried in before out, so that the layouts keeping the
     * most come first when the leaf budget ends the walk */
    if (l->n < MP_MAX_GIS) {
        l->gi[l->n++] = b->items[i];
        if (mp_geom_validate(l, NULL) == 0)
            walk(b, i + 1, l);
        l->n--;
    }
    if (i >= b->s->layout.gis.n || b->s->gi[i].n_processes == 0 || b->disrupt)
        walk(b, i + 1, l);
}

/* The candidate instances: the GPU's own (in use first, so that the walk
 * meets layouts keeping them early), then every placement of a profile
 * some tenant still to place may use. */
static void gather(busy *b)
{
    const mp_layout *s = &b->s->layout.gis;
    const mp_model *m = s->model;
    const mp_request *r = b->c->req;
    for (int q = 0; q < s->n; q++)
        b->items[b->nitems++] = s->gi[q];
    for (int p = 0; p < m->n_profiles; p++) {
        bool useful = false;
        for (int t = 0; t < r->n_tenants && !useful; t++)
            useful =
                b->need[t] > 0 && !cur_whole(&r->tenants[t]) && takes(b, t, p);
        for (int k = 0; useful && k < m->profiles[p].n_placements; k++) {
            mp_gi gi = {.profile = p, .start = m->profiles[p].placements[k]};
            bool seen = false;
            for (int i = 0; i < b->nitems && !seen; i++)
                seen =
                    b->items[i].profile == p && b->items[i].start == gi.start;
            if (b->nitems < MAX_ITEMS && !seen)
                b->items[b->nitems++] = gi;
        }
    }
}

/* The instances in use named like a tenant they may serve. */
static void fix_named(busy *b)
{
    const mp_layout *s = &b->s->layout.gis;
    const mp_request *r = b->c->req;
    for (int q = 0; q < s->n; q++) {
        b->fixed[q] = -1;
        const char *proc =
            (b->mode & 2) || b->disrupt ? NULL : b->s->gi[q].process;
        for (int t = 0; proc && b->s->gi[q].n_processes > 0 &&
                        t < r->n_tenants && b->fixed[q] < 0;
             t++)
            if (b->need[t] > 0 && !cur_whole(&r->tenants[t]) &&
                strcmp(proc, r->tenants[t].name) == 0 &&
                takes(b, t, s->gi[q].profile)) {
                b->fixed[q] = t;
                b->need[t]--;
            }
    }
}

/* pg (fleet entry `fleet`) gets the best layout of state s for need,
 * which loses what the layout serves (disrupt: its instances in use may
 * go, as few as possible). MP_EINTERNAL, MP_ENOMEM. */
static int best_on(const cur *c, const mp_gpu_state *s, int fleet, int mode,
                   bool disrupt, long long *need, mp_plan_gpu *pg)
{
    busy b = {.c = c,
              .s = s,
              .mode = mode,
              .need = need,
              .disrupt = disrupt,
              .fleet = fleet};
    fix_named(&b);
    gather(&b);
    mp_layout l = {.model = s->layout.gis.model, .n = 0};
    walk(&b, 0, &l);
    if (!b.have) /* the state itself always qualifies */
        b.best = s->layout.gis;
    int tenant[MP_MAX_GIS];
    if (serve(&b, &b.best, tenant) < 0)
        return MP_ENOMEM;
    sv_plan_gpu_init(pg, fleet, l.model, true, -1);
    /* kept instances in the state's order, then the new ones */
    for (int pass = 0; pass < 2; pass++)
        for (int q = 0; q < b.best.n; q++) {
            int k = find_gi(&s->layout.gis, &b.best.gi[q]);
            if ((k >= 0) != (pass == 0))
                continue;
            int at = mp_gpu_layout_add(&pg->layout, b.best.gi[q].profile,
                                       b.best.gi[q].start);
            if (at < 0)
                return MP_EINTERNAL;
            pg->tenant[at] = tenant[q];
            if (tenant[q] >= 0 && !(k >= 0 && b.fixed[k] >= 0))
                need[tenant[q]]--; /* the fixed ones are counted */
        }
    pg->layout.driver_order = pg->layout.driver_exact = false;
    return 0;
}

int cur_busy_options(const cur *c, const mp_gpu_state *s, int fleet,
                     long long *need, bool disrupt, int *fixed, cur_opts *out)
{
    busy b = {.c = c,
              .s = s,
              .mode = c->mode,
              .need = need,
              .collect = out,
              .disrupt = disrupt,
              .fleet = fleet};
    fix_named(&b);
    memcpy(fixed, b.fixed, sizeof(b.fixed));
    gather(&b);
    mp_layout l = {.model = s->layout.gis.model, .n = 0};
    walk(&b, 0, &l);
    out->cut = b.leaves >= MAX_LEAVES;
    return out->nomem ? MP_ENOMEM : 0;
}

int cur_place_busy_gpu(cur *c, cur_gpu *g, int busy_left)
{
    g->taken = true;
    int nt = c->req->n_tenants;
    if (!(c->mode & 4) || busy_left <= 1)
        return best_on(c, g->st, g->fleet, c->mode, false, c->left, &g->pg);
    long long *share = calloc((size_t)(nt ? 2 * nt : 1), sizeof(*share));
    if (!share)
        return MP_ENOMEM;
    for (int t = 0; t < nt; t++)
        share[t] = share[nt + t] = (c->left[t] + busy_left - 1) / busy_left;
    int rc = best_on(c, g->st, g->fleet, c->mode, false, share, &g->pg);
    for (int t = 0; t < nt && !rc; t++)
        c->left[t] -= share[nt + t] - share[t]; /* what it served */
    free(share);
    return rc;
}

int cur_refine(const cur *c, cur_gpu *g)
{
    const mp_layout *l = &g->pg.layout.gis;
    if (!g->st || g->st->layout.gis.n == 0 || !g->pg.layout.mig_enabled)
        return 0;
    long long *need = calloc(
        (size_t)(c->req->n_tenants ? c->req->n_tenants : 1), sizeof(*need));
    if (!need)
        return MP_ENOMEM;
    for (int q = 0; q < l->n; q++)
        if (g->pg.tenant[q] >= 0)
            need[g->pg.tenant[q]]++;
    mp_plan_gpu pg;
    int rc = best_on(c, g->st, g->fleet, 0, g->relaxed, need, &pg);
    bool all = true;
    for (int t = 0; t < c->req->n_tenants; t++)
        all = all && need[t] == 0;
    free(need);
    if (!rc && all)
        g->pg = pg;
    return rc;
}
