/* SPDX-License-Identifier: Apache-2.0 */
/* prom_reader.h - the Prometheus text exposition format (version 0.0.4), as
 * exporters such as dcgm-exporter serve it on /metrics.
 *
 *   # HELP DCGM_FI_DEV_FB_USED Framebuffer memory used (in MiB).
 *   # TYPE DCGM_FI_DEV_FB_USED gauge
 *   DCGM_FI_DEV_FB_USED{gpu="0",GPU_I_PROFILE="1g.10gb",pod="a"} 4188
 * 1700000000000
 *
 * One line per sample: a metric name, optional labels in braces (values in
 * double quotes with the escapes \\, \" and \n; a trailing comma is fine),
 * the value (a float, NaN, +Inf, -Inf) and an optional timestamp in
 * milliseconds. `#` lines are comments; HELP and TYPE lines are checked.
 * Blank lines are skipped, leading and trailing blanks ignored. Any number
 * of scrapes may be concatenated: every sample line is one sample.
 */
#ifndef MIGPLAN_PROM_READER_H
#define MIGPLAN_PROM_READER_H

#include <stdbool.h>
#include <stddef.h>

#include "migplan/util/error.h"

#define MP_PROM_MAX_LABELS 64 /* per sample */

typedef struct mp_prom_label {
    const char *name;  /* NUL-terminated */
    const char *value; /* unescaped, NUL-terminated (may hold a newline) */
    int col;           /* 1-based column of the name */
} mp_prom_label;

/* One sample, valid during the callback only. */
typedef struct mp_prom_sample {
    const char *name; /* metric name, NUL-terminated */
    const mp_prom_label *labels;
    int n_labels;
    double value;
    const char *value_text; /* as written, NUL-terminated */
    int value_col;
    long long ts_ms;
    bool has_ts;
    int ts_col; /* when has_ts */
    int line;
} mp_prom_sample;

/* Called for every sample; a non-zero return (with d filled) stops the
 * parse and is returned by it. */
typedef int (*mp_prom_fn)(void *ctx, const char *path, const mp_prom_sample *s,
                          mp_diag *d);

/* Parse text[0..len) and call fn for each sample in order. Syntax errors are
 * MP_ESYNTAX at path:line:col with what was expected. */
int mp_prom_parse(const char *text, size_t len, const char *path, mp_prom_fn fn,
                  void *ctx, mp_diag *d);

/* The value of label `name`, or NULL. */
const char *mp_prom_label_value(const mp_prom_sample *s, const char *name);

#endif
