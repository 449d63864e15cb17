/* SPDX-License-Identifier: Apache-2.0 */
/* nvsmi_import.h - turn a capture of nvidia-smi output into a GPU model.
 *
 * The -lgip rows give each profile's ID, name, memory, SMs, engines and
 * maximum count; -lgipp its placements; -lcip the compute-instance profiles
 * of the GPU instances it lists; --query-gpu the product name, PCI device
 * ID, whole-GPU memory and driver. What nvidia-smi's MIG output does not
 * show (the model's id and aliases, its architecture, whole-GPU SMs, the
 * minimum driver, compute-instance tables not captured) comes from the
 * shipped model of the same PCI ID (or --gpu MODEL) and is marked inferred
 * in the result; a new GPU gets those marked unknown. Inconsistent input
 * (a profile without placements, two GPUs with different tables, a name
 * that is not a MIG profile name) is an error at its line.
 */
#ifndef MIGPLAN_NVSMI_IMPORT_H
#define MIGPLAN_NVSMI_IMPORT_H

#include "migplan/model/profile_db.h"
#include "migplan/readers/nvsmi_profiles.h"
#include "migplan/util/arena.h"
#include "migplan/util/error.h"

typedef struct mp_import {
    mp_arena arena;       /* owns everything in model */
    mp_model model;       /* ready for mp_profile_write() */
    const mp_model *base; /* the shipped model that filled gaps, or NULL */
    int gpu;              /* index of the GPU whose tables were read */
} mp_import;

/* Build out->model from cap. gpu (may be NULL) names the model the capture
 * is of, in any form mp_db_find accepts; without it the --query-gpu PCI ID
 * finds it. db supplies the shipped models. out is owned by the caller:
 * mp_import_free(), also after a failure. */
int mp_nvsmi_import(const mp_nvsmi_capture *cap, const mp_db *db,
                    const char *gpu, mp_import *out, mp_diag *d);

void mp_import_free(mp_import *imp);

#endif
