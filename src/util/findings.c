/* SPDX-License-Identifier: Apache-2.0 */
/* findings.c - a growable list of positioned findings. */
#include "migplan/util/findings.h"

#include "migplan/util/finding_rules.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool mp_finding_code_known(const char *code)
{
    return mp_finding_rule_find(code) != NULL;
}

mp_finding *mp_findings_add(mp_findings *f, mp_severity sev, const char *code,
                            const char *file, int line, int col,
                            const char *fmt, ...)
{
    assert(mp_finding_code_known(code));
    if (mp_grow(&f->v, &f->cap, f->n + 1, sizeof(*f->v), 32)) {
        f->oom = true;
        return NULL;
    }
    char msg[1200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    mp_finding *x = &f->v[f->n];
    memset(x, 0, sizeof(*x));
    x->sev = sev;
    x->code = mp_arena_strdup(&f->arena, code);
    x->file = file ? mp_arena_strdup(&f->arena, file) : NULL;
    x->line = line;
    x->col = col;
    x->entry = -1;
    x->message = mp_arena_strdup(&f->arena, msg);
    if (!x->code || !x->message || (file && !x->file)) {
        f->oom = true;
        return NULL;
    }
    f->n++;
    return x;
}

void mp_finding_set_migparted(mp_findings *f, mp_finding *x, const char *text)
{
    if (!x)
        return;
    x->migparted = mp_arena_strdup(&f->arena, text);
    if (!x->migparted)
        f->oom = true;
}

void mp_finding_set_scope(mp_findings *f, mp_finding *x, const char *config,
                          int entry, const char *model)
{
    if (!x)
        return;
    x->config = config ? mp_arena_strdup(&f->arena, config) : NULL;
    x->entry = entry;
    x->model = model ? mp_arena_strdup(&f->arena, model) : NULL;
}

int mp_findings_count(const mp_findings *f, mp_severity sev)
{
    int n = 0;
    for (int i = 0; i < f->n; i++)
        n += f->v[i].sev == sev;
    return n;
}

void mp_findings_shift(mp_findings *f, int from, int dline, int dcol)
{
    for (int i = from; i < f->n && (dline || dcol); i++) {
        if (f->v[i].line <= 0)
            continue;
        f->v[i].line += dline;
        f->v[i].col += dcol;
    }
}

void mp_findings_filter(mp_findings *f, const char *const *codes, int n,
                        bool strict)
{
    int k = 0;
    for (int i = 0; i < f->n; i++) {
        bool drop = false;
        for (int j = 0; j < n; j++)
            drop |= strcmp(f->v[i].code, codes[j]) == 0;
        if (drop)
            continue;
        if (strict && f->v[i].sev == MP_SEV_WARNING)
            f->v[i].sev = MP_SEV_ERROR;
        f->v[k++] = f->v[i];
    }
    f->n = k;
}

static int cmp(const void *a, const void *b)
{
    const mp_finding *x = a, *y = b;
    int c = strcmp(x->file ? x->file : "", y->file ? y->file : "");
    if (c)
        return c;
    if (x->line != y->line)
        return x->line - y->line;
    if (x->col != y->col)
        return x->col - y->col;
    if (x->sev != y->sev)
        return (int)x->sev - (int)y->sev;
    return 0;
}

/* stable merge sort: lists can hold many thousand findings */
static void merge_sort(mp_finding *v, mp_finding *tmp, int n)
{
    if (n < 2)
        return;
    int h = n / 2;
    merge_sort(v, tmp, h);
    merge_sort(v + h, tmp, n - h);
    int i = 0, j = h, k = 0;
    while (i < h && j < n)
        tmp[k++] = cmp(&v[j], &v[i]) < 0 ? v[j++] : v[i++];
    while (i < h)
        tmp[k++] = v[i++];
    while (j < n)
        tmp[k++] = v[j++];
    memcpy(v, tmp, (size_t)n * sizeof(*v));
}

void mp_findings_sort(mp_findings *f)
{
    if (f->n < 2)
        return;
    mp_finding *tmp = malloc((size_t)f->n * sizeof(*tmp));
    if (!tmp) {
        f->oom = true;
        return;
    }
    merge_sort(f->v, tmp, f->n);
    free(tmp);
}

void mp_findings_free(mp_findings *f)
{
    if (!f)
        return;
    mp_arena_free(&f->arena);
    free(f->v);
    f->v = NULL;
    f->n = f->cap = 0;
}

const char *mp_severity_name(mp_severity s)
{
    static const char *const names[] = {
        [MP_SEV_ERROR] = "error",
        [MP_SEV_WARNING] = "warning",
        [MP_SEV_NOTE] = "note",
    };
    return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}
