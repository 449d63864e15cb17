// SPDX-License-Identifier: Apache-2.0
/* fuzz_state.c - libFuzzer target: any bytes as a --current state, in
 * every format the state readers take (nvidia-smi output, a migplan JSON
 * plan, an nvidia-mig-parted export) and as the sniffer decides, read as
 * the state of eight H100s. Nothing may crash, hang or leak, and a state
 * that reads must hold only instances its model allows. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "migplan/model/geometry.h"
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
    const mp_model *h100 = NULL;
    if (mp_db_find(shipped, "h100", &h100, NULL) != 0)
        abort();
    const mp_model *models[8] = {h100, h100, h100, h100,
                                 h100, h100, h100, h100};
    static const mp_state_format formats[] = {
        MP_STATE_AUTO, MP_STATE_NVSMI, MP_STATE_PLAN, MP_STATE_MIGPARTED};
    mp_node_state *st = malloc(sizeof(*st));
    if (!st)
        abort();
    for (size_t k = 0; k < sizeof(formats) / sizeof(formats[0]); k++) {
        if (mp_state_read((const char *)data, size, "fuzz.txt", formats[k],
                          models, 8, st, &d) == 0)
            for (int i = 0; i < st->n; i++) {
                mp_fit_result res;
                if (st->gpu[i].layout.mig_enabled &&
                    mp_geom_validate(&st->gpu[i].layout.gis, &res) != 0)
                    abort();
            }
        mp_node_state_free(st);
    }
    free(st);
    return 0;
}
