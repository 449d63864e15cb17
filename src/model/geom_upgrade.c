// SPDX-License-Identifier: Apache-2.0
/* geom_upgrade.c - the most compute a GPU's instances could be given.
 *
 * A layout strands compute when its free compute slices have no memory
 * left to go with them. Whether that could be avoided is a question of
 * upgrades: replace each instance by one that serves at least as much
 * (mp_gi_dominates) and see whether a multiset that still fits uses more
 * compute. Instances per GPU are few (at most 8 on every known model), so
 * an exhaustive search over dominating profiles, with the replicas of one
 * profile in non-decreasing order and sums pruned, is instant. */
#include "migplan/model/geom_upgrade.h"

#include <string.h>

#include "migplan/model/geometry.h"

bool mp_gi_dominates(const mp_gi_profile *q, const mp_gi_profile *p)
{
    if (q->memory_mib < p->memory_mib || q->compute_slices < p->compute_slices)
        return false;
    if (p->sms >= 0 && q->sms < p->sms)
        return false;
    for (int e = 0; e < MP_ENG_COUNT; e++)
        if (q->engines[e] < p->engines[e])
            return false;
    return !(p->flags & MP_GI_GFX) || (q->flags & MP_GI_GFX);
}

typedef struct up_ctx {
    const mp_model *m;
    int n;                /* instances */
    int from[MP_MAX_GIS]; /* their profiles, grouped */
    int pick[MP_MAX_GIS];
    int best_pick[MP_MAX_GIS];
    int count[MP_MAX_PROFILES];
    int mem, comp;
    int best_comp, best_mem;
    bool by_memory; /* most memory slices instead of compute */
    bool have;
} up_ctx;

/* Is the current choice better than the best so far? */
static bool up_better(const up_ctx *u)
{
    int a = u->by_memory ? u->mem : u->comp,
        b = u->by_memory ? u->comp : u->mem;
    int ba = u->by_memory ? u->best_mem : u->best_comp;
    int bb = u->by_memory ? u->best_comp : u->best_mem;
    return !u->have || a > ba || (a == ba && b < bb);
}

static void up_leaf(up_ctx *u)
{
    if (!up_better(u))
        return;
    if (mp_geom_fit_counts(u->m, u->count, NULL, NULL) != 0)
        return;
    u->have = true;
    u->best_comp = u->comp;
    u->best_mem = u->mem;
    memcpy(u->best_pick, u->pick, sizeof(u->pick));
}

static void up_rec(up_ctx *u, int i)
{
    const mp_model *m = u->m;
    if (i == u->n) {
        up_leaf(u);
        return;
    }
    if (u->have && !u->by_memory && u->best_comp == m->compute_slices &&
        u->best_mem <= u->mem)
        return; /* nothing below can do better */
    const mp_gi_profile *p = &m->profiles[u->from[i]];
    int q0 = i > 0 && u->from[i - 1] == u->from[i] ? u->pick[i - 1] : 0;
    for (int q = q0; q < m->n_profiles; q++) {
        const mp_gi_profile *pq = &m->profiles[q];
        if (!mp_gi_dominates(pq, p) || u->count[q] >= pq->max_instances ||
            u->mem + pq->memory_slices > m->units ||
            u->comp + pq->compute_slices > m->compute_slices)
            continue;
        u->pick[i] = q;
        u->count[q]++;
        u->mem += pq->memory_slices;
        u->comp += pq->compute_slices;
        up_rec(u, i + 1);
        u->count[q]--;
        u->mem -= pq->memory_slices;
        u->comp -= pq->compute_slices;
    }
}

int mp_geom_upgrade(const mp_model *m, const int *count, bool by_memory,
                    int to[MP_MAX_PROFILES][MP_MAX_PROFILES])
{
    up_ctx u;
    memset(&u, 0, sizeof(u));
    u.m = m;
    u.by_memory = by_memory;
    memset(to, 0, MP_MAX_PROFILES * sizeof(*to));
    int used = 0;
    int n = 0;
    for (int p = 0; p < m->n_profiles; p++) {
        const mp_gi_profile *pp = &m->profiles[p];
        to[p][p] = count[p];
        used += count[p] * (by_memory ? pp->memory_slices : pp->compute_slices);
        n += count[p];
    }
    if (n > MP_MAX_GIS)
        return used; /* cannot fit any GPU */
    for (int p = 0; p < m->n_profiles; p++)
        for (int c = 0; c < count[p]; c++)
            u.from[u.n++] = p;
    up_rec(&u, 0);
    int best = by_memory ? u.best_mem : u.best_comp;
    if (!u.have || best <= used)
        return used;
    memset(to, 0, MP_MAX_PROFILES * sizeof(*to));
    for (int i = 0; i < u.n; i++)
        to[u.from[i]][u.best_pick[i]]++;
    return best;
}
