/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_profiles.c - libFuzzer target: any bytes as a profile file (the
 * files users add with --profiles DIR). A file that loads is used the way
 * the CLI uses a model: every geometry enumerated and placed. Nothing may
 * crash, hang or leak. */
#include <stddef.h>
#include <stdint.h>

#include "migplan/model/geometry.h"
#include "migplan/model/profile_db.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mp_db *db;
    mp_diag d;
    if (mp_db_new(&db, &d) != 0)
        return 0;
    if (mp_db_load_text(db, (const char *)data, size, "fuzz.yaml", &d) == 0) {
        for (int i = 0; i < mp_db_count(db); i++) {
            const mp_model *m = mp_db_model(db, i);
            mp_geom_list list;
            if (mp_geom_enumerate(m, NULL, true, &list) != 0)
                continue;
            for (int g = 0; g < list.n && g < 64; g++) {
                int cnt[MP_MAX_PROFILES];
                for (int p = 0; p < m->n_profiles; p++)
                    cnt[p] = list.v[g].count[p];
                mp_layout l;
                mp_fit_result res;
                if (mp_geom_fit_counts_best(m, cnt, &l, &res) == 0) {
                    int order[MP_MAX_GIS];
                    bool exact;
                    mp_geom_creation_order(&l, order, &exact, NULL);
                }
            }
            mp_geom_list_free(&list);
        }
    }
    mp_db_free(db);
    return 0;
}
