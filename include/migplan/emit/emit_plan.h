/* SPDX-License-Identifier: Apache-2.0 */
/* emit_plan.h - a finished plan as a table with slot diagrams, or as JSON.
 * Emitters only format; they make no decisions. Output is deterministic
 * (byte-identical for the same input), so golden tests can compare it. */
#ifndef MIGPLAN_EMIT_PLAN_H
#define MIGPLAN_EMIT_PLAN_H

#include <stdbool.h>

#include "migplan/solver/solver.h"
#include "migplan/util/buf.h"

/* Per GPU the slot diagram with tenant names, the tenant summary (replica
 * -> GPU and instance, memory granted vs asked), totals and the optimality
 * line. */
void mp_emit_plan_table(const mp_plan *p, bool unicode, mp_buf *out);

/* How the table shows a plan. */
typedef struct mp_plan_view {
    bool unicode;  /* box-drawing characters */
    bool color;    /* tenant names in colours (SGR), for a terminal */
    bool summary;  /* totals per model, profile and tenant only */
    bool all_gpus; /* every GPU drawn, even in a large plan */
    /* with node pools: per group of identical nodes its label (the config
     * named after this, NULL: "migplan") and diagrams, per tenant its pod
     * resource */
    const char *config_name;
} mp_plan_view;

/* A plan using more GPUs than this is large: GPUs that look the same (the
 * model, the instances with their starts and the tenant in each, whatever
 * the replica numbers; or unused, or whole to one tenant) are drawn once,
 * under "GPU 12-340 (329 GPUs)", at the place of the first of them, and
 * the replica list becomes a line per tenant. */
#define MP_PLAN_GROUP_ABOVE 16

/* The table as v says: mp_emit_plan_table's, grouped for a large plan
 * unless v->all_gpus, or only the totals with v->summary. */
void mp_emit_plan_view(const mp_plan *p, const mp_plan_view *v, mp_buf *out);

/* {"feasible", "gpus_used", "lower_bound", "optimal", "cost", "gpus": [...],
 * "tenants": [...]} */
void mp_emit_plan_json(const mp_plan *p, mp_buf *out);
/* The same, naming node configs (with node pools) after base, as the
 * mig-parted and k8s outputs do (mp_emit_plan_json uses "migplan"). */
void mp_emit_plan_json_named(const mp_plan *p, const char *base, mp_buf *out);

/* The same JSON written one GPU and one tenant at a time (mp_json_stream):
 * out is handed to flush (which writes and resets it) whenever it holds
 * more than a chunk, so a plan of a million replicas is never held as one
 * document or one text; flush NULL keeps it all in out. whole builds the
 * one document instead (same bytes; the reference for tests). Returns 0,
 * flush's first non-zero result, or -1 when memory ran out (out->failed
 * is then set too). */
int mp_emit_plan_json_stream(const mp_plan *p, const char *base, bool whole,
                             int (*flush)(void *ctx, mp_buf *out), void *ctx,
                             mp_buf *out);

/* The optimality line and a newline: "4 GPUs, optimal (lower bound 4)",
 * with the cost and the gap when there are any. */
void mp_emit_plan_optimality(const mp_plan *p, mp_buf *out);

#endif
