/* SPDX-License-Identifier: Apache-2.0 */
/* findings_out.c - findings as text with carets, GitHub annotations or
 * JSON. */
#include "migplan/emit/findings_out.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "migplan/util/json_out.h"
#include "migplan/yaml/ydoc.h"

/* The input a finding is about, if its text was read. */
static const mp_configmap *input_of(const mp_configmap *in, int n,
                                    const char *path)
{
    for (int i = 0; i < n; i++)
        if (in[i].text && path && strcmp(in[i].path, path) == 0)
            return &in[i];
    return NULL;
}

/* Where each line of a text starts (one pass), so that a report with
 * thousands of findings does not rescan the file for each caret. */
typedef struct line_index {
    size_t *start;
    int n;
} line_index;

static bool line_of(line_index *x, const mp_configmap *src, int line,
                    const char **s, size_t *n)
{
    const char *text = src->text;
    size_t len = src->len;
    if (!x || (!x->start && x->n < 0))
        return mp_text_line(text, len, line, s, n);
    if (!x->start) {
        int cap = 1;
        for (size_t i = 0; i < len; i++)
            cap += text[i] == '\n';
        x->start = malloc((size_t)cap * sizeof(size_t));
        if (!x->start) {
            x->n = -1; /* no index: look each line up */
            return mp_text_line(text, len, line, s, n);
        }
        x->start[x->n++] = 0;
        for (size_t i = 0; i < len; i++)
            if (text[i] == '\n')
                x->start[x->n++] = i + 1;
    }
    if (line < 1 || line > x->n)
        return false;
    size_t b = x->start[line - 1], e = b;
    while (e < len && text[e] != '\n')
        e++;
    if (e > b && text[e - 1] == '\r')
        e--;
    *s = text + b;
    *n = e - b;
    return true;
}

void mp_emit_findings_text(const mp_findings *f, const mp_configmap *in,
                           int nin, bool verbose, mp_buf *out)
{
    line_index *idx = calloc((size_t)(nin ? nin : 1), sizeof(*idx));
    for (int i = 0; i < f->n; i++) {
        const mp_finding *x = &f->v[i];
        if (x->sev == MP_SEV_NOTE && !verbose)
            continue;
        if (x->file && x->line > 0)
            mp_buf_printf(out, "%s:%d:%d: ", x->file, x->line, x->col);
        else if (x->file)
            mp_buf_printf(out, "%s: ", x->file);
        mp_buf_printf(out, "%s: %s [%s]\n", mp_severity_name(x->sev),
                      x->message, x->code);
        const mp_configmap *src = input_of(in, nin, x->file);
        const char *s;
        size_t n;
        if (src && x->line > 0 && x->sev != MP_SEV_NOTE &&
            line_of(idx ? &idx[src - in] : NULL, src, x->line, &s, &n))
            mp_caret_line(out, s, n, x->col);
        if (x->migparted && verbose)
            mp_buf_printf(out, "  mig-parted says: %s\n", x->migparted);
    }
    for (int i = 0; idx && i < nin; i++)
        free(idx[i].start);
    free(idx);
}

void mp_emit_check_summary(const mp_findings *f, const mp_check_stats *st,
                           int unread, mp_buf *out)
{
    int errors = mp_findings_count(f, MP_SEV_ERROR);
    int warnings = mp_findings_count(f, MP_SEV_WARNING);
    mp_buf_printf(out,
                  "%d config%s, %d entr%s checked: %d error%s, %d warning%s",
                  st->configs, st->configs == 1 ? "" : "s", st->entries,
                  st->entries == 1 ? "y" : "ies", errors,
                  errors == 1 ? "" : "s", warnings, warnings == 1 ? "" : "s");
    if (unread)
        mp_buf_printf(out, "; %d file%s could not be read (see above)", unread,
                      unread == 1 ? "" : "s");
    mp_buf_putc(out, '\n');
}

/* GitHub's workflow-command escaping (properties escape ':' and ',' too) */
static void gh_escape(mp_buf *b, const char *s, bool property)
{
    for (; *s; s++) {
        if (*s == '%')
            mp_buf_puts(b, "%25");
        else if (*s == '\r')
            mp_buf_puts(b, "%0D");
        else if (*s == '\n')
            mp_buf_puts(b, "%0A");
        else if (property && *s == ':')
            mp_buf_puts(b, "%3A");
        else if (property && *s == ',')
            mp_buf_puts(b, "%2C");
        else
            mp_buf_putc(b, *s);
    }
}

void mp_emit_findings_github(const mp_findings *f, bool verbose, mp_buf *out)
{
    for (int i = 0; i < f->n; i++) {
        const mp_finding *x = &f->v[i];
        if (x->sev == MP_SEV_NOTE && !verbose)
            continue;
        const char *kind = x->sev == MP_SEV_ERROR     ? "error"
                           : x->sev == MP_SEV_WARNING ? "warning"
                                                      : "notice";
        mp_buf_printf(out, "::%s ", kind);
        if (x->file) {
            mp_buf_puts(out, "file=");
            gh_escape(out, x->file, true);
            if (x->line > 0)
                mp_buf_printf(out, ",line=%d,col=%d", x->line, x->col);
            mp_buf_putc(out, ',');
        }
        mp_buf_puts(out, "title=");
        gh_escape(out, "migplan ", true);
        gh_escape(out, x->code, true);
        mp_buf_puts(out, "::");
        gh_escape(out, x->message, false);
        mp_buf_putc(out, '\n');
    }
}

static void add_string_or_null(cJSON *o, const char *key, const char *s)
{
    if (s)
        cJSON_AddStringToObject(o, key, s);
    else
        cJSON_AddNullToObject(o, key);
}

static cJSON *json_summary(const mp_findings *f, int nin, int unread,
                           const mp_check_stats *st)
{
    cJSON *sum = cJSON_CreateObject();
    cJSON_AddNumberToObject(sum, "files", nin);
    cJSON_AddNumberToObject(sum, "unreadable_files", unread);
    cJSON_AddNumberToObject(sum, "configs", st->configs);
    cJSON_AddNumberToObject(sum, "entries", st->entries);
    cJSON_AddNumberToObject(sum, "checked", st->checked);
    cJSON_AddNumberToObject(sum, "errors", mp_findings_count(f, MP_SEV_ERROR));
    cJSON_AddNumberToObject(sum, "warnings",
                            mp_findings_count(f, MP_SEV_WARNING));
    cJSON_AddNumberToObject(sum, "notes", mp_findings_count(f, MP_SEV_NOTE));
    return sum;
}

static cJSON *json_files(const mp_configmap *in, int nin)
{
    cJSON *files = cJSON_CreateArray();
    for (int i = 0; i < nin; i++) {
        for (int k = 0; k < in[i].n; k++) {
            const mp_mp_file *mf = &in[i].part[k].file;
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "file", in[i].path);
            cJSON_AddBoolToObject(o, "mig_parted_accepts", mf->parsed);
            add_string_or_null(o, "mig_parted_error",
                               mf->parsed ? NULL : mf->migparted_error);
            cJSON_AddNumberToObject(o, "configs", mf->n_configs);
            cJSON_AddItemToArray(files, o);
        }
    }
    return files;
}

static cJSON *json_finding(const mp_finding *x)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "file", x->file ? x->file : "");
    cJSON_AddNumberToObject(o, "line", x->line);
    cJSON_AddNumberToObject(o, "column", x->col);
    cJSON_AddStringToObject(o, "severity", mp_severity_name(x->sev));
    add_string_or_null(o, "config", x->config);
    if (x->entry >= 0)
        cJSON_AddNumberToObject(o, "entry", x->entry);
    else
        cJSON_AddNullToObject(o, "entry");
    add_string_or_null(o, "model", x->model);
    cJSON_AddStringToObject(o, "code", x->code);
    cJSON_AddStringToObject(o, "message", x->message);
    if (x->migparted)
        cJSON_AddStringToObject(o, "mig_parted", x->migparted);
    return o;
}

void mp_emit_findings_json(const mp_findings *f, const mp_configmap *in,
                           int nin, int unread, const mp_check_stats *st,
                           mp_buf *out)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddItemToObject(root, "summary", json_summary(f, nin, unread, st));
    cJSON_AddItemToObject(root, "files", json_files(in, nin));
    cJSON *arr = cJSON_AddArrayToObject(root, "findings");
    for (int i = 0; i < f->n; i++)
        cJSON_AddItemToArray(arr, json_finding(&f->v[i]));
    mp_json_print(root, out);
    cJSON_Delete(root);
}
