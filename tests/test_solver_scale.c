// SPDX-License-Identifier: Apache-2.0
/* test_solver_scale.c - big plans and cut plans: what the solver promises
 * at scale and under a deadline, checked on results (never on timing).
 *
 * A fleet plan of thousands of replicas still validates, and the one-pass
 * helpers the emitters and warnings use (mp_plan_units_build,
 * mp_plan_tenant_spread) agree with the per-tenant definitions. A solve
 * whose time limit is already over when it starts still returns a plan
 * that validates, says which phases the limit cut (tidying, spreading) and
 * gives its bound honestly (never 0 for want of time); the progress callback
 * reports the incumbent and bound of every phase.
 */
#include <math.h>
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
#include "migplan/solver/solver.h"
#include "migplan/util/buf.h"

#include "test_db.h"

/* A fleet request like the bench's scaling curve (bench_gen scale): four
 * models, tenants of 4-70 GiB and 1-3 compute slices, every third one
 * spread; seeded by k so that it is the same on every run. */
static char *fleet_request(int tenants, int replicas_each, bool costs)
{
    mp_buf b = MP_BUF_INIT;
    static const char *const models[] = {"h100", "h200", "b200", "a100-80gb"};
    static const char *const cost[] = {"1", "1.3", "2.1", "0.6"};
    int total = tenants * replicas_each;
    mp_buf_puts(&b, "fleet:\n");
    for (int j = 0; j < 4; j++)
        mp_buf_printf(&b, "  - {model: %s, count: %d%s%s}\n", models[j], total,
                      costs ? ", cost: " : "", costs ? cost[j] : "");
    mp_buf_puts(&b, "tenants:\n");
    unsigned x = 12345;
    for (int t = 0; t < tenants; t++) {
        x = x * 1103515245u + 12345u;
        int mem = 4 + (int)((x >> 8) % 67), comp = 1 + (int)((x >> 20) % 3);
        mp_buf_printf(&b, "  - {name: t%d, memory: %dGiB, replicas: %d", t, mem,
                      replicas_each);
        if (comp > 1)
            mp_buf_printf(&b, ", compute: %dg", comp);
        mp_buf_puts(&b, t % 3 == 0 ? ", spread: true}\n" : "}\n");
    }
    assert_false(b.failed);
    char *s = malloc(b.len + 1);
    assert_non_null(s);
    memcpy(s, b.data, b.len);
    s[b.len] = '\0';
    mp_buf_free(&b);
    return s;
}

static void load(const char *yaml, mp_request *r)
{
    mp_diag d;
    if (mp_request_parse(db, yaml, strlen(yaml), "t.yaml", NULL, r, &d) != 0)
        fail_msg("request does not parse: %d:%d %s", d.line, d.col, d.msg);
}

static void valid(const mp_plan *p)
{
    char why[512];
    assert_true(p->feasible);
    if (mp_plan_validate(p, why, sizeof(why)) != 0)
        fail_msg("mp_plan_validate: %s", why);
}

/* The units index and the one-pass spread counts against their
 * definitions, tenant by tenant. */
static void check_indexes(const mp_plan *p)
{
    const mp_request *r = p->req;
    mp_plan_units u;
    assert_int_equal(mp_plan_units_build(p, &u), 0);
    int *gpus = malloc(2 * (size_t)r->n_tenants * sizeof(int));
    assert_non_null(gpus);
    int *most = gpus + r->n_tenants;
    mp_plan_tenant_spread(p, gpus, most);
    for (int t = 0; t < r->n_tenants; t++) {
        int units = 0, on = 0;
        for (int k = 0; k < p->n_gpus; k++) {
            const mp_plan_gpu *g = &p->gpus[k];
            units += g->whole_tenant == t;
            for (int q = 0; q < g->layout.gis.n; q++)
                units += g->tenant[q] == t;
            on += mp_plan_gpu_replicas(g, t) > 0;
        }
        assert_int_equal(u.start[t + 1] - u.start[t], units);
        for (int i = u.start[t]; i < u.start[t + 1]; i++) {
            const mp_plan_gpu *g = &p->gpus[u.gpu[i]];
            assert_int_equal(u.gi[i] < 0 ? g->whole_tenant : g->tenant[u.gi[i]],
                             t);
            if (i > u.start[t]) /* GPU order, then instance order */
                assert_true(
                    u.gpu[i - 1] < u.gpu[i] ||
                    (u.gpu[i - 1] == u.gpu[i] && u.gi[i - 1] < u.gi[i]));
        }
        assert_int_equal(gpus[t], on);
        assert_int_equal(most[t], mp_plan_max_per_gpu(p, t));
    }
    free(gpus);
    mp_plan_units_free(&u);
}

static void test_fleet_plan_validates(void **state)
{
    (void)state;
    char *yaml = fleet_request(60, 40, false); /* 2,400 replicas */
    mp_request r;
    load(yaml, &r);
    mp_plan p;
    mp_diag d;
    mp_solve_opts o = {.time_limit = 60};
    assert_int_equal(mp_solve(db, &r, &o, &p, &d), 0);
    valid(&p);
    check_indexes(&p);
    /* unused GPUs of every entry follow its used ones */
    for (int k = 1; k < p.n_gpus; k++)
        if (p.gpus[k].fleet == p.gpus[k - 1].fleet)
            assert_true(p.gpus[k - 1].used || !p.gpus[k].used);
    assert_int_equal(p.n_gpus, 4 * 2400);
    assert_false(p.tidy_cut); /* a minute is plenty */
    mp_plan_free(&p);
    mp_request_free(&r);
    free(yaml);
}

/* Progress reports: every phase, the incumbent and bound consistent. */
typedef struct seen {
    int reports, plan_phase, check_phase;
    double last_best, last_bound;
    bool bad;
} seen;

static void on_progress(void *ctx, const mp_solve_progress *pr)
{
    seen *s = ctx;
    s->reports++;
    bool after_search = strcmp(pr->phase, "plan") == 0 ||
                        strcmp(pr->phase, "spread") == 0 ||
                        strcmp(pr->phase, "check") == 0;
    s->plan_phase += strcmp(pr->phase, "plan") == 0;
    s->check_phase += strcmp(pr->phase, "check") == 0;
    /* once the search is over, every report has both, bound <= best */
    if (after_search &&
        (pr->best < 0 || pr->bound < 0 || pr->bound > pr->best + 1e-9))
        s->bad = true;
    if (pr->best >= 0 && pr->bound > pr->best + 1e-9)
        s->bad = true;
    s->last_best = pr->best;
    s->last_bound = pr->bound;
}

/* The cost of the replicas' compute slices at `price` per 7 slices (every
 * model of fleet_request has 7), on the request's cost lattice (0.1). */
static double compute_bound(const mp_request *r, double price)
{
    double sum = 0;
    for (int t = 0; t < r->n_tenants; t++)
        sum += price * r->tenants[t].compute / 7.0 *
               (double)r->tenants[t].replicas;
    return ceil(sum * 10 - 1e-6) / 10;
}

/* A limit already over when the solve starts: a plan all the same (the
 * greedy start), valid, with the cuts and the bound said honestly. */
static void test_deadline_cut_is_honest(void **state)
{
    (void)state;
    char *yaml = fleet_request(30, 20, true);
    mp_request r;
    load(yaml, &r);
    mp_plan p;
    mp_diag d;
    seen s = {0};
    mp_solve_opts o = {
        .time_limit = 1e-9, .progress = on_progress, .progress_ctx = &s};
    assert_int_equal(mp_solve(db, &r, &o, &p, &d), 0);
    valid(&p);
    check_indexes(&p);
    assert_true(p.tidy_cut);   /* no time to tidy any GPU */
    assert_true(p.spread_cut); /* nor to spread the spread tenants */
    assert_true(p.lower_bound <= p.cost + 1e-9);
    assert_true(p.optimal || p.time_limit_hit);
    /* the bound is never 0 for want of time: at least what the replicas'
     * compute takes at the cheapest model's price (0.6 per 7 slices) */
    assert_true(p.lower_bound >= compute_bound(&r, 0.6) - 1e-9);
    assert_false(s.bad);
    assert_true(s.plan_phase >= 1); /* at its start, and as it builds */
    assert_true(s.check_phase >= 1);
    assert_true(s.last_best == p.cost);
    /* the table and JSON say what was cut */
    mp_buf b = MP_BUF_INIT;
    mp_emit_plan_table(&p, false, &b);
    mp_buf_putc(&b, '\0');
    assert_non_null(strstr(b.data, "tidy: the time limit stopped tidying"));
    assert_non_null(strstr(b.data, "spread: the time limit stopped spreading"));
    mp_buf_free(&b);
    mp_emit_plan_json(&p, &b);
    mp_buf_putc(&b, '\0');
    assert_non_null(strstr(b.data, "\"tidy_cut_by_time_limit\": true"));
    mp_buf_free(&b);
    /* a GPU whose tidying was cut keeps the solver's profiles, placed once
     * per distinct content: the very plan of no tidying at all */
    mp_plan u;
    mp_solve_opts ou = {.time_limit = 1e-9, .no_tidy = true};
    assert_int_equal(mp_solve(db, &r, &ou, &u, &d), 0);
    valid(&u);
    assert_int_equal(u.n_gpus, p.n_gpus);
    for (int k = 0; k < p.n_gpus; k++) {
        const mp_plan_gpu *a = &p.gpus[k], *b2 = &u.gpus[k];
        assert_int_equal(a->layout.gis.n, b2->layout.gis.n);
        for (int q = 0; q < a->layout.gis.n; q++) {
            assert_int_equal(a->layout.gis.gi[q].profile,
                             b2->layout.gis.gi[q].profile);
            assert_int_equal(a->layout.gis.gi[q].start,
                             b2->layout.gis.gi[q].start);
            assert_int_equal(a->tenant[q], b2->tenant[q]);
            assert_int_equal(a->replica[q], b2->replica[q]);
        }
    }
    mp_plan_free(&u);
    mp_plan_free(&p);

    /* the same request with time: nothing cut, a plan no costlier */
    mp_plan q;
    mp_solve_opts o2 = {.time_limit = 60};
    assert_int_equal(mp_solve(db, &r, &o2, &q, &d), 0);
    valid(&q);
    assert_false(q.tidy_cut);
    mp_plan_free(&q);
    mp_request_free(&r);
    free(yaml);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fleet_plan_validates),
        cmocka_unit_test(test_deadline_cut_is_honest),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
