/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_smi.c - libFuzzer target: any bytes as nvidia-smi
 * --query-compute-apps samples.
 *
 * Reads them (columns guessed, then given), sizes tenants by name and by
 * pid, writes the tenants section and reads it back as a request: what
 * `size` writes must always be a valid request. Nothing may crash, hang or
 * leak. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "migplan/emit/emit_sizing.h"
#include "migplan/readers/request_reader.h"
#include "migplan/readers/smi_reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static mp_db *db;

static void size_and_read_back(const mp_proc_samples *s, mp_size_by by)
{
    mp_size_opts o = {95000, 10000, by};
    mp_sizing z;
    mp_diag d;
    if (mp_size_tenants(s, &o, &z, &d) != 0)
        return;
    mp_buf b = MP_BUF_INIT;
    mp_emit_sizing(&z, s, &o, &b);
    const mp_model *h100 = NULL;
    mp_db_find(db, "h100", &h100, NULL);
    mp_request r;
    if (!b.failed && mp_request_parse(db, mp_buf_str(&b), b.len, "size.yaml",
                                      h100, &r, &d) != 0)
        abort(); /* size wrote a request the reader refuses */
    if (!b.failed)
        mp_request_free(&r);
    mp_buf_free(&b);
    mp_sizing_free(&z);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!db && mp_db_load(NULL, &db, NULL) != 0)
        return 0;
    mp_smi_layout layout;
    char why[200];
    mp_smi_layout_parse("timestamp,gpu_uuid,pid,name,used_memory", &layout, why,
                        sizeof(why));
    for (int pass = 0; pass < 2; pass++) {
        mp_proc_samples s = {0};
        mp_diag d;
        if (mp_smi_parse((const char *)data, size, "fuzz.csv",
                         pass ? &layout : NULL, &s, &d) == 0) {
            size_and_read_back(&s, MP_SIZE_BY_AUTO);
            size_and_read_back(&s, MP_SIZE_BY_PID);
        }
        mp_proc_samples_free(&s);
    }
    return 0;
}
