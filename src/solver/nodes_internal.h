/* SPDX-License-Identifier: Apache-2.0 */
/* nodes_internal.h - what the node solver (nodes.c) and the node plan
 * builder (node_plan.c) share. Private to src/solver/. */
#ifndef MIGPLAN_NODES_INTERNAL_H
#define MIGPLAN_NODES_INTERNAL_H

#include "solver_internal.h"

typedef struct ntype {
    int pool;
    int prof; /* single strategy: the one profile; -1: mixed */
} ntype;

typedef struct nsolve {
    const mp_db *db;
    const mp_request *req;
    const mp_solve_opts *o;
    double deadline;
    ntype types[MP_MAX_FLEET];
    int ntypes;
    mp_request sub; /* fleet: the types; tenants: copies with pins */
    mp_tenant *tenants;
    /* same-profile tenants with a choice: cands[k][0..ncand[k]) names */
    int *choosers, nchoosers;
    struct cand **cands;
    int *ncand;
    /* the best plan so far, on sub, and its node cost */
    mp_plan best;
    bool have, proven;
    double best_cost, lower_bound;
    int best_gpus, best_stranded;
    bool any_lb;
    long solves;
} nsolve;

/* Nodes per type (nn) that hold p's used GPUs, their cost and the GPUs;
 * false when a pool's count is exceeded. */
bool sv_pack_counts(const nsolve *ns, const mp_plan *p, int *nn, double *cost,
                    int *gpus);

/* out's nodes and GPUs from ns->best: per pool its used nodes, type by
 * type (GPUs packed, `spread: nodes` tenants on distinct nodes, single
 * nodes all-<profile>), then its unused ones; numbered, node cost.
 * MP_ENOMEM, MP_EINTERNAL. */
int sv_build_nodes(nsolve *ns, mp_plan *out);

#endif
