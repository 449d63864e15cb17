// SPDX-License-Identifier: Apache-2.0
/* node_current_single.c - pools of the single strategy planned from their
 * nodes' states. Under mig.strategy single the device plugin advertises
 * every instance of a node as nvidia.com/gpu, so a node carries one profile
 * on every GPU, each GPU holding the most of it (as mig-parted's
 * all-<profile>), or has MIG disabled on every GPU (check_strategy.c; the
 * plan without states builds the same in node_plan.c). Here a pool carries
 * one profile on all the nodes the plan uses: the candidates are the
 * profiles of the instances in use on it, and each is planned as a mixed
 * pool restricted to that profile, then filled. */
#include <stdio.h>
#include <string.h>

#include "node_current_internal.h"

/* prof folded with the profile of every instance in use on st: -1 none
 * yet, -2 several (names compared, so that a profile is the same on every
 * board of the pool's model). */
static int fold_busy(const mp_node_state *st, int prof)
{
    for (int g = 0; g < st->n; g++) {
        const mp_gpu_state *s = &st->gpu[g];
        for (int q = 0; q < s->layout.gis.n; q++) {
            int p = s->layout.gis.gi[q].profile;
            if (s->gi[q].n_processes == 0)
                continue;
            if (prof >= 0 && prof != p)
                return -2;
            prof = p;
        }
    }
    return prof;
}

/* The profile of every instance in use on pool i's stated nodes: -1 when
 * none is in use, -2 when they are of several. */
static int busy_profile(const mp_solve_opts *o, int pool)
{
    int prof = -1;
    for (int j = 0; j < o->n_node_current && prof != -2; j++)
        if (o->node_current[j].pool == pool)
            prof = fold_busy(o->node_current[j].st, prof);
    return prof;
}

int sv_single_candidates(const mp_request *r, const mp_solve_opts *o, int pool,
                         int *cand)
{
    const mp_model *m = r->pools[pool].model;
    /* --allow-disruption: the instances in use may go (sv_single_fill) */
    int busy = o->allow_disruption ? -1 : busy_profile(o, pool), n = 0;
    if (busy == -2)
        return 0;
    for (int p = NT_WHOLE; p < m->n_profiles; p++) {
        if (p == -1 || (busy >= 0 && p != busy))
            continue;
        bool useful = false;
        for (int t = 0; t < r->n_tenants && !useful; t++)
            useful = p == NT_WHOLE ? mp_tenant_takes_whole(&r->tenants[t], m)
                                   : mp_tenant_profile_mask(&r->tenants[t], m) &
                                         (1u << p);
        if (useful)
            cand[n++] = p;
    }
    return n;
}

void sv_busy_list(const mp_request *r, const nstated *sn, int nsn, int pool,
                  char *b, size_t sz, size_t *k)
{
    const char *sep = " ";
    for (int j = 0; j < nsn; j++) {
        char name[300];
        if (pool >= 0 && sn[j].pool != pool)
            continue;
        mp_node_pool_node_name(&r->pools[sn[j].pool], sn[j].k, name,
                               sizeof(name));
        for (int g = 0; g < sn[j].st->n; g++) {
            const mp_gpu_state *s = &sn[j].st->gpu[g];
            const mp_layout *l = &s->layout.gis;
            for (int q = 0; q < l->n; q++) {
                if (s->gi[q].n_processes == 0)
                    continue;
                mp_catf(b, sz, k,
                        "%snode %s GPU %d GI %d (%s at slot %d, process %s)",
                        sep, name, s->index, s->gi[q].gi_id,
                        l->model->profiles[l->gi[q].profile].name,
                        l->gi[q].start,
                        s->gi[q].process ? s->gi[q].process : "?");
                sep = ", ";
            }
        }
    }
}

/* The same of sn's nodes of pool. */
static int busy_profile_sn(const nstated *sn, int nsn, int pool)
{
    int prof = -1;
    for (int j = 0; j < nsn && prof != -2; j++)
        if (sn[j].pool == pool)
            prof = fold_busy(sn[j].st, prof);
    return prof;
}

void sv_single_blocked(const mp_request *r, const nstated *sn, int nsn,
                       int pool, char *why, size_t n)
{
    size_t k = 0;
    int busy = busy_profile_sn(sn, nsn, pool);
    mp_catf(why, n, &k,
            "pool %s has the single strategy, where a node carries one "
            "profile on every GPU, and planning from node states gives all "
            "its nodes one profile, ",
            r->pools[pool].name);
    if (busy >= 0)
        mp_catf(why, n, &k,
                "that of the instances in use on them, %s, which no tenant "
                "of the request takes:",
                r->pools[pool].model->profiles[busy].name);
    else
        mp_catf(why, n, &k, "but the instances in use on them are of several:");
    sv_busy_list(r, sn, nsn, pool, why, n, &k);
    mp_catf(why, n, &k,
            "; %s, use mig.strategy mixed, or let the plan "
            "destroy them (--allow-disruption)",
            busy >= 0 ? "name the tenant they serve in the request"
                      : "move them onto one profile");
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
 * starts that take them up to the most. False when a whole GPU in use or
 * an instance of another profile that is in use (either unless disrupt)
 * or serves a replica is in the way, or the kept starts leave no room for
 * the most. */
static bool fill_gpu(const mp_plan *p, mp_plan_gpu *g, int prof, int *added,
                     bool disrupt)
{
    mp_gpu_layout *l = &g->layout;
    const mp_model *m = l->gis.model;
    mp_gpu_state empty;
    const mp_gpu_state *s = mp_plan_gpu_state(p, g, &empty);
    if (!l->mig_enabled) {
        if (g->whole_tenant >= 0 || (!disrupt && mp_gpu_state_in_use(s) > 0))
            return false;
        l->mig_enabled = true;
        l->gis.n = 0;
    }
    for (int q = l->gis.n - 1; q >= 0; q--) {
        if (l->gis.gi[q].profile == prof)
            continue;
        if (g->tenant[q] >= 0 || (!disrupt && sv_gi_in_use(p, g, q)))
            return false;
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
        g->tenant[at] = g->replica[at] = -1;
        l->driver_order = l->driver_exact = false;
        (*added)++;
    }
    g->used = true;
    return l->gis.n == m->profiles[prof].max_instances;
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

void sv_single_fill(const mp_request *r, const int *prof, bool disrupt,
                    mp_plan *p, bool *ok, int *added)
{
    *ok = true;
    *added = 0;
    for (int j = 0; j < p->n_nodes; j++) {
        mp_plan_node *nd = &p->nodes[j];
        int pf = prof[nd->pool];
        if (!nd->used || r->pools[nd->pool].strategy != MP_STRATEGY_SINGLE)
            continue;
        for (int x = 0; x < r->pools[nd->pool].gpus; x++) {
            mp_plan_gpu *g = &p->gpus[nd->first_gpu + x];
            *ok &= pf == NT_WHOLE ? whole_gpu(p, g, disrupt)
                                  : fill_gpu(p, g, pf, added, disrupt);
        }
        nd->profile = pf == NT_WHOLE ? -1 : pf;
    }
}
