/* SPDX-License-Identifier: Apache-2.0 */
/* node_current.h - planning node pools from the state of their nodes
 * (`plan --current NODE=FILE`): which node a state is, for
 * mp_solve_opts.node_current. */
#ifndef MIGPLAN_NODE_CURRENT_H
#define MIGPLAN_NODE_CURRENT_H

#include "migplan/readers/state_reader.h"

/* Node k (0-based, as mp_node_pool_node_name names it) of pool `pool`
 * holds st, its GPUs by node-local index. */
typedef struct mp_node_current {
    int pool, k;
    const mp_node_state *st;
} mp_node_current;

#endif
