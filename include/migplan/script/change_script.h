/* SPDX-License-Identifier: Apache-2.0 */
/* change_script.h - what a change script does to a running node, before it
 * is written: per GPU, the state it was planned from and the layout it
 * should get. `script --current` and `plan --current --format nvidia-smi`
 * build one and emit it with mp_emit_change_script (emit/emit_script.h).
 *
 * Unlike a setup script (script.h), which clears a GPU and rebuilds it, a
 * change script keeps every GPU instance the target keeps (same profile,
 * same start: mp_gpu_change_diff), destroys only the others by GPU
 * instance ID and creates only the new ones, at their start slots. GPUs
 * not added are not touched (no `-mig 0` on them).
 *
 * Usage:
 *     mp_change_script cs;
 *     mp_change_script_init(&cs);
 *     for each GPU of the plan:
 *         rc = mp_change_script_add(&cs, &state_gpu, &target_layout, note, d);
 *     rc = mp_emit_change_script(&cs, &opts, &out, d);
 *     mp_change_script_free(&cs);
 */
#ifndef MIGPLAN_CHANGE_SCRIPT_H
#define MIGPLAN_CHANGE_SCRIPT_H

#include <stdbool.h>

#include "migplan/model/gpu_change.h"
#include "migplan/model/gpu_layout.h"
#include "migplan/model/gpu_state.h"
#include "migplan/readers/migparted_reader.h"
#include "migplan/readers/node_reader.h"
#include "migplan/readers/state_reader.h"
#include "migplan/solver/solver.h"
#include "migplan/util/arena.h"
#include "migplan/util/buf.h"
#include "migplan/util/error.h"

/* One GPU of a change script. */
typedef struct mp_change_gpu {
    mp_gpu_state from;    /* what it held when planned (a copy) */
    mp_gpu_layout to;     /* what it should hold */
    mp_gpu_change change; /* from -> to */
    const char *note;     /* for comments ("config a, entry at line 3"),
                             owned by the script, or NULL */
} mp_change_gpu;

typedef struct mp_change_script {
    mp_change_gpu *gpus; /* in the order added; indices distinct; in arena */
    int n, cap;
    bool placements_known; /* false: the state had counts only (a
                              mig-parted export), so the script checks
                              profiles, not start slots */
    mp_arena arena;
} mp_change_script;

void mp_change_script_init(mp_change_script *s);

/* Add GPU from->index: its state and target. The target must be a valid
 * layout of the state's model (or MIG disabled); a GPU instance the target
 * creates must have its start slot. note (may be NULL) is copied. Returns
 * 0; MP_EUSAGE when the GPU was added before; MP_EINFEASIBLE when the
 * models differ or the target is not valid (d says which GPU and why);
 * MP_ENOMEM. */
int mp_change_script_add(mp_change_script *s, const mp_gpu_state *from,
                         const mp_gpu_layout *to, const char *note, mp_diag *d);

/* Totals over every GPU: instances kept, destroyed (of which in use) and
 * created, and GPUs changed. */
typedef struct mp_change_totals {
    int kept, destroyed, in_use_destroyed, created, gpus_touched;
} mp_change_totals;
void mp_change_script_totals(const mp_change_script *s, mp_change_totals *t);

/* The change script that gives each GPU of state st the layout of the
 * entry of config cfg that selects it (mig-parted's rule,
 * mp_script_entry_for; node, when not NULL, gives the GPUs' PCI IDs for
 * device-filters), nearest to what it holds (mp_gpu_nearest: fewest GPU
 * instances destroyed, none in use unless allow_disruption). A new GPU
 * instance gets the compute instances the entry asks for; a kept one keeps
 * its own. GPUs no entry selects are left out with a line in notes. *out
 * is initialised here; free it whatever this returns. Returns 0;
 * MP_EINFEASIBLE when an entry does not fit its GPU, or only by destroying
 * an instance in use (d says which, for every such GPU; its line is the
 * first entry's), or when no GPU is selected; MP_ENOMEM. A GPU of node
 * that st does not list (-lgi lists no GPU without instances) is taken as
 * MIG on and empty, with a note. */
int mp_change_from_config(const mp_mp_config *cfg, const mp_node_state *st,
                          const mp_node *node, bool allow_disruption,
                          mp_change_script *out, mp_buf *notes, mp_diag *d);

/* The change script of plan p, planned from a running node (p->current,
 * see solver.h): every GPU the plan uses, from its state (an unlisted GPU
 * is MIG on and empty) to its layout, and, with p->reset_unused, every
 * unused GPU to MIG disabled; other GPUs are left out (not touched). *out
 * is initialised here; free it whatever this returns. Returns 0;
 * MP_EUSAGE when p was not planned from a state or has no plan;
 * MP_EINFEASIBLE or MP_ENOMEM from mp_change_script_add. */
int mp_change_from_plan(const mp_plan *p, mp_change_script *out, mp_diag *d);

void mp_change_script_free(mp_change_script *s);

#endif
