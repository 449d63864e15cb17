/* SPDX-License-Identifier: Apache-2.0 */
/* simplex.h - linear programs for the plan solver.
 *
 * min c'x subject to rows sum(a_k x_k) <= / >= / = b and bounds
 * lo_j <= x_j <= hi_j. The solver's LPs are small (tens to a few hundred
 * rows and columns, small integer coefficients), so the tableau is dense.
 *
 * Branch and bound only changes column bounds between solves, which leaves
 * the last optimal basis dual feasible: a bounded dual simplex keeps its
 * tableau from solve to solve (a warm start) and usually needs a handful of
 * pivots per node, starting afresh every so often against drift. With a
 * negative cost (no dual feasible start) or when the dual simplex gives up
 * or its answer fails a check against the rows, a dense two-phase primal
 * simplex (Dantzig pricing, Bland's rule after stalling) solves from
 * scratch. Integrality is the branch and bound's job; exact integer
 * assignments come from max-flow (maxflow.h), never from floating point.
 */
#ifndef MIGPLAN_SIMPLEX_H
#define MIGPLAN_SIMPLEX_H

typedef struct mp_lp mp_lp;

/* An LP over ncols columns with no rows, costs 0 and bounds 0 <= x_j
 * (no upper bound). NULL on allocation failure. Free with mp_lp_free. */
mp_lp *mp_lp_new(int ncols);
/* Accepts NULL. */
void mp_lp_free(mp_lp *lp);

/* Column j (0 <= j < ncols) gets cost c. */
void mp_lp_set_cost(mp_lp *lp, int j, double c);
/* Column j gets bounds lo <= x_j <= hi; hi < 0 means no upper bound. A
 * warm start survives bound changes. */
void mp_lp_set_bounds(mp_lp *lp, int j, double lo, double hi);
void mp_lp_get_bounds(const mp_lp *lp, int j, double *lo, double *hi);

/* Add the row sum(val[k] * x[idx[k]], k < nnz) SENSE rhs, SENSE one of 'L'
 * (<=), 'G' (>=), 'E' (=). The arrays are copied. Returns the row index,
 * or -1 on allocation failure (the LP is unchanged). Discards any warm
 * start. */
int mp_lp_add_row(mp_lp *lp, const int *idx, const double *val, int nnz,
                  char sense, double rhs);

int mp_lp_ncols(const mp_lp *lp);
int mp_lp_nrows(const mp_lp *lp);

enum {
    MP_LP_OPTIMAL = 0,
    MP_LP_INFEASIBLE = 1,
    MP_LP_UNBOUNDED = 2,
    MP_LP_ITERLIMIT = 3,
    MP_LP_NOMEM = 4,
    MP_LP_STOPPED = 5 /* the deadline passed first: no answer */
};

/* Solves stop with MP_LP_STOPPED once the monotonic clock (seconds of
 * CLOCK_MONOTONIC, the solver's sv_now) passes *when: it is read as a solve
 * starts and then every so much tableau work (a few milliseconds at
 * most), so *when may move between and during solves. NULL (the
 * default): no deadline. The LP keeps the pointer; *when must outlive its
 * solves. A stopped solve leaves the LP ready for the next one. */
void mp_lp_set_deadline(mp_lp *lp, const double *when);

/* Solve with the current bounds and costs. Returns MP_LP_*; on
 * MP_LP_OPTIMAL x (ncols values) and *obj get an optimum, otherwise they
 * are unspecified (MP_LP_STOPPED: no answer, not infeasible). */
int mp_lp_solve(mp_lp *lp, double *x, double *obj);

/* Simplex pivots done by every solve so far (for statistics). */
long mp_lp_pivots(const mp_lp *lp);

#endif
