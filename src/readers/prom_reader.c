/* SPDX-License-Identifier: Apache-2.0 */
/* prom_reader.c - a strict reader of the Prometheus text format. */
#include "migplan/readers/prom_reader.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lines.h"

#define WHAT "Prometheus text (what dcgm-exporter serves on /metrics)"

/* One line being parsed; names and unescaped values go into scratch. */
typedef struct pline {
    const char *path;
    int lineno;
    const char *s;
    size_t n, i;
    char *scratch;
    size_t o;
    mp_diag *d;
} pline;

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static int
err(pline *p, size_t at, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return mp_diag_set(p->d, MP_ESYNTAX, p->path, p->lineno,
                       mp_line_col(p->s, at), "%s", msg);
}

static void blanks(pline *p)
{
    while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\t'))
        p->i++;
}

static bool name_char(char c, bool first, bool colon)
{
    return isalpha((unsigned char)c) || c == '_' || (colon && c == ':') ||
           (!first && isdigit((unsigned char)c));
}

/* A metric name (colon allowed) or label name into scratch; NULL when the
 * text there is not one. */
static const char *name(pline *p, bool colon)
{
    size_t a = p->i;
    while (p->i < p->n && name_char(p->s[p->i], p->i == a, colon))
        p->i++;
    if (p->i == a)
        return NULL;
    char *out = p->scratch + p->o;
    memcpy(out, p->s + a, p->i - a);
    out[p->i - a] = '\0';
    p->o += p->i - a + 1;
    return out;
}

/* A quoted label value, unescaped into scratch. */
static int label_value(pline *p, const char **out)
{
    if (p->i >= p->n || p->s[p->i] != '"')
        return err(p, p->i, "expected '\"' to open the label value");
    p->i++;
    char *v = p->scratch + p->o;
    size_t k = 0;
    for (;;) {
        if (p->i >= p->n)
            return err(p, p->i, "the label value has no closing '\"'");
        char c = p->s[p->i++];
        if (c == '"')
            break;
        if (c == '\\') {
            char e = p->i < p->n ? p->s[p->i] : '\0';
            if (e != '\\' && e != '"' && e != 'n')
                return err(p, p->i - 1,
                           "unknown escape in a label value (Prometheus "
                           "knows \\\\, \\\" and \\n)");
            c = e == 'n' ? '\n' : e;
            p->i++;
        }
        v[k++] = c;
    }
    v[k] = '\0';
    p->o += k + 1;
    *out = v;
    return 0;
}

static int labels(pline *p, mp_prom_label *lab, int *n_lab)
{
    p->i++; /* '{' */
    for (;;) {
        blanks(p);
        if (p->i < p->n && p->s[p->i] == '}') {
            p->i++;
            return 0;
        }
        if (*n_lab >= MP_PROM_MAX_LABELS)
            return err(p, p->i, "more than 64 labels on one sample (limit)");
        mp_prom_label *l = &lab[*n_lab];
        l->col = mp_line_col(p->s, p->i);
        size_t at = p->i;
        if (!(l->name = name(p, false)))
            return err(p, p->i,
                       "expected a label name (letters, digits and _) or "
                       "'}'");
        for (int k = 0; k < *n_lab; k++)
            if (strcmp(lab[k].name, l->name) == 0)
                return err(p, at, "label %s is given twice", l->name);
        blanks(p);
        if (p->i >= p->n || p->s[p->i] != '=')
            return err(p, p->i, "expected '=' after the label name %s",
                       l->name);
        p->i++;
        blanks(p);
        int rc = label_value(p, &l->value);
        if (rc)
            return rc;
        ++*n_lab;
        blanks(p);
        if (p->i < p->n && p->s[p->i] == ',') {
            p->i++;
            continue;
        }
        if (p->i >= p->n || p->s[p->i] != '}')
            return err(p, p->i, "expected ',' or '}' after the label %s",
                       l->name);
    }
}

/* The next blank-separated token: s[*a .. p->i). */
static size_t token(pline *p)
{
    size_t a = p->i;
    while (p->i < p->n && p->s[p->i] != ' ' && p->s[p->i] != '\t')
        p->i++;
    return a;
}

static int value(pline *p, mp_prom_sample *out)
{
    size_t a = token(p);
    size_t len = p->i - a;
    if (len == 0)
        return err(p, a, "expected the sample value after the %s",
                   out->n_labels ? "labels" : "metric name");
    char *t = p->scratch + p->o;
    memcpy(t, p->s + a, len);
    t[len] = '\0';
    p->o += len + 1;
    out->value_text = t;
    out->value_col = mp_line_col(p->s, a);
    const char *u = t + (*t == '+' || *t == '-');
    if (strcasecmp(u, "nan") == 0 || strcasecmp(u, "inf") == 0 ||
        strcasecmp(u, "infinity") == 0) {
        out->value = strcasecmp(u, "nan") == 0 ? NAN
                     : *t == '-'               ? -INFINITY
                                               : INFINITY;
        return 0;
    }
    char *end;
    errno = 0;
    out->value = strtod(t, &end);
    if (end == t || *end || isnan(out->value))
        return err(p, a, "the sample value must be a number, not '%s'", t);
    if (isinf(out->value) || (errno == ERANGE && fabs(out->value) > 1.0))
        return err(p, a, "the sample value %s is out of range", t);
    return 0;
}

static int timestamp(pline *p, mp_prom_sample *out)
{
    size_t a = token(p);
    if (p->i == a)
        return 0;
    size_t k = a + (p->s[a] == '-' || p->s[a] == '+');
    bool digits = k < p->i;
    for (size_t j = k; j < p->i; j++)
        digits &= isdigit((unsigned char)p->s[j]) != 0;
    char t[32];
    size_t len = p->i - a;
    if (!digits || len >= sizeof(t)) {
        char shown[64];
        size_t sl = len < sizeof(shown) - 1 ? len : sizeof(shown) - 1;
        memcpy(shown, p->s + a, sl);
        shown[sl] = '\0';
        return err(p, a,
                   "the timestamp must be whole milliseconds since 1970, "
                   "not '%s'",
                   shown);
    }
    memcpy(t, p->s + a, len);
    t[len] = '\0';
    errno = 0;
    out->ts_ms = strtoll(t, NULL, 10);
    if (errno == ERANGE)
        return err(p, a, "the timestamp %s is out of range", t);
    out->has_ts = true;
    out->ts_col = mp_line_col(p->s, a);
    return 0;
}

static int sample(pline *p, mp_prom_fn fn, void *ctx)
{
    mp_prom_label lab[MP_PROM_MAX_LABELS];
    mp_prom_sample smp = {.labels = lab, .line = p->lineno};
    if (!(smp.name = name(p, true)))
        return err(p, p->i,
                   "expected a metric name (a letter, _ or : first) or a "
                   "# comment");
    blanks(p);
    int rc = 0;
    if (p->i < p->n && p->s[p->i] == '{') {
        rc = labels(p, lab, &smp.n_labels);
        blanks(p);
    } else if (p->i < p->n && p->s[p->i - 1] != ' ' && p->s[p->i - 1] != '\t')
        return err(p, p->i, "expected '{' or a blank after the metric name %s",
                   smp.name);
    if (!rc)
        rc = value(p, &smp);
    blanks(p);
    if (!rc)
        rc = timestamp(p, &smp);
    blanks(p);
    if (!rc && p->i < p->n)
        rc = err(p, p->i, "unexpected text after the %s",
                 smp.has_ts ? "timestamp" : "value");
    if (!rc)
        rc = fn(ctx, p->path, &smp, p->d);
    return rc;
}

/* "# HELP name text" and "# TYPE name type"; other comments pass. */
static int comment(pline *p)
{
    p->i++; /* '#' */
    blanks(p);
    size_t a = token(p);
    bool help = p->i - a == 4 && memcmp(p->s + a, "HELP", 4) == 0;
    bool type = p->i - a == 4 && memcmp(p->s + a, "TYPE", 4) == 0;
    if (!help && !type)
        return 0;
    blanks(p);
    const char *metric = name(p, true);
    if (!metric || (p->i < p->n && p->s[p->i] != ' ' && p->s[p->i] != '\t'))
        return err(p, p->i, "expected a metric name after # %s",
                   help ? "HELP" : "TYPE");
    if (help)
        return 0;
    blanks(p);
    a = token(p);
    static const char *const types[] = {"counter", "gauge", "histogram",
                                        "summary", "untyped"};
    for (size_t k = 0; k < sizeof(types) / sizeof(types[0]); k++)
        if (p->i - a == strlen(types[k]) &&
            memcmp(p->s + a, types[k], p->i - a) == 0) {
            blanks(p);
            if (p->i < p->n)
                return err(p, p->i, "unexpected text after the type of %s",
                           metric);
            return 0;
        }
    return err(p, a,
               "the type of %s must be counter, gauge, histogram, summary "
               "or untyped",
               metric);
}

int mp_prom_parse(const char *text, size_t len, const char *path, mp_prom_fn fn,
                  void *ctx, mp_diag *d)
{
    char *scratch = malloc(MP_LINE_MAX + 4 * MP_PROM_MAX_LABELS + 64);
    if (!scratch)
        return mp_diag_set(d, MP_ENOMEM, path, 0, 0, "out of memory");
    mp_lines it = {text, len, 0, 0};
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        it.pos = 3;
    const char *line;
    size_t n;
    int rc = 0;
    while (!rc && mp_lines_next(&it, &line, &n)) {
        rc = mp_line_check(path, it.line, line, n, WHAT, d);
        pline p = {path, it.line, line, n, 0, scratch, 0, d};
        blanks(&p);
        if (rc || p.i == n)
            continue;
        rc = line[p.i] == '#' ? comment(&p) : sample(&p, fn, ctx);
    }
    free(scratch);
    return rc;
}

const char *mp_prom_label_value(const mp_prom_sample *s, const char *name)
{
    for (int i = 0; i < s->n_labels; i++)
        if (strcmp(s->labels[i].name, name) == 0)
            return s->labels[i].value;
    return NULL;
}
