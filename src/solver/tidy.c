/* SPDX-License-Identifier: Apache-2.0 */
/* tidy.c - per GPU: re-choose the profiles of the tenants it holds to leave
 * the most usable capacity free, then place them and order their creation.
 *
 * Among the profile choices the tenants allow whose multiset fits the GPU,
 * the best scores highest on: least stranded compute (idle compute slices
 * with no memory left for them help nobody: better give them to tenants),
 * then, when some is stranded anyway, most compute in use; then the
 * largest profile that still fits, usable free slices (mp_geom_room),
 * fewest +me profiles taken (keep them for tenants that need them), least
 * stranded memory, and least memory and compute used. Whatever stranding
 * remains, no upgrade of the chosen instances (mp_geom_upgrade) could use
 * more compute: that is what `check` accepts as unavoidable. Identical
 * GPUs (same model, same tenants' needs) are common in racks and fleets;
 * each distinct one is tidied once. */
#include "solver_internal.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define NSCORE 7
#define LEAVES 512         /* distinct profile counts scored per GPU */
#define TIDY_BUDGET 20000L /* choices tried per GPU */

/* The tenants on one GPU, as groups of replicas. */
typedef struct groups {
    int n;
    int tenant[MP_MAX_GIS];
    int need[MP_MAX_GIS]; /* replicas of each */
    uint32_t elig[MP_MAX_GIS];
} groups;

typedef struct tidy_leaf {
    unsigned char count[MP_MAX_PROFILES];
    bool used, fits;
    long score[NSCORE];
} tidy_leaf;

typedef struct tidy_ctx {
    const mp_model *m;
    const groups *gr;
    int choice[MP_MAX_GIS][MP_MAX_PROFILES]; /* profiles per group */
    int best_choice[MP_MAX_GIS][MP_MAX_PROFILES];
    long best_score[NSCORE];
    bool have;
    int count[MP_MAX_PROFILES];
    int mem, comp; /* memory and compute slices of count */
    long budget;
    /* many choices give the same profile counts: each is placed and
     * scored once (open addressing on the counts) */
    tidy_leaf leaf[LEAVES];
} tidy_ctx;

/* A finished GPU by what it holds: its layout, and per GPU instance the
 * group (index into key) it serves. A GPU left untidied (past the tidying
 * deadline) keeps the solver's profiles: its entry (cut) is keyed by those
 * too, per group (kept), so that the GPUs after the cut are placed once
 * per distinct content as well, not one by one. */
struct sv_memo {
    int item;
    bool cut;
    unsigned char kept[MP_MAX_GIS][MP_MAX_PROFILES];
    groups key;
    mp_gpu_layout layout;
    int group[MP_MAX_GIS];
};

/* The cached leaf for t->count, or NULL when the cache is full. */
static tidy_leaf *leaf_of(tidy_ctx *t, bool *fresh)
{
    unsigned char key[MP_MAX_PROFILES];
    uint32_t h = MP_HASH32_INIT;
    for (int p = 0; p < MP_MAX_PROFILES; p++) {
        key[p] = (unsigned char)t->count[p];
        h = mp_hash32_add(h, key[p]);
    }
    for (int probe = 0; probe < LEAVES; probe++) {
        tidy_leaf *e = &t->leaf[(h + (uint32_t)probe) & (LEAVES - 1)];
        if (!e->used) {
            e->used = true;
            memcpy(e->count, key, sizeof(key));
            *fresh = true;
            return e;
        }
        if (memcmp(e->count, key, sizeof(key)) == 0) {
            *fresh = false;
            return e;
        }
    }
    return NULL;
}

static void score(const mp_layout *l, long *sc)
{
    mp_capacity c;
    mp_geom_capacity(l, &c);
    const mp_model *m = l->model;
    sc[0] = -c.stranded_compute;
    sc[1] = c.stranded_compute > 0 ? c.compute_used : 0;
    mp_geom_room(l, &c, sc + 2);
    int media = 0;
    for (int i = 0; i < l->n; i++)
        media += (m->profiles[l->gi[i].profile].flags & MP_GI_MEDIA) != 0;
    sc[4] = -media;
    sc[5] = -c.stranded_memory;
    sc[6] = -(c.memory_used * 100 + c.compute_used);
}

static bool score_better(const long *a, const long *b)
{
    for (int i = 0; i < NSCORE; i++)
        if (a[i] != b[i])
            return a[i] > b[i];
    return false;
}

/* A complete choice: score it (once per distinct counts), keep the best. */
static void tidy_leaf_eval(tidy_ctx *t)
{
    bool fresh = true;
    tidy_leaf *e = leaf_of(t, &fresh);
    long sc[NSCORE];
    if (e && !fresh) {
        if (!e->fits)
            return;
        memcpy(sc, e->score, sizeof(sc));
    } else {
        mp_layout l;
        bool fits = mp_geom_fit_counts_best(t->m, t->count, &l, NULL) == 0;
        if (fits)
            score(&l, sc);
        if (e) {
            e->fits = fits;
            if (fits)
                memcpy(e->score, sc, sizeof(sc));
        }
        if (!fits)
            return;
    }
    if (!t->have || score_better(sc, t->best_score)) {
        t->have = true;
        memcpy(t->best_score, sc, sizeof(sc));
        memcpy(t->best_choice, t->choice, sizeof(t->choice));
    }
}

/* Choose profiles for the `left` replicas of group gi still without one,
 * in non-decreasing profile order from p, then for the later groups. */
static void tidy_rec(tidy_ctx *t, int gi, int p, int left)
{
    if (--t->budget < 0)
        return;
    const mp_model *m = t->m;
    const groups *gr = t->gr;
    if (gi == gr->n) {
        tidy_leaf_eval(t);
        return;
    }
    if (left == 0) {
        tidy_rec(t, gi + 1, 0, gi + 1 < gr->n ? gr->need[gi + 1] : 0);
        return;
    }
    for (int q = p; q < m->n_profiles; q++) {
        if (!(gr->elig[gi] & (1u << q)))
            continue;
        /* prune on memory and compute sums */
        int mem = t->mem + m->profiles[q].memory_slices;
        int comp = t->comp + m->profiles[q].compute_slices;
        if (mem > m->units || comp > m->compute_slices)
            continue;
        t->count[q]++;
        t->choice[gi][q]++;
        t->mem = mem;
        t->comp = comp;
        tidy_rec(t, gi, q, left - 1);
        t->mem -= m->profiles[q].memory_slices;
        t->comp -= m->profiles[q].compute_slices;
        t->count[q]--;
        t->choice[gi][q]--;
    }
}

/* Tenants enter the key by what they can use, so GPUs of different
 * tenants with the same needs share an entry. Entries are found by hash
 * (s->memo_index), so that a fleet of many distinct GPUs stays linear. */
static uint32_t memo_hash(const sv_memo *e)
{
    uint32_t h = MP_HASH32_INIT ^ (uint32_t)e->item;
    for (int k = 0; k < e->key.n; k++) {
        h = mp_hash32_add(h, e->key.elig[k]);
        h = mp_hash32_add(h, (uint32_t)e->key.need[k]);
        for (int p = 0; e->cut && p < MP_MAX_PROFILES; p++)
            h = mp_hash32_add(h, e->kept[k][p]);
    }
    h = mp_hash32_add(h, e->cut);
    return mp_hash32_add(h, (uint32_t)e->key.n);
}

static bool memo_same(const void *arr, int pos, const void *key)
{
    const sv_memo *e = &((const sv_memo *)arr)[pos], *k = key;
    return e->item == k->item && e->cut == k->cut && e->key.n == k->key.n &&
           memcmp(e->key.elig, k->key.elig, sizeof(k->key.elig)) == 0 &&
           memcmp(e->key.need, k->key.need, sizeof(k->key.need)) == 0 &&
           (!k->cut || memcmp(e->kept, k->kept, sizeof(k->kept)) == 0);
}

/* The finished GPU with e's item and key, or NULL. */
static const sv_memo *memo_find(const sv_solver *s, const sv_memo *e)
{
    int i =
        mp_hashidx_find(&s->memo_index, memo_hash(e), memo_same, s->memo, e);
    return i >= 0 ? &s->memo[i] : NULL;
}

static int memo_add(sv_solver *s, const sv_memo *e)
{
    int i = s->memo_index.n;
    if (mp_grow(&s->memo, &s->capmemo, i + 1, sizeof(*s->memo), 32) ||
        mp_hashidx_add(&s->memo_index, memo_hash(e)) < 0)
        return MP_ENOMEM;
    s->memo[i] = *e;
    return 0;
}

void sv_tidy_free(sv_solver *s)
{
    free(s->memo);
    s->memo = NULL;
    s->capmemo = 0;
    mp_hashidx_free(&s->memo_index);
}

/* The tenants on g, in slot order; keep gets the solver's own profiles. */
static void gpu_groups(const sv_solver *s, const sv_gpu *g, groups *gr,
                       int *keep)
{
    const mp_model *m = s->items[g->item].m;
    memset(gr, 0, sizeof(*gr));
    for (int q = 0; q < g->nslots; q++) {
        int tn = g->slots[q].tenant;
        if (tn < 0)
            continue;
        keep[g->slots[q].profile]++;
        int k;
        for (k = 0; k < gr->n; k++)
            if (gr->tenant[k] == tn)
                break;
        if (k == gr->n) {
            gr->tenant[k] = tn;
            gr->elig[k] = mp_tenant_profile_mask(&s->req->tenants[tn], m);
            gr->n++;
        }
        gr->need[k]++;
    }
}

/* Profiles per group: the best tidy choice, or else the solver's own. */
static bool choose(const sv_solver *s, const sv_gpu *g, const groups *gr,
                   int per[MP_MAX_GIS][MP_MAX_PROFILES], bool tidy)
{
    tidy_ctx t;
    /* the leaf cache (most of t) is cleared only when it is used */
    memset(&t, 0, offsetof(tidy_ctx, leaf));
    if (tidy && gr->n > 0)
        memset(t.leaf, 0, sizeof(t.leaf));
    t.m = s->items[g->item].m;
    t.gr = gr;
    t.budget = TIDY_BUDGET;
    if (tidy && gr->n > 0)
        tidy_rec(&t, 0, 0, gr->need[0]);
    memset(per, 0, MP_MAX_GIS * sizeof(*per));
    if (t.have)
        memcpy(per, t.best_choice, MP_MAX_GIS * sizeof(*per));
    for (int q = 0; q < g->nslots && !t.have; q++)
        for (int k = 0; k < gr->n; k++)
            if (gr->tenant[k] == g->slots[q].tenant)
                per[k][g->slots[q].profile]++;
    return t.have;
}

/* When the counts strand compute, give the groups the upgrade of their
 * instances that uses the most compute, if one uses more: an upgraded
 * profile serves whoever the old one did, if the group may use it (its
 * eligibility: a same-profile pin, the fleet entry's profiles). When the
 * groups cannot take the upgrade as a whole, nothing changes. counts (per
 * profile) follow. */
static void upgrade(const mp_model *m, const groups *gr,
                    int per[MP_MAX_GIS][MP_MAX_PROFILES], int *counts)
{
    mp_layout l;
    mp_capacity cap;
    if (mp_geom_fit_counts_best(m, counts, &l, NULL) != 0)
        return;
    mp_geom_capacity(&l, &cap);
    int to[MP_MAX_PROFILES][MP_MAX_PROFILES];
    if (cap.stranded_compute == 0 ||
        mp_geom_upgrade(m, counts, false, to) <= cap.compute_used)
        return;
    int next[MP_MAX_GIS][MP_MAX_PROFILES];
    memset(next, 0, sizeof(next));
    for (int k = 0; k < gr->n; k++)
        for (int p = 0; p < m->n_profiles; p++) {
            int left = per[k][p];
            for (int q = 0; q < m->n_profiles && left > 0; q++) {
                if (!(gr->elig[k] & (1u << q)))
                    continue;
                int moved = left < to[p][q] ? left : to[p][q];
                to[p][q] -= moved;
                left -= moved;
                next[k][q] += moved;
            }
            if (left > 0)
                return; /* a group may not take what its instances become */
        }
    memset(counts, 0, MP_MAX_PROFILES * sizeof(*counts));
    for (int k = 0; k < gr->n; k++)
        for (int q = 0; q < m->n_profiles; q++) {
            per[k][q] = next[k][q];
            counts[q] += next[k][q];
        }
}

/* Place the counts (the best placement, largest first, in a creation order
 * the driver also follows when it can) as layout out, MIG enabled. */
static int place(const mp_model *m, const int *counts, mp_gpu_layout *out)
{
    mp_layout l;
    if (mp_geom_fit_counts_best(m, counts, &l, NULL) != 0)
        return MP_EINTERNAL;
    mp_geom_sort_largest_first(&l);
    int order[MP_MAX_GIS];
    bool exact = false;
    bool driver = mp_geom_creation_order(&l, order, &exact, NULL) == 0;
    mp_gpu_layout_init(out, m, true);
    for (int k = 0; k < l.n; k++) {
        const mp_gi *gi = &l.gi[driver ? order[k] : k];
        if (mp_gpu_layout_add(out, gi->profile, gi->start) < 0)
            return MP_EINTERNAL;
    }
    out->driver_order = driver;
    out->driver_exact = driver && exact;
    return 0;
}

/* Hand the instances to the groups: each group's profiles, in group order;
 * e records the layout and the group of each instance. */
static void hand_out(const groups *gr, int per[MP_MAX_GIS][MP_MAX_PROFILES],
                     int nprof, mp_plan_gpu *pg, sv_memo *e)
{
    const mp_layout *l = &pg->layout.gis;
    for (int k = 0; k < gr->n; k++)
        for (int p = 0; p < nprof; p++)
            for (int c = 0; c < per[k][p]; c++)
                for (int q = 0; q < l->n; q++)
                    if (l->gi[q].profile == p && pg->tenant[q] < 0) {
                        pg->tenant[q] = gr->tenant[k];
                        e->group[q] = k;
                        break;
                    }
    e->layout = pg->layout;
}

static void from_memo(const sv_memo *hit, const groups *gr, mp_plan_gpu *pg)
{
    pg->layout = hit->layout;
    for (int q = 0; q < hit->layout.gis.n; q++)
        pg->tenant[q] = gr->tenant[hit->group[q]];
}

int sv_tidy_gpu(sv_solver *s, const sv_gpu *g, mp_plan_gpu *pg)
{
    const mp_model *m = s->items[g->item].m;
    sv_plan_gpu_init(pg, g->item, m, true, g->whole_tenant);
    if (!pg->layout.mig_enabled)
        return 0;
    int keep[MP_MAX_PROFILES] = {0};
    sv_memo e;
    memset(&e, 0, sizeof(e));
    e.item = g->item;
    gpu_groups(s, g, &e.key, keep);
    const sv_memo *hit = s->o->no_tidy ? NULL : memo_find(s, &e);
    if (hit) {
        from_memo(hit, &e.key, pg);
        return 0;
    }
    /* past its deadline a GPU keeps the solver's profiles (still placed
     * and ordered), and the plan says tidying was cut */
    bool tidy = !s->o->no_tidy;
    if (tidy && sv_now() > s->tidy_deadline) {
        s->tidy_cut = true;
        tidy = false;
    }
    int per[MP_MAX_GIS][MP_MAX_PROFILES];
    bool tidied = choose(s, g, &e.key, per, tidy);
    int counts[MP_MAX_PROFILES] = {0};
    for (int k = 0; k < e.key.n; k++)
        for (int p = 0; p < m->n_profiles; p++) {
            counts[p] += per[k][p];
            e.kept[k][p] = (unsigned char)per[k][p];
        }
    e.cut = !tidied;
    hit = e.cut ? memo_find(s, &e) : NULL;
    if (hit) {
        from_memo(hit, &e.key, pg);
        return 0;
    }
    if (tidied)
        upgrade(m, &e.key, per, counts);
    int rc = place(m, tidied ? counts : keep, &pg->layout);
    if (rc)
        return rc;
    hand_out(&e.key, per, m->n_profiles, pg, &e);
    return memo_add(s, &e);
}
