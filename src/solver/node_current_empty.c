// SPDX-License-Identifier: Apache-2.0
/* node_current_empty.c - the GPUs of a single pool's node that serve no
 * replica, in a plan from the nodes' states.
 *
 * Under the single strategy every GPU of a node has MIG disabled
 * (mig-parted's all-disabled) or carries the node's profile. A node made
 * all-disabled for a whole-GPU tenant usually has more GPUs than replicas
 * there: the others serve nothing, yet its label makes mig-parted destroy
 * their instances and disable MIG on them. Such a GPU is emptied: not
 * used (no replica, not counted among the plan's GPUs), but changed, so
 * that the plan counts, shows and scripts what the label does to it.
 * With --allow-disruption a node in the plan only because of its
 * instances in use (a busy node is in every choice of nodes) may end up
 * serving nothing at all; carrying the pool's layout there would destroy
 * instances in use for nothing, so it is left as it is instead.
 * Also: a GPU left as it is (sv_node_idle_gpu), and whether a plan's
 * instance is one in use (sv_gi_in_use). */
#include "node_current_internal.h"

bool sv_gi_in_use(const mp_plan *p, const mp_plan_gpu *g, int q)
{
    mp_gpu_state empty;
    const mp_gpu_state *s = mp_plan_gpu_state(p, g, &empty);
    const mp_gi *gi = &g->layout.gis.gi[q];
    for (int i = 0; i < s->layout.gis.n; i++)
        if (s->layout.gis.gi[i].profile == gi->profile &&
            s->layout.gis.gi[i].start == gi->start)
            return s->gi[i].n_processes > 0;
    return false;
}

void sv_node_idle_gpu(mp_plan_gpu *g, int pool, const mp_model *m,
                      const mp_gpu_state *s, bool reset)
{
    sv_plan_gpu_init(g, pool, m, false, -1);
    g->layout.mig_enabled = !s && !reset;
    if (s && (!reset || mp_gpu_state_in_use(s) > 0)) {
        g->layout = s->layout;
        g->layout.driver_order = g->layout.driver_exact = false;
    }
}

/* Does g serve a replica (a whole GPU, or an instance)? */
static bool serves(const mp_plan_gpu *g)
{
    if (g->whole_tenant >= 0)
        return true;
    for (int q = 0; q < g->layout.gis.n; q++)
        if (g->tenant[q] >= 0)
            return true;
    return false;
}

/* Node j of p, which serves nothing, left as it is (MIG disabled on its
 * GPUs with reset, where nothing is in use). */
static void leave(mp_plan *p, int j, bool reset)
{
    mp_plan_node *nd = &p->nodes[j];
    const mp_node_pool *pl = &p->req->pools[nd->pool];
    for (int x = 0; x < pl->gpus; x++) {
        int k = nd->first_gpu + x;
        mp_plan_gpu *g = &p->gpus[k];
        /* the plan's own state is indexed by plan position (assemble) */
        sv_node_idle_gpu(g, nd->pool, pl->model,
                         mp_node_state_gpu(p->current, k), reset);
        g->node = j;
        g->node_index = x;
    }
    nd->used = false;
    nd->profile = -1;
}

int sv_single_empty(const mp_request *r, const mp_solve_opts *o, mp_plan *p)
{
    int held = 0;
    for (int j = 0; j < p->n_nodes; j++) {
        mp_plan_node *nd = &p->nodes[j];
        const mp_node_pool *pl = &r->pools[nd->pool];
        if (!nd->used || pl->strategy != MP_STRATEGY_SINGLE)
            continue;
        bool any = false;
        for (int x = 0; x < pl->gpus && !any; x++)
            any = serves(&p->gpus[nd->first_gpu + x]);
        if (!any && o->allow_disruption) {
            leave(p, j, o->reset_unused);
            continue;
        }
        for (int x = 0; x < pl->gpus && nd->profile < 0; x++) {
            int k = nd->first_gpu + x;
            mp_plan_gpu *g = &p->gpus[k];
            if (g->layout.mig_enabled || serves(g))
                continue; /* sv_single_fill found it cannot be disabled */
            const mp_gpu_state *s = mp_node_state_gpu(p->current, k);
            g->used = false;
            g->emptied = true;
            held += s ? s->layout.gis.n : 0;
        }
    }
    return held;
}
