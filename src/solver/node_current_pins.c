// SPDX-License-Identifier: Apache-2.0
/* node_current_pins.c - the profile pins of same-profile tenants tried by
 * the planner of node pools from their nodes' states (node_current.c):
 * the fleet planner knows no same-profile, so each pin set fixes every
 * such tenant to one profile and pool kind (single or mixed). An instance
 * in use named after a tenant is a preference, never a constraint: its
 * profile is tried first, base's too. */
#include <string.h>

#include "node_current_internal.h"

/* The profile base serves tenant t with (NULL: none, or whole GPUs), and
 * in *single whether on a node of a single pool (a resource name of its
 * own: a same-profile tenant keeps to one kind, nodes.c). */
static const char *base_profile(const mp_plan *base, int t, int *single)
{
    for (int k = 0; k < base->n_gpus; k++) {
        const mp_plan_gpu *g = &base->gpus[k];
        const mp_layout *l = &g->layout.gis;
        for (int q = 0; q < l->n; q++)
            if (g->tenant[q] == t) {
                *single =
                    base->req->pools[base->nodes[g->node].pool].strategy ==
                    MP_STRATEGY_SINGLE;
                return l->model->profiles[l->gi[q].profile].name;
            }
    }
    *single = -1;
    return NULL;
}

/* Pin tenant t of n to profile name on nodes of single pools (single 1),
 * of mixed pools (0) or either (-1, with no pin). */
static void pin_to(ncur *n, int t, const char *name, int single)
{
    n->ns.tenants[t].pin = name;
    n->ns.tenants[t].pin_single = name ? single : -1;
}

/* The profile of an instance in use on a stated node of n by a process
 * named like tenant t, which t may use (NULL: none), and in *single that
 * node's pool kind: the fleet planner gives the instance to t (the names
 * are its first preference), so t's pin must allow it. */
static const char *named_profile(const ncur *n, int t, int *single)
{
    const mp_request *r = n->ns.req;
    for (int j = 0; j < n->nsn; j++)
        for (int g = 0; g < n->sn[j].st->n; g++) {
            const mp_gpu_state *s = &n->sn[j].st->gpu[g];
            const mp_layout *l = &s->layout.gis;
            for (int q = 0; q < l->n; q++)
                if (s->gi[q].n_processes > 0 && s->gi[q].process &&
                    !strcmp(s->gi[q].process, r->tenants[t].name) &&
                    mp_tenant_takes_profile(&r->tenants[t], l->model,
                                            l->gi[q].profile)) {
                    *single =
                        r->pools[n->sn[j].pool].strategy == MP_STRATEGY_SINGLE;
                    return l->model->profiles[l->gi[q].profile].name;
                }
        }
    return NULL;
}

/* Pin each same-profile tenant of n on its profile and pool kind in base,
 * or (named) first on those of an instance in use named after it. True
 * when some tenant's named pin differs from its pin in base. */
static bool pin_all(ncur *n, const mp_plan *base, bool named)
{
    const mp_request *r = n->ns.req;
    bool differs = false;
    for (int t = 0; t < r->n_tenants; t++) {
        int single = -1, bsingle = -1;
        const char *name = NULL, *bname = NULL;
        if (r->tenants[t].same_profile) {
            name = named_profile(n, t, &single);
            bname = base_profile(base, t, &bsingle);
        }
        differs |=
            name && (!bname || strcmp(name, bname) != 0 || single != bsingle);
        if (!named || !name) {
            name = bname;
            single = bsingle;
        }
        pin_to(n, t, name, single);
    }
    return differs;
}

bool sv_nc_pin_base_differs(ncur *n, const mp_plan *base)
{
    bool differs = pin_all(n, base, false);
    pin_all(n, base, true);
    return differs;
}

/* Pin set v: 0, each same-profile tenant on the profile and pool kind of
 * an instance in use named after it, else on its profile and kind in
 * base; then, when that differs, each on its profile and kind in base
 * (the instance named after it is a preference, never a constraint: it
 * may serve nothing, or go under --allow-disruption); then one per
 * tenant, profile and pool kind of an instance of the states it takes
 * that neither gives it (that tenant moved there). False past the last. */
bool sv_nc_pin_set(ncur *n, const mp_plan *base, int v)
{
    const mp_request *r = n->ns.req;
    if (v > 0 && pin_all(n, base, false) && --v == 0)
        return true;
    pin_all(n, base, true);
    if (v == 0)
        return true;
    for (int t = 0; t < r->n_tenants; t++) {
        const char *seen[NODE_STATES_MAX_GPUS * MP_MAX_GIS];
        int kind[NODE_STATES_MAX_GPUS * MP_MAX_GIS], ns = 0;
        const mp_tenant *tn = &n->ns.tenants[t];
        int bkind = -1;
        const char *bpin =
            r->tenants[t].same_profile ? base_profile(base, t, &bkind) : NULL;
        for (int j = 0; j < n->nsn && r->tenants[t].same_profile; j++) {
            int single = r->pools[n->sn[j].pool].strategy == MP_STRATEGY_SINGLE;
            for (int g = 0; g < n->sn[j].st->n; g++) {
                const mp_layout *l = &n->sn[j].st->gpu[g].layout.gis;
                for (int q = 0; q < l->n; q++) {
                    const char *name =
                        l->model->profiles[l->gi[q].profile].name;
                    bool dup = (tn->pin && !strcmp(name, tn->pin) &&
                                tn->pin_single == single) ||
                               (bpin && !strcmp(name, bpin) && bkind == single);
                    for (int i = 0; i < ns && !dup; i++)
                        dup = !strcmp(seen[i], name) && kind[i] == single;
                    if (dup || !mp_tenant_takes_profile(
                                   &r->tenants[t], l->model, l->gi[q].profile))
                        continue;
                    kind[ns] = single;
                    seen[ns++] = name;
                    if (--v == 0) {
                        pin_to(n, t, name, single);
                        return true;
                    }
                }
            }
        }
    }
    return false;
}
