// SPDX-License-Identifier: Apache-2.0
/* plan_changes.c - what a plan from a running node changes on it: the
 * instances kept, destroyed and created per GPU (mp_plan_gpu_change), in
 * the table and in JSON. */
#include <stdio.h>
#include <string.h>

#include "plan_internal.h"

/* What a plan from a state without placements says of it. */
#define ASSUMED_NOTE                                                           \
    "the state is an nvidia-mig-parted export, which gives counts, "           \
    "not placements; its instances are taken where mig-parted creates "        \
    "them, and the change script checks them on the node before changing "     \
    "anything"

/* The state's instance of g at q's profile and start, or -1. */
static int state_gi(const mp_plan *p, const mp_plan_gpu *g, int q,
                    const mp_gpu_state **s)
{
    *s = p->current ? mp_node_state_gpu(p->current, g->index) : NULL;
    const mp_gi *gi = &g->layout.gis.gi[q];
    for (int k = 0; *s && k < (*s)->layout.gis.n; k++)
        if ((*s)->layout.gis.gi[k].profile == gi->profile &&
            (*s)->layout.gis.gi[k].start == gi->start)
            return k;
    return -1;
}

/* Were the placements of g's state assumed (a mig-parted export gives
 * counts only)? */
static bool assumed_gpu(const mp_plan *p, const mp_plan_gpu *g)
{
    const mp_node_state *st = p->current;
    if (p->own_state && p->nodes) /* node states: the node's own */
        st = p->nodes[g->node].state;
    return st && st->placements_assumed;
}

/* Does any GPU of p start from assumed placements? */
static bool any_assumed(const mp_plan *p)
{
    if (!p->own_state || !p->nodes)
        return p->current && p->current->placements_assumed;
    for (int k = 0; k < p->n_gpus; k++)
        if (assumed_gpu(p, &p->gpus[k]))
            return true;
    return false;
}

/* Was the start of instance k of g's state s assumed (an instance of a
 * mig-parted export, or kept from one by the plan read as the state)? */
static bool assumed_gi(const mp_plan *p, const mp_plan_gpu *g,
                       const mp_gpu_state *s, int k)
{
    return s && k >= 0 && s->gi[k].slot_assumed && assumed_gpu(p, g);
}

const char *mp_plan_change_mark(const mp_plan *p, const mp_plan_gpu *g, int q)
{
    const mp_gpu_state *s;
    if (!p->current)
        return "";
    int k = state_gi(p, g, q, &s);
    if (k < 0)
        return "+";
    return assumed_gi(p, g, s, k) ? "~" : "=";
}

const char *mp_plan_kept_label(const mp_plan *p, const mp_plan_gpu *g, int q)
{
    const mp_gpu_state *s;
    int k = state_gi(p, g, q, &s);
    if (k < 0)
        return "free";
    if (s->gi[k].n_processes > 0)
        return s->gi[k].process ? s->gi[k].process : "in use";
    return "idle";
}

void mp_plan_unused_what(const mp_plan *p, const mp_plan_gpu *g, char *buf,
                         size_t n)
{
    mp_gpu_change c;
    mp_gpu_state empty;
    const mp_gpu_state *s = mp_plan_gpu_state(p, g, &empty);
    bool none = mp_plan_gpu_change(p, g, &c) != 0 || mp_gpu_change_none(&c);
    int in_use = mp_gpu_state_in_use(s), held = s->layout.gis.n;
    if (g->emptied && none)
        snprintf(buf, n, "MIG stays disabled (its node is all-disabled)");
    else if (g->emptied && c.n_destroy == 0)
        snprintf(buf, n, "MIG disabled for its all-disabled node");
    else if (g->emptied)
        snprintf(buf, n,
                 "emptied for its all-disabled node: %d instance%s destroyed "
                 "(%d in use), MIG disabled",
                 c.n_destroy, c.n_destroy == 1 ? "" : "s", c.in_use_destroyed);
    else if (!none)
        snprintf(buf, n, "MIG disabled"); /* --reset-unused */
    else if (!s->layout.mig_enabled)
        snprintf(buf, n, "MIG stays disabled");
    else if (held == 0)
        snprintf(buf, n, "empty");
    else if (in_use == 0)
        snprintf(buf, n, "%d instance%s left as %s (idle)", held,
                 held == 1 ? "" : "s", held == 1 ? "it is" : "they are");
    else
        snprintf(buf, n, "%d instance%s left as %s (%d in use)", held,
                 held == 1 ? "" : "s", held == 1 ? "it is" : "they are",
                 in_use);
}

static const char *prof_name(const mp_plan_gpu *g, int profile)
{
    return g->layout.gis.model->profiles[profile].name;
}

/* One row: GPU, action, instance, GI ID and what it is for. */
static void change_row(const mp_plan *p, const mp_plan_gpu *g,
                       const char *action, const mp_gi_change *x, mp_buf *b)
{
    const mp_gpu_state *s =
        p->current ? mp_node_state_gpu(p->current, g->index) : NULL;
    char inst[40], id[16] = "-";
    snprintf(inst, sizeof(inst), "%s @%d", prof_name(g, x->profile), x->start);
    if (x->gi_id >= 0)
        snprintf(id, sizeof(id), "%d", x->gi_id);
    mp_buf_printf(b, "%4d  %-8s %-16s %4s  ", g->index, action, inst, id);
    if (x->in_use && s && x->from >= 0)
        mp_buf_printf(b, "in use (%s)%s",
                      s->gi[x->from].process ? s->gi[x->from].process
                                             : "a process",
                      x->to >= 0 ? ", " : "");
    if (x->to >= 0 && g->tenant[x->to] >= 0) {
        char label[96];
        mp_plan_unit_label(&p->req->tenants[g->tenant[x->to]],
                           g->replica[x->to], label, sizeof(label));
        mp_buf_printf(b, "for %s", label);
    } else if (x->to >= 0) {
        mp_buf_puts(b, "serves no tenant");
    } else if (!x->in_use) {
        mp_buf_puts(b, "idle");
    }
    if (assumed_gi(p, g, s, x->from))
        mp_buf_puts(b, "; slot assumed");
    mp_buf_putc(b, '\n');
}

/* An instance in use whose process has no name (blank in nvidia-smi)
 * counts as no tenant by name, so serving one is named otherwise too. */
static const char unnamed[] = "a process";

/* The process of the state's instance in use at q of g when it differs
 * from the name of the tenant q serves (unnamed: no name); NULL
 * otherwise. */
static const char *renamed_process(const mp_plan *p, const mp_plan_gpu *g,
                                   int q, int *gi_id)
{
    const mp_gpu_state *s;
    int k = state_gi(p, g, q, &s);
    if (k < 0 || !g->used || g->tenant[q] < 0 || s->gi[k].n_processes == 0 ||
        (s->gi[k].process &&
         strcmp(s->gi[k].process, p->req->tenants[g->tenant[q]].name) == 0))
        return NULL;
    *gi_id = s->gi[k].gi_id;
    return s->gi[k].process ? s->gi[k].process : unnamed;
}

/* The next instance in use after instance q of GPU k (start at k = 0,
 * q = -1) that now counts as a tenant of another name than its process:
 * its process, its GI ID into *id; NULL past the last. */
static const char *next_renamed(const mp_plan *p, int *k, int *q, int *id)
{
    for (; *k < p->n_gpus; (*k)++, *q = -1)
        while (++*q < p->gpus[*k].layout.gis.n) {
            const char *proc = renamed_process(p, &p->gpus[*k], *q, id);
            if (proc)
                return proc;
        }
    return NULL;
}

/* A note for each instance in use that now serves a tenant of another
 * name than its process (summary: how many); node (NULL: a fleet) names
 * the node p is the view of. */
static void renamed_notes(const mp_plan *p, const char *node, bool summary,
                          mp_buf *b)
{
    int n = 0, k = 0, q = -1, id = -1;
    for (const char *proc; (proc = next_renamed(p, &k, &q, &id));) {
        const mp_plan_gpu *g = &p->gpus[k];
        n++;
        if (summary)
            continue;
        char label[96];
        mp_plan_unit_label(&p->req->tenants[g->tenant[q]], g->replica[q], label,
                           sizeof(label));
        mp_buf_printf(b,
                      "note: %s%s%sGPU %d GI %d (%s @%d) runs %s and now "
                      "counts as %s\n",
                      node ? "node " : "", node ? node : "", node ? " " : "",
                      g->index, id, prof_name(g, g->layout.gis.gi[q].profile),
                      g->layout.gis.gi[q].start, proc, label);
    }
    if (summary && n > 0)
        mp_buf_printf(b,
                      "note: %d instance%s in use now count%s as a tenant "
                      "named otherwise than %s process\n",
                      n, n == 1 ? "" : "s", n == 1 ? "s" : "",
                      n == 1 ? "its" : "their");
}

/* One GPU's changes in counts (a summary). */
static void change_counts(const mp_plan_gpu *g, const mp_gpu_change *c,
                          mp_buf *b)
{
    mp_buf_printf(b,
                  "GPU %d: %s%d destroyed (%d in use), %d kept, %d created\n",
                  g->index,
                  c->mig_enable    ? "MIG enabled, "
                  : c->mig_disable ? "MIG disabled, "
                                   : "",
                  c->n_destroy, c->in_use_destroyed, c->n_keep, c->n_create);
}

void mp_plan_changes_lines(const mp_plan *p, bool summary, mp_buf *b)
{
    mp_plan_changes_lines_of(p, NULL, summary, b);
}

void mp_plan_changes_lines_of(const mp_plan *p, const char *node, bool summary,
                              mp_buf *b)
{
    if (!p->current)
        return;
    bool assumed = any_assumed(p);
    if (summary)
        mp_buf_puts(b, "\nCHANGES from the current state\n");
    else
        mp_buf_printf(b,
                      "\nCHANGES from the current state (= kept, %s+ "
                      "created)\n GPU  ACTION   INSTANCE           GI  WHAT\n",
                      assumed ? "~ kept at an assumed slot, " : "");
    for (int k = 0; k < p->n_gpus; k++) {
        const mp_plan_gpu *g = &p->gpus[k];
        mp_gpu_change c;
        if (mp_plan_gpu_change(p, g, &c) != 0) {
            b->failed = true;
            return;
        }
        if (summary) {
            if (!mp_gpu_change_none(&c))
                change_counts(g, &c, b);
            continue;
        }
        if (!g->used && mp_gpu_change_none(&c)) {
            char what[160];
            mp_plan_unused_what(p, g, what, sizeof(what));
            mp_buf_printf(b, "%4d  unused, %s\n", g->index, what);
            continue;
        }
        if (c.mig_enable || c.mig_disable)
            mp_buf_printf(b, "%4d  MIG      %s%s\n", g->index,
                          c.mig_enable ? "enable" : "disable",
                          g->emptied ? " (unused: its node is all-disabled)"
                                     : "");
        for (int i = 0; i < c.n_destroy; i++)
            change_row(p, g, "destroy", &c.destroy[i], b);
        for (int i = 0; i < c.n_keep; i++)
            change_row(p, g, "keep", &c.keep[i], b);
        for (int i = 0; i < c.n_create; i++)
            change_row(p, g, "create", &c.create[i], b);
    }
    mp_buf_printf(
        b,
        "changes: %d GPU%s touched, %d instance%s destroyed (%d in "
        "use), %d created; %s\n",
        p->disruption.gpus_touched, p->disruption.gpus_touched == 1 ? "" : "s",
        p->disruption.destroyed, p->disruption.destroyed == 1 ? "" : "s",
        p->disruption.in_use_destroyed, p->disruption.created,
        p->disruption.minimal ? "fewest proven"
        : p->disruption.in_use_minimal && p->disruption.in_use_destroyed > 0
            ? "fewest in use proven, not proven fewest in all"
            : "not proven fewest");
    renamed_notes(p, node, summary, b);
    mp_buf_putc(b, '\n');
    if (assumed)
        mp_buf_printf(b, "~ (slot assumed): %s\n\n", ASSUMED_NOTE);
}

static cJSON *change_list(const mp_plan *p, const mp_plan_gpu *g,
                          const mp_gi_change *v, int n)
{
    const mp_gpu_state *s =
        p->current ? mp_node_state_gpu(p->current, g->index) : NULL;
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; i < n; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "profile", prof_name(g, v[i].profile));
        cJSON_AddNumberToObject(o, "start", v[i].start);
        if (v[i].gi_id >= 0)
            cJSON_AddNumberToObject(o, "gi_id", v[i].gi_id);
        if (v[i].in_use)
            cJSON_AddBoolToObject(o, "in_use", true);
        if (assumed_gi(p, g, s, v[i].from)) /* its start was assumed */
            cJSON_AddBoolToObject(o, "assumed", true);
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

/* A GPU the plan does not use, left as it is: its instances are all kept,
 * with their GPU instance IDs, so that a plan chained from this one (read
 * back as --current) still knows them. */
static void unused_kept(const mp_plan *p, const mp_plan_gpu *g,
                        mp_gpu_change *c)
{
    for (int q = 0; q < g->layout.gis.n && c->n_keep < MP_MAX_GIS; q++) {
        const mp_gpu_state *s;
        int k = state_gi(p, g, q, &s);
        if (k >= 0)
            c->keep[c->n_keep++] = (mp_gi_change){s->layout.gis.gi[k].profile,
                                                  s->layout.gis.gi[k].start,
                                                  s->gi[k].gi_id,
                                                  k,
                                                  q,
                                                  s->gi[k].n_processes > 0};
    }
}

void mp_plan_changes_json(const mp_plan *p, const mp_plan_gpu *g, cJSON *o)
{
    mp_gpu_change c;
    if (!p->current || mp_plan_gpu_change(p, g, &c) != 0)
        return;
    if (!g->used && !c.mig_enable && !c.mig_disable && c.n_destroy == 0 &&
        c.n_create == 0 && c.n_keep == 0)
        unused_kept(p, g, &c);
    cJSON *ch = cJSON_AddObjectToObject(o, "changes");
    if (c.mig_enable || c.mig_disable)
        cJSON_AddStringToObject(ch, "mig", c.mig_enable ? "enable" : "disable");
    cJSON_AddItemToObject(ch, "destroy",
                          change_list(p, g, c.destroy, c.n_destroy));
    cJSON_AddItemToObject(ch, "create",
                          change_list(p, g, c.create, c.n_create));
    cJSON *keep = change_list(p, g, c.keep, c.n_keep);
    for (int i = 0; i < c.n_keep; i++) {
        int id = -1, q = c.keep[i].to;
        if (q >= 0 && renamed_process(p, g, q, &id))
            cJSON_AddStringToObject(cJSON_GetArrayItem(keep, i), "counts_as",
                                    p->req->tenants[g->tenant[q]].name);
    }
    cJSON_AddItemToObject(ch, "keep", keep);
}

/* Each instance in use that now counts as a tenant of another name than
 * its process, by node (with node pools), GPU and GI ID: a list, or NULL
 * when none does. */
static cJSON *counts_as_json(const mp_plan *p)
{
    cJSON *a = NULL;
    int k = 0, q = -1, id = -1;
    for (const char *proc; (proc = next_renamed(p, &k, &q, &id));) {
        const mp_plan_gpu *g = &p->gpus[k];
        cJSON *o = cJSON_CreateObject();
        if (p->nodes && p->n_nodes > 0) {
            char name[300];
            const mp_plan_node *nd = &p->nodes[g->node];
            mp_node_pool_node_name(&p->req->pools[nd->pool], nd->k, name,
                                   sizeof(name));
            cJSON_AddStringToObject(o, "node", name);
            cJSON_AddNumberToObject(o, "node_index", g->node_index);
        }
        cJSON_AddNumberToObject(o, "gpu", g->index);
        cJSON_AddNumberToObject(o, "gi_id", id);
        cJSON_AddStringToObject(o, "profile",
                                prof_name(g, g->layout.gis.gi[q].profile));
        cJSON_AddNumberToObject(o, "start", g->layout.gis.gi[q].start);
        if (proc == unnamed)
            cJSON_AddNullToObject(o, "process");
        else
            cJSON_AddStringToObject(o, "process", proc);
        cJSON_AddStringToObject(o, "tenant",
                                p->req->tenants[g->tenant[q]].name);
        cJSON_AddNumberToObject(o, "replica", g->replica[q]);
        if (!a)
            a = cJSON_CreateArray();
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

void mp_plan_disruption_json(const mp_plan *p, cJSON *root)
{
    if (!p->current)
        return;
    cJSON *o = cJSON_AddObjectToObject(root, "disruption");
    cJSON_AddNumberToObject(o, "destroyed", p->disruption.destroyed);
    cJSON_AddNumberToObject(o, "created", p->disruption.created);
    cJSON_AddNumberToObject(o, "gpus_touched", p->disruption.gpus_touched);
    cJSON_AddNumberToObject(o, "in_use_destroyed",
                            p->disruption.in_use_destroyed);
    cJSON_AddBoolToObject(o, "minimal", p->disruption.minimal);
    cJSON_AddBoolToObject(o, "in_use_minimal",
                          p->disruption.in_use_minimal ||
                              p->disruption.minimal ||
                              p->disruption.in_use_destroyed == 0);
    /* always there when planning from a state, empty when none does */
    cJSON *renamed = counts_as_json(p);
    cJSON_AddItemToObject(root, "counts_as",
                          renamed ? renamed : cJSON_CreateArray());
    if (any_assumed(p))
        cJSON_AddStringToObject(root, "placements_assumed", ASSUMED_NOTE);
}
