/* SPDX-License-Identifier: Apache-2.0 */
/* findings.h - positioned findings (errors, warnings, notes) about inputs.
 *
 * `check` reports many findings per file rather than stopping at the first,
 * so they are collected here with a stable code, a position, the config,
 * entry and model they concern, and, where mig-parted itself would reject
 * the file, the exact text mig-parted would print.
 */
#ifndef MIGPLAN_FINDINGS_H
#define MIGPLAN_FINDINGS_H

#include <stdbool.h>

#include "migplan/util/arena.h"

typedef enum mp_severity {
    MP_SEV_ERROR,
    MP_SEV_WARNING,
    MP_SEV_NOTE
} mp_severity;

typedef struct mp_finding {
    mp_severity sev;
    const char *code; /* stable identifier, e.g. "unknown-profile" */
    const char *file;
    int line, col;         /* 1-based; 0 when not positioned */
    const char *config;    /* config name, or NULL */
    int entry;             /* 0-based entry index, -1 when none */
    const char *model;     /* model id, or NULL */
    const char *message;   /* what is wrong and what to do */
    const char *migparted; /* mig-parted's own error text, or NULL */
} mp_finding;

typedef struct mp_findings {
    mp_arena arena; /* owns every string of every finding */
    mp_finding *v;
    int n, cap;
    bool oom;
} mp_findings;

#define MP_FINDINGS_INIT                                                       \
    {                                                                          \
        MP_ARENA_INIT, NULL, 0, 0, false                                       \
    }

/* Add a finding; strings are copied. Returns the finding or NULL on OOM. */
mp_finding *mp_findings_add(mp_findings *f, mp_severity sev, const char *code,
                            const char *file, int line, int col,
                            const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 7, 8)))
#endif
    ;

/* Attach mig-parted's error text / the config, entry and model. */
void mp_finding_set_migparted(mp_findings *f, mp_finding *x, const char *text);
void mp_finding_set_scope(mp_findings *f, mp_finding *x, const char *config,
                          int entry, const char *model);

int mp_findings_count(const mp_findings *f, mp_severity sev);

/* Move the positioned findings from index `from` on by dline lines and
 * dcol columns: findings about a text embedded in a larger file (a
 * ConfigMap's config.yaml) then point into the file the user gave. */
void mp_findings_shift(mp_findings *f, int from, int dline, int dcol);

/* Drop the findings whose code is one of codes[0..n), then, when strict,
 * make every remaining warning an error (`check --ignore`, `--strict`). */
void mp_findings_filter(mp_findings *f, const char *const *codes, int n,
                        bool strict);

/* Order by file, line, column, then severity (stable for equal keys). */
void mp_findings_sort(mp_findings *f);

void mp_findings_free(mp_findings *f);

const char *mp_severity_name(mp_severity s);

/* Is code one of the finding codes (finding_rules.h)? mp_findings_add
 * asserts (in debug builds) that its code is, so the test suite keeps the
 * list whole. */
bool mp_finding_code_known(const char *code);

#endif
