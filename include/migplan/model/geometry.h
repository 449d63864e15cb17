/* SPDX-License-Identifier: Apache-2.0 */
/* geometry.h - exact answers about one GPU's MIG layout: the types the
 * geometry engine shares (instances, layouts, fit results) and whether a set
 * of instances fits (geometry.c).
 *
 * A set of GPU instances fits a GPU when each gets one of its profile's
 * start slots with no two memory ranges [start, start+size) overlapping,
 * compute slices summing to at most the GPU's total, each profile within its
 * max count, and at most one media-extended (+me, +me.all) instance. The
 * engine knows nothing of tenants or files; it works for any unit count
 * (8, 4, 12, ... up to MP_MAX_UNITS).
 *
 * The engine's other modules have headers of their own, included at the
 * end so that this header still declares the whole engine:
 *   geom_best.h      the placement that leaves the most usable room
 *   geom_driver.h    the driver's own slot choice and creation orders
 *   geom_enum.h      every valid geometry of a model
 *   geom_capacity.h  what a placed layout still has room for
 *   geom_ci.h        compute instances inside one GPU instance
 */
#ifndef MIGPLAN_GEOMETRY_H
#define MIGPLAN_GEOMETRY_H

#include <stdbool.h>
#include <stddef.h>

#include "migplan/model/profile_db.h"

#define MP_MAX_GIS MP_MAX_UNITS /* every GI occupies at least one unit */

/* One GPU instance: a profile (index into model->profiles) at a start slot
 * (-1 while unplaced). */
typedef struct mp_gi {
    int profile;
    int start;
} mp_gi;

/* A placed set of GPU instances on one GPU. */
typedef struct mp_layout {
    const mp_model *model;
    int n;
    mp_gi gi[MP_MAX_GIS];
} mp_layout;

/* Why a set does not fit (for messages, tests and `check` codes). */
typedef enum mp_fit_why {
    MP_FIT_OK,
    MP_FIT_TOO_MANY,    /* more instances than the GPU has units */
    MP_FIT_MAX_COUNT,   /* a profile over its max-instances */
    MP_FIT_MEDIA,       /* more than one media-extended instance */
    MP_FIT_MEMORY,      /* memory slices over the total */
    MP_FIT_COMPUTE,     /* compute slices over the total */
    MP_FIT_BAD_START,   /* a pinned start that is not a placement */
    MP_FIT_PIN_OVERLAP, /* two pinned instances overlap */
    MP_FIT_PLACEMENT    /* sums fit, but no choice of starts avoids overlap */
} mp_fit_why;

typedef struct mp_fit_result {
    mp_fit_why why;
    char reason[400]; /* one sentence naming the binding constraint */
} mp_fit_result;

/* Can profiles[0..n) share one GPU? pinned (may be NULL) gives a start slot
 * per instance, or -1 to let the engine choose. On success out (may be NULL)
 * holds every instance, in input order, with its start. Returns 0 or
 * MP_EINFEASIBLE with res (may be NULL) filled. Exact: never calls a valid
 * set invalid or the reverse. */
int mp_geom_fit(const mp_model *m, const int *profiles, const int *pinned,
                int n, mp_layout *out, mp_fit_result *res);

/* Same, from per-profile counts (count[i] instances of profile i). */
int mp_geom_fit_counts(const mp_model *m, const int *count, mp_layout *out,
                       mp_fit_result *res);

/* Check an already placed layout (every start given). */
int mp_geom_validate(const mp_layout *l, mp_fit_result *res);

#include "migplan/model/geom_best.h"
#include "migplan/model/geom_capacity.h"
#include "migplan/model/geom_ci.h"
#include "migplan/model/geom_driver.h"
#include "migplan/model/geom_enum.h"
#include "migplan/model/geom_upgrade.h"
#include "migplan/model/profname.h"

#endif
