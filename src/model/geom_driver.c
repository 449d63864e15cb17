/* SPDX-License-Identifier: Apache-2.0 */
/* geom_driver.c - what the driver does when it picks start slots itself,
 * and creation orders that build a layout anyway: the model of the driver's
 * choice, a simulation of it, and a search over orders. */
#include "migplan/model/geom_driver.h"
#include "migplan/model/geometry.h"

#include <string.h>

#include "geom_internal.h"

int mp_geom_driver_pick(const mp_model *m, int p, unsigned occupied)
{
    const mp_gi_profile *pp = &m->profiles[p];
    int best = -1, best_cost = 1 << 30;
    for (int j = 0, st; (st = next_free(pp, occupied, -1, &j)) >= 0;) {
        unsigned mk = pmask(pp, st);
        /* how many still-free placements of any profile this one kills */
        int cost = 0;
        for (int q = 0; q < m->n_profiles; q++) {
            const mp_gi_profile *pq = &m->profiles[q];
            for (int t = 0; t < pq->n_placements; t++) {
                unsigned qm = pmask(pq, pq->placements[t]);
                if (!(qm & occupied) && (qm & mk))
                    cost++;
            }
        }
        if (cost < best_cost) {
            best_cost = cost;
            best = st;
        }
    }
    return best;
}

int mp_geom_simulate(const mp_model *m, const int *profiles, int n,
                     mp_layout *out)
{
    unsigned occ = 0;
    int comp = 0, made = 0, media = 0;
    int count[MP_MAX_PROFILES] = {0};
    if (out) {
        out->model = m;
        out->n = 0;
    }
    for (int i = 0; i < n; i++) {
        const mp_gi_profile *p = &m->profiles[profiles[i]];
        if (count[profiles[i]] >= p->max_instances ||
            comp + p->compute_slices > m->compute_slices ||
            (is_media(p) && media))
            break;
        int st = mp_geom_driver_pick(m, profiles[i], occ);
        if (st < 0)
            break;
        occ |= pmask(p, st);
        comp += p->compute_slices;
        media += is_media(p);
        count[profiles[i]]++;
        if (out) {
            out->gi[out->n].profile = profiles[i];
            out->gi[out->n].start = st;
            out->n++;
        }
        made++;
    }
    return made;
}

int mp_geom_cmp_largest(const mp_model *m, int a, int b)
{
    const mp_gi_profile *pa = &m->profiles[a], *pb = &m->profiles[b];
    if (pa->compute_slices != pb->compute_slices)
        return pb->compute_slices - pa->compute_slices;
    if (pa->memory_slices != pb->memory_slices)
        return pb->memory_slices - pa->memory_slices;
    if (pa->n_placements != pb->n_placements)
        return pa->n_placements - pb->n_placements;
    int c = strcmp(pb->name, pa->name); /* "+me" sorts before plain */
    return c ? c : a - b;
}

void mp_geom_sort_largest_first(mp_layout *l)
{
    for (int a = 1; a < l->n; a++) {
        mp_gi x = l->gi[a];
        int b = a - 1;
        while (
            b >= 0 &&
            (mp_geom_cmp_largest(l->model, l->gi[b].profile, x.profile) > 0 ||
             (l->gi[b].profile == x.profile && l->gi[b].start > x.start))) {
            l->gi[b + 1] = l->gi[b];
            b--;
        }
        l->gi[b + 1] = x;
    }
}

typedef struct order_ctx {
    const mp_layout *l;
    bool exact;
    bool used[MP_MAX_GIS];
    int order[MP_MAX_GIS];
    int cand[MP_MAX_GIS]; /* instances sorted largest first */
    mp_layout got;
    long budget;
} order_ctx;

static bool order_dfs(order_ctx *c, int k, unsigned occ, int comp, int media)
{
    const mp_layout *l = c->l;
    const mp_model *m = l->model;
    if (k == l->n)
        return true;
    if (--c->budget < 0)
        return false;
    for (int ci = 0; ci < l->n; ci++) {
        int i = c->cand[ci];
        if (c->used[i])
            continue;
        /* skip an instance whose profile was already tried at this step */
        bool dup = false;
        for (int cj = 0; cj < ci && !dup; cj++) {
            int j = c->cand[cj];
            dup = !c->used[j] && l->gi[j].profile == l->gi[i].profile;
        }
        if (dup)
            continue;
        const mp_gi_profile *p = &m->profiles[l->gi[i].profile];
        if (comp + p->compute_slices > m->compute_slices ||
            (is_media(p) && media))
            continue;
        int st = mp_geom_driver_pick(m, l->gi[i].profile, occ);
        if (st < 0)
            continue;
        int target = i;
        if (c->exact) {
            /* the driver must land where some unused same-profile
             * instance is meant to be */
            target = -1;
            for (int j = 0; j < l->n; j++)
                if (!c->used[j] && l->gi[j].profile == l->gi[i].profile &&
                    l->gi[j].start == st)
                    target = j;
            if (target < 0)
                continue;
        }
        c->used[target] = true;
        c->order[k] = target;
        c->got.gi[k].profile = l->gi[target].profile;
        c->got.gi[k].start = st;
        if (order_dfs(c, k + 1, occ | pmask(p, st), comp + p->compute_slices,
                      media + is_media(p)))
            return true;
        c->used[target] = false;
    }
    return false;
}

int mp_geom_creation_order(const mp_layout *l, int *order, bool *exact,
                           mp_layout *driver)
{
    order_ctx c;
    memset(&c, 0, sizeof(c));
    c.l = l;
    for (int i = 0; i < l->n; i++)
        c.cand[i] = i;
    for (int a = 1; a < l->n; a++) {
        int x = c.cand[a], b = a - 1;
        while (b >= 0 && mp_geom_cmp_largest(l->model, l->gi[c.cand[b]].profile,
                                             l->gi[x].profile) > 0) {
            c.cand[b + 1] = c.cand[b];
            b--;
        }
        c.cand[b + 1] = x;
    }
    for (int pass = 0; pass < 2; pass++) {
        c.exact = pass == 0;
        c.budget = 200000;
        memset(c.used, 0, sizeof(c.used));
        c.got.model = l->model;
        c.got.n = l->n;
        if (order_dfs(&c, 0, 0, 0, 0)) {
            memcpy(order, c.order, (size_t)l->n * sizeof(*order));
            if (exact)
                *exact = c.exact;
            if (driver)
                *driver = c.got;
            return 0;
        }
    }
    return MP_EINFEASIBLE;
}
