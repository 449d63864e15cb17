/* SPDX-License-Identifier: Apache-2.0 */
/* test_solver_nomem.c - the solver when memory runs out.
 *
 * Linked with -Wl,--wrap for malloc, calloc, realloc and free (see
 * tests/CMakeLists.txt), so every allocation the library makes goes
 * through the wrappers here. While armed they count allocations, count
 * the blocks still live, and can fail the k-th allocation. For a few
 * requests that reach every phase (spread bisection with several steps,
 * an infeasible fleet that is solved again, tidying), each test first
 * solves once to count the allocations, then solves once per allocation
 * with exactly that one failing: mp_solve must report MP_ENOMEM (never a
 * plan built from an incomplete LP, never a silently skipped phase) and,
 * after mp_plan_free, no block may be left. Without the checks on row
 * coefficients (rb_add) the first kind of failure returned a plan; without
 * one owner per candidate the spread bisection leaked on an error (both
 * seen on the solver before it was split into stages).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "migplan/readers/request_reader.h"
#include "migplan/solver/solver.h"

#include "test_db.h"

/* ------------------------------------------------------ the wrappers */

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
void __wrap_free(void *p);

static struct {
    bool armed;
    long calls;   /* allocations while armed */
    long fail_at; /* fail this one (1-based); 0: none */
    long live;    /* blocks allocated while armed and not freed */
} heap;

/* Count one allocation; true when it is the one to fail. */
static bool fail_now(void)
{
    return heap.armed && ++heap.calls == heap.fail_at;
}

void *__wrap_malloc(size_t n)
{
    if (fail_now())
        return NULL;
    void *p = __real_malloc(n);
    heap.live += p && heap.armed;
    return p;
}

void *__wrap_calloc(size_t n, size_t size)
{
    if (fail_now())
        return NULL;
    void *p = __real_calloc(n, size);
    heap.live += p && heap.armed;
    return p;
}

void *__wrap_realloc(void *p, size_t n)
{
    if (fail_now())
        return NULL;
    void *q = __real_realloc(p, n);
    heap.live += q && !p && heap.armed;
    return q;
}

void __wrap_free(void *p)
{
    heap.live -= p && heap.armed;
    __real_free(p);
}

static void arm(long fail_at)
{
    heap.calls = 0;
    heap.live = 0;
    heap.fail_at = fail_at;
    heap.armed = true;
}

/* --------------------------------------------------------- the tests */

static void load(const char *yaml, mp_request *r)
{
    mp_diag d;
    if (mp_request_parse(db, yaml, strlen(yaml), "t.yaml", NULL, r, &d) != 0)
        fail_msg("request does not parse: %d:%d %s", d.line, d.col, d.msg);
}

/* One solve with allocation fail_at failing (0: none); the plan freed.
 * Returns mp_solve's code; *calls and *live get the allocations made and
 * the blocks left. */
static int solve_once(const mp_request *r, long fail_at, mp_plan *p, mp_diag *d,
                      long *calls, long *live)
{
    mp_solve_opts o = {.time_limit = 60};
    arm(fail_at);
    int rc = mp_solve(db, r, &o, p, d);
    mp_plan_free(p); /* keeps p->feasible */
    heap.armed = false;
    *calls = heap.calls;
    *live = heap.live;
    return rc;
}

/* Failures of one sweep, by kind: the count and the first allocation. */
typedef struct tally {
    long n;
    long first;
    char what[200];
} tally;

static void note(tally *t, long k, const char *fmt, ...)
{
    if (t->n++ == 0) {
        va_list ap;
        va_start(ap, fmt);
        t->first = k;
        vsnprintf(t->what, sizeof(t->what), fmt, ap);
        va_end(ap);
    }
}

/* Every allocation of a solve of yaml, failed in turn. */
static void sweep(const char *yaml, bool feasible)
{
    mp_request r;
    load(yaml, &r);
    mp_plan p;
    mp_diag d;
    long total, live, calls;
    assert_int_equal(solve_once(&r, 0, &p, &d, &total, &live), 0);
    assert_int_equal(p.feasible, feasible);
    assert_int_equal(live, 0);
    assert_true(total > 10); /* the sweep means something */
    tally wrong = {0}, leaks = {0};
    for (long k = 1; k <= total; k++) {
        int rc = solve_once(&r, k, &p, &d, &calls, &live);
        assert_true(calls >= k); /* the same path up to the failure */
        if (rc != MP_ENOMEM || !strstr(d.msg, "out of memory"))
            note(&wrong, k, "returned %d (%s)", rc, rc ? d.msg : "a plan");
        if (live != 0)
            note(&leaks, k, "%ld blocks leaked", live);
    }
    if (wrong.n || leaks.n)
        fail_msg("of %ld allocations failed in turn, %ld gave no MP_ENOMEM "
                 "(first: allocation %ld %s) and %ld leaked (first: "
                 "allocation %ld, %s)",
                 total, wrong.n, wrong.first, wrong.what, leaks.n, leaks.first,
                 leaks.what);
    print_message("%ld allocations, each failed once: MP_ENOMEM, no leak\n",
                  total);
    mp_request_free(&r);
}

/* Spread: the tenant's four replicas start three or more to a GPU; with a
 * cost that is not a whole number the bisection starts at cap 1, so it
 * finds cap 2 (a plan at the optimum cost, which it then owns) and goes on
 * to try cap 1 (none), each a search of its own. A failure in that second
 * search once leaked the first one's model and solution. */
static void test_spread_bisection(void **state)
{
    (void)state;
    sweep("fleet: [{model: a30, count: 4, cost: 1.5}]\n"
          "tenants:\n"
          "  - {name: a, memory: 10GiB, compute: 2g, replicas: 2}\n"
          "  - {name: s, memory: 5GiB, replicas: 4, spread: true}\n",
          true);
}

/* A whole-GPU tenant, two models with costs, and a tenant that only one
 * model suits: whole GPUs, the cost lattice and several classes. */
static void test_mixed_fleet(void **state)
{
    (void)state;
    sweep("fleet:\n"
          "  - {model: a30, count: 3, cost: 1.9}\n"
          "  - {model: h100-nvl, count: 2, cost: 2.5}\n"
          "tenants:\n"
          "  - {name: t0, replicas: 3, memory: 22GiB, compute: 2g, "
          "spread: true}\n"
          "  - {name: w, whole-gpu: true}\n"
          "  - {name: v, memory: 5GiB, media: true, models: [a30]}\n",
          true);
}

/* Too small a fleet: solved again without counts to say how many. */
static void test_fleet_too_small(void **state)
{
    (void)state;
    sweep("fleet: [{model: h100, count: 2}]\n"
          "tenants:\n"
          "  - {name: a, memory: 30GiB, compute: 3g, replicas: 5}\n",
          false);
}

/* Node pools: a single pool (a node type per profile), a mixed one, a
 * same-profile choice, spread over nodes and a whole GPU. */
static void test_node_pools(void **state)
{
    (void)state;
    sweep("nodes:\n"
          "  - {pool: s, model: a30, gpus: 2, count: 2, strategy: single}\n"
          "  - {pool: m, model: a30, gpus: 2, count: 1, cost: 1.5}\n"
          "tenants:\n"
          "  - {name: a, memory: 5GiB, replicas: 3, spread: nodes}\n"
          "  - {name: w, whole-gpu: true}\n",
          true);
}

/* Too few nodes: solved again without counts to say how many. */
static void test_nodes_too_few(void **state)
{
    (void)state;
    sweep("nodes: [{pool: p, model: h100, gpus: 2, count: 1}]\n"
          "tenants:\n"
          "  - {name: a, memory: 30GiB, compute: 3g, replicas: 5}\n",
          false);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spread_bisection),
        cmocka_unit_test(test_mixed_fleet),
        cmocka_unit_test(test_fleet_too_small),
        cmocka_unit_test(test_node_pools),
        cmocka_unit_test(test_nodes_too_few),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
