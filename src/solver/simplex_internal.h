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
    int *nz;         /* N + 1: scratch (sv_tab_pivot, basic_values) */
    /* m + 1: rows a pivot changed since the fresh start (the others
     * hold only their row's coefficients, slack and rhs: a fresh start
     * of the same size clears just those) */
    unsigned char *dirty;
    int solves; /* warm solves since the last fresh start */
} lp_warm;

struct mp_lp {
    int n;                  /* columns */
    double *cost, *lo, *hi; /* per column; hi < 0: no upper bound */
    lp_row *rows;
    int m, cap; /* rows, allocated rows */
    long pivots;
    const double *deadline; /* NULL: none (mp_lp_set_deadline) */
    double work;            /* tableau entries since the clock was read */
    lp_warm w;
};

/* Pivot the dense rows x width tableau a on (r, c): row r divided by
 * a[r][c], column c eliminated from every other row, touching only the
 * nonzeros of row r. nz is scratch for width ints; dirty (NULL: not
 * asked, else rows entries) gets 1 for every row changed. */
void sv_tab_pivot(double *a, int rows, int width, int r, int c, int *nz,
                  unsigned char *dirty);

/* True when lp's deadline has passed. work is the tableau entries done
 * since the last call; the clock is read only once enough has added up
 * (pass HUGE_VAL to read it now). */
bool sv_lp_late(mp_lp *lp, double work);

/* Solve lp from scratch with the two-phase primal simplex; MP_LP_*. */
int sv_primal_solve(mp_lp *lp, double *x, double *obj);

#endif
