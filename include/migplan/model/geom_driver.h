/* SPDX-License-Identifier: Apache-2.0 */
/* geom_driver.h - what the driver does without explicit placements, and
 * the orders that create a layout anyway (geom_driver.c). */
#ifndef MIGPLAN_GEOM_DRIVER_H
#define MIGPLAN_GEOM_DRIVER_H

#include <stdbool.h>

#include "migplan/model/profile_db.h"

/* Defined in geometry.h. */
typedef struct mp_layout mp_layout;

/* The start the driver picks for profile p on a GPU whose occupied units are
 * `occupied` (bit s = unit s), or -1 when no placement is free. The model,
 * built from NVIDIA's own examples: among free placements, the one that
 * overlaps the fewest still-free placements of all profiles; ties go to the
 * lowest start. It reproduces every example in the MIG User Guide and the
 * transcripts (see README "How the driver picks slots"). */
int mp_geom_driver_pick(const mp_model *m, int p, unsigned occupied);

/* An order for creating l's instances one by one so that it succeeds when
 * the driver picks slots itself (largest and most constrained first when
 * possible). order[] gets indices into l->gi. *exact tells whether the
 * driver then lands on l's own placements; driver (may be NULL) gets where
 * it lands. Returns 0, or MP_EINFEASIBLE when no order works without
 * explicit placements. */
int mp_geom_creation_order(const mp_layout *l, int *order, bool *exact,
                           mp_layout *driver);

/* Simulate creating profiles in the given order with the driver's choice.
 * Returns the number created before the first failure (== n on success);
 * out (may be NULL) receives the placements. */
int mp_geom_simulate(const mp_model *m, const int *profiles, int n,
                     mp_layout *out);

/* Put l's instances into the order mig-parted tries first (and the order
 * scripts list them in): G descending, then C, then attributes. */
void mp_geom_sort_largest_first(mp_layout *l);

#endif
