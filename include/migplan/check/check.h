/* SPDX-License-Identifier: Apache-2.0 */
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
#include <stddef.h>

#include "migplan/util/findings.h"
#include "migplan/model/gpu_layout.h"
#include "migplan/model/node_pool.h"
#include "migplan/readers/migparted_reader.h"
#include "migplan/readers/node_reader.h"
#include "migplan/model/profile_db.h"

/* --config-gpu 'PATTERN=MODEL': the configs whose names match the glob
 * PATTERN (* any run, ? any one character) serve GPUs of model. */
typedef struct mp_config_gpu {
    const char *pattern;
    const mp_model *model;
} mp_config_gpu;

typedef struct mp_check_opts {
    const char *config;          /* check only this config, or NULL */
    const mp_model *const *gpus; /* --gpu models for unfiltered entries */
    int n_gpus;
    const mp_node *node; /* --node inventory, or NULL */
    /* per node pool: unfiltered entries of a config some pattern matches
     * are checked on the models of every matching pattern (not --gpu) */
    const mp_config_gpu *config_gpus;
    int n_config_gpus;
    /* --strategy: the GPU Operator's mig.strategy the configs serve; under
     * single a config mixing profiles (or MIG modes) is an error */
    bool has_strategy;
    mp_strategy strategy;
    /* the configs serve the GPU Operator (a ConfigMap, Helm values or
     * --strategy): a profile is a pod's resource name there, so idle
     * slices a larger profile would use are a note, not a warning (the
     * larger profile would be another resource, which the pods that
     * request this one would not get) */
    bool gpu_operator;
} mp_check_opts;

/* Does name match glob pattern (* and ?)? */
bool mp_check_glob(const char *pattern, const char *name);

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

/* An entry realised on model m (mp_gpu_layout_from_counts over its
 * mig-devices; MIG disabled gives an empty layout). Returns 0,
 * MP_EINFEASIBLE with a reason naming the profile or constraint that fails,
 * or MP_ENOMEM. */
int mp_check_realise(const mp_model *m, const mp_mp_entry *e,
                     mp_gpu_layout *out, char *reason, size_t rlen);

#endif
