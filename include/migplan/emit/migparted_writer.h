/* SPDX-License-Identifier: Apache-2.0 */
/* migparted_writer.h - a finished plan as a mig-parted config. */
#ifndef MIGPLAN_MIGPARTED_WRITER_H
#define MIGPLAN_MIGPARTED_WRITER_H

#include <stdbool.h>

#include "migplan/solver/solver.h"
#include "migplan/util/buf.h"
#include "migplan/util/error.h"

/* A mig-parted config (version v1) with one config named config_name that
 * covers every GPU index of the plan, written the way mig-parted exports
 * configs. Fails when the plan is infeasible or the name is not a valid
 * Kubernetes label value. */
int mp_emit_plan_migparted(const mp_plan *p, const char *config_name,
                           mp_buf *out, mp_diag *d);

/* The same, for a config written to path (NULL or "-": standard output),
 * which its "Apply:" comment then names. */
int mp_emit_plan_migparted_to(const mp_plan *p, const char *config_name,
                              const char *path, mp_buf *out, mp_diag *d);
/* The `- devices: ...` entries of every GPU of p, grouped as mig-parted
 * exports them (device-filter with mixed, tenant comments with comments).
 * Returns 0 or MP_ENOMEM. */
int mp_emit_migparted_entries(const mp_plan *p, bool mixed, bool comments,
                              mp_buf *out);

/* 0 when name is a valid Kubernetes label value (at most 63 of
 * [A-Za-z0-9-_.], alphanumeric at both ends), as a config name must be;
 * else MP_EUSAGE with "config name '<name>' <problem>" in d. */
int mp_config_name_check(const char *name, const char *problem, mp_diag *d);

/* The named configs of a plan with node pools: one per distinct node
 * layout, with node-local indices covering every GPU of the node. A node
 * with MIG disabled on every GPU gets all-disabled; one whose every GPU
 * holds the most instances of one profile p gets all-<p> (as mig-parted's
 * own configs), written with `devices: all`; others <base>-<pool> (with
 * -2, -3 ... when a pool has several layouts). */
typedef struct mp_node_configs {
    int n;
    char **names;    /* per config */
    char **bodies;   /* per config: its entries (commented, first node) */
    int *first_node; /* per config */
    /* per node of the plan; -1: left as it is (planned from node states,
     * unused, no reset_unused), no config: its label must not change */
    int *config_of;
} mp_node_configs;

/* Fill out (free with mp_node_configs_free, also on error); base is the
 * --config-name. MP_ENOMEM, or MP_EUSAGE when a name is no label value. */
int mp_node_configs_build(const mp_plan *p, const char *base,
                          mp_node_configs *out, mp_diag *d);
void mp_node_configs_free(mp_node_configs *c);

/* The config body of all-disabled, for the GPU Operator's ConfigMap. */
extern const char mp_all_disabled_body[];

/* The mig-parted file of a plan with node pools: every config its nodes
 * use, and which node takes which (comments). */
int mp_emit_nodes_migparted(const mp_plan *p, const char *base, mp_buf *out,
                            mp_diag *d);

#endif
