// SPDX-License-Identifier: Apache-2.0
/* test_state_formats.c - the states --current reads besides nvidia-smi
 * output: a migplan JSON plan and an nvidia-mig-parted export, and the
 * sniffer that tells the formats apart. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "migplan/readers/state_reader.h"

#include "state_expect.h"
#include "test_db.h"

static int read_as(const char *text, mp_state_format f, const char *id, int n,
                   mp_node_state *st, mp_diag *d)
{
    const mp_model *ms[4] = {NULL};
    for (int i = 0; i < n; i++)
        ms[i] = test_model(id);
    mp_diag_clear(d);
    return mp_state_read(text, strlen(text), "t", f, ms, n, st, d);
}

static void test_sniff(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        mp_state_format want;
    } cases[] = {
        {"{\"request\": \"r\", \"gpus\": []}", MP_STATE_PLAN},
        {"\n  {\"feasible\": false}", MP_STATE_PLAN},
        {"{\"version\": \"v1\", \"mig-configs\": {}}", MP_STATE_MIGPARTED},
        {"version: v1\nmig-configs:\n  current: []\n", MP_STATE_MIGPARTED},
        {"\xEF\xBB\xBF# c\nversion: v1\nmig-configs: {}\n", MP_STATE_MIGPARTED},
        {"+---+\n| GPU instances: |\n", MP_STATE_NVSMI},
        {"No GPU instances found: Not Found\n", MP_STATE_NVSMI},
        {"GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-1)\n", MP_STATE_AUTO},
        {"{\"other\": 1}", MP_STATE_AUTO},
        {"mig-configs:\n", MP_STATE_AUTO}, /* no version: */
        {"", MP_STATE_AUTO},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        assert_int_equal(mp_state_sniff(cases[i].text, strlen(cases[i].text)),
                         cases[i].want);
    mp_node_state st;
    mp_diag d;
    assert_int_equal(read_as("hello\n", MP_STATE_AUTO, "h100", 1, &st, &d),
                     MP_ESYNTAX);
    assert_non_null(strstr(d.msg, "--current-format"));
    mp_node_state_free(&st);
}

/* IDs and in-use marks come from changes.keep; others are unknown. */
static void test_plan(void **state)
{
    (void)state;
    const char *text =
        "{\"gpus\": [{\"index\": 1, \"model\": \"h100-sxm5-80gb\",\n"
        " \"instances\": [{\"profile\": \"3g.40gb\", \"start\": 0,"
        " \"tenant\": \"llm\"},\n"
        "  {\"profile\": \"1g.10gb\", \"profile_id\": 19, \"start\": 5}],\n"
        " \"changes\": {\"keep\": [{\"profile\": \"3g.40gb\", \"start\": 0,"
        " \"gi_id\": 2, \"in_use\": true}]}},\n"
        " {\"index\": 0, \"model\": \"h100-sxm5-80gb\", \"mig_enabled\": "
        "false, \"instances\": []}]}";
    mp_node_state st;
    mp_diag d;
    if (read_as(text, MP_STATE_AUTO, "h100", 2, &st, &d))
        fail_msg("%d:%d: %s", d.line, d.col, d.msg);
    assert_int_equal(st.format, MP_STATE_PLAN);
    assert_int_equal(st.n, 2);
    assert_int_equal(st.n_unknown_ids, 1);
    assert_false(st.placements_assumed);
    assert_false(mp_node_state_gpu(&st, 0)->layout.mig_enabled);
    const mp_gpu_state *g = mp_node_state_gpu(&st, 1);
    expect_gi(g, 0, "3g.40gb", 0, 2);
    expect_gi(g, 1, "1g.10gb", 5, -1);
    assert_int_equal(g->gi[0].n_processes, 1);
    assert_string_equal(g->gi[0].process, "llm");
    assert_int_equal(g->gi[1].n_processes, 0);
    mp_node_state_free(&st);
    /* the profile ID must be the name's */
    const char *bad = "{\"gpus\": [{\"index\": 0, \"model\": "
                      "\"h100-sxm5-80gb\", \"instances\": [{\"profile\": "
                      "\"1g.10gb\", \"profile_id\": 9, \"start\": 5}]}]}";
    assert_int_equal(read_as(bad, MP_STATE_PLAN, "h100", 1, &st, &d),
                     MP_ESCHEMA);
    assert_int_equal(d.line, 1);
    mp_node_state_free(&st);
    /* two instances overlapping */
    const char *overlap =
        "{\"gpus\": [{\"index\": 0, \"model\": \"h100-sxm5-80gb\",\n"
        " \"instances\": [{\"profile\": \"3g.40gb\", \"start\": 4},\n"
        "  {\"profile\": \"1g.10gb\", \"start\": 5}]}]}";
    assert_int_equal(read_as(overlap, MP_STATE_PLAN, "h100", 1, &st, &d),
                     MP_ESCHEMA);
    assert_int_equal(d.line, 3);
    mp_node_state_free(&st);
}

/* The plan read through cJSON keeps what libyaml saw: a number written
 * 1.0 is no GPU index, errors and a skipped GPU keep their line:col. */
static void test_plan_fast_path(void **state)
{
    (void)state;
    mp_node_state st;
    mp_diag d;
    const char *flt = "{\"gpus\": [{\"index\": 0,\n  \"model\": "
                      "\"h100-sxm5-80gb\", \"instances\": [{\"profile\": "
                      "\"1g.10gb\", \"start\": 5.0}]}]}";
    assert_int_equal(read_as(flt, MP_STATE_PLAN, "h100", 1, &st, &d),
                     MP_ESCHEMA);
    assert_int_equal(d.line, 2);
    assert_int_equal(d.col, 76);
    assert_non_null(strstr(d.msg, "\"start\" must be a number"));
    mp_node_state_free(&st);
    const char *two = "{\"gpus\": [{\"index\": 0, \"model\": \"h100\"},\n"
                      " {\"index\": 3, \"model\": \"h100\"}]}";
    if (read_as(two, MP_STATE_PLAN, "h100", 1, &st, &d))
        fail_msg("%d:%d: %s", d.line, d.col, d.msg);
    assert_int_equal(st.n_skipped, 1);
    assert_int_equal(st.skipped_index, 3);
    assert_int_equal(st.skipped_line, 2);
    assert_int_equal(st.skipped_col, 12);
    mp_node_state_free(&st);
}

/* Counts only: placed where mig-parted's first attempt lands, IDs
 * unknown; an entry whose filter names another model selects nothing. */
static void test_migparted(void **state)
{
    (void)state;
    const char *text = "version: v1\n"
                       "mig-configs:\n"
                       "  current:\n"
                       "  - devices: [0]\n"
                       "    mig-enabled: true\n"
                       "    mig-devices:\n"
                       "      1g.10gb: 1\n"
                       "      1g.10gb+me: 1\n"
                       "      3g.40gb: 1\n"
                       "  - device-filter: \"0x20B010DE\"\n"
                       "    devices: [1]\n"
                       "    mig-enabled: true\n"
                       "    mig-devices:\n"
                       "      7g.40gb: 1\n"
                       "  - devices: [2]\n"
                       "    mig-enabled: false\n"
                       "    mig-devices: {}\n";
    mp_node_state st;
    mp_diag d;
    if (read_as(text, MP_STATE_AUTO, "h100", 3, &st, &d))
        fail_msg("%d:%d: %s", d.line, d.col, d.msg);
    assert_int_equal(st.format, MP_STATE_MIGPARTED);
    assert_true(st.placements_assumed);
    assert_int_equal(st.n, 2); /* GPU 1's entry is for an A100 40GB */
    const mp_gpu_state *g = mp_node_state_gpu(&st, 0);
    assert_int_equal(g->layout.gis.n, 3);
    /* largest first, the driver picking: 3g at 4, then 1g+me, 1g */
    expect_gi(g, 0, "3g.40gb", 4, -1);
    expect_gi(g, 1, "1g.10gb+me", 0, -1);
    expect_gi(g, 2, "1g.10gb", 1, -1);
    assert_int_equal(g->gi[0].line, 9);
    assert_int_equal(st.n_unknown_ids, 3);
    assert_null(mp_node_state_gpu(&st, 1));
    assert_false(mp_node_state_gpu(&st, 2)->layout.mig_enabled);
    mp_node_state_free(&st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sniff),
        cmocka_unit_test(test_plan),
        cmocka_unit_test(test_plan_fast_path),
        cmocka_unit_test(test_migparted),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
