/* SPDX-License-Identifier: Apache-2.0 */
/* test_profile_db.c - the shipped profile files against an independent
 * transcription of ../shared/mig-facts.md §3, model lookup, and the loader's
 * positioned errors for broken files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "migplan/emit/profile_writer.h"
#include "migplan/model/profile_db.h"
#include "migplan/model/profile_diff.h"

#include "test_db.h"

typedef struct expect {
    const char *name;
    int id, c, m, max;
    const char *placements;
    const char *gib; /* NULL when the facts give no -lgip value */
    int sms;         /* -1 when the facts give none */
} expect;

static void check_model(const char *query, const char *want_id, int units,
                        int cslices, const expect *e, int n)
{
    const mp_model *m;
    mp_diag d;
    assert_int_equal(mp_db_find(db, query, &m, &d), 0);
    assert_string_equal(m->id, want_id);
    assert_int_equal(m->units, units);
    assert_int_equal(m->compute_slices, cslices);
    assert_int_equal(m->n_profiles, n);
    for (int i = 0; i < n; i++) {
        const mp_gi_profile *p = mp_model_profile(m, e[i].name);
        if (!p)
            fail_msg("%s: profile %s missing", want_id, e[i].name);
        assert_int_equal(p->id, e[i].id);
        assert_int_equal(p->compute_slices, e[i].c);
        assert_int_equal(p->memory_slices, e[i].m);
        assert_int_equal(p->max_instances, e[i].max);
        char pl[64];
        mp_format_placements(p, pl, sizeof(pl));
        assert_string_equal(pl, e[i].placements);
        if (e[i].gib) {
            assert_non_null(p->memory_gib);
            assert_string_equal(p->memory_gib, e[i].gib);
        }
        if (e[i].sms >= 0)
            assert_int_equal(p->sms, e[i].sms);
    }
}

/* mig-facts.md §3.3 (T-H100) with the 580.173.02 sizes of
 * nvidia-smi-transcripts.md §4.3 (S-PRICKLE) */
static void test_h100_sxm5(void **state)
{
    (void)state;
    static const expect e[] = {
        {"1g.10gb", 19, 1, 1, 7, "{0,1,2,3,4,5,6}:1", "9.75", 16},
        {"1g.10gb+me", 20, 1, 1, 1, "{0,1,2,3,4,5,6}:1", "9.75", 16},
        {"1g.20gb", 15, 1, 2, 4, "{0,2,4,6}:2", "19.62", 26},
        {"2g.20gb", 14, 2, 2, 3, "{0,2,4}:2", "19.62", 32},
        {"3g.40gb", 9, 3, 4, 2, "{0,4}:4", "39.50", 60},
        {"4g.40gb", 5, 4, 4, 1, "{0}:4", "39.50", 64},
        {"7g.80gb", 0, 7, 8, 1, "{0}:8", "79.25", 132},
    };
    check_model("h100", "h100-sxm5-80gb", 8, 7, e, 7);
    const mp_model *m;
    assert_int_equal(mp_db_find(db, "0x233010DE", &m, NULL), 0);
    assert_true(m->confirmed);
    assert_int_equal(m->memory_mib, 81559);
    const mp_gi_profile *p = mp_model_profile(m, "7g.80gb");
    assert_int_equal(p->engines[MP_ENG_CE], 8);
    assert_int_equal(p->engines[MP_ENG_NVDEC], 7);
    assert_int_equal(p->engines[MP_ENG_OFA], 1);
    assert_true(mp_model_profile(m, "1g.10gb+me")->flags & MP_GI_MEDIA);
    /* profile 15's default compute instance is CI profile 7 (T-1g20) */
    const mp_gi_profile *p15 = mp_model_profile(m, "1g.20gb");
    assert_int_equal(p15->n_cis, 1);
    assert_int_equal(p15->cis[0].id, 7);
    /* a 3g GI: 1c x3 (ID 0), 2c x1 (ID 1), 3g default (ID 2) */
    const mp_gi_profile *p3 = mp_model_profile(m, "3g.40gb");
    const mp_ci_profile *c1 = mp_gi_ci(p3, "1c.3g.40gb");
    assert_non_null(c1);
    assert_int_equal(c1->max_per_gi, 3);
    assert_int_equal(c1->id, 0);
    assert_true(mp_gi_ci(p3, "3g.40gb")->is_default);
    assert_int_equal(mp_gi_ci(p3, "3g.40gb")->id, 2);
    /* by nvidia-smi profile ID, and the start slots -lgipp lists */
    assert_ptr_equal(mp_model_profile_by_id(m, 9), p3);
    assert_ptr_equal(mp_model_profile_by_id(m, 15), p15);
    assert_null(mp_model_profile_by_id(m, 1)); /* an ID the H100 has not */
    assert_true(mp_gi_can_start(p3, 4));
    assert_false(mp_gi_can_start(p3, 2));
    assert_true(mp_gi_can_start(p15, 6));
    assert_false(mp_gi_can_start(p15, 7));
}

/* §3.9 names/IDs/counts; sizes of S-PRICKLE §4.3; placements inferred */
static void test_h200(void **state)
{
    (void)state;
    static const expect e[] = {
        {"1g.18gb", 19, 1, 1, 7, "{0,1,2,3,4,5,6}:1", "16.00", 16},
        {"1g.18gb+me", 20, 1, 1, 1, "{0,1,2,3,4,5,6}:1", "16.00", 16},
        {"1g.35gb", 15, 1, 2, 4, "{0,2,4,6}:2", "32.50", 26},
        {"2g.35gb", 14, 2, 2, 3, "{0,2,4}:2", "32.50", 32},
        {"3g.71gb", 9, 3, 4, 2, "{0,4}:4", "69.75", 60},
        {"4g.71gb", 5, 4, 4, 1, "{0}:4", "69.75", 64},
        {"7g.141gb", 0, 7, 8, 1, "{0}:8", "140.00", 132},
    };
    check_model("h200", "h200-141gb", 8, 7, e, 7);
    const mp_model *m;
    assert_int_equal(mp_db_find(db, "0x233510de", &m, NULL), 0);
    assert_string_equal(m->id, "h200-141gb");
    /* no H200 -lgipp exists: placements must be marked inferred */
    assert_non_null(
        mp_prov_inferred(&mp_model_profile(m, "1g.18gb")->prov, "placements"));
    assert_false(m->confirmed);
    assert_int_equal(m->memory_mib, 143771);
}

/* §3.10: first four rows real (MP#187), 3g/4g/7g IDs from GKE */
static void test_b200(void **state)
{
    (void)state;
    static const expect e[] = {
        {"1g.23gb", 19, 1, 1, 7, "{0,1,2,3,4,5,6}:1", "20.50", 18},
        {"1g.23gb+me", 20, 1, 1, 1, "{0,1,2,3,4,5,6}:1", "20.50", 18},
        {"1g.45gb", 15, 1, 2, 4, "{0,2,4,6}:2", "44.25", 30},
        {"2g.45gb", 14, 2, 2, 3, "{0,2,4}:2", "44.25", 36},
        {"3g.90gb", 9, 3, 4, 2, "{0,4}:4", NULL, -1},
        {"4g.90gb", 5, 4, 4, 1, "{0}:4", NULL, -1},
        {"7g.180gb", 0, 7, 8, 1, "{0}:8", NULL, -1},
    };
    check_model("b200", "b200-180gb", 8, 7, e, 7);
    const mp_model *m;
    assert_int_equal(mp_db_find(db, "b200-180gb", &m, NULL), 0);
    const mp_gi_profile *p = mp_model_profile(m, "3g.90gb");
    assert_false(p->confirmed);
    assert_null(p->memory_gib);
    assert_non_null(mp_prov_inferred(&p->prov, "memory-mib"));
    assert_true(mp_model_profile(m, "2g.45gb")->engines[MP_ENG_CE] == 4);
}

/* §3.1 (S-A100-40, UG-580) */
static void test_a100_40(void **state)
{
    (void)state;
    static const expect e[] = {
        {"1g.5gb", 19, 1, 1, 7, "{0,1,2,3,4,5,6}:1", "4.75", 14},
        {"1g.5gb+me", 20, 1, 1, 1, "{0,1,2,3,4,5,6}:1", "4.75", 14},
        {"1g.10gb", 15, 1, 2, 4, "{0,2,4,6}:2", "9.62", 14},
        {"2g.10gb", 14, 2, 2, 3, "{0,2,4}:2", "9.62", 28},
        {"3g.20gb", 9, 3, 4, 2, "{0,4}:4", "19.50", 42},
        {"4g.20gb", 5, 4, 4, 1, "{0}:4", "19.50", 56},
        {"7g.40gb", 0, 7, 8, 1, "{0}:8", "39.25", 98},
    };
    check_model("a100-40gb", "a100-40gb", 8, 7, e, 7);
    const mp_model *m;
    assert_int_equal(mp_db_find(db, "NVIDIA A100-PCIE-40GB", &m, NULL), 0);
    assert_int_equal(m->sms, 108);
    assert_int_equal(mp_model_profile(m, "7g.40gb")->engines[MP_ENG_NVDEC], 5);
}

/* §3.13 (T-A30): 4 units, 4 compute slices */
static void test_a30(void **state)
{
    (void)state;
    static const expect e[] = {
        {"1g.6gb", 14, 1, 1, 4, "{0,1,2,3}:1", "5.81", 14},
        {"1g.6gb+me", 21, 1, 1, 1, "{0,1,2,3}:1", "5.81", 14},
        {"2g.12gb", 5, 2, 2, 2, "{0,2}:2", "11.69", 28},
        {"2g.12gb+me", 6, 2, 2, 1, "{0,2}:2", "11.69", 28},
        {"4g.24gb", 0, 4, 4, 1, "{0}:4", "23.44", 56},
    };
    check_model("a30", "a30-24gb", 4, 4, e, 5);
    const mp_model *m;
    assert_int_equal(mp_db_find(db, "0x20B710DE", &m, NULL), 0);
    /* real output shows 1 NVDEC for 1g.6gb where UG-prof says 0 */
    assert_int_equal(mp_model_profile(m, "1g.6gb")->engines[MP_ENG_NVDEC], 1);
    assert_int_equal(mp_model_profile(m, "1g.6gb")->memory_mib, 5952);
}

/* §3.14 (S-RTXS): 12 units */
static void test_rtx_pro_6000(void **state)
{
    (void)state;
    const mp_model *m;
    assert_int_equal(mp_db_find(db, "rtx-pro-6000", &m, NULL), 0);
    assert_int_equal(m->units, 12);
    assert_int_equal(m->compute_slices, 4);
    assert_int_equal(m->n_profiles, 11);
    const mp_gi_profile *p = mp_model_profile(m, "1g.24gb+me.all");
    assert_non_null(p);
    assert_int_equal(p->id, 65);
    assert_true(p->flags & MP_GI_MEDIA_ALL);
    char pl[64];
    mp_format_placements(p, pl, sizeof(pl));
    assert_string_equal(pl, "{0,3,6,9}:3");
    assert_true(mp_model_profile(m, "2g.48gb-me")->flags & MP_GI_NO_MEDIA);
    assert_int_equal(mp_model_profile(m, "4g.96gb")->memory_slices, 12);
}

static void test_every_model_shipped(void **state)
{
    (void)state;
    static const char *ids[] = {
        "a100-40gb",        "a100-80gb",   "a30-24gb",      "h100-sxm5-80gb",
        "h100-pcie-80gb",   "h800-80gb",   "h100-nvl-94gb", "h100-96gb",
        "gh200-144gb",      "h20-96gb",    "h200-141gb",    "h200-nvl-141gb",
        "b200-180gb",       "gb200-186gb", "b300-269gb",    "gb300-278gb",
        "rtx-pro-6000-96gb"};
    assert_int_equal(mp_db_count(db), 17);
    for (size_t i = 0; i < sizeof(ids) / sizeof(*ids); i++) {
        const mp_model *m;
        mp_diag d;
        if (mp_db_find(db, ids[i], &m, &d) != 0)
            fail_msg("%s: %s", ids[i], d.msg);
        /* every profile names its sources and a default CI */
        for (int p = 0; p < m->n_profiles; p++) {
            assert_true(m->profiles[p].prov.n_sources > 0);
            int defaults = 0;
            for (int c = 0; c < m->profiles[p].n_cis; c++)
                defaults += m->profiles[p].cis[c].is_default;
            assert_int_equal(defaults, 1);
        }
    }
}

static void test_lookup(void **state)
{
    (void)state;
    static const struct {
        const char *q, *id;
    } cases[] = {
        {"a100-40gb", "a100-40gb"},
        {"a100-80gb", "a100-80gb"},
        {"a30", "a30-24gb"},
        {"h100", "h100-sxm5-80gb"},
        {"H100-80GB", "h100-sxm5-80gb"},
        {"h100-nvl", "h100-nvl-94gb"},
        {"h200", "h200-141gb"},
        {"b200", "b200-180gb"},
        {"gb200", "gb200-186gb"},
        {"0x233510DE", "h200-141gb"},
        {"0x2335", "h200-141gb"},
        {"0x233010de:0x16c010de", "h100-sxm5-80gb"},
        {"NVIDIA H100 80GB HBM3", "h100-sxm5-80gb"},
        {"nvidia h100 80gb hbm3", "h100-sxm5-80gb"},
        {"H100 PCIe", "h100-pcie-80gb"},
        {"H100 SXM5", "h100-sxm5-80gb"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        const mp_model *m;
        mp_diag d;
        if (mp_db_find(db, cases[i].q, &m, &d) != 0)
            fail_msg("%s: %s", cases[i].q, d.msg);
        assert_string_equal(m->id, cases[i].id);
    }
    const mp_model *m;
    mp_diag d;
    assert_int_equal(mp_db_find(db, "h10", &m, &d), MP_ENOTFOUND);
    assert_non_null(strstr(d.msg, "h100-sxm5-80gb"));
    assert_int_equal(mp_db_find(db, "0x12345678", &m, &d), MP_ENOTFOUND);
    assert_non_null(strstr(d.msg, "0x12345678"));
}

/* fidelity-corrections.md section A: every name nvidia-smi prints resolves
 * to its model, which shows that product for its PCI ID, and whole-GPU
 * memory is memory.total as nvidia-smi reports it. */
static void test_corrections(void **state)
{
    (void)state;
    static const struct {
        const char *name, *id;
        uint32_t pci;
        int memory_mib;
    } cases[] = {
        {"NVIDIA B300 SXM6 AC", "b300-269gb", 0x318210DE, 275040},
        {"NVIDIA GH200 480GB", "h100-96gb", 0x234210DE, 97871},
        {"NVIDIA GH200 120GB", "h100-96gb", 0x234210DE, 97871},
        {"NVIDIA GB300", "gb300-278gb", 0x31C210DE, 284208},
        {"NVIDIA H800", "h800-80gb", 0x232410DE, 81559},
        {"NVIDIA H800 PCIe", "h800-80gb", 0x232210DE, 81559},
        {"NVIDIA H800 NVL", "h100-nvl-94gb", 0x233A10DE, 95830},
        {"NVIDIA H100 NVL", "h100-nvl-94gb", 0x232110DE, 95830},
        {"NVIDIA H100 PCIe", "h100-pcie-80gb", 0x233110DE, 81559},
        {"NVIDIA H20", "h20-96gb", 0x232910DE, 97871},
        {"NVIDIA H200 NVL", "h200-nvl-141gb", 0x233B10DE, 143771},
        {"NVIDIA GH200 144G HBM3e", "gh200-144gb", 0x234810DE, 146831},
        {"NVIDIA B200", "b200-180gb", 0x290110DE, 183359},
        {"NVIDIA GB200", "gb200-186gb", 0x294110DE, 189471},
        {"NVIDIA A100-SXM4-40GB", "a100-40gb", 0x20B010DE, 40960},
        {"NVIDIA A800 40GB Active", "a100-40gb", 0x20F610DE, 40960},
        {"NVIDIA A100-SXM4-80GB", "a100-80gb", 0x20B210DE, 81920},
        {"NVIDIA A100 80GB PCIe", "a100-80gb", 0x20B510DE, 81920},
        {"NVIDIA A800-SXM4-80GB", "a100-80gb", 0x20F310DE, 81920},
        {"NVIDIA A800 80GB PCIe", "a100-80gb", 0x20F510DE, 81920},
        {"NVIDIA A30", "a30-24gb", 0x20B710DE, 24576},
        {"NVIDIA RTX PRO 6000 Blackwell Workstation Edition",
         "rtx-pro-6000-96gb", 0x2BB110DE, 97887},
        {"NVIDIA RTX PRO 6000 Blackwell Server Edition", "rtx-pro-6000-96gb",
         0x2BB510DE, 97887},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        const mp_model *m;
        const mp_device *dev;
        mp_diag d;
        if (mp_db_find_device(db, cases[i].name, &m, &dev, &d) != 0)
            fail_msg("%s: %s", cases[i].name, d.msg);
        assert_string_equal(m->id, cases[i].id);
        assert_non_null(dev);
        assert_int_equal(dev->pci_id, cases[i].pci);
        assert_int_equal(m->memory_mib, cases[i].memory_mib);
        assert_non_null(m->memory_total_driver);
        assert_null(mp_prov_inferred(&m->prov, "memory-mib"));
        /* messages name the product of the PCI ID seen */
        const char *shown = mp_model_product(m, cases[i].pci);
        if (strcmp(shown, cases[i].name) != 0 &&
            strcmp(cases[i].name, "NVIDIA GH200 120GB") != 0)
            fail_msg("0x%08X shows as %s, not %s", cases[i].pci, shown,
                     cases[i].name);
    }
}

/* 0x20B6 is an Ampere board: no Hopper model claims it, and asking for it
 * says why. GB300's profiles are HGX GB300 NVL72's, not DGX Station's. */
static void test_excluded_and_platform(void **state)
{
    (void)state;
    const mp_model *m;
    mp_diag d;
    assert_null(mp_db_find_pci(db, 0x20B610DE));
    assert_int_equal(mp_db_find(db, "0x20B6", &m, &d), MP_ENOTFOUND);
    assert_non_null(strstr(d.msg, "PG506-232"));
    assert_non_null(strstr(d.msg, "Ampere"));
    assert_int_equal(mp_db_find(db, "gb300", &m, &d), 0);
    assert_string_equal(m->min_driver, "580.95.05");
    assert_non_null(mp_prov_inferred(&m->prov, "min-driver"));
    assert_int_equal(mp_db_find(db, "b200", &m, &d), 0);
    assert_int_equal(m->sms, 148);
    assert_null(mp_prov_inferred(&m->prov, "sms"));
}

static void test_driver_select(void **state)
{
    (void)state;
    assert_true(mp_driver_matches("580.173.02", "580"));
    assert_true(mp_driver_matches("580.173.02", "580.173.02"));
    assert_false(mp_driver_matches("580.173.02", "58"));
    assert_false(mp_driver_matches("580.173.02", "580.17"));
    assert_true(mp_driver_matches("MP#187, 2025-03-20", "MP#187"));
    assert_false(mp_driver_matches("580.173.02", ""));
    mp_db *t;
    mp_diag d;
    const mp_model *m;
    assert_int_equal(mp_db_load(NULL, &t, &d), 0);
    /* the default is the newest: B200 1g.23gb at 20.50 GiB */
    assert_int_equal(mp_db_find(t, "b200", &m, &d), 0);
    assert_string_equal(mp_model_profile(m, "1g.23gb")->memory_gib, "20.50");
    assert_int_equal(mp_db_select_driver(t, "MP#166", &d), 0);
    /* a changed model is a copy: look it up again */
    assert_int_equal(mp_db_find(t, "b200", &m, &d), 0);
    const mp_gi_profile *p = mp_model_profile(m, "1g.23gb");
    assert_string_equal(p->memory_gib, "22.00");
    assert_int_equal(p->memory_mib, 22528);
    assert_string_equal(m->memory_driver, "MP#166");
    assert_int_equal(mp_db_select_driver(t, "515", &d), 0);
    assert_int_equal(mp_db_find(t, "a100-80gb", &m, &d), 0);
    assert_string_equal(mp_model_profile(m, "7g.80gb")->memory_gib, "79.00");
    /* profile 15 did not exist then: its size stays, marked inferred */
    p = mp_model_profile(m, "1g.20gb");
    assert_string_equal(p->memory_gib, "19.50");
    assert_non_null(strstr(mp_prov_inferred(&p->prov, "memory-mib"),
                           "no -lgip row seen with driver 515.86.01"));
    assert_false(p->confirmed);
    assert_int_equal(mp_db_select_driver(t, "999", &d), MP_ENOTFOUND);
    assert_non_null(strstr(d.msg, "580.173.02"));
    mp_db_free(t);
}

/* Every shipped model written as a file loads back equal, and writing the
 * loaded model gives the same text. */
static void test_writer_round_trip(void **state)
{
    (void)state;
    for (int i = 0; i < mp_db_count(db); i++) {
        const mp_model *m = mp_db_model(db, i);
        mp_buf a = MP_BUF_INIT, b = MP_BUF_INIT, r = MP_BUF_INIT;
        mp_profile_write(m, "round trip", &a);
        mp_db *t;
        mp_diag d;
        mp_db_new(&t, NULL);
        if (mp_db_load_text(t, a.data, a.len, "written.yaml", &d) != 0)
            fail_msg("%s: written.yaml:%d:%d: %s", m->id, d.line, d.col, d.msg);
        const mp_model *back = mp_db_model(t, 0);
        mp_diff_count n = mp_model_diff(m, back, &r);
        if (n.differ || n.confirmed)
            fail_msg("%s: %s", m->id, r.data);
        assert_int_equal(back->confirmed, m->confirmed);
        mp_profile_write(back, "round trip", &b);
        assert_string_equal(a.data, b.data);
        mp_db_free(t);
        mp_buf_free(&a);
        mp_buf_free(&b);
        mp_buf_free(&r);
    }
}

/* ---- broken files ---- */

static const char base[] =
    "schema: 2\n"
    "id: test-gpu\n"
    "name: \"Test GPU\"\n"
    "devices: [{pci-id: \"0x999910DE\", names: [\"Test GPU\"], sources: [S]}]\n"
    "architecture: Test\n"
    "memory-mib: 81920\n"
    "sms: 10\n"
    "placement-units: 8\n"
    "compute-slices: 7\n"
    "min-driver: \"1\"\n"
    "memory-driver: \"1\"\n"
    "sources: {S: \"a source\"}\n"
    "provenance: {sources: [S]}\n"
    "compute-instances:\n"
    "  - gi: 1\n"
    "    sources: [S]\n"
    "    profiles: [{c: 1, id: 0, max: 1, default: true}]\n"
    "  - gi: 3\n"
    "    sources: [S]\n"
    "    profiles: [{c: 1, id: 0, max: 3}, {c: 3, id: 2, max: 1, default: "
    "true}]\n"
    "profiles:\n"
    "  - name: 1g.10gb\n"
    "    id: 19\n"
    "    compute-slices: 1\n"
    "    memory-slices: 1\n"
    "    memory-gib: 9.75\n"
    "    memory-mib: 9984\n"
    "    sms: 16\n"
    "    engines: {ce: 1, nvdec: 1, nvenc: 0, nvjpg: 1, ofa: 0}\n"
    "    max-instances: 7\n"
    "    placements: \"{0,1,2,3,4,5,6}:1\"\n"
    "    sources: [S]\n"
    "  - name: 3g.40gb\n"
    "    id: 9\n"
    "    compute-slices: 3\n"
    "    memory-slices: 4\n"
    "    memory-gib: 39.50\n"
    "    memory-mib: 40448\n"
    "    sms: 60\n"
    "    engines: {ce: 3, nvdec: 3, nvenc: 0, nvjpg: 3, ofa: 0}\n"
    "    max-instances: 2\n"
    "    placements: \"{0,4}:4\"\n"
    "    sources: [S]\n";

/* Replace the first occurrence of `from` in base with `to` and load it. */
static int load_variant(const char *from, const char *to, mp_diag *d)
{
    char text[sizeof(base) + 2048];
    const char *at = strstr(base, from);
    if (!at)
        fail_msg("test bug: '%s' not in base", from);
    size_t pre = (size_t)(at - base);
    snprintf(text, sizeof(text), "%.*s%s%s", (int)pre, base, to,
             at + strlen(from));
    mp_db *t;
    mp_db_new(&t, NULL);
    mp_diag_clear(d);
    int rc = mp_db_load_text(t, text, strlen(text), "broken.yaml", d);
    mp_db_free(t);
    return rc;
}

static void expect_error(const char *from, const char *to, int line,
                         const char *needle)
{
    mp_diag d;
    int rc = load_variant(from, to, &d);
    if (rc == 0)
        fail_msg("'%s' -> '%s' loaded without error", from, to);
    if (!strstr(d.msg, needle))
        fail_msg("'%s' -> '%s': message '%s' lacks '%s'", from, to, d.msg,
                 needle);
    assert_string_equal(d.file, "broken.yaml");
    if (line)
        assert_int_equal(d.line, line);
}

static void test_base_loads(void **state)
{
    (void)state;
    mp_diag d;
    assert_int_equal(load_variant("schema: 2", "schema: 2", &d), 0);
}

static void test_broken_files(void **state)
{
    (void)state;
    expect_error("sms: 10\n", "sms: 10\ncolour: red\n", 8,
                 "unknown key 'colour'");
    expect_error("    max-instances: 7\n", "", 22,
                 "missing the required key 'max-instances'");
    expect_error("{0,4}:4", "{0,6}:4", 42, "runs past the GPU's 8");
    expect_error("{0,4}:4", "{0,4}:2", 42, "differs from memory-slices 4");
    expect_error("    max-instances: 2\n", "    max-instances: 3\n", 41,
                 "more than the 2 non-overlapping");
    expect_error("    compute-slices: 3\n", "    compute-slices: 8\n", 33,
                 "the name says 3g but compute-slices is 8");
    expect_error("    compute-slices: 3\n", "    compute-slices: 17\n", 35,
                 "between 1 and 16");
    expect_error("name: 3g.40gb\n    id: 9\n    compute-slices: 3\n",
                 "name: 9g.40gb\n    id: 9\n    compute-slices: 9\n", 35,
                 "over the GPU's 7");
    expect_error("    id: 9\n", "    id: 19\n", 33, "profile ID 19 is used by");
    expect_error("{0,4}:4\"\n    sources: [S]\n",
                 "{0,4}:4\"\n    sources: [S]\n"
                 "  - name: 1g.10gb\n    id: 20\n    compute-slices: 1\n"
                 "    memory-slices: 1\n    memory-gib: 9.75\n"
                 "    memory-mib: 9984\n    sms: 16\n"
                 "    engines: {ce: 1, nvdec: 1, nvenc: 0, nvjpg: 1, ofa: 0}\n"
                 "    max-instances: 7\n    placements: \"{0,1,2,3,4,5,6}:1\"\n"
                 "    sources: [S]\n",
                 44, "listed twice");
    expect_error("memory-gib: 39.50", "memory-gib: 39.25", 37,
                 "does not match memory-mib 40448");
    expect_error("    sources: [S]\n  - name: 3g",
                 "    sources: [T]\n  - name: 3g", 22,
                 "source 'T' is not defined");
    expect_error("placements: \"{0,4}:4\"", "placements: \"0,4:4\"", 42,
                 "nvidia-smi mig -lgipp prints them");
    expect_error("name: 1g.10gb", "name: 1c.1g.10gb", 22, "write 1g.10gb");
    expect_error("name: 1g.10gb", "name: 1g.10gb+xx", 22,
                 "unknown profile suffix");
    expect_error("{0,1,2,3,4,5,6}:1", "{0,2,1,3,4,5,6}:1", 31, "ascending");
    expect_error("pci-id: \"0x999910DE\"", "pci-id: \"9999\"", 4, "0xDDDD10DE");
    expect_error("  - gi: 3\n", "  - gi: 2\n", 33,
                 "no compute-instances table for 3-slice GIs");
    expect_error("    sms: 60\n", "", 33, "has no sms");
    expect_error("memory-mib: 81920", "memory-mib: 900", 6, "between 1024");
    expect_error("memory-mib: 81920", "memory-mib: 9000", 27,
                 "memory-mib 9984 is more than the whole GPU's 9000");
    expect_error("schema: 2", "schema: 1", 1, "schema 1 profile files");
    expect_error("names: [\"Test GPU\"], ", "", 4, "has no names");
    expect_error("name: \"Test GPU\"", "name: \"Other GPU\"", 3,
                 "none of the devices' names");
    expect_error("    memory-mib: 40448\n",
                 "    memory-mib: 40448\n    older-memory: {\"0.9\": 39.25}\n",
                 39, "not a driver listed in older-drivers");
}

static void test_override_dir(void **state)
{
    (void)state;
    /* a directory of profiles adds models; a broken one names its file */
    char dir[] = "/tmp/migplan-test-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[300];
    snprintf(path, sizeof(path), "%s/test-gpu.yaml", dir);
    FILE *f = fopen(path, "w");
    fputs(base, f);
    fclose(f);
    mp_db *t;
    mp_diag d;
    assert_int_equal(mp_db_load(dir, &t, &d), 0);
    assert_int_equal(mp_db_count(t), 18);
    const mp_model *m;
    assert_int_equal(mp_db_find(t, "0x999910DE", &m, &d), 0);
    assert_string_equal(m->id, "test-gpu");
    mp_db_free(t);
    /* claiming a shipped PCI ID under another id is refused */
    f = fopen(path, "w");
    char text[sizeof(base) + 16];
    snprintf(text, sizeof(text), "%s", base);
    char *pci = strstr(text, "0x999910DE");
    memcpy(pci, "0x233010DE", 10);
    fputs(text, f);
    fclose(f);
    assert_int_equal(mp_db_load(dir, &t, &d), MP_ESCHEMA);
    assert_non_null(strstr(d.msg, "already claimed by h100-sxm5-80gb"));
    remove(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_h100_sxm5),
        cmocka_unit_test(test_h200),
        cmocka_unit_test(test_b200),
        cmocka_unit_test(test_a100_40),
        cmocka_unit_test(test_a30),
        cmocka_unit_test(test_rtx_pro_6000),
        cmocka_unit_test(test_every_model_shipped),
        cmocka_unit_test(test_lookup),
        cmocka_unit_test(test_corrections),
        cmocka_unit_test(test_excluded_and_platform),
        cmocka_unit_test(test_driver_select),
        cmocka_unit_test(test_writer_round_trip),
        cmocka_unit_test(test_base_loads),
        cmocka_unit_test(test_broken_files),
        cmocka_unit_test(test_override_dir),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
