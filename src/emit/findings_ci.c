// SPDX-License-Identifier: Apache-2.0
/* findings_ci.c - findings as SARIF 2.1.0 and as a Markdown summary. */
#include "migplan/emit/findings_ci.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "migplan/util/finding_rules.h"
#include "migplan/util/json_out.h"

#define SARIF_SCHEMA                                                           \
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/"      \
    "sarif-schema-2.1.0.json"

static bool shown(const mp_finding *x, bool verbose)
{
    return x->sev != MP_SEV_NOTE || verbose;
}

static const char *sarif_level(mp_severity s)
{
    return s == MP_SEV_ERROR     ? "error"
           : s == MP_SEV_WARNING ? "warning"
                                 : "note";
}

static void add_text(cJSON *o, const char *key, const char *text)
{
    cJSON *m = cJSON_AddObjectToObject(o, key);
    cJSON_AddStringToObject(m, "text", text);
}

/* ------------------------------------------------------------- SARIF */

/* The codes reported, each once, sorted: the run's rules. */
static int used_codes(const mp_findings *f, bool verbose, const char **codes)
{
    int n = 0;
    for (int i = 0; i < f->n; i++) {
        if (!shown(&f->v[i], verbose))
            continue;
        int k = 0;
        while (k < n && strcmp(codes[k], f->v[i].code) < 0)
            k++;
        if (k < n && strcmp(codes[k], f->v[i].code) == 0)
            continue;
        memmove(codes + k + 1, codes + k, (size_t)(n - k) * sizeof(*codes));
        codes[k] = f->v[i].code;
        n++;
    }
    return n;
}

static cJSON *sarif_rule(const char *code)
{
    const mp_finding_rule *r = mp_finding_rule_find(code);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", code);
    /* a code the table lacks still gets a rule, described by its name */
    add_text(o, "shortDescription", r ? r->summary : code);
    add_text(o, "fullDescription", r ? r->help : code);
    mp_buf help = MP_BUF_INIT;
    mp_buf_printf(&help,
                  "%s\n\n`migplan check --ignore %s` drops these findings; "
                  "`--strict` makes warnings errors.",
                  r ? r->help : code, code);
    add_text(o, "help", mp_buf_str(&help));
    mp_buf_free(&help);
    cJSON *cfg = cJSON_AddObjectToObject(o, "defaultConfiguration");
    cJSON_AddStringToObject(cfg, "level",
                            sarif_level(r ? r->sev : MP_SEV_ERROR));
    return o;
}

/* p as a URI reference: relative paths stay relative (to the checkout, as
 * code scanning expects), absolute ones become file:// URIs; bytes outside
 * RFC 3986's unreserved set and '/' are percent-encoded. */
static void path_uri(const char *p, mp_buf *out)
{
    static const char keep[] = "-._~/";
    if (p[0] == '/')
        mp_buf_puts(out, "file://");
    for (const unsigned char *s = (const unsigned char *)p; *s; s++) {
        bool plain = (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
                     (*s >= '0' && *s <= '9') || strchr(keep, *s);
        if (plain)
            mp_buf_putc(out, (char)*s);
        else
            mp_buf_printf(out, "%%%02X", *s);
    }
}

static cJSON *sarif_location(const mp_finding *x)
{
    cJSON *loc = cJSON_CreateObject();
    cJSON *phys = cJSON_AddObjectToObject(loc, "physicalLocation");
    cJSON *art = cJSON_AddObjectToObject(phys, "artifactLocation");
    mp_buf uri = MP_BUF_INIT;
    path_uri(x->file, &uri);
    cJSON_AddStringToObject(art, "uri", mp_buf_str(&uri));
    mp_buf_free(&uri);
    if (x->file[0] != '/')
        cJSON_AddStringToObject(art, "uriBaseId", "%SRCROOT%");
    if (x->line > 0) {
        cJSON *region = cJSON_AddObjectToObject(phys, "region");
        cJSON_AddNumberToObject(region, "startLine", x->line);
        if (x->col > 0)
            cJSON_AddNumberToObject(region, "startColumn", x->col);
    }
    return loc;
}

static cJSON *sarif_result(const mp_finding *x, int rule_index)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "ruleId", x->code);
    cJSON_AddNumberToObject(o, "ruleIndex", rule_index);
    cJSON_AddStringToObject(o, "level", sarif_level(x->sev));
    add_text(o, "message", x->message);
    cJSON *locs = cJSON_AddArrayToObject(o, "locations");
    if (x->file && strcmp(x->file, "<stdin>") != 0)
        cJSON_AddItemToArray(locs, sarif_location(x));
    if (x->config || x->model) {
        cJSON *props = cJSON_AddObjectToObject(o, "properties");
        if (x->config)
            cJSON_AddStringToObject(props, "config", x->config);
        if (x->entry >= 0)
            cJSON_AddNumberToObject(props, "entry", x->entry);
        if (x->model)
            cJSON_AddStringToObject(props, "model", x->model);
    }
    return o;
}

static cJSON *sarif_driver(const char **codes, int n, const char *info_uri)
{
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "name", "migplan");
    cJSON_AddStringToObject(d, "version", MIGPLAN_VERSION);
    cJSON_AddStringToObject(d, "semanticVersion", MIGPLAN_VERSION);
    if (info_uri && *info_uri)
        cJSON_AddStringToObject(d, "informationUri", info_uri);
    cJSON *rules = cJSON_AddArrayToObject(d, "rules");
    for (int k = 0; k < n; k++)
        cJSON_AddItemToArray(rules, sarif_rule(codes[k]));
    return d;
}

void mp_emit_findings_sarif(const mp_findings *f, bool verbose, int unread,
                            const char *info_uri, mp_buf *out)
{
    const char **codes = calloc((size_t)f->n + 1, sizeof(*codes));
    int n = codes ? used_codes(f, verbose, codes) : 0;
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "$schema", SARIF_SCHEMA);
    cJSON_AddStringToObject(root, "version", "2.1.0");
    cJSON *run = cJSON_CreateObject();
    cJSON_AddItemToArray(cJSON_AddArrayToObject(root, "runs"), run);
    cJSON *tool = cJSON_AddObjectToObject(run, "tool");
    cJSON_AddItemToObject(tool, "driver", sarif_driver(codes, n, info_uri));
    cJSON *inv = cJSON_CreateObject();
    cJSON_AddBoolToObject(inv, "executionSuccessful", unread == 0);
    cJSON_AddItemToArray(cJSON_AddArrayToObject(run, "invocations"), inv);
    cJSON *results = cJSON_AddArrayToObject(run, "results");
    for (int i = 0; codes && i < f->n; i++) {
        const mp_finding *x = &f->v[i];
        if (!shown(x, verbose))
            continue;
        int k = 0;
        while (k < n && strcmp(codes[k], x->code) != 0)
            k++;
        cJSON_AddItemToArray(results, sarif_result(x, k));
    }
    mp_json_print(root, out);
    cJSON_Delete(root);
    free(codes);
}

/* ---------------------------------------------------------- Markdown */

/* s in a table cell: no line breaks, no '|' ending the cell, no HTML. */
static void md_cell(const char *s, mp_buf *out)
{
    for (; *s; s++) {
        if (*s == '|')
            mp_buf_puts(out, "\\|");
        else if (*s == '\n' || *s == '\r')
            mp_buf_putc(out, ' ');
        else if (*s == '<')
            mp_buf_puts(out, "&lt;");
        else if (*s == '>')
            mp_buf_puts(out, "&gt;");
        else if (*s == '&')
            mp_buf_puts(out, "&amp;");
        else
            mp_buf_putc(out, *s);
    }
}

static const char *plural(int n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

static void md_headline(int errors, int warnings, int unread, mp_buf *out)
{
    if (errors || unread)
        mp_buf_printf(out, "## ❌ migplan check: %d error%s", errors,
                      plural(errors, "", "s"));
    else if (warnings)
        mp_buf_puts(out, "## ⚠️ migplan check: passed with warnings");
    else
        mp_buf_puts(out, "## ✅ migplan check: passed");
    if (unread)
        mp_buf_printf(out, ", %d file%s not read", unread,
                      plural(unread, "", "s"));
    mp_buf_puts(out, "\n\n");
}

static void md_counts(const mp_findings *f, const mp_check_stats *st,
                      int nfiles, int unread, mp_buf *out)
{
    mp_buf_printf(out,
                  "%d file%s, %d config%s, %d entr%s checked.\n\n"
                  "| Severity | Count |\n|---|---:|\n",
                  nfiles - unread, plural(nfiles - unread, "", "s"),
                  st->configs, plural(st->configs, "", "s"), st->entries,
                  plural(st->entries, "y", "ies"));
    static const mp_severity sevs[] = {MP_SEV_ERROR, MP_SEV_WARNING,
                                       MP_SEV_NOTE};
    static const char *const names[] = {"Errors", "Warnings", "Notes"};
    for (int k = 0; k < 3; k++)
        mp_buf_printf(out, "| %s | %d |\n", names[k],
                      mp_findings_count(f, sevs[k]));
    mp_buf_putc(out, '\n');
}

static void md_row(const mp_finding *x, mp_buf *out)
{
    mp_buf_printf(out, "| %s | ", mp_severity_name(x->sev));
    if (x->file) {
        mp_buf_puts(out, "<code>");
        md_cell(x->file, out);
        if (x->line > 0)
            mp_buf_printf(out, ":%d:%d", x->line, x->col);
        mp_buf_puts(out, "</code>");
    }
    mp_buf_printf(out, " | `%s` | ", x->code);
    md_cell(x->message, out);
    mp_buf_puts(out, " |\n");
}

void mp_emit_findings_markdown(const mp_findings *f, const mp_check_stats *st,
                               int nfiles, int unread, bool verbose,
                               mp_buf *out)
{
    int errors = mp_findings_count(f, MP_SEV_ERROR);
    int warnings = mp_findings_count(f, MP_SEV_WARNING);
    md_headline(errors, warnings, unread, out);
    md_counts(f, st, nfiles, unread, out);
    int rows = 0, more = 0;
    for (int i = 0; i < f->n; i++) {
        if (!shown(&f->v[i], verbose))
            continue;
        if (rows == MP_MARKDOWN_MAX_ROWS) {
            more++;
            continue;
        }
        if (rows++ == 0)
            mp_buf_puts(out, "| Severity | Where | Code | Finding |\n"
                             "|---|---|---|---|\n");
        md_row(&f->v[i], out);
    }
    if (more)
        mp_buf_printf(out,
                      "\n… and %d more finding%s (the text, JSON or SARIF "
                      "report has them all).\n",
                      more, plural(more, "", "s"));
    if (unread)
        mp_buf_printf(out,
                      "\n%d file%s could not be read; the job log says why.\n",
                      unread, plural(unread, "", "s"));
}
