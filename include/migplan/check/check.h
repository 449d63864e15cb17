/* check.h - what mig-parted cannot check: a config against real GPUs.
 *
 * For every named config, each entry is matched to the GPU models it
 * applies to (its device-filter, --gpu models, a node inventory, or, for
 * unfiltered entries with nothing else given, the models whose profile
 * tables hold all its names), then checked: profile names per model, counts,
 * compute instances inside their GPU instances, and geometry feasibility
 * with the geometry engine's reason. Findings go to an mp_findings list.
 */
#ifndef MIGPLAN_CHECK_H
#define MIGPLAN_CHECK_H

#include <stdbool.h>

#include "migplan/util/findings.h"
#include "migplan/model/geometry.h"
#include "migplan/readers/migparted_reader.h"
#include "migplan/readers/node_reader.h"
#include "migplan/model/profile_db.h"

typedef struct mp_check_opts {
    const char *config;          /* check only this config, or NULL */
    const mp_model *const *gpus; /* --gpu models for unfiltered entries */
    int n_gpus;
    const mp_node *node; /* --node inventory, or NULL */
} mp_check_opts;

typedef struct mp_check_stats {
    int configs; /* configs looked at */
    int entries; /* entries looked at */
    int checked; /* (entry, model) pairs checked against a profile table */
} mp_check_stats;

/* Check the semantics of a parsed file. Returns 0, MP_ENOTFOUND when
 * opts->config names no config (a finding says so too), or MP_ENOMEM. */
int mp_check_file(const mp_db *db, const mp_mp_file *file,
                  const mp_check_opts *opts, mp_findings *f,
                  mp_check_stats *stats);

/* One entry realised on one GPU model: the GPU instances with placements
 * (largest first, in a creation order that also works when the driver
 * picks slots) and, per instance, the compute instances to create in it. */
typedef struct mp_gpu_plan {
    const mp_model *model;
    bool mig_enabled;
    mp_layout layout;                    /* placed GIs */
    bool ci_explicit[MP_MAX_GIS];        /* false: the default CI (-C) */
    int ci_count[MP_MAX_GIS][MP_MAX_CI]; /* per GI, over gi->cis */
    bool driver_order; /* layout order works without explicit placements */
    bool driver_exact; /* ... and the driver lands on the same slots */
} mp_gpu_plan;

/* Realise an entry on a model. Returns 0, or MP_EINFEASIBLE with a reason
 * naming the profile or constraint that fails. */
int mp_check_realise(const mp_model *m, const mp_mp_entry *e, mp_gpu_plan *out,
                     char *reason, size_t rlen);

/* Resolve a mig-devices key on a model: *gi gets the GPU-instance profile,
 * *ci the compute-instance profile index in gi->cis (-1 for a whole GI).
 * On failure writes a message with the closest names into why. */
bool mp_check_resolve_name(const mp_model *m, const char *name,
                           const mp_gi_profile **gi, int *ci, char *why,
                           size_t whylen);

#endif
