/* SPDX-License-Identifier: Apache-2.0 */
/* gpu_state.h - what GPUs hold now: the GPU instances nvidia-smi lists,
 * with their IDs and whether a process runs in them. A plan, a fit or a
 * change script that starts from a running node starts from this.
 *
 * A GPU's state is its layout (mp_gpu_layout: the instances at their start
 * slots, in the order they were listed) plus, per instance, what nvidia-smi
 * says of it that a layout does not hold: its GPU instance ID, its compute
 * instances, the processes in it and where it was read. Every instance is
 * checked against the profile database when it is added: a profile ID the
 * model does not have, a start that is not one of the profile's placements,
 * a size that differs from the profile's, an instance overlapping another
 * and a GPU instance ID listed twice are refused with one sentence saying
 * which (sources: the profile tables in profiles/MODEL.yaml, from nvidia-smi
 * mig -lgip/-lgipp).
 */
#ifndef MIGPLAN_GPU_STATE_H
#define MIGPLAN_GPU_STATE_H

#include <stdbool.h>
#include <stddef.h>

#include "migplan/model/gpu_layout.h"

/* What nvidia-smi says of one GPU instance beyond its profile and slot. */
typedef struct mp_gi_state {
    int gi_id;           /* nvidia-smi's GPU instance ID; -1: unknown (a
                            state read from a plan or a mig-parted
                            export) */
    int n_ci;            /* compute instances -lci listed; -1: no -lci read */
    int n_processes;     /* processes the Processes table shows in it */
    const char *process; /* the first one's name (owned by the state's
                            reader), or NULL */
    int pid;             /* the first one's PID; 0: unknown */
    int line;            /* where the instance was listed (1-based) */
    bool slot_assumed;   /* its start is where mig-parted would create it
                            (an export gives counts only), not known */
} mp_gi_state;

/* One GPU: index, layout (layout.gis.model is its model) and per instance
 * q, gi[q] describes layout.gis.gi[q]. A GPU with MIG disabled has
 * layout.mig_enabled false and no instances; a process on it holds the
 * whole GPU (whole.n_processes, whole.process; whole.gi_id is -1). */
typedef struct mp_gpu_state {
    int index; /* nvidia-smi's GPU index */
    mp_gpu_layout layout;
    mp_gi_state gi[MP_MAX_GIS];
    mp_gi_state whole; /* MIG disabled: the processes on the whole GPU */
} mp_gpu_state;

/* An empty state of GPU `index` of model m (MIG enabled, no instances). */
void mp_gpu_state_init(mp_gpu_state *g, int index, const mp_model *m);

/* Add the GPU instance nvidia-smi lists as GPU instance ID gi_id of
 * profile ID profile_id at start:size (memory slices). On success returns
 * its index q (its mp_gi_state is zeroed but for gi_id, n_ci = -1 and
 * line). Otherwise returns MP_ESCHEMA (or MP_ELIMIT when the GPU holds
 * MP_MAX_GIS already) with one sentence in why. */
int mp_gpu_state_add(mp_gpu_state *g, int profile_id, int start, int size,
                     int gi_id, int line, char *why, size_t n);

/* The instance with GPU instance ID gi_id, or -1. */
int mp_gpu_state_find(const mp_gpu_state *g, int gi_id);

/* How many instances have a process in them (a GPU with MIG disabled
 * running a process: 1, the whole GPU). */
int mp_gpu_state_in_use(const mp_gpu_state *g);

#endif
