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

typedef struct mp_script_opts {
    bool no_placement;  /* profiles only, in an order the driver accepts */
    const char *source; /* "examples/x.yaml" or "config.yaml (config a)" */
} mp_script_opts;

/* A bash script for s (see script.h): it lists the GPUs, picks each one's
 * layout by the rules, checks every GPU (model, running processes) before
 * the first change, leaves GPUs that already have their layout alone, and
 * otherwise enables MIG, clears the GPU, creates the instances in a safe
 * order and verifies them. Fails (MP_EINFEASIBLE, with d) when
 * no_placement is asked but a layout has no driver-safe order. */
struct mp_script;
int mp_emit_script(const struct mp_script *s, const mp_script_opts *o,
                   mp_buf *out, mp_diag *d);

#endif
