/* SPDX-License-Identifier: Apache-2.0 */
/* model_table.h - the profile database for people and programs: the list
 * of GPU models (`migplan gpus`) and one model's profiles (`migplan
 * profiles`), as aligned tables or JSON. */
#ifndef MIGPLAN_MODEL_TABLE_H
#define MIGPLAN_MODEL_TABLE_H

#include <stdbool.h>

#include "migplan/model/profile_db.h"
#include "migplan/util/buf.h"

/* Per model: id, memory, slices, profile count, how much is confirmed;
 * its nvidia-smi name, PCI IDs and aliases; a legend. */
void mp_emit_gpus_table(const mp_db *db, mp_buf *out);

/* {"gpus": [model, ...]} */
void mp_emit_gpus_json(const mp_db *db, mp_buf *out);

/* The model's profile table, the compute instances per GI profile, the
 * inferred values with their reasons, and the sources (every source when
 * sources is set, else the file they are listed in). The title names the
 * product of dev (the device the user asked for by PCI ID or nvidia-smi
 * name; may be NULL: the model's own name). */
void mp_emit_profiles_table(const mp_model *m, const mp_device *dev,
                            bool sources, mp_buf *out);

/* {"model": {..., "sources": {...}}, "profiles": [...]} */
void mp_emit_profiles_json(const mp_model *m, mp_buf *out);

#endif
