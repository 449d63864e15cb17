/* SPDX-License-Identifier: Apache-2.0 */
/* current_whole.c - GPUs with MIG disabled and a process on them (held)
 * when planning from a running node, and the advice given when instances
 * in use block the request.
 *
 * A held GPU stays as it is. The held GPUs of one fleet entry whose
 * process is named like a whole-GPU tenant serve that tenant's replicas:
 * mp_tenant_gpus of them, in index order, per replica (a node planned
 * from its state is an entry of its own when a tenant takes several
 * GPUs, so that such a replica's GPUs share a node); those left over stay
 * as they are, serving nothing.
 */
#include "current_internal.h"

#include <string.h>

/* Is g held by a process named like tenant t, on an entry that may give
 * t a whole GPU, and not yet in the plan? */
static bool held_by(const cur *c, const cur_gpu *g, int t)
{
    const mp_tenant *tn = &c->req->tenants[t];
    return g->kind == CUR_HELD && !g->taken && g->st->whole.process &&
           strcmp(g->st->whole.process, tn->name) == 0 &&
           mp_request_takes_whole(c->req, tn, g->fleet);
}

/* Tenant t's replicas on the held GPUs of fleet entry i named like it:
 * as many whole replicas as they make, the first GPUs by index. */
static void place_entry(cur *c, int t, int i)
{
    const mp_tenant *tn = &c->req->tenants[t];
    int per = mp_tenant_gpus(tn), got = 0;
    for (int k = 0; k < c->n; k++)
        got += c->g[k].fleet == i && held_by(c, &c->g[k], t);
    long long reps = got / per < c->left[t] ? got / per : c->left[t];
    int take = (int)reps * per;
    for (int k = 0, n = 0; k < c->n && n < take; k++) {
        cur_gpu *g = &c->g[k];
        if (g->fleet != i || !held_by(c, g, t))
            continue;
        g->taken = true;
        sv_plan_gpu_init(&g->pg, g->fleet, g->st->layout.gis.model, true, t);
        if (++n % per == 0)
            c->left[t]--;
    }
}

void cur_place_held(cur *c)
{
    const mp_request *r = c->req;
    for (int t = 0; t < r->n_tenants; t++)
        for (int i = 0; i < r->n_fleet && c->left[t] > 0; i++)
            if (cur_whole(&r->tenants[t]))
                place_entry(c, t, i);
}

void sv_proc_name(const mp_gi_state *s, bool pid, char *b, size_t n, size_t *k)
{
    mp_catf(b, n, k, "process %s", s->process ? s->process : "?");
    if (pid && s->pid > 0)
        mp_catf(b, n, k, ", pid %d", s->pid);
}

void sv_blocked_advice(const mp_solve_opts *o, bool busy, bool held, bool nodes,
                       char *b, size_t n, size_t *k)
{
    const char *more = nodes ? "nodes to the pools" : "GPUs to the fleet";
    if (busy && !o->allow_disruption) {
        mp_catf(b, n, k,
                "; --allow-disruption lets the plan destroy instances in "
                "use%s",
                held ? " (not a process on a whole GPU with MIG disabled: "
                       "stop it to free that GPU)"
                     : "");
        return;
    }
    mp_catf(b, n, k, "; stop the processes named above, or add %s%s", more,
            !o->allow_disruption
                ? " (--allow-disruption destroys MIG instances in use, not "
                  "a process on a whole GPU with MIG disabled)"
                : "");
}
