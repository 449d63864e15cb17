// SPDX-License-Identifier: Apache-2.0
/* node_current_warn.c - warnings on a node plan from the nodes' states
 * that only Kubernetes makes true: a pod requests one resource name, so an
 * instance in use counted as a tenant of another profile serves none of
 * its pods. */
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
