/* SPDX-License-Identifier: Apache-2.0 */
/* timeslicing.c - the device plugin's time-slicing config for the shared
 * tenants of a plan (see timeslicing.h). */
#include "migplan/emit/timeslicing.h"

#include "migplan/emit/k8s_writer.h"

#include <stdio.h>
#include <string.h>

#define MAX_RESOURCES 256

/* A time-sliced resource: its profile and the tenant that sets its share. */
typedef struct resource {
    const char *profile; /* the GI profile name */
    int tenant;          /* the first shared tenant on it */
    int replicas;
} resource;

/* Which GPUs a sharing section covers, and what their devices are called. */
typedef struct scope {
    const mp_plan *p;
    bool nodes;  /* only the GPUs of nodes of strategy st (and profile) */
    bool single; /* single: every device is nvidia.com/gpu */
    const char *profile; /* single: the nodes' one profile */
} scope;

/* The one profile of node nd (single strategy), or NULL. */
static const char *node_profile(const mp_plan *p, const mp_plan_node *nd)
{
    const mp_node_pool *pl = &p->req->pools[nd->pool];
    return pl->strategy == MP_STRATEGY_SINGLE && nd->profile >= 0
               ? pl->model->profiles[nd->profile].name
               : NULL;
}

static bool in_scope(const scope *sc, int k)
{
    const mp_plan *p = sc->p;
    if (!sc->nodes)
        return true;
    const char *prof = node_profile(p, &p->nodes[p->gpus[k].node]);
    return sc->single ? prof && strcmp(prof, sc->profile) == 0 : !prof;
}

static void resource_name(const scope *sc, const char *profile, char *buf,
                          size_t n)
{
    if (sc->single)
        snprintf(buf, n, "nvidia.com/gpu");
    else
        mp_mig_resource_name(profile, buf, n);
}

/* The index of profile's resource in v, or -1 (a +me profile shares its
 * plain profile's resource). */
static int find(const scope *sc, const resource *v, int n, const char *profile)
{
    char want[96], have[96];
    resource_name(sc, profile, want, sizeof(want));
    for (int i = 0; i < n; i++) {
        resource_name(sc, v[i].profile, have, sizeof(have));
        if (strcmp(have, want) == 0)
            return i;
    }
    return -1;
}

/* The shared resources of sc's GPUs in the order they first use them. */
static int collect(const scope *sc, resource *v, int *n, mp_diag *d)
{
    const mp_plan *p = sc->p;
    const mp_request *r = p->req;
    for (int k = 0; k < p->n_gpus; k++) {
        const mp_layout *l = &p->gpus[k].layout.gis;
        if (!in_scope(sc, k))
            continue;
        for (int q = 0; q < l->n; q++) {
            if (p->gpus[k].tenant[q] < 0)
                continue; /* free, on a single-strategy node */
            const mp_tenant *tn = &r->tenants[p->gpus[k].tenant[q]];
            const char *prof = l->model->profiles[l->gi[q].profile].name;
            int share = mp_tenant_share(tn);
            int at = find(sc, v, *n, prof);
            const resource *res = at >= 0 ? &v[at] : NULL;
            if (share < 2)
                continue;
            if (res && res->replicas != share)
                return mp_diag_set(
                    d, MP_EINFEASIBLE, r->path, tn->line, tn->col,
                    "tenants %s (share: %d) and %s (share: %d) both use "
                    "%s; the device plugin gives every device of a resource "
                    "one number of replicas: give them one share",
                    r->tenants[res->tenant].name, res->replicas, tn->name,
                    share, prof);
            if (res)
                continue;
            if (*n == MAX_RESOURCES)
                return mp_diag_set(d, MP_ELIMIT, r->path, 0, 0,
                                   "more than %d time-sliced resources",
                                   MAX_RESOURCES);
            v[(*n)++] = (resource){prof, p->gpus[k].tenant[q], share};
        }
    }
    return 0;
}

/* "# note:" lines for unshared tenants on a time-sliced resource. */
static void notes(const scope *sc, const resource *v, int n, int indent,
                  mp_buf *b)
{
    const mp_plan *p = sc->p;
    const mp_request *r = p->req;
    for (int t = 0; t < r->n_tenants; t++) {
        const mp_tenant *tn = &r->tenants[t];
        int hit = -1;
        for (int k = 0; k < p->n_gpus && hit < 0 && mp_tenant_share(tn) < 2;
             k++) {
            const mp_layout *l = &p->gpus[k].layout.gis;
            for (int q = 0; q < l->n && hit < 0 && in_scope(sc, k); q++)
                if (p->gpus[k].tenant[q] == t)
                    hit = find(sc, v, n,
                               l->model->profiles[l->gi[q].profile].name);
        }
        if (hit < 0)
            continue;
        char name[96];
        resource_name(sc, v[hit].profile, name, sizeof(name));
        mp_buf_repeat(b, " ", indent);
        mp_buf_printf(b,
                      "# note: %s (not shared) uses %s too; on a node with "
                      "both, its pods may get a time-sliced device\n",
                      tn->name, name);
    }
}

static int sharing(const scope *sc, int indent, mp_buf *b, mp_diag *d)
{
    const mp_plan *p = sc->p;
    if (!p->feasible)
        return mp_diag_set(d, MP_EINFEASIBLE, p->req->path, 0, 0,
                           "no plan, so no time-slicing config: %s", p->reason);
    resource v[MAX_RESOURCES];
    int n = 0;
    int rc = collect(sc, v, &n, d);
    if (rc || !n)
        return rc;
    notes(sc, v, n, indent, b);
    mp_buf_repeat(b, " ", indent);
    mp_buf_puts(b, "sharing:\n");
    mp_buf_repeat(b, " ", indent + 2);
    mp_buf_puts(b, "timeSlicing:\n");
    mp_buf_repeat(b, " ", indent + 4);
    mp_buf_puts(b, "resources:\n");
    for (int i = 0; i < n; i++) {
        char name[96];
        resource_name(sc, v[i].profile, name, sizeof(name));
        mp_buf_repeat(b, " ", indent + 6);
        mp_buf_printf(b, "- name: %s\n", name);
        mp_buf_repeat(b, " ", indent + 8);
        mp_buf_printf(b, "replicas: %d  # %s\n", v[i].replicas,
                      p->req->tenants[v[i].tenant].name);
    }
    return 0;
}

int mp_emit_timeslicing_sharing(const mp_plan *p, int indent, mp_buf *b,
                                mp_diag *d)
{
    scope sc = {p, false, false, NULL};
    return sharing(&sc, indent, b, d);
}

int mp_emit_timeslicing_node_sharing(const mp_plan *p, int node, int indent,
                                     mp_buf *b, mp_diag *d)
{
    const char *prof = node_profile(p, &p->nodes[node]);
    scope sc = {p, true, prof != NULL, prof};
    return sharing(&sc, indent, b, d);
}

int mp_emit_timeslicing(const mp_plan *p, mp_buf *b, mp_diag *d)
{
    mp_buf body = MP_BUF_INIT;
    int rc = mp_emit_timeslicing_sharing(p, 0, &body, d);
    if (!rc) {
        mp_buf_printf(b,
                      "# NVIDIA k8s device plugin config (time-slicing) for "
                      "%s, written by migplan\n",
                      p->req->path);
        if (!body.len)
            mp_buf_puts(b, "# no tenant shares an instance (share: N), so "
                           "nothing is time-sliced\n");
        else
            mp_buf_printf(b, "version: v1\nflags:\n  migStrategy: mixed\n%s",
                          mp_buf_str(&body));
    }
    mp_buf_free(&body);
    return rc;
}
