/* SPDX-License-Identifier: Apache-2.0 */
/* diagram.h - a picture of one GPU's MIG layout for the terminal.
 *
 *         0        1        2        3        4        5        6        7
 *       +-----------------------------------+-----------------+--------+--------+
 *       |4g.40gb                            |2g.20gb          |1g.10gb |   . |
 *       +-----------------------------------+-----------------+--------+--------+
 *       compute 7/7 used - memory 7/8 slices - free: none placeable
 *
 * One column per memory slice, each instance a labelled box at its
 * placement, free slices visible, stranded capacity noted. Box-drawing
 * characters when unicode is set, plain ASCII otherwise.
 */
#ifndef MIGPLAN_DIAGRAM_H
#define MIGPLAN_DIAGRAM_H

#include <stdbool.h>

#include "migplan/util/buf.h"
#include "migplan/model/geometry.h"

typedef struct mp_diagram_opts {
    bool unicode;
    /* optional second label per instance (same index as layout->gi), e.g.
     * the tenant a plan put there; NULL entries or a NULL array: none */
    const char *const *sublabels;
    const char *indent; /* prefix of every line, NULL for none */
    bool footer;        /* the capacity line under the boxes */
    /* optional SGR colour per second label (same index), NULL: plain */
    const char *const *sublabel_sgr;
} mp_diagram_opts;

/* Append the diagram of l to out. */
void mp_diagram(const mp_layout *l, const mp_diagram_opts *o, mp_buf *out);

/* Append the one-line capacity summary of l ("compute 7/7 used - ..."). */
void mp_diagram_capacity_line(const mp_layout *l, bool unicode, mp_buf *out);

#endif
