/* SPDX-License-Identifier: Apache-2.0 */
/* geom_capacity.h - what a placed layout still has room for: used and
 * stranded slices, the profiles that still fit (geom_capacity.c). */
#ifndef MIGPLAN_GEOM_CAPACITY_H
#define MIGPLAN_GEOM_CAPACITY_H

#include "migplan/model/profile_db.h"

/* Defined in geometry.h. */
typedef struct mp_layout mp_layout;

typedef struct mp_capacity {
    int compute_used, compute_total;
    int memory_used, memory_total;
    int stranded_compute; /* free compute slices no addition can use */
    int stranded_memory;  /* free memory slices no addition can use */
    int largest_addable;  /* profile index, -1 when nothing fits */
    int n_addable;        /* profiles of which one more instance fits */
    int addable[MP_MAX_PROFILES];
} mp_capacity;

/* Capacity of a placed layout; existing instances stay where they are. */
void mp_geom_capacity(const mp_layout *l, mp_capacity *out);

/* How much usable room a layout leaves, as two keys to compare (larger is
 * better): out[0] the largest profile that still fits (by compute, then
 * memory; 0 when none), out[1] the free compute and memory no addition
 * strands. The planner and the placement chooser rank layouts by these
 * first. */
void mp_geom_room(const mp_layout *l, const mp_capacity *c, long out[2]);

#endif
