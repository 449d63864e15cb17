/* SPDX-License-Identifier: Apache-2.0 */
/* solver_internal.h - what the stages of the plan solver share. Private to
 * src/solver/; names are sv_* (solver-internal, not API).
 *
 * mp_solve (solve.c) runs a pipeline, one file per stage:
 *   classes.c     fleet entries, and tenants grouped into classes that can
 *                 use the same profiles;
 *   formulate.c   the pattern LP: one integer column per maximal geometry
 *                 of each fleet entry, whole GPUs, replicas per class;
 *   search.c      branch and bound on it: a candidate (model and its best
 *                 solution) and a proven lower bound;
 *   heuristics.c  a greedy start, and a dive and large neighbourhoods for
 *                 big requests;
 *   assign.c      the exact replica assignment of a candidate (max-flow)
 *                 and the GPUs it describes;
 *   tidy.c        per GPU: profiles and placements that leave the most
 *                 usable capacity free;
 *   plan.c        the mp_plan from a candidate: GPUs in order, numbered;
 *   spread.c      spread tenants capped per GPU at the optimum cost;
 *   explain.c     why there is no plan, and what would help;
 *   nodes.c       node pools: node types, same-profile choices, the fewest
 *                 (cheapest) nodes;
 *   node_plan.c   their GPUs packed into nodes, and the node rules checked;
 *   validate.c    mp_plan_validate, independent of all the above.
 */
#ifndef MIGPLAN_SOLVER_INTERNAL_H
#define MIGPLAN_SOLVER_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "migplan/model/geometry.h"
#include "migplan/model/request.h"
#include "migplan/solver/simplex.h"
#include "migplan/solver/solver.h"
#include "migplan/util/hashidx.h"

#define SV_MAX_CLASSES 4096

/* A fleet entry as the solver sees it. */
typedef struct sv_item {
    const mp_model *m;
    int fleet; /* the request's fleet entry it stands for */
    int count; /* -1: unlimited */
    double cost;
    bool useful[MP_MAX_PROFILES]; /* some class can use the profile */
    mp_geom_list geoms;           /* maximal over the useful profiles */
} sv_item;

/* Tenants that can use the same profiles of every fleet entry; their
 * replicas are interchangeable. A spread tenant being capped has a class
 * of its own. */
typedef struct sv_class {
    uint32_t elig[MP_MAX_FLEET]; /* eligible profiles per fleet entry */
    long long demand;            /* replicas */
    int *tenants;                /* members, in request order */
    int ntenants;
    int capped_tenant; /* >= 0: a spread tenant alone, capped per GPU */
    int cap;           /* > 0: at most this many replicas per GPU */
} sv_class;

/* A column of the LP: x (item, geom) GPUs laid out as a geometry, w (item,
 * tenant) whole GPUs, y (class, item, prof) replicas in profile slots, v
 * (class, item, geom, prof) the same per geometry for capped classes, n
 * (item) the GPUs of a fleet entry when costs differ (branched on first). */
typedef struct sv_var {
    char kind; /* 'x', 'w', 'y', 'v' or 'n' */
    int cls, item, geom, prof, tenant;
    double cost; /* in the objective */
    bool is_int;
} sv_var;

/* GPUs one unit of column v takes: 1 for x, the tenant's GPUs per replica
 * for w (whole-gpu: N), 0 for y and v. */
static inline int sv_var_gpus(const mp_request *r, const sv_var *v)
{
    return v->kind == 'x'   ? 1
           : v->kind == 'w' ? mp_tenant_gpus(&r->tenants[v->tenant])
                            : 0;
}

typedef struct sv_model {
    mp_lp *lp;
    sv_var *v; /* nv columns */
    int nv, cap;
    double cost_cap; /* < 0: none; plans must cost at most this */
    int ncount;      /* n columns: the last ncount of the nv */
} sv_model;

/* A model and the best solution found for it: one owner, one free. */
typedef struct sv_cand {
    sv_model md;
    bool have;       /* a plan was found */
    double *best;    /* md.nv values of the best plan, integral x and w */
    double best_obj; /* its cost */
    /* what the search proved */
    bool timeout;         /* stopped by a limit: not every node explored */
    bool root_infeasible; /* the LP relaxation has no solution */
    double root_bound;    /* the relaxation's bound, on the cost lattice */
    double open_bound;    /* the smallest bound of a node left open */
} sv_cand;

typedef struct sv_memo sv_memo; /* tidy.c: finished GPUs by contents */

typedef struct sv_solver {
    const mp_db *db; /* for suggestions in reasons; may be NULL */
    const mp_request *req;
    const mp_solve_opts *o;
    sv_item items[MP_MAX_FLEET]; /* one per fleet entry, same order */
    int nitems;
    sv_class *classes; /* SV_MAX_CLASSES allocated */
    int nclasses;
    int *class_of;   /* per tenant, -1 for whole-GPU tenants */
    double deadline; /* the search's (solve.c) */
    /* solve.c: when the solve must end (the limit less what checking,
     * warnings and output need), and when tidying must stop for the rest
     * of the plan to fit; tidy.c sets tidy_cut when it stopped */
    double end, tidy_deadline;
    bool tidy_cut;
    /* solve.c: the limit's end and the process's CPU clock at the start:
     * the deadlines above follow how slowly a loaded machine runs us
     * (recomputed at most every SV_DEADLINES_EVERY seconds within a phase,
     * deadlines_at the last time) */
    double limit_end, cpu0, deadlines_at;
    /* for progress: the root bound of the last search (search.c), and
     * the plan's incumbent and bound once the search is over (< 0: none) */
    double search_bound, plan_best, plan_bound;
    bool integral_costs;
    double cost_step; /* every plan's cost is a multiple of this (0: none) */
    long lp_solves, nodes, pivots;
    /* tidy.c: finished GPUs (memo_index.n of them), found by hash */
    sv_memo *memo;
    int capmemo;
    mp_hashidx memo_index;
    double t0;         /* when the solve started */
    const char *phase; /* for progress reports */
} sv_solver;

/* One GPU of a candidate: its layout slots and the tenant in each. */
typedef struct sv_slot {
    int profile;
    int tenant; /* -1 free */
} sv_slot;

typedef struct sv_gpu {
    int item;
    int geom; /* -1 for a whole GPU */
    int whole_tenant;
    sv_slot slots[MP_MAX_GIS];
    int nslots;
    int run_end; /* GPUs up to this index have the same entry and slots */
} sv_gpu;

/* solve.c */
double sv_now(void);     /* seconds, monotonic */
double sv_cpu_now(void); /* seconds of CPU this process has used */
/* The plan checks out independently of how it was found (mp_plan_validate):
 * 0, MP_ENOMEM or MP_EINTERNAL with d set. */
int sv_self_check(const mp_plan *out, mp_diag *d);
/* The end of a solve that started at t0 and got rc: the seconds, then a
 * feasible plan checked (sv_self_check) and warned about (mp_plan_warn);
 * out freed when that fails or rc did. Returns the final rc. */
int sv_plan_finish(mp_plan *out, double t0, int rc, mp_diag *d);

/* classes.c */
int sv_classes_setup(sv_solver *s); /* MP_ENOMEM, MP_ELIMIT */
void sv_classes_free(sv_solver *s);
/* Give spread tenant t a class of its own capped at cap per GPU. */
int sv_class_split(sv_solver *s, int t, int cap); /* MP_ENOMEM, MP_ELIMIT */

/* formulate.c */
static inline int sv_cnt(const sv_item *it, int g, int p)
{
    return it->geoms.v[g].count[p];
}
/* The LP of s's classes; cost_cap >= 0 bounds the total cost. out is
 * owned by the caller (sv_model_free) even on error. MP_ENOMEM, or
 * MP_EINFEASIBLE when a class or whole tenant has no column. */
int sv_formulate(sv_solver *s, double cost_cap, sv_model *out);
void sv_model_free(sv_model *md);
/* The n columns of x (md->nv values) set from its x and w columns. */
void sv_fill_counts(const sv_solver *s, const sv_model *md, double *x);

/* search.c */
/* Formulate and search: out (freed by the caller with sv_cand_free, even
 * on error) holds the model and the best plan found, if any (out->have);
 * first_only stops at the first plan. MP_ENOMEM. */
int sv_candidate(sv_solver *s, double cost_cap, bool first_only, sv_cand *out);
void sv_cand_free(sv_cand *c);
/* A relaxation bound rounded up to the lattice of plan costs. */
double sv_bound_of(const sv_solver *s, double obj);
/* The lower bound c's search proved (c->have). */
double sv_proven_bound(const sv_solver *s, const sv_cand *c);
/* Report progress through the options' callback, if any: entering phase
 * (NULL: the same phase), with the best plan of c (NULL: none known). */
void sv_progress(sv_solver *s, const char *phase, const sv_cand *c);

/* Branch and bound within the bounds set on c's LP, at most nodes nodes
 * and until deadline, improving c's plan. */
int sv_subsearch(sv_solver *s, sv_cand *c, long nodes, double deadline);

/* heuristics.c */
/* First fit of every replica: x (md->nv) gets a plan and *found is true,
 * or *found is false. Ignores the cost cap. MP_ENOMEM. */
int sv_greedy(sv_solver *s, const sv_model *md, double *x, bool *found);
/* A dive and large neighbourhoods from the root LP solution xlp. */
int sv_heuristics(sv_solver *s, sv_cand *c, const double *xlp);

/* assign.c */
/* The exact replica assignment for integral x: *ok when every replica has
 * a slot; alloc (md->nv, may be NULL) gets the integral y and v. */
int sv_assign(sv_solver *s, const sv_model *md, const double *x,
              long long *alloc, bool *ok);
/* The GPUs of x with every replica in a slot (by alloc); *out is the
 * caller's to free. MP_ENOMEM, MP_EINTERNAL. */
int sv_expand(sv_solver *s, const sv_model *md, const double *x,
              const long long *alloc, sv_gpu **out, int *nout);

/* tidy.c */
/* Profiles, placements and creation order of g, as plan GPU pg. */
int sv_tidy_gpu(sv_solver *s, const sv_gpu *g, mp_plan_gpu *pg);
void sv_tidy_free(sv_solver *s);

/* plan.c */
/* An empty plan GPU of fleet entry `fleet` (model m): used or not, whole
 * for tenant whole_tenant (-1: none), MIG enabled when used and not
 * whole, no GPU instances, every tenant and replica -1. */
void sv_plan_gpu_init(mp_plan_gpu *pg, int fleet, const mp_model *m, bool used,
                      int whole_tenant);
/* plan->gpus, n_gpus, gpus_used and cost from c's plan; plan->gpus is the
 * caller's (mp_plan_free) even on error. MP_ENOMEM, MP_EINTERNAL. */
int sv_plan_build(sv_solver *s, const sv_cand *c, mp_plan *plan);
/* GPU indices in order, replicas numbered in GPU order (by start slot
 * within a GPU), gpus_used and the cost of the used GPUs. MP_ENOMEM. */
int sv_plan_number(const mp_request *r, mp_plan *plan);
/* A node plan's nodes_used and cost: the used nodes' pool costs. */
void sv_plan_node_cost(const mp_request *r, mp_plan *plan);
/* < 0, 0, > 0 as plan a changes its node less than, as much as or more
 * than b: fewer instances in use destroyed, then fewer destroyed, then
 * fewer created. */
int sv_plan_changes_cmp(const mp_plan *a, const mp_plan *b);

/* spread.c */
/* Spread the spread tenants of plan (cost best_cost) as far as the
 * optimum allows. MP_ENOMEM. */
int sv_spread(sv_solver *s, mp_plan *plan, double best_cost);

/* nodes.c */
/* mp_solve for a request with node pools (same contract). */
int sv_nodes_solve(const mp_db *db, const mp_request *req,
                   const mp_solve_opts *o, mp_plan *out, mp_diag *d);
/* The node rules of a plan with pools: nodes whole and node-local indices,
 * one profile per single-strategy node, one profile per same-profile
 * tenant, the node cost. Free instances are fine on single nodes. */
int sv_nodes_validate(const mp_plan *p, char *why, size_t n);

/* current.c */
/* mp_solve from o->current (same contract). */
int sv_current_solve(const mp_db *db, const mp_request *req,
                     const mp_solve_opts *o, mp_plan *out, mp_diag *d);
/* Does instance q of g stay from p->current (same profile, same start)? */
bool sv_current_keeps(const mp_plan *p, const mp_plan_gpu *g, int q);
/* What p->current says of the instance q of g stays as (NULL: created). */
const mp_gi_state *sv_current_gi(const mp_plan *p, const mp_plan_gpu *g, int q);

/* current_whole.c */
/* "process NAME" of an instance in use (or a whole GPU), with ", pid P"
 * when pid and the state knows it, appended to b (size n, at *k). */
void sv_proc_name(const mp_gi_state *s, bool pid, char *b, size_t n, size_t *k);
/* The advice closing a "needs the room of instances in use" reason,
 * appended to b (size n, at *k): busy: MIG instances in use are named,
 * held: processes on whole GPUs are; nodes: the request has node pools. */
void sv_blocked_advice(const mp_solve_opts *o, bool busy, bool held, bool nodes,
                       char *b, size_t n, size_t *k);

/* node_current.c */
/* mp_solve of node pools from o->node_current (same contract). */
int sv_node_current_solve(const mp_db *db, const mp_request *req,
                          const mp_solve_opts *o, mp_plan *out, mp_diag *d);

/* explain.c */
/* A tenant no GPU of the fleet can serve: true with plan->reason set. */
bool sv_explain_unplaceable(const sv_solver *s, mp_plan *plan);
/* Why the search c found no plan, in plan->reason. MP_ENOMEM. */
int sv_explain_no_plan(sv_solver *s, const sv_cand *c, mp_plan *plan);

#endif
