/* solver.h - the solver: tenants onto the fewest (or cheapest) GPUs.
 *
 * The primary objective is exact: the number of GPUs (or their total cost)
 * is minimised over every valid geometry of every fleet model, with a
 * lower bound from the LP relaxation of a pattern model (one column per
 * maximal geometry) and branch and bound to prove it. Among optimal plans
 * the solver then spreads the replicas of `spread` tenants over distinct
 * GPUs as far as the optimum allows, and picks each GPU's profiles and
 * placements to leave the most usable capacity free.
 */
#ifndef MIGPLAN_SOLVER_H
#define MIGPLAN_SOLVER_H

#include <stdbool.h>

#include "migplan/model/geometry.h"
#include "migplan/model/request.h"

typedef struct mp_plan_inst {
    int profile; /* index into model->profiles */
    int start;
    int tenant;  /* index into req->tenants */
    int replica; /* 0-based replica of that tenant */
} mp_plan_inst;

typedef struct mp_plan_gpu {
    int index; /* GPU index in fleet order (mig-parted's `devices`) */
    int fleet; /* fleet entry */
    const mp_model *model;
    bool used;
    bool mig_enabled;
    int whole_tenant; /* tenant with the whole GPU, -1 when none */
    int whole_replica;
    int n;
    mp_plan_inst inst[MP_MAX_GIS]; /* in a safe creation order */
    bool driver_order; /* that order also works when the driver places */
    bool driver_exact; /* ... and lands on the same start slots */
} mp_plan_gpu;

typedef struct mp_plan {
    const mp_request *req;
    bool feasible;
    char reason[2048]; /* why not, when infeasible */
    mp_plan_gpu *gpus; /* every GPU of the plan, in index order */
    int n_gpus;
    int gpus_used;
    double cost;        /* total cost of the used GPUs */
    double lower_bound; /* no plan costs less (proven) */
    bool optimal;       /* cost == lower bound, proven */
    bool time_limit_hit;
    bool integral_costs; /* every cost is a whole number */
    /* how the answer was found, for --verbose and benchmarks */
    int classes, patterns, columns, rows;
    long lp_solves, bb_nodes, lp_pivots;
    double seconds;
} mp_plan;

typedef struct mp_solve_opts {
    double time_limit; /* seconds for the whole solve; <= 0: default 5 */
    bool no_spread;    /* skip the spread phase */
    bool no_tidy;      /* keep the solver's profile choice per GPU */
} mp_solve_opts;

/* Solve req (db, which may be NULL, is used to suggest larger models in
 * reasons). Returns 0 with out filled (feasible or not: see out->feasible
 * and out->reason; out must be freed with mp_plan_free), or MP_ENOMEM,
 * MP_ELIMIT (too many distinct tenant kinds) or MP_EINTERNAL with d set
 * and nothing left to free. */
int mp_solve(const mp_db *db, const mp_request *req, const mp_solve_opts *o,
             mp_plan *out, mp_diag *d);

void mp_plan_free(mp_plan *p);

/* Check a plan independently of how it was found: every GPU's layout valid
 * (geometry engine), every replica served exactly once by an instance that
 * meets its needs, fleet counts respected. Returns 0 or MP_EINTERNAL with
 * a reason. */
int mp_plan_validate(const mp_plan *p, char *why, size_t n);

/* Most replicas of tenant t on any one GPU. */
int mp_plan_max_per_gpu(const mp_plan *p, int t);

#endif
