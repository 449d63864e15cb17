/* SPDX-License-Identifier: Apache-2.0 */
/* current_internal.h - what the two files of planning from a running node
 * share (current.c: the GPUs, the instances kept and the room in use;
 * current_busy.c: a busy GPU's layout; current_map.c: the rest of the request
 * on the other GPUs, mapped onto them to keep the most). Private to
 * src/solver/; names are cur_*. */
#ifndef MIGPLAN_CURRENT_INTERNAL_H
#define MIGPLAN_CURRENT_INTERNAL_H

#include "solver_internal.h"

/* kinds of attempts, by how long they take (current.c) */
#define CUR_KINDS 5

/* CUR_HELD: MIG disabled and a process on the whole GPU: left as it is */
enum { CUR_EMPTY, CUR_IDLE, CUR_BUSY, CUR_HELD };

/* A GPU of the node, by index (fleet order). */
typedef struct cur_gpu {
    int index, fleet;
    const mp_gpu_state *st; /* NULL: not listed, no instances */
    int kind;       /* CUR_EMPTY, CUR_IDLE (no process), CUR_BUSY, CUR_HELD */
    bool relaxed;   /* busy, but its instances may go (disruption) */
    bool aside;     /* busy, left as it is: serves nothing (disruption) */
    bool taken;     /* in the plan */
    mp_plan_gpu pg; /* what it holds when taken */
} cur_gpu;

typedef struct cur {
    const mp_db *db;
    const mp_request *req;
    const mp_solve_opts *o;
    const mp_node_state *st;
    cur_gpu *g; /* n GPUs, cap allocated */
    int n, cap;
    long long *left; /* per tenant, units still to place */
    bool time_limit_hit;
    double deadline;    /* sv_now() seconds: when the whole solve should end */
    double map_seconds; /* mapping the rest's plan onto the GPUs, so far */
    /* building every attempt's plan and its changes, and spreading (-v) */
    double build_seconds, spread_seconds;
    /* an attempt found a valid plan: later solves of the rest get no
     * minimum slice of time, and none starts past the deadline */
    bool have_plan;
    bool stopped; /* the deadline stopped this attempt (it is dropped) */
    int attempts, skipped; /* attempts made, and kept from starting (-v) */
    char late[64];         /* the phase the deadline passed in, or "" */
    double late_by;        /* how long after the deadline it ended */
    /* seconds in the solves of the rest so far, and per kind of attempt
     * (current.c) the longest one took besides its solve (what a new one
     * needs at least), known for the kinds whose bit is set */
    double rest_seconds, fixed_seconds[CUR_KINDS];
    int fixed_known;
    /* busy GPUs: bit 0 set, fewest destroyed first (else most served);
     * bit 1 set, an instance in use need not serve the tenant named like
     * its process; bit 2 set, each busy GPU serves at most its share of
     * what is left (so the first does not take every small replica and
     * leave the large ones no room) */
    int mode;
    int disrupt_budget; /* CUR_JOINT: instances in use that may go */
    /* CUR_SMALL: no plan found (blocked), or every plan weighed (exact) */
    bool small_blocked, exact;
    /* the plan CUR_SMALL proved the best: its cost and changes (instances
     * in use destroyed, destroyed, created) */
    bool have_proven;
    double proven_cost;
    int proven_ch[3];
    mp_gpu_state *empty; /* CUR_SMALL: GPUs without a state, as empty */
} cur;

#define CUR_JOINT 8  /* mode: the busy GPUs chosen together */
#define CUR_SMALL 16 /* mode: every GPU's layout, all combinations */
#define CUR_ASIDE 32 /* mode: the busy GPUs serve nothing, left as they are */
#define CUR_KEEP 64  /* mode: every GPU as it is, the rest placed elsewhere */

/* Does GPU g count even when the plan serves nothing on it: it holds an
 * instance in use and either o->busy_used or the instance's process is
 * named like a tenant it fits (then it is a replica of that tenant)? */
bool cur_counts_busy(const cur *c, const cur_gpu *g);

/* Is tenant t served by whole GPUs only? */
bool cur_whole(const mp_tenant *t);

/* The held GPUs (MIG disabled, a process on them) named like a whole-GPU
 * tenant, as many of its replicas as they make per fleet entry
 * (whole-gpu: N takes N of them), taken (current_whole.c). */
void cur_place_held(cur *c);

/* Place what c->left still holds on the GPUs that are not busy (a solve of
 * the rest, mapped onto the GPUs keeping the most instances). *blocked:
 * the rest does not fit them (plan->reason says why). MP_ENOMEM... */
int cur_place_rest(cur *c, bool *blocked, mp_plan *out, mp_diag *d);

/* Busy GPU g's layout: of those keeping its instances in use, the one
 * serving the most of c->left, then destroying and creating the fewest;
 * c->left less what it serves. MP_ENOMEM, MP_EINTERNAL. */
int cur_place_busy_gpu(cur *c, cur_gpu *g, int busy_left);

/* GPU g, not busy, given pg by the rest's plan: the layout that serves
 * the same replicas with the fewest destroyed, then created, instances.
 * MP_ENOMEM, MP_EINTERNAL. */
int cur_refine(const cur *c, cur_gpu *g);

/* A target of a busy GPU: its layout, how many of its instances per
 * profile may serve a tenant (those serving a tenant by name are not
 * counted) and what it changes. */
typedef struct cur_opt {
    mp_layout l;
    int cnt[MP_MAX_PROFILES];
    int destroyed, created, in_use_destroyed, size;
} cur_opt;

/* Targets, one per count vector (the one changing least), found through a
 * hash of the counts. */
typedef struct cur_opts {
    cur_opt *v;
    int n, cap;
    int *slot; /* hcap entries: an index into v, or -1 */
    int hcap;
    bool nomem;
    bool cut; /* the walk stopped early: not every layout is in */
} cur_opts;

/* Add o, or keep the one of the same counts changing less. Sets
 * opts->nomem when out of memory. */
void cur_opts_add(cur_opts *opts, const cur_opt *o);
void cur_opts_free(cur_opts *opts);

/* May tenant t of r serve an instance of profile p of model m on a GPU of
 * fleet entry fleet: t takes it, the entry offers it, and a pin to single
 * (profile-limited) entries or to the others holds
 * (mp_request_profile_masks: node pools)? */
bool cur_takes(const mp_request *r, int t, int fleet, const mp_model *m, int p);

/* Every target of busy GPU s (of fleet entry fleet) that keeps its instances in
 * use (disrupt: or not), by counts. The instances in use named like a tenant of
 * need serve it (not with disrupt): fixed[q] is the tenant of instance q or -1,
 * and need loses them. MP_ENOMEM. */
int cur_busy_options(const cur *c, const mp_gpu_state *s, int fleet,
                     long long *need, bool disrupt, int *fixed, cur_opts *out);

/* Every busy GPU's layout, chosen together to serve the most of c->left
 * (larger replicas first), then to change the fewest instances; c->left
 * less what they serve. Instances in use may be destroyed, at most
 * c->disrupt_budget of them. MP_ENOMEM, MP_EINTERNAL. */
int cur_place_busy_joint(cur *c);

/* A small node (a few GPUs, plain tenants): every combination of every
 * GPU's layouts (a GPU without instances in use, or relaxed, may also be
 * left as it is), the cheapest that serves all of c->left, then the one
 * destroying and creating the fewest instances. c->exact when every
 * combination was weighed, c->small_blocked when none serves it all or
 * the search is too large. MP_ENOMEM, MP_EINTERNAL. */
int cur_place_small(cur *c);

/* CUR_KEEP: every GPU not yet taken keeps its layout as it is, its
 * instances serving the replicas of c->left they fit (an instance in use
 * the tenant named like its process; else the tenant taking the fewest
 * profiles), the GPUs with the most instances that can serve first; c->left
 * less what they serve. c->small_blocked when a tenant asks for one profile
 * for all its replicas (keeping cannot promise it). MP_ENOMEM. */
int cur_place_keep(cur *c);

/* The fewest instances in use that any plan using `gpus` GPUs destroys
 * (0 when no bound applies: GPUs of several models or costs, or a fleet
 * entry without a count). Reasoning, for each resource r in turn (memory
 * slices, compute slices): every unit of tenant t takes an instance of a
 * profile that serves t, so it takes at least s(t), the r of t's smallest
 * such profile (or of its whole GPUs); the instances of a GPU take
 * disjoint slices, so the plan's GPUs hold at most gpus * R and the
 * request takes at least sum of s(t) * units: the slack is the difference.
 * A busy GPU whose instances in use all stay wastes at least w, the sum
 * over them of their size less the largest s(t) of the tenants they fit
 * (their whole size when they fit none), and the wastes of such GPUs in
 * the plan cannot exceed the slack: at most K of them, K the most whose
 * smallest wastes fit it. The plan's other GPUs are either GPUs with no
 * instance in use (F of them) or busy GPUs losing at least one instance
 * in use, so at least gpus - F - K of them lose one. Example:
 * tests/data/current/cur64-*: 55 GPUs of 8 memory slices for 40 units of
 * 8 and 30 of 4: no slack; 4 of the 23 busy GPUs waste none, 41 GPUs have
 * nothing in use: at least 55 - 41 - 4 = 10. */
int cur_in_use_bound(const cur *c, int gpus);

/* `spread: gpus` on plan p: each spread tenant's replicas moved, by swaps
 * with replicas of tenants that are not spread on instances of the same
 * profile (or with idle instances kept), from a GPU with more of them to
 * one with at least two fewer, while one can. The layouts stay, so do the
 * changes and the cost; instances in use keep their replicas. MP_ENOMEM. */
int cur_spread(mp_plan *p);

/* A GPU of the node beyond the listed ones (an unlimited fleet entry):
 * its index, or MP_ENOMEM. */
int cur_append(cur *c, int fleet);

#endif
