/* SPDX-License-Identifier: Apache-2.0 */
/* geom_enum.c - every valid geometry of one GPU model: a depth-first walk
 * over profile counts that extends only sets that still fit, then a sort
 * that puts more instances of the larger profiles first. */
#include "migplan/model/geom_enum.h"
#include "migplan/model/geometry.h"
#include "migplan/util/arena.h"

#include <stdlib.h>
#include <string.h>

#include "geom_internal.h"

typedef struct enum_ctx {
    const mp_model *m;
    const bool *allowed;
    bool maximal_only;
    int count[MP_MAX_PROFILES];
    mp_geom_list *out;
    int cap;
    int err;
} enum_ctx;

static bool counts_fit(const mp_model *m, const int *count)
{
    return mp_geom_fit_counts(m, count, NULL, NULL) == 0;
}

static bool allowed_p(const enum_ctx *e, int p)
{
    return !e->allowed || e->allowed[p];
}

static void record(enum_ctx *e)
{
    const mp_model *m = e->m;
    bool maximal = true;
    for (int q = 0; q < m->n_profiles && maximal; q++) {
        if (!allowed_p(e, q))
            continue;
        e->count[q]++;
        if (counts_fit(m, e->count))
            maximal = false;
        e->count[q]--;
    }
    if (e->maximal_only && !maximal)
        return;
    if (mp_grow(&e->out->v, &e->cap, e->out->n + 1, sizeof(*e->out->v), 64)) {
        e->err = MP_ENOMEM;
        return;
    }
    mp_geometry *g = &e->out->v[e->out->n++];
    memset(g, 0, sizeof(*g));
    for (int p = 0; p < m->n_profiles; p++) {
        g->count[p] = (unsigned char)e->count[p];
        g->instances += e->count[p];
        g->compute_used += e->count[p] * m->profiles[p].compute_slices;
        g->memory_used += e->count[p] * m->profiles[p].memory_slices;
    }
    g->maximal = maximal;
}

static void enum_rec(enum_ctx *e, int from)
{
    for (int p = from; p < e->m->n_profiles && !e->err; p++) {
        if (!allowed_p(e, p))
            continue;
        e->count[p]++;
        if (counts_fit(e->m, e->count)) {
            record(e);
            enum_rec(e, p);
        }
        e->count[p]--;
    }
}

/* A geometry's sort key: its counts with the largest profile first. The
 * keys are computed before sorting, so the comparator needs no state (no
 * file statics: enumeration is reentrant). */
typedef struct geom_key {
    unsigned char key[MP_MAX_PROFILES];
    int index;
} geom_key;

static int cmp_key(const void *a, const void *b)
{
    const geom_key *ka = a, *kb = b;
    /* more instances of the larger profiles first */
    int c = memcmp(kb->key, ka->key, sizeof(ka->key));
    return c ? c : ka->index - kb->index;
}

/* Sort l by the keys above; MP_ENOMEM leaves it as it was. */
static int sort_largest_first(const mp_model *m, mp_geom_list *l)
{
    int rank[MP_MAX_PROFILES];
    for (int i = 0; i < m->n_profiles; i++)
        rank[i] = i;
    for (int a = 1; a < m->n_profiles; a++) {
        int x = rank[a], b = a - 1;
        while (b >= 0 && mp_geom_cmp_largest(m, rank[b], x) > 0) {
            rank[b + 1] = rank[b];
            b--;
        }
        rank[b + 1] = x;
    }
    geom_key *keys = calloc((size_t)l->n, sizeof(*keys));
    mp_geometry *sorted = malloc((size_t)l->n * sizeof(*sorted));
    if (!keys || !sorted) {
        free(keys);
        free(sorted);
        return MP_ENOMEM;
    }
    for (int i = 0; i < l->n; i++) {
        keys[i].index = i;
        for (int r = 0; r < m->n_profiles; r++)
            keys[i].key[r] = l->v[i].count[rank[r]];
    }
    qsort(keys, (size_t)l->n, sizeof(*keys), cmp_key);
    for (int i = 0; i < l->n; i++)
        sorted[i] = l->v[keys[i].index];
    free(keys);
    free(l->v);
    l->v = sorted;
    return 0;
}

int mp_geom_enumerate(const mp_model *m, const bool *allowed, bool maximal_only,
                      mp_geom_list *out)
{
    enum_ctx e = {
        .m = m, .allowed = allowed, .maximal_only = maximal_only, .out = out};
    out->v = NULL;
    out->n = 0;
    enum_rec(&e, 0);
    if (!e.err && out->n > 1)
        e.err = sort_largest_first(m, out);
    if (e.err)
        mp_geom_list_free(out);
    return e.err;
}

void mp_geom_list_free(mp_geom_list *l)
{
    if (!l)
        return;
    free(l->v);
    memset(l, 0, sizeof(*l));
}
