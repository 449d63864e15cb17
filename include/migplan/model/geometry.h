/* geometry.h - exact answers about one GPU's MIG layout.
 *
 * A set of GPU instances fits a GPU when each gets one of its profile's
 * start slots with no two memory ranges [start, start+size) overlapping,
 * compute slices summing to at most the GPU's total, each profile within its
 * max count, and at most one media-extended (+me, +me.all) instance. The
 * engine knows nothing of tenants or files; it works for any unit count
 * (8, 4, 12, ... up to MP_MAX_UNITS).
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

/* Like mp_geom_fit, but out gets the best of all placements: the one that
 * leaves the most usable capacity (largest profile still placeable, then
 * most compute and memory still usable), then one the driver reproduces by
 * itself, then the lowest starts. Deterministic. */
int mp_geom_fit_best(const mp_model *m, const int *profiles, const int *pinned,
                     int n, mp_layout *out, mp_fit_result *res);

/* Same, from per-profile counts (count[i] instances of profile i). */
int mp_geom_fit_counts(const mp_model *m, const int *count, mp_layout *out,
                       mp_fit_result *res);

/* mp_geom_fit_best from per-profile counts. */
int mp_geom_fit_counts_best(const mp_model *m, const int *count, mp_layout *out,
                            mp_fit_result *res);

/* Check an already placed layout (every start given). */
int mp_geom_validate(const mp_layout *l, mp_fit_result *res);

/* ---- what the driver does without explicit placements ---- */

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

/* ---- enumeration ---- */

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
 * order (by profile index, larger counts of earlier profiles first).
 * out is owned by the caller: mp_geom_list_free(). */
int mp_geom_enumerate(const mp_model *m, const bool *allowed, bool maximal_only,
                      mp_geom_list *out);
void mp_geom_list_free(mp_geom_list *l);

/* ---- capacity ---- */

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

/* ---- compute instances inside one GI ---- */

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

/* "1g" for "1g.10gb", "1g+me" for "1g.10gb+me": a short label. */
void mp_profile_short(const char *name, char *buf, size_t n);

#endif
