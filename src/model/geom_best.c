/* SPDX-License-Identifier: Apache-2.0 */
/* geom_best.c - of all placements of a set of GPU instances, the one that
 * leaves the most usable room: an exhaustive search over start slots (a few
 * hundred at most on a real GPU) scored by the capacity left, then by
 * whether the driver reproduces it, then by the lowest starts. */
#include "migplan/model/geom_best.h"
#include "migplan/model/geometry.h"

#include <string.h>

#include "geom_internal.h"

typedef struct best_ctx {
    const mp_model *m;
    int n;
    const int *prof;
    const int *pinned;
    int order[MP_MAX_GIS];
    int start[MP_MAX_GIS];
    mp_layout best;
    long score[4];
    bool have;
    long budget;
} best_ctx;

static void score_layout(const mp_layout *l, long *sc)
{
    mp_capacity c;
    mp_geom_capacity(l, &c);
    mp_geom_room(l, &c, sc);
    /* 2: the plain largest-first order reproduces it; 1: some order does */
    mp_layout sorted = *l;
    mp_geom_sort_largest_first(&sorted);
    int prof[MP_MAX_GIS];
    for (int i = 0; i < sorted.n; i++)
        prof[i] = sorted.gi[i].profile;
    mp_layout sim;
    sc[2] = 0;
    if (mp_geom_simulate(l->model, prof, sorted.n, &sim) == sorted.n) {
        bool same = true;
        for (int i = 0; i < sim.n && same; i++) {
            bool found = false;
            for (int k = 0; k < sorted.n && !found; k++)
                found = sorted.gi[k].profile == sim.gi[i].profile &&
                        sorted.gi[k].start == sim.gi[i].start;
            same = found;
        }
        if (same)
            sc[2] = 2;
    }
    if (!sc[2]) {
        int ord[MP_MAX_GIS];
        bool exact = false;
        sc[2] =
            mp_geom_creation_order(&sorted, ord, &exact, NULL) == 0 && exact;
    }
    /* lower starts for earlier (larger) instances: a stable tie-break */
    long lex = 0;
    for (int i = 0; i < sorted.n; i++)
        lex = lex * 17 + (16 - sorted.gi[i].start);
    sc[3] = lex;
}

static bool better(const long *a, const long *b)
{
    for (int i = 0; i < 4; i++)
        if (a[i] != b[i])
            return a[i] > b[i];
    return false;
}

static void best_rec(best_ctx *b, int k, unsigned occ)
{
    if (--b->budget < 0)
        return;
    if (k == b->n) {
        mp_layout l;
        l.model = b->m;
        l.n = b->n;
        for (int i = 0; i < b->n; i++) {
            l.gi[i].profile = b->prof[i];
            l.gi[i].start = b->start[i];
        }
        long sc[4];
        score_layout(&l, sc);
        if (!b->have || better(sc, b->score)) {
            b->have = true;
            b->best = l;
            memcpy(b->score, sc, sizeof(sc));
        }
        return;
    }
    int i = b->order[k];
    const mp_gi_profile *p = &b->m->profiles[b->prof[i]];
    if (b->pinned && b->pinned[i] >= 0) {
        unsigned mk = pmask(p, b->pinned[i]);
        if (!(occ & mk)) {
            b->start[i] = b->pinned[i];
            best_rec(b, k + 1, occ | mk);
        }
        return;
    }
    int min_start = -1;
    if (k > 0 && b->prof[b->order[k - 1]] == b->prof[i] &&
        !(b->pinned && b->pinned[b->order[k - 1]] >= 0))
        min_start = b->start[b->order[k - 1]];
    for (int j = 0, st; (st = next_free(p, occ, min_start, &j)) >= 0;) {
        b->start[i] = st;
        best_rec(b, k + 1, occ | pmask(p, st));
    }
}

int mp_geom_fit_best(const mp_model *m, const int *profiles, const int *pinned,
                     int n, mp_layout *out, mp_fit_result *res)
{
    mp_layout first;
    int rc = mp_geom_fit(m, profiles, pinned, n, &first, res);
    if (rc || !out)
        return rc;
    /* a budget far above any real layout's placement count */
    best_ctx b = {
        .m = m, .n = n, .prof = profiles, .pinned = pinned, .budget = 20000};
    for (int i = 0; i < n; i++)
        b.order[i] = i;
    /* group identical profiles so their starts can be taken in order */
    for (int a = 1; a < n; a++) {
        int x = b.order[a], c = a - 1;
        while (c >= 0 && profiles[b.order[c]] > profiles[x]) {
            b.order[c + 1] = b.order[c];
            c--;
        }
        b.order[c + 1] = x;
    }
    best_rec(&b, 0, 0);
    *out = b.have ? b.best : first;
    return 0;
}

int mp_geom_fit_counts_best(const mp_model *m, const int *count, mp_layout *out,
                            mp_fit_result *res)
{
    return mp_geom_fit_counts_by(mp_geom_fit_best, m, count, out, res);
}
