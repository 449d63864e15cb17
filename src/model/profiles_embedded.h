/* SPDX-License-Identifier: Apache-2.0 */
/* profiles_embedded.h - the profile database compiled into the binary.
 *
 * The models are C data written at build time by migplan_profile_gen
 * (profile_gen.c) from the YAML files of profiles/, which it loads and
 * validates with the run-time loader: a run starts without parsing YAML. The
 * data is read-only; mp_db_select_driver() changes copies. */
#ifndef MIGPLAN_PROFILES_EMBEDDED_H
#define MIGPLAN_PROFILES_EMBEDDED_H

#include "migplan/model/profile_db.h"

/* In the order of the files' names, as mp_db_load() always read them. */
extern const mp_model *const mp_builtin_models[];
extern const int mp_builtin_count;

#endif
