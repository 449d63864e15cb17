// SPDX-License-Identifier: Apache-2.0
/* change_script.c - the GPUs of a change script and their changes. */
#include "migplan/script/change_script.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migplan/model/gpu_nearest.h"
#include "migplan/script/script.h"
#include "migplan/util/buf.h"

void mp_change_script_init(mp_change_script *s)
{
    memset(s, 0, sizeof(*s));
    s->placements_known = true;
    s->arena = (mp_arena)MP_ARENA_INIT;
}

int mp_change_script_add(mp_change_script *s, const mp_gpu_state *from,
                         const mp_gpu_layout *to, const char *note, mp_diag *d)
{
    for (int k = 0; k < s->n; k++)
        if (s->gpus[k].from.index == from->index)
            return mp_diag_set(d, MP_EUSAGE, NULL, 0, 0,
                               "GPU %d is in the change script twice",
                               from->index);
    char why[600];
    if (mp_gpu_layout_validate(to, why, sizeof(why)) != 0)
        return mp_diag_set(d, MP_EINFEASIBLE, NULL, 0, 0, "GPU %d: %s",
                           from->index, why);
    mp_gpu_change c;
    if (mp_gpu_change_diff(from, to, &c, why, sizeof(why)) != 0)
        return mp_diag_set(d, MP_EINFEASIBLE, NULL, 0, 0, "%s", why);
    for (int k = 0; k < c.n_create; k++)
        if (c.create[k].start < 0)
            return mp_diag_set(d, MP_EINFEASIBLE, NULL, 0, 0,
                               "GPU %d: a new GPU instance has no start slot",
                               from->index);
    if (mp_arena_grow(&s->arena, &s->gpus, &s->cap, s->n + 1, sizeof(*s->gpus),
                      8))
        return mp_diag_set(d, MP_ENOMEM, NULL, 0, 0, "out of memory");
    mp_change_gpu *g = &s->gpus[s->n];
    memset(g, 0, sizeof(*g));
    g->from = *from;
    g->to = *to;
    g->change = c;
    /* the process names belong to the state's reader: copy them */
    for (int q = 0; q < from->layout.gis.n; q++)
        if (from->gi[q].process) {
            g->from.gi[q].process =
                mp_arena_printf(&s->arena, "%s", from->gi[q].process);
            if (!g->from.gi[q].process)
                return mp_diag_set(d, MP_ENOMEM, NULL, 0, 0, "out of memory");
        }
    if (note && !(g->note = mp_arena_printf(&s->arena, "%s", note)))
        return mp_diag_set(d, MP_ENOMEM, NULL, 0, 0, "out of memory");
    s->n++;
    return 0;
}

void mp_change_script_totals(const mp_change_script *s, mp_change_totals *t)
{
    memset(t, 0, sizeof(*t));
    for (int k = 0; k < s->n; k++) {
        const mp_gpu_change *c = &s->gpus[k].change;
        t->kept += c->n_keep;
        t->destroyed += c->n_destroy;
        t->in_use_destroyed += c->in_use_destroyed;
        t->created += c->n_create;
        t->gpus_touched += !mp_gpu_change_none(c);
    }
}

void mp_change_script_free(mp_change_script *s)
{
    if (s)
        mp_arena_release(&s->arena, s, sizeof(*s));
}

/* Give the instances of `to` the compute-instance splits of ref: a kept
 * instance (the first `kept`) keeps its own and uses up a default split
 * of its profile when ref has one; a new one takes the next split left. */
static void copy_splits(const mp_gpu_layout *ref, int kept, mp_gpu_layout *to)
{
    bool used[MP_MAX_GIS] = {false};
    for (int pass = 0; pass < 2; pass++)
        for (int q = pass ? kept : 0; q < (pass ? to->gis.n : kept); q++) {
            int hit = -1;
            for (int r = 0; r < ref->gis.n; r++) {
                if (used[r] || ref->gis.gi[r].profile != to->gis.gi[q].profile)
                    continue;
                if (hit < 0 || (!pass && !ref->ci_explicit[r]))
                    hit = r;
            }
            if (hit < 0)
                continue;
            used[hit] = true;
            if (!pass)
                continue;
            to->ci_explicit[q] = ref->ci_explicit[hit];
            memcpy(to->ci_count[q], ref->ci_count[hit],
                   sizeof(to->ci_count[q]));
        }
}

/* The layout entry e asks of GPU g, nearest to what g holds. */
static int entry_target(const mp_gpu_state *g, const mp_mp_entry *e, bool allow,
                        mp_gpu_layout *to, char *why, size_t n)
{
    const mp_model *m = g->layout.gis.model;
    if (!e->mig_enabled) {
        mp_gpu_layout_init(to, m, false);
        return 0;
    }
    mp_profile_count *v = calloc((size_t)e->n_devs + 1, sizeof(*v));
    if (!v)
        return MP_ENOMEM;
    for (int i = 0; i < e->n_devs; i++) {
        v[i].name = e->devs[i].name;
        v[i].count = e->devs[i].count_ok ? e->devs[i].count : 0;
    }
    mp_gpu_layout ref;
    int rc = mp_gpu_layout_from_counts(m, v, e->n_devs, &ref, why, n);
    free(v);
    if (rc)
        return rc;
    int count[MP_MAX_PROFILES] = {0};
    for (int q = 0; q < ref.gis.n; q++)
        count[ref.gis.gi[q].profile]++;
    mp_nearest res;
    rc = mp_gpu_nearest(g, count, allow, to, &res);
    if (rc) {
        snprintf(why, n, "%s", res.why);
        return rc;
    }
    copy_splits(&ref, res.kept, to);
    return 0;
}

/* GPU index's entry in node, or a GPU known by its model only. */
static mp_node_gpu node_gpu(const mp_node *node, const mp_gpu_state *g)
{
    for (int k = 0; node && k < node->n; k++)
        if (node->gpus[k].index == g->index)
            return node->gpus[k];
    return (mp_node_gpu){.index = g->index, .model = g->layout.gis.model};
}

int mp_change_from_config(const mp_mp_config *cfg, const mp_node_state *st,
                          const mp_node *node, bool allow_disruption,
                          mp_change_script *out, mp_buf *notes, mp_diag *d)
{
    mp_change_script_init(out);
    char errors[1024] = "", why[600];
    size_t ne = 0;
    int first_line = 0, first_col = 0, n_err = 0;
    for (int i = 0; i < st->n; i++) {
        const mp_gpu_state *g = &st->gpu[i];
        const mp_model *m = g->layout.gis.model;
        mp_node_gpu ng = node_gpu(node, g);
        const mp_mp_entry *e = mp_script_entry_for(cfg, &ng);
        if (!e) {
            mp_buf_printf(notes,
                          "GPU %d (%s): no entry of config %s selects it; "
                          "the change leaves it as it is\n",
                          g->index, m->id, cfg->name);
            continue;
        }
        mp_gpu_layout to;
        int rc = entry_target(g, e, allow_disruption, &to, why, sizeof(why));
        if (rc == MP_EINFEASIBLE) {
            mp_catf(errors, sizeof(errors), &ne, "%s%s (entry at line %d)",
                    n_err++ ? "; " : "", why, e->line);
            if (!first_line)
                first_line = e->line, first_col = e->col;
            continue;
        }
        if (rc)
            return mp_diag_set(d, rc, NULL, 0, 0, "out of memory");
        char note[200];
        snprintf(note, sizeof(note), "config %s, entry at line %d", cfg->name,
                 e->line);
        if ((rc = mp_change_script_add(out, g, &to, note, d)) != 0)
            return rc;
    }
    /* GPUs of the node the state does not list: -lgi lists no GPU without
     * GPU instances, so they are taken as empty (the script checks) */
    for (int k = 0; node && k < node->n; k++) {
        const mp_node_gpu *ng = &node->gpus[k];
        const mp_mp_entry *e = mp_script_entry_for(cfg, ng);
        if (mp_node_state_gpu(st, ng->index) || !e)
            continue;
        mp_gpu_state empty;
        mp_gpu_state_init(&empty, ng->index, ng->model);
        mp_gpu_layout to;
        int rc =
            entry_target(&empty, e, allow_disruption, &to, why, sizeof(why));
        if (rc == MP_EINFEASIBLE) {
            mp_catf(errors, sizeof(errors), &ne,
                    "%sGPU %d: %s (entry at "
                    "line %d)",
                    n_err++ ? "; " : "", ng->index, why, e->line);
            continue;
        }
        if (rc)
            return mp_diag_set(d, rc, NULL, 0, 0, "out of memory");
        mp_buf_printf(notes,
                      "GPU %d (%s): the state lists no GPU instance of it; "
                      "taken as MIG on and empty (the script stops if it "
                      "is not)\n",
                      ng->index, ng->model->id);
        char note[200];
        snprintf(note, sizeof(note), "config %s, entry at line %d", cfg->name,
                 e->line);
        if ((rc = mp_change_script_add(out, &empty, &to, note, d)) != 0)
            return rc;
    }
    if (n_err)
        return mp_diag_set(d, MP_EINFEASIBLE, NULL, first_line, first_col, "%s",
                           errors);
    if (out->n == 0)
        return mp_diag_set(d, MP_EINFEASIBLE, NULL, 0, 0,
                           "config %s selects no GPU of the current state, so "
                           "a change script would change nothing; no script",
                           cfg->name);
    return 0;
}

int mp_change_from_plan(const mp_plan *p, mp_change_script *out, mp_diag *d)
{
    mp_change_script_init(out);
    if (!p->current || !p->feasible)
        return mp_diag_set(d, MP_EUSAGE, p->req->path, 0, 0,
                           "a change script needs a plan from a node's "
                           "state (--current)");
    int rc = 0;
    for (int k = 0; k < p->n_gpus && !rc; k++) {
        const mp_plan_gpu *g = &p->gpus[k];
        if (!g->used && !g->emptied && !p->reset_unused)
            continue; /* left as it is */
        mp_gpu_state empty;
        rc = mp_change_script_add(out, mp_plan_gpu_state(p, g, &empty),
                                  &g->layout,
                                  g->used      ? NULL
                                  : g->emptied ? "not used by the plan, "
                                                 "emptied: its node is "
                                                 "all-disabled"
                                               : "not used by the plan",
                                  d);
    }
    return rc;
}
