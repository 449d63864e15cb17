/* SPDX-License-Identifier: Apache-2.0 */
/* simplex_internal.h - the LP as both simplex methods see it: the rows and
 * bounds (simplex.c owns them and the dual simplex's warm tableau), and the
 * primal simplex (simplex_primal.c) that solves from scratch. Private to
 * src/solver/. */
#ifndef MIGPLAN_SIMPLEX_INTERNAL_H
#define MIGPLAN_SIMPLEX_INTERNAL_H

#include <stdbool.h>

#include "migplan/solver/simplex.h"

#define EPS_PIV 1e-9  /* smaller pivot elements count as zero */
#define EPS_FEAS 1e-7 /* primal feasibility */

typedef struct lp_row {
    int nnz;
    int *idx;
    double *val;
    char sense; /* 'L', 'G' or 'E' */
    double rhs;
} lp_row;

/* The dual simplex keeps its tableau between solves: branch and bound
 * only changes bounds, which leaves the last basis dual feasible, so a
 * child node usually needs a handful of pivots instead of a solve from
 * scratch. */
typedef struct lp_warm {
    bool valid;
    int m, N; /* rows, columns: n structural then m slacks */
    /* (m + 1) x (N + 1): rows B^-1 [A I | b], then the reduced costs;
     * the one allocation, which the arrays below share */
    double *t;
    int *basis;      /* m */
    signed char *at; /* N: -1 basic, 0 at lower, 1 at upper */
    double *lo, *hi; /* N: bounds the tableau was last solved with */
    double *x;       /* N: values */
    int solves;      /* warm solves since the last fresh start */
} lp_warm;

struct mp_lp {
    int n;                  /* columns */
    double *cost, *lo, *hi; /* per column; hi < 0: no upper bound */
    lp_row *rows;
    int m, cap; /* rows, allocated rows */
    long pivots;
    lp_warm w;
};

/* Pivot the dense rows x width tableau a on (r, c): row r divided by
 * a[r][c], column c eliminated from every other row. */
void sv_tab_pivot(double *a, int rows, int width, int r, int c);

/* Solve lp from scratch with the two-phase primal simplex; MP_LP_*. */
int sv_primal_solve(mp_lp *lp, double *x, double *obj);

#endif
