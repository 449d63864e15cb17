/* cmd_check.c - `migplan check`: validate mig-parted configs for CI. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "migplan/check/check.h"
#include "migplan/util/json_out.h"
#include "migplan/readers/migparted_reader.h"
#include "migplan/readers/node_reader.h"
#include "migplan/yaml/ydoc.h"

static const char usage[] =
    "Usage: migplan check FILE... [--config NAME] [--gpu MODEL]...\n"
    "                     [--node FILE] [--strict] [--format "
    "text|json|github]\n"
    "\n"
    "Validate mig-parted config files the way mig-parted reads them (YAML "
    "1.1,\n"
    "its field rules and error texts), then check what mig-parted cannot:\n"
    "profile names per GPU model, counts, compute instances, and whether each\n"
    "layout fits the GPU at all. FILE may be - for standard input.\n"
    "\n"
    "Each entry is checked against the models its device-filter names; "
    "entries\n"
    "without a filter against the --gpu models, or, with neither, against the\n"
    "models whose profile tables hold all of its profile names. --node FILE\n"
    "gives the node's GPUs by index (gpus: [{index: 0, model: h100}, ...]) "
    "and\n"
    "checks coverage too.\n"
    "\n"
    "  --config NAME     check only this config\n"
    "  --gpu MODEL       GPU model(s) of the node, for unfiltered entries\n"
    "  --node FILE       the node's GPUs by index\n"
    "  --strict          treat warnings as errors\n"
    "  --ignore CODE     drop findings with this code (repeatable)\n"
    "  --format F        text (default), json, or github (annotations)\n"
    "  -v, --verbose     also print notes\n"
    "  -o, --output F    write the report to F instead of standard output\n"
    "\n"
    "Exit status: 0 clean, 1 errors found, 2 unreadable file or bad usage.\n";

enum {
    OPT_FORMAT = 1,
    OPT_OUTPUT,
    OPT_CONFIG,
    OPT_GPU,
    OPT_NODE,
    OPT_STRICT,
    OPT_IGNORE,
    OPT_VERBOSE
};

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

static void gh_report(const mp_findings *f, bool verbose, mp_buf *b)
{
    for (int i = 0; i < f->n; i++) {
        const mp_finding *x = &f->v[i];
        if (x->sev == MP_SEV_NOTE && !verbose)
            continue;
        const char *kind = x->sev == MP_SEV_ERROR     ? "error"
                           : x->sev == MP_SEV_WARNING ? "warning"
                                                      : "notice";
        mp_buf_printf(b, "::%s ", kind);
        if (x->file) {
            mp_buf_puts(b, "file=");
            gh_escape(b, x->file, true);
            if (x->line > 0)
                mp_buf_printf(b, ",line=%d,col=%d", x->line, x->col);
            mp_buf_putc(b, ',');
        }
        mp_buf_puts(b, "title=");
        gh_escape(b, "migplan ", true);
        gh_escape(b, x->code, true);
        mp_buf_puts(b, "::");
        gh_escape(b, x->message, false);
        mp_buf_putc(b, '\n');
    }
}

static void json_report(const mp_findings *f, const cli_input *in, int nin,
                        int unread, const mp_check_stats *st, mp_buf *b)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *sum = cJSON_AddObjectToObject(root, "summary");
    cJSON_AddNumberToObject(sum, "files", nin);
    cJSON_AddNumberToObject(sum, "unreadable_files", unread);
    cJSON_AddNumberToObject(sum, "configs", st->configs);
    cJSON_AddNumberToObject(sum, "entries", st->entries);
    cJSON_AddNumberToObject(sum, "checked", st->checked);
    cJSON_AddNumberToObject(sum, "errors", mp_findings_count(f, MP_SEV_ERROR));
    cJSON_AddNumberToObject(sum, "warnings",
                            mp_findings_count(f, MP_SEV_WARNING));
    cJSON_AddNumberToObject(sum, "notes", mp_findings_count(f, MP_SEV_NOTE));
    cJSON *files = cJSON_AddArrayToObject(root, "files");
    for (int i = 0; i < nin; i++) {
        for (int k = 0; in[i].loaded && k < in[i].nfile; k++) {
            const mp_mp_file *mf = &in[i].file[k];
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "file", in[i].path);
            cJSON_AddBoolToObject(o, "mig_parted_accepts", mf->parsed);
            if (mf->parsed)
                cJSON_AddNullToObject(o, "mig_parted_error");
            else
                cJSON_AddStringToObject(o, "mig_parted_error",
                                        mf->migparted_error);
            cJSON_AddNumberToObject(o, "configs", mf->n_configs);
            cJSON_AddItemToArray(files, o);
        }
    }
    cJSON *arr = cJSON_AddArrayToObject(root, "findings");
    for (int i = 0; i < f->n; i++) {
        const mp_finding *x = &f->v[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "file", x->file ? x->file : "");
        cJSON_AddNumberToObject(o, "line", x->line);
        cJSON_AddNumberToObject(o, "column", x->col);
        cJSON_AddStringToObject(o, "severity", mp_severity_name(x->sev));
        if (x->config)
            cJSON_AddStringToObject(o, "config", x->config);
        else
            cJSON_AddNullToObject(o, "config");
        if (x->entry >= 0)
            cJSON_AddNumberToObject(o, "entry", x->entry);
        else
            cJSON_AddNullToObject(o, "entry");
        if (x->model)
            cJSON_AddStringToObject(o, "model", x->model);
        else
            cJSON_AddNullToObject(o, "model");
        cJSON_AddStringToObject(o, "code", x->code);
        cJSON_AddStringToObject(o, "message", x->message);
        if (x->migparted)
            cJSON_AddStringToObject(o, "mig_parted", x->migparted);
        cJSON_AddItemToArray(arr, o);
    }
    mp_json_print(root, b);
    cJSON_Delete(root);
}

int cmd_check(cli_ctx *c, int argc, char **argv)
{
    static const cli_opt opts[] = {{"format", 0, true, OPT_FORMAT},
                                   {"output", 'o', true, OPT_OUTPUT},
                                   {"config", 'c', true, OPT_CONFIG},
                                   {"gpu", 0, true, OPT_GPU},
                                   {"node", 0, true, OPT_NODE},
                                   {"strict", 0, false, OPT_STRICT},
                                   {"ignore", 0, true, OPT_IGNORE},
                                   {"verbose", 'v', false, OPT_VERBOSE},
                                   CLI_COMMON_OPTS,
                                   {NULL, 0, false, 0}};
    static const char *const formats[] = {"text", "json", "github", NULL};
    cli_parser p = {argc, argv, 1, false, usage};
    int id, fmt = 0, r;
    const char *arg, *out = NULL, *config = NULL, *node_path = NULL;
    const char *gpu_names[64], *ignore[64], *files[256];
    int ngpu = 0, nignore = 0, nfiles = 0;
    bool strict = false, verbose = false;
    while ((r = cli_next(c, &p, opts, &id, &arg)) != CLI_END) {
        if (r < 0)
            return r == CLI_HELP ? EXIT_OK : EXIT_USAGE;
        if (r == CLI_POSITIONAL) {
            if (nfiles == 256)
                return cli_usage_error(c, "too many files (at most 256)");
            files[nfiles++] = arg;
            continue;
        }
        switch (id) {
        case OPT_FORMAT:
            if (cli_format(c, arg, formats, &fmt))
                return EXIT_USAGE;
            break;
        case OPT_OUTPUT:
            out = arg;
            break;
        case OPT_CONFIG:
            config = arg;
            break;
        case OPT_GPU:
            if (ngpu == 64)
                return cli_usage_error(c, "too many --gpu");
            gpu_names[ngpu++] = arg;
            break;
        case OPT_NODE:
            node_path = arg;
            break;
        case OPT_STRICT:
            strict = true;
            break;
        case OPT_IGNORE:
            if (nignore == 64)
                return cli_usage_error(c, "too many --ignore");
            ignore[nignore++] = arg;
            break;
        case OPT_VERBOSE:
            verbose = true;
            break;
        }
    }
    if (nfiles == 0)
        return cli_usage_error(c, "which config file? e.g. `migplan check "
                                  "config.yaml` (- reads standard input)");
    const mp_model *gpus[64];
    mp_node node;
    if ((r = cli_targets(c, gpu_names, ngpu, node_path, gpus, &node)) != 0)
        return r;
    const mp_db *db;
    cli_db(c, &db);
    mp_check_opts o = {.config = config,
                       .gpus = gpus,
                       .n_gpus = ngpu,
                       .node = node_path ? &node : NULL};
    mp_check_stats st = {0};
    mp_findings f = MP_FINDINGS_INIT;
    cli_input *in = calloc((size_t)nfiles, sizeof(*in));
    int rc = EXIT_OK, unread = 0;
    if (!in) {
        fprintf(stderr, "migplan check: out of memory\n");
        mp_node_free(&node);
        return EXIT_USAGE;
    }
    for (int i = 0; i < nfiles; i++) {
        mp_diag d;
        mp_diag_clear(&d);
        in[i].path = strcmp(files[i], "-") == 0 ? "<stdin>" : files[i];
        if (mp_read_file(files[i], mp_ylimits_default.max_bytes, &in[i].text,
                         &in[i].len, &d) != 0) {
            if (d.code == MP_ELIMIT) {
                /* hostile size: a finding about the file, like other limits */
                mp_findings_add(&f, MP_SEV_ERROR, "limit", in[i].path, 0, 0,
                                "%s", d.msg);
                continue;
            }
            cli_print_diag(&d);
            rc = EXIT_USAGE;
            unread++;
            continue;
        }
        if (cli_input_check(db, &in[i], &o, &f, &st) != 0) {
            fprintf(stderr, "migplan check: out of memory\n");
            rc = EXIT_USAGE;
            break;
        }
    }
    /* --ignore, then --strict */
    int k = 0;
    for (int i = 0; i < f.n; i++) {
        bool drop = false;
        for (int j = 0; j < nignore; j++)
            drop |= strcmp(f.v[i].code, ignore[j]) == 0;
        if (drop)
            continue;
        if (strict && f.v[i].sev == MP_SEV_WARNING)
            f.v[i].sev = MP_SEV_ERROR;
        f.v[k++] = f.v[i];
    }
    f.n = k;
    mp_findings_sort(&f);
    mp_buf b = MP_BUF_INIT;
    int errors = mp_findings_count(&f, MP_SEV_ERROR);
    int warnings = mp_findings_count(&f, MP_SEV_WARNING);
    if (fmt == 1) {
        json_report(&f, in, nfiles, unread, &st, &b);
    } else if (fmt == 2) {
        gh_report(&f, verbose, &b);
    } else {
        cli_text_report(&f, in, nfiles, verbose, &b);
        mp_buf_printf(&b,
                      "%d config%s, %d entr%s checked: %d error%s, %d "
                      "warning%s",
                      st.configs, st.configs == 1 ? "" : "s", st.entries,
                      st.entries == 1 ? "y" : "ies", errors,
                      errors == 1 ? "" : "s", warnings,
                      warnings == 1 ? "" : "s");
        if (unread)
            mp_buf_printf(&b, "; %d file%s could not be read (see above)",
                          unread, unread == 1 ? "" : "s");
        mp_buf_printf(&b, "\n");
    }
    int wr = cli_write(c, &b, out);
    mp_buf_free(&b);
    for (int i = 0; i < nfiles; i++)
        cli_input_free(&in[i]);
    free(in);
    mp_findings_free(&f);
    mp_node_free(&node);
    if (wr)
        return wr;
    if (rc)
        return rc;
    return errors ? EXIT_FINDINGS : EXIT_OK;
}
