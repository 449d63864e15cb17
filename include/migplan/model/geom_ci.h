/* SPDX-License-Identifier: Apache-2.0 */
/* geom_ci.h - compute instances (CIs) inside one GPU instance: whether a
 * split fits, its maximal combinations, and the fewest GIs that hold a set
 * of CIs (geom_ci.c). */
#ifndef MIGPLAN_GEOM_CI_H
#define MIGPLAN_GEOM_CI_H

#include <stddef.h>

#include "migplan/model/profile_db.h"

/* Do CI profiles fit one GI? count[i] instances of gi->cis[i]. Compute
 * slices must sum to at most the GI's and each CI profile stay within its
 * per-GI max. Returns 0 or MP_EINFEASIBLE with reason. */
int mp_geom_ci_fit(const mp_gi_profile *gi, const int *count, char *reason,
                   size_t rlen);

/* Every maximal CI combination of a GI (no further CI fits), as count
 * vectors over gi->cis; returns how many were written (at most max). */
int mp_geom_ci_combos(const mp_gi_profile *gi, int (*out)[MP_MAX_CI], int max);

/* Fewest GIs of profile gi that can hold the CIs count[] (each GI holding a
 * combination that fits), or -1 if some CI cannot fit any GI. */
int mp_geom_ci_min_gis(const mp_gi_profile *gi, const int *count);

/* Pack the CIs count[] into as few GIs of profile gi as possible; bins[k]
 * receives the CI counts of GI k. Returns the number of GIs, or -1. */
int mp_geom_ci_pack(const mp_gi_profile *gi, const int *count,
                    int (*bins)[MP_MAX_CI], int max_bins);

#endif
