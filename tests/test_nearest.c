/* SPDX-License-Identifier: Apache-2.0 */
/* test_nearest.c - mp_gpu_nearest against a brute force: every placement
 * of the asked instances, diffed with the state (mp_gpu_change_diff), on
 * random states and counts of the 4- and 8-slot GPUs; and the operator's
 * case of issue 17 by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "migplan/model/geometry.h"
#include "migplan/model/gpu_change.h"
#include "migplan/model/gpu_nearest.h"
#include "migplan/util/error.h"

#include "test_db.h"

static int profile(const mp_model *m, const char *name)
{
    for (int p = 0; p < m->n_profiles; p++)
        if (strcmp(m->profiles[p].name, name) == 0)
            return p;
    fail_msg("%s has no %s", m->id, name);
    return -1;
}

static void add(mp_gpu_state *g, const char *name, int start, int gi_id,
                const char *proc)
{
    const mp_model *m = g->layout.gis.model;
    const mp_gi_profile *p = &m->profiles[profile(m, name)];
    char why[300];
    int q = mp_gpu_state_add(g, p->id, start, p->memory_slices, gi_id, 1, why,
                             sizeof(why));
    if (q < 0)
        fail_msg("%s", why);
    if (proc) {
        g->gi[q].n_processes = 1;
        g->gi[q].process = proc;
    }
}

/* ------------------------------------------------------- brute force */

typedef struct brute {
    const mp_gpu_state *from;
    bool allow;
    int prof[MP_MAX_GIS], n;
    mp_layout l;
    int best_iu, best_destroyed; /* -1: nothing fits */
} brute;

/* Every start of every instance (same profiles in ascending starts). */
static void brute_rec(brute *b, int k)
{
    const mp_model *m = b->l.model;
    if (k == b->n) {
        mp_fit_result r;
        if (mp_geom_validate(&b->l, &r) != 0)
            return;
        mp_gpu_layout to;
        mp_gpu_layout_init(&to, m, true);
        for (int i = 0; i < b->n; i++)
            mp_gpu_layout_add(&to, b->l.gi[i].profile, b->l.gi[i].start);
        mp_gpu_change c;
        char why[200];
        assert_int_equal(mp_gpu_change_diff(b->from, &to, &c, why, 200), 0);
        if (c.in_use_destroyed > 0 && !b->allow)
            return;
        if (b->best_iu < 0 || c.in_use_destroyed < b->best_iu ||
            (c.in_use_destroyed == b->best_iu &&
             c.n_destroy < b->best_destroyed)) {
            b->best_iu = c.in_use_destroyed;
            b->best_destroyed = c.n_destroy;
        }
        return;
    }
    const mp_gi_profile *p = &m->profiles[b->prof[k]];
    int lo =
        (k > 0 && b->prof[k - 1] == b->prof[k]) ? b->l.gi[k - 1].start : -1;
    for (int i = 0; i < p->n_placements; i++) {
        if (p->placements[i] <= lo)
            continue;
        b->l.gi[k] = (mp_gi){b->prof[k], p->placements[i]};
        brute_rec(b, k + 1);
    }
}

static void brute_force(const mp_gpu_state *from, const int *count, bool allow,
                        int *iu, int *destroyed)
{
    brute b = {.from = from, .allow = allow, .best_iu = -1};
    const mp_model *m = from->layout.gis.model;
    b.l.model = m;
    for (int p = 0; p < m->n_profiles; p++)
        for (int k = 0; k < count[p] && b.n < MP_MAX_GIS; k++)
            b.prof[b.n++] = p;
    b.l.n = b.n;
    brute_rec(&b, 0);
    *iu = b.best_iu;
    *destroyed = b.best_destroyed;
}

/* --------------------------------------------------------------- tests */

/* The answer is a valid layout, its diff matches what it reports, and
 * the brute force finds nothing better. */
static void check_one(const mp_gpu_state *g, const int *count, bool allow)
{
    const mp_model *m = g->layout.gis.model;
    mp_gpu_layout out;
    mp_nearest res;
    int rc = mp_gpu_nearest(g, count, allow, &out, &res);
    int iu, destroyed;
    brute_force(g, count, allow, &iu, &destroyed);
    if (iu < 0) {
        assert_int_equal(rc, MP_EINFEASIBLE);
        assert_true(res.why[0] != '\0');
        /* a blocker is named exactly when destroying in-use ones helps */
        int iu2, d2;
        brute_force(g, count, true, &iu2, &d2);
        assert_int_equal(res.n_blockers, iu2 < 0 ? 0 : iu2);
        return;
    }
    assert_int_equal(rc, 0);
    char why[300];
    if (mp_gpu_layout_validate(&out, why, sizeof(why)) != 0)
        fail_msg("%s", why);
    int got[MP_MAX_PROFILES] = {0};
    for (int q = 0; q < out.gis.n; q++)
        got[out.gis.gi[q].profile]++;
    for (int p = 0; p < m->n_profiles; p++)
        assert_int_equal(got[p], count[p]);
    mp_gpu_change c;
    assert_int_equal(mp_gpu_change_diff(g, &out, &c, why, sizeof(why)), 0);
    assert_int_equal(c.n_destroy, res.destroyed);
    assert_int_equal(c.n_create, res.created);
    assert_int_equal(c.n_keep, res.kept);
    assert_int_equal(c.in_use_destroyed, res.in_use_destroyed);
    assert_int_equal(res.in_use_destroyed, iu);
    assert_int_equal(res.destroyed, destroyed);
}

/* A random valid state: random profiles placed by the engine. */
static void random_state(const mp_model *m, unsigned *seed, mp_gpu_state *g)
{
    mp_gpu_state_init(g, 0, m);
    int prof[MP_MAX_GIS], n = 0, tries = rand_r(seed) % 6;
    mp_layout l;
    mp_fit_result r;
    for (int t = 0; t < tries; t++) {
        prof[n] = rand_r(seed) % m->n_profiles;
        if (mp_geom_fit(m, prof, NULL, n + 1, &l, &r) == 0)
            n++;
    }
    if (n > 0)
        assert_int_equal(mp_geom_fit(m, prof, NULL, n, &l, &r), 0);
    for (int q = 0; q < n; q++) {
        const mp_gi_profile *p = &m->profiles[l.gi[q].profile];
        char why[300];
        int k = mp_gpu_state_add(g, p->id, l.gi[q].start, p->memory_slices,
                                 q + 1, 1, why, sizeof(why));
        assert_true(k >= 0);
        g->gi[k].n_processes = rand_r(seed) % 3 == 0;
    }
}

static void test_random_vs_brute(void **state)
{
    (void)state;
    const char *ids[] = {"a30-24gb", "a100-40gb", "h100-sxm5-80gb"};
    unsigned seed = 17;
    for (int mi = 0; mi < 3; mi++) {
        const mp_model *m = test_model(ids[mi]);
        for (int round = 0; round < 150; round++) {
            mp_gpu_state g;
            random_state(m, &seed, &g);
            int count[MP_MAX_PROFILES] = {0};
            int n = 1 + rand_r(&seed) % 5;
            for (int k = 0; k < n; k++)
                count[rand_r(&seed) % m->n_profiles]++;
            /* most rounds also ask for what is there, to exercise keeps */
            for (int q = 0; q < g.layout.gis.n && round % 3 != 0; q++)
                if (count[g.layout.gis.gi[q].profile] == 0)
                    count[g.layout.gis.gi[q].profile] = 1;
            check_one(&g, count, false);
            check_one(&g, count, true);
        }
    }
}

/* Issue 17: 3g.40gb@4, 2g.20gb@0 and 1g.10gb@2, and one more 1g.10gb: all
 * three stay, the new one goes to slot 3. */
static void test_issue_case(void **state)
{
    (void)state;
    const mp_model *m = test_model("h100-sxm5-80gb");
    mp_gpu_state g;
    mp_gpu_state_init(&g, 0, m);
    add(&g, "3g.40gb", 4, 2, "vllm");
    add(&g, "2g.20gb", 0, 3, NULL);
    add(&g, "1g.10gb", 2, 9, NULL);
    int count[MP_MAX_PROFILES] = {0};
    count[profile(m, "3g.40gb")] = 1;
    count[profile(m, "2g.20gb")] = 1;
    count[profile(m, "1g.10gb")] = 2;
    mp_gpu_layout out;
    mp_nearest res;
    assert_int_equal(mp_gpu_nearest(&g, count, false, &out, &res), 0);
    assert_int_equal(res.kept, 3);
    assert_int_equal(res.destroyed, 0);
    assert_int_equal(res.created, 1);
    assert_int_equal(out.gis.n, 4);
    assert_int_equal(out.gis.gi[3].profile, profile(m, "1g.10gb"));
    assert_int_equal(out.gis.gi[3].start, 3);
}

/* A 4g.40gb needs slots 0-3, where an idle 2g.20gb and a 1g.10gb in use
 * sit: the in-use one blocks and is named; allowed, it is destroyed. */
static void test_blocker(void **state)
{
    (void)state;
    const mp_model *m = test_model("h100-sxm5-80gb");
    mp_gpu_state g;
    mp_gpu_state_init(&g, 3, m);
    add(&g, "3g.40gb", 4, 1, NULL);
    add(&g, "2g.20gb", 0, 3, NULL);
    add(&g, "1g.10gb", 2, 9, "trainer");
    int count[MP_MAX_PROFILES] = {0};
    count[profile(m, "3g.40gb")] = 1;
    count[profile(m, "4g.40gb")] = 1;
    mp_gpu_layout out;
    mp_nearest res;
    assert_int_equal(mp_gpu_nearest(&g, count, false, &out, &res),
                     MP_EINFEASIBLE);
    assert_int_equal(res.n_blockers, 1);
    assert_int_equal(res.blocker[0], 2);
    assert_non_null(strstr(res.why, "1g.10gb@2 (GI 9, in use by trainer)"));
    assert_int_equal(mp_gpu_nearest(&g, count, true, &out, &res), 0);
    assert_int_equal(res.in_use_destroyed, 1);
    assert_int_equal(res.kept, 1);
    assert_int_equal(res.destroyed, 2);
}

/* fit --current: a 1g.10gb fits beside; a 3g.40gb only where the idle
 * 3g.40gb@4 is (not where the busy ones are); a 4g.40gb only by removing
 * all of slots 0-3. */
static void test_fit_beside(void **state)
{
    (void)state;
    const mp_model *m = test_model("h100-sxm5-80gb");
    mp_gpu_state g;
    mp_gpu_state_init(&g, 0, m);
    add(&g, "2g.20gb", 0, 3, "serve");
    add(&g, "1g.10gb", 2, 9, NULL);
    add(&g, "3g.40gb", 4, 2, NULL);
    int one[1] = {profile(m, "1g.10gb")}, pin[1] = {-1};
    mp_layout l;
    unsigned gone;
    mp_fit_result r;
    assert_int_equal(mp_gpu_fit_beside(&g, one, pin, 1, &l, &gone, &r), 0);
    assert_int_equal(l.n, 4);
    assert_int_equal(l.gi[3].start, 3);
    for (int q = 0; q < 3; q++)
        assert_int_equal(l.gi[q].start, g.layout.gis.gi[q].start);
    int big[1] = {profile(m, "3g.40gb")};
    assert_int_equal(mp_gpu_fit_beside(&g, big, pin, 1, &l, &gone, &r),
                     MP_EINFEASIBLE);
    assert_int_equal(gone, 1u << 2);
    int four[1] = {profile(m, "4g.40gb")};
    assert_int_equal(mp_gpu_fit_beside(&g, four, pin, 1, &l, &gone, &r),
                     MP_EINFEASIBLE);
    assert_int_equal(gone, (1u << 0) | (1u << 1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_issue_case),
        cmocka_unit_test(test_blocker),
        cmocka_unit_test(test_fit_beside),
        cmocka_unit_test(test_random_vs_brute),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
