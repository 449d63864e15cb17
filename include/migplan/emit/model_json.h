/* SPDX-License-Identifier: Apache-2.0 */
/* model_json.h - the profile database as JSON (for `gpus` and `profiles`).
 * Callers own the returned trees and free them with cJSON_Delete. */
#ifndef MIGPLAN_MODEL_JSON_H
#define MIGPLAN_MODEL_JSON_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "migplan/model/profile_db.h"

/* A model's fields; "profiles" is the profile count unless with_profiles,
 * in which case the caller adds the list itself. */
cJSON *mp_model_json(const mp_model *m, bool with_profiles);

/* One GI profile with its engines, placements, CIs and provenance. */
cJSON *mp_profile_json(const mp_model *m, const mp_gi_profile *p);

/* {"sources": [...], "derived": {...}, "inferred": {...}} */
cJSON *mp_provenance_json(const mp_provenance *p);

#endif
