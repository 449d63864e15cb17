/* SPDX-License-Identifier: Apache-2.0 */
/* svg.h - MIG layouts as standalone SVG pictures.
 *
 * Every GPU is a bar of its memory slices, all drawn to one scale (a slice
 * has the same width on every GPU), each GPU instance a box at its
 * placement with its full label, profile and slots; free slices are
 * dashed, unused GPUs grey. Boxes are coloured per tenant (plans) or per
 * profile (fit, geometries) from Paul Tol's "light" scheme, which stays
 * distinct for colour-blind readers and is meant to fill labelled cells;
 * past eight colours a hatch, dots or cross-hatch overlay tells them apart.
 * A legend names the colours.
 *
 * The output is one UTF-8 XML document with no external references, so it
 * opens in any browser; text is escaped and bytes that are not valid UTF-8
 * (or not allowed in XML) become '?'. Output is deterministic, and linear
 * in the number of GPUs.
 */
#ifndef MIGPLAN_SVG_H
#define MIGPLAN_SVG_H

#include "migplan/model/geometry.h"
#include "migplan/solver/solver.h"
#include "migplan/util/buf.h"

/* A plan: the title and optimality line, one bar per GPU (runs of unused
 * GPUs of one model share a bar), a legend of tenants. An infeasible plan
 * gives a picture of the reason. */
void mp_svg_plan(const mp_plan *p, mp_buf *out);
/* The same picture handed to flush (which writes and resets out) whenever
 * out holds more than a chunk, so that a large plan is never held as one
 * text; flush NULL keeps it all in out (the same bytes as mp_svg_plan).
 * Returns 0, flush's first non-zero result, or -1 when memory ran out
 * (out->failed is then set too). */
int mp_svg_plan_stream(const mp_plan *p, int (*flush)(void *ctx, mp_buf *out),
                       void *ctx, mp_buf *out);

/* `migplan fit`: the layout l of model m when it fits, else (l NULL) the
 * reason it does not. notes (may be NULL) are lines printed under the
 * picture, e.g. the nvidia-smi commands that create the layout. */
void mp_svg_fit(const mp_model *m, const mp_layout *l, const char *reason,
                const char *notes, mp_buf *out);

/* One drawn layout of a list, with its caption ("12. 3g.40gb + ..."). */
typedef struct mp_svg_item {
    const char *caption;
    const mp_layout *layout; /* NULL: the caption alone */
} mp_svg_item;

/* `migplan geometries`: a title line and one bar per item, all of model m. */
void mp_svg_geometries(const mp_model *m, const char *title,
                       const mp_svg_item *items, int n, mp_buf *out);

#endif
