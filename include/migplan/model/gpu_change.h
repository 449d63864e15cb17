/* SPDX-License-Identifier: Apache-2.0 */
/* gpu_change.h - what turns a GPU's current state into a target layout:
 * the GPU instances kept, destroyed and created. A plan from a running
 * node reports it and a change script carries it out.
 *
 * An instance is kept when the target has an instance of the same profile
 * at the same start slot (memory slice): nvidia-smi cannot move or resize
 * a GPU instance, so any other difference is a destroy plus a create.
 * An idle instance is kept only with one compute instance (or when none
 * were read): one without a compute instance, or split into several, is
 * destroyed and made anew with the target's. An instance in use is kept
 * with whatever compute instances it has.
 */
#ifndef MIGPLAN_GPU_CHANGE_H
#define MIGPLAN_GPU_CHANGE_H

#include <stdbool.h>
#include <stddef.h>

#include "migplan/model/gpu_layout.h"
#include "migplan/model/gpu_state.h"

/* One GPU instance a change names. */
typedef struct mp_gi_change {
    int profile; /* index into the model's profiles */
    int start;   /* start memory slice */
    int gi_id;   /* nvidia-smi's GPU instance ID; -1 for a new instance */
    int from;    /* its index in the state's layout, -1 for a new one */
    int to;      /* its index in the target layout, -1 when destroyed */
    bool in_use; /* a process runs in it (state's n_processes > 0) */
} mp_gi_change;

typedef struct mp_gpu_change {
    /* MIG mode: switched on (state off, target on) or off (state on,
     * target off); both false when it stays as it is. */
    bool mig_enable, mig_disable;
    int n_keep, n_destroy, n_create;
    mp_gi_change keep[MP_MAX_GIS];    /* in the target's order */
    mp_gi_change destroy[MP_MAX_GIS]; /* in the state's order */
    mp_gi_change create[MP_MAX_GIS];  /* in the target's creation order */
    int in_use_destroyed;             /* destroy[] entries with in_use */
} mp_gpu_change;

/* The change from state `from` to layout `to` on the same GPU. The target
 * must be a valid layout of the state's model, or have MIG disabled.
 * Creations follow the target's own order (the layout's instances are in a
 * safe creation order with explicit start slots). Returns 0, or
 * MP_EINFEASIBLE with one sentence in why when the models differ. */
int mp_gpu_change_diff(const mp_gpu_state *from, const mp_gpu_layout *to,
                       mp_gpu_change *out, char *why, size_t n);

/* Does the change leave the GPU as it is? */
bool mp_gpu_change_none(const mp_gpu_change *c);

#endif
