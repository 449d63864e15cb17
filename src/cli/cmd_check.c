/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_check.c - `migplan check`: validate mig-parted configs for CI. */
#include <stddef.h>
#include <stdlib.h>

#include "cli.h"
#include "migplan/emit/findings_out.h"

typedef enum check_format {
    CHECK_FORMAT_TEXT,
    CHECK_FORMAT_JSON,
    CHECK_FORMAT_GITHUB
} check_format;

typedef struct check_args {
    int format; /* check_format */
    const char *output;
    const char *config;
    cli_list gpu;
    const char *node;
    bool strict;
    int strategy; /* 0: not given, else 1 + mp_strategy */
    cli_list ignore;
    bool verbose;
    cli_list files;
} check_args;

/* Read and check one file. A file over the size limit is a finding; one
 * that cannot be read is reported and counted in *unread. Returns the exit
 * status so far. */
static int check_one(cli_ctx *c, const mp_db *db, const char *path,
                     const mp_check_opts *o, mp_configmap *in, mp_findings *f,
                     mp_check_stats *st, int *unread)
{
    mp_diag d;
    mp_diag_clear(&d);
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
                   mp_buf *b)
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
        break;
    }
}

static int run(cli_ctx *c, void *args)
{
    const check_args *a = args;
    const mp_model *gpus[CLI_LIST_MAX];
    mp_node node;
    const mp_db *db;
    int rc = cli_targets(c, &a->gpu, a->node, gpus, &node);
    if (rc || (rc = cli_db(c, &db)) != 0)
        return rc;
    mp_check_opts o = {.config = a->config,
                       .gpus = gpus,
                       .n_gpus = a->gpu.n,
                       .node = a->node ? &node : NULL,
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
    mp_findings_filter(&f, a->ignore.v, a->ignore.n, a->strict);
    mp_findings_sort(&f);
    mp_buf b = MP_BUF_INIT;
    if (in)
        report(a, &f, in, unread, &st, &b);
    int wr = in ? cli_write(c, &b, a->output) : 0;
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

static const cli_choice formats[] = {
    {"text", CHECK_FORMAT_TEXT, NULL},
    {"json", CHECK_FORMAT_JSON, NULL},
    {"github", CHECK_FORMAT_GITHUB, "annotations"},
    {NULL, 0, NULL},
};

#define ARG(f) offsetof(check_args, f)

static const cli_option options[] = {
    CLI_OPTION_CONFIG(check_args, config, "check only this config"),
    CLI_OPTION_GPUS(check_args, gpu,
                    "GPU model(s) of the node, for unfiltered entries"),
    CLI_OPTION_NODE(check_args, node, "the node's GPUs by index"),
    {.name = "strict",
     .store = CLI_STORE_TRUE,
     .offset = ARG(strict),
     .help = "treat warnings as errors"},
    {.name = "strategy",
     .store = CLI_STORE_CHOICE,
     .offset = ARG(strategy),
     .value_name = "S",
     .value = CLI_VALUE_CHOICE,
     .choices = strategies,
     .help = "the GPU Operator's mig.strategy: under single a config "
             "mixing profiles is an error"},
    {.name = "ignore",
     .store = CLI_STORE_LIST,
     .offset = ARG(ignore),
     .value_name = "CODE",
     .value = CLI_VALUE_CODE,
     .help = "drop findings with this code (repeatable)",
     .max = 64},
    CLI_OPTION_FORMAT(check_args, format, formats, "text"),
    {.name = "verbose",
     .short_name = 'v',
     .store = CLI_STORE_TRUE,
     .offset = ARG(verbose),
     .help = "also print notes"},
    CLI_OPTION_OUTPUT(check_args, output,
                      "write the report to F instead of standard output"),
    {.name = NULL},
};

static const cli_operand operands[] = {
    CLI_OPERAND_FILES(check_args, files, "FILE", CLI_LIST_MAX,
                      "which config file? e.g. `migplan check config.yaml` (- "
                      "reads standard input)",
                      "too many files (at most 256)"),
    {.name = NULL},
};

const cli_command cli_cmd_check = {
    .name = "check",
    .run = run,
    .args_size = sizeof(check_args),
    .summary = "validate mig-parted config files (for CI)",
    .synopsis =
        "Usage: migplan check FILE... [--config NAME] [--gpu MODEL]...\n"
        "                     [--node FILE] [--strict] [--format "
        "text|json|github]\n",
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
    .options = options,
    .operands = operands,
};
