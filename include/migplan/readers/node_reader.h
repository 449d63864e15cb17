/* SPDX-License-Identifier: Apache-2.0 */
/* node_reader.h - a node's GPUs by index, for `check --node` and `script
 * --node`.
 *
 *   gpus:
 *     - {index: 0, model: h100}
 *     - {index: 1, model: "0x233010DE", subsystem: "0x16C010DE"}
 *     - {index: 2, model: "0x233010DE:0x16C010DE"}
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
#include "migplan/readers/migparted_reader.h"

#define MP_NODE_MAX_GPUS 1024

typedef struct mp_node_gpu {
    int index;
    const mp_model *model;
    uint32_t device;    /* 0xDDDDVVVV, 0 when the model was given by name */
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

/* Would mig-parted apply entry e to GPU g, as far as its device-filter
 * goes (types.DeviceID.Matches through MigConfigSpec.MatchesDeviceFilter:
 * the exact device ID, and the subsystem ID too when the filter has one)?
 * An inventory that names only the model, or gives no subsystem, can
 * leave that open: then the answer says which ID is missing. */
typedef enum mp_node_match {
    MP_MATCH_NO,
    MP_MATCH_YES,
    MP_MATCH_IF_DEVICE,    /* the filter names only some of the model's IDs */
    MP_MATCH_IF_SUBSYSTEM, /* the filter names the device with a subsystem */
} mp_node_match;
mp_node_match mp_node_gpu_match(const mp_node_gpu *g, const mp_mp_entry *e);

/* The PCI ID to show for g: its device, else its model's only one, else 0. */
uint32_t mp_node_gpu_id(const mp_node_gpu *g);

#endif
