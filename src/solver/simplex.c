/* SPDX-License-Identifier: Apache-2.0 */
/* simplex.c - the LP (rows, bounds, costs) and its bounded dual simplex
 * with warm starts, the workhorse of branch and bound. The tableau stays
 * between solves. A bound change leaves the basis dual feasible as long
 * as every nonbasic column can sit at the bound its reduced cost favours
 * (warm_update_bounds moves it there), so the next solve starts where the
 * last one stopped; otherwise, and every REFRESH_EVERY solves against
 * drift, it starts afresh from the slack basis. The primal simplex
 * (simplex_primal.c) takes over when this one cannot be trusted. */
#include "simplex_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "migplan/util/arena.h"
#include "solver_internal.h"

#define INF_B HUGE_VAL
#define DUAL_TOL 1e-9
#define PRIMAL_TOL 1e-7
#define REFRESH_EVERY 200 /* warm solves between fresh starts (drift) */
#define RETRY (-1)        /* the dual simplex gives up: start afresh */
/* tableau entries worked between two readings of the clock (about a
 * millisecond) */
#define CHECK_WORK 1e6

#define W_T(w, i, j) ((w)->t[(size_t)(i) * (size_t)((w)->N + 1) + (size_t)(j)])
#define W_B(w, i) W_T(w, i, (w)->N) /* B^-1 b */
#define W_D(w, j) W_T(w, (w)->m, j) /* reduced cost */

mp_lp *mp_lp_new(int ncols)
{
    mp_lp *lp = calloc(1, sizeof(*lp));
    if (!lp)
        return NULL;
    lp->n = ncols;
    lp->cost = calloc((size_t)ncols + 1, sizeof(double));
    lp->lo = calloc((size_t)ncols + 1, sizeof(double));
    lp->hi = malloc(((size_t)ncols + 1) * sizeof(double));
    if (!lp->cost || !lp->lo || !lp->hi) {
        mp_lp_free(lp);
        return NULL;
    }
    for (int j = 0; j < ncols; j++)
        lp->hi[j] = -1;
    return lp;
}

static void warm_free(lp_warm *w)
{
    free(w->t); /* the one block of warm_alloc */
    memset(w, 0, sizeof(*w));
}

void mp_lp_free(mp_lp *lp)
{
    if (!lp)
        return;
    warm_free(&lp->w);
    for (int i = 0; i < lp->m; i++) {
        free(lp->rows[i].idx);
        free(lp->rows[i].val);
    }
    free(lp->rows);
    free(lp->cost);
    free(lp->lo);
    free(lp->hi);
    free(lp);
}

void mp_lp_set_cost(mp_lp *lp, int j, double c)
{
    lp->cost[j] = c;
}

void mp_lp_set_bounds(mp_lp *lp, int j, double lo, double hi)
{
    lp->lo[j] = lo;
    lp->hi[j] = hi;
}

void mp_lp_get_bounds(const mp_lp *lp, int j, double *lo, double *hi)
{
    *lo = lp->lo[j];
    *hi = lp->hi[j];
}

int mp_lp_ncols(const mp_lp *lp)
{
    return lp->n;
}

int mp_lp_nrows(const mp_lp *lp)
{
    return lp->m;
}

long mp_lp_pivots(const mp_lp *lp)
{
    return lp->pivots;
}

void mp_lp_set_deadline(mp_lp *lp, const double *when)
{
    lp->deadline = when;
}

bool sv_lp_late(mp_lp *lp, double work)
{
    if (!lp->deadline)
        return false;
    lp->work += work;
    if (lp->work < CHECK_WORK)
        return false;
    lp->work = 0;
    return sv_now() > *lp->deadline;
}

int mp_lp_add_row(mp_lp *lp, const int *idx, const double *val, int nnz,
                  char sense, double rhs)
{
    if (mp_grow(&lp->rows, &lp->cap, lp->m + 1, sizeof(*lp->rows), 64))
        return -1;
    lp_row *r = &lp->rows[lp->m];
    r->idx = malloc((size_t)(nnz ? nnz : 1) * sizeof(int));
    r->val = malloc((size_t)(nnz ? nnz : 1) * sizeof(double));
    if (!r->idx || !r->val) {
        free(r->idx);
        free(r->val);
        return -1;
    }
    memcpy(r->idx, idx, (size_t)nnz * sizeof(int));
    memcpy(r->val, val, (size_t)nnz * sizeof(double));
    r->nnz = nnz;
    r->sense = sense;
    r->rhs = rhs;
    warm_free(&lp->w); /* the tableau no longer matches */
    return lp->m++;
}

/* ------------------------------------------------------- dual simplex */

static double nb_value(const lp_warm *w, int j)
{
    return w->at[j] == 1 ? w->hi[j] : w->lo[j];
}

/* One zeroed block: the tableau, lo, hi and x (doubles), then basis and
 * nz, then at and dirty. calloc leaves the pages of a large tableau to
 * the kernel, which maps them as they are first touched: a sparse LP
 * never pays for most of its dense tableau. */
static int warm_alloc(lp_warm *w, int m, int N)
{
    warm_free(w);
    size_t nt = (size_t)(m + 1) * (size_t)(N + 1), nd = nt + 3 * (size_t)N;
    size_t ni = (size_t)m + (size_t)N + 1;
    size_t bytes =
        nd * sizeof(double) + ni * sizeof(int) + (size_t)N + (size_t)m + 1;
    double *block = calloc(1, bytes);
    if (!block)
        return MP_LP_NOMEM;
    w->m = m;
    w->N = N;
    w->t = block;
    w->lo = block + nt;
    w->hi = w->lo + N;
    w->x = w->hi + N;
    w->basis = (int *)(block + nd);
    w->nz = w->basis + m;
    w->at = (signed char *)(w->nz + N + 1);
    w->dirty = (unsigned char *)w->at + N;
    return MP_LP_OPTIMAL;
}

/* Zero the tableau of the last fresh start: a row no pivot changed holds
 * only what warm_fresh put in it. */
static void warm_clear(mp_lp *lp)
{
    lp_warm *w = &lp->w;
    for (int i = 0; i <= w->m; i++) {
        if (i == w->m || w->dirty[i]) {
            memset(&W_T(w, i, 0), 0, (size_t)(w->N + 1) * sizeof(double));
            w->dirty[i] = 0;
            continue;
        }
        const lp_row *r = &lp->rows[i];
        for (int k = 0; k < r->nnz; k++)
            W_T(w, i, r->idx[k]) = 0.0;
        W_T(w, i, lp->n + i) = 0.0;
        W_B(w, i) = 0.0;
    }
}

/* A fresh start: the slack basis, every structural at its lower bound.
 * With non-negative costs it is dual feasible, so no phase 1 is needed. */
static int warm_fresh(mp_lp *lp)
{
    lp_warm *w = &lp->w;
    int m = lp->m, n = lp->n, N = n + m;
    if (!w->t || w->m != m || w->N != N) {
        int rc = warm_alloc(w, m, N);
        if (rc)
            return rc;
    } else {
        warm_clear(lp); /* the rows are those of the last fresh start */
    }
    for (int i = 0; i < m; i++) {
        const lp_row *r = &lp->rows[i];
        for (int k = 0; k < r->nnz; k++)
            W_T(w, i, r->idx[k]) += r->val[k];
        W_T(w, i, n + i) = 1.0;
        W_B(w, i) = r->rhs;
        w->basis[i] = n + i;
        /* slack bounds by sense: sum a x + s = rhs */
        w->lo[n + i] = r->sense == 'G' ? -INF_B : 0.0;
        w->hi[n + i] = r->sense == 'L' ? INF_B : 0.0;
        w->at[n + i] = -1;
    }
    for (int j = 0; j < n; j++) {
        w->lo[j] = lp->lo[j];
        w->hi[j] = lp->hi[j] < 0 ? INF_B : lp->hi[j];
        w->at[j] = 0;
        W_D(w, j) = lp->cost[j];
    }
    w->valid = true;
    w->solves = 0;
    return MP_LP_OPTIMAL;
}

void sv_tab_pivot(double *a, int rows, int width, int r, int c, int *nz,
                  unsigned char *dirty)
{
    double p = a[(size_t)r * (size_t)width + (size_t)c];
    double *pr = &a[(size_t)r * (size_t)width];
    int k = 0;
    for (int j = 0; j < width; j++) {
        if (pr[j] == 0.0)
            continue;
        pr[j] /= p;
        if (pr[j] != 0.0)
            nz[k++] = j;
    }
    pr[c] = 1.0;
    if (dirty)
        dirty[r] = 1;
    for (int i = 0; i < rows; i++) {
        if (i == r)
            continue;
        double *pi = &a[(size_t)i * (size_t)width];
        double f = pi[c];
        if (f == 0.0)
            continue;
        for (int q = 0; q < k; q++)
            pi[nz[q]] -= f * pr[nz[q]];
        pi[c] = 0.0;
        if (dirty)
            dirty[i] = 1;
    }
}

/* Column q enters the basis in row r (the rhs and the reduced costs are
 * a column and a row of the tableau, so they follow). */
static void warm_pivot(mp_lp *lp, int r, int q)
{
    lp_warm *w = &lp->w;
    sv_tab_pivot(w->t, w->m + 1, w->N + 1, r, q, w->nz, w->dirty);
    w->basis[r] = q;
    w->at[q] = -1;
    lp->pivots++;
}

/* Bring the stored tableau to the current bounds. False when the basis is
 * no longer dual feasible (a fresh start is needed). */
static bool warm_update_bounds(mp_lp *lp)
{
    lp_warm *w = &lp->w;
    for (int j = 0; j < lp->n; j++) {
        w->lo[j] = lp->lo[j];
        w->hi[j] = lp->hi[j] < 0 ? INF_B : lp->hi[j];
        if (w->at[j] < 0)
            continue;
        bool fixed = w->hi[j] - w->lo[j] <= PRIMAL_TOL;
        if (w->at[j] == 1 && w->hi[j] == INF_B)
            w->at[j] = 0;
        if (fixed)
            continue;
        if (w->at[j] == 0 && W_D(w, j) < -DUAL_TOL) {
            if (w->hi[j] == INF_B)
                return false;
            w->at[j] = 1;
        } else if (w->at[j] == 1 && W_D(w, j) > DUAL_TOL) {
            w->at[j] = 0;
        }
    }
    return true;
}

/* The basic values from the nonbasic ones; only those off zero count
 * (most sit at a lower bound of 0). */
static void basic_values(lp_warm *w)
{
    int k = 0;
    for (int j = 0; j < w->N; j++)
        if (w->at[j] >= 0 && nb_value(w, j) != 0.0)
            w->nz[k++] = j;
    for (int i = 0; i < w->m; i++) {
        double v = W_B(w, i);
        const double *ti = &W_T(w, i, 0);
        for (int q = 0; q < k; q++)
            if (ti[w->nz[q]] != 0.0)
                v -= ti[w->nz[q]] * nb_value(w, w->nz[q]);
        w->x[w->basis[i]] = v;
    }
}

/* The leaving row: the basic variable furthest outside its bounds, or with
 * bland the one of smallest index; -1 when all are within (optimal). */
static int dual_leaving(const lp_warm *w, bool bland)
{
    int r = -1;
    double worst = 0;
    for (int i = 0; i < w->m; i++) {
        int b = w->basis[i];
        double v = w->x[b], viol = 0;
        double tol = PRIMAL_TOL * (1 + fabs(v));
        if (v < w->lo[b] - tol)
            viol = w->lo[b] - v;
        else if (v > w->hi[b] + tol)
            viol = v - w->hi[b];
        if (viol <= 0)
            continue;
        if (bland ? (r < 0 || b < w->basis[r]) : viol > worst) {
            worst = viol;
            r = i;
        }
    }
    return r;
}

/* The entering column for leaving row r: the ratio test on the reduced
 * costs (ties to the larger pivot, or with bland the smaller index); -1
 * when no column can move (the LP is infeasible). *ratio gets the step in
 * the dual objective. */
static int dual_entering(const lp_warm *w, int r, bool to_lower, bool bland,
                         double *ratio)
{
    int q = -1;
    double best = INF_B, best_alpha = 0;
    const double *tr = &W_T(w, r, 0);
    for (int j = 0; j < w->N; j++) {
        if (w->at[j] < 0)
            continue;
        double a = tr[j];
        if (fabs(a) <= EPS_PIV)
            continue;
        if (w->hi[j] - w->lo[j] <= PRIMAL_TOL)
            continue;            /* fixed: cannot move */
        bool up = w->at[j] == 0; /* the direction j may move */
        /* x_b = beta - a x_j: raising x_b needs a < 0 when j goes up */
        bool ok = to_lower ? (up ? a < 0 : a > 0) : (up ? a > 0 : a < 0);
        if (!ok)
            continue;
        double rt = fabs(W_D(w, j) / a);
        if (rt < best - 1e-12 ||
            (rt <= best + 1e-12 &&
             (bland ? j < q : fabs(a) > fabs(best_alpha)))) {
            best = rt;
            best_alpha = a;
            q = j;
        }
    }
    *ratio = best;
    return q;
}

/* Iterate the dual simplex to optimality; MP_LP_*. */
static int dual_run(mp_lp *lp)
{
    lp_warm *w = &lp->w;
    long maxit = 50L * (w->m + w->N) + 1000;
    int stall = 0;
    basic_values(w);
    for (long it = 0; it < maxit; it++) {
        /* a pivot works on the whole tableau at worst */
        if (sv_lp_late(lp, (double)(w->m + 1) * (w->N + 1)))
            return MP_LP_STOPPED;
        bool bland = stall > 100;
        int r = dual_leaving(w, bland);
        if (r < 0)
            return MP_LP_OPTIMAL;
        int b = w->basis[r];
        bool to_lower = w->x[b] < w->lo[b];
        double target = to_lower ? w->lo[b] : w->hi[b], ratio;
        int q = dual_entering(w, r, to_lower, bland, &ratio);
        if (q < 0)
            return MP_LP_INFEASIBLE;
        /* the entering variable moves by theta; every basic value with it */
        double theta = (w->x[b] - target) / W_T(w, r, q);
        double xq = nb_value(w, q) + theta;
        for (int i = 0; i < w->m; i++) {
            double a = W_T(w, i, q);
            if (a != 0.0)
                w->x[w->basis[i]] -= a * theta;
        }
        warm_pivot(lp, r, q);
        w->at[b] = to_lower ? 0 : 1;
        w->x[q] = xq;
        /* the dual objective only rises; flat steps mean degeneracy */
        stall = ratio <= 1e-12 ? stall + 1 : 0;
    }
    return MP_LP_ITERLIMIT;
}

/* x satisfies every row and bound? (a guard against numerical drift) */
static bool check_solution(const mp_lp *lp, const double *x)
{
    for (int j = 0; j < lp->n; j++) {
        if (x[j] < lp->lo[j] - 1e-6 ||
            (lp->hi[j] >= 0 && x[j] > lp->hi[j] + 1e-6))
            return false;
    }
    for (int i = 0; i < lp->m; i++) {
        const lp_row *r = &lp->rows[i];
        double s = 0, scale = fabs(r->rhs);
        for (int k = 0; k < r->nnz; k++) {
            s += r->val[k] * x[r->idx[k]];
            scale += fabs(r->val[k] * x[r->idx[k]]);
        }
        double tol = 1e-6 * (1 + scale);
        if ((r->sense == 'L' && s > r->rhs + tol) ||
            (r->sense == 'G' && s < r->rhs - tol) ||
            (r->sense == 'E' && fabs(s - r->rhs) > tol))
            return false;
    }
    return true;
}

/* One dual simplex solve, warm when the stored tableau allows it. MP_LP_*
 * or RETRY. */
static int dual_solve(mp_lp *lp, double *x, double *obj)
{
    for (int j = 0; j < lp->n; j++)
        if (lp->cost[j] < 0)
            return RETRY; /* the slack basis is not dual feasible */
    for (int j = 0; j < lp->n; j++)
        if (lp->hi[j] >= 0 && lp->hi[j] < lp->lo[j] - PRIMAL_TOL)
            return MP_LP_INFEASIBLE;
    lp_warm *w = &lp->w;
    bool fresh =
        !w->valid || w->solves >= REFRESH_EVERY || !warm_update_bounds(lp);
    if (fresh) {
        int rc = warm_fresh(lp);
        if (rc)
            return rc;
    }
    w->solves++;
    int rc = dual_run(lp);
    if (rc == MP_LP_STOPPED)
        return rc; /* the tableau stays good for the next solve */
    if (rc == MP_LP_INFEASIBLE)
        return fresh ? MP_LP_INFEASIBLE : RETRY; /* confirm from scratch */
    if (rc != MP_LP_OPTIMAL) {
        w->valid = false;
        return RETRY;
    }
    for (int j = 0; j < lp->n; j++)
        x[j] = w->at[j] < 0 ? w->x[j] : nb_value(w, j);
    if (!check_solution(lp, x)) {
        w->valid = false;
        return RETRY;
    }
    double z = 0;
    for (int j = 0; j < lp->n; j++)
        z += lp->cost[j] * x[j];
    *obj = z;
    return MP_LP_OPTIMAL;
}

int mp_lp_solve(mp_lp *lp, double *x, double *obj)
{
    lp->work = 0;
    if (sv_lp_late(lp, HUGE_VAL))
        return MP_LP_STOPPED;
    int rc = dual_solve(lp, x, obj);
    if (rc == RETRY) {
        /* a warm start went wrong: once more from a fresh basis */
        lp->w.valid = false;
        rc = dual_solve(lp, x, obj);
    }
    if (rc == RETRY)
        rc = sv_primal_solve(lp, x, obj);
    return rc;
}
