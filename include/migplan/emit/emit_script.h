/* SPDX-License-Identifier: Apache-2.0 */
/* emit_script.h - an nvidia-smi script model (script.h) as a bash script. */
#ifndef MIGPLAN_EMIT_SCRIPT_H
#define MIGPLAN_EMIT_SCRIPT_H

#include <stdbool.h>

#include "migplan/script/script.h"
#include "migplan/util/buf.h"
#include "migplan/util/error.h"

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
int mp_emit_script(const mp_script *s, const mp_script_opts *o, mp_buf *out,
                   mp_diag *d);

#endif
