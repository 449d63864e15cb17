/* SPDX-License-Identifier: Apache-2.0 */
/* plan_internal.h - what the plan emitters (emit_plan.c, plan_json.c,
 * plan_groups.c, plan_changes.c) share. */
#ifndef MIGPLAN_EMIT_PLAN_INTERNAL_H
#define MIGPLAN_EMIT_PLAN_INTERNAL_H

#include "migplan/emit/emit_plan.h"

/* The table's section for the GPU at position k (with a run of unused
 * ones from there); returns the position of the last GPU it showed. */
int mp_plan_gpu_section(const mp_plan *p, int k, const mp_plan_view *v,
                        mp_buf *b);

/* The slot diagram of g with its footer and a blank line; the second
 * label of each instance is its tenant, with the replica ("name#3") when
 * replicas, in the tenant's colour when v->color. */
void mp_plan_diagram(const mp_plan *p, const mp_plan_gpu *g, bool replicas,
                     const mp_plan_view *v, mp_buf *b);

/* Every GPU, those that look the same drawn once (MP_PLAN_GROUP_ABOVE).
 * Returns 0, or -1 when out of memory. */
int mp_plan_grouped_gpus(const mp_plan *p, const mp_plan_view *v, mp_buf *b);

/* GPUs used per model, instances per profile (with v->summary), then a
 * line per tenant: replicas, the instances that serve them, memory
 * granted and asked; *granted and *asked get the totals. Returns 0, or -1
 * when out of memory. */
int mp_plan_totals(const mp_plan *p, const mp_plan_view *v, mp_buf *b,
                   long long *granted, long long *asked);

/* The tenant's name in its colour when v->color, padded to width. */
void mp_plan_tenant_name(const mp_plan *p, const mp_plan_view *v, int t,
                         const char *suffix, int width, mp_buf *b);

/* Compute slices g idles with no memory left for them (emit_plan.c). */
int mp_plan_stranded_compute(const mp_plan_gpu *g);

/* Where each replica is: loc[offset[t] + replica] = gpu * 64 + instance,
 * with instance 63 for a whole GPU (emit_plan.c). Caller frees both
 * arrays. Returns 0, or -1 when out of memory. */
int mp_plan_replica_index(const mp_plan *p, int **offset, int **loc);

/* Where the replica at `at` (from mp_plan_replica_index) is: its GPU, and
 * the instance (*gi NULL for a whole GPU) with the memory it grants. */
const mp_plan_gpu *mp_plan_replica_at(const mp_plan *p, int at,
                                      const mp_gi **gi, long long *mib);

/* ---- plan_changes.c: a plan from a running node (p->current) ---- */

#include <cjson/cJSON.h>

/* The mark of instance q of g in the diagram: "+" created, "=" kept, ""
 * with no state to compare with. */
const char *mp_plan_change_mark(const mp_plan *p, const mp_plan_gpu *g, int q);

/* What a kept instance that serves nobody shows: its process, or "idle". */
const char *mp_plan_kept_label(const mp_plan *p, const mp_plan_gpu *g, int q);

/* What becomes of unused GPU g of p (planned from a state), after
 * "unused, " into buf: emptied for its all-disabled node, MIG disabled
 * (--reset-unused), or left as it is, saying whether it is empty or its
 * instances are left (how many, how many in use). */
void mp_plan_unused_what(const mp_plan *p, const mp_plan_gpu *g, char *buf,
                         size_t n);

/* The table's changes: per GPU the instances kept, destroyed and created,
 * and the totals with whether they are proven fewest. */
void mp_plan_changes_lines(const mp_plan *p, bool summary, mp_buf *b);

/* The same for p, the view of node `node` (NULL: a fleet), whose notes
 * then name it. */
void mp_plan_changes_lines_of(const mp_plan *p, const char *node, bool summary,
                              mp_buf *b);

/* node_changes.c: with node states (p->own_state), each node's changes
 * (mp_plan_changes_lines of its view; summary: in counts), then the
 * totals. */
void mp_plan_node_changes_lines(const mp_plan *p, bool summary, mp_buf *b);

/* GPU g's "changes" object, added to o. */
void mp_plan_changes_json(const mp_plan *p, const mp_plan_gpu *g, cJSON *o);

/* The plan's "disruption" object, added to root. */
void mp_plan_disruption_json(const mp_plan *p, cJSON *root);

#endif
