// SPDX-License-Identifier: Apache-2.0
/* gpu_change.c - the instances kept, destroyed and created to turn a GPU's
 * current state into a target layout. */
#include "migplan/model/gpu_change.h"

#include <stdio.h>
#include <string.h>

#include "migplan/util/error.h"

/* Can instance q of g be kept as a target instance? An idle one only with
 * one compute instance (or none known: no -lci read): one without a
 * compute instance, or split into several, serves no replica as it is, so
 * it is made anew. One in use is kept whatever it holds. */
static bool keepable(const mp_gpu_state *g, int q)
{
    return g->gi[q].n_processes > 0 || g->gi[q].n_ci < 0 || g->gi[q].n_ci == 1;
}

/* The instance of g with profile p at start s that can be kept, or -1. */
static int find_gi(const mp_gpu_state *g, int p, int s)
{
    const mp_layout *l = &g->layout.gis;
    for (int q = 0; g->layout.mig_enabled && q < l->n; q++)
        if (l->gi[q].profile == p && l->gi[q].start == s && keepable(g, q))
            return q;
    return -1;
}

int mp_gpu_change_diff(const mp_gpu_state *from, const mp_gpu_layout *to,
                       mp_gpu_change *out, char *why, size_t n)
{
    const mp_gpu_layout *cur = &from->layout;
    memset(out, 0, sizeof(*out));
    if (to->mig_enabled && cur->gis.model && to->gis.model &&
        cur->gis.model != to->gis.model) {
        snprintf(why, n, "GPU %d is a %s, not a %s", from->index,
                 cur->gis.model->id, to->gis.model->id);
        return MP_EINFEASIBLE;
    }
    out->mig_enable = to->mig_enabled && !cur->mig_enabled;
    out->mig_disable = !to->mig_enabled && cur->mig_enabled;
    const mp_layout *tl = to->mig_enabled ? &to->gis : NULL;
    const mp_layout *cl = cur->mig_enabled ? &cur->gis : NULL;
    bool kept[MP_MAX_GIS] = {false};
    for (int t = 0; tl && t < tl->n; t++) {
        int q = find_gi(from, tl->gi[t].profile, tl->gi[t].start);
        mp_gi_change c = {.profile = tl->gi[t].profile,
                          .start = tl->gi[t].start,
                          .gi_id = q >= 0 ? from->gi[q].gi_id : -1,
                          .from = q,
                          .to = t,
                          .in_use = q >= 0 && from->gi[q].n_processes > 0};
        if (q >= 0) {
            kept[q] = true;
            out->keep[out->n_keep++] = c;
        } else {
            out->create[out->n_create++] = c;
        }
    }
    for (int q = 0; cl && q < cl->n; q++) {
        if (kept[q])
            continue;
        mp_gi_change c = {.profile = cl->gi[q].profile,
                          .start = cl->gi[q].start,
                          .gi_id = from->gi[q].gi_id,
                          .from = q,
                          .to = -1,
                          .in_use = from->gi[q].n_processes > 0};
        out->destroy[out->n_destroy++] = c;
        out->in_use_destroyed += c.in_use;
    }
    return 0;
}

bool mp_gpu_change_none(const mp_gpu_change *c)
{
    return !c->mig_enable && !c->mig_disable && c->n_destroy == 0 &&
           c->n_create == 0;
}
