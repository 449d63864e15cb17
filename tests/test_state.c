/* SPDX-License-Identifier: Apache-2.0 */
/* test_state.c - the current state of GPUs out of nvidia-smi output: -lgi of
 * every driver generation, -lci, the Processes table, and states that
 * contradict the profile database. Captures are in tests/data/nvidia-smi/
 * (SOURCES.md names each one's public source). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "migplan/model/gpu_change.h"
#include "migplan/readers/state_reader.h"
#include "migplan/yaml/ydoc.h"

#include "state_expect.h"
#include "test_db.h"

#define DATA MIGPLAN_SHARED_DIR "/nvidia-smi/"

/* Read text as the state of n GPUs of model id; fail on error. */
static void read_text(const char *text, size_t len, const char *id, int n,
                      mp_node_state *st)
{
    const mp_model *ms[4] = {NULL};
    for (int i = 0; i < n; i++)
        ms[i] = test_model(id);
    mp_diag d;
    mp_diag_clear(&d);
    if (mp_state_read_nvsmi(text, len, "t", ms, n, st, &d) != 0)
        fail_msg("%d:%d: %s", d.line, d.col, d.msg);
}

static void read_files(const char *const *files, const char *id, int n,
                       mp_node_state *st)
{
    char *all = NULL;
    size_t total = 0;
    for (int i = 0; files[i]; i++) {
        char path[512], *text;
        size_t len;
        mp_diag d;
        snprintf(path, sizeof(path), "%s%s", DATA, files[i]);
        if (mp_read_file(path, 1 << 20, &text, &len, &d) != 0)
            fail_msg("%s: %s", path, d.msg);
        all = realloc(all, total + len + 1);
        assert_non_null(all);
        memcpy(all + total, text, len);
        total += len;
        free(text);
    }
    read_text(all, total, id, n, st);
    free(all);
}

/* The three table widths of -lgi, read in the order listed. */
static void test_lgi_generations(void **state)
{
    (void)state;
    mp_node_state st;
    read_files((const char *[]){"a100-40-ug-lgi-early-4.txt", NULL},
               "a100-40gb", 1, &st);
    assert_int_equal(st.n, 1);
    const mp_gpu_state *g = mp_node_state_gpu(&st, 0);
    assert_int_equal(g->layout.gis.n, 4);
    expect_gi(g, 0, "1g.5gb", 0, 7);
    expect_gi(g, 2, "2g.10gb", 2, 4);
    expect_gi(g, 3, "3g.20gb", 4, 2);
    assert_false(st.has_lci);
    assert_int_equal(g->gi[0].n_ci, -1);
    mp_node_state_free(&st);

    read_files((const char *[]){"h100-pcie-525-lgi.txt", NULL}, "h100-pcie", 1,
               &st);
    g = mp_node_state_gpu(&st, 0);
    assert_int_equal(g->layout.gis.n, 4);
    expect_gi(g, 3, "3g.40gb", 4, 2);
    mp_node_state_free(&st);

    read_files((const char *[]){"h100-580-lgi-mixed.txt",
                                "h100-580-lci-mixed.txt", NULL},
               "h100", 1, &st);
    g = mp_node_state_gpu(&st, 0);
    assert_int_equal(g->layout.gis.n, 3);
    expect_gi(g, 0, "1g.10gb", 6, 13);
    expect_gi(g, 1, "3g.40gb", 0, 1);
    expect_gi(g, 2, "1g.10gb+me", 4, 11);
    assert_true(st.has_lci);
    for (int q = 0; q < 3; q++)
        assert_int_equal(g->gi[q].n_ci, 1);
    assert_int_equal(mp_gpu_state_in_use(g), 0);
    mp_node_state_free(&st);
}

/* Two GPUs in one table; a GPU whose model is not given is skipped. */
static void test_lgi_two_gpus(void **state)
{
    (void)state;
    mp_node_state st;
    read_files((const char *[]){"multi-gpu-dcgm138-lgi.txt", NULL}, "h100", 2,
               &st);
    assert_int_equal(st.n, 2);
    assert_int_equal(st.n_skipped, 0);
    expect_gi(mp_node_state_gpu(&st, 1), 0, "1g.10gb", 2, 13);
    expect_gi(mp_node_state_gpu(&st, 1), 3, "3g.40gb", 4, 1);
    mp_node_state_free(&st);
    read_files((const char *[]){"multi-gpu-dcgm138-lgi.txt", NULL}, "h100", 1,
               &st);
    assert_int_equal(st.n, 1);
    assert_int_equal(st.n_skipped, 1);
    assert_null(mp_node_state_gpu(&st, 1));
    mp_node_state_free(&st);
}

/* The layout of fidelity-corrections.md section D: GI ID column. */
#define PROCS                                                                  \
    "+-----------------------------------------------------------------------" \
    "-"                                                                        \
    "-----------------+\n"                                                     \
    "| Processes:                                                            " \
    " "                                                                        \
    "                 |\n"                                                     \
    "|  GPU   GI   CI        PID   Type   Process name                       " \
    " "                                                                        \
    "      GPU Memory |\n"                                                     \
    "|        ID   ID                                                        " \
    " "                                                                        \
    "      Usage      |\n"                                                     \
    "|=======================================================================" \
    "="                                                                        \
    "=================|\n"

#define PROC_ROW(gpu, gi, pid, name)                                           \
    "|    " gpu "    " gi "    0       " pid "      C   " name                 \
    "                            30120MiB |\n"

static void test_processes(void **state)
{
    (void)state;
    static const char lgi[] =
        "+---------------------------------------------------------+\n"
        "| GPU instances:                                          |\n"
        "| GPU   Name               Profile  Instance   Placement  |\n"
        "|                            ID       ID       Start:Size |\n"
        "|=========================================================|\n"
        "|   0  MIG 3g.40gb            9        2          4:4     |\n"
        "+---------------------------------------------------------+\n"
        "|   0  MIG 2g.20gb           14        3          0:2     |\n"
        "+---------------------------------------------------------+\n";
    char text[4096];
    snprintf(text, sizeof(text), "%s%s%s%s", lgi, PROCS,
             PROC_ROW("0", "2", "4242", "python3 serve.py"),
             "+-------------------------------------------------------------"
             "----------------------------+\n");
    mp_node_state st;
    read_text(text, strlen(text), "h100", 1, &st);
    const mp_gpu_state *g = mp_node_state_gpu(&st, 0);
    assert_true(st.has_procs);
    assert_int_equal(mp_gpu_state_in_use(g), 1);
    assert_int_equal(g->gi[0].n_processes, 1);
    assert_string_equal(g->gi[0].process, "python3 serve.py");
    assert_int_equal(g->gi[1].n_processes, 0);
    mp_node_state_free(&st);

    /* an empty process name is unknown, not the memory column */
    snprintf(text, sizeof(text), "%s%s%s%s", lgi, PROCS,
             PROC_ROW("0", "3", "4243", "                "),
             "+-------------------------------------------------------------"
             "----------------------------+\n");
    read_text(text, strlen(text), "h100", 1, &st);
    g = mp_node_state_gpu(&st, 0);
    assert_int_equal(g->gi[1].n_processes, 1);
    assert_null(g->gi[1].process);
    mp_node_state_free(&st);

    /* a process in a GPU instance -lgi does not list */
    snprintf(text, sizeof(text), "%s%s%s%s", lgi, PROCS,
             PROC_ROW("0", "7", "4242", "python3 serve.py"),
             "+-------------------------------------------------------------"
             "----------------------------+\n");
    const mp_model *ms[1] = {test_model("h100")};
    mp_diag d;
    mp_diag_clear(&d);
    assert_int_equal(
        mp_state_read_nvsmi(text, strlen(text), "t", ms, 1, &st, &d),
        MP_ESCHEMA);
    assert_int_equal(d.line, 15);
    assert_non_null(strstr(d.msg, "GPU instance 7 of GPU 0, which no -lgi"));
    mp_node_state_free(&st);
}

/* States the profile database contradicts, each at its line and column. */
static void test_contradictions(void **state)
{
    (void)state;
    static const struct {
        const char *rows; /* -lgi body rows of an H100 */
        int line, col;
        const char *msg;
    } bad[] = {
        {"|   0  MIG 1g.10gb           19       11          7:1     |\n", 6, 30,
         "1g.10gb (ID 19) on h100-sxm5-80gb is placed at {0,1,2,3,4,5,6}:1, "
         "not at 7:1"},
        {"|   0  MIG 1g.10gb           21       11          4:1     |\n", 6, 30,
         "has no GPU instance profile ID 21"},
        {"|   0  MIG 3g.40gb            9        2          2:4     |\n", 6, 31,
         "placed at {0,4}:4, not at 2:4"},
        {"|   0  MIG 3g.40gb            9        2          4:2     |\n", 6, 31,
         "not at 4:2"},
        {"|   0  MIG 2g.20gb           14        3          0:2     |\n"
         "+---------------------------------------------------------+\n"
         "|   0  MIG 1g.10gb           19        4          1:1     |\n",
         8, 30, "overlaps GPU instance 3 (2g.20gb at 0:2)"},
        {"|   0  MIG 2g.20gb           14        3          0:2     |\n"
         "+---------------------------------------------------------+\n"
         "|   0  MIG 1g.10gb           19        3          4:1     |\n",
         8, 30, "GPU instance ID 3 is listed twice"},
        {"|   0  MIG 1g.10gb+me        20        3          0:1     |\n"
         "+---------------------------------------------------------+\n"
         "|   0  MIG 1g.10gb+me        20        4          1:1     |\n",
         8, 30, "cannot hold this 1g.10gb+me"},
        {"|   0  MIG 2g.20gb           19        3          0:1     |\n", 6, 12,
         "profile ID 19 is 1g.10gb on h100-sxm5-80gb, but this row names it "
         "'2g.20gb'"},
        {"|   0  MIG 1g.10gb           19        x          4:1     |\n", 6, 40,
         "the GPU instance ID must be a number"},
        {"|   0  MIG 1g.10gb           19        1          4-1     |\n", 6, 51,
         "Start:Size"},
        {"| 9999999 MIG 1g.10gb        19        1          4:1     |\n", 6, 3,
         "the GPU index must be a number from 0 to 999999"},
    };
    const mp_model *ms[1] = {test_model("h100")};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char text[2048];
        snprintf(
            text, sizeof(text),
            "+---------------------------------------------------------+\n"
            "| GPU instances:                                          |\n"
            "| GPU   Name               Profile  Instance   Placement  |\n"
            "|                            ID       ID       Start:Size |\n"
            "|=========================================================|\n"
            "%s"
            "+---------------------------------------------------------+\n",
            bad[i].rows);
        mp_node_state st;
        mp_diag d;
        mp_diag_clear(&d);
        int rc = mp_state_read_nvsmi(text, strlen(text), "t", ms, 1, &st, &d);
        mp_node_state_free(&st);
        if (rc == 0)
            fail_msg("case %zu was accepted", i);
        if (d.line != bad[i].line || d.col != bad[i].col ||
            !strstr(d.msg, bad[i].msg))
            fail_msg("case %zu: %d:%d %s; expected %d:%d ...%s...", i, d.line,
                     d.col, d.msg, bad[i].line, bad[i].col, bad[i].msg);
    }
}

/* The empty state, and input that holds no state at all. */
static void test_empty(void **state)
{
    (void)state;
    mp_node_state st;
    static const char none[] = "No GPU instances found: Not Found\n";
    read_text(none, strlen(none), "a30", 1, &st);
    assert_int_equal(st.n, 0);
    mp_node_state_free(&st);
    static const char junk[] = "hello\n";
    const mp_model *ms[1] = {test_model("a30")};
    mp_diag d;
    mp_diag_clear(&d);
    assert_int_equal(
        mp_state_read_nvsmi(junk, strlen(junk), "t", ms, 1, &st, &d),
        MP_ESCHEMA);
    assert_non_null(strstr(d.msg, "nvidia-smi mig -lgi"));
    mp_node_state_free(&st);
}

/* Add name@start as GPU instance gi_id to state g, or to layout l. */
static void state_add(mp_gpu_state *g, const char *name, int start, int gi_id)
{
    const mp_model *m = g->layout.gis.model;
    const mp_gi_profile *p = mp_model_profile(m, name);
    assert_non_null(p);
    char why[256];
    assert_true(mp_gpu_state_add(g, p->id, start, p->memory_slices, gi_id, 1,
                                 why, sizeof(why)) >= 0);
}

static void layout_add(mp_gpu_layout *l, const char *name, int start)
{
    const mp_gi_profile *p = mp_model_profile(l->gis.model, name);
    assert_non_null(p);
    assert_true(
        mp_gpu_layout_add(l, mp_profile_index(l->gis.model, p), start) >= 0);
}

/* Kept means the same profile at the same slot; the rest is destroyed or
 * created, keep[] and create[] in the target's order. */
static void test_change_diff(void **state)
{
    (void)state;
    const mp_model *m = test_model("h100");
    mp_gpu_state g;
    mp_gpu_state_init(&g, 0, m);
    state_add(&g, "3g.40gb", 4, 2);
    state_add(&g, "2g.20gb", 0, 3);
    state_add(&g, "1g.10gb", 2, 9);
    g.gi[0].n_processes = 1;
    mp_gpu_layout to;
    mp_gpu_layout_init(&to, m, true);
    layout_add(&to, "3g.40gb", 4);
    layout_add(&to, "1g.10gb", 0);
    layout_add(&to, "1g.10gb", 1);
    layout_add(&to, "1g.10gb", 2);
    mp_gpu_change c;
    char why[256];
    assert_int_equal(mp_gpu_change_diff(&g, &to, &c, why, sizeof(why)), 0);
    assert_false(c.mig_enable || c.mig_disable);
    assert_int_equal(c.n_keep, 2);
    assert_int_equal(c.keep[0].gi_id, 2);
    assert_true(c.keep[0].in_use);
    assert_int_equal(c.keep[1].gi_id, 9);
    assert_int_equal(c.keep[1].to, 3);
    assert_int_equal(c.n_destroy, 1);
    assert_int_equal(c.destroy[0].gi_id, 3);
    assert_int_equal(c.in_use_destroyed, 0);
    assert_int_equal(c.n_create, 2);
    assert_int_equal(c.create[0].start, 0);
    assert_int_equal(c.create[1].start, 1);
    assert_int_equal(c.create[1].gi_id, -1);
    assert_false(mp_gpu_change_none(&c));

    /* the same layout: nothing to do */
    assert_int_equal(mp_gpu_change_diff(&g, &g.layout, &c, why, sizeof(why)),
                     0);
    assert_true(mp_gpu_change_none(&c));
    assert_int_equal(c.n_keep, 3);

    /* MIG off: everything destroyed, the busy instance counted */
    mp_gpu_layout off;
    mp_gpu_layout_init(&off, NULL, false);
    assert_int_equal(mp_gpu_change_diff(&g, &off, &c, why, sizeof(why)), 0);
    assert_true(c.mig_disable);
    assert_int_equal(c.n_destroy, 3);
    assert_int_equal(c.in_use_destroyed, 1);

    /* an idle instance without its compute instance, or split, is made
     * anew; one in use is kept as it is */
    g.gi[2].n_ci = 0; /* 1g.10gb@2, idle */
    g.gi[1].n_ci = 2; /* 2g.20gb@0, idle, split */
    g.gi[0].n_ci = 0; /* 3g.40gb@4, in use */
    mp_gpu_layout same = g.layout;
    assert_int_equal(mp_gpu_change_diff(&g, &same, &c, why, sizeof(why)), 0);
    assert_int_equal(c.n_keep, 1);
    assert_int_equal(c.keep[0].gi_id, 2);
    assert_int_equal(c.n_destroy, 2);
    assert_int_equal(c.n_create, 2);
    assert_int_equal(c.in_use_destroyed, 0);
    g.gi[2].n_ci = g.gi[1].n_ci = 1;

    /* another model is refused */
    mp_gpu_layout other;
    mp_gpu_layout_init(&other, test_model("h200"), true);
    assert_int_equal(mp_gpu_change_diff(&g, &other, &c, why, sizeof(why)),
                     MP_EINFEASIBLE);
    assert_non_null(strstr(why, "is a h100"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lgi_generations),
        cmocka_unit_test(test_lgi_two_gpus),
        cmocka_unit_test(test_processes),
        cmocka_unit_test(test_contradictions),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_change_diff),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
