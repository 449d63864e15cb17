/* SPDX-License-Identifier: Apache-2.0 */
/* test_simplex.c - the LP solver on problems with known answers.
 *
 * Hand-computed optima (the vertex is worked out in each comment), a
 * degenerate vertex, Beale's cycling example (negative costs: the primal
 * simplex), infeasible and unbounded problems, warm starts through bound
 * changes as branch and bound makes them, and seeded random LPs against an
 * independent oracle that enumerates every vertex; a deadline that stops
 * solves without changing the answers of those it does not stop.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "migplan/solver/simplex.h"

#define TOL 1e-7

/* A row from a dense coefficient list of n columns. */
static void row(mp_lp *lp, int n, const double *a, char sense, double rhs)
{
    int idx[8];
    double val[8];
    int nnz = 0;
    for (int j = 0; j < n; j++)
        if (a[j] != 0) {
            idx[nnz] = j;
            val[nnz++] = a[j];
        }
    assert_true(mp_lp_add_row(lp, idx, val, nnz, sense, rhs) >= 0);
}

static mp_lp *lp_of(int n, const double *cost)
{
    mp_lp *lp = mp_lp_new(n);
    assert_non_null(lp);
    for (int j = 0; j < n; j++)
        mp_lp_set_cost(lp, j, cost[j]);
    return lp;
}

static void expect_optimum(mp_lp *lp, double want_obj, const double *want_x)
{
    double x[8], obj = NAN;
    int rc = mp_lp_solve(lp, x, &obj);
    if (rc != MP_LP_OPTIMAL)
        fail_msg("status %d, expected optimal", rc);
    if (fabs(obj - want_obj) > TOL)
        fail_msg("objective %.9g, expected %.9g", obj, want_obj);
    for (int j = 0; want_x && j < mp_lp_ncols(lp); j++)
        if (fabs(x[j] - want_x[j]) > TOL)
            fail_msg("x%d = %.9g, expected %.9g", j, x[j], want_x[j]);
}

/* min 2x + 3y, x + y >= 4, x + 3y >= 6. The two rows meet at (3, 1),
 * cost 9; the other vertices (0, 4) and (6, 0) cost 12. */
static void test_covering(void **state)
{
    (void)state;
    mp_lp *lp = lp_of(2, (double[]){2, 3});
    row(lp, 2, (double[]){1, 1}, 'G', 4);
    row(lp, 2, (double[]){1, 3}, 'G', 6);
    expect_optimum(lp, 9, (double[]){3, 1});
    assert_int_equal(mp_lp_nrows(lp), 2);
    assert_true(mp_lp_pivots(lp) > 0);
    mp_lp_free(lp);
}

/* min x + y + z, x + 2y + 3z = 12, z <= 3: z is the cheapest per unit of
 * the row (3 per cost), so z = 3; then y (2 per cost) takes the remaining
 * 3: y = 1.5; cost 4.5. */
static void test_equality_and_bounds(void **state)
{
    (void)state;
    mp_lp *lp = lp_of(3, (double[]){1, 1, 1});
    row(lp, 3, (double[]){1, 2, 3}, 'E', 12);
    mp_lp_set_bounds(lp, 2, 0, 3);
    expect_optimum(lp, 4.5, (double[]){0, 1.5, 3});
    /* y at most 1: x takes the rest, 12 - 9 - 2 = 1 */
    mp_lp_set_bounds(lp, 1, 0, 1);
    expect_optimum(lp, 5, (double[]){1, 1, 3});
    double lo, hi;
    mp_lp_get_bounds(lp, 1, &lo, &hi);
    assert_true(lo == 0 && hi == 1);
    mp_lp_free(lp);
}

/* Four rows through the optimum (1, 1) of min x + y: x + y >= 2 (and its
 * double), x + 2y >= 3, 2x + y >= 3. The last two force x, y >= 1. */
static void degenerate_rows(mp_lp *lp)
{
    row(lp, 3, (double[]){1, 1, 0}, 'G', 2);
    row(lp, 3, (double[]){2, 2, 0}, 'G', 4);
    row(lp, 3, (double[]){1, 2, 0}, 'G', 3);
    row(lp, 3, (double[]){2, 1, 0}, 'G', 3);
}

static void test_degenerate(void **state)
{
    (void)state;
    mp_lp *lp = lp_of(3, (double[]){1, 1, 0});
    degenerate_rows(lp);
    expect_optimum(lp, 2, (double[]){1, 1, 0});
    mp_lp_free(lp);
    /* the same with a negative cost (u <= 1, cost -1): the primal simplex */
    lp = lp_of(3, (double[]){1, 1, -1});
    degenerate_rows(lp);
    mp_lp_set_bounds(lp, 2, 0, 1);
    expect_optimum(lp, 1, (double[]){1, 1, 1});
    mp_lp_free(lp);
}

/* Beale's example, on which Dantzig's rule cycles without a safeguard:
 * min -3/4 x4 + 20 x5 - 1/2 x6 + 6 x7, 1/4 x4 - 8 x5 - x6 + 9 x7 <= 0,
 * 1/2 x4 - 12 x5 - 1/2 x6 + 3 x7 <= 0, x6 <= 1. Optimum -5/4 at x4 = x6 =
 * 1 (GLPK agrees). */
static void test_beale(void **state)
{
    (void)state;
    mp_lp *lp = lp_of(4, (double[]){-0.75, 20, -0.5, 6});
    row(lp, 4, (double[]){0.25, -8, -1, 9}, 'L', 0);
    row(lp, 4, (double[]){0.5, -12, -0.5, 3}, 'L', 0);
    row(lp, 4, (double[]){0, 0, 1, 0}, 'L', 1);
    expect_optimum(lp, -1.25, (double[]){1, 0, 1, 0});
    mp_lp_free(lp);
}

static void test_infeasible(void **state)
{
    (void)state;
    double x[2], obj;
    /* x + y <= 1 and x + y >= 3 */
    mp_lp *lp = lp_of(2, (double[]){1, 1});
    row(lp, 2, (double[]){1, 1}, 'L', 1);
    row(lp, 2, (double[]){1, 1}, 'G', 3);
    assert_int_equal(mp_lp_solve(lp, x, &obj), MP_LP_INFEASIBLE);
    mp_lp_free(lp);
    /* x + y = 5 with x, y <= 1 */
    lp = lp_of(2, (double[]){1, 2});
    row(lp, 2, (double[]){1, 1}, 'E', 5);
    mp_lp_set_bounds(lp, 0, 0, 1);
    mp_lp_set_bounds(lp, 1, 0, 1);
    assert_int_equal(mp_lp_solve(lp, x, &obj), MP_LP_INFEASIBLE);
    /* ... and with y >= 4 it is feasible again: min x + 2y takes x = 1,
     * y = 4 */
    mp_lp_set_bounds(lp, 1, 4, -1);
    expect_optimum(lp, 9, (double[]){1, 4});
    /* crossed bounds */
    mp_lp_set_bounds(lp, 0, 2, 1);
    assert_int_equal(mp_lp_solve(lp, x, &obj), MP_LP_INFEASIBLE);
    mp_lp_free(lp);
    /* the same rows with a negative cost go to the primal simplex */
    lp = lp_of(2, (double[]){-1, 1});
    row(lp, 2, (double[]){1, 1}, 'L', 1);
    row(lp, 2, (double[]){1, 1}, 'G', 3);
    assert_int_equal(mp_lp_solve(lp, x, &obj), MP_LP_INFEASIBLE);
    mp_lp_free(lp);
}

static void test_unbounded(void **state)
{
    (void)state;
    double x[2], obj;
    /* min -x with x - y <= 1: x and y grow together */
    mp_lp *lp = lp_of(2, (double[]){-1, 0});
    row(lp, 2, (double[]){1, -1}, 'L', 1);
    assert_int_equal(mp_lp_solve(lp, x, &obj), MP_LP_UNBOUNDED);
    /* an upper bound on y bounds it: x = y + 1 = 4 */
    mp_lp_set_bounds(lp, 1, 0, 3);
    expect_optimum(lp, -4, (double[]){4, 3});
    mp_lp_free(lp);
}

/* min x1 + x2 + x3 with every pair summing to at least 1.5: (0.75, 0.75,
 * 0.75), cost 2.25. Bound changes as branch and bound makes them, each
 * solved warm from the last tableau. */
static void test_warm_start(void **state)
{
    (void)state;
    mp_lp *lp = lp_of(3, (double[]){1, 1, 1});
    row(lp, 3, (double[]){1, 1, 0}, 'G', 1.5);
    row(lp, 3, (double[]){0, 1, 1}, 'G', 1.5);
    row(lp, 3, (double[]){1, 0, 1}, 'G', 1.5);
    expect_optimum(lp, 2.25, (double[]){0.75, 0.75, 0.75});
    /* unchanged bounds: the stored tableau is optimal, no pivot needed */
    long before = mp_lp_pivots(lp);
    expect_optimum(lp, 2.25, (double[]){0.75, 0.75, 0.75});
    assert_int_equal(mp_lp_pivots(lp), before);
    /* up branch x1 >= 1: x2 + x3 >= 1.5, so cost 2.5 (x2 anywhere in
     * [0.5, 1]) */
    mp_lp_set_bounds(lp, 0, 1, -1);
    expect_optimum(lp, 2.5, NULL);
    /* ... and x2 <= 0: x3 >= 1.5, x1 >= 1.5: cost 3 */
    mp_lp_set_bounds(lp, 1, 0, 0);
    expect_optimum(lp, 3, (double[]){1.5, 0, 1.5});
    /* down branch x1 <= 0: x2, x3 >= 1.5: cost 3 */
    mp_lp_set_bounds(lp, 1, 0, -1);
    mp_lp_set_bounds(lp, 0, 0, 0);
    expect_optimum(lp, 3, (double[]){0, 1.5, 1.5});
    /* back at the root */
    mp_lp_set_bounds(lp, 0, 0, -1);
    expect_optimum(lp, 2.25, (double[]){0.75, 0.75, 0.75});
    mp_lp_free(lp);
}

/* ---- random LPs against vertex enumeration ---- */

static uint64_t rng_state;
static int rnd(int n)
{
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (int)((rng_state >> 33) % (uint64_t)n);
}

typedef struct rlp {
    int n, m;
    double c[3], a[6][3], b[6], lo[3], hi[3]; /* hi < 0: none */
    char s[6];
} rlp;

/* Solve the k x k system M y = r in place (Gaussian elimination with
 * partial pivoting); false when singular. */
static bool gauss(int k, double M[3][3], double *r)
{
    for (int c = 0; c < k; c++) {
        int p = c;
        for (int i = c + 1; i < k; i++)
            if (fabs(M[i][c]) > fabs(M[p][c]))
                p = i;
        if (fabs(M[p][c]) < 1e-9)
            return false;
        for (int j = 0; j < k; j++) {
            double t = M[c][j];
            M[c][j] = M[p][j];
            M[p][j] = t;
        }
        double t = r[c];
        r[c] = r[p];
        r[p] = t;
        for (int i = 0; i < k; i++) {
            if (i == c)
                continue;
            double f = M[i][c] / M[c][c];
            for (int j = 0; j < k; j++)
                M[i][j] -= f * M[c][j];
            r[i] -= f * r[c];
        }
    }
    for (int c = 0; c < k; c++)
        r[c] /= M[c][c];
    return true;
}

static bool feasible(const rlp *p, const double *x)
{
    for (int j = 0; j < p->n; j++)
        if (x[j] < p->lo[j] - 1e-7 || (p->hi[j] >= 0 && x[j] > p->hi[j] + 1e-7))
            return false;
    for (int i = 0; i < p->m; i++) {
        double v = 0;
        for (int j = 0; j < p->n; j++)
            v += p->a[i][j] * x[j];
        if ((p->s[i] == 'L' && v > p->b[i] + 1e-7) ||
            (p->s[i] == 'G' && v < p->b[i] - 1e-7) ||
            (p->s[i] == 'E' && fabs(v - p->b[i]) > 1e-7))
            return false;
    }
    return true;
}

/* The hyperplane h: a row, or a lower or upper bound of a column. */
static bool plane(const rlp *p, int h, double *a, double *b)
{
    memset(a, 0, 3 * sizeof(*a));
    if (h < p->m) {
        memcpy(a, p->a[h], 3 * sizeof(*a));
        *b = p->b[h];
        return true;
    }
    int j = (h - p->m) / 2;
    a[j] = 1;
    *b = (h - p->m) % 2 ? p->hi[j] : p->lo[j];
    return (h - p->m) % 2 == 0 || p->hi[j] >= 0;
}

/* The optimum over every vertex (n hyperplanes meeting in a feasible
 * point). The columns are bounded below, so a feasible LP has a vertex;
 * with every column bounded, or costs >= 0, an optimal one. Returns false
 * when no vertex is feasible. */
static bool oracle(const rlp *p, double *best)
{
    int H = p->m + 2 * p->n, pick[3];
    bool found = false;
    for (int code = 0; code < H * H * H; code++) {
        int c = code;
        bool ok = true;
        for (int k = 0; k < p->n; k++, c /= H)
            pick[k] = c % H;
        for (int k = 1; k < p->n && ok; k++)
            ok = pick[k] > pick[k - 1];
        if (!ok || c != 0) /* each subset once */
            continue;
        double M[3][3] = {{0}}, r[3] = {0};
        for (int k = 0; k < p->n && ok; k++)
            ok = plane(p, pick[k], M[k], &r[k]);
        if (!ok || !gauss(p->n, M, r) || !feasible(p, r))
            continue;
        double v = 0;
        for (int j = 0; j < p->n; j++)
            v += p->c[j] * r[j];
        if (!found || v < *best)
            *best = v;
        found = true;
    }
    return found;
}

static void random_lp(rlp *p, bool negative_costs)
{
    static const char senses[] = "LGE";
    memset(p, 0, sizeof(*p));
    p->n = 2 + rnd(2);
    p->m = 1 + rnd(5);
    for (int j = 0; j < p->n; j++) {
        p->c[j] = negative_costs ? rnd(9) - 4 : rnd(6);
        p->lo[j] = rnd(3) == 0 ? rnd(3) : 0;
        /* negative costs need bounds to stay bounded */
        p->hi[j] = negative_costs || rnd(2) ? p->lo[j] + rnd(5) : -1;
    }
    for (int i = 0; i < p->m; i++) {
        for (int j = 0; j < p->n; j++)
            p->a[i][j] = rnd(7) - 3;
        p->s[i] = senses[rnd(rnd(4) ? 2 : 3)];
        p->b[i] = rnd(13) - 2;
    }
}

static mp_lp *lp_from(const rlp *p)
{
    mp_lp *lp = lp_of(p->n, p->c);
    for (int i = 0; i < p->m; i++)
        row(lp, p->n, p->a[i], p->s[i], p->b[i]);
    for (int j = 0; j < p->n; j++)
        mp_lp_set_bounds(lp, j, p->lo[j], p->hi[j]);
    return lp;
}

static void check_random(bool negative_costs, int *optimal)
{
    rlp p;
    random_lp(&p, negative_costs);
    mp_lp *lp = lp_from(&p);
    double x[3], obj, want;
    int rc = mp_lp_solve(lp, x, &obj);
    bool feas = oracle(&p, &want);
    if (!feas && rc != MP_LP_INFEASIBLE)
        fail_msg("no vertex is feasible, the simplex says %d (%g)", rc, obj);
    if (feas && (rc != MP_LP_OPTIMAL || fabs(obj - want) > 1e-6))
        fail_msg("the best vertex costs %g, the simplex says %d (%g)", want, rc,
                 obj);
    if (feas && !feasible(&p, x))
        fail_msg("the simplex's solution breaks a row or bound");
    *optimal += feas;
    mp_lp_free(lp);
}

static void test_random_against_vertices(void **state)
{
    (void)state;
    int optimal = 0;
    rng_state = 42;
    for (int k = 0; k < 1500; k++)
        check_random(false, &optimal);
    for (int k = 0; k < 1500; k++)
        check_random(true, &optimal);
    print_message("3000 random LPs, %d feasible, all as the vertices say\n",
                  optimal);
    /* both outcomes must be common for the comparison to mean something */
    assert_true(optimal > 600 && optimal < 2400);
}

/* Random bound changes on one LP (a branch-and-bound walk), each solved
 * warm and compared with a fresh copy of the LP. */
static void test_warm_walk(void **state)
{
    (void)state;
    rng_state = 7;
    int warm_pivots = 0, fresh_pivots = 0;
    for (int k = 0; k < 200; k++) {
        rlp p;
        random_lp(&p, false);
        mp_lp *lp = lp_from(&p);
        double x[3], obj;
        for (int step = 0; step < 10; step++) {
            int j = rnd(p.n);
            p.lo[j] = rnd(3);
            p.hi[j] = rnd(2) ? p.lo[j] + rnd(3) : -1;
            mp_lp_set_bounds(lp, j, p.lo[j], p.hi[j]);
            long before = mp_lp_pivots(lp);
            int rc = mp_lp_solve(lp, x, &obj);
            warm_pivots += (int)(mp_lp_pivots(lp) - before);
            mp_lp *fresh = lp_from(&p);
            double fx[3], fobj, want;
            int frc = mp_lp_solve(fresh, fx, &fobj);
            fresh_pivots += (int)mp_lp_pivots(fresh);
            bool feas = oracle(&p, &want);
            assert_int_equal(rc, frc);
            assert_int_equal(rc, feas ? MP_LP_OPTIMAL : MP_LP_INFEASIBLE);
            if (feas && (fabs(obj - want) > 1e-6 || fabs(fobj - want) > 1e-6))
                fail_msg("warm %g, fresh %g, vertices %g", obj, fobj, want);
            mp_lp_free(fresh);
        }
        mp_lp_free(lp);
    }
    print_message("2000 warm solves: %d pivots, %d from scratch\n", warm_pivots,
                  fresh_pivots);
    assert_true(warm_pivots < fresh_pivots); /* the warm start pays */
}

/* The status and objective of p solved on an LP of its own. */
static int fresh_solve(const rlp *p, double *obj)
{
    mp_lp *lp = lp_from(p);
    double x[3];
    int rc = mp_lp_solve(lp, x, obj);
    mp_lp_free(lp);
    return rc;
}

/* A deadline already past stops every solve, warm or not, before it
 * answers; with time left the answer is the one without a deadline, also
 * right after a stopped solve. */
static void test_deadline(void **state)
{
    (void)state;
    rng_state = 11;
    double past = 0, later = HUGE_VAL;
    int stopped = 0;
    for (int k = 0; k < 400; k++) {
        rlp p;
        random_lp(&p, k % 2);
        mp_lp *lp = lp_from(&p);
        double x[3], obj, want;
        for (int step = 0; step < 4; step++) {
            mp_lp_set_deadline(lp, &past);
            long before = mp_lp_pivots(lp);
            assert_int_equal(mp_lp_solve(lp, x, &obj), MP_LP_STOPPED);
            assert_int_equal(mp_lp_pivots(lp), before);
            stopped++;
            mp_lp_set_deadline(lp, step % 2 ? &later : NULL);
            int rc = mp_lp_solve(lp, x, &obj);
            int frc = fresh_solve(&p, &want);
            assert_int_equal(rc, frc);
            if (rc == MP_LP_OPTIMAL && fabs(obj - want) > 1e-6)
                fail_msg("after a stop %g, without a deadline %g", obj, want);
            /* a bound change, as branch and bound makes them */
            int j = rnd(p.n);
            p.lo[j] = rnd(3);
            p.hi[j] = rnd(2) ? p.lo[j] + rnd(3) : -1;
            mp_lp_set_bounds(lp, j, p.lo[j], p.hi[j]);
        }
        mp_lp_free(lp);
    }
    assert_int_equal(stopped, 1600);
}

/* Many warm solves on one LP: the fresh starts every so often (and when a
 * bound change leaves the basis dual infeasible) reuse the tableau of the
 * last one, cleared row by row; every answer against the vertices. */
static void test_long_warm_walk(void **state)
{
    (void)state;
    rng_state = 5;
    int checked = 0;
    for (int k = 0; k < 10; k++) {
        rlp p;
        random_lp(&p, false);
        mp_lp *lp = lp_from(&p);
        double x[3], obj, want;
        for (int step = 0; step < 700; step++) {
            int j = rnd(p.n);
            p.lo[j] = rnd(3);
            p.hi[j] = rnd(2) ? p.lo[j] + rnd(3) : -1;
            mp_lp_set_bounds(lp, j, p.lo[j], p.hi[j]);
            int rc = mp_lp_solve(lp, x, &obj);
            bool feas = oracle(&p, &want);
            assert_int_equal(rc, feas ? MP_LP_OPTIMAL : MP_LP_INFEASIBLE);
            if (feas && (fabs(obj - want) > 1e-6 || !feasible(&p, x)))
                fail_msg("step %d: %g, the vertices say %g", step, obj, want);
            checked += feas;
        }
        mp_lp_free(lp);
    }
    assert_true(checked > 1000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_covering),
        cmocka_unit_test(test_equality_and_bounds),
        cmocka_unit_test(test_degenerate),
        cmocka_unit_test(test_beale),
        cmocka_unit_test(test_infeasible),
        cmocka_unit_test(test_unbounded),
        cmocka_unit_test(test_warm_start),
        cmocka_unit_test(test_random_against_vertices),
        cmocka_unit_test(test_warm_walk),
        cmocka_unit_test(test_deadline),
        cmocka_unit_test(test_long_warm_walk),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
