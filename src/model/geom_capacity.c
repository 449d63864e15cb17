/* SPDX-License-Identifier: Apache-2.0 */
/* geom_capacity.c - what a placed layout still has room for: the compute
 * and memory further instances could use (the rest is stranded) and the
 * profiles of which one more instance fits. */
#include "migplan/model/geom_capacity.h"
#include "migplan/model/geometry.h"

#include <string.h>

#include "geom_internal.h"

typedef struct ext_ctx {
    const mp_model *m;
    int count[MP_MAX_PROFILES];
    bool want_memory;
} ext_ctx;

/* Most compute (or memory) slices that further instances could add. */
static int max_extension(ext_ctx *x, unsigned occ, int comp, int media,
                         int from, int min_start)
{
    const mp_model *m = x->m;
    int best = 0;
    for (int p = from; p < m->n_profiles; p++) {
        const mp_gi_profile *pp = &m->profiles[p];
        if (x->count[p] >= pp->max_instances ||
            comp + pp->compute_slices > m->compute_slices ||
            (is_media(pp) && media))
            continue;
        int after = p == from ? min_start : -1;
        for (int j = 0, st; (st = next_free(pp, occ, after, &j)) >= 0;) {
            x->count[p]++;
            int gain =
                (x->want_memory ? pp->memory_slices : pp->compute_slices) +
                max_extension(x, occ | pmask(pp, st), comp + pp->compute_slices,
                              media + is_media(pp), p, st);
            x->count[p]--;
            if (gain > best)
                best = gain;
        }
    }
    return best;
}

/* Is p a better "largest profile still placeable" than q? More compute,
 * then more memory; a plain profile over its +me/+gfx twin. */
static bool bigger_for_report(const mp_model *m, int p, int q)
{
    const mp_gi_profile *a = &m->profiles[p], *b = &m->profiles[q];
    if (a->compute_slices != b->compute_slices)
        return a->compute_slices > b->compute_slices;
    if (a->memory_slices != b->memory_slices)
        return a->memory_slices > b->memory_slices;
    if (a->memory_mib != b->memory_mib)
        return a->memory_mib > b->memory_mib;
    if ((a->flags == 0) != (b->flags == 0))
        return a->flags == 0;
    return p < q;
}

void mp_geom_capacity(const mp_layout *l, mp_capacity *out)
{
    const mp_model *m = l->model;
    memset(out, 0, sizeof(*out));
    out->compute_total = m->compute_slices;
    out->memory_total = m->units;
    ext_ctx x;
    memset(&x, 0, sizeof(x));
    x.m = m;
    unsigned occ = 0;
    int media = 0;
    for (int i = 0; i < l->n; i++) {
        const mp_gi_profile *p = &m->profiles[l->gi[i].profile];
        out->compute_used += p->compute_slices;
        out->memory_used += p->memory_slices;
        occ |= pmask(p, l->gi[i].start);
        x.count[l->gi[i].profile]++;
        media += is_media(p);
    }
    x.want_memory = false;
    int add_c = max_extension(&x, occ, out->compute_used, media, 0, -1);
    x.want_memory = true;
    int add_m = max_extension(&x, occ, out->compute_used, media, 0, -1);
    out->stranded_compute = out->compute_total - out->compute_used - add_c;
    out->stranded_memory = out->memory_total - out->memory_used - add_m;
    out->largest_addable = -1;
    for (int p = 0; p < m->n_profiles; p++) {
        const mp_gi_profile *pp = &m->profiles[p];
        if (x.count[p] >= pp->max_instances ||
            out->compute_used + pp->compute_slices > m->compute_slices ||
            (is_media(pp) && media))
            continue;
        int j = 0;
        if (next_free(pp, occ, -1, &j) < 0)
            continue;
        out->addable[out->n_addable++] = p;
        if (out->largest_addable < 0 ||
            bigger_for_report(m, p, out->largest_addable))
            out->largest_addable = p;
    }
}

void mp_geom_room(const mp_layout *l, const mp_capacity *c, long out[2])
{
    const mp_model *m = l->model;
    out[0] = c->largest_addable < 0
                 ? 0
                 : 1 + m->profiles[c->largest_addable].compute_slices * 100 +
                       m->profiles[c->largest_addable].memory_slices;
    out[1] = (c->compute_total - c->compute_used - c->stranded_compute) * 100 +
             (c->memory_total - c->memory_used - c->stranded_memory);
}
