/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_dcgm.c - libFuzzer target: any bytes as dcgm-exporter metrics.
 *
 * Reads them, advises a fixed request, writes the advice as text and as a
 * revised request, and reads that back: without share advice (a key only a
 * later reader knows) what `advise --format yaml` writes must always be a
 * valid request. Nothing may crash, hang or leak. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "migplan/emit/emit_sizing.h"
#include "migplan/readers/dcgm_reader.h"
#include "migplan/readers/request_reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static mp_db *db;
static mp_request req;

static const char request[] = "fleet: [{model: h100, count: 2}]\n"
                              "tenants:\n"
                              "  - {name: chat, memory: 12GiB, compute: 2g}\n"
                              "  - {name: embed, memory: 8GiB, replicas: 3}\n"
                              "  - {name: a, memory: 1GiB, sms: 20}\n"
                              "  - {name: big, whole-gpu: true}\n";

static void advise(mp_slice_set *s, const mp_advice_tenant *t,
                   double share_below)
{
    mp_advice_opts o = {0.85, share_below, 95000, 10000, MP_BUSY_AUTO};
    mp_advice a;
    mp_diag d;
    if (mp_advise(s, t, req.n_tenants, &o, &a, &d) != 0)
        return;
    const char *files[] = {"fuzz.prom"};
    mp_advice_input in = {&req, s, files, 1, &o};
    mp_buf b = MP_BUF_INIT;
    mp_emit_advice_text(&in, &a, &b);
    mp_buf_reset(&b);
    mp_emit_advice_yaml(&in, &a, &b);
    mp_request back;
    if (share_below == 0 && !b.failed) {
        if (mp_request_parse(db, mp_buf_str(&b), b.len, "advice.yaml", NULL,
                             &back, &d) != 0)
            abort(); /* advise wrote a request the reader refuses */
        mp_request_free(&back);
    }
    mp_buf_free(&b);
    mp_advice_free(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!db) {
        mp_diag d;
        if (mp_db_load(NULL, &db, NULL) != 0 ||
            mp_request_parse(db, request, strlen(request), "r.yaml", NULL, &req,
                             &d) != 0)
            return 0;
    }
    mp_slice_set s = {0};
    mp_diag d;
    if (mp_dcgm_parse(db, (const char *)data, size, "fuzz.prom", &s, &d) == 0) {
        mp_advice_tenant t[8];
        for (int i = 0; i < req.n_tenants && i < 8; i++)
            t[i] = (mp_advice_tenant){
                req.tenants[i].name,      req.tenants[i].memory_mib,
                req.tenants[i].compute,   req.tenants[i].replicas,
                req.tenants[i].whole_gpu, mp_tenant_share(&req.tenants[i])};
        advise(&s, t, 0.5);
        advise(&s, t, 0);
    }
    mp_slice_set_free(&s);
    return 0;
}
