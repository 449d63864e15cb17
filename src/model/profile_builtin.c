/* SPDX-License-Identifier: Apache-2.0 */
/* profile_builtin.c - mp_db_load(): the built-in models (C data generated
 * from the YAML files of profiles/ at build time), then a user's directory.
 * Kept apart from profile_db.c because the generator links that file and has no
 * built-in models yet. */
#include <string.h>

#include "profile_db_int.h"
#include "profiles_embedded.h"

int mp_db_load(const char *dir, mp_db **out, mp_diag *d)
{
    mp_db *db;
    int rc = mp_db_new(&db, d);
    if (rc)
        return rc;
    /* validated when they were generated: no checks to repeat here */
    if (mp_grow(&db->models, &db->cap, mp_builtin_count, sizeof(*db->models),
                32))
        rc = mp_diag_set(d, MP_ENOMEM, NULL, 0, 0, "out of memory");
    else {
        memcpy(db->models, mp_builtin_models,
               (size_t)mp_builtin_count * sizeof(*db->models));
        db->n = mp_builtin_count;
    }
    if (!rc && dir && *dir)
        rc = mp_db_load_dir(db, dir, d);
    if (rc) {
        mp_db_free(db);
        *out = NULL;
        return rc;
    }
    *out = db;
    return 0;
}
