/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_check.c - `migplan check`: validate mig-parted configs for CI. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include "cli.h"
#include "cli_color.h"
#include "migplan/emit/findings_ci.h"
#include "migplan/emit/findings_out.h"
#include "migplan/util/finding_rules.h"

/* --format F */
#define CHECK_FORMATS(X)                                                       \
    X(CHECK_FORMAT_TEXT, "text", NULL)                                         \
    X(CHECK_FORMAT_JSON, "json", NULL)                                         \
    X(CHECK_FORMAT_GITHUB, "github", "annotations")                            \
    X(CHECK_FORMAT_SARIF, "sarif", "code scanning")                            \
    X(CHECK_FORMAT_MARKDOWN, "markdown", "a job summary")

typedef enum check_format { CHECK_FORMATS(CLI_CHOICE_ENUM) } check_format;

typedef struct check_args {
    int format; /* check_format */
    const char *output;
    const char *config;
    cli_list gpu;
    const char *node;
    bool strict;
    int strategy; /* 0: not given, else 1 + mp_strategy */
    cli_list ignore;
    cli_list config_gpu;
    bool verbose;
    const char *summary_markdown;
    cli_list files;
} check_args;

/* Read and check one file. A file over the size limit is a finding; one
 * that cannot be read is reported and counted in *unread. Returns the exit
 * status so far. */
static int check_one(cli_ctx *c, const mp_db *db, const char *path,
                     const mp_check_opts *o, mp_configmap *in, mp_findings *f,
                     mp_check_stats *st, int *unread)
{
    mp_diag d = {0};
    int rc = mp_configmap_load(path, f, in, &d);
    if (rc == MP_ELIMIT) {
        /* hostile size: a finding about the file, like other limits */
        mp_findings_add(f, MP_SEV_ERROR, "limit", in->path, 0, 0, "%s", d.msg);
        return 0;
    }
    if (rc && rc != MP_ENOMEM) {
        (*unread)++;
        return cli_fail(c, &d);
    }
    if (!rc)
        rc = cli_check_config(db, in, o, f, st);
    return rc ? cli_internal(c, "out of memory") : 0;
}

static void report(const check_args *a, const mp_findings *f,
                   const mp_configmap *in, int unread, const mp_check_stats *st,
                   bool color, mp_buf *b)
{
    switch ((check_format)a->format) {
    case CHECK_FORMAT_JSON:
        mp_emit_findings_json(f, in, a->files.n, unread, st, b);
        break;
    case CHECK_FORMAT_GITHUB:
        mp_emit_findings_github(f, a->verbose, b);
        break;
    case CHECK_FORMAT_TEXT:
        mp_emit_findings_text(f, in, a->files.n, a->verbose, b);
        mp_emit_check_summary(f, st, unread, b);
        if (color) {
            mp_buf plain = *b;
            *b = (mp_buf)MP_BUF_INIT;
            cli_paint_findings(mp_buf_str(&plain), b);
            mp_buf_free(&plain);
        }
        break;
    case CHECK_FORMAT_SARIF:
        mp_emit_findings_sarif(f, a->verbose, unread, MIGPLAN_URL, b);
        break;
    case CHECK_FORMAT_MARKDOWN:
        mp_emit_findings_markdown(f, st, a->files.n, unread, a->verbose, b);
        break;
    }
}

/* --summary-markdown FILE: appended, as $GITHUB_STEP_SUMMARY wants (other
 * steps' summaries in the file stay). Returns the exit status. */
static int append_summary(const check_args *a, const mp_findings *f, int unread,
                          const mp_check_stats *st)
{
    mp_buf b = MP_BUF_INIT;
    mp_emit_findings_markdown(f, st, a->files.n, unread, a->verbose, &b);
    FILE *fp = fopen(a->summary_markdown, "a");
    bool ok = fp && fputs(mp_buf_str(&b), fp) >= 0;
    int err = errno;
    if (fp && fclose(fp) != 0 && ok) {
        ok = false;
        err = errno;
    }
    mp_buf_free(&b);
    if (ok)
        return 0;
    fprintf(stderr, "migplan: %s: cannot write: %s\n", a->summary_markdown,
            strerror(err));
    return EXIT_USAGE;
}

static int unknown_code(cli_ctx *c, const char *code)
{
    mp_buf all = MP_BUF_INIT;
    for (const mp_finding_rule *r = mp_finding_rules; r->code; r++)
        mp_buf_printf(&all, "%s%s", r == mp_finding_rules ? "" : ", ", r->code);
    const char *mean = mp_finding_code_suggest(code);
    int rc = cli_usage_error(
        c, "--ignore: unknown finding code '%s'%s%s%s; the codes are: %s", code,
        mean ? " (did you mean '" : "", mean ? mean : "", mean ? "'?)" : "",
        mp_buf_str(&all));
    mp_buf_free(&all);
    return rc;
}

/* The codes of every --ignore, each a code or a comma list of codes, into
 * codes[] (copies in store); an unknown code is a usage error naming the
 * closest and listing them all. */
static int ignore_codes(cli_ctx *c, const cli_list *in, const char **codes,
                        int *n, char *store, size_t cap)
{
    size_t used = 0;
    *n = 0;
    for (int i = 0; i < in->n; i++) {
        for (const char *p = in->v[i]; *p;) {
            size_t len = strcspn(p, ",");
            if (len > 0 && used + len + 1 <= cap && *n < CLI_LIST_MAX) {
                char *code = store + used;
                memcpy(code, p, len);
                code[len] = '\0';
                used += len + 1;
                if (!mp_finding_code_known(code))
                    return unknown_code(c, code);
                codes[(*n)++] = code;
            } else if (len > 0) {
                return cli_usage_error(c, "too many --ignore codes");
            }
            p += len + (p[len] == ',');
        }
    }
    return 0;
}

/* Every --config-gpu 'PATTERN=MODEL' into out (the patterns point into
 * argv, cut at '=' in copies kept in store). */
static int config_gpus(cli_ctx *c, const cli_list *in, mp_config_gpu *out,
                       char (*store)[256])
{
    for (int i = 0; i < in->n; i++) {
        const char *eq = strrchr(in->v[i], '=');
        if (!eq || eq == in->v[i] || !eq[1] ||
            (size_t)(eq - in->v[i]) >= sizeof(store[i]))
            return cli_usage_error(c,
                                   "--config-gpu takes PATTERN=MODEL (e.g. "
                                   "'all-*.18gb=h200'), not '%s'",
                                   in->v[i]);
        snprintf(store[i], sizeof(store[i]), "%.*s", (int)(eq - in->v[i]),
                 in->v[i]);
        out[i].pattern = store[i];
        int rc = cli_model(c, eq + 1, &out[i].model);
        if (rc)
            return rc;
    }
    return 0;
}

static int run(cli_ctx *c, void *args)
{
    const check_args *a = args;
    const mp_model *gpus[CLI_LIST_MAX];
    const char *ignore[CLI_LIST_MAX];
    char ignore_store[4096];
    int n_ignore;
    mp_node node;
    const mp_db *db;
    mp_config_gpu pools[64];
    char pool_store[64][256];
    int stdin_uses = 0;
    for (int i = 0; i < a->files.n; i++)
        stdin_uses += strcmp(a->files.v[i], "-") == 0;
    if (stdin_uses > 1)
        return cli_usage_error(c,
                               "standard input (-) is given %d times; it "
                               "can be read once",
                               stdin_uses);
    int rc = ignore_codes(c, &a->ignore, ignore, &n_ignore, ignore_store,
                          sizeof(ignore_store));
    if (!rc)
        rc = config_gpus(c, &a->config_gpu, pools, pool_store);
    if (!rc && a->node && a->config_gpu.n)
        rc = cli_usage_error(c, "give either --config-gpu or --node, not "
                                "both (--node says which GPU each index is)");
    if (rc)
        return rc;
    rc = cli_targets(c, &a->gpu, a->node, gpus, &node);
    if (rc || (rc = cli_db(c, &db)) != 0)
        return rc;
    mp_check_opts o = {.config = a->config,
                       .gpus = gpus,
                       .n_gpus = a->gpu.n,
                       .node = a->node ? &node : NULL,
                       .config_gpus = pools,
                       .n_config_gpus = a->config_gpu.n,
                       .has_strategy = a->strategy > 0,
                       .strategy = (mp_strategy)(a->strategy - 1)};
    mp_check_stats st = {0};
    mp_findings f = MP_FINDINGS_INIT;
    mp_configmap *in = calloc((size_t)a->files.n, sizeof(*in));
    int unread = 0;
    for (int i = 0; in && i < a->files.n && rc != EXIT_INTERNAL; i++) {
        int r = check_one(c, db, a->files.v[i], &o, &in[i], &f, &st, &unread);
        rc = r ? r : rc;
    }
    if (!in || (f.oom && rc != EXIT_INTERNAL))
        rc = cli_internal(c, "out of memory");
    mp_findings_filter(&f, ignore, n_ignore, a->strict);
    mp_findings_sort(&f);
    mp_buf b = MP_BUF_INIT;
    if (in)
        report(a, &f, in, unread, &st, cli_color(c, STDOUT_FILENO, a->output),
               &b);
    int wr = in ? cli_write(c, &b, a->output) : 0;
    if (!wr && in && a->summary_markdown)
        wr = append_summary(a, &f, unread, &st);
    int errors = mp_findings_count(&f, MP_SEV_ERROR);
    for (int i = 0; in && i < a->files.n; i++)
        mp_configmap_free(&in[i]);
    free(in);
    mp_findings_free(&f);
    mp_node_free(&node);
    if (wr || rc)
        return wr ? wr : rc;
    return errors ? EXIT_FINDINGS : EXIT_OK;
}

static const cli_choice strategies[] = {
    {"mixed", 1 + MP_STRATEGY_MIXED, NULL},
    {"single", 1 + MP_STRATEGY_SINGLE, "one profile per node"},
    {NULL, 0, NULL},
};

static const cli_choice formats[] = CLI_CHOICES(CHECK_FORMATS);

const cli_command cli_cmd_check = {
    CLI_COMMAND_BINDING("check", check_args),
    .options = CLI_OPTIONS(
        CLI_OPTION_CONFIG(check_args, config, "check only this config"),
        CLI_OPTION_CONFIG_FILE(check_args, files, true),
        CLI_OPTION_GPUS(check_args, gpu,
                        "GPU model(s) of the node, for unfiltered entries"),
        CLI_OPTION_NODE(check_args, node, "the node's GPUs by index"),
        CLI_OPT_LIST(
            check_args, config_gpu, "config-gpu", "P=MODEL", CLI_VALUE_TEXT, 64,
            "configs whose names match the glob P serve MODEL GPUs: their "
            "entries without a device-filter are checked on MODEL "
            "(repeatable; e.g. 'all-*.18gb=h200' per node pool)"),
        CLI_OPT_FLAG(check_args, strict, "strict", "treat warnings as errors"),
        CLI_OPT_CHOICE(check_args, strategy, "strategy", "S", strategies, NULL,
                       "the GPU Operator's mig.strategy: under single a config "
                       "mixing profiles is an error"),
        CLI_OPT_LIST(check_args, ignore, "ignore", "CODE", CLI_VALUE_CODE, 64,
                     "drop findings with this code, or these (a comma list; "
                     "repeatable)"),
        CLI_OPTION_FORMAT(check_args, format, formats, "text"),
        CLI_OPTION_VERBOSE(check_args, verbose, "also print notes"),
        CLI_OPTION_OUTPUT(check_args, output,
                          "write the report to F instead of standard output"),
        CLI_OPT_TEXT(check_args, summary_markdown, "summary-markdown", "F",
                     CLI_VALUE_OUTPUT,
                     "also append a Markdown summary to F (such as "
                     "$GITHUB_STEP_SUMMARY)")),
    .summary = "validate mig-parted config files (for CI)",
    .synopsis =
        "Usage: migplan check FILE... [--config NAME] [--gpu MODEL]...\n"
        "                     [--node FILE] [--strict] [--format F]\n"
        "                     [--summary-markdown F]\n",
    .description =
        "Validate mig-parted config files the way mig-parted reads them "
        "(YAML 1.1, its field rules and error texts), then check what "
        "mig-parted cannot: profile names per GPU model, counts, compute "
        "instances, and whether each layout fits the GPU at all. FILE may "
        "be - for standard input.\n\n"
        "Each entry is checked against the models its device-filter "
        "names; entries without a filter against the --gpu models, or, "
        "with neither, against the models whose profile tables hold all "
        "of its profile names. --node FILE gives the node's GPUs by index "
        "(gpus: [{index: 0, model: h100}, ...]) and checks coverage too.",
    .footer = "Exit status: 0 clean, 1 errors found, 2 unreadable file or bad "
              "usage, 3 internal error.",
    .operands = CLI_OPERANDS(
        {CLI_OPT_ROW(check_args, files, "FILE", CLI_STORE_LIST),
         .value = CLI_VALUE_FILE, .min = 1, .max = CLI_LIST_MAX,
         .missing = "which config file? e.g. `migplan check config.yaml` (- "
                    "reads standard input)",
         .extra = "too many files (at most 256)",
         .env = "MIG_PARTED_CONFIG_FILE"}),
};
