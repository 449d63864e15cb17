/* SPDX-License-Identifier: Apache-2.0 */
/* gpu_state.c - GPU instances as nvidia-smi lists them, checked against
 * the profile database. */
#include "migplan/model/gpu_state.h"

#include <stdio.h>
#include <string.h>

#include "migplan/util/error.h"

void mp_gpu_state_init(mp_gpu_state *g, int index, const mp_model *m)
{
    memset(g, 0, sizeof(*g));
    g->index = index;
    g->whole.gi_id = -1;
    g->whole.n_ci = -1;
    mp_gpu_layout_init(&g->layout, m, true);
}

int mp_gpu_state_find(const mp_gpu_state *g, int gi_id)
{
    for (int q = 0; q < g->layout.gis.n; q++)
        if (g->gi[q].gi_id == gi_id)
            return q;
    return -1;
}

int mp_gpu_state_in_use(const mp_gpu_state *g)
{
    if (!g->layout.mig_enabled)
        return g->whole.n_processes > 0;
    int n = 0;
    for (int q = 0; q < g->layout.gis.n; q++)
        n += g->gi[q].n_processes > 0;
    return n;
}

int mp_gpu_state_add(mp_gpu_state *g, int profile_id, int start, int size,
                     int gi_id, int line, char *why, size_t n)
{
    const mp_model *m = g->layout.gis.model;
    const mp_gi_profile *p = mp_model_profile_by_id(m, profile_id);
    if (!p) {
        snprintf(why, n,
                 "%s has no GPU instance profile ID %d (`migplan profiles %s` "
                 "lists its IDs); is this output from another GPU model?",
                 m->id, profile_id, m->id);
        return MP_ESCHEMA;
    }
    if (size != p->memory_slices || !mp_gi_can_start(p, start)) {
        char pl[128];
        mp_format_placements(p, pl, sizeof(pl));
        snprintf(why, n,
                 "%s (ID %d) on %s is placed at %s, not at %d:%d; is this "
                 "output from another GPU model?",
                 p->name, profile_id, m->id, pl, start, size);
        return MP_ESCHEMA;
    }
    if (gi_id >= 0 && mp_gpu_state_find(g, gi_id) >= 0) {
        snprintf(why, n, "GPU instance ID %d is listed twice on GPU %d", gi_id,
                 g->index);
        return MP_ESCHEMA;
    }
    const mp_layout *l = &g->layout.gis;
    for (int q = 0; q < l->n; q++) {
        const mp_gi_profile *o = &m->profiles[l->gi[q].profile];
        int a = l->gi[q].start, b = a + o->memory_slices;
        if (start < b && a < start + size) {
            char id[32] = "";
            if (g->gi[q].gi_id >= 0) /* -1: not known (a plan, an export) */
                snprintf(id, sizeof(id), " %d", g->gi[q].gi_id);
            snprintf(why, n,
                     "%s at %d:%d overlaps GPU instance%s (%s at %d:%d) on "
                     "GPU %d",
                     p->name, start, size, id, o->name, a, o->memory_slices,
                     g->index);
            return MP_ESCHEMA;
        }
    }
    int q = mp_gpu_layout_add(&g->layout, mp_profile_index(m, p), start);
    if (q < 0) {
        snprintf(why, n, "GPU %d lists more than %d GPU instances", g->index,
                 MP_MAX_GIS);
        return MP_ELIMIT;
    }
    mp_fit_result res;
    if (mp_geom_validate(&g->layout.gis, &res) != 0) { /* e.g. two +me */
        g->layout.gis.n--;
        snprintf(why, n,
                 "GPU %d cannot hold this %s with the instances "
                 "listed before it: %s",
                 g->index, p->name, res.reason);
        return MP_ESCHEMA;
    }
    g->gi[q] = (mp_gi_state){.gi_id = gi_id, .n_ci = -1, .line = line};
    return q;
}
