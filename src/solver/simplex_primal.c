/* SPDX-License-Identifier: Apache-2.0 */
/* simplex_primal.c - the dense two-phase primal simplex: the fallback of
 * the dual simplex (simplex.c) for negative costs, iteration limits and
 * answers that fail their check. It solves from scratch.
 *
 * Columns are shifted to x = lo + x' (x' >= 0); a finite upper bound
 * becomes a row x'_j <= hi_j - lo_j. Rows are negated where needed so that
 * every right-hand side is non-negative; <= rows start with their slack in
 * the basis, >= and = rows with an artificial column. Phase 1 minimises the
 * artificials, phase 2 the real costs. Pricing is Dantzig's (most negative
 * reduced cost), switching to Bland's rule (smallest index) after 50
 * pivots that do not move the objective, so the method cannot cycle. */
#include "simplex_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct tab {
    int m, N;     /* rows, columns (without the rhs) */
    double *a;    /* (m + 1) x (N + 1), row m is the objective */
    int *basis;   /* column basic in each row */
    int art0;     /* first artificial column */
    bool *banned; /* columns that may not enter */
    int *nz;      /* N + 1: scratch for sv_tab_pivot */
    mp_lp *lp;    /* its pivot count and deadline */
} tab;

#define T(t, i, j) ((t)->a[(size_t)(i) * (size_t)((t)->N + 1) + (size_t)(j)])

/* The rows after shifting and sign changes. */
typedef struct prows {
    int m; /* the LP's rows, then one per bounded column */
    char *sense;
    double *rhs, *sign;
    int nslack, nart;
} prows;

static void pivot(tab *t, int r, int c)
{
    sv_tab_pivot(t->a, t->m + 1, t->N + 1, r, c, t->nz, NULL);
    t->basis[r] = c;
    t->lp->pivots++;
}

/* The entering column: the most negative reduced cost, or with bland the
 * first negative one; -1 when none (optimal). */
static int entering(const tab *t, bool bland)
{
    int enter = -1;
    double best = -EPS_PIV;
    for (int j = 0; j < t->N; j++) {
        if (t->banned[j])
            continue;
        double d = T(t, t->m, j);
        if (d < best) {
            enter = j;
            if (bland)
                break;
            best = d;
        }
    }
    return enter;
}

/* The leaving row by the ratio test, ties to the smallest basic column;
 * -1 when the column is unbounded. */
static int leaving(const tab *t, int enter)
{
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
    return leave;
}

/* Minimise the objective row; returns MP_LP_*. */
static int run(tab *t, long maxit)
{
    int stall = 0;
    double last = T(t, t->m, t->N);
    for (long it = 0; it < maxit; it++) {
        if (sv_lp_late(t->lp, (double)(t->m + 1) * (t->N + 1)))
            return MP_LP_STOPPED;
        int enter = entering(t, stall > 50);
        if (enter < 0)
            return MP_LP_OPTIMAL;
        int leave = leaving(t, enter);
        if (leave < 0)
            return MP_LP_UNBOUNDED;
        pivot(t, leave, enter);
        double now = T(t, t->m, t->N);
        stall = fabs(now - last) < 1e-12 ? stall + 1 : 0;
        last = now;
    }
    return MP_LP_ITERLIMIT;
}

static void prows_free(prows *p)
{
    free(p->sense);
    free(p->rhs);
    free(p->sign);
}

/* Shift the rows by the lower bounds, add the bound rows, and make every
 * right-hand side non-negative. */
static int prows_make(const mp_lp *lp, prows *p)
{
    int nb = 0;
    for (int j = 0; j < lp->n; j++)
        nb += lp->hi[j] >= 0;
    int m = p->m = lp->m + nb;
    p->sense = malloc((size_t)(m ? m : 1));
    p->rhs = malloc((size_t)(m ? m : 1) * sizeof(double));
    p->sign = malloc((size_t)(m ? m : 1) * sizeof(double));
    if (!p->sense || !p->rhs || !p->sign)
        return MP_LP_NOMEM;
    for (int i = 0; i < lp->m; i++) {
        const lp_row *r = &lp->rows[i];
        double b = r->rhs;
        for (int k = 0; k < r->nnz; k++)
            b -= r->val[k] * lp->lo[r->idx[k]];
        p->sense[i] = r->sense;
        p->rhs[i] = b;
    }
    for (int j = 0, bi = lp->m; j < lp->n; j++)
        if (lp->hi[j] >= 0) {
            p->sense[bi] = 'L';
            p->rhs[bi++] = lp->hi[j] - lp->lo[j];
        }
    for (int i = 0; i < m; i++) {
        p->sign[i] = p->rhs[i] < 0 ? -1.0 : 1.0;
        char s = p->sense[i];
        if (p->sign[i] < 0)
            s = s == 'L' ? 'G' : (s == 'G' ? 'L' : 'E');
        p->sense[i] = s;
        p->rhs[i] *= p->sign[i];
        p->nslack += s != 'E';
        p->nart += s != 'L';
    }
    return MP_LP_OPTIMAL;
}

static void tab_free(tab *t)
{
    free(t->a);
    free(t->basis);
    free(t->banned);
    free(t->nz);
}

/* The starting tableau: slack or artificial basis. */
static int tab_make(mp_lp *lp, const prows *p, tab *t)
{
    int m = p->m, n = lp->n;
    t->m = m;
    t->N = n + p->nslack + p->nart;
    t->art0 = n + p->nslack;
    t->lp = lp;
    t->a = calloc((size_t)(m + 1) * (size_t)(t->N + 1), sizeof(double));
    t->basis = malloc((size_t)(m ? m : 1) * sizeof(int));
    t->banned = calloc((size_t)t->N + 1, sizeof(bool));
    t->nz = malloc(((size_t)t->N + 1) * sizeof(int));
    if (!t->a || !t->basis || !t->banned || !t->nz)
        return MP_LP_NOMEM;
    int sc = n, ac = t->art0, bcol = 0;
    for (int i = 0; i < m; i++) {
        if (i < lp->m) {
            const lp_row *r = &lp->rows[i];
            for (int k = 0; k < r->nnz; k++)
                T(t, i, r->idx[k]) += p->sign[i] * r->val[k];
        } else {
            /* the bound rows, in column order */
            while (lp->hi[bcol] < 0)
                bcol++;
            T(t, i, bcol++) = p->sign[i];
        }
        T(t, i, t->N) = p->rhs[i];
        if (p->sense[i] == 'L') {
            T(t, i, sc) = 1.0;
            t->basis[i] = sc++;
            continue;
        }
        if (p->sense[i] == 'G')
            T(t, i, sc++) = -1.0;
        T(t, i, ac) = 1.0;
        t->basis[i] = ac++;
    }
    return MP_LP_OPTIMAL;
}

/* Phase 1: minimise the sum of the artificials, then drive them out of
 * the basis where possible and ban them. */
static int phase1(tab *t, long maxit)
{
    int m = t->m;
    for (int i = 0; i < m; i++)
        if (t->basis[i] >= t->art0)
            for (int j = 0; j <= t->N; j++)
                T(t, m, j) -= T(t, i, j);
    for (int j = t->art0; j < t->N; j++)
        T(t, m, j) = 0.0;
    int rc = run(t, maxit);
    if (rc != MP_LP_OPTIMAL)
        return rc;
    if (-T(t, m, t->N) > EPS_FEAS * (1 + m))
        return MP_LP_INFEASIBLE;
    for (int i = 0; i < m; i++) {
        if (t->basis[i] < t->art0)
            continue;
        for (int j = 0; j < t->art0; j++)
            if (fabs(T(t, i, j)) > 1e-7) {
                pivot(t, i, j);
                break;
            }
    }
    for (int j = t->art0; j < t->N; j++)
        t->banned[j] = true;
    return MP_LP_OPTIMAL;
}

/* Phase 2: the real objective, priced out against the basis. */
static int phase2(const mp_lp *lp, tab *t, long maxit)
{
    int m = t->m, n = lp->n;
    for (int j = 0; j <= t->N; j++)
        T(t, m, j) = 0.0;
    for (int j = 0; j < n; j++)
        T(t, m, j) = lp->cost[j];
    for (int i = 0; i < m; i++) {
        int b = t->basis[i];
        double cb = b < n ? lp->cost[b] : 0.0;
        if (cb != 0.0)
            for (int j = 0; j <= t->N; j++)
                T(t, m, j) -= cb * T(t, i, j);
    }
    return run(t, maxit);
}

int sv_primal_solve(mp_lp *lp, double *x, double *obj)
{
    for (int j = 0; j < lp->n; j++)
        if (lp->hi[j] >= 0 && lp->hi[j] < lp->lo[j] - EPS_FEAS)
            return MP_LP_INFEASIBLE;
    prows p;
    tab t;
    memset(&p, 0, sizeof(p));
    memset(&t, 0, sizeof(t));
    int rc = prows_make(lp, &p);
    if (!rc)
        rc = tab_make(lp, &p, &t);
    long maxit = 50L * (t.m + t.N) + 1000;
    if (!rc && p.nart)
        rc = phase1(&t, maxit);
    if (!rc)
        rc = phase2(lp, &t, maxit);
    if (!rc) {
        for (int j = 0; j < lp->n; j++)
            x[j] = lp->lo[j];
        for (int i = 0; i < t.m; i++)
            if (t.basis[i] < lp->n)
                x[t.basis[i]] += T(&t, i, t.N);
        double z = 0;
        for (int j = 0; j < lp->n; j++)
            z += lp->cost[j] * x[j];
        *obj = z;
    }
    tab_free(&t);
    prows_free(&p);
    return rc;
}
