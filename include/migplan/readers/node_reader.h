/* SPDX-License-Identifier: Apache-2.0 */
/* node_reader.h - a node's GPUs by index, for `check --node` and `script
 * --node`.
 *
 *   gpus:
 *     - {index: 0, model: h100}
 *     - {index: 1, model: "0x233010DE", subsystem: "0x16C010DE"}
 *     - {model: h200, count: 4}      # the next four indices
 *
 * Indices are what mig-parted's `devices: [...]` selects: positions in the
 * list of NVIDIA GPUs sorted by PCI address.
 */
#ifndef MIGPLAN_NODE_READER_H
#define MIGPLAN_NODE_READER_H

#include <stdint.h>

#include "migplan/util/arena.h"
#include "migplan/util/error.h"
#include "migplan/model/profile_db.h"

#define MP_NODE_MAX_GPUS 1024

typedef struct mp_node_gpu {
    int index;
    const mp_model *model;
    uint32_t subsystem; /* 0xSSSSVVVV, 0 when not given */
    int line, col;
} mp_node_gpu;

typedef struct mp_node {
    const char *path;
    mp_node_gpu *gpus; /* sorted by index, indices unique */
    int n;
    mp_arena arena;
} mp_node;

/* Read a node inventory. Models are resolved in db. */
int mp_node_load(const mp_db *db, const char *path, mp_node *out, mp_diag *d);
int mp_node_parse(const mp_db *db, const char *text, size_t len,
                  const char *path, mp_node *out, mp_diag *d);
void mp_node_free(mp_node *n);

#endif
