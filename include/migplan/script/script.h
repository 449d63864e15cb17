/* SPDX-License-Identifier: Apache-2.0 */
/* script.h - what an nvidia-smi setup script does, before it is written.
 *
 * A script is a set of layouts (what one GPU should hold: mp_gpu_layout,
 * with labels for its comments) and rules (which GPUs get which layout).
 * The rules mirror mig-parted: they are tried in order at run time and a
 * GPU takes the layout of the last rule that selects it, so one script
 * serves a node whose GPUs are only known when it
 * runs (a config with `devices: all` and device filters). Plans and
 * `script --node` give one strict rule per GPU index instead, so the script
 * stops, before changing anything, when the node is not the one planned.
 *
 * Builders turn a plan or a mig-parted config into this model; the emitter
 * (emit/emit_script.h) only formats it.
 */
#ifndef MIGPLAN_SCRIPT_H
#define MIGPLAN_SCRIPT_H

#include <stdbool.h>
#include <stdint.h>

#include "migplan/util/arena.h"
#include "migplan/util/buf.h"
#include "migplan/util/error.h"
#include "migplan/model/gpu_layout.h"
#include "migplan/readers/migparted_reader.h"
#include "migplan/readers/node_reader.h"
#include "migplan/solver/solver.h"

/* What a script says about a layout beyond what the GPU holds, for its
 * comments only. */
typedef struct mp_script_labels {
    const char *gi[MP_MAX_GIS]; /* per GI of the layout, e.g.
                                   "embeddings#0", or NULL */
    const char *note;           /* e.g. "whole GPU for llama-3-70b", or NULL */
} mp_script_labels;

/* GPUs with these PCI IDs get this layout. */
typedef struct mp_script_choice {
    const uint32_t *devices;    /* 0xDDDD10DE */
    const uint32_t *subsystems; /* parallel to devices; 0: any subsystem */
    int n_ids;                  /* 0: any GPU */
    int layout;                 /* index into mp_script.layouts */
    const char *model_id;       /* for messages, or NULL */
} mp_script_choice;

/* One rule: the GPU indices it selects and the layout per PCI ID. */
typedef struct mp_script_rule {
    bool all; /* every GPU index */
    const int *indices;
    int n_indices;
    const mp_script_choice *choices;
    int n_choices;
    bool strict;        /* a selected GPU that no choice matches stops the
                           script before any change */
    const char *origin; /* for comments: "GPU 3 of the plan", "entry at
                           line 12" */
} mp_script_rule;

typedef struct mp_script {
    mp_gpu_layout *layouts;   /* what each GPU a rule picks should hold */
    mp_script_labels *labels; /* parallel to layouts */
    int n_layouts;
    mp_script_rule *rules;
    int n_rules;
    const int *required; /* GPU indices that must exist (strict rules) */
    int n_required;
    mp_arena arena; /* owns the arrays above and what they point to */
} mp_script;

/* A script for a plan: one strict rule per GPU index of the plan, unused
 * GPUs with MIG disabled (as the plan's mig-parted config says). */
int mp_script_from_plan(const mp_plan *p, mp_script *out, mp_diag *d);

/* A script for config `cfg` of a parsed mig-parted file, which the caller
 * has checked (no errors). With node, rules are resolved per GPU index now
 * (strict) with mig-parted's exact device-filter rule (mp_node_gpu_match;
 * a GPU no entry selects is left alone and reported through `skipped`,
 * and MP_EINFEASIBLE when that leaves nothing to do); otherwise each entry
 * becomes a rule resolved when the script runs, for the models its
 * device-filter names, or (no filter) the `gpus` models, or the models whose
 * profile tables realise it. Entries for devices migplan does not know are left
 * out and reported through `skipped` (may be NULL) as one line each. */
int mp_script_from_config(const mp_db *db, const mp_mp_config *cfg,
                          const mp_model *const *gpus, int n_gpus,
                          const mp_node *node, mp_script *out, mp_buf *skipped,
                          mp_diag *d);

/* mig-parted's rule for GPU g: the last entry of cfg that selects its index
 * and whose device-filter matches its PCI IDs (an entry the IDs cannot
 * settle counts), or NULL. */
const mp_mp_entry *mp_script_entry_for(const mp_mp_config *cfg,
                                       const mp_node_gpu *g);

void mp_script_free(mp_script *s);

#endif
