// SPDX-License-Identifier: Apache-2.0
/* change_script.c - the GPUs of a change script and their changes. */
#include "migplan/script/change_script.h"

#include <stdlib.h>
#include <string.h>

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
    if (mp_grow(&s->gpus, &s->cap, s->n + 1, sizeof(*s->gpus), 8))
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
    if (!s)
        return;
    free(s->gpus);
    mp_arena_free(&s->arena);
    memset(s, 0, sizeof(*s));
}
