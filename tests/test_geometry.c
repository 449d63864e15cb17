/* SPDX-License-Identifier: Apache-2.0 */
/* test_geometry.c - the geometry engine: feasibility with reasons, pinned
 * instances, the driver's slot choice and creation order, enumeration
 * counts (explained by hand and cross-checked by brute force), capacity,
 * compute instances and the slot diagram; enumeration from several threads
 * at once. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "migplan/emit/diagram.h"
#include "migplan/model/geometry.h"

#include "test_db.h"

static const mp_model *model(const char *q)
{
    const mp_model *m;
    if (mp_db_find(db, q, &m, NULL) != 0)
        fail_msg("no model %s", q);
    return m;
}

static int pidx(const mp_model *m, const char *name)
{
    const mp_gi_profile *p = mp_model_profile(m, name);
    if (!p)
        fail_msg("%s has no %s", m->id, name);
    return mp_profile_index(m, p);
}

/* Fit a space-separated list of "name" or "name:start" items. */
static int fit(const mp_model *m, const char *list, mp_layout *out,
               mp_fit_result *res)
{
    int prof[32], pin[32], n = 0;
    char buf[256];
    snprintf(buf, sizeof(buf), "%s", list);
    for (char *tok = strtok(buf, " "); tok; tok = strtok(NULL, " ")) {
        char *colon = strchr(tok, ':');
        pin[n] = -1;
        if (colon) {
            *colon = '\0';
            pin[n] = atoi(colon + 1);
        }
        prof[n++] = pidx(m, tok);
    }
    return mp_geom_fit(m, prof, pin, n, out, res);
}

static void expect_fits(const mp_model *m, const char *list)
{
    mp_layout l;
    mp_fit_result r;
    if (fit(m, list, &l, &r) != 0)
        fail_msg("%s: '%s' should fit: %s", m->id, list, r.reason);
    /* the witness must itself be a valid placement */
    assert_int_equal(mp_geom_validate(&l, &r), 0);
}

static void expect_no_fit(const mp_model *m, const char *list, mp_fit_why why,
                          const char *needle)
{
    mp_fit_result r;
    if (fit(m, list, NULL, &r) == 0)
        fail_msg("%s: '%s' should not fit", m->id, list);
    if (r.why != why || !strstr(r.reason, needle))
        fail_msg("%s: '%s': got why=%d '%s', want why=%d with '%s'", m->id,
                 list, r.why, r.reason, why, needle);
}

static void test_fit_8_unit(void **state)
{
    (void)state;
    const mp_model *m = model("h100");
    expect_fits(m, "7g.80gb");
    expect_fits(m, "4g.40gb 3g.40gb");
    expect_fits(m, "3g.40gb 3g.40gb");
    expect_fits(m, "3g.40gb 2g.20gb 1g.10gb 1g.10gb");
    expect_fits(m, "2g.20gb 2g.20gb 2g.20gb 1g.10gb");
    expect_fits(m, "1g.10gb 1g.10gb 1g.10gb 1g.10gb 1g.10gb 1g.10gb 1g.10gb");
    expect_fits(m, "1g.20gb 1g.20gb 1g.20gb 1g.20gb");
    expect_fits(m, "1g.20gb 1g.10gb 1g.10gb 1g.10gb 1g.10gb 1g.10gb 1g.10gb");
    expect_fits(m, "4g.40gb 1g.20gb 1g.20gb");
    /* +me is one more 1g, and real GPUs hold it beside plain 1g (S-PRICKLE) */
    expect_fits(m, "3g.40gb 1g.10gb+me 1g.10gb");
    expect_no_fit(m, "3g.40gb 3g.40gb 1g.10gb", MP_FIT_MEMORY,
                  "needs 9 memory slices, the GPU has 8");
    expect_no_fit(m, "4g.40gb 2g.20gb 2g.20gb", MP_FIT_COMPUTE,
                  "exceeds compute: 8 of 7 slices");
    expect_no_fit(m, "1g.10gb+me 1g.10gb+me", MP_FIT_MAX_COUNT,
                  "1g.10gb+me may appear once");
    expect_no_fit(m, "3g.40gb 3g.40gb 3g.40gb", MP_FIT_MAX_COUNT,
                  "at most 2 times");
    expect_no_fit(m,
                  "1g.10gb 1g.10gb 1g.10gb 1g.10gb 1g.10gb 1g.10gb 1g.10gb "
                  "1g.10gb",
                  MP_FIT_MAX_COUNT, "at most 7 times");
}

static void test_fit_pinned(void **state)
{
    (void)state;
    const mp_model *m = model("h100");
    expect_fits(m, "3g.40gb:4 4g.40gb");
    expect_fits(m, "1g.10gb:6 1g.10gb:4 3g.40gb");
    expect_no_fit(m, "3g.40gb:0 4g.40gb", MP_FIT_PLACEMENT,
                  "4g.40gb can only start at slot 0, which 3g.40gb (at slot "
                  "0) already uses");
    expect_no_fit(m, "3g.40gb:2", MP_FIT_BAD_START,
                  "3g.40gb cannot start at slot 2; it can start at slots "
                  "{0,4}");
    expect_no_fit(m, "2g.20gb:2 1g.10gb:3", MP_FIT_PIN_OVERLAP,
                  "2g.20gb at slot 2 and 1g.10gb at slot 3 overlap");
    /* the UG's failing state: 1g at 6 and 4, 2g at 0 leave no 4-slot range */
    expect_no_fit(m, "1g.10gb:6 1g.10gb:4 2g.20gb:0 3g.40gb", MP_FIT_PLACEMENT,
                  "3g.40gb can only start at slots {0,4}");
}

static void test_fit_a30_and_rtx(void **state)
{
    (void)state;
    const mp_model *a30 = model("a30");
    expect_fits(a30, "2g.12gb 2g.12gb");
    expect_fits(a30, "2g.12gb+me 1g.6gb 1g.6gb");
    expect_fits(a30, "1g.6gb+me 1g.6gb 1g.6gb 1g.6gb");
    expect_no_fit(a30, "4g.24gb 1g.6gb", MP_FIT_MEMORY,
                  "needs 5 memory slices, the GPU has 4");
    expect_no_fit(a30, "2g.12gb+me 1g.6gb+me", MP_FIT_MEDIA,
                  "only one media-extended instance");
    expect_no_fit(a30, "2g.12gb:2 1g.6gb:3", MP_FIT_PIN_OVERLAP, "overlap");
    const mp_model *rtx = model("rtx-pro-6000");
    expect_fits(rtx, "2g.48gb 1g.24gb 1g.24gb");
    expect_fits(rtx, "1g.24gb+gfx 1g.24gb+gfx 1g.24gb 1g.24gb-me");
    expect_fits(rtx, "2g.48gb+me.all 2g.48gb");
    expect_no_fit(rtx, "4g.96gb 1g.24gb", MP_FIT_MEMORY,
                  "needs 15 memory slices, the GPU has 12");
    expect_no_fit(rtx, "2g.48gb+me.all 1g.24gb+me", MP_FIT_MEDIA,
                  "only one media-extended");
    expect_no_fit(rtx, "1g.24gb:2", MP_FIT_BAD_START,
                  "it can start at slots {0,3,6,9}");
    expect_no_fit(rtx, "2g.48gb:6 1g.24gb:9", MP_FIT_PIN_OVERLAP, "overlap");
}

/* ---- the driver's own slot choice (nvidia-smi-transcripts.md §6, §7) ---- */

static void simulate(const mp_model *m, const char *ids, int want_made,
                     const char *want_starts)
{
    int prof[16], n = 0;
    char buf[128];
    snprintf(buf, sizeof(buf), "%s", ids);
    for (char *t = strtok(buf, ","); t; t = strtok(NULL, ",")) {
        int id = atoi(t);
        int p = -1;
        for (int i = 0; i < m->n_profiles; i++)
            if (m->profiles[i].id == id)
                p = i;
        assert_true(p >= 0);
        prof[n++] = p;
    }
    mp_layout out;
    int made = mp_geom_simulate(m, prof, n, &out);
    if (made != want_made)
        fail_msg("-cgi %s: created %d, want %d", ids, made, want_made);
    char got[128] = "";
    size_t k = 0;
    for (int i = 0; i < out.n; i++)
        k += (size_t)snprintf(got + k, sizeof(got) - k, "%s%d", i ? "," : "",
                              out.gi[i].start);
    if (strcmp(got, want_starts) != 0)
        fail_msg("-cgi %s: starts %s, want %s", ids, got, want_starts);
}

static void test_driver_model(void **state)
{
    (void)state;
    const mp_model *a100 = model("a100-40gb");
    /* UG-580 Example 2: 19,19,14,9 fails at the 3g (1g at 6:1 and 4:1, the
     * 2g at 0:2); 9,19,14,19 succeeds: 3g 4:4, 1g 0:1, 2g 2:2, 1g 1:1 */
    simulate(a100, "19,19,14,9", 3, "6,4,0");
    simulate(a100, "9,19,14,19", 4, "4,0,2,1");
    /* UG-580 Example 3: 2g at 4:2, first 1g at 6:1, then 0..3 */
    simulate(a100, "14,19,19,19,19,19", 6, "4,6,0,1,2,3");
    const mp_model *h100 = model("h100");
    /* S-PRICKLE: -cgi 19,19 on an empty H100 gives 4:1 and 6:1 */
    simulate(h100, "19,19", 2, "6,4");
    /* S-SCW: -cgi 9,19,19,19 -> 3g 4:4, 1g 0:1, 1:1, 2:1 */
    simulate(h100, "9,19,19,19", 4, "4,0,1,2");
    /* S-HRISHI: -cgi 9,14 -> 3g 4:4, 2g 0:2 */
    simulate(h100, "9,14", 2, "4,0");
    /* S-A100-80: -cgi 3g.40gb,4g.40gb -> 3g 4:4, 4g 0:4 */
    simulate(model("a100-80gb"), "9,5", 2, "4,0");
    /* only one +me: T-GH200 -cgi 20,20,20 stops after one */
    simulate(model("gh200-96gb"), "20,20,20", 1, "6");
    const mp_model *rtx = model("rtx-pro-6000");
    /* S-RTXS: 2g.48gb,1g.24gb,1g.24gb -> 0:6, 6:3, 9:3; 4 x 1g -> 0,3,6,9 */
    simulate(rtx, "5,14,14", 3, "0,6,9");
    simulate(rtx, "14,14,14,14", 4, "0,3,6,9");
    /* S-A30: -cgi 14 -C twice, then 5 -> 1g 0:1, 1:1, 2g 2:2 */
    simulate(model("a30"), "14,14,5", 3, "0,1,2");
}

static void test_creation_order(void **state)
{
    (void)state;
    const mp_model *m = model("a100-40gb");
    mp_layout l;
    assert_int_equal(fit(m, "1g.5gb:0 1g.5gb:1 2g.10gb:2 3g.20gb:4", &l, NULL),
                     0);
    int order[MP_MAX_GIS];
    bool exact;
    mp_layout drv;
    assert_int_equal(mp_geom_creation_order(&l, order, &exact, &drv), 0);
    /* largest first, and the driver then lands exactly on the plan */
    assert_int_equal(l.gi[order[0]].profile, pidx(m, "3g.20gb"));
    assert_true(exact);
    for (int k = 0; k < drv.n; k++)
        assert_int_equal(drv.gi[k].start, l.gi[order[k]].start);
    /* simulating the order must create every instance */
    int prof[MP_MAX_GIS];
    for (int k = 0; k < l.n; k++)
        prof[k] = l.gi[order[k]].profile;
    assert_int_equal(mp_geom_simulate(m, prof, l.n, NULL), l.n);

    /* a layout the driver never produces by itself: 1g at 0 beside a 3g at
     * 4 with the 2g at 2 is fine, but 2g at 0 and 1g at 2,3 with 4g... */
    const mp_model *h = model("h100");
    assert_int_equal(fit(h, "4g.40gb:0 2g.20gb:4 1g.10gb:6", &l, NULL), 0);
    assert_int_equal(mp_geom_creation_order(&l, order, &exact, &drv), 0);
    assert_true(exact);
    /* every maximal H100 geometry has an order that works without
     * placements (mig-parted relies on that) */
    mp_geom_list list;
    assert_int_equal(mp_geom_enumerate(h, NULL, true, &list), 0);
    for (int i = 0; i < list.n; i++) {
        int cnt[MP_MAX_PROFILES];
        for (int p = 0; p < h->n_profiles; p++)
            cnt[p] = list.v[i].count[p];
        assert_int_equal(mp_geom_fit_counts(h, cnt, &l, NULL), 0);
        assert_int_equal(mp_geom_creation_order(&l, order, &exact, &drv), 0);
        for (int k = 0; k < l.n; k++)
            prof[k] = l.gi[order[k]].profile;
        assert_int_equal(mp_geom_simulate(h, prof, l.n, NULL), l.n);
    }
    mp_geom_list_free(&list);
}

/* ---- enumeration ---- */

/* Brute force, independent of the engine's search: walk every set of
 * non-overlapping placements, keep those within compute, max counts and the
 * +me rule, and count the distinct multisets. */
typedef struct brute {
    const mp_model *m;
    const bool *allowed;
    int count[MP_MAX_PROFILES];
    unsigned long long seen[4096];
    int distinct;
} brute;

static unsigned long long key_of(const brute *b)
{
    unsigned long long k = 0;
    for (int p = 0; p < b->m->n_profiles; p++)
        k = k * 8 + (unsigned long long)b->count[p];
    return k;
}

static void brute_rec(brute *b, int slot, unsigned occ, int comp, int media)
{
    const mp_model *m = b->m;
    if (slot == m->units) {
        bool any = false;
        for (int p = 0; p < m->n_profiles; p++)
            any |= b->count[p] > 0;
        if (!any)
            return;
        unsigned long long k = key_of(b);
        for (int i = 0; i < b->distinct; i++)
            if (b->seen[i] == k)
                return;
        assert_true(b->distinct < 4096);
        b->seen[b->distinct++] = k;
        return;
    }
    if (occ & (1u << slot)) {
        brute_rec(b, slot + 1, occ, comp, media);
        return;
    }
    brute_rec(b, slot + 1, occ, comp, media); /* leave the slot free */
    for (int p = 0; p < m->n_profiles; p++) {
        const mp_gi_profile *pp = &m->profiles[p];
        if (b->allowed && !b->allowed[p])
            continue;
        bool starts_here = false;
        for (int j = 0; j < pp->n_placements; j++)
            starts_here |= pp->placements[j] == slot;
        if (!starts_here || b->count[p] >= pp->max_instances ||
            comp + pp->compute_slices > m->compute_slices ||
            ((pp->flags & MP_GI_MEDIA) && media))
            continue;
        unsigned mk = ((1u << pp->memory_slices) - 1u) << slot;
        if (occ & mk)
            continue;
        b->count[p]++;
        brute_rec(b, slot + 1, occ | mk, comp + pp->compute_slices,
                  media + ((pp->flags & MP_GI_MEDIA) ? 1 : 0));
        b->count[p]--;
    }
}

static int brute_count(const mp_model *m, const bool *allowed)
{
    brute *b = calloc(1, sizeof(*b));
    b->m = m;
    b->allowed = allowed;
    brute_rec(b, 0, 0, 0, 0);
    int n = b->distinct;
    free(b);
    return n;
}

static int count_geoms(const mp_model *m, const bool *allowed, bool maximal)
{
    mp_geom_list l;
    assert_int_equal(mp_geom_enumerate(m, allowed, maximal, &l), 0);
    int n = l.n;
    for (int i = 0; i < l.n; i++)
        assert_true(l.v[i].maximal || !maximal);
    mp_geom_list_free(&l);
    return n;
}

static void test_enumeration_a30_by_hand(void **state)
{
    (void)state;
    /* A30: 4 slices, 4 compute slices; 1g {0,1,2,3}:1, 2g {0,2}:2,
     * 4g {0}:4, and one +me (1g.6gb+me or 2g.12gb+me) at most.
     * Without +me: 1g x1..4 (4), 2g (1), 2g x2 (1), 2g + 1g x1..2 (2),
     * 4g (1) = 9. With 1g.6gb+me: alone or + 1g x1..3 (4), + 2g (+ 1g x0..1)
     * (2) = 6. With 2g.12gb+me: alone, + 1g x1..2, + 2g = 4. Total 19.
     * Maximal: 1g x4, 2g + 1g x2, 2g x2, 4g, 1g+me + 1g x3,
     * 1g+me + 2g + 1g, 2g+me + 1g x2, 2g+me + 2g = 8. */
    const mp_model *m = model("a30");
    assert_int_equal(count_geoms(m, NULL, false), 19);
    assert_int_equal(count_geoms(m, NULL, true), 8);
    assert_int_equal(brute_count(m, NULL), 19);
}

static void test_enumeration_h100_by_hand(void **state)
{
    (void)state;
    const mp_model *m = model("h100");
    bool base[MP_MAX_PROFILES], no15[MP_MAX_PROFILES], nome[MP_MAX_PROFILES];
    for (int p = 0; p < m->n_profiles; p++) {
        bool is15 = m->profiles[p].id == 15;
        bool isme = (m->profiles[p].flags & MP_GI_MEDIA) != 0;
        base[p] = !is15 && !isme;
        no15[p] = !is15;
        nome[p] = !isme;
    }
    /* Base profiles 1g {0..6}:1, 2g {0,2,4}:2, 3g {0,4}:4, 4g {0}:4, 7g {0}:8:
     *   7g alone: 1.
     *   with 4g (slices 0-3): the rest of 4-7 holds 3g, or 2g (+1g at 6),
     *     or up to three 1g (slice 7 only fits 3g/7g):
     *     4g, 4g+1g, 4g+1g x2, 4g+1g x3, 4g+2g, 4g+2g+1g, 4g+3g = 7.
     *   with 3g, no 4g: 3g x2 (1); one 3g at 4-7 frees 0-3 for
     *     {}, 1g x1..4, 2g, 2g+1g x1..2, 2g x2 = 9; total 10.
     *   only 2g and 1g: k 2g and j 1g with 2k + j <= 7 (slices 0-6):
     *     k=0: j=1..7 (7), k=1: 0..5 (6), k=2: 0..3 (4), k=3: 0..1 (2) = 19.
     *   Total 1 + 7 + 10 + 19 = 37. Maximal: 7g; 4g+3g, 4g+2g+1g,
     *   4g+1g x3; 3g x2; 3g+1g x4, 3g+2g+1g x2, 3g+2g x2; and the 2k+j = 7
     *   cases (4): 12. */
    assert_int_equal(count_geoms(m, base, false), 37);
    assert_int_equal(count_geoms(m, base, true), 12);
    assert_int_equal(brute_count(m, base), 37);
    /* +me is a 1g of which one may exist: every geometry with a 1g gains a
     * twin where one 1g is +me. Of the 37, 26 hold a 1g (4 with 4g, 6 with
     * 3g, 16 of the 2g/1g ones), so 37 + 26 = 63; of the 12 maximal, 8 hold
     * a 1g, so 12 + 8 = 20 maximal. */
    assert_int_equal(count_geoms(m, no15, false), 63);
    assert_int_equal(count_geoms(m, no15, true), 20);
    assert_int_equal(brute_count(m, no15), 63);
    /* 1g.20gb (profile 15, two slices at {0,2,4,6}, max 4): the facts file
     * derives 28 maximal geometries with it; the brute force agrees on the
     * totals. */
    assert_int_equal(count_geoms(m, nome, true), 28);
    assert_int_equal(count_geoms(m, nome, false), 77);
    assert_int_equal(brute_count(m, nome), 77);
    /* everything: 127 geometries, 44 maximal */
    assert_int_equal(count_geoms(m, NULL, false), 127);
    assert_int_equal(count_geoms(m, NULL, true), 44);
    assert_int_equal(brute_count(m, NULL), 127);
}

static void test_enumeration_every_model(void **state)
{
    (void)state;
    /* the engine and the brute force agree on every shipped model */
    for (int i = 0; i < mp_db_count(db); i++) {
        const mp_model *m = mp_db_model(db, i);
        int engine = count_geoms(m, NULL, false);
        int forced = brute_count(m, NULL);
        if (engine != forced)
            fail_msg("%s: engine %d, brute force %d", m->id, engine, forced);
    }
    /* RTX PRO 6000 base profiles (1g.24gb, 2g.48gb, 4g.96gb): 1g x1..4,
     * 2g, 2g+1g x1..2, 2g x2, 4g = 9, maximal 1g x4, 2g+1g x2, 2g x2, 4g */
    const mp_model *rtx = model("rtx-pro-6000");
    bool base[MP_MAX_PROFILES];
    for (int p = 0; p < rtx->n_profiles; p++)
        base[p] = rtx->profiles[p].flags == 0;
    assert_int_equal(count_geoms(rtx, base, false), 9);
    assert_int_equal(count_geoms(rtx, base, true), 4);
}

/* Enumeration must be reentrant: several threads enumerate different
 * models at once (the planner or a server may), and each must get exactly
 * the list a lone call gives, in the same order. A sort that kept its
 * comparator's model in file statics mixes the threads' orders up; the
 * threads run for a fixed time so that such a race shows in nearly every
 * run (and the test stays short under valgrind). */
enum { N_THREADS = 6, MIN_ROUNDS = 10 };

typedef struct enum_job {
    const mp_model *m;
    bool maximal;
    mp_geom_list want;
    const struct timespec *until;
    int rounds, mismatches, errors;
} enum_job;

static bool same_list(const mp_geom_list *a, const mp_geom_list *b)
{
    if (a->n != b->n)
        return false;
    for (int i = 0; i < a->n; i++)
        if (memcmp(a->v[i].count, b->v[i].count, sizeof(a->v[i].count)) ||
            a->v[i].maximal != b->v[i].maximal)
            return false;
    return true;
}

static bool before(const struct timespec *until)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return now.tv_sec < until->tv_sec ||
           (now.tv_sec == until->tv_sec && now.tv_nsec < until->tv_nsec);
}

static void *enum_worker(void *arg)
{
    enum_job *j = arg;
    while (j->rounds < MIN_ROUNDS || before(j->until)) {
        mp_geom_list got;
        j->rounds++;
        if (mp_geom_enumerate(j->m, NULL, j->maximal, &got) != 0) {
            j->errors++;
            continue;
        }
        j->mismatches += !same_list(&got, &j->want);
        mp_geom_list_free(&got);
    }
    return NULL;
}

static void test_enumeration_reentrant(void **state)
{
    (void)state;
    /* models with different profile counts (7, 5, 11, ...), so a
     * comparator reading another thread's model sorts by the wrong
     * profiles */
    static const char *const models[N_THREADS] = {
        "h100", "a30", "rtx-pro-6000", "a100-40gb", "rtx-pro-6000", "a30"};
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += 1;
    enum_job jobs[N_THREADS];
    memset(jobs, 0, sizeof(jobs));
    for (int t = 0; t < N_THREADS; t++) {
        jobs[t].m = model(models[t]);
        jobs[t].maximal = t >= 3;
        jobs[t].until = &until;
        assert_int_equal(
            mp_geom_enumerate(jobs[t].m, NULL, jobs[t].maximal, &jobs[t].want),
            0);
        assert_true(jobs[t].want.n > 1);
    }
    pthread_t tid[N_THREADS];
    for (int t = 0; t < N_THREADS; t++)
        assert_int_equal(pthread_create(&tid[t], NULL, enum_worker, &jobs[t]),
                         0);
    for (int t = 0; t < N_THREADS; t++)
        assert_int_equal(pthread_join(tid[t], NULL), 0);
    int bad = 0;
    for (int t = 0; t < N_THREADS; t++) {
        if (jobs[t].errors || jobs[t].mismatches)
            print_error("%s: %d of %d concurrent enumerations differ from "
                        "the sequential one (%d errors)\n",
                        jobs[t].m->id, jobs[t].mismatches, jobs[t].rounds,
                        jobs[t].errors);
        bad += jobs[t].errors + jobs[t].mismatches;
        mp_geom_list_free(&jobs[t].want);
    }
    assert_int_equal(bad, 0);
}

/* ---- capacity ---- */

static void test_capacity(void **state)
{
    (void)state;
    const mp_model *m = model("h100");
    mp_layout l;
    mp_capacity c;
    assert_int_equal(fit(m, "3g.40gb 3g.40gb", &l, NULL), 0);
    mp_geom_capacity(&l, &c);
    assert_int_equal(c.compute_used, 6);
    assert_int_equal(c.memory_used, 8);
    assert_int_equal(c.stranded_compute, 1); /* 3g+3g idles one slice */
    assert_int_equal(c.stranded_memory, 0);
    assert_int_equal(c.largest_addable, -1);
    assert_int_equal(fit(m, "4g.40gb:0 2g.20gb:4 1g.10gb:6", &l, NULL), 0);
    mp_geom_capacity(&l, &c);
    assert_int_equal(c.stranded_compute, 0);
    assert_int_equal(c.stranded_memory, 1); /* slice 7: nothing fits it */
    assert_int_equal(c.largest_addable, -1);
    assert_int_equal(fit(m, "3g.40gb:4", &l, NULL), 0);
    mp_geom_capacity(&l, &c);
    assert_int_equal(c.largest_addable, pidx(m, "4g.40gb"));
    assert_int_equal(c.stranded_compute, 0);
    assert_int_equal(fit(m, "3g.40gb:0", &l, NULL), 0);
    mp_geom_capacity(&l, &c);
    /* with the 3g at 0 the 4g cannot start: a 3g is the largest left */
    assert_int_equal(c.largest_addable, pidx(m, "3g.40gb"));
    l.n = 0;
    mp_geom_capacity(&l, &c);
    assert_int_equal(c.largest_addable, pidx(m, "7g.80gb"));
}

/* ---- compute instances ---- */

static void test_compute_instances(void **state)
{
    (void)state;
    const mp_model *m = model("h100");
    const mp_gi_profile *g3 = mp_model_profile(m, "3g.40gb");
    int combos[16][MP_MAX_CI];
    int n = mp_geom_ci_combos(g3, combos, 16);
    /* 1c x3, 2c + 1c, 3g: the three maximal ways to fill a 3g GI */
    assert_int_equal(n, 3);
    int want[3][3] = {{3, 0, 0}, {1, 1, 0}, {0, 0, 1}};
    for (int w = 0; w < 3; w++) {
        bool found = false;
        for (int i = 0; i < n; i++)
            found |= combos[i][0] == want[w][0] && combos[i][1] == want[w][1] &&
                     combos[i][2] == want[w][2];
        assert_true(found);
    }
    char why[200];
    int ok[3] = {1, 1, 0}, bad[3] = {2, 1, 0}, two2c[3] = {0, 2, 0};
    assert_int_equal(mp_geom_ci_fit(g3, ok, why, sizeof(why)), 0);
    assert_int_equal(mp_geom_ci_fit(g3, bad, why, sizeof(why)), MP_EINFEASIBLE);
    assert_non_null(strstr(why, "need 4 compute slices"));
    assert_int_equal(mp_geom_ci_fit(g3, two2c, why, sizeof(why)),
                     MP_EINFEASIBLE);
    assert_non_null(strstr(why, "2c.3g.40gb fits once"));
    /* fewest GIs: 2c,2c,1c,1c pack into two 3g GIs (2c+1c each) */
    int need[3] = {2, 2, 0};
    assert_int_equal(mp_geom_ci_min_gis(g3, need), 2);
    int six[3] = {6, 0, 0};
    assert_int_equal(mp_geom_ci_min_gis(g3, six), 2);
    int seven[3] = {7, 0, 0};
    assert_int_equal(mp_geom_ci_min_gis(g3, seven), -1); /* 3 GIs > max 2 */
    const mp_gi_profile *g7 = mp_model_profile(m, "7g.80gb");
    n = mp_geom_ci_combos(g7, combos, 16);
    assert_true(n > 5);
}

/* ---- diagram ---- */

static void test_diagram(void **state)
{
    (void)state;
    const mp_model *m = model("h100");
    mp_layout l;
    assert_int_equal(fit(m, "4g.40gb:0 2g.20gb:4 1g.10gb:6", &l, NULL), 0);
    mp_buf b = MP_BUF_INIT;
    const char *subs[] = {"llama-70b", "mid", "embeddings-service"};
    mp_diagram_opts o = {.unicode = false, .sublabels = subs, .footer = true};
    mp_diagram(&l, &o, &b);
    const char *want =
        "slot 0        1        2        3        4        5        6        "
        "7\n"
        "    "
        "+-----------------------------------+-----------------+--------+------"
        "--+\n"
        "    |4g.40gb                            |2g.20gb          |1g.10gb |  "
        " .    |\n"
        "    |llama-70b                          |mid              |embeddi~|  "
        "      |\n"
        "    "
        "+-----------------------------------+-----------------+--------+------"
        "--+\n"
        "    compute 7/7 used - memory 7/8 slices - free: none placeable\n";
    assert_string_equal(mp_buf_str(&b), want);
    mp_buf_reset(&b);
    assert_int_equal(fit(m, "3g.40gb 3g.40gb", &l, NULL), 0);
    o.sublabels = NULL;
    o.unicode = true;
    mp_diagram(&l, &o, &b);
    assert_non_null(strstr(mp_buf_str(&b), "┌"));
    assert_non_null(strstr(mp_buf_str(&b), "stranded: 1 compute slice"));
    mp_buf_free(&b);
}

/* Upgrades (issue 14): four 1g.20gb idle 3 of 7 compute slices on an
 * H100; three of them as 2g.20gb use all 7. A 1g.10gb+me has no larger
 * dominating profile that fits beside three 2g.20gb. */
static void test_upgrade(void **state)
{
    (void)state;
    const mp_model *m = model("h100");
    int g1 = pidx(m, "1g.20gb"), g2 = pidx(m, "2g.20gb");
    int me = pidx(m, "1g.10gb+me"), g10 = pidx(m, "1g.10gb");
    assert_true(mp_gi_dominates(&m->profiles[g2], &m->profiles[g1]));
    assert_false(mp_gi_dominates(&m->profiles[g1], &m->profiles[g2]));
    assert_true(mp_gi_dominates(&m->profiles[g1], &m->profiles[g10]));
    assert_false(mp_gi_dominates(&m->profiles[g1], &m->profiles[me]));
    int count[MP_MAX_PROFILES] = {0}, to[MP_MAX_PROFILES][MP_MAX_PROFILES];
    count[g1] = 4;
    assert_int_equal(mp_geom_upgrade(m, count, false, to), 7);
    assert_int_equal(to[g1][g2], 3);
    assert_int_equal(to[g1][g1], 1);
    count[g1] = 0;
    count[me] = 1;
    count[g2] = 3;
    assert_int_equal(mp_geom_upgrade(m, count, true, to), 7);
    assert_int_equal(to[me][me], 1);
    assert_int_equal(to[g2][g2], 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fit_8_unit),
        cmocka_unit_test(test_fit_pinned),
        cmocka_unit_test(test_fit_a30_and_rtx),
        cmocka_unit_test(test_driver_model),
        cmocka_unit_test(test_creation_order),
        cmocka_unit_test(test_enumeration_a30_by_hand),
        cmocka_unit_test(test_enumeration_h100_by_hand),
        cmocka_unit_test(test_enumeration_every_model),
        cmocka_unit_test(test_enumeration_reentrant),
        cmocka_unit_test(test_capacity),
        cmocka_unit_test(test_upgrade),
        cmocka_unit_test(test_compute_instances),
        cmocka_unit_test(test_diagram),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
