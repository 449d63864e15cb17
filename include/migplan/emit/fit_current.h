/* SPDX-License-Identifier: Apache-2.0 */
/* fit_current.h - `fit --current`: whether instances still fit a GPU
 * beside what it holds, where, and in which order to create them. */
#ifndef MIGPLAN_FIT_CURRENT_H
#define MIGPLAN_FIT_CURRENT_H

#include <stdbool.h>

#include "migplan/model/geometry.h"
#include "migplan/model/gpu_state.h"
#include "migplan/util/buf.h"

typedef struct mp_fit_current_view {
    const mp_gpu_state *gpu; /* what the GPU holds (its instances stay) */
    bool fits;
    /* fits: the GPU's instances (first, in the state's order), then the
     * added ones at their starts */
    const mp_layout *layout;
    const char *reason; /* does not fit: why */
    unsigned must_go;   /* does not fit: the GPU's instances (bit q) whose
                           removal makes room; 0 when none would */
    /* does not fit: the GPU's instances, then the most of the asked ones
     * that do fit beside them (largest first), or NULL */
    const mp_layout *instead;
    /* does not fit: per asked profile that is not in instead, the fewest
     * of the GPU's instances whose removal lets it alone fit (bit q; those
     * in use avoided first; 0 when it does not fit even the empty GPU) */
    struct {
        int profile; /* index into the model's profiles */
        int pin;     /* the start asked, or -1 */
        bool fits;   /* it alone fits beside the GPU's instances */
        unsigned must_go;
    } alone[MP_MAX_GIS + 1];
    int n_alone;
    bool unicode;
    bool assumed;    /* the GPU's starts are assumed (a mig-parted export) */
    bool enable_mig; /* the state has MIG disabled on the GPU: the commands
                        enable it first */
    /* enable_mig and a process runs on the whole GPU: its name ("a process"
     * when unknown), else NULL. Enabling MIG needs the GPU idle, so what
     * fits does not fit now: the answer is "not now" (fits once idle) */
    const char *whole_busy;
} mp_fit_current_view;

/* The GPU's instances, the added ones with their starts in a diagram, and
 * the nvidia-smi commands that create them, largest first at explicit
 * starts (after `nvidia-smi -i N -mig 1` when enable_mig; once the GPU is
 * idle when whole_busy, which says so first); or why not, which
 * instances block (those in use last), what fits instead, and per profile left
 * out what must go for it alone. */
void mp_emit_fit_current_table(const mp_fit_current_view *v, mp_buf *out);

/* {"model", "gpu_index", "fits", "existing": [{"profile", "start",
 * "gi_id" (null: unknown), "in_use", "process"}], "added": [{"profile",
 * "start"}] in creation order, "commands" (enable_mig: the -mig 1 one
 * first)}; with enable_mig also "fits_when_idle" (the layout fits the GPU
 * once MIG is on), and when whole_busy and it fits then: "fits" false,
 * "reason" and "blocked_by": [{"whole_gpu": true, "in_use": true,
 * "process"}] besides "added" and "commands"; or, not fitting, "reason",
 * "blocked_by" (existing entries), "fits_instead" (added entries) and "alone":
 * per profile left out, {"profile", "start" (or null), "fits_alone",
 * "fits_if_destroyed"
 * (existing entries; null when not even the empty GPU holds it)}. */
void mp_emit_fit_current_json(const mp_fit_current_view *v, mp_buf *out);

#endif
