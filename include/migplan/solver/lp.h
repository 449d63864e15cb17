/* lp.h - a small dense simplex and a max-flow, for the plan solver.
 *
 * Internal to the solver. The problems it sees are small (tens to a few
 * hundred rows, small integer coefficients), so a dense two-phase tableau
 * with Dantzig pricing and Bland's rule against cycling is enough, and easy
 * to trust. Integrality is the branch-and-bound's job (solver.c); exact
 * integer assignments come from the max-flow, never from floating point.
 */
#ifndef MIGPLAN_LP_H
#define MIGPLAN_LP_H

#include <stdbool.h>

typedef struct mp_lp mp_lp;

/* An LP over ncols variables, 0 <= x_j <= +inf, minimising 0 until costs
 * are set. NULL on allocation failure. */
mp_lp *mp_lp_new(int ncols);
void mp_lp_free(mp_lp *lp);

void mp_lp_set_cost(mp_lp *lp, int j, double c);
/* hi < 0 means no upper bound */
void mp_lp_set_bounds(mp_lp *lp, int j, double lo, double hi);
void mp_lp_get_bounds(const mp_lp *lp, int j, double *lo, double *hi);

/* Add a row sum(val[k] * x[idx[k]]) SENSE rhs, SENSE one of 'L', 'G', 'E'.
 * Returns the row index or -1 on allocation failure. */
int mp_lp_add_row(mp_lp *lp, const int *idx, const double *val, int nnz,
                  char sense, double rhs);

int mp_lp_ncols(const mp_lp *lp);
int mp_lp_nrows(const mp_lp *lp);

enum {
    MP_LP_OPTIMAL = 0,
    MP_LP_INFEASIBLE = 1,
    MP_LP_UNBOUNDED = 2,
    MP_LP_ITERLIMIT = 3,
    MP_LP_NOMEM = 4
};

/* Solve with the current bounds. x (ncols) and obj get the optimum. */
int mp_lp_solve(mp_lp *lp, double *x, double *obj);

/* Write the problem in CPLEX LP format (for cross-checks with GLPK or
 * CBC); is_int marks general integer columns, named x0, x1, ... */
struct mp_buf;
void mp_lp_write(const mp_lp *lp, const bool *is_int, struct mp_buf *out);

/* Pivots done by all solves so far (for benchmarks). */
long mp_lp_pivots(const mp_lp *lp);

/* ---- max-flow (Dinic) on integer capacities ---- */

typedef struct mp_flow mp_flow;

mp_flow *mp_flow_new(int nodes);
void mp_flow_free(mp_flow *f);
/* Returns the edge id (for mp_flow_edge_flow) or -1. */
int mp_flow_add_edge(mp_flow *f, int from, int to, long long cap);
long long mp_flow_max(mp_flow *f, int source, int sink);
long long mp_flow_edge_flow(const mp_flow *f, int edge);

#endif
