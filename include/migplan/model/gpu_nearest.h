/* SPDX-License-Identifier: Apache-2.0 */
/* gpu_nearest.h - the layout of a set of profile counts on a GPU that is
 * nearest to what the GPU holds now: the fewest GPU instances destroyed,
 * then the fewest created, and never an instance in use destroyed unless
 * the caller allows it. `script --current` and `fit --current` start here.
 *
 * An existing instance is kept when the target has an instance of its
 * profile at its start (nvidia-smi cannot move or resize one). The search
 * is exact: every subset of the existing instances is tried as the kept
 * set (a GPU has at most MP_MAX_GIS instances, 8 on the GPUs of today),
 * the rest of the counts placed around it with the geometry engine
 * (mp_geom_fit_best: of the placements that fit, the one leaving the most
 * room). The order of preference is: fewest instances in use destroyed,
 * then fewest destroyed (which also makes the fewest created, as the
 * counts are fixed); ties go to the kept set that keeps the instances
 * listed first.
 */
#ifndef MIGPLAN_GPU_NEAREST_H
#define MIGPLAN_GPU_NEAREST_H

#include <stdbool.h>
#include <stddef.h>

#include "migplan/model/gpu_layout.h"
#include "migplan/model/gpu_state.h"

typedef struct mp_nearest {
    int kept, destroyed, created; /* instances, against the state */
    int in_use_destroyed;         /* of destroyed, how many are in use */
    /* When the counts cannot be met without destroying an instance in use
     * (and that is not allowed): the state indices (into
     * from->layout.gis.gi) of the instances in use that a layout meeting
     * the counts must destroy, fewest first; else n_blockers is 0. */
    int blocker[MP_MAX_GIS];
    int n_blockers;
    char why[600]; /* one sentence when the answer is MP_EINFEASIBLE */
} mp_nearest;

/* The layout of count[p] instances of each profile p of the state's model
 * (p < model->n_profiles) nearest to `from`, MIG enabled. The kept
 * instances come first in out (in the state's order), then the new ones,
 * largest first, at explicit start slots (driver flags false: create them
 * at their starts). Every compute-instance split is the default one; a
 * caller with explicit splits sets them on out. Returns 0; MP_EINFEASIBLE
 * with res->why when the counts do not fit the GPU at all, or (unless
 * allow_disruption) only by destroying an instance in use: res->blocker
 * then names those instances; MP_EUSAGE when the state has no model. */
int mp_gpu_nearest(const mp_gpu_state *from, const int *count,
                   bool allow_disruption, mp_gpu_layout *out, mp_nearest *res);

/* Do the instances prof[0..n) (profile indices; pin[i] a start slot or
 * -1) fit on GPU g beside what it holds? On success out holds g's
 * instances at their starts (in the state's order), then the added ones
 * with their starts (mp_geom_fit_best: the placement leaving the most
 * room). Otherwise returns MP_EINFEASIBLE with res (why) and *must_go: the
 * fewest of g's instances (bit q: state instance q) whose removal makes
 * room, those in use avoided first; 0 when removing them all would not. */
int mp_gpu_fit_beside(const mp_gpu_state *g, const int *prof, const int *pin,
                      int n, mp_layout *out, unsigned *must_go,
                      mp_fit_result *res);

/* "3g.40gb@4 (GI 1, in use by vllm)" for state instance q, into buf. */
void mp_gpu_state_describe(const mp_gpu_state *g, int q, char *buf, size_t n);

#endif
