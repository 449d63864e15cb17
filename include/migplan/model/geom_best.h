/* SPDX-License-Identifier: Apache-2.0 */
/* geom_best.h - of all placements of a set of GPU instances, the one that
 * leaves the most usable room (geom_best.c). */
#ifndef MIGPLAN_GEOM_BEST_H
#define MIGPLAN_GEOM_BEST_H

#include "migplan/model/profile_db.h"

/* Defined in geometry.h. */
typedef struct mp_layout mp_layout;
typedef struct mp_fit_result mp_fit_result;

/* Like mp_geom_fit, but out gets the best of all placements: the one that
 * leaves the most usable capacity (largest profile still placeable, then
 * most compute and memory still usable), then one the driver reproduces by
 * itself, then the lowest starts. Deterministic. */
int mp_geom_fit_best(const mp_model *m, const int *profiles, const int *pinned,
                     int n, mp_layout *out, mp_fit_result *res);

/* mp_geom_fit_best from per-profile counts (count[i] instances of profile
 * i). */
int mp_geom_fit_counts_best(const mp_model *m, const int *count, mp_layout *out,
                            mp_fit_result *res);

#endif
