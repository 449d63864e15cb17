/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_migparted.c - libFuzzer target: any bytes as a mig-parted config.
 *
 * Parses as mig-parted would, checks every config against the shipped
 * profiles, and writes a script for the first config that checks clean.
 * Nothing may crash, hang or leak, whatever the input. */
#include <stddef.h>
#include <stdint.h>

#include "migplan/check/check.h"
#include "migplan/emit/emit_lp.h"
#include "migplan/emit/emit_plan.h"
#include "migplan/emit/emit_script.h"
#include "migplan/emit/migparted_writer.h"
#include "migplan/readers/migparted_reader.h"
#include "migplan/script/script.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static mp_db *db;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!db && mp_db_load(NULL, &db, NULL) != 0)
        return 0;
    mp_findings f = MP_FINDINGS_INIT;
    mp_mp_file mf;
    if (mp_mp_parse("fuzz.yaml", (const char *)data, size, &f, &mf) != 0) {
        mp_findings_free(&f);
        return 0;
    }
    mp_check_opts o = {0};
    mp_check_stats st = {0};
    mp_check_file(db, &mf, &o, &f, &st);
    if (mf.parsed && mf.n_configs > 0 &&
        mp_findings_count(&f, MP_SEV_ERROR) == 0) {
        mp_script sc;
        mp_diag d;
        if (mp_script_from_config(db, &mf.configs[0], NULL, 0, NULL, &sc, NULL,
                                  &d) == 0) {
            mp_buf b = MP_BUF_INIT;
            mp_script_opts so = {.source = "fuzz"};
            mp_emit_script(&sc, &so, &b, &d);
            mp_buf_free(&b);
            mp_script_free(&sc);
        }
    }
    mp_mp_free(&mf);
    mp_findings_free(&f);
    return 0;
}
