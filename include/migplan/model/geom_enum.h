/* SPDX-License-Identifier: Apache-2.0 */
/* geom_enum.h - every valid geometry of one GPU model (geom_enum.c). */
#ifndef MIGPLAN_GEOM_ENUM_H
#define MIGPLAN_GEOM_ENUM_H

#include <stdbool.h>

#include "migplan/model/profile_db.h"

/* A geometry: how many instances of each profile (a multiset). */
typedef struct mp_geometry {
    unsigned char count[MP_MAX_PROFILES];
    int instances;
    int compute_used;
    int memory_used;
    bool maximal; /* no further instance of an allowed profile fits */
} mp_geometry;

typedef struct mp_geom_list {
    mp_geometry *v;
    int n;
} mp_geom_list;

/* Every non-empty valid geometry using only profiles with allowed[i] (NULL
 * allows all); with maximal_only, just the maximal ones. Deterministic
 * order: more instances of the larger profiles first (largest as
 * mp_geom_sort_largest_first orders profiles). Reentrant: threads may
 * enumerate at once. out is owned by the caller: mp_geom_list_free().
 * Returns 0 or MP_ENOMEM (out then empty). */
int mp_geom_enumerate(const mp_model *m, const bool *allowed, bool maximal_only,
                      mp_geom_list *out);

/* Free the list's array; accepts NULL and an empty list. */
void mp_geom_list_free(mp_geom_list *l);

#endif
