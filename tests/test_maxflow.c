/* SPDX-License-Identifier: Apache-2.0 */
/* test_maxflow.c - Dinic's max-flow on graphs checked by hand, and on
 * seeded random graphs against the minimum cut found by trying every cut
 * (max-flow = min-cut), with every edge's flow checked for capacity and
 * conservation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "migplan/solver/maxflow.h"

typedef struct e3 {
    int from, to;
    long long cap;
} e3;

static mp_flow *graph(int n, const e3 *e, int ne, int *ids)
{
    mp_flow *f = mp_flow_new(n);
    assert_non_null(f);
    for (int k = 0; k < ne; k++) {
        ids[k] = mp_flow_add_edge(f, e[k].from, e[k].to, e[k].cap);
        assert_true(ids[k] >= 0);
    }
    return f;
}

/* Every edge within capacity, every node but s and t balanced, and value
 * leaving s. */
static void check_flow(const mp_flow *f, int n, const e3 *e, int ne,
                       const int *ids, int s, int t, long long value)
{
    long long bal[16] = {0};
    for (int k = 0; k < ne; k++) {
        long long x = mp_flow_edge_flow(f, ids[k]);
        if (x < 0 || x > e[k].cap)
            fail_msg("edge %d->%d carries %lld of %lld", e[k].from, e[k].to, x,
                     e[k].cap);
        bal[e[k].from] -= x;
        bal[e[k].to] += x;
    }
    for (int v = 0; v < n; v++)
        if (v != s && v != t && bal[v] != 0)
            fail_msg("node %d is out of balance by %lld", v, bal[v]);
    assert_true(bal[s] == -value && bal[t] == value);
}

/* The network of Cormen et al., Introduction to Algorithms, figure 26.1:
 * maximum flow 23 (the cut {s, v1, v2, v4} has 12 + 7 + 4 = 23). */
static void test_textbook(void **state)
{
    (void)state;
    static const e3 e[] = {{0, 1, 16}, {0, 2, 13}, {2, 1, 4},
                           {1, 3, 12}, {3, 2, 9},  {2, 4, 14},
                           {4, 3, 7},  {3, 5, 20}, {4, 5, 4}};
    int ids[9];
    mp_flow *f = graph(6, e, 9, ids);
    assert_int_equal(mp_flow_max(f, 0, 5), 23);
    check_flow(f, 6, e, 9, ids, 0, 5, 23);
    /* the cut edges are saturated */
    assert_int_equal(mp_flow_edge_flow(f, ids[3]), 12);
    assert_int_equal(mp_flow_edge_flow(f, ids[6]), 7);
    assert_int_equal(mp_flow_edge_flow(f, ids[8]), 4);
    /* nothing more to push */
    assert_int_equal(mp_flow_max(f, 0, 5), 0);
    mp_flow_free(f);
}

/* Matching: workers 1-3, jobs 4-6; worker 1 can do jobs 4 and 5, workers
 * 2 and 3 only job 4. At most two pairs: job 4 to worker 2 or 3, job 5 to
 * worker 1. */
static void test_matching(void **state)
{
    (void)state;
    static const e3 e[] = {{0, 1, 1}, {0, 2, 1}, {0, 3, 1}, {1, 4, 1},
                           {1, 5, 1}, {2, 4, 1}, {3, 4, 1}, {4, 7, 1},
                           {5, 7, 1}, {6, 7, 1}};
    int ids[10];
    mp_flow *f = graph(8, e, 10, ids);
    assert_int_equal(mp_flow_max(f, 0, 7), 2);
    check_flow(f, 8, e, 10, ids, 0, 7, 2);
    assert_int_equal(mp_flow_edge_flow(f, ids[4]), 1); /* worker 1, job 5 */
    assert_int_equal(mp_flow_edge_flow(f, ids[3]), 0);
    mp_flow_free(f);
}

/* Parallel edges add up; the bottleneck decides; an unreachable sink gets
 * nothing; capacities as large as the solver's "unlimited" (2^40) do not
 * overflow. */
static void test_small_cases(void **state)
{
    (void)state;
    int ids[4];
    static const e3 par[] = {{0, 1, 5}, {0, 1, 3}, {1, 2, 6}};
    mp_flow *f = graph(3, par, 3, ids);
    assert_int_equal(mp_flow_max(f, 0, 2), 6);
    check_flow(f, 3, par, 3, ids, 0, 2, 6);
    mp_flow_free(f);
    static const e3 cut[] = {{0, 1, 7}, {2, 3, 7}};
    f = graph(4, cut, 2, ids);
    assert_int_equal(mp_flow_max(f, 0, 3), 0);
    mp_flow_free(f);
    static const e3 zero[] = {{0, 1, 0}, {1, 2, 9}};
    f = graph(3, zero, 2, ids);
    assert_int_equal(mp_flow_max(f, 0, 2), 0);
    mp_flow_free(f);
    const long long big = (long long)1 << 40;
    const e3 huge[] = {{0, 1, big}, {0, 2, big}, {1, 3, big}, {2, 3, 5}};
    f = graph(4, huge, 4, ids);
    assert_true(mp_flow_max(f, 0, 3) == big + 5);
    check_flow(f, 4, huge, 4, ids, 0, 3, big + 5);
    mp_flow_free(f);
    mp_flow_free(NULL);
}

static uint64_t rng_state;
static int rnd(int n)
{
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (int)((rng_state >> 33) % (uint64_t)n);
}

/* The smallest cut: every set of nodes holding s and not t. */
static long long min_cut(int n, const e3 *e, int ne, int s, int t)
{
    long long best = -1;
    for (unsigned set = 0; set < (1u << n); set++) {
        if (!(set & (1u << s)) || (set & (1u << t)))
            continue;
        long long c = 0;
        for (int k = 0; k < ne; k++)
            if ((set & (1u << e[k].from)) && !(set & (1u << e[k].to)))
                c += e[k].cap;
        if (best < 0 || c < best)
            best = c;
    }
    return best;
}

static void test_random_min_cut(void **state)
{
    (void)state;
    rng_state = 2024;
    int positive = 0;
    for (int round = 0; round < 2000; round++) {
        int n = 2 + rnd(7), ne = rnd(3 * n);
        e3 e[24];
        int ids[24];
        for (int k = 0; k < ne; k++) {
            e[k].from = rnd(n);
            e[k].to = (e[k].from + 1 + rnd(n - 1)) % n;
            e[k].cap = rnd(10);
        }
        mp_flow *f = graph(n, e, ne, ids);
        long long got = mp_flow_max(f, 0, n - 1);
        long long want = min_cut(n, e, ne, 0, n - 1);
        if (got != want)
            fail_msg("round %d: max flow %lld, min cut %lld", round, got, want);
        check_flow(f, n, e, ne, ids, 0, n - 1, got);
        positive += got > 0;
        mp_flow_free(f);
    }
    print_message("2000 random graphs, %d with a positive flow, all equal "
                  "to their min cut\n",
                  positive);
    assert_true(positive > 500 && positive < 1900);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_textbook),
        cmocka_unit_test(test_matching),
        cmocka_unit_test(test_small_cases),
        cmocka_unit_test(test_random_min_cut),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
