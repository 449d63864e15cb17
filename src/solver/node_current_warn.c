// SPDX-License-Identifier: Apache-2.0
/* node_current_warn.c - what a node plan from the nodes' states says
 * beyond the plan: why no plan exists when instances in use block it, and
 * warnings that only Kubernetes makes true (a pod requests one resource
 * name, so an instance in use counted as a tenant of another profile
 * serves none of its pods). */
#include <stdio.h>
#include <string.h>

#include "node_current_internal.h"

/* The process of the state's instance in use at q of g when it is named
 * otherwise than the tenant q serves (its GI ID into *gi_id); NULL
 * otherwise. */
static const char *renamed(const mp_plan *p, const mp_plan_gpu *g, int q,
                           int *gi_id)
{
    mp_gpu_state empty;
    const mp_gpu_state *s = mp_plan_gpu_state(p, g, &empty);
    const mp_gi *gi = &g->layout.gis.gi[q];
    for (int i = 0; g->tenant[q] >= 0 && i < s->layout.gis.n; i++) {
        if (s->layout.gis.gi[i].profile != gi->profile ||
            s->layout.gis.gi[i].start != gi->start)
            continue;
        const char *proc = s->gi[i].process ? s->gi[i].process : "(unnamed)";
        if (s->gi[i].n_processes == 0 || !proc ||
            strcmp(proc, p->req->tenants[g->tenant[q]].name) == 0)
            return NULL;
        *gi_id = s->gi[i].gi_id;
        return proc;
    }
    return NULL;
}

/* Another replica of tenant t than instance q of GPU a, on a whole GPU or
 * an instance of a profile named otherwise: that name ("a whole GPU" for
 * the first), or NULL when every replica of t has q's profile. */
static const char *other_profile(const mp_plan *p, int t, const mp_plan_gpu *a,
                                 int q)
{
    const char *mine =
        a->layout.gis.model->profiles[a->layout.gis.gi[q].profile].name;
    for (int k = 0; k < p->n_gpus; k++) {
        const mp_plan_gpu *g = &p->gpus[k];
        if (g->whole_tenant == t)
            return "a whole GPU";
        for (int x = 0; x < g->layout.gis.n; x++) {
            const char *name =
                g->layout.gis.model->profiles[g->layout.gis.gi[x].profile].name;
            if (g->tenant[x] == t && strcmp(name, mine) != 0)
                return name;
        }
    }
    return NULL;
}

int sv_node_counts_as_warn(mp_plan *p)
{
    const mp_request *r = p->req;
    for (int k = 0; k < p->n_gpus; k++) {
        const mp_plan_gpu *g = &p->gpus[k];
        const mp_plan_node *nd = &p->nodes[g->node];
        if (!g->used || r->pools[nd->pool].strategy == MP_STRATEGY_SINGLE)
            continue; /* single: every pod requests nvidia.com/gpu */
        for (int q = 0; q < g->layout.gis.n; q++) {
            int id = -1, t = g->tenant[q];
            const char *proc = renamed(p, g, q, &id);
            const char *other = proc ? other_profile(p, t, g, q) : NULL;
            if (!other)
                continue;
            char name[300];
            mp_node_pool_node_name(&r->pools[nd->pool], nd->k, name,
                                   sizeof(name));
            const mp_gi *gi = &g->layout.gis.gi[q];
            const mp_tenant *tn = &r->tenants[t];
            mp_findings_add(
                &p->warnings, MP_SEV_WARNING, "counts-as-other-resource",
                r->path, tn->line, tn->col,
                "node %s GPU %d GI %d (%s at slot %d, process %s) counts as "
                "%s#%d, but %s also has a replica on %s: its pods request "
                "one resource name, and in Kubernetes no pod of %s runs on "
                "this instance; name %s after the process, or give it one "
                "profile (same-profile: true)",
                name, g->node_index, id,
                g->layout.gis.model->profiles[gi->profile].name, gi->start,
                proc, tn->name, g->replica[q], tn->name, other, tn->name,
                tn->name);
        }
    }
    return p->warnings.oom ? MP_ENOMEM : 0;
}

/* Why even every node together has no plan: the fleet planner's reason,
 * its instances in use named by node, GPU and GI ID (with
 * --allow-disruption only the whole GPUs in use when there are any), and
 * what to do. */
void sv_nc_blocked_reason(const ncur *n, const char *why, mp_plan *out)
{
    const char *tail = strstr(why, "; still to place:");
    char *b = out->reason;
    size_t k = 0, sz = sizeof(out->reason);
    if (!tail) {
        mp_catf(b, sz, &k, "%s", why);
        return;
    }
    /* the tenants still to place, without the fleet's advice */
    const char *end = strstr(tail + 1, "; ");
    char tmp[sizeof(out->reason)];
    snprintf(tmp, sizeof(tmp), "%.*s",
             (int)(end ? (size_t)(end - tail) : strlen(tail)), tail);
    const mp_request *r = n->ns.req;
    bool disrupt = n->ns.o->allow_disruption;
    bool whole = false, mig = false;
    for (int j = 0; j < n->nsn; j++)
        for (int g = 0; g < n->sn[j].st->n; g++) {
            const mp_gpu_state *s = &n->sn[j].st->gpu[g];
            whole |= !s->layout.mig_enabled && s->whole.n_processes > 0;
            mig |= s->layout.mig_enabled && mp_gpu_state_in_use(s) > 0;
        }
    /* the plan may destroy instances in use: only processes block */
    mig &= !(whole && disrupt);
    mp_catf(b, sz, &k, "the request needs the room of instances in use:");
    int what = sv_busy_list(r, n->sn, n->nsn, -1,
                            (mig ? 0 : SV_LIST_WHOLE_ONLY) |
                                (!mig || disrupt ? SV_LIST_PIDS : 0),
                            b, sz, &k);
    mp_catf(b, sz, &k, "%s", tmp);
    sv_blocked_advice(n->ns.o, (what & SV_BUSY_MIG) != 0, whole, true, b, sz,
                      &k);
}
