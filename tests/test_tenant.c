/* SPDX-License-Identifier: Apache-2.0 */
/* test_tenant.c - which profiles and whole GPUs may serve a tenant: each
 * requirement on its own (memory, compute, SMs, engines, media, graphics,
 * whole GPU, the models list), the reason given when one fails, and the
 * mask the solver and the LP writer use agreeing with the single checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "migplan/model/request.h"
#include "migplan/model/tenant.h"

#include "test_db.h"

static const mp_model *model(const char *q)
{
    const mp_model *m = NULL;
    assert_int_equal(mp_db_find(db, q, &m, NULL), 0);
    return m;
}

static int profile(const mp_model *m, const char *name)
{
    const mp_gi_profile *p = mp_model_profile(m, name);
    assert_non_null(p);
    return mp_profile_index(m, p);
}

static mp_tenant tenant(long long memory_mib, int compute)
{
    mp_tenant t;
    memset(&t, 0, sizeof(t));
    t.name = "t";
    t.memory_mib = memory_mib;
    t.compute = compute;
    t.replicas = 1;
    return t;
}

/* t does not fit profile name of m, and says so with words. */
static void expect_no(const mp_tenant *t, const mp_model *m, const char *name,
                      const char *words)
{
    char why[300] = "";
    const mp_gi_profile *p = &m->profiles[profile(m, name)];
    assert_false(mp_tenant_fits_profile(t, m, p, NULL, 0));
    assert_false(mp_tenant_fits_profile(t, m, p, why, sizeof(why)));
    if (!strstr(why, words))
        fail_msg("%s: reason '%s' lacks '%s'", name, why, words);
}

static bool fits(const mp_tenant *t, const mp_model *m, const char *name)
{
    return mp_tenant_fits_profile(t, m, &m->profiles[profile(m, name)], NULL,
                                  0);
}

static void test_memory_and_compute(void **state)
{
    (void)state;
    const mp_model *h100 = model("h100");
    long long mem = h100->profiles[profile(h100, "1g.10gb")].memory_mib;
    mp_tenant t = tenant(mem, 1);
    assert_true(fits(&t, h100, "1g.10gb")); /* exactly enough */
    t.memory_mib = mem + 1;
    expect_no(&t, h100, "1g.10gb", "needs");
    assert_true(fits(&t, h100, "1g.20gb"));
    t = tenant(mem, 2);
    expect_no(&t, h100, "1g.20gb", "needs 2 compute slices");
    assert_true(fits(&t, h100, "2g.20gb"));
}

static void test_sms_and_engines(void **state)
{
    (void)state;
    const mp_model *h100 = model("h100");
    const mp_gi_profile *p = &h100->profiles[profile(h100, "2g.20gb")];
    mp_tenant t = tenant(1024, 1);
    t.sms = p->sms;
    assert_true(fits(&t, h100, "2g.20gb"));
    t.sms = p->sms + 1;
    expect_no(&t, h100, "2g.20gb", "SMs");
    t = tenant(1024, 1);
    t.engines[MP_ENG_NVDEC] = p->engines[MP_ENG_NVDEC];
    assert_true(fits(&t, h100, "2g.20gb"));
    t.engines[MP_ENG_NVDEC]++;
    expect_no(&t, h100, "2g.20gb", "nvdec");
}

/* Media needs NVDEC, NVJPG and OFA: on an H100 only the +me profile and
 * the full 7g.80gb have an OFA. Graphics needs a +gfx profile. */
static void test_media_and_graphics(void **state)
{
    (void)state;
    const mp_model *h100 = model("h100");
    mp_tenant t = tenant(1024, 1);
    t.media = true;
    assert_true(fits(&t, h100, "1g.10gb+me"));
    expect_no(&t, h100, "1g.10gb", "lacks an OFA");
    uint32_t mask = mp_tenant_profile_mask(&t, h100);
    for (int p = 0; p < h100->n_profiles; p++) {
        bool ofa = h100->profiles[p].engines[MP_ENG_OFA] > 0;
        if (ofa != ((mask >> p) & 1u))
            fail_msg("%s: in the mask %d, has an OFA %d",
                     h100->profiles[p].name, (int)((mask >> p) & 1u), ofa);
    }
    const mp_model *rtx = model("rtx-pro-6000");
    t = tenant(1024, 1);
    t.graphics = true;
    mask = mp_tenant_profile_mask(&t, rtx);
    assert_true(mask != 0);
    for (int p = 0; p < rtx->n_profiles; p++)
        assert_int_equal((mask >> p) & 1u,
                         (rtx->profiles[p].flags & MP_GI_GFX) != 0);
    assert_int_equal(mp_tenant_profile_mask(&t, h100), 0);
}

/* A whole-GPU tenant takes no profile; a whole GPU must have its memory
 * (and for a tenant of profiles, its compute). */
static void test_whole_gpu(void **state)
{
    (void)state;
    const mp_model *h100 = model("h100"), *h200 = model("h200");
    mp_tenant t = tenant(h100->memory_mib + 1, 1);
    t.whole_gpu = true;
    assert_int_equal(mp_tenant_profile_mask(&t, h200), 0);
    assert_false(mp_tenant_fits_profile(
        &t, h200, &h200->profiles[profile(h200, "7g.141gb")], NULL, 0));
    char why[300] = "";
    assert_false(mp_tenant_fits_whole(&t, h100, why, sizeof(why)));
    assert_non_null(strstr(why, "a whole h100"));
    assert_false(mp_tenant_takes_whole(&t, h100));
    assert_true(mp_tenant_takes_whole(&t, h200));
    assert_true(mp_tenant_placeable(&t, h200));
    assert_false(mp_tenant_placeable(&t, h100));
    /* not a whole-GPU tenant: fits a whole GPU, but takes none */
    mp_tenant u = tenant(1024, h100->compute_slices);
    assert_true(mp_tenant_fits_whole(&u, h100, NULL, 0));
    assert_false(mp_tenant_takes_whole(&u, h100));
    u.compute = h100->compute_slices + 1;
    assert_false(mp_tenant_fits_whole(&u, h100, why, sizeof(why)));
    assert_non_null(strstr(why, "compute slices"));
}

/* The models list limits everything but the fit itself. */
static void test_models_list(void **state)
{
    (void)state;
    const mp_model *h100 = model("h100"), *a30 = model("a30");
    const mp_model *only[] = {a30};
    mp_tenant t = tenant(1024, 1);
    t.models = only;
    t.n_models = 1;
    assert_true(mp_tenant_allows(&t, a30));
    assert_false(mp_tenant_allows(&t, h100));
    assert_int_equal(mp_tenant_profile_mask(&t, h100), 0);
    assert_true(mp_tenant_fits_model(&t, h100)); /* for suggestions */
    assert_false(mp_tenant_placeable(&t, h100));
    assert_true(mp_tenant_placeable(&t, a30));
    int p = profile(h100, "1g.10gb");
    assert_true(fits(&t, h100, "1g.10gb"));
    assert_false(mp_tenant_takes_profile(&t, h100, p));
    assert_true(mp_tenant_takes_profile(&t, a30, 0));
    assert_false(mp_tenant_takes_profile(&t, a30, -1));
    assert_false(mp_tenant_takes_profile(&t, a30, a30->n_profiles));
    t.whole_gpu = true;
    assert_false(mp_tenant_takes_whole(&t, h100));
    assert_true(mp_tenant_takes_whole(&t, a30));
}

/* The mask, per fleet entry, is exactly the profiles the single check
 * accepts, on every model of the database. */
static void test_masks_agree(void **state)
{
    (void)state;
    mp_request r;
    memset(&r, 0, sizeof(r));
    for (int i = 0; i < mp_db_count(db) && i < MP_MAX_FLEET; i++) {
        r.fleet[i].model = mp_db_model(db, i);
        r.n_fleet++;
    }
    static const long long mem[] = {1, 5000, 20000, 45000, 100000};
    int nonzero = 0;
    for (int k = 0; k < 5 * 7; k++) {
        mp_tenant t = tenant(mem[k % 5], 1 + k / 5);
        t.media = k % 3 == 0;
        uint32_t masks[MP_MAX_FLEET];
        mp_request_profile_masks(&r, &t, masks);
        for (int i = 0; i < r.n_fleet; i++) {
            const mp_model *m = r.fleet[i].model;
            for (int p = 0; p < m->n_profiles; p++) {
                bool want =
                    m->profiles[p].memory_mib >= t.memory_mib &&
                    m->profiles[p].compute_slices >= t.compute &&
                    mp_tenant_fits_profile(&t, m, &m->profiles[p], NULL, 0);
                assert_int_equal((masks[i] >> p) & 1u, want);
                assert_int_equal(mp_tenant_takes_profile(&t, m, p), want);
            }
            nonzero += masks[i] != 0;
        }
    }
    assert_true(nonzero > 20);
}

/* What one placed unit needs: headroom on the asked memory, times share;
 * the replicas asked over share, rounded up; the last instance serves the
 * rest. */
static void test_derive_share_headroom(void **state)
{
    (void)state;
    mp_tenant t = tenant(0, 1);
    t.asked_mib = 4000;
    t.asked_replicas = 5;
    t.share = 2;
    t.headroom_milli = -1;
    mp_tenant_derive(&t, 10000); /* the request's 10% */
    assert_int_equal(t.memory_mib, 4400 * 2);
    assert_int_equal(t.replicas, 3);
    assert_int_equal(mp_tenant_share(&t), 2);
    assert_int_equal(mp_tenant_asked_replicas(&t), 5);
    assert_int_equal(mp_tenant_asked_mib(&t), 4000);
    assert_int_equal(mp_tenant_first_replica(&t, 2), 4);
    assert_int_equal(mp_tenant_served(&t, 0), 2);
    assert_int_equal(mp_tenant_served(&t, 1), 2);
    assert_int_equal(mp_tenant_served(&t, 2), 1);
    /* the tenant's own headroom wins, 0 included; rounding is up */
    t.headroom_milli = 0;
    mp_tenant_derive(&t, 10000);
    assert_int_equal(t.memory_mib, 8000);
    t.asked_mib = 1001;
    t.headroom_milli = 12500; /* 12.5% of 1001 MiB = 1126.125 -> 1127 */
    t.share = 1;
    mp_tenant_derive(&t, 0);
    assert_int_equal(t.memory_mib, 1127);
    assert_int_equal(t.replicas, 5);
    assert_int_equal(mp_tenant_served(&t, 4), 1);
    /* share divides evenly: every instance full */
    t.share = 5;
    mp_tenant_derive(&t, 0);
    assert_int_equal(t.replicas, 1);
    assert_int_equal(mp_tenant_served(&t, 0), 5);
    /* a tenant built in code is as asked */
    mp_tenant c = tenant(2048, 1);
    c.replicas = 3;
    assert_int_equal(mp_tenant_asked_mib(&c), 2048);
    assert_int_equal(mp_tenant_asked_replicas(&c), 3);
    assert_int_equal(mp_tenant_share(&c), 1);
    assert_int_equal(mp_tenant_gpus(&c), 1);
    assert_int_equal(mp_tenant_served(&c, 2), 1);
}

/* A shared tenant needs share times the memory: embed 4 GiB x 2 fits a
 * 1g.10gb, x 3 does not. */
static void test_share_sizes_profiles(void **state)
{
    (void)state;
    const mp_model *h100 = model("h100");
    mp_tenant t = tenant(0, 1);
    t.asked_mib = 4096;
    t.asked_replicas = 6;
    t.headroom_milli = -1;
    t.share = 2;
    mp_tenant_derive(&t, 0);
    assert_true(fits(&t, h100, "1g.10gb"));
    t.share = 3;
    mp_tenant_derive(&t, 0);
    expect_no(&t, h100, "1g.10gb", "needs 12.00 GiB");
    assert_true(fits(&t, h100, "1g.20gb"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_memory_and_compute),
        cmocka_unit_test(test_sms_and_engines),
        cmocka_unit_test(test_media_and_graphics),
        cmocka_unit_test(test_whole_gpu),
        cmocka_unit_test(test_models_list),
        cmocka_unit_test(test_masks_agree),
        cmocka_unit_test(test_derive_share_headroom),
        cmocka_unit_test(test_share_sizes_profiles),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
