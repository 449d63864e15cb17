/* SPDX-License-Identifier: Apache-2.0 */
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
#include <stddef.h>

#include "migplan/model/geometry.h"
#include "migplan/model/gpu_layout.h"
#include "migplan/model/gpu_change.h"
#include "migplan/model/request.h"
#include "migplan/readers/state_reader.h"
#include "migplan/solver/node_current.h"
#include "migplan/util/findings.h"

/* One GPU of a plan: what it holds (the layout every emitter and the
 * script builder read) and who uses it. */
typedef struct mp_plan_gpu {
    int index; /* GPU index in fleet order (mig-parted's `devices`) */
    int fleet; /* fleet entry */
    bool used;
    int whole_tenant; /* tenant with the whole GPU, -1 when none */
    int whole_replica;
    /* not used, yet changed: a GPU of an all-disabled node of a single
     * pool (planned from the nodes' states) that serves no replica. Its
     * node's label makes mig-parted disable MIG on every GPU, so the plan
     * destroys its instances and disables MIG on it too (layout: MIG off,
     * no instance), and its change is counted, shown and scripted. */
    bool emptied;
    /* Model, MIG on or off (off for unused and whole GPUs), the GPU
     * instances in a safe creation order, and the driver flags. */
    mp_gpu_layout layout;
    /* Per GPU instance q (indexed like layout.gis.gi[]): the tenant it
     * serves (index into req->tenants) and which replica (0-based). */
    int tenant[MP_MAX_GIS];
    int replica[MP_MAX_GIS];
    /* with node pools: the node (index into plan->nodes) and the GPU's
     * node-local index (0..gpus-1, as nvidia-smi numbers it there) */
    int node, node_index;
    /* An unused GPU standing for a run (mp_solve_opts.unused_runs): how
     * many more GPUs just like it follow, at indices index + 1 ..
     * index + repeat; 0 otherwise. Walk a plan's GPUs one by one with
     * mp_plan_next_gpu, or count them with mp_plan_gpus_total. */
    int repeat;
} mp_plan_gpu;

/* A node of a plan with node pools. */
typedef struct mp_plan_node {
    int pool; /* index into req->pools */
    int k;    /* node number within its pool, 0-based (its name) */
    bool used;
    int profile;   /* single strategy: the profile of every GPU, else -1 */
    int first_gpu; /* plan->gpus[first_gpu ..] are its pool's gpus GPUs */
    /* planned from node states (mp_solve_opts.node_states): the node's
     * state, NULL when none was given (its GPUs were taken as empty) */
    const mp_node_state *state;
} mp_plan_node;

typedef struct mp_plan {
    const mp_request *req;
    bool feasible;
    char reason[2048]; /* why not, when infeasible */
    mp_plan_gpu *gpus; /* every GPU of the plan, in index order */
    int n_gpus;
    int n_repeated; /* the sum of the gpus' repeat (runs of unused GPUs) */
    int gpus_used;
    /* with node pools: every node, used ones first per pool (cost is then
     * the cost of the used nodes) */
    mp_plan_node *nodes;
    int n_nodes;
    int nodes_used;
    double cost;        /* total cost of the used GPUs */
    double lower_bound; /* no plan costs less (proven) */
    bool optimal;       /* cost == lower bound, proven */
    bool time_limit_hit;
    bool spread_cut;     /* a limit stopped spreading before it was proven as
                          * far as the optimum allows */
    bool tidy_cut;       /* the time limit stopped tidying: some GPUs keep the
                          * solver's profiles, placed but not re-chosen */
    bool integral_costs; /* every cost is a whole number */
    /* how the answer was found, for --verbose and benchmarks */
    int classes, patterns, columns, rows;
    long lp_solves, bb_nodes, lp_pivots;
    double seconds;
    /* of which: the search, building the plan (assignment, tidying),
     * spreading, and checking it (validation, warnings) */
    double search_seconds, build_seconds, spread_seconds, check_seconds;
    /* node pools from node states: choices of nodes whose plan failed its
     * own validation and was discarded (a bug, said with --verbose), and
     * the first one's reason */
    int discarded;
    char discard_why[256];
    /* planned from a running node: mapping the plan's GPUs onto the
     * existing ones (current_map.c), every attempt up to this plan's */
    double map_seconds;
    /* planned from a running node, for -v: the attempts made (one solve
     * of the rest each), those the deadline kept from starting, and the
     * phase during which the deadline passed ("": none) with how late it
     * ended */
    int attempts, attempts_skipped;
    char late_phase[64];
    double late_by;
    /* where the plan may disappoint (mp_plan_warn), filled by mp_solve */
    mp_findings warnings;
    /* planned from a running node (mp_solve_opts.current): the state, and
     * what the plan changes on it (mp_plan_gpu_change per GPU, summed) */
    const mp_node_state *current;
    /* with node states: current is this, every node's GPUs at the plan's
     * GPU indices, owned by the plan (mp_plan_free) */
    mp_node_state *own_state;
    bool reset_unused; /* unused GPUs get MIG disabled, not left as is */
    struct {
        int destroyed, created, gpus_touched, in_use_destroyed;
        bool minimal; /* fewest destroyed, then created, proven */
        /* fewest instances in use destroyed proven (a slice count bound,
         * --allow-disruption); true too when none is destroyed */
        bool in_use_minimal;
        /* no plan of as many GPUs destroys fewer instances in use (0:
         * no bound known; set when the cost is proven) */
        int in_use_bound;
    } disruption;
} mp_plan;

/* Where a solve is, for a progress line. */
typedef struct mp_solve_progress {
    const char *phase; /* "setup", "search", "plan", "spread", "check" */
    long nodes;        /* branch-and-bound nodes explored so far */
    double best;       /* cost of the best plan found, < 0: none yet */
    double bound;      /* proven lower bound so far, < 0: none yet */
    double seconds;    /* since the solve started */
} mp_solve_progress;

typedef struct mp_solve_opts {
    /* seconds for the whole solve, every phase: past it the best plan
     * found is kept (with its gap), spreading and tidying are cut (the
     * plan says so); <= 0: default 5 */
    double time_limit;
    /* seconds the caller needs after mp_solve returns (to write the
     * plan), taken from the limit; < 0: an estimate from the request */
    double reserve;
    bool no_spread; /* skip the spread phase */
    bool no_tidy;   /* keep the solver's profile choice per GPU */
    /* no plan: give no reason (a caller that only asks whether there is
     * a plan; explaining costs more than the solve) */
    bool no_explain;
    /* called at each phase and each branch-and-bound node (NULL: never),
     * so it should return at once unless it is time to report; it only
     * reports, and must not touch the request */
    void (*progress)(void *ctx, const mp_solve_progress *p);
    void *progress_ctx;
    /* Plan from this state (NULL: from empty GPUs; see current.c): the
     * instances in use are kept, the GPUs the plan does not need are left
     * as they are unless reset_unused. allow_disruption: instances in use
     * may be destroyed when the request needs their room. */
    const mp_node_state *current;
    bool allow_disruption, reset_unused;
    /* current: a GPU with an instance in use counts as used even when it
     * serves no replica (node pools, whose nodes in use are always in the
     * plan); else only GPUs serving a replica count, and a GPU the plan
     * does not need, busy or not, is left as it is and costs nothing */
    bool busy_used;
    /* With node pools: plan from the nodes' states (node_current.h), each
     * node given in node_current[0..n_node_current), the others empty.
     * allow_disruption and reset_unused apply as with current. */
    bool node_states;
    const mp_node_current *node_current;
    int n_node_current;
    /* A fleet plan from empty GPUs (no current, no node pools): write each
     * fleet entry's unused GPUs as one record standing for the run
     * (mp_plan_gpu.repeat), not one record per GPU: a plan of a million
     * replicas offered 1.2 million GPUs holds the used ones only. For
     * callers whose every reader of the plan walks it with
     * mp_plan_next_gpu or mp_plan_gpus_total (ignored otherwise). */
    bool unused_runs;
} mp_solve_opts;

/* Solve req (db, which may be NULL, is used to suggest larger models in
 * reasons). Returns 0 with out filled (feasible or not: see out->feasible
 * and out->reason; out must be freed with mp_plan_free), or MP_ENOMEM,
 * MP_ELIMIT (too many distinct tenant kinds) or MP_EINTERNAL with d set
 * and nothing left to free. */
int mp_solve(const mp_db *db, const mp_request *req, const mp_solve_opts *o,
             mp_plan *out, mp_diag *d);

void mp_plan_free(mp_plan *p);

/* How many GPUs plan p stands for: its records and their runs. */
int mp_plan_gpus_total(const mp_plan *p);

/* The last GPU index record g stands for (g->index unless a run). */
int mp_plan_gpu_last(const mp_plan_gpu *g);

/* A walk over every GPU of a plan, one GPU at a time in index order, a
 * run of unused GPUs given as its GPUs: start it with
 * MP_PLAN_WALK(p); pos is the record's position in p->gpus. */
typedef struct mp_plan_walk {
    const mp_plan *p;
    int pos, off;
    mp_plan_gpu one; /* the GPU of a run being given */
} mp_plan_walk;
#define MP_PLAN_WALK(plan)                                                     \
    {                                                                          \
        .p = (plan), .pos = 0, .off = 0                                        \
    }

/* The next GPU of w (NULL past the last): the record itself, or for a
 * GPU of a run a copy in w (valid until the next call) with its own
 * index and no repeat. */
const mp_plan_gpu *mp_plan_next_gpu(mp_plan_walk *w);

/* Check a plan independently of how it was found: every used GPU of its
 * fleet entry's model with a valid layout (mp_gpu_layout_validate, driver
 * flags included), every replica served exactly once by an instance that
 * meets its needs, fleet counts respected, the cost adding up. Returns 0,
 * MP_EINTERNAL with a reason, or MP_ENOMEM. */
int mp_plan_validate(const mp_plan *p, char *why, size_t n);

/* Warnings about a feasible plan p, added to out, each at its tenant in
 * the request: "little-spare" (an instance leaves a replica less than the
 * request's min_spare_mib beyond what it asks), "no-nvenc" (a media tenant
 * that did not ask for an encoder on instances without NVENC),
 * "inferred-profile" (a tenant on a profile or whole GPU with inferred
 * data). Returns 0 or MP_ENOMEM. */
int mp_plan_warn(const mp_plan *p, mp_findings *out);

/* "embed#2" for placed unit `unit` of tenant t (an instance, or a whole-GPU
 * replica); "embed#2-3" when the instance serves replicas 2 and 3. */
void mp_plan_unit_label(const mp_tenant *t, int unit, char *buf, size_t n);

/* The memory the replicas served by unit `unit` of t ask, together. */
long long mp_plan_unit_asked(const mp_tenant *t, int unit);
/* The plan as node j of p sees it: a shallow copy of p whose gpus are the
 * node's, indexed 0..gpus-1 (node-local), and no nodes; planned from node
 * states, its current is the node's (an empty one when it had none). out->gpus
 * is the caller's to free (free()); the rest points into p. MP_ENOMEM. */
int mp_plan_node_view(const mp_plan *p, int j, mp_plan *out);

/* The node of p named name (a node name of its pools), or -1. */
int mp_plan_find_node(const mp_plan *p, const char *name);

/* The state plan p was planned from for its GPU g: p->current's, or, for
 * a GPU it does not list (or with no state at all), *empty, filled as an
 * empty MIG-enabled GPU of g's fleet model. */
const mp_gpu_state *mp_plan_gpu_state(const mp_plan *p, const mp_plan_gpu *g,
                                      mp_gpu_state *empty);

/* What plan p changes on its GPU g, from p->current (an unlisted GPU is
 * empty; with no state, every GPU is). An unused GPU is left as it is
 * unless p->reset_unused or g->emptied. Returns 0 or MP_EINTERNAL. */
int mp_plan_gpu_change(const mp_plan *p, const mp_plan_gpu *g,
                       mp_gpu_change *out);

/* Replicas of tenant t on GPU g (a whole GPU counts as one). */
int mp_plan_gpu_replicas(const mp_plan_gpu *g, int t);

/* Most replicas of tenant t on any one GPU. */
int mp_plan_max_per_gpu(const mp_plan *p, int t);

/* For every tenant t in one pass over the GPUs: gpus[t] GPUs hold some of
 * its replicas, at most most[t] on one (either may be NULL). */
void mp_plan_tenant_spread(const mp_plan *p, int *gpus, int *most);

/* Where each tenant's units (instances and whole GPUs) are, so that a
 * question about one tenant costs its units, not the whole plan: tenant
 * t's are entries start[t] .. start[t + 1] - 1 of gpu (index into
 * p->gpus) and gi (GPU instance, -1 for a whole GPU), in GPU order and by
 * instance within a GPU. */
typedef struct mp_plan_units {
    int *start; /* n_tenants + 1 */
    int *gpu;
    signed char *gi;
} mp_plan_units;

/* Build u for p (mp_plan_units_free it). 0 or MP_ENOMEM (u empty). */
int mp_plan_units_build(const mp_plan *p, mp_plan_units *u);
void mp_plan_units_free(mp_plan_units *u);

#endif
