/* lp.c - a bounded dual simplex with warm starts (the workhorse of branch
 * and bound), a dense two-phase primal simplex (its fallback), and Dinic's
 * max-flow. */
#include "migplan/solver/lp.h"

#include "migplan/util/buf.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define EPS_PIV 1e-9
#define EPS_FEAS 1e-7

typedef struct row {
    int nnz;
    int *idx;
    double *val;
    char sense;
    double rhs;
} row;

/* The dual simplex keeps its tableau between solves: branch and bound
 * only changes bounds, which leaves the last basis dual feasible, so a
 * child node usually needs a handful of pivots instead of a solve from
 * scratch. */
typedef struct warm {
    bool valid;
    int m, N;        /* rows, columns: n structural then m slacks */
    double *t;       /* m x N: B^-1 [A I] */
    double *beta;    /* m: B^-1 b */
    double *d;       /* N: reduced costs */
    int *basis;      /* m */
    signed char *at; /* N: -1 basic, 0 at lower, 1 at upper */
    double *lo, *hi; /* N: bounds the tableau was last solved with */
    double *x;       /* N: scratch values */
    int solves;      /* warm solves since the last fresh start */
} warm;

struct mp_lp {
    int n;
    double *cost, *lo, *hi;
    row *rows;
    int m, cap;
    long pivots;
    warm w;
};

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

static void warm_free(warm *w)
{
    free(w->t);
    free(w->beta);
    free(w->d);
    free(w->basis);
    free(w->at);
    free(w->lo);
    free(w->hi);
    free(w->x);
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

void mp_lp_write(const mp_lp *lp, const bool *is_int, mp_buf *out)
{
    mp_buf_puts(out, "Minimize\n obj:");
    for (int j = 0; j < lp->n; j++)
        if (lp->cost[j] != 0)
            mp_buf_printf(out, " %+.17g x%d", lp->cost[j], j);
    mp_buf_puts(out, "\nSubject To\n");
    for (int i = 0; i < lp->m; i++) {
        const row *r = &lp->rows[i];
        mp_buf_printf(out, " r%d:", i);
        for (int k = 0; k < r->nnz; k++)
            mp_buf_printf(out, " %+.17g x%d", r->val[k], r->idx[k]);
        mp_buf_printf(out, " %s %.17g\n",
                      r->sense == 'L'   ? "<="
                      : r->sense == 'G' ? ">="
                                        : "=",
                      r->rhs);
    }
    mp_buf_puts(out, "Bounds\n");
    for (int j = 0; j < lp->n; j++) {
        if (lp->hi[j] >= 0)
            mp_buf_printf(out, " %.17g <= x%d <= %.17g\n", lp->lo[j], j,
                          lp->hi[j]);
        else if (lp->lo[j] != 0)
            mp_buf_printf(out, " x%d >= %.17g\n", j, lp->lo[j]);
    }
    bool any = false;
    for (int j = 0; j < lp->n; j++)
        if (is_int[j]) {
            mp_buf_printf(out, "%s x%d", any ? "" : "General\n", j);
            any = true;
        }
    mp_buf_puts(out, any ? "\nEnd\n" : "End\n");
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

int mp_lp_add_row(mp_lp *lp, const int *idx, const double *val, int nnz,
                  char sense, double rhs)
{
    if (lp->m == lp->cap) {
        int ncap = lp->cap ? lp->cap * 2 : 64;
        row *nr = realloc(lp->rows, (size_t)ncap * sizeof(*nr));
        if (!nr)
            return -1;
        lp->rows = nr;
        lp->cap = ncap;
    }
    row *r = &lp->rows[lp->m];
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

/* ------------------------------------------------------------ tableau */

typedef struct tab {
    int m, N;     /* rows, columns (without the rhs) */
    double *a;    /* (m + 1) x (N + 1), row m is the objective */
    int *basis;   /* column basic in each row */
    int nstruct;  /* structural columns */
    int art0;     /* first artificial column */
    bool *banned; /* columns that may not enter */
    long *pivots;
} tab;

#define T(t, i, j) ((t)->a[(size_t)(i) * (size_t)((t)->N + 1) + (size_t)(j)])

static void pivot(tab *t, int r, int c)
{
    double p = T(t, r, c);
    int W = t->N + 1;
    double *pr = &t->a[(size_t)r * (size_t)W];
    for (int j = 0; j < W; j++)
        pr[j] /= p;
    pr[c] = 1.0;
    for (int i = 0; i <= t->m; i++) {
        if (i == r)
            continue;
        double *pi = &t->a[(size_t)i * (size_t)W];
        double f = pi[c];
        if (f == 0.0)
            continue;
        for (int j = 0; j < W; j++)
            if (pr[j] != 0.0)
                pi[j] -= f * pr[j];
        pi[c] = 0.0;
    }
    t->basis[r] = c;
    (*t->pivots)++;
}

/* Minimise the objective row; returns MP_LP_* */
static int run(tab *t, long maxit)
{
    int stall = 0;
    double last = T(t, t->m, t->N);
    for (long it = 0; it < maxit; it++) {
        bool bland = stall > 50;
        int enter = -1;
        double best = -EPS_PIV;
        for (int j = 0; j < t->N; j++) {
            if (t->banned[j])
                continue;
            double d = T(t, t->m, j);
            if (d < best) {
                enter = j;
                if (bland)
                    break; /* smallest index with negative reduced cost */
                best = d;
            }
        }
        if (enter < 0)
            return MP_LP_OPTIMAL;
        int leave = -1;
        double ratio = 0;
        for (int i = 0; i < t->m; i++) {
            double a = T(t, i, enter);
            if (a <= EPS_PIV)
                continue;
            double q = T(t, i, t->N) / a;
            if (leave < 0 || q < ratio - 1e-12 ||
                (fabs(q - ratio) <= 1e-12 && t->basis[i] < t->basis[leave])) {
                leave = i;
                ratio = q;
            }
        }
        if (leave < 0)
            return MP_LP_UNBOUNDED;
        pivot(t, leave, enter);
        double now = T(t, t->m, t->N);
        if (fabs(now - last) < 1e-12)
            stall++;
        else
            stall = 0;
        last = now;
    }
    return MP_LP_ITERLIMIT;
}

/* The dense two-phase primal simplex, from scratch: the fallback when the
 * dual simplex cannot be used (negative costs) or gives up. */
static int primal_solve(mp_lp *lp, double *x, double *obj)
{
    int n = lp->n;
    /* rows: the constraints, then x'_j <= hi_j - lo_j for bounded columns */
    int nb = 0;
    for (int j = 0; j < n; j++)
        if (lp->hi[j] >= 0) {
            if (lp->hi[j] < lp->lo[j] - EPS_FEAS)
                return MP_LP_INFEASIBLE;
            nb++;
        }
    int m = lp->m + nb;
    /* count slack and artificial columns */
    char *sense = malloc((size_t)(m ? m : 1));
    double *rhs = malloc((size_t)(m ? m : 1) * sizeof(double));
    double *sign = malloc((size_t)(m ? m : 1) * sizeof(double));
    if (!sense || !rhs || !sign) {
        free(sense);
        free(rhs);
        free(sign);
        return MP_LP_NOMEM;
    }
    for (int i = 0; i < lp->m; i++) {
        const row *r = &lp->rows[i];
        double b = r->rhs;
        for (int k = 0; k < r->nnz; k++)
            b -= r->val[k] * lp->lo[r->idx[k]];
        sense[i] = r->sense;
        rhs[i] = b;
    }
    int bi = lp->m;
    for (int j = 0; j < n; j++)
        if (lp->hi[j] >= 0) {
            sense[bi] = 'L';
            rhs[bi] = lp->hi[j] - lp->lo[j];
            bi++;
        }
    int nslack = 0, nart = 0;
    for (int i = 0; i < m; i++) {
        sign[i] = rhs[i] < 0 ? -1.0 : 1.0;
        char s = sense[i];
        if (sign[i] < 0)
            s = s == 'L' ? 'G' : (s == 'G' ? 'L' : 'E');
        sense[i] = s;
        rhs[i] *= sign[i];
        if (s != 'E')
            nslack++;
        if (s != 'L')
            nart++;
    }
    tab t;
    t.m = m;
    t.nstruct = n;
    t.N = n + nslack + nart;
    t.art0 = n + nslack;
    t.pivots = &lp->pivots;
    t.a = calloc((size_t)(m + 1) * (size_t)(t.N + 1), sizeof(double));
    t.basis = malloc((size_t)(m ? m : 1) * sizeof(int));
    t.banned = calloc((size_t)t.N + 1, sizeof(bool));
    int rc = MP_LP_OPTIMAL;
    if (!t.a || !t.basis || !t.banned) {
        rc = MP_LP_NOMEM;
        goto out;
    }
    int sc = n, ac = t.art0;
    bi = lp->m;
    for (int i = 0; i < m; i++) {
        if (i < lp->m) {
            const row *r = &lp->rows[i];
            for (int k = 0; k < r->nnz; k++)
                T(&t, i, r->idx[k]) += sign[i] * r->val[k];
        } else {
            /* the bound rows, in column order */
            while (lp->hi[bi - lp->m] < 0)
                bi++;
            T(&t, i, bi - lp->m) = sign[i];
            bi++;
        }
        T(&t, i, t.N) = rhs[i];
        if (sense[i] == 'L') {
            T(&t, i, sc) = 1.0;
            t.basis[i] = sc++;
        } else if (sense[i] == 'G') {
            T(&t, i, sc++) = -1.0;
            T(&t, i, ac) = 1.0;
            t.basis[i] = ac++;
        } else {
            T(&t, i, ac) = 1.0;
            t.basis[i] = ac++;
        }
    }
    long maxit = 50L * (m + t.N) + 1000;
    /* phase 1: minimise the artificials */
    if (nart) {
        for (int i = 0; i < m; i++)
            if (t.basis[i] >= t.art0)
                for (int j = 0; j <= t.N; j++)
                    T(&t, m, j) -= T(&t, i, j);
        for (int j = t.art0; j < t.N; j++)
            T(&t, m, j) = 0.0;
        rc = run(&t, maxit);
        if (rc != MP_LP_OPTIMAL)
            goto out;
        if (-T(&t, m, t.N) > EPS_FEAS * (1 + m)) {
            rc = MP_LP_INFEASIBLE;
            goto out;
        }
        /* drive artificials out of the basis where possible */
        for (int i = 0; i < m; i++) {
            if (t.basis[i] < t.art0)
                continue;
            for (int j = 0; j < t.art0; j++)
                if (fabs(T(&t, i, j)) > 1e-7) {
                    pivot(&t, i, j);
                    break;
                }
        }
        for (int j = t.art0; j < t.N; j++)
            t.banned[j] = true;
    }
    /* phase 2: the real objective, priced out against the basis */
    for (int j = 0; j <= t.N; j++)
        T(&t, m, j) = 0.0;
    for (int j = 0; j < n; j++)
        T(&t, m, j) = lp->cost[j];
    for (int i = 0; i < m; i++) {
        int b = t.basis[i];
        double cb = b < n ? lp->cost[b] : 0.0;
        if (cb != 0.0)
            for (int j = 0; j <= t.N; j++)
                T(&t, m, j) -= cb * T(&t, i, j);
    }
    rc = run(&t, maxit);
    if (rc != MP_LP_OPTIMAL)
        goto out;
    for (int j = 0; j < n; j++)
        x[j] = lp->lo[j];
    for (int i = 0; i < m; i++)
        if (t.basis[i] < n)
            x[t.basis[i]] += T(&t, i, t.N);
    double z = 0;
    for (int j = 0; j < n; j++)
        z += lp->cost[j] * x[j];
    *obj = z;
out:
    free(t.a);
    free(t.basis);
    free(t.banned);
    free(sense);
    free(rhs);
    free(sign);
    return rc;
}

/* ------------------------------------------------------- dual simplex */

#define INF_B HUGE_VAL
#define DUAL_TOL 1e-9
#define PRIMAL_TOL 1e-7
#define REFRESH_EVERY 200 /* warm solves between fresh starts (drift) */

#define W_T(w, i, j) ((w)->t[(size_t)(i) * (size_t)(w)->N + (size_t)(j)])

static double nb_value(const warm *w, int j)
{
    return w->at[j] == 1 ? w->hi[j] : w->lo[j];
}

/* A fresh start: the slack basis, every structural at its lower bound.
 * With non-negative costs it is dual feasible, so no phase 1 is needed. */
static int warm_fresh(mp_lp *lp)
{
    warm *w = &lp->w;
    int m = lp->m, n = lp->n, N = n + m;
    if (!w->t || w->m != m || w->N != N) {
        warm_free(w);
        w->m = m;
        w->N = N;
        w->t = malloc((size_t)(m ? m : 1) * (size_t)N * sizeof(double));
        w->beta = malloc((size_t)(m ? m : 1) * sizeof(double));
        w->d = malloc((size_t)N * sizeof(double));
        w->basis = malloc((size_t)(m ? m : 1) * sizeof(int));
        w->at = malloc((size_t)N);
        w->lo = malloc((size_t)N * sizeof(double));
        w->hi = malloc((size_t)N * sizeof(double));
        w->x = malloc((size_t)N * sizeof(double));
        if (!w->t || !w->beta || !w->d || !w->basis || !w->at || !w->lo ||
            !w->hi || !w->x) {
            warm_free(w);
            return MP_LP_NOMEM;
        }
    }
    memset(w->t, 0, (size_t)m * (size_t)N * sizeof(double));
    for (int i = 0; i < m; i++) {
        const row *r = &lp->rows[i];
        for (int k = 0; k < r->nnz; k++)
            W_T(w, i, r->idx[k]) += r->val[k];
        W_T(w, i, n + i) = 1.0;
        w->beta[i] = r->rhs;
        w->basis[i] = n + i;
        /* slack bounds by sense: sum a x + s = rhs */
        w->lo[n + i] = r->sense == 'G' ? -INF_B : 0.0;
        w->hi[n + i] = r->sense == 'L' ? INF_B : 0.0;
        w->at[n + i] = -1;
        w->d[n + i] = 0.0;
    }
    for (int j = 0; j < n; j++) {
        w->lo[j] = lp->lo[j];
        w->hi[j] = lp->hi[j] < 0 ? INF_B : lp->hi[j];
        w->at[j] = 0;
        w->d[j] = lp->cost[j];
    }
    w->valid = true;
    w->solves = 0;
    return MP_LP_OPTIMAL;
}

static void warm_pivot(mp_lp *lp, int r, int q)
{
    warm *w = &lp->w;
    int m = w->m, N = w->N;
    double p = W_T(w, r, q);
    double *pr = &w->t[(size_t)r * (size_t)N];
    for (int j = 0; j < N; j++)
        pr[j] /= p;
    pr[q] = 1.0;
    w->beta[r] /= p;
    for (int i = 0; i < m; i++) {
        if (i == r)
            continue;
        double *pi = &w->t[(size_t)i * (size_t)N];
        double f = pi[q];
        if (f == 0.0)
            continue;
        for (int j = 0; j < N; j++)
            if (pr[j] != 0.0)
                pi[j] -= f * pr[j];
        pi[q] = 0.0;
        w->beta[i] -= f * w->beta[r];
    }
    double f = w->d[q];
    if (f != 0.0) {
        for (int j = 0; j < N; j++)
            if (pr[j] != 0.0)
                w->d[j] -= f * pr[j];
        w->d[q] = 0.0;
    }
    int leaving = w->basis[r];
    w->basis[r] = q;
    w->at[q] = -1;
    (void)leaving;
    lp->pivots++;
}

/* Bring the stored tableau to the current bounds. False when the basis is
 * no longer dual feasible (a fresh start is needed). */
static bool warm_update_bounds(mp_lp *lp)
{
    warm *w = &lp->w;
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
        if (w->at[j] == 0 && w->d[j] < -DUAL_TOL) {
            if (w->hi[j] == INF_B)
                return false;
            w->at[j] = 1;
        } else if (w->at[j] == 1 && w->d[j] > DUAL_TOL) {
            w->at[j] = 0;
        }
    }
    return true;
}

/* Iterate the dual simplex to optimality. */
static int dual_run(mp_lp *lp)
{
    warm *w = &lp->w;
    int m = w->m, N = w->N;
    long maxit = 50L * (m + N) + 1000;
    int stall = 0;
    /* basic values, then kept up to date pivot by pivot */
    for (int i = 0; i < m; i++) {
        double v = w->beta[i];
        const double *ti = &w->t[(size_t)i * (size_t)N];
        for (int j = 0; j < N; j++)
            if (w->at[j] >= 0 && ti[j] != 0.0)
                v -= ti[j] * nb_value(w, j);
        w->x[w->basis[i]] = v;
    }
    for (long it = 0; it < maxit; it++) {
        bool bland = stall > 100;
        int r = -1;
        double worst = 0;
        for (int i = 0; i < m; i++) {
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
        if (r < 0)
            return MP_LP_OPTIMAL;
        int b = w->basis[r];
        bool to_lower = w->x[b] < w->lo[b];
        double target = to_lower ? w->lo[b] : w->hi[b];
        /* entering column: the ratio test on the reduced costs */
        int q = -1;
        double best = INF_B, best_alpha = 0;
        const double *tr = &w->t[(size_t)r * (size_t)N];
        for (int j = 0; j < N; j++) {
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
            double ratio = fabs(w->d[j] / a);
            if (ratio < best - 1e-12 ||
                (ratio <= best + 1e-12 &&
                 (bland ? j < q : fabs(a) > fabs(best_alpha)))) {
                best = ratio;
                best_alpha = a;
                q = j;
            }
        }
        if (q < 0)
            return MP_LP_INFEASIBLE;
        /* the entering variable moves by theta; every basic value with it */
        double theta = (w->x[b] - target) / tr[q];
        double xq = nb_value(w, q) + theta;
        for (int i = 0; i < m; i++) {
            double a = W_T(w, i, q);
            if (a != 0.0)
                w->x[w->basis[i]] -= a * theta;
        }
        warm_pivot(lp, r, q);
        w->at[b] = to_lower ? 0 : 1;
        w->x[q] = xq;
        /* the dual objective only rises; flat steps mean degeneracy */
        if (best <= 1e-12)
            stall++;
        else
            stall = 0;
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
        const row *r = &lp->rows[i];
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

static int dual_solve(mp_lp *lp, double *x, double *obj)
{
    for (int j = 0; j < lp->n; j++)
        if (lp->cost[j] < 0)
            return -1; /* the slack basis is not dual feasible */
    for (int j = 0; j < lp->n; j++)
        if (lp->hi[j] >= 0 && lp->hi[j] < lp->lo[j] - PRIMAL_TOL)
            return MP_LP_INFEASIBLE;
    warm *w = &lp->w;
    bool fresh =
        !w->valid || w->solves >= REFRESH_EVERY || !warm_update_bounds(lp);
    if (fresh) {
        int rc = warm_fresh(lp);
        if (rc)
            return rc;
    }
    w->solves++;
    int rc = dual_run(lp);
    if (rc == MP_LP_OPTIMAL) {
        for (int j = 0; j < lp->n; j++)
            x[j] = w->at[j] < 0 ? w->x[j] : nb_value(w, j);
        if (!check_solution(lp, x)) {
            w->valid = false;
            return -1;
        }
        double z = 0;
        for (int j = 0; j < lp->n; j++)
            z += lp->cost[j] * x[j];
        *obj = z;
        return MP_LP_OPTIMAL;
    }
    if (rc == MP_LP_INFEASIBLE)
        return fresh ? MP_LP_INFEASIBLE : -1; /* confirm from scratch */
    w->valid = false;
    return -1;
}

int mp_lp_solve(mp_lp *lp, double *x, double *obj)
{
    int rc = dual_solve(lp, x, obj);
    if (rc == -1) {
        /* a warm start went wrong: once more from a fresh basis */
        lp->w.valid = false;
        rc = dual_solve(lp, x, obj);
    }
    if (rc == -1 || rc == MP_LP_ITERLIMIT)
        rc = primal_solve(lp, x, obj);
    return rc;
}

/* -------------------------------------------------------------- flow */

typedef struct edge {
    int to;
    long long cap, flow;
    int next;
} edge;

struct mp_flow {
    int n;
    int *head, *level, *it, *queue;
    edge *e;
    int ne, cap;
};

mp_flow *mp_flow_new(int nodes)
{
    mp_flow *f = calloc(1, sizeof(*f));
    if (!f)
        return NULL;
    f->n = nodes;
    f->head = malloc((size_t)nodes * sizeof(int));
    f->level = malloc((size_t)nodes * sizeof(int));
    f->it = malloc((size_t)nodes * sizeof(int));
    f->queue = malloc((size_t)nodes * sizeof(int));
    if (!f->head || !f->level || !f->it || !f->queue) {
        mp_flow_free(f);
        return NULL;
    }
    for (int i = 0; i < nodes; i++)
        f->head[i] = -1;
    return f;
}

void mp_flow_free(mp_flow *f)
{
    if (!f)
        return;
    free(f->head);
    free(f->level);
    free(f->it);
    free(f->queue);
    free(f->e);
    free(f);
}

int mp_flow_add_edge(mp_flow *f, int from, int to, long long cap)
{
    if (f->ne + 2 > f->cap) {
        int ncap = f->cap ? f->cap * 2 : 256;
        edge *ne = realloc(f->e, (size_t)ncap * sizeof(*ne));
        if (!ne)
            return -1;
        f->e = ne;
        f->cap = ncap;
    }
    int id = f->ne;
    f->e[f->ne] = (edge){to, cap, 0, f->head[from]};
    f->head[from] = f->ne++;
    f->e[f->ne] = (edge){from, 0, 0, f->head[to]};
    f->head[to] = f->ne++;
    return id;
}

static bool bfs(mp_flow *f, int s, int t)
{
    for (int i = 0; i < f->n; i++)
        f->level[i] = -1;
    int qh = 0, qt = 0;
    f->queue[qt++] = s;
    f->level[s] = 0;
    while (qh < qt) {
        int v = f->queue[qh++];
        for (int k = f->head[v]; k >= 0; k = f->e[k].next)
            if (f->e[k].cap - f->e[k].flow > 0 && f->level[f->e[k].to] < 0) {
                f->level[f->e[k].to] = f->level[v] + 1;
                f->queue[qt++] = f->e[k].to;
            }
    }
    return f->level[t] >= 0;
}

static long long dfs(mp_flow *f, int v, int t, long long pushed)
{
    if (v == t)
        return pushed;
    for (; f->it[v] >= 0; f->it[v] = f->e[f->it[v]].next) {
        int k = f->it[v];
        edge *e = &f->e[k];
        if (e->cap - e->flow <= 0 || f->level[e->to] != f->level[v] + 1)
            continue;
        long long d = dfs(
            f, e->to, t, pushed < e->cap - e->flow ? pushed : e->cap - e->flow);
        if (d > 0) {
            e->flow += d;
            f->e[k ^ 1].flow -= d;
            return d;
        }
    }
    return 0;
}

long long mp_flow_max(mp_flow *f, int source, int sink)
{
    long long total = 0;
    while (bfs(f, source, sink)) {
        for (int i = 0; i < f->n; i++)
            f->it[i] = f->head[i];
        long long d;
        while ((d = dfs(f, source, sink, (long long)1 << 62)) > 0)
            total += d;
    }
    return total;
}

long long mp_flow_edge_flow(const mp_flow *f, int edge_id)
{
    return f->e[edge_id].flow;
}
