// SPDX-License-Identifier: Apache-2.0
/* state_internal.h - what the state readers (state_reader.c, state_json.c,
 * state_migparted.c) share. */
#ifndef MIGPLAN_STATE_INTERNAL_H
#define MIGPLAN_STATE_INTERNAL_H

#include "migplan/readers/state_reader.h"

/* A new empty state of GPU index (model m) in st, kept sorted by index;
 * NULL when st lists it already. */
mp_gpu_state *mp_node_state_add_gpu(mp_node_state *st, int index,
                                    const mp_model *m);

/* Start *st afresh: nothing listed, read from format f (every reader's
 * first step, so that mp_node_state_free is safe whatever follows). */
void mp_node_state_init(mp_node_state *st, mp_state_format f);

#endif
