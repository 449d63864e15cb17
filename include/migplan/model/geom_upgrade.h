/* SPDX-License-Identifier: Apache-2.0 */
/* geom_upgrade.h - the most compute a GPU's instances could be given:
 * every instance replaced by a profile at least as capable, the whole
 * still fitting the GPU (geom_upgrade.c). Both the planner (to hand idle
 * compute to tenants) and `check` (to tell avoidable stranding from
 * unavoidable) ask it. */
#ifndef MIGPLAN_GEOM_UPGRADE_H
#define MIGPLAN_GEOM_UPGRADE_H

#include <stdbool.h>

#include "migplan/model/profile_db.h"

/* Can q serve whatever p serves? At least p's memory, compute slices,
 * SMs (when p's are known) and engines, and graphics when p has it. Any
 * tenant p fits (mp_tenant_fits_profile) fits q. */
bool mp_gi_dominates(const mp_gi_profile *q, const mp_gi_profile *p);

/* The instances count[p] of profile p on model m, each replaced by a
 * profile dominating it (itself included) so that the multiset still fits
 * m, with the most compute slices in use (by_memory: memory slices);
 * among those the fewest of the other kind, then the first in profile
 * order. to[p][q] gets how many instances of p become q: the identity
 * when no such multiset uses more than count (or count does not fit m).
 * Returns the compute (memory) slices the result uses. */
int mp_geom_upgrade(const mp_model *m, const int *count, bool by_memory,
                    int to[MP_MAX_PROFILES][MP_MAX_PROFILES]);

#endif
