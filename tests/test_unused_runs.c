// SPDX-License-Identifier: Apache-2.0
/* test_unused_runs.c - a fleet plan whose unused GPUs are held as runs
 * (mp_solve_opts.unused_runs: one record per fleet entry) against the same
 * plan holding one record per GPU: the walk (mp_plan_next_gpu) gives the
 * same GPUs, and every writer that reads such plans (the table, grouped or
 * not, with --all-gpus and --summary; JSON streamed and whole; mig-parted;
 * the setup script) writes the same bytes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "migplan/emit/emit_plan.h"
#include "migplan/emit/emit_script.h"
#include "migplan/emit/migparted_writer.h"
#include "migplan/readers/request_reader.h"
#include "migplan/script/script.h"
#include "migplan/solver/solver.h"
#include "migplan/util/buf.h"

#include "test_db.h"

static void solve_text(const char *text, bool runs, mp_request *req, mp_plan *p)
{
    mp_diag d = {0};
    if (mp_request_parse(db, text, strlen(text), "r.yaml", NULL, req, &d) != 0)
        fail_msg("request: %d:%d %s", d.line, d.col, d.msg);
    mp_solve_opts o = {.time_limit = 30, .reserve = 0, .unused_runs = runs};
    assert_int_equal(mp_solve(db, req, &o, p, &d), 0);
    assert_true(p->feasible);
}

static void same_text(const mp_buf *a, const mp_buf *b, const char *what)
{
    assert_false(a->failed);
    assert_false(b->failed);
    if (a->len != b->len || memcmp(a->data, b->data, a->len) != 0)
        fail_msg("%s differs:\n--- per GPU\n%s\n--- runs\n%s", what, a->data,
                 b->data);
}

/* The GPUs of the walk over runs are those of the plain plan, in order. */
static void same_gpus(const mp_plan *plain, const mp_plan *runs)
{
    assert_int_equal(mp_plan_gpus_total(plain), plain->n_gpus);
    assert_int_equal(mp_plan_gpus_total(runs), plain->n_gpus);
    assert_int_equal(runs->gpus_used, plain->gpus_used);
    mp_plan_walk w = MP_PLAN_WALK(runs);
    int k = 0;
    for (const mp_plan_gpu *g; (g = mp_plan_next_gpu(&w)); k++) {
        assert_true(k < plain->n_gpus);
        const mp_plan_gpu *e = &plain->gpus[k];
        assert_int_equal(g->index, k);
        assert_int_equal(e->index, k);
        assert_int_equal(g->repeat, 0);
        assert_int_equal(g->fleet, e->fleet);
        assert_int_equal(g->used, e->used);
        assert_int_equal(g->whole_tenant, e->whole_tenant);
        assert_int_equal(g->whole_replica, e->whole_replica);
        assert_true(mp_gpu_layout_equal(&g->layout, &e->layout));
        assert_memory_equal(g->tenant, e->tenant, sizeof(g->tenant));
        assert_memory_equal(g->replica, e->replica, sizeof(g->replica));
    }
    assert_int_equal(k, plain->n_gpus);
}

static void table(const mp_plan *p, bool summary, bool all, mp_buf *b)
{
    mp_plan_view v = {.summary = summary, .all_gpus = all};
    mp_emit_plan_view(p, &v, b);
}

static void script(const mp_plan *p, mp_buf *b)
{
    mp_script sc;
    mp_diag d = {0};
    mp_script_opts o = {.source = "r.yaml"};
    assert_int_equal(mp_script_from_plan(p, &sc, &d), 0);
    assert_int_equal(mp_emit_script(&sc, &o, b, &d), 0);
    mp_script_free(&sc);
}

/* Every output of the plain plan and of the plan with runs, compared. */
static void same_outputs(const mp_plan *plain, const mp_plan *runs)
{
    for (int f = 0; f < 7; f++) {
        mp_buf a = MP_BUF_INIT, b = MP_BUF_INIT;
        const mp_plan *p[2] = {plain, runs};
        for (int i = 0; i < 2; i++) {
            mp_buf *o = i ? &b : &a;
            mp_diag d = {0};
            if (f < 3)
                table(p[i], f == 1, f == 2, o);
            else if (f == 3)
                mp_emit_plan_json(p[i], o);
            else if (f == 4)
                assert_int_equal(mp_emit_plan_json_stream(p[i], "migplan", true,
                                                          NULL, NULL, o),
                                 0);
            else if (f == 5)
                assert_int_equal(mp_emit_plan_migparted(p[i], "cfg", o, &d), 0);
            else
                script(p[i], o);
        }
        static const char *const what[] = {
            "table",      "summary", "table --all-gpus", "json", "json (whole)",
            "mig-parted", "script"};
        same_text(&a, &b, what[f]);
        mp_buf_free(&a);
        mp_buf_free(&b);
    }
}

static void check_request(const char *text, int records_at_most)
{
    mp_request rq_plain, rq_runs;
    mp_plan plain, runs;
    solve_text(text, false, &rq_plain, &plain);
    solve_text(text, true, &rq_runs, &runs);
    assert_true(runs.n_gpus <= records_at_most);
    assert_true(runs.n_gpus < plain.n_gpus);
    same_gpus(&plain, &runs);
    same_outputs(&plain, &runs);
    mp_plan_free(&plain);
    mp_plan_free(&runs);
    mp_request_free(&rq_plain);
    mp_request_free(&rq_runs);
}

/* A small plan (every GPU drawn): an entry left wholly unused between
 * used ones, an entry wholly used, whole GPUs of a whole-gpu: 2 tenant. */
static void test_small_plan(void **state)
{
    (void)state;
    static const char text[] =
        "fleet:\n"
        "  - {model: h100, count: 40}\n"
        "  - {model: b200, count: 25, cost: 9}\n"
        "  - {model: a100-80gb, count: 5, cost: 0.5}\n"
        "  - {model: h200, count: 30, cost: 3}\n"
        "tenants:\n"
        "  - {name: embed, memory: 4GiB, replicas: 9, share: 2}\n"
        "  - {name: chat, memory: 30GiB, compute: 3g, replicas: 5}\n"
        "  - {name: big, whole-gpu: 2, replicas: 1}\n";
    check_request(text, 12);
}

/* A large plan (grouped table): many GPUs of each model used, and the
 * unused ones after them. */
static void test_grouped_plan(void **state)
{
    (void)state;
    mp_buf b = MP_BUF_INIT;
    static const char *const models[] = {"h100", "h200", "b200", "a100-80gb"};
    mp_buf_puts(&b, "fleet:\n");
    for (int j = 0; j < 4; j++)
        mp_buf_printf(&b, "  - {model: %s, count: 300}\n", models[j]);
    mp_buf_puts(&b, "tenants:\n");
    for (int t = 0; t < 12; t++)
        mp_buf_printf(&b,
                      "  - {name: t%d, memory: %dGiB, replicas: 25, "
                      "compute: %dg%s}\n",
                      t, 4 + t * 37 % 67, 1 + t % 3,
                      t % 3 ? "" : ", spread: true");
    mp_buf_puts(&b, "  - {name: wide, whole-gpu: 2, replicas: 3}\n");
    check_request(b.data, 300);
    mp_buf_free(&b);
}

/* A run of one GPU (at the end of an entry), then a wholly unused entry. */
static void test_run_of_one(void **state)
{
    (void)state;
    static const char text[] = "fleet:\n"
                               "  - {model: h100, count: 6}\n"
                               "  - {model: a100-80gb, count: 40, cost: 5}\n"
                               "tenants:\n"
                               "  - {name: a, memory: 9GiB, replicas: 30}\n";
    check_request(text, 7);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_small_plan),
        cmocka_unit_test(test_grouped_plan),
        cmocka_unit_test(test_run_of_one),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
