/* SPDX-License-Identifier: Apache-2.0 */
/* nodes_internal.h - what the node solver (nodes.c) and the node plan
 * builder (node_plan.c) share. Private to src/solver/. */
#ifndef MIGPLAN_NODES_INTERNAL_H
#define MIGPLAN_NODES_INTERNAL_H

#include "solver_internal.h"

#define NT_WHOLE (-2)

typedef struct ntype {
    int pool;
    /* single strategy: the one profile, or NT_WHOLE (MIG disabled on the
     * node, whole GPUs only: all-disabled); -1: mixed */
    int prof;
} ntype;

typedef struct nsolve {
    const mp_db *db;
    const mp_request *req;
    const mp_solve_opts *o;
    /* the search ends at deadline (only ever moved earlier: slow_deadline),
     * the run at limit_end; t0 and cpu0: the start, in wall and CPU time;
     * post: the CPU seconds the phases after the search are expected to
     * take (packing nodes, checking, writing the plan) */
    double deadline, limit_end, t0, cpu0, post;
    ntype types[MP_MAX_FLEET];
    int ntypes;
    mp_request sub; /* fleet: the types; tenants: copies with pins */
    mp_tenant *tenants;
    mp_tenant *best_tenants; /* the tenants (pins) of the best plan */
    /* same-profile tenants with a choice: cands[k][0..ncand[k]) names */
    int *choosers, nchoosers;
    struct cand **cands;
    int *ncand;
    /* the best plan so far, on sub, and its node cost */
    mp_plan best;
    bool have, proven;
    /* which choices eval_choice evaluates: 1, those whose GPU optimum packs
     * into the pools' node counts (cheap, and it gives the incumbent that
     * bounds the rest), then 2, the others; 0: either (root_incumbent) */
    int pass;
    int unfit; /* choices pass 1 left to pass 2 */
    double best_cost, lower_bound;
    /* the root incumbent (nodes.c: root_incumbent), set aside while the
     * search runs: its plan, pins, node cost and GPUs */
    mp_plan first;
    mp_tenant *first_tenants;
    bool have_first;
    double first_cost;
    int first_gpus;
    int best_gpus, best_stranded;
    /* per tenant: the most replicas of a `spread: nodes` tenant on one
     * node in the best plan, and in the plan offered (node_spread) */
    int *best_spread, *spread_try;
    bool any_lb;
    bool explain; /* GPU solves give a reason when there is no plan */
    long solves;
} nsolve;

/* Nodes per type (nn) that hold p's used GPUs, their cost and the GPUs;
 * false when a pool's count is exceeded. *exact (NULL: not asked) false
 * when the packing of some type's tensor-parallel replicas is not proven
 * to use the fewest nodes. */
bool sv_pack_counts(const nsolve *ns, const mp_plan *p, int *nn, double *cost,
                    int *gpus, bool *exact);

/* A count of nodes per node type, its cost and GPUs. */
typedef struct nvec {
    int n[MP_MAX_FLEET];
    double cost;
    int gpus;
} nvec;

/* node_search_vec.c. The vectors of node counts within the pools' counts
 * costing from lo to below hi that the current pins (ns->sub) can use,
 * cheapest first (then fewest GPUs), into v (room for max): the cheapest
 * max of them. *overflow 1 when some were left out (each dearer than
 * or as dear as every one kept), 2 when the walk stopped at the deadline
 * with a plan in hand (cheaper ones may be missing), else 0. Returns how
 * many. */
int sv_node_vectors(const nsolve *ns, double lo, double hi, nvec *v, int max,
                    int *overflow);

/* node_search_bound.c. A lower bound on the node cost of every plan
 * with the current pins (ns->tenants): the nodes the replicas pinned to a
 * profile on single nodes need (a node carries one profile), at the
 * cheapest; INFINITY when the single pools cannot hold them. */
double sv_single_bound(const nsolve *ns);

/* A GPU solve of ns->sub with at most cnt[k] GPUs of type k (nodes.c:
 * solve_sub): share of the time left, spread as there. */
typedef int (*nsub_fn)(nsolve *ns, const int *cnt, double share, bool spread,
                       mp_plan *out, mp_diag *d);

/* node_search_bound.c. A lower bound on every plan's node cost, given one
 * (lo) and a plan costing hi: the cheapest node-count vector from lo up
 * whose GPUs the relaxation without pins (ns->tenants unpinned) does not
 * prove too few, hi when every vector below hi is. lo when the time is
 * up first. MP_ENOMEM, or solve's error. */
int sv_lattice_bound(nsolve *ns, double lo, double hi, nsub_fn solve,
                     double *bound, mp_diag *d);

/* node_pack.c. The fewest bins of room cap that hold items of the given
 * sizes, largest first (size[] non-increasing); bin (NULL or room for n)
 * gets each item's bin. *exact false when a step budget ran out before
 * the count was proven. -1 when out of memory. */
int sv_bin_pack(const int *size, int n, int cap, int *bin, bool *exact);

/* The tensor-parallel replicas (whole-gpu: N, N > 1) on p's GPUs of type
 * k: tenant by tenant, one group per N of the tenant's GPUs in plan
 * order; their sizes into size (NULL: only counted). */
int sv_type_groups(const nsolve *ns, const mp_plan *p, int k, int *size);

/* The nodes of type k that hold p's GPUs of that type with each group of
 * sv_type_groups on one node; bin (NULL or room for the groups) gets each
 * group's node. *exact as for sv_bin_pack. -1 when out of memory. */
int sv_type_nodes(const nsolve *ns, const mp_plan *p, int k, int *bin,
                  bool *exact);

/* out's nodes and GPUs from ns->best: per pool its used nodes, type by
 * type (GPUs packed, `spread: nodes` tenants on distinct nodes, single
 * nodes all-<profile>), then its unused ones; numbered, node cost.
 * MP_ENOMEM, MP_EINTERNAL. */
int sv_build_nodes(nsolve *ns, mp_plan *out);

/* The CPU seconds the phases after the search take (node_plan.c). */
double sv_nodes_post_cpu(const mp_request *r);

#endif
