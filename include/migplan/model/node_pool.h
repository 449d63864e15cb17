/* SPDX-License-Identifier: Apache-2.0 */
/* node_pool.h - Kubernetes node pools of a plan request.
 *
 * A pool is nodes of one GPU model with `gpus` GPUs each, bought and
 * labelled as a unit: a count (or as many as needed), a cost per node, the
 * GPU Operator's mig.strategy and the node names. GPU indices inside a node
 * are node-local (0..gpus-1), as nvidia-smi and mig-parted see them.
 */
#ifndef MIGPLAN_NODE_POOL_H
#define MIGPLAN_NODE_POOL_H

#include <stddef.h>

#include "migplan/model/profile_db.h"

#define MP_MAX_NODE_GPUS 16 /* GPUs in one node */
#define MP_MAX_NODES 10000  /* nodes of one pool */

/* The GPU Operator's mig.strategy for the nodes of a pool. */
typedef enum mp_strategy {
    MP_STRATEGY_MIXED, /* per-profile resources, any layout */
    MP_STRATEGY_SINGLE /* nvidia.com/gpu, one profile across the node */
} mp_strategy;

typedef struct mp_node_pool {
    const char *name; /* the pool's name */
    const mp_model *model;
    int gpus;    /* per node */
    int count;   /* nodes; -1: as many as needed */
    double cost; /* per node */
    mp_strategy strategy;
    const char **names; /* node names (count of them), NULL: <pool>-<k> */
    int n_names;
    int line, col;
} mp_node_pool;

/* "mixed" or "single". */
const char *mp_strategy_name(mp_strategy s);

/* Parse "mixed" or "single" into *out; false for anything else. */
bool mp_strategy_parse(const char *s, mp_strategy *out);

/* The name of node k (0-based) of pool p into buf (n bytes): its names[k],
 * else "<pool>-<k+1>" with k+1 written in at least two digits. */
void mp_node_pool_node_name(const mp_node_pool *p, int k, char *buf, size_t n);

#endif
