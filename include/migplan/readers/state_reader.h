/* SPDX-License-Identifier: Apache-2.0 */
/* state_reader.h - the current state of a node's GPUs out of nvidia-smi
 * output.
 *
 * Reads, in one capture and in any order, the tables of
 *   nvidia-smi mig -lgi   GPU instances (GPU, profile ID, GPU instance ID,
 *                         Start:Size), every driver generation's width;
 *   nvidia-smi mig -lci   compute instances per GPU instance (with or
 *                         without the Placement column);
 *   nvidia-smi            the Processes table, whose GI ID column marks the
 *                         GPU instances in use (N/A rows: MIG off, skipped).
 * "No GPU instances found" and "No running processes found" are empty
 * states. Other tables of the plain nvidia-smi view (GPUs, MIG devices)
 * are passed over; text outside tables is ignored. Sources: the captures
 * in nvidia-smi-transcripts.md sections 6 and 10 and the Processes layout
 * in fidelity-corrections.md section D.
 *
 * Each GPU's model comes from the caller. Every instance is checked with
 * mp_gpu_state_add (profile ID, placement, overlap, repeated IDs): a state
 * that contradicts the profile database is an error at its line, as is a
 * compute instance or process in a GPU instance the -lgi table lacks.
 */
#ifndef MIGPLAN_STATE_READER_H
#define MIGPLAN_STATE_READER_H

#include <stddef.h>

#include "migplan/model/gpu_state.h"
#include "migplan/util/arena.h"
#include "migplan/util/error.h"

#define MP_STATE_MAX_GPUS 64 /* GPU indices 0..63 */

typedef struct mp_node_state {
    mp_gpu_state gpu[MP_STATE_MAX_GPUS]; /* sorted by index */
    int n;
    int n_skipped;  /* GPUs listed whose model the caller did not give */
    bool has_lci;   /* a -lci table (or its empty state) was read */
    bool has_procs; /* a Processes table was read */
    mp_arena arena; /* owns the process names */
} mp_node_state;

/* Read text[0..len) (path names it in diagnostics). models[i] (i <
 * n_models) is GPU i's model; a GPU whose model is NULL or beyond n_models
 * is counted in n_skipped and not checked. *st is initialised here; free it
 * with mp_node_state_free() whatever this returns. Errors: MP_ESYNTAX for
 * malformed tables, MP_ESCHEMA for a state the profiles contradict, at
 * path:line:col; MP_ENOMEM. */
int mp_state_read_nvsmi(const char *text, size_t len, const char *path,
                        const mp_model *const *models, int n_models,
                        mp_node_state *st, mp_diag *d);

/* GPU index's state, or NULL when it was not listed (or skipped). */
const mp_gpu_state *mp_node_state_gpu(const mp_node_state *st, int index);

void mp_node_state_free(mp_node_state *st);

#endif
