/* SPDX-License-Identifier: Apache-2.0 */
/* test_gpu_layout.c - the per-GPU layout type: building, validating and
 * comparing layouts, resolving mig-devices names, and turning {name, count}
 * lists into layouts (checked against the geometry engine on every valid
 * geometry of every model, and against NVIDIA's MIG User Guide examples of
 * the driver's own slot choice). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "migplan/model/gpu_layout.h"

#include "test_db.h"

static const mp_model *model(const char *name)
{
    const mp_model *m;
    if (mp_db_find(db, name, &m, NULL) != 0)
        fail_msg("no model %s", name);
    return m;
}

static int prof(const mp_model *m, const char *name)
{
    const mp_gi_profile *p = mp_model_profile(m, name);
    if (!p)
        fail_msg("%s has no profile %s", m->id, name);
    return mp_profile_index(m, p);
}

/* A layout of m with MIG on and the given "profile@start" instances. */
static void build(mp_gpu_layout *l, const mp_model *m, const char *const *gis,
                  int n)
{
    mp_gpu_layout_init(l, m, true);
    for (int i = 0; i < n; i++) {
        char name[64];
        int start;
        const char *at = strchr(gis[i], '@');
        assert_non_null(at);
        snprintf(name, sizeof(name), "%.*s", (int)(at - gis[i]), gis[i]);
        start = at[1] - '0';
        assert_int_equal(mp_gpu_layout_add(l, prof(m, name), start), i);
    }
}

static void test_init_add(void **state)
{
    (void)state;
    const mp_model *m = model("h100");
    mp_gpu_layout l;
    mp_gpu_layout_init(&l, m, false);
    assert_false(l.mig_enabled);
    assert_int_equal(l.gis.n, 0);
    assert_ptr_equal(l.gis.model, m);
    assert_true(l.driver_order && l.driver_exact);
    /* MIG disabled holds nothing */
    assert_int_equal(mp_gpu_layout_add(&l, 0, 0), MP_EUSAGE);
    mp_gpu_layout_init(&l, m, true);
    assert_int_equal(mp_gpu_layout_add(&l, m->n_profiles, 0), MP_EUSAGE);
    assert_int_equal(mp_gpu_layout_add(&l, -1, 0), MP_EUSAGE);
    assert_int_equal(mp_gpu_layout_add(&l, prof(m, "1g.10gb"), 2), 0);
    assert_int_equal(l.gis.gi[0].start, 2);
    assert_false(l.ci_explicit[0]);
    /* the order is no longer known to suit the driver */
    assert_false(l.driver_order || l.driver_exact);
    for (int i = 1; i < MP_MAX_GIS; i++)
        assert_int_equal(mp_gpu_layout_add(&l, 0, 0), i);
    assert_int_equal(mp_gpu_layout_add(&l, 0, 0), MP_ELIMIT);
    assert_int_equal(l.gis.n, MP_MAX_GIS);
}

/* NVIDIA's MIG User Guide, A100-SXM4-40GB: `-cgi 9,19,14,19` succeeds with
 * the driver's own slots, `-cgi 19,19,14,9` fails (Insufficient
 * Resources): validate must tell a true driver_order claim from a false
 * one by what the driver does. */
static void test_validate_driver(void **state)
{
    (void)state;
    const mp_model *m = model("a100-40gb");
    char why[300];
    int works[] = {prof(m, "3g.20gb"), prof(m, "1g.5gb"), prof(m, "2g.10gb"),
                   prof(m, "1g.5gb")};
    mp_layout drv;
    assert_int_equal(mp_geom_simulate(m, works, 4, &drv), 4);
    mp_gpu_layout l;
    mp_gpu_layout_init(&l, m, true);
    for (int i = 0; i < 4; i++)
        mp_gpu_layout_add(&l, drv.gi[i].profile, drv.gi[i].start);
    l.driver_order = l.driver_exact = true;
    assert_int_equal(mp_gpu_layout_validate(&l, why, sizeof(why)), 0);
    /* the two 1g instances swapped: same order works, other slots */
    int s1 = l.gis.gi[1].start;
    l.gis.gi[1].start = l.gis.gi[3].start;
    l.gis.gi[3].start = s1;
    assert_int_equal(mp_gpu_layout_validate(&l, why, sizeof(why)),
                     MP_EINFEASIBLE);
    assert_non_null(strstr(why, "driver_exact"));
    l.driver_exact = false;
    assert_int_equal(mp_gpu_layout_validate(&l, why, sizeof(why)), 0);
    /* the UG's failing order, at valid slots */
    const char *fails[] = {"1g.5gb@0", "1g.5gb@1", "2g.10gb@2", "3g.20gb@4"};
    build(&l, m, fails, 4);
    assert_int_equal(mp_gpu_layout_validate(&l, why, sizeof(why)), 0);
    l.driver_order = true;
    assert_int_equal(mp_gpu_layout_validate(&l, why, sizeof(why)),
                     MP_EINFEASIBLE);
    assert_non_null(strstr(why, "cannot create GPU instance 3"));
    /* a safe order exists, and it is not the layout's own */
    int order[MP_MAX_GIS];
    assert_true(mp_gpu_layout_creation_order(&l, order));
    assert_int_equal(l.gis.gi[order[0]].profile, prof(m, "3g.20gb"));
    l.driver_order = false;
    l.driver_exact = true;
    assert_int_equal(mp_gpu_layout_validate(&l, why, sizeof(why)),
                     MP_EINFEASIBLE);
}

static void test_validate_shape(void **state)
{
    (void)state;
    const mp_model *m = model("h100");
    char why[300];
    mp_gpu_layout l;
    /* overlap */
    const char *overlap[] = {"2g.20gb@0", "1g.10gb@1"};
    build(&l, m, overlap, 2);
    assert_int_equal(mp_gpu_layout_validate(&l, why, sizeof(why)),
                     MP_EINFEASIBLE);
    /* MIG disabled with an instance, MIG enabled without a model */
    const char *one[] = {"1g.10gb@0"};
    build(&l, m, one, 1);
    assert_int_equal(mp_gpu_layout_validate(&l, why, sizeof(why)), 0);
    l.mig_enabled = false;
    assert_int_equal(mp_gpu_layout_validate(&l, why, sizeof(why)),
                     MP_EINFEASIBLE);
    assert_string_equal(why, "GPU instances with MIG disabled");
    mp_gpu_layout_init(&l, NULL, true);
    assert_int_equal(mp_gpu_layout_validate(&l, why, sizeof(why)),
                     MP_EINFEASIBLE);
    assert_string_equal(why, "MIG enabled without a model");
    mp_gpu_layout_init(&l, NULL, false);
    assert_int_equal(mp_gpu_layout_validate(&l, why, sizeof(why)), 0);
    /* compute-instance splits of a 3g: 3 x 1c fits, 4 x 1c does not,
     * nothing at all is no split */
    const char *three[] = {"3g.40gb@4"};
    build(&l, m, three, 1);
    const mp_gi_profile *p = &m->profiles[l.gis.gi[0].profile];
    int c1 = -1;
    for (int c = 0; c < p->n_cis; c++)
        if (p->cis[c].compute_slices == 1)
            c1 = c;
    assert_true(c1 >= 0);
    l.ci_explicit[0] = true;
    assert_int_equal(mp_gpu_layout_validate(&l, why, sizeof(why)),
                     MP_EINFEASIBLE);
    l.ci_count[0][c1] = 3;
    assert_int_equal(mp_gpu_layout_validate(&l, why, sizeof(why)), 0);
    int ids[8];
    assert_int_equal(mp_gpu_layout_ci_ids(&l, 0, ids, 8), 3);
    for (int i = 0; i < 3; i++)
        assert_int_equal(ids[i], p->cis[c1].id);
    l.ci_count[0][c1] = 4;
    assert_int_equal(mp_gpu_layout_validate(&l, why, sizeof(why)),
                     MP_EINFEASIBLE);
    /* the default compute instance: the one `-C` makes */
    l.ci_explicit[0] = false;
    assert_int_equal(mp_gpu_layout_ci_ids(&l, 0, ids, 8), 1);
    bool is_default = false;
    for (int c = 0; c < p->n_cis; c++)
        is_default |= p->cis[c].is_default && p->cis[c].id == ids[0];
    assert_true(is_default);
}

static void test_equal(void **state)
{
    (void)state;
    const mp_model *m = model("h100");
    const char *gis[] = {"3g.40gb@4", "2g.20gb@0", "1g.10gb@2"};
    mp_gpu_layout a, b;
    build(&a, m, gis, 3);
    build(&b, m, gis, 3);
    assert_true(mp_gpu_layout_equal(&a, &b));
    b.gis.gi[2].start = 3;
    assert_false(mp_gpu_layout_equal(&a, &b));
    build(&b, m, gis, 3);
    b.driver_order = true;
    assert_false(mp_gpu_layout_equal(&a, &b));
    build(&b, m, gis, 3);
    b.ci_explicit[0] = true;
    b.ci_count[0][0] = 1;
    assert_false(mp_gpu_layout_equal(&a, &b));
    a.ci_explicit[0] = true;
    a.ci_count[0][0] = 1;
    assert_true(mp_gpu_layout_equal(&a, &b));
    /* the same instances in another order are another creation order */
    const char *swapped[] = {"2g.20gb@0", "3g.40gb@4", "1g.10gb@2"};
    build(&a, m, gis, 3);
    build(&b, m, swapped, 3);
    assert_false(mp_gpu_layout_equal(&a, &b));
    mp_gpu_layout_init(&a, NULL, false);
    mp_gpu_layout_init(&b, m, false);
    assert_false(mp_gpu_layout_equal(&a, &b));
}

static void test_resolve_name(void **state)
{
    (void)state;
    const mp_model *m = model("h100");
    const mp_gi_profile *gi;
    int ci;
    char why[600];
    assert_true(
        mp_gpu_layout_resolve_name(m, "1g.10gb", &gi, &ci, why, sizeof(why)));
    assert_string_equal(gi->name, "1g.10gb");
    assert_int_equal(ci, -1);
    assert_int_equal(mp_gpu_layout_max_count(gi, ci), gi->max_instances);
    assert_true(mp_gpu_layout_resolve_name(m, "1c.3g.40gb", &gi, &ci, why,
                                           sizeof(why)));
    assert_string_equal(gi->name, "3g.40gb");
    assert_int_equal(gi->cis[ci].compute_slices, 1);
    assert_int_equal(mp_gpu_layout_max_count(gi, ci),
                     (long long)gi->max_instances * gi->cis[ci].max_per_gi);
    assert_false(
        mp_gpu_layout_resolve_name(m, "1g.11gb", &gi, &ci, why, sizeof(why)));
    assert_null(gi);
    assert_non_null(strstr(why, "did you mean 1g.10gb?"));
    assert_false(mp_gpu_layout_resolve_name(m, "5c.3g.40gb", &gi, &ci, why,
                                            sizeof(why)));
    assert_non_null(strstr(why, "cannot have more compute slices"));
    assert_false(
        mp_gpu_layout_resolve_name(m, "bogus", &gi, &ci, why, sizeof(why)));
    assert_non_null(strstr(why, "is not a profile name"));
    assert_false(
        mp_gpu_layout_resolve_name(m, "5g.50gb", &gi, &ci, why, sizeof(why)));
    assert_non_null(strstr(why, "has no 5-slice GPU instances"));
}

static void test_from_counts(void **state)
{
    (void)state;
    const mp_model *m = model("h100");
    char why[400];
    mp_gpu_layout l;
    /* a 3g with its default CI and a 3g split into 3 x 1c; zero counts and
     * unknown names with count 0 are ignored */
    mp_profile_count v[] = {
        {"3g.40gb", 1}, {"1c.3g.40gb", 3}, {"2g.20gb", 0}, {"bogus", 0}};
    assert_int_equal(mp_gpu_layout_from_counts(m, v, 4, &l, why, sizeof(why)),
                     0);
    assert_true(l.mig_enabled);
    assert_int_equal(l.gis.n, 2);
    assert_int_equal(l.ci_explicit[0] + l.ci_explicit[1], 1);
    assert_int_equal(mp_gpu_layout_validate(&l, why, sizeof(why)), 0);
    assert_true(l.driver_order && l.driver_exact);
    /* one more 1g needs a ninth memory slice */
    mp_profile_count over[] = {
        {"3g.40gb", 1}, {"1c.3g.40gb", 3}, {"1g.10gb", 1}};
    assert_int_equal(
        mp_gpu_layout_from_counts(m, over, 3, &l, why, sizeof(why)),
        MP_EINFEASIBLE);
    assert_non_null(strstr(why, "needs 9 memory slices"));
    mp_profile_count many[] = {{"1g.10gb", 8}};
    assert_int_equal(
        mp_gpu_layout_from_counts(m, many, 1, &l, why, sizeof(why)),
        MP_EINFEASIBLE);
    assert_string_equal(why, "8 x 1g.10gb cannot fit one h100-sxm5-80gb: at "
                             "most 7 fit");
    /* four 1c need a second split 3g next to the whole one: three 3g in
     * all, and an H100 holds two */
    mp_profile_count cis[] = {{"3g.40gb", 1}, {"1c.3g.40gb", 4}};
    assert_int_equal(mp_gpu_layout_from_counts(m, cis, 2, &l, why, sizeof(why)),
                     MP_EINFEASIBLE);
    assert_string_equal(why, "the compute instances of 3g.40gb need 2 3g.40gb "
                             "GPU instances besides the whole ones, and one "
                             "h100-sxm5-80gb holds at most 2");
    mp_profile_count unknown[] = {{"1g.11gb", 1}};
    assert_int_equal(
        mp_gpu_layout_from_counts(m, unknown, 1, &l, why, sizeof(why)),
        MP_EINFEASIBLE);
    assert_non_null(strstr(why, "is not a profile of h100-sxm5-80gb"));
}

/* Property: on every valid geometry of every model, a {name, count} list
 * realises exactly those profiles in a valid layout whose driver flags
 * hold; one instance more than a maximal geometry does not realise. */
static void test_every_geometry(void **state)
{
    (void)state;
    int layouts = 0, driver_safe = 0, refused = 0;
    for (int i = 0; i < mp_db_count(db); i++) {
        const mp_model *m = mp_db_model(db, i);
        mp_geom_list list;
        assert_int_equal(mp_geom_enumerate(m, NULL, false, &list), 0);
        for (int k = 0; k < list.n; k++) {
            const mp_geometry *g = &list.v[k];
            mp_profile_count v[MP_MAX_PROFILES];
            int n = 0;
            for (int p = 0; p < m->n_profiles; p++)
                if (g->count[p])
                    v[n++] =
                        (mp_profile_count){m->profiles[p].name, g->count[p]};
            mp_gpu_layout l;
            char why[400];
            if (mp_gpu_layout_from_counts(m, v, n, &l, why, sizeof(why)) != 0)
                fail_msg("%s: a valid geometry refused: %s", m->id, why);
            if (mp_gpu_layout_validate(&l, why, sizeof(why)) != 0)
                fail_msg("%s: realised layout invalid: %s", m->id, why);
            int got[MP_MAX_PROFILES] = {0};
            for (int q = 0; q < l.gis.n; q++)
                got[l.gis.gi[q].profile]++;
            for (int p = 0; p < m->n_profiles; p++)
                assert_int_equal(got[p], g->count[p]);
            int order[MP_MAX_GIS];
            assert_int_equal(mp_gpu_layout_creation_order(&l, order),
                             l.driver_order);
            layouts++;
            driver_safe += l.driver_order;
            if (!g->maximal)
                continue;
            for (int p = 0; p < m->n_profiles; p++) {
                mp_profile_count more[MP_MAX_PROFILES + 1];
                memcpy(more, v, (size_t)n * sizeof(*v));
                more[n] = (mp_profile_count){m->profiles[p].name, 1};
                assert_int_equal(mp_gpu_layout_from_counts(m, more, n + 1, &l,
                                                           why, sizeof(why)),
                                 MP_EINFEASIBLE);
                refused++;
            }
        }
        mp_geom_list_free(&list);
    }
    print_message("%d layouts realised (%d with a driver-safe order), %d "
                  "over-full ones refused\n",
                  layouts, driver_safe, refused);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_add),
        cmocka_unit_test(test_validate_driver),
        cmocka_unit_test(test_validate_shape),
        cmocka_unit_test(test_equal),
        cmocka_unit_test(test_resolve_name),
        cmocka_unit_test(test_from_counts),
        cmocka_unit_test(test_every_geometry),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
