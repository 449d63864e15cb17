/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_request.c - libFuzzer target: any bytes as a plan request.
 *
 * Reads the request; small ones are also solved (briefly), validated, and
 * written in every output format, and the mig-parted output is read back
 * and checked. Nothing may crash, hang or leak. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "migplan/check/check.h"
#include "migplan/emit/emit_lp.h"
#include "migplan/emit/emit_plan.h"
#include "migplan/emit/emit_script.h"
#include "migplan/emit/migparted_writer.h"
#include "migplan/readers/migparted_reader.h"
#include "migplan/solver/solver.h"
#include "migplan/readers/request_reader.h"
#include "migplan/script/script.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static mp_db *db;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!db && mp_db_load(NULL, &db, NULL) != 0)
        return 0;
    mp_request r;
    mp_diag d;
    const mp_model *h100 = NULL;
    mp_db_find(db, "h100", &h100, NULL);
    if (mp_request_parse(db, (const char *)data, size, "fuzz.yaml", h100, &r,
                         &d) != 0)
        return 0;
    if (r.total_replicas <= 64 && r.n_tenants <= 16) {
        mp_plan p;
        mp_solve_opts o = {.time_limit = 0.05};
        if (mp_solve(db, &r, &o, &p, &d) == 0) {
            char why[256];
            if (p.feasible && mp_plan_validate(&p, why, sizeof(why)) != 0)
                abort(); /* the solver returned an invalid plan */
            mp_buf b = MP_BUF_INIT;
            mp_emit_plan_table(&p, false, &b);
            mp_emit_plan_json(&p, &b);
            mp_emit_plan_lp(&p, &b, &d);
            mp_buf_reset(&b);
            if (p.feasible && mp_emit_plan_migparted(&p, "fuzz", &b, &d) == 0) {
                mp_findings f = MP_FINDINGS_INIT;
                mp_mp_file mf;
                if (mp_mp_parse("plan.yaml", b.data, b.len, &f, &mf) == 0) {
                    if (!mf.parsed)
                        abort(); /* mig-parted would reject our output */
                    mp_mp_free(&mf);
                }
                mp_findings_free(&f);
                mp_script sc;
                if (mp_script_from_plan(&p, &sc, &d) == 0) {
                    mp_script_opts so = {.source = "fuzz"};
                    mp_buf_reset(&b);
                    mp_emit_script(&sc, &so, &b, &d);
                    mp_script_free(&sc);
                }
            }
            mp_buf_free(&b);
            mp_plan_free(&p);
        }
    }
    mp_request_free(&r);
    return 0;
}
