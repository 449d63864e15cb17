/* SPDX-License-Identifier: Apache-2.0 */
/* emit_sizing.h - what `size` and `advise` write: a request's tenants from
 * measurements, advice as text, and a request revised by the advice. */
#ifndef MIGPLAN_EMIT_SIZING_H
#define MIGPLAN_EMIT_SIZING_H

#include "migplan/model/advice.h"
#include "migplan/model/sizing.h"
#include "migplan/readers/request_reader.h"
#include "migplan/util/buf.h"

/* "95" or "99.5" from thousandths (95000, 99500). */
void mp_format_milli(int milli, char *buf, size_t n);

/* A `tenants:` section (with comments saying where each number comes
 * from) that `migplan plan --gpu MODEL` reads as it is. */
void mp_emit_sizing(const mp_sizing *z, const mp_proc_samples *s,
                    const mp_size_opts *o, mp_buf *b);

/* What advise read and the options it judged with. */
typedef struct mp_advice_input {
    const mp_request *req;
    const mp_slice_set *set;
    const char *const *files; /* metrics files as given */
    int n_files;
    const mp_advice_opts *opts;
} mp_advice_input;

/* Each tenant's recommendation with its evidence, then the instances that
 * match no tenant. */
void mp_emit_advice_text(const mp_advice_input *in, const mp_advice *a,
                         mp_buf *b);

/* The request with the advice applied (fleet written out, so it plans as it
 * is), a comment per changed tenant. */
void mp_emit_advice_yaml(const mp_advice_input *in, const mp_advice *a,
                         mp_buf *b);

#endif
