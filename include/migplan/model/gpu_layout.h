/* SPDX-License-Identifier: Apache-2.0 */
/* gpu_layout.h - what one GPU holds: the one type check, script, the plan
 * (mp_plan_gpu embeds it) and every emitter share.
 *
 * A GPU layout is a model, MIG on or off, the GPU instances with their
 * start slots in the order to create them, per GPU instance the compute
 * instances to create in it (or the default one), and whether that order
 * also works when the driver picks the slots itself. Who uses the GPU
 * (tenants, labels) is not part of it: callers keep that beside it, indexed
 * like gis.gi[].
 *
 * Readers know config formats and this module does not: a mig-parted entry
 * reaches it as a list of {profile name, count} (mp_profile_count), as its
 * `mig-devices` map lists them.
 */
#ifndef MIGPLAN_GPU_LAYOUT_H
#define MIGPLAN_GPU_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>

#include "migplan/model/geometry.h"
#include "migplan/model/profile_db.h"

typedef struct mp_gpu_layout {
    bool mig_enabled;
    /* The model (gis.model: NULL only with MIG disabled on a GPU of any
     * model) and the GPU instances with start slots, in creation order. */
    mp_layout gis;
    /* Per GPU instance q: false gives it its profile's default compute
     * instance (`-C`); true gives it ci_count[q][c] compute instances of
     * each of its profile's cis[c]. */
    bool ci_explicit[MP_MAX_GIS];
    signed char ci_count[MP_MAX_GIS][MP_MAX_CI]; /* small: a plan has one
                                                  * layout per fleet GPU */
    bool driver_order; /* the order also works when the driver picks slots */
    bool driver_exact; /* ... and the driver lands on the same slots */
} mp_gpu_layout;

/* One `mig-devices` item: a GPU-instance profile name ("1g.10gb") or a
 * compute-instance one ("1c.3g.40gb"), and how many. */
typedef struct mp_profile_count {
    const char *name;
    long long count; /* 0 (or less): the item is ignored */
} mp_profile_count;

/* An empty layout of model m (NULL: MIG disabled on any GPU) with MIG on or
 * off; no GPU instances, driver_order and driver_exact true (an empty
 * layout needs no order). */
void mp_gpu_layout_init(mp_gpu_layout *l, const mp_model *m, bool mig_enabled);

/* Append a GPU instance of profile `profile` (index into the model's
 * profiles) at start slot `start`, with its default compute instance. The
 * driver flags become false (not known) until the caller sets them.
 * Returns its index, or MP_ELIMIT when the layout is full, MP_EUSAGE when
 * MIG is disabled or the profile index is out of range. */
int mp_gpu_layout_add(mp_gpu_layout *l, int profile, int start);

/* Is l consistent? MIG disabled holds no instances; the instances fit the
 * model at their slots (mp_geom_validate); every explicit compute-instance
 * split fits its GPU instance and has at least one compute instance; and
 * the driver flags are true: driver_order only when creating the instances
 * in order without slots succeeds, driver_exact only when it lands on the
 * same slots. Returns 0, or MP_EINFEASIBLE with one sentence in why. */
int mp_gpu_layout_validate(const mp_gpu_layout *l, char *why, size_t n);

/* Do a and b hold the same: model, MIG mode, instances in the same order
 * at the same slots, the same compute instances, the same driver flags? */
bool mp_gpu_layout_equal(const mp_gpu_layout *a, const mp_gpu_layout *b);

/* The order to create l's GPU instances in (indices into l->gis.gi): a
 * safe order, largest and most constrained first, that works when the
 * driver picks the slots (returns true), or, when none exists, the
 * layout's own order, which needs explicit start slots (returns false). */
bool mp_gpu_layout_creation_order(const mp_gpu_layout *l, int *order);

/* The compute-instance profile IDs (nvidia-smi -lcip IDs) to create in GPU
 * instance q, in the order of its profile's cis: the explicit split, or
 * the default compute instance. Writes at most max; returns how many. */
int mp_gpu_layout_ci_ids(const mp_gpu_layout *l, int q, int *ids, int max);

/* Resolve a `mig-devices` name on model m: *gi gets the GPU-instance
 * profile, *ci the compute-instance profile's index in (*gi)->cis, or -1
 * for a whole GPU instance. On failure returns false with one sentence in
 * why that names the closest profiles of m. */
bool mp_gpu_layout_resolve_name(const mp_model *m, const char *name,
                                const mp_gi_profile **gi, int *ci, char *why,
                                size_t whylen);

/* How many of a name fit one GPU: gi's max count for a whole GPU instance
 * (ci < 0), else that times how many of gi->cis[ci] fit one instance. */
long long mp_gpu_layout_max_count(const mp_gi_profile *gi, int ci);

/* The layout of v[0..n) on model m, MIG enabled: compute instances packed
 * into as few GPU instances as they need, every GPU instance placed
 * (largest first, leaving the most room), in a creation order that also
 * works when the driver picks slots when there is one (then at the slots
 * the driver picks, so driver_exact holds). Returns 0, or MP_EINFEASIBLE
 * with a reason naming the profile or constraint that fails. */
int mp_gpu_layout_from_counts(const mp_model *m, const mp_profile_count *v,
                              int n, mp_gpu_layout *out, char *reason,
                              size_t rlen);

#endif
