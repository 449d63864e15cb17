// SPDX-License-Identifier: Apache-2.0
/* node_current_single.c - pools of the single strategy planned from their
 * nodes' states. Under mig.strategy single the device plugin advertises
 * every instance of a node as nvidia.com/gpu, so a node carries one profile
 * on every GPU, each GPU holding the most of it (as mig-parted's
 * all-<profile>), or has MIG disabled on every GPU (check_strategy.c; the
 * plan without states builds the same in node_plan.c). Here each node the
 * plan uses carries its own: a node with instances in use their profile
 * (any, with --allow-disruption), another any profile some tenant takes.
 * Every assignment of profiles to a choice's nodes is enumerated (nodes
 * of the same state are interchangeable: each multiset once), each
 * planned as mixed pools restricted to those profiles, then filled. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node_current_internal.h"

#define SEVERAL (-3) /* instances in use of several profiles */

/* The profile every GPU of node st must keep for its instances in use (a
 * process on a whole GPU: NT_WHOLE); -1 when none is in use, SEVERAL when
 * they need several. in_use: only instances in use, else every one (a
 * node whose instances are all of one profile, or MIG disabled on every
 * GPU, has that as its natural profile). */
static int node_profile(const mp_node_state *st, bool in_use)
{
    int prof = -1;
    for (int g = 0; g < st->n; g++) {
        const mp_gpu_state *s = &st->gpu[g];
        int here = -1;
        if (!s->layout.mig_enabled && (!in_use || s->whole.n_processes > 0))
            here = NT_WHOLE;
        for (int q = 0; q < s->layout.gis.n && here != SEVERAL; q++) {
            int p = s->layout.gis.gi[q].profile;
            if (in_use && s->gi[q].n_processes == 0)
                continue;
            here = here >= 0 && here != p ? SEVERAL : p;
        }
        if (here == -1)
            continue;
        if (here == SEVERAL || (prof != -1 && prof != here))
            return SEVERAL;
        prof = here;
    }
    return prof;
}

/* How many nodes of pool i base (the plan on empty nodes) gives profile p
 * (NT_WHOLE: MIG disabled). */
static int base_uses(const mp_plan *base, int pool, int p)
{
    int c = 0;
    for (int j = 0; j < base->n_nodes; j++) {
        const mp_plan_node *nd = &base->nodes[j];
        c += nd->used && nd->pool == pool &&
             (nd->profile >= 0 ? nd->profile : NT_WHOLE) == p;
    }
    return c;
}

int sv_single_candidates(const mp_request *r, const mp_plan *base, int pool,
                         int *cand)
{
    const mp_model *m = r->pools[pool].model;
    int n = 0, uses[MP_MAX_PROFILES + 1];
    for (int p = NT_WHOLE; p < m->n_profiles; p++) {
        bool useful = false;
        for (int t = 0; t < r->n_tenants && !useful && p != -1; t++)
            useful = p == NT_WHOLE ? mp_tenant_takes_whole(&r->tenants[t], m)
                                   : mp_tenant_profile_mask(&r->tenants[t], m) &
                                         (1u << p);
        if (!useful)
            continue;
        /* those the plan on empty nodes gives most nodes first (stable) */
        int u = base_uses(base, pool, p), at = n++;
        for (; at > 0 && uses[at - 1] < u; at--) {
            cand[at] = cand[at - 1];
            uses[at] = uses[at - 1];
        }
        cand[at] = p;
        uses[at] = u;
    }
    return n;
}

/* Does node st (NULL: none given) run a process on a whole GPU (MIG
 * disabled)? --allow-disruption cannot free such a GPU: MIG mode changes
 * only on a GPU that nothing runs on, so the node keeps MIG disabled. */
static bool node_whole_busy(const mp_node_state *st)
{
    for (int g = 0; st && g < st->n; g++)
        if (!st->gpu[g].layout.mig_enabled && st->gpu[g].whole.n_processes > 0)
            return true;
    return false;
}

int sv_single_node_candidates(const mp_node_state *st, bool disrupt,
                              const int *pc, int npc, int *cand)
{
    int busy = !st                   ? -1
               : !disrupt            ? node_profile(st, true)
               : node_whole_busy(st) ? NT_WHOLE
                                     : -1,
        n = 0;
    int natural = st ? node_profile(st, false) : -1;
    if (busy != -1)
        natural = busy; /* the only one, when a pool candidate */
    for (int c = 0; c < npc; c++)
        if (pc[c] == natural)
            cand[n++] = natural;
    for (int c = 0; c < npc && busy == -1; c++)
        if (pc[c] != natural)
            cand[n++] = pc[c];
    return n;
}

bool sv_node_state_same(const mp_node_state *a, const mp_node_state *b)
{
    if (!a || !b)
        return a == b;
    if (a->n != b->n)
        return false;
    for (int g = 0; g < a->n; g++) {
        const mp_gpu_state *x = &a->gpu[g], *y = &b->gpu[g];
        const mp_layout *lx = &x->layout.gis, *ly = &y->layout.gis;
        if (x->index != y->index ||
            x->layout.mig_enabled != y->layout.mig_enabled || lx->n != ly->n ||
            x->whole.n_processes != y->whole.n_processes)
            return false;
        for (int q = 0; q < lx->n; q++) {
            const char *px = x->gi[q].process, *py = y->gi[q].process;
            if (lx->gi[q].profile != ly->gi[q].profile ||
                lx->gi[q].start != ly->gi[q].start ||
                x->gi[q].n_processes != y->gi[q].n_processes ||
                (px || py) != (px && py) || (px && strcmp(px, py)))
                return false;
        }
    }
    return true;
}

int sv_busy_list(const mp_request *r, const nstated *sn, int nsn, int pool,
                 int flags, char *b, size_t sz, size_t *k)
{
    const char *sep = " ";
    bool pid = flags & SV_LIST_PIDS;
    int what = 0;
    for (int j = 0; j < nsn; j++) {
        char name[300];
        if (pool >= 0 && sn[j].pool != pool)
            continue;
        mp_node_pool_node_name(&r->pools[sn[j].pool], sn[j].k, name,
                               sizeof(name));
        for (int g = 0; g < sn[j].st->n; g++) {
            const mp_gpu_state *s = &sn[j].st->gpu[g];
            const mp_layout *l = &s->layout.gis;
            if (!s->layout.mig_enabled && s->whole.n_processes > 0) {
                mp_catf(b, sz, k, "%snode %s GPU %d (MIG disabled, whole GPU, ",
                        sep, name, s->index);
                sv_proc_name(&s->whole, pid, b, sz, k);
                mp_catf(b, sz, k, ")");
                sep = ", ";
                what |= SV_BUSY_WHOLE;
            }
            for (int q = 0; q < l->n && !(flags & SV_LIST_WHOLE_ONLY); q++) {
                if (s->gi[q].n_processes == 0)
                    continue;
                mp_catf(b, sz, k, "%snode %s GPU %d GI %d (%s at slot %d, ",
                        sep, name, s->index, s->gi[q].gi_id,
                        l->model->profiles[l->gi[q].profile].name,
                        l->gi[q].start);
                sv_proc_name(&s->gi[q], pid, b, sz, k);
                mp_catf(b, sz, k, ")");
                sep = ", ";
                what |= SV_BUSY_MIG;
            }
        }
    }
    return what;
}

/* Is a tenant of r named proc (NULL: no)? */
static bool tenant_named(const mp_request *r, const char *proc)
{
    for (int t = 0; proc && t < r->n_tenants; t++)
        if (!strcmp(r->tenants[t].name, proc))
            return true;
    return false;
}

void sv_single_blocked(const mp_request *r, const nstated *sn, int nsn,
                       int pool, const int *pc, int npc, char *why, size_t n)
{
    size_t k = 0;
    mp_catf(why, n, &k,
            "pool %s has the single strategy, where a node carries one "
            "profile on every GPU, which must be that of its instances in "
            "use, but",
            r->pools[pool].name);
    const char *sep = " ";
    bool several = false, foreign = false, named = false, stuck = false;
    for (int j = 0; j < nsn; j++) {
        int cand[MP_MAX_PROFILES + 1], busy = node_profile(sn[j].st, true);
        if (sn[j].pool != pool || busy == -1 ||
            sv_single_node_candidates(sn[j].st, false, pc, npc, cand) > 0)
            continue;
        /* --allow-disruption cannot free its whole GPUs in use */
        bool held =
            sv_single_node_candidates(sn[j].st, true, pc, npc, cand) == 0;
        stuck |= held;
        char name[300];
        mp_node_pool_node_name(&r->pools[pool], sn[j].k, name, sizeof(name));
        if (busy == SEVERAL)
            mp_catf(why, n, &k,
                    "%snode %s holds them of several profiles:", sep, name);
        else
            mp_catf(why, n, &k,
                    "%snode %s holds them of %s, which no tenant "
                    "of the request takes:",
                    sep, name,
                    busy == NT_WHOLE
                        ? "whole GPUs (MIG disabled)"
                        : r->pools[pool].model->profiles[busy].name);
        several |= busy == SEVERAL;
        foreign |= busy != SEVERAL;
        for (int g = 0; g < sn[j].st->n; g++)
            for (int q = 0; q < sn[j].st->gpu[g].layout.gis.n; q++)
                named |= busy != SEVERAL &&
                         tenant_named(r, sn[j].st->gpu[g].gi[q].process);
        sv_busy_list(r, &sn[j], 1, pool, held ? SV_LIST_PIDS : 0, why, n, &k);
        sep = "; ";
    }
    mp_catf(why, n, &k, "; %s%suse mig.strategy mixed, or %s",
            named     ? "let the tenant they run take that profile (its "
                        "memory and compute), "
            : foreign ? "name the tenant they serve in the request, "
                      : "",
            several ? "move each node's onto one profile, " : "",
            stuck ? "stop the processes on whole GPUs named above "
                    "(--allow-disruption destroys MIG instances in use, not "
                    "those processes)"
                  : "let the plan destroy them (--allow-disruption)");
}

void sv_single_strip(mp_gpu_state *s, int prof, bool disrupt)
{
    mp_gpu_layout *l = &s->layout;
    int k = 0;
    for (int q = 0; q < l->gis.n; q++) {
        if ((disrupt || s->gi[q].n_processes == 0) &&
            l->gis.gi[q].profile != prof)
            continue;
        l->gis.gi[k] = l->gis.gi[q];
        l->ci_explicit[k] = l->ci_explicit[q];
        memcpy(l->ci_count[k], l->ci_count[q], sizeof(l->ci_count[k]));
        s->gi[k++] = s->gi[q];
    }
    l->gis.n = k;
    l->driver_order = l->driver_exact = false;
    if (prof == NT_WHOLE && k == 0)
        l->mig_enabled = false;
    /* a profile: MIG on (a whole GPU there is no replica's to keep) */
    if (prof >= 0 && !l->mig_enabled && s->whole.n_processes == 0)
        l->mig_enabled = true;
}

void sv_gpu_remove_gi(mp_plan_gpu *a, int q)
{
    mp_gpu_layout *la = &a->layout;
    int last = --la->gis.n;
    la->gis.gi[q] = la->gis.gi[last];
    la->ci_explicit[q] = la->ci_explicit[last];
    memcpy(la->ci_count[q], la->ci_count[last], sizeof(la->ci_count[q]));
    a->tenant[q] = a->tenant[last];
    a->replica[q] = a->replica[last];
    a->tenant[last] = a->replica[last] = -1;
    la->driver_order = la->driver_exact = false;
}

/* GPU g of p all-<prof>: MIG enabled, its instances of prof kept, idle
 * ones of another profile destroyed, more of prof added at the first
 * starts that take them up to the most; a replica the fleet planner left
 * on another profile (seen: 1g.6gb on an entry offering only 1g.6gb+me)
 * moves onto one of them. False when a whole GPU in use or an
 * instance of another profile that is in use (either unless disrupt) or
 * serves a tenant that does not take prof is in the way, or the kept
 * starts leave no room for the most or for the moved replicas. */
static bool fill_gpu(const mp_plan *p, mp_plan_gpu *g, int prof, int *added,
                     bool disrupt)
{
    mp_gpu_layout *l = &g->layout;
    const mp_model *m = l->gis.model;
    mp_gpu_state empty;
    const mp_gpu_state *s = mp_plan_gpu_state(p, g, &empty);
    if (!l->mig_enabled) {
        /* a process on the whole GPU: MIG mode cannot change under it,
         * whatever disrupt says */
        if (g->whole_tenant >= 0 || mp_gpu_state_in_use(s) > 0)
            return false;
        l->mig_enabled = true;
        l->gis.n = 0;
    }
    int moved[MP_MAX_GIS], nm = 0; /* tenants of replicas to move */
    for (int q = l->gis.n - 1; q >= 0; q--) {
        int t = g->tenant[q];
        if (l->gis.gi[q].profile == prof)
            continue;
        if ((!disrupt && sv_gi_in_use(p, g, q)) ||
            (t >= 0 && !mp_tenant_takes_profile(&p->req->tenants[t], m, prof)))
            return false;
        if (t >= 0) /* its replica moves onto an instance of prof */
            moved[nm++] = t;
        sv_gpu_remove_gi(g, q);
    }
    for (int s0 = 0;
         s0 < m->units && l->gis.n < m->profiles[prof].max_instances; s0++) {
        int at = mp_gpu_layout_add(l, prof, s0);
        if (at < 0)
            return false;
        if (mp_geom_validate(&l->gis, NULL) != 0) {
            l->gis.n--;
            continue;
        }
        /* numbered by sv_plan_number */
        g->tenant[at] = nm > 0 ? moved[--nm] : -1;
        g->replica[at] = -1;
        l->driver_order = l->driver_exact = false;
        (*added)++;
    }
    g->used = true;
    return nm == 0 && l->gis.n == m->profiles[prof].max_instances;
}

/* GPU g of p with MIG disabled: false when an instance in use (unless
 * disrupt) or one that serves a replica is in the way (idle ones are
 * destroyed). */
static bool whole_gpu(const mp_plan *p, mp_plan_gpu *g, bool disrupt)
{
    for (int q = 0; g->layout.mig_enabled && q < g->layout.gis.n; q++)
        if (g->tenant[q] >= 0 || (!disrupt && sv_gi_in_use(p, g, q)))
            return false;
    g->layout.gis.n = 0;
    g->layout.mig_enabled = false;
    return true;
}

void sv_single_fill(const mp_request *r, bool disrupt, mp_plan *p, bool *ok,
                    int *added)
{
    *ok = true;
    *added = 0;
    for (int j = 0; j < p->n_nodes; j++) {
        mp_plan_node *nd = &p->nodes[j];
        int pf = nd->profile;
        nd->profile = -1;
        if (!nd->used || r->pools[nd->pool].strategy != MP_STRATEGY_SINGLE)
            continue;
        if (pf == -1) { /* a used node given no profile: cannot be */
            *ok = false;
            continue;
        }
        for (int x = 0; x < r->pools[nd->pool].gpus; x++) {
            mp_plan_gpu *g = &p->gpus[nd->first_gpu + x];
            *ok &= pf == NT_WHOLE ? whole_gpu(p, g, disrupt)
                                  : fill_gpu(p, g, pf, added, disrupt);
        }
        nd->profile = pf == NT_WHOLE ? -1 : pf;
    }
}

int sv_slots_alloc(nslots *s, int n)
{
    memset(s, 0, sizeof(*s));
    size_t k = (size_t)(n > 0 ? n : 1);
    s->cand = malloc(k * sizeof(*s->cand));
    s->ncand = malloc(k * sizeof(int));
    s->tie = malloc(k * sizeof(int));
    s->idx = malloc(k * sizeof(int));
    s->prof = malloc(k * sizeof(int));
    s->st = malloc(k * sizeof(*s->st));
    if (!s->cand || !s->ncand || !s->tie || !s->idx || !s->prof || !s->st) {
        sv_slots_free(s);
        return MP_ENOMEM;
    }
    return 0;
}

void sv_slots_free(nslots *s)
{
    free(s->cand);
    free(s->ncand);
    free(s->tie);
    free(s->idx);
    free(s->prof);
    free(s->st);
    memset(s, 0, sizeof(*s));
}

/* Slots from..n at their lowest index (a tied slot at its tie's), the
 * profiles of the assignment. */
static void slots_reset(nslots *s, int from)
{
    for (int i = from; i < s->n; i++)
        s->idx[i] = s->tie[i] >= 0 ? s->idx[s->tie[i]] : 0;
    for (int i = 0; i < s->n; i++)
        s->prof[i] = s->cand[i][s->idx[i]];
}

bool sv_slots_first(nslots *s)
{
    for (int i = 0; i < s->n; i++)
        if (s->ncand[i] == 0)
            return false;
    slots_reset(s, 0);
    return true;
}

bool sv_slots_next(nslots *s)
{
    for (int i = s->n - 1; i >= 0; i--)
        if (s->idx[i] + 1 < s->ncand[i]) {
            s->idx[i]++;
            slots_reset(s, i + 1);
            return true;
        }
    return false;
}

/* Does node st (NULL: none given) hold an instance in use? */
static bool node_in_use(const mp_node_state *st)
{
    for (int g = 0; st && g < st->n; g++)
        if (mp_gpu_state_in_use(&st->gpu[g]) > 0)
            return true;
    return false;
}

/* The profile base gives its next used node (from *at on) of the kind of
 * pool i; -1 when none is left. */
static int base_next(const mp_request *r, const mp_plan *base, int i, int *at)
{
    for (; *at < base->n_nodes; (*at)++) {
        const mp_plan_node *nd = &base->nodes[*at];
        const mp_node_pool *pl = &r->pools[nd->pool];
        if (nd->used && pl->model == r->pools[i].model &&
            pl->strategy == MP_STRATEGY_SINGLE) {
            (*at)++;
            return nd->profile >= 0 ? nd->profile : NT_WHOLE;
        }
    }
    return -1;
}

void sv_slots_base(nslots *s, const mp_request *r, const mp_plan *base)
{
    int at[MP_MAX_FLEET] = {0}; /* per pool: the cursor of its kind's */
    for (int i = 0; i < r->n_pools; i++) {
        int kind = i; /* the kind's first pool */
        for (int j = 0; j < i; j++)
            if (r->pools[j].model == r->pools[i].model &&
                r->pools[j].strategy == r->pools[i].strategy) {
                kind = j;
                break;
            }
        if (s->off[i] < 0)
            continue;
        int end = s->n;
        for (int j = i + 1; j < r->n_pools && end == s->n; j++)
            end = s->off[j] >= 0 ? s->off[j] : end;
        for (int k = s->off[i]; k < end; k++) {
            int p =
                node_in_use(s->st[k]) ? -1 : base_next(r, base, i, &at[kind]);
            s->prof[k] = s->cand[k][0];
            for (int c = 0; c < s->ncand[k] && p != -1; c++)
                s->prof[k] = s->cand[k][c] == p ? p : s->prof[k];
            /* sorted among the nodes given no state before k */
            for (int m = k; m > s->off[i] && !s->st[m] && !s->st[m - 1] &&
                            s->prof[m - 1] > s->prof[m];
                 m--) {
                int t = s->prof[m];
                s->prof[m] = s->prof[m - 1];
                s->prof[m - 1] = t;
            }
        }
    }
}

/* out, infeasible because the fleet planner found no plan although the
 * request has one on empty nodes: when a single pool's nodes given a
 * state are held to a profile by their instances in use, or the search
 * was cut short, a reason that says so. */
void sv_single_reason(const ncur *n, bool cut, mp_plan *out)
{
    const mp_request *r = n->ns.req;
    bool held = false, whole = false;
    for (int j = 0; j < n->nsn; j++) {
        bool single = r->pools[n->sn[j].pool].strategy == MP_STRATEGY_SINGLE;
        held |= single && n->sn[j].busy && !n->ns.o->allow_disruption;
        whole |=
            single && n->ns.o->allow_disruption && node_whole_busy(n->sn[j].st);
    }
    char *b = out->reason;
    size_t k = 0, sz = sizeof(out->reason);
    if (whole && !out->feasible) {
        mp_catf(b, sz, &k,
                "no plan from the node states%s: the request has one on "
                "empty nodes, but a node of a pool of the single strategy "
                "that runs a process on a whole GPU keeps MIG disabled on "
                "every GPU or is left as it is (--allow-disruption destroys "
                "MIG instances in use, not those processes):",
                cut ? " within the time limit" : "");
        size_t at = k;
        for (int j = 0; j < n->nsn; j++) {
            if (r->pools[n->sn[j].pool].strategy != MP_STRATEGY_SINGLE)
                continue;
            if (k > at) /* sv_busy_list starts each list with a space */
                mp_catf(b, sz, &k, ",");
            sv_busy_list(r, &n->sn[j], 1, -1, SV_LIST_WHOLE_ONLY | SV_LIST_PIDS,
                         b, sz, &k);
        }
        mp_catf(b, sz, &k,
                "; stop the processes named above, or add nodes "
                "to the pools");
        return;
    }
    if ((!held && !cut) || !strstr(out->reason, "no plan exists"))
        return;
    mp_catf(b, sz, &k,
            "no plan from the node states%s: the request has one on empty "
            "nodes, where every node of a pool of the single strategy may "
            "take any profile, but ",
            cut ? " within the time limit" : "");
    if (held) {
        mp_catf(b, sz, &k,
                "a node with instances in use keeps their "
                "profile:");
        sv_busy_list(r, n->sn, n->nsn, -1, 0, b, sz, &k);
        mp_catf(b, sz, &k,
                "; let the plan destroy them "
                "(--allow-disruption), or use mig.strategy mixed");
    } else {
        mp_catf(b, sz, &k,
                "not every choice of nodes and profiles was "
                "tried; give a larger --time-limit");
    }
}
