/* SPDX-License-Identifier: Apache-2.0 */
/* node_current_internal.h - what the planner of node pools from their
 * nodes' states (node_current.c) shares with its helpers. Private to
 * src/solver/. */
#ifndef MIGPLAN_NODE_CURRENT_INTERNAL_H
#define MIGPLAN_NODE_CURRENT_INTERNAL_H

#include "nodes_internal.h"

/* A node given a state. */
typedef struct nstated {
    int pool, k;
    const mp_node_state *st;
    bool busy; /* an instance in use: in every choice */
} nstated;

/* A choice: stated nodes (bit b of mask[pool] for its b-th stated node)
 * and empty nodes per pool. */
typedef struct nchoice {
    uint64_t mask[MP_MAX_FLEET];
    int empty[MP_MAX_FLEET];
    double cost;
    int gpus;
} nchoice;

/* The nodes a choice is made of: the request's pools, the stated nodes
 * sn by pool (pool i's are sn[first[i] .. first[i+1])), the empty nodes
 * each pool offers (max_empty) and the nodes the plan on empty nodes uses
 * of each pool (need). */
typedef struct nc_nodes {
    const mp_request *req;
    const nstated *sn;
    const int *first, *max_empty, *need;
} nc_nodes;

#define NODE_STATES_MAX_GPUS 64 /* GPUs with instances over the node states */

/* The planner's context is the node solver's (nodes_internal.h): its db,
 * req, o and deadline, and in sub/tenants the request with each
 * same-profile tenant pinned to a profile (the fleet planner knows no
 * same-profile). */
typedef struct ncur {
    nsolve ns;
    nstated *sn; /* by pool, then k */
    int nsn;
    int first[MP_MAX_FLEET + 1]; /* pool i's: sn[first[i] .. first[i+1]) */
    int max_empty[MP_MAX_FLEET];
    int need[MP_MAX_FLEET]; /* nodes the plan on empty nodes uses, by pool */
    nchoice *ch;
    int nch;
    /* the choices enumerated cost at most ceiling; truncated: not every
     * choice of that cost (too many) */
    double ceiling;
    bool truncated;
    /* some choice as cheap as the plan was not enumerated (its cost is
     * still proven by the bound, its changes are not) */
    bool left_out;
    /* a tenant needs several GPUs of one node: a fleet entry per node */
    bool per_node;
    /* a stated node of a single pool may carry no profile (left as it is
     * under --allow-disruption): the full choice is no plan of last resort */
    bool unfit;
    /* per pool of the single strategy: the profiles its nodes may carry
     * (NT_WHOLE: MIG disabled), pc[i][0..npc[i]), node_current_single.c */
    int pc[MP_MAX_FLEET][MP_MAX_PROFILES + 1];
    int npc[MP_MAX_FLEET];
    /* the cheapest plan of a choice whose changes are not proven fewest:
     * none cheaper than it may claim its changes are */
    double unproven;
    /* choices whose plan failed its own validation, the first's reason */
    int discarded;
    char discard_why[256];
    /* seconds a choice's fleet plan may take at least, however late:
     * more for the cheap and the full choice (first_plans), so that a
     * late start still finds a plan, on the cheap choice if it has one */
    double limit, min_limit;
    /* -v: seconds building, spreading and checking every choice's plan */
    double phase[3];
    /* the plan on empty nodes: its profiles are a choice's assignment of
     * last resort (sv_slots_base) */
    const mp_plan *base;
    /* the enumeration of choices stops at enum_end (checked every few
     * thousand steps, counted in steps) */
    double enum_end;
    long steps;
} ncur;

/* Pin set v of n's same-profile tenants (node_current_pins.c): 0, each
 * on the profile and pool kind of an instance in use named after it, else
 * on its profile and kind in base; then, when that differs, each on its
 * profile and kind in base; then one per tenant, profile and pool kind of
 * an instance of the states it takes that neither gives it. False past
 * the last. */
bool sv_nc_pin_set(ncur *n, const mp_plan *base, int v);

/* Does pin set 0 of n differ from the pins of base (an instance in use
 * named after a tenant, of another profile or pool kind than base gives
 * it)? Leaves n's tenants on pin set 0. */
bool sv_nc_pin_base_differs(ncur *n, const mp_plan *base);

/* out, infeasible though the request has a plan on empty nodes: a reason
 * that says when single nodes held by their instances in use, or a cut
 * search, are why (node_current_single.c). */
void sv_single_reason(const ncur *n, bool cut, mp_plan *out);

/* node_current_choice.c. Steps from the cheap choice to the full one. */
#define NC_STEPS 4

/* Do choices a and b of r's nodes take the same nodes? */
bool sv_same_nodes(const mp_request *r, const nchoice *a, const nchoice *b);

/* The choice of every stated node and the most empty ones. */
nchoice sv_full_choice(const nc_nodes *n);

/* The choice of step s (0 to NC_STEPS): 0, the busy nodes and of each
 * kind of node (model and strategy) the GPUs the plan on empty nodes
 * uses beyond the busy nodes', cheapest pools per GPU first; 1, the busy
 * nodes and per pool as many as that plan uses; 2 to NC_STEPS - 1, also
 * shares of each pool's other nodes; NC_STEPS, the full choice. Stated
 * idle nodes are added before empty ones. */
nchoice sv_step_choice(const nc_nodes *n, int s);

/* The choice of last resort: the busy nodes and, beside them, as many
 * nodes of each pool as the plan on empty nodes uses (empty ones first,
 * then stated idle ones). With that plan's profiles on its single nodes
 * (sv_slots_base) it has that plan, the busy nodes left as they are. */
nchoice sv_resort_choice(const nc_nodes *n);

/* Choice c's plan as a fleet built from base (the plan on empty nodes),
 * without the fleet planner, into fp: c's busy nodes as they are, base's
 * nodes of each pool on c's other nodes (c: sv_resort_choice, no pool of
 * the single strategy). 0; 1 when c has too few nodes for base's;
 * MP_ENOMEM. */
int sv_resort_fleet_plan(const nc_nodes *n, const nchoice *c,
                         const mp_plan *base, mp_plan *fp);

/* The instances in use on the stated nodes sn[0..nsn) of pool (-1: every
 * pool), as " node N GPU G GI I (PROFILE at slot S, process P)" and
 * " node N GPU G (MIG disabled, whole GPU, process P)" joined by commas,
 * appended to b (size sz, at *k, mp_catf); flags: SV_LIST_WHOLE_ONLY, only
 * the whole GPUs; SV_LIST_PIDS, each process's PID where known. Returns
 * SV_BUSY_MIG | SV_BUSY_WHOLE for what it listed. */
#define SV_LIST_WHOLE_ONLY 1
#define SV_LIST_PIDS 2
#define SV_BUSY_MIG 1
#define SV_BUSY_WHOLE 2
int sv_busy_list(const mp_request *r, const nstated *sn, int nsn, int pool,
                 int flags, char *b, size_t sz, size_t *k);

/* node_current_warn.c. A `counts-as-other-resource` warning into
 * p->warnings for each instance in use whose process is named otherwise
 * than the tenant it now counts as, when that tenant's pods (one resource
 * name) cannot use it: on a mixed node, the tenant has another replica on
 * another profile or a whole GPU. MP_ENOMEM. */
int sv_node_counts_as_warn(mp_plan *p);

/* node_current_single.c. The profiles a node of pool i of the single
 * strategy may carry in a plan from node states: NT_WHOLE (MIG disabled)
 * or a profile some tenant takes; into cand (room for MP_MAX_PROFILES +
 * 1), those base (the plan on empty nodes) gives most nodes first; how
 * many. */
int sv_single_candidates(const mp_request *r, const mp_plan *base, int pool,
                         int *cand);

/* Of the pool's candidates pc[0..npc), those node st (NULL: a node given
 * no state) may carry, into cand: with instances in use (unless disrupt),
 * only their profile (none when they are of several, or of one not in
 * pc); otherwise every one, the node's own (all its instances of one
 * profile, or MIG disabled) first. How many. */
int sv_single_node_candidates(const mp_node_state *st, bool disrupt,
                              const int *pc, int npc, int *cand);

/* Do a and b (NULL: no state) hold the same: the nodes are then
 * interchangeable. */
bool sv_node_state_same(const mp_node_state *a, const mp_node_state *b);

/* Why pool i has no plan from its states: the nodes whose instances in
 * use allow no candidate of pc[0..npc) (sv_single_node_candidates), each
 * with its instances in use by GPU, GI ID, profile, slot and process,
 * into why. */
void sv_single_blocked(const mp_request *r, const nstated *sn, int nsn,
                       int pool, const int *pc, int npc, char *why, size_t n);

/* Each used node of p of a single pool given the same layout on every
 * GPU, by its profile (nd->profile: a profile, or NT_WHOLE; -1 after for
 * MIG disabled): all-<profile> (the instances already there kept, idle
 * ones of another profile destroyed, the most of the profile added around
 * them) or MIG disabled. *ok false when some GPU cannot be (an instance
 * of another profile in use, unless disrupt (--allow-disruption), or
 * serving a replica; starts that leave no room for the most); *added: how
 * many instances were added. */
void sv_single_fill(const mp_request *r, bool disrupt, mp_plan *p, bool *ok,
                    int *added);

/* The profiles of a choice's nodes of single pools, enumerated: slot s
 * (a node, in fleet order; pool i's from off[i], -1 for a mixed pool)
 * takes cand[s][idx[s]], into prof[s]. Slot tie[s] >= 0, before s, is a
 * node of the same state: s never takes a lower index (interchangeable
 * nodes get each multiset of profiles once). */
typedef struct nslots {
    int n;
    int off[MP_MAX_FLEET];
    int (*cand)[MP_MAX_PROFILES + 1];
    int *ncand, *tie, *idx, *prof;
    const mp_node_state **st; /* slot s's node's state, NULL: none given */
} nslots;

/* Room for n slots (s->n is set by the caller). MP_ENOMEM. */
int sv_slots_alloc(nslots *s, int n);
/* Accepts a zeroed s. */
void sv_slots_free(nslots *s);
/* The first assignment; false when some slot has no candidate. */
bool sv_slots_first(nslots *s);
/* The next one; false past the last. */
bool sv_slots_next(nslots *s);
/* The assignment of last resort, after the enumeration (it leaves idx
 * alone): each slot of a node without instances in use takes, when a
 * candidate, the profile base (the plan on empty nodes) gives its next
 * used node of the same kind of node (model, single strategy), slots of
 * nodes given no state sorted by profile (fewer fleet entries); the
 * others their first candidate. The choice of base's nodes so assigned
 * has base's plan (the instances in use kept beside it). */
void sv_slots_base(nslots *s, const mp_request *r, const mp_plan *base);

/* State s of a GPU of a single node that is to carry profile prof
 * (NT_WHOLE: MIG disabled) as the fleet planner is to see it: without its
 * instances of another profile, idle ones or with disrupt
 * (--allow-disruption) every one, which the node loses anyway (MIG
 * disabled when prof is NT_WHOLE and nothing is left, enabled for a
 * profile unless a process holds the whole GPU), so that none of them
 * serves a replica there. */
void sv_single_strip(mp_gpu_state *s, int prof, bool disrupt);

/* node_current.c. GPU g of pool's model m outside the plan: as its state
 * s has it (NULL, unlisted: MIG on, no instances), or MIG disabled with
 * reset unless in use; not used, on no node yet. */
void sv_node_idle_gpu(mp_plan_gpu *g, int pool, const mp_model *m,
                      const mp_gpu_state *s, bool reset);

/* node_current_empty.c. After sv_single_fill, on each used node of p of a
 * single pool: when it serves no replica and o->allow_disruption (only
 * its instances in use put it in the choice), the node is left as it is
 * (not used; sv_node_idle_gpu); else, when all-disabled, each GPU that
 * serves no replica is emptied (mp_plan_gpu.emptied). Returns how many
 * instances the emptied GPUs' states hold (their changes are not among
 * those the fleet planner proved fewest). */
int sv_single_empty(const mp_request *r, const mp_solve_opts *o, mp_plan *p);

/* Instance q of g: in use on the node (never moved nor given away)? */
bool sv_gi_in_use(const mp_plan *p, const mp_plan_gpu *g, int q);

/* Remove instance q of a (its replica with it); the last instance takes
 * its place (the creation order is explicit: driver flags off). */
void sv_gpu_remove_gi(mp_plan_gpu *a, int q);

/* node_current_spread.c. Spread the `spread: nodes` replicas of p over
 * its used nodes as far as moves that change no more instances allow (a
 * replica swapped with another tenant's on an instance of the same
 * profile, or a new instance moved to a used GPU of another node), until
 * deadline; p renumbered. MP_ENOMEM. */
int sv_node_respread(double deadline, mp_plan *p);

/* Does plan a spread its `spread: nodes` tenants better than b? */
bool sv_spread_better(const mp_plan *a, const mp_plan *b);

/* node_current_warn.c. out->reason when even every node together has no
 * plan: the fleet planner's reason why, its instances in use named by
 * node, GPU and GI ID, and what to do. */
void sv_nc_blocked_reason(const ncur *n, const char *why, mp_plan *out);

#endif
