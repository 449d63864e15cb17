/* SPDX-License-Identifier: Apache-2.0 */
/* geom_internal.h - helpers the geometry engine's files share (geometry.c,
 * geom_*.c); not part of the public interface. Occupancy is a bit mask over
 * placement units (bit s = unit s). */
#ifndef MIGPLAN_GEOM_INTERNAL_H
#define MIGPLAN_GEOM_INTERNAL_H

#include <stdbool.h>

#include "migplan/model/geometry.h"

/* The units profile p covers when it starts at `start`. */
static inline unsigned pmask(const mp_gi_profile *p, int start)
{
    return ((1u << p->memory_slices) - 1u) << start;
}

/* The placements of p that start after `after` (-1: any) on units free in
 * occ, in order: for (int j = 0, st; (st = next_free(p, occ, after, &j))
 * >= 0;). Returns the start and moves *j past it, or -1 when none is left.
 */
static inline int next_free(const mp_gi_profile *p, unsigned occ, int after,
                            int *j)
{
    while (*j < p->n_placements) {
        int st = p->placements[(*j)++];
        if (st > after && !(occ & pmask(p, st)))
            return st;
    }
    return -1;
}

/* A media-extended profile (+me, +me.all): at most one per GPU. */
static inline bool is_media(const mp_gi_profile *p)
{
    return (p->flags & MP_GI_MEDIA) != 0;
}

/* Order of profiles a and b of m, larger GI first (compute slices, then
 * memory slices), then fewer placements, then "+me" before plain: the
 * order mig-parted and NVIDIA's guide create instances in (geom_driver.c). */
int mp_geom_cmp_largest(const mp_model *m, int a, int b);

/* A placement search: mp_geom_fit or mp_geom_fit_best. */
typedef int geom_fit_fn(const mp_model *m, const int *profiles,
                        const int *pinned, int n, mp_layout *out,
                        mp_fit_result *res);

/* fit applied to per-profile counts (count[i] instances of profile i),
 * expanded into a list of profile indices first. Returns what fit returns,
 * or MP_EINFEASIBLE with res (may be NULL) saying the GPU cannot hold that
 * many (geometry.c). */
int mp_geom_fit_counts_by(geom_fit_fn *fit, const mp_model *m, const int *count,
                          mp_layout *out, mp_fit_result *res);

#endif
