/* emit.h - output formats. Emitters only format a finished plan or layout;
 * they make no decisions. Output is deterministic (byte-identical for the
 * same input), so golden tests can compare it. */
#ifndef MIGPLAN_EMIT_H
#define MIGPLAN_EMIT_H

#include <stdbool.h>

#include "migplan/buf.h"
#include "migplan/check.h"
#include "migplan/plan.h"

/* ---- plans ---- */

/* Per GPU the slot diagram with tenant names, the tenant summary (replica
 * -> GPU and instance, memory granted vs asked), totals and the optimality
 * line. */
void mp_emit_plan_table(const mp_plan *p, bool unicode, mp_buf *out);

/* {"feasible", "gpus_used", "lower_bound", "optimal", "cost", "gpus": [...],
 * "tenants": [...]} */
void mp_emit_plan_json(const mp_plan *p, mp_buf *out);

/* A mig-parted config (version v1) with one config named config_name that
 * covers every GPU index of the plan, written the way mig-parted exports
 * configs. Fails when the plan is infeasible or the name is not a valid
 * Kubernetes label value. */
int mp_emit_plan_migparted(const mp_plan *p, const char *config_name,
                           mp_buf *out, mp_diag *d);

/* The request as a CPLEX-LP integer program over explicit placements (not
 * migplan's geometry enumeration), so GLPK or CBC can confirm the optimum
 * independently. */
int mp_emit_plan_lp(const mp_plan *p, mp_buf *out, mp_diag *d);

/* ---- nvidia-smi scripts ---- */

/* One GPU of a node as a script should leave it. */
typedef struct mp_script_gpu {
    int index;
    const mp_model *model;
    bool mig_enabled;
    int n;
    mp_gi gi[MP_MAX_GIS]; /* in creation order, each with its start */
    bool ci_explicit[MP_MAX_GIS];
    int ci_count[MP_MAX_GIS][MP_MAX_CI];
    const char *label[MP_MAX_GIS]; /* e.g. "embeddings#0", or NULL */
    const char *note;              /* e.g. "whole GPU for llama-3-70b" */
} mp_script_gpu;

typedef struct mp_script_opts {
    bool no_placement;  /* profiles only, in an order the driver accepts */
    const char *source; /* "examples/x.yaml" or "config.yaml (config a)" */
} mp_script_opts;

/* A bash script that checks each GPU, then (unless it already has exactly
 * this layout) enables MIG, clears it and creates the instances in a safe
 * order, and verifies the result. Fails (MP_EINFEASIBLE, with d) when
 * no_placement is asked but some GPU has no driver-safe order. */
int mp_emit_script(const mp_script_gpu *gpus, int n, const mp_script_opts *o,
                   mp_buf *out, mp_diag *d);

/* The script GPUs of a plan; labels point into the plan's request and
 * into `arena`. */
int mp_plan_script_gpus(const mp_plan *p, mp_arena *arena, mp_script_gpu **out,
                        int *n);

#endif
