/* SPDX-License-Identifier: Apache-2.0 */
/* geometry_out.h - single-GPU answers for people and programs: the valid
 * geometries of a model (`migplan geometries`), the compute-instance
 * layouts of one GPU instance, and whether a layout fits (`migplan fit`),
 * as text with slot diagrams, as JSON or as SVG pictures. */
#ifndef MIGPLAN_GEOMETRY_OUT_H
#define MIGPLAN_GEOMETRY_OUT_H

#include <stdbool.h>

#include "migplan/model/geometry.h"
#include "migplan/util/buf.h"

/* What `geometries` found and how to show it. */
typedef struct mp_geom_view {
    const mp_model *model;
    const mp_geom_list *list;
    bool maximal;  /* only maximal geometries were enumerated */
    bool diagrams; /* draw each geometry with a placement that realises it */
    bool unicode;  /* box-drawing characters in diagrams */
    const char *const *without; /* profile names left out, as given */
    int n_without;
    bool no_media; /* +me profiles were left out */
} mp_geom_view;

/* "h100-sxm5-80gb: 19 maximal geometries", then one numbered line per
 * geometry, largest profiles first, each with its diagram if asked. */
void mp_emit_geometries_table(const mp_geom_view *v, mp_buf *out);

/* The same list as one SVG picture (mp_svg_geometries): the title line,
 * then every geometry drawn with a placement that realises it. Returns 0,
 * or MP_ENOMEM with nothing written. */
int mp_emit_geometries_svg(const mp_geom_view *v, mp_buf *out);

/* {"model", "count", "maximal_only", "geometries": [{"profiles",
 * "instances", ..., "placements"}]} */
void mp_emit_geometries_json(const mp_geom_view *v, mp_buf *out);

/* The n maximal compute-instance combinations of GI profile gi of m
 * (counts per gi->cis, as mp_geom_ci_combos gives them). */
void mp_emit_ci_combos_table(const mp_model *m, const mp_gi_profile *gi,
                             const int (*combos)[MP_MAX_CI], int n,
                             mp_buf *out);
void mp_emit_ci_combos_json(const mp_model *m, const mp_gi_profile *gi,
                            const int (*combos)[MP_MAX_CI], int n, mp_buf *out);

/* Whether a layout fits one GPU and how to create it. */
typedef struct mp_fit_view {
    const mp_model *model;
    bool fits;
    const char *reason;      /* why not, when it does not fit */
    const mp_layout *layout; /* when it fits: placed, largest first */
    const int *order;        /* an order that works when the driver picks the
                                slots, or NULL when none does */
    bool exact;              /* ... and the driver then picks the same slots */
    bool unicode;
} mp_fit_view;

/* The diagram, the -cgi line with placements, and the order for drivers
 * that pick slots; or "does not fit one MODEL: reason". */
void mp_emit_fit_table(const mp_fit_view *v, mp_buf *out);

/* The layout as an SVG picture (mp_svg_fit) with the creation commands
 * under it, or a picture of the reason it does not fit. */
void mp_emit_fit_svg(const mp_fit_view *v, mp_buf *out);

/* {"model", "fits", "reason"} or {"model", "fits", "placements",
 * "capacity", "creation_order", "driver_reproduces_placements"} */
void mp_emit_fit_json(const mp_fit_view *v, mp_buf *out);

#endif
