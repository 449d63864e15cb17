/* SPDX-License-Identifier: Apache-2.0 */
/* emit_script.h - an nvidia-smi script model (script.h) as a bash script. */
#ifndef MIGPLAN_EMIT_SCRIPT_H
#define MIGPLAN_EMIT_SCRIPT_H

#include <stdbool.h>

#include "migplan/script/change_script.h"
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

/* A bash change script for s (change_script.h). Before any change it
 * reads the node (nvidia-smi mig -lgi, -lci and the Processes table of
 * the plain view) and checks that each GPU of s is the model planned and
 * holds what it held when planned: the same GPU instance IDs, profiles and
 * start slots (else it stops and lists every difference), or already the
 * target (then it does nothing to that GPU, so a second run changes
 * nothing). A GPU instance in use that the change would destroy is a
 * blocker: every blocker is listed and nothing is changed. Then, per GPU,
 * it destroys only the listed GPU instance IDs (`nvidia-smi mig -dci -i
 * GPU -gi ID`, then `-dgi`), creates only the new instances at their
 * start slots (`-cgi PROFILE:START`), largest first, and verifies. GPUs
 * not in s are left as they are. DRY_RUN=1 previews every GPU's commands
 * first and then lists all blockers. Fails (MP_EUSAGE) when no_placement
 * is asked: a change keeps instances where they are, so new ones need
 * their slots. */
int mp_emit_change_script(const mp_change_script *s, const mp_script_opts *o,
                          mp_buf *out, mp_diag *d);

#endif
