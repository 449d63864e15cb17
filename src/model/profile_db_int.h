/* SPDX-License-Identifier: Apache-2.0 */
/* profile_db_int.h - what the profile database's own files share: the
 * database object and the loader that turns one YAML document into a model.
 * Private to src/model/.
 */
#ifndef MIGPLAN_PROFILE_DB_INT_H
#define MIGPLAN_PROFILE_DB_INT_H

#include <stdbool.h>

#include "migplan/model/profile_db.h"
#include "migplan/util/arena.h"
#include "migplan/yaml/schema.h"
#include "migplan/yaml/ydoc.h"

struct mp_db {
    mp_arena arena;
    const mp_model **models; /* built-in ones are read-only data */
    int n, cap;
};

/* Load the profile file `file`, naming it `path` in the model and in
 * diagnostics. */
int mp_db_load_file(mp_db *db, const char *file, const char *path, mp_diag *d);

/* Every *.yaml of dir, in name order (same id replaces, new ids are added),
 * then mp_db_check(). */
int mp_db_load_dir(mp_db *db, const char *dir, mp_diag *d);

/* Refuse models that claim another's id, alias or PCI device ID. */
int mp_db_check(const mp_db *db, mp_diag *d);

/* One file being read into one model; strings land in a. */
typedef struct mp_loader {
    mp_schema_ctx c;
    mp_arena *a;
    mp_model *m;
} mp_loader;

#define MP_LOAD_ERR(l, node, ...)                                              \
    mp_schema_err(&(l)->c, (node), MP_ESCHEMA, __VA_ARGS__)

/* Read the document root into l->m (profile_read.c). */
int mp_load_model(mp_loader *l, const mp_ynode *root);

/* Compute-instance tables for one GI size, from the file's top level. */
typedef struct mp_ci_group {
    long long gi;
    const mp_ynode *profiles;
    mp_strlist sources;
    const char *inferred;
} mp_ci_group;

/* Read the top-level compute-instances groups (profile_read_gi.c). */
int mp_load_ci_groups(mp_loader *l, const mp_ynode *n, mp_ci_group *groups,
                      int max, int *ngroups);

/* Read one GI profile map into p (profile_read_gi.c). */
int mp_load_profile(mp_loader *l, const mp_ynode *n, const mp_ci_group *groups,
                    int ngroups, mp_gi_profile *p);

/* Provenance of a model or profile: sources must be defined in the file,
 * derived/inferred map field names (from `fields`) to explanations. */
int mp_load_prov(mp_loader *l, const mp_ynode *at, mp_strlist sources,
                 const mp_ynode *derived, const mp_ynode *inferred,
                 const char *const *fields, mp_provenance *p);

/* Is key defined in the model's sources? */
bool mp_load_has_source(const mp_model *m, const char *key);

/* Case-insensitive equality. */
bool mp_ieq(const char *a, const char *b);

#endif
