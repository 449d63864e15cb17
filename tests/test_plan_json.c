// SPDX-License-Identifier: Apache-2.0
/* test_plan_json.c - the JSON plan written one GPU and one tenant at a
 * time (mp_emit_plan_json_stream) against the same plan built as one cJSON
 * document: byte for byte, on plans of every kind (a priced fleet, whole
 * GPUs, a plan from a running node, node pools, no plan), flushed in many
 * pieces or none, and a sink that fails stops the writing.
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
#include "migplan/readers/request_reader.h"
#include "migplan/readers/state_reader.h"
#include "migplan/solver/solver.h"
#include "migplan/util/buf.h"

#include "test_db.h"

/* A sink that keeps what it is given, in pieces; fail_at > 0: the piece of
 * that number fails. */
typedef struct sink {
    mp_buf all;
    int pieces, fail_at;
} sink;

static int keep(void *ctx, mp_buf *b)
{
    sink *s = ctx;
    if (++s->pieces == s->fail_at)
        return 28; /* ENOSPC, say */
    mp_buf_add(&s->all, b->data ? b->data : "", b->len);
    mp_buf_reset(b);
    return 0;
}

static char *slurp(const char *rel)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s", MIGPLAN_SOURCE_DIR, rel);
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    char *s = calloc(1, 1 << 20);
    assert_non_null(s);
    size_t n = fread(s, 1, (1 << 20) - 1, f);
    s[n] = '\0';
    fclose(f);
    return s;
}

/* Streamed (in pieces, and into one buffer) equals the whole document;
 * returns how many pieces the streamed text took. */
static int same_json(const mp_plan *p, const char *base)
{
    mp_buf whole = MP_BUF_INIT, one = MP_BUF_INIT, rest = MP_BUF_INIT;
    sink s = {MP_BUF_INIT, 0, 0};
    assert_int_equal(
        mp_emit_plan_json_stream(p, base, true, NULL, NULL, &whole), 0);
    assert_int_equal(mp_emit_plan_json_stream(p, base, false, NULL, NULL, &one),
                     0);
    assert_int_equal(mp_emit_plan_json_stream(p, base, false, keep, &s, &rest),
                     0);
    assert_int_equal(rest.len, 0); /* the end flushes the rest too */
    assert_true(whole.len > 0);
    assert_int_equal(one.len, whole.len);
    assert_memory_equal(one.data, whole.data, whole.len);
    assert_int_equal(s.all.len, whole.len);
    assert_memory_equal(s.all.data, whole.data, whole.len);
    mp_buf named = MP_BUF_INIT; /* what plan --format json wrote before */
    mp_emit_plan_json_named(p, base, &named);
    assert_int_equal(named.len, whole.len);
    assert_memory_equal(named.data, whole.data, whole.len);
    int pieces = s.pieces;
    mp_buf_free(&whole);
    mp_buf_free(&one);
    mp_buf_free(&rest);
    mp_buf_free(&s.all);
    mp_buf_free(&named);
    return pieces;
}

static void solve_text(const char *text, const mp_solve_opts *o,
                       mp_request *req, mp_plan *p)
{
    mp_diag d = {0};
    if (mp_request_parse(db, text, strlen(text), "r.yaml", NULL, req, &d) != 0)
        fail_msg("request: %d:%d %s", d.line, d.col, d.msg);
    mp_solve_opts def = {.time_limit = 5, .reserve = 0};
    assert_int_equal(mp_solve(db, req, o ? o : &def, p, &d), 0);
}

static void solve_file(const char *rel, const mp_solve_opts *o, mp_request *req,
                       mp_plan *p)
{
    char *text = slurp(rel);
    solve_text(text, o, req, p);
    free(text);
}

/* A priced fleet of 1,200 replicas over four models: many GPUs, unused
 * ones among them, spread tenants; the text leaves in many pieces. */
static void test_priced_fleet(void **state)
{
    (void)state;
    mp_buf b = MP_BUF_INIT;
    static const char *const models[] = {"h100", "h200", "b200", "a100-80gb"};
    static const char *const cost[] = {"1", "1.3", "2.1", "0.6"};
    mp_buf_puts(&b, "fleet:\n");
    for (int j = 0; j < 4; j++)
        mp_buf_printf(&b, "  - {model: %s, count: 400, cost: %s}\n", models[j],
                      cost[j]);
    mp_buf_puts(&b, "tenants:\n");
    for (int t = 0; t < 40; t++)
        mp_buf_printf(&b,
                      "  - {name: t%d, memory: %dGiB, replicas: 30, "
                      "compute: %dg%s}\n",
                      t, 4 + t * 37 % 67, 1 + t % 3,
                      t % 3 ? "" : ", spread: true");
    mp_request req;
    mp_plan p;
    solve_text(b.data, NULL, &req, &p);
    assert_true(p.feasible);
    assert_true(p.gpus_used < p.n_gpus); /* unused GPUs are written too */
    assert_true(same_json(&p, "migplan") > 10);
    mp_plan_free(&p);
    mp_request_free(&req);
    mp_buf_free(&b);
}

/* Whole GPUs, two per replica, with MIG tenants beside them. */
static void test_whole_gpus(void **state)
{
    (void)state;
    mp_request req;
    mp_plan p;
    solve_file("tests/data/requests/tensor-parallel.yaml", NULL, &req, &p);
    assert_true(p.feasible);
    same_json(&p, "migplan");
    mp_plan_free(&p);
    mp_request_free(&req);
}

/* A fleet with shared instances (a placement lists the replicas it
 * serves), whole GPUs and plain instances, unused GPUs of two models
 * between: each kind of GPU and placement the text is written in. */
static void test_shared_fleet(void **state)
{
    (void)state;
    static const char text[] =
        "fleet:\n"
        "  - {model: h100, count: 30}\n"
        "  - {model: a100-80gb, count: 20, cost: 0.5}\n"
        "tenants:\n"
        "  - {name: embed, memory: 4GiB, replicas: 45, share: 3}\n"
        "  - {name: many, memory: 2GiB, replicas: 40, share: 20}\n"
        "  - {name: chat, memory: 30GiB, compute: 3g, replicas: 5}\n"
        "  - {name: big, whole-gpu: 2, replicas: 2}\n";
    mp_request req;
    mp_plan p;
    solve_text(text, NULL, &req, &p);
    assert_true(p.feasible);
    assert_true(p.gpus_used < p.n_gpus);
    same_json(&p, "migplan");
    mp_plan_free(&p);
    mp_request_free(&req);
}

/* From a running node: the changes and the disruption are written too. */
static void test_current(void **state)
{
    (void)state;
    char *text = slurp("tests/data/current/h100-legacy.txt");
    const mp_model *h100 = test_model("h100");
    mp_node_state st;
    mp_diag d = {0};
    assert_int_equal(mp_state_read(text, strlen(text), "s.txt", MP_STATE_AUTO,
                                   &h100, 1, &st, &d),
                     0);
    mp_solve_opts o = {.time_limit = 5,
                       .reserve = 0,
                       .current = &st,
                       .allow_disruption = true};
    mp_request req;
    mp_plan p;
    solve_file("tests/data/current/h100-big.yaml", &o, &req, &p);
    assert_true(p.feasible);
    assert_non_null(p.current);
    same_json(&p, "migplan");
    mp_plan_free(&p);
    mp_request_free(&req);
    mp_node_state_free(&st);
    free(text);
}

/* Node pools (the nodes and their configs) under another config name, and
 * a request with no plan. */
static void test_nodes_and_no_plan(void **state)
{
    (void)state;
    mp_request req;
    mp_plan p;
    solve_file("tests/data/nodes/tensor-parallel.yaml", NULL, &req, &p);
    assert_true(p.feasible);
    assert_true(p.n_nodes > 0);
    same_json(&p, "mynodes");
    mp_plan_free(&p);
    mp_request_free(&req);
    solve_text("fleet:\n  - {model: a100-40gb, count: 1}\n"
               "tenants:\n  - {name: big, memory: 30GiB, replicas: 3}\n",
               NULL, &req, &p);
    assert_false(p.feasible);
    assert_int_equal(same_json(&p, "migplan"), 1);
    mp_plan_free(&p);
    mp_request_free(&req);
}

/* A sink that fails (a full disk) stops the writing: its error comes back
 * and nothing more is handed to it. */
static void test_failing_sink(void **state)
{
    (void)state;
    mp_buf b = MP_BUF_INIT;
    mp_buf_puts(&b, "fleet:\n  - {model: h100, count: 3000}\ntenants:\n");
    for (int t = 0; t < 10; t++)
        mp_buf_printf(&b, "  - {name: t%d, memory: 9GiB, replicas: 200}\n", t);
    mp_request req;
    mp_plan p;
    solve_text(b.data, NULL, &req, &p);
    mp_buf out = MP_BUF_INIT;
    sink s = {MP_BUF_INIT, 0, 2};
    assert_int_equal(
        mp_emit_plan_json_stream(&p, "migplan", false, keep, &s, &out), 28);
    assert_int_equal(s.pieces, 2);
    assert_true(s.all.len > 0 && s.all.len < 200000);
    mp_buf_free(&out);
    mp_buf_free(&s.all);
    mp_buf_free(&b);
    mp_plan_free(&p);
    mp_request_free(&req);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_priced_fleet),
        cmocka_unit_test(test_whole_gpus),
        cmocka_unit_test(test_shared_fleet),
        cmocka_unit_test(test_current),
        cmocka_unit_test(test_nodes_and_no_plan),
        cmocka_unit_test(test_failing_sink),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
