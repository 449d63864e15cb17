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

#include <stdbool.h>
#include <stddef.h>

#include "migplan/model/gpu_state.h"
#include "migplan/util/arena.h"
#include "migplan/util/error.h"

/* A bound against hostile input only: a state lists at most this many GPUs
 * and names GPU indices below it. A state's memory grows with the GPUs it
 * lists, never with the indices it names (`GPU 999999999` allocates
 * nothing). */
#define MP_STATE_MAX_GPUS 1000000
/* GPUs taken to be there when the node's GPU count is unknown (one --gpu
 * MODEL for every GPU, a fleet's unlimited last entry): indices below it. */
#define MP_STATE_OPEN_GPUS 4096

/* The formats a state is read from (mp_state_read). */
typedef enum mp_state_format {
    MP_STATE_AUTO,     /* decide by content (mp_state_sniff) */
    MP_STATE_NVSMI,    /* nvidia-smi mig -lgi [-lci] [nvidia-smi] output */
    MP_STATE_PLAN,     /* a plan: migplan plan --format json */
    MP_STATE_MIGPARTED /* nvidia-mig-parted export, YAML or JSON */
} mp_state_format;

typedef struct mp_node_state {
    mp_gpu_state *gpu; /* gpu[0..n), sorted by index */
    int n;
    int cap;       /* room in gpu, which st owns when cap > 0 (cap 0: the
                      caller's storage, as a test builds a state by hand) */
    int n_skipped; /* GPUs listed whose model the caller did not give */
    long long skipped_index;       /* the first of them in the file */
    int skipped_line, skipped_col; /* where it is listed (0: unknown) */
    bool has_lci;            /* a -lci table (or its empty state) was read */
    bool has_procs;          /* a Processes table was read */
    mp_state_format format;  /* what the file was */
    int n_unknown_ids;       /* instances whose GPU instance ID the file does
                                not give (their gi_id is -1) */
    bool placements_assumed; /* counts only (a mig-parted export): starts
                                are where mig-parted would create them */
    /* the file lists the node's GPUs: plain nvidia-smi's GPU table, a
     * JSON plan's "gpus" or an export's devices (not -lgi alone, which
     * lists only GPUs with instances) */
    bool has_gpu_table;
    int *table_gpus; /* the GPU indices it lists, sorted, each once (owned) */
    int n_table, cap_table;
    /* "No MIG-enabled devices found" without a GPU table: every GPU the
     * caller gave is taken as MIG-disabled, though the file does not say
     * how many GPUs the node has */
    bool all_off_uncounted;
    /* a plan of node pools: the GPUs of one of its nodes were read */
    bool of_node;
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

/* A migplan plan written with --format json: each GPU's "index",
 * "model", "mig_enabled" and "instances" (profile, start), the state the
 * plan leaves. GPU instance IDs come from its "changes" "keep" entries
 * where it has them (a plan made with --current), else are unknown (-1,
 * counted in n_unknown_ids); an instance kept "in_use" is in use, its
 * tenant named as its process. A GPU whose "model" differs from models[]
 * is an error at its line. A plan of node pools (GPUs with "node" and
 * "node_index") must cover one node only, whose GPUs it gives by their
 * index on the node (mp_state_read_node picks one node of several). Same
 * contract as mp_state_read_nvsmi. */
int mp_state_read_plan(const char *text, size_t len, const char *path,
                       const mp_model *const *models, int n_models,
                       mp_node_state *st, mp_diag *d);

/* An `nvidia-mig-parted export` (one config, YAML or JSON): per GPU a
 * profile count without placements. Each GPU i < n_models with a model
 * that an entry selects (mig-parted's rule: the last entry whose devices
 * and device-filter match; a filter matches when it names one of the
 * model's PCI IDs) gets that entry's instances at the slots mig-parted
 * would create them in: its first attempt, largest first (G, then C, then
 * attributes, descending) with the driver picking each slot
 * (mp_geom_driver_pick); placements_assumed is set and every GPU
 * instance ID is unknown. A GPU of an entry with mig-enabled: false has
 * MIG disabled. Same contract as mp_state_read_nvsmi. */
int mp_state_read_migparted(const char *text, size_t len, const char *path,
                            const mp_model *const *models, int n_models,
                            mp_node_state *st, mp_diag *d);

/* Which format text is, by content: a JSON object with "mig-configs" or
 * YAML with `version:` and `mig-configs:` keys is a mig-parted export; a
 * JSON object with "gpus" or "feasible" a plan; nvidia-smi's tables or
 * its "No GPU instances found" nvidia-smi output; anything else
 * MP_STATE_AUTO (none). */
mp_state_format mp_state_sniff(const char *text, size_t len);

/* "nvidia-smi", "plan-json", "mig-parted" ("auto" for MP_STATE_AUTO). */
const char *mp_state_format_name(mp_state_format f);

/* Read text as format f (MP_STATE_AUTO: mp_state_sniff decides; a text of
 * no known format is an MP_ESYNTAX error listing the accepted ones). */
int mp_state_read(const char *text, size_t len, const char *path,
                  mp_state_format f, const mp_model *const *models,
                  int n_models, mp_node_state *st, mp_diag *d);

/* mp_state_read of node `node`'s state (node may be NULL: as
 * mp_state_read): out of a plan of node pools, that node's GPUs by their
 * index on the node; a plan without that node is an error that lists the
 * plan's nodes. The other formats are one node's output anyway. */
int mp_state_read_node(const char *text, size_t len, const char *path,
                       mp_state_format f, const char *node,
                       const mp_model *const *models, int n_models,
                       mp_node_state *st, mp_diag *d);

/* GPU index's state, or NULL when it was not listed (or skipped). */
const mp_gpu_state *mp_node_state_gpu(const mp_node_state *st, int index);

/* Room in st->gpu for n GPUs (st->n unchanged): 0, MP_ENOMEM, or MP_ELIMIT
 * past MP_STATE_MAX_GPUS. For callers that fill st->gpu[0..n) themselves;
 * st must have been zeroed or read first. */
int mp_node_state_reserve(mp_node_state *st, int n);

/* Does st's GPU table (has_gpu_table) list GPU index? */
bool mp_node_state_lists(const mp_node_state *st, int index);

/* Frees what st owns (its GPUs, its table, its names); st may be zeroed,
 * or NULL. */
void mp_node_state_free(mp_node_state *st);

#endif
