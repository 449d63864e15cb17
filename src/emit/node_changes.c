// SPDX-License-Identifier: Apache-2.0
/* node_changes.c - a node-pool plan from the nodes' states: the changes
 * per node in the table, and what labelling would destroy. */
#include "migplan/emit/node_changes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan_internal.h"

/* Node j's view with its own changes summed (for its CHANGES lines). */
static int node_view(const mp_plan *p, int j, mp_plan *v)
{
    if (mp_plan_node_view(p, j, v) != 0)
        return MP_ENOMEM;
    memset(&v->disruption, 0, sizeof(v->disruption));
    for (int k = 0; k < v->n_gpus; k++) {
        mp_gpu_change ch;
        if (mp_plan_gpu_change(v, &v->gpus[k], &ch) != 0)
            return MP_EINTERNAL;
        v->disruption.destroyed += ch.n_destroy;
        v->disruption.created += ch.n_create;
        v->disruption.in_use_destroyed += ch.in_use_destroyed;
        v->disruption.gpus_touched += !mp_gpu_change_none(&ch);
    }
    /* a node the plan leaves as it is cannot change less */
    v->disruption.minimal =
        p->disruption.minimal ||
        (!v->disruption.gpus_touched && !v->disruption.destroyed &&
         !v->disruption.created);
    return 0;
}

void mp_plan_node_changes_lines(const mp_plan *p, bool summary, mp_buf *b)
{
    if (!p->own_state)
        return;
    for (int j = 0; j < p->n_nodes; j++) {
        const mp_plan_node *nd = &p->nodes[j];
        if (!nd->used && !nd->state)
            continue; /* no state, not used: nothing to change */
        char name[300];
        mp_node_pool_node_name(&p->req->pools[nd->pool], nd->k, name,
                               sizeof(name));
        mp_plan v;
        int rc = node_view(p, j, &v);
        bool quiet = !rc && summary && !v.disruption.gpus_touched &&
                     !v.disruption.destroyed && !v.disruption.created;
        if (!rc && !quiet) { /* a summary leaves out nodes left as they are */
            mp_buf_printf(b, "Node %s (%s):", name,
                          nd->state ? "from its state"
                                    : "no state given: taken as empty");
            mp_plan_changes_lines_of(&v, name, summary, b);
        }
        free(v.gpus);
        if (rc) {
            b->failed = true;
            return;
        }
    }
    mp_buf_printf(
        b,
        "all nodes: %d GPU%s touched, %d instance%s destroyed (%d in use), "
        "%d created\n\n",
        p->disruption.gpus_touched, p->disruption.gpus_touched == 1 ? "" : "s",
        p->disruption.destroyed, p->disruption.destroyed == 1 ? "" : "s",
        p->disruption.in_use_destroyed, p->disruption.created);
}

/* Instances per profile of a layout: does mig-parted see a and b alike? */
static bool same_counts(const mp_layout *a, const mp_layout *b)
{
    int n[MP_MAX_PROFILES] = {0};
    for (int q = 0; q < a->n; q++)
        n[a->gi[q].profile]++;
    for (int q = 0; q < b->n; q++)
        n[b->gi[q].profile]--;
    for (int i = 0; i < MP_MAX_PROFILES; i++)
        if (n[i])
            return false;
    return true;
}

/* The in-use instances of node view v that applying its config clears,
 * appended to b; how many. */
static int cleared_in_use(const mp_plan *v, mp_buf *b)
{
    int n = 0;
    for (int k = 0; k < v->n_gpus; k++) {
        const mp_plan_gpu *g = &v->gpus[k];
        const mp_gpu_state *s = mp_node_state_gpu(v->current, g->index);
        if (!s || (!g->used && !g->emptied) ||
            (g->layout.mig_enabled &&
             same_counts(&s->layout.gis, &g->layout.gis)))
            continue;
        const mp_layout *l = &s->layout.gis;
        for (int q = 0; q < l->n; q++)
            if (s->gi[q].n_processes > 0)
                mp_buf_printf(b, "%sGPU %d GI %d (%s at slot %d, process %s)",
                              n++ ? ", " : "", g->index, s->gi[q].gi_id,
                              l->model->profiles[l->gi[q].profile].name,
                              l->gi[q].start,
                              s->gi[q].process ? s->gi[q].process : "?");
    }
    return n;
}

int mp_plan_relabel_warnings(const mp_plan *p, const char *command, mp_buf *b)
{
    int warned = 0;
    if (!p->own_state && p->current) { /* a fleet from its state */
        mp_buf list = MP_BUF_INIT;
        int n = cleared_in_use(p, &list);
        if (n > 0)
            mp_buf_printf(b,
                          "warning: applying this config with mig-parted "
                          "clears every instance of each GPU whose profile "
                          "counts change, and %d in use would go: %s; run "
                          "the change script instead (%s --format "
                          "nvidia-smi)\n",
                          n, list.data ? list.data : "", command);
        mp_buf_free(&list);
        return n > 0;
    }
    for (int j = 0; p->own_state && j < p->n_nodes; j++) {
        char name[300];
        mp_node_pool_node_name(&p->req->pools[p->nodes[j].pool], p->nodes[j].k,
                               name, sizeof(name));
        mp_buf list = MP_BUF_INIT;
        int n = mp_plan_node_cleared(p, j, &list);
        if (n < 0) {
            b->failed = true;
            return warned;
        }
        if (n > 0) /* the whole command once, then "...", as the k8s
                      comments write it */
            mp_buf_printf(b,
                          "warning: node %s: labelling it makes mig-parted "
                          "apply clear every instance of each GPU whose "
                          "profile counts change, and %d in use would go: %s; "
                          "run the change script there instead (%s "
                          "--format nvidia-smi --node-name %s)\n",
                          name, n, list.data ? list.data : "",
                          warned++ ? "migplan plan ..." : command, name);
        mp_buf_free(&list);
    }
    return warned;
}

int mp_plan_node_cleared(const mp_plan *p, int j, mp_buf *list)
{
    if (!p->own_state || !p->nodes[j].state)
        return 0;
    mp_plan v;
    if (mp_plan_node_view(p, j, &v) != 0)
        return -1;
    int n = cleared_in_use(&v, list);
    free(v.gpus);
    return n;
}
