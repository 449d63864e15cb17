/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_script.c - `migplan script`: a mig-parted config as an nvidia-smi
 * setup script for nodes without Kubernetes. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_color.h"
#include "cli_state.h"
#include "migplan/emit/emit_script.h"
#include "migplan/emit/findings_out.h"
#include "migplan/emit/systemd_unit.h"
#include "migplan/script/script.h"

typedef struct script_args {
    const char *config;
    cli_list gpu;
    const char *node;
    bool no_placement;
    const char *systemd; /* --systemd PATH: the boot unit, not the script */
    const char *output;
    const char *file;
    const char *current;   /* --current FILE: a change script from it */
    int current_format;    /* --current-format: an mp_state_format */
    bool allow_disruption; /* may destroy instances in use */
} script_args;

/* The targets of the script: --gpu models or --node. */
typedef struct targets {
    const mp_model *gpus[CLI_LIST_MAX];
    int n;
    mp_node node;
    const mp_node *nodep; /* &node with --node, else NULL */
} targets;

/* The config to script: --config NAME, or the file's only config. */
static int pick_config(cli_ctx *c, const mp_configmap *in, const char *name,
                       const mp_mp_config **out)
{
    *out = NULL;
    int total = 0;
    for (int k = 0; k < in->n; k++) {
        const mp_mp_file *mf = &in->part[k].file;
        total += mf->n_configs;
        if (name) {
            const mp_mp_config *cf = mp_mp_find(mf, name);
            if (cf)
                *out = cf;
        } else if (mf->n_configs == 1) {
            *out = &mf->configs[0];
        }
    }
    if (*out && (name || total == 1))
        return 0;
    mp_buf list = MP_BUF_INIT;
    int shown = 0;
    for (int k = 0; k < in->n; k++) {
        const mp_mp_file *mf = &in->part[k].file;
        for (int i = 0; i < mf->n_configs && shown < 12; i++, shown++)
            mp_buf_printf(&list, "%s%s", shown ? ", " : "",
                          mf->configs[i].name);
    }
    int rc;
    if (name)
        rc = cli_usage_error(c, "%s has no config named '%s'; it has: %s",
                             in->path, name, mp_buf_str(&list));
    else if (total == 0)
        rc = cli_usage_error(c, "%s has no mig-configs", in->path);
    else
        rc = cli_usage_error(c,
                             "%s has %d configs; choose one with --config "
                             "NAME (%s%s)",
                             in->path, total, mp_buf_str(&list),
                             total > shown ? ", ..." : "");
    mp_buf_free(&list);
    return rc;
}

/* Report the check of the config (to stderr: stdout is the script) and
 * pick the config to script; a config with errors gives none. Returns
 * the exit status. */
static int checked_config(cli_ctx *c, const script_args *a,
                          const mp_configmap *in, mp_findings *f,
                          const mp_mp_config **cfg)
{
    mp_findings_sort(f);
    int errors = mp_findings_count(f, MP_SEV_ERROR);
    bool parsed = in->n > 0;
    for (int k = 0; k < in->n; k++)
        parsed &= in->part[k].file.parsed;
    /* which config, before reporting: without --config the findings of
     * every config would bury the one that matters */
    int rc = parsed ? pick_config(c, in, a->config, cfg) : 0;
    if (rc)
        return rc;
    if (f->n > 0) {
        mp_buf rep = MP_BUF_INIT;
        mp_emit_findings_text(f, in, 1, false, &rep);
        cli_put_findings(c, mp_buf_str(&rep), stderr);
        mp_buf_free(&rep);
    }
    if (errors || !*cfg) {
        fprintf(stderr,
                "migplan script: no script: %s has %d error%s (above); fix "
                "them and run again\n",
                in->path, errors, errors == 1 ? "" : "s");
        return EXIT_FINDINGS;
    }
    return 0;
}

/* Say why the config cannot be realised: at its line in in when the
 * diagnostic has one. Returns EXIT_FINDINGS. */
static int unrealisable(const mp_configmap *in, const mp_diag *d)
{
    if (d->line > 0)
        fprintf(stderr, "%s:%d:%d: error: %s\n", in->path, d->line, d->col,
                d->msg);
    else
        fprintf(stderr, "migplan script: %s\n", d->msg);
    return EXIT_FINDINGS;
}

/* Print each line of notes as a note of script. */
static void put_notes(const mp_buf *notes)
{
    for (const char *l = mp_buf_str(notes); *l;) {
        const char *e = strchr(l, '\n');
        int n = e ? (int)(e - l) : (int)strlen(l);
        fprintf(stderr, "migplan script: note: %.*s\n", n, l);
        l += n + (e != NULL);
    }
}

static int write_script(cli_ctx *c, const script_args *a,
                        const mp_configmap *in, const mp_mp_config *cfg,
                        const targets *t)
{
    const mp_db *db;
    cli_db(c, &db);
    mp_script sc;
    memset(&sc, 0, sizeof(sc));
    mp_buf b = MP_BUF_INIT, skipped = MP_BUF_INIT;
    mp_diag d = {0};
    int rc = mp_script_from_config(db, cfg, t->gpus, t->n, t->nodep, &sc,
                                   &skipped, &d);
    put_notes(&skipped);
    if (rc) {
        rc = rc == MP_EINFEASIBLE ? unrealisable(in, &d) : cli_fail(c, &d);
        goto out;
    }
    char source[1200];
    snprintf(source, sizeof(source), "%s (config %s%s%s)", in->path, cfg->name,
             a->node ? ", node " : "", a->node ? a->node : "");
    mp_script_opts so = {.no_placement = a->no_placement, .source = source};
    if (mp_emit_script(&sc, &so, &b, &d) != 0) {
        fprintf(stderr, "migplan script: %s\n", d.msg);
        rc = EXIT_FINDINGS;
        goto out;
    }
    if (a->systemd) {
        /* the unit instead of the script, once the script can be written */
        mp_unit_opts uo = {.script = a->systemd, .source = source};
        mp_buf_reset(&b);
        if (mp_emit_systemd_unit(&uo, &b, &d) != 0) {
            rc = cli_fail(c, &d);
            goto out;
        }
    }
    rc = cli_write(c, &b, a->output);
out:
    mp_script_free(&sc);
    mp_buf_free(&b);
    mp_buf_free(&skipped);
    return rc;
}

/* --current: a change script from the node's state to cfg. */
static int write_change(cli_ctx *c, const script_args *a,
                        const mp_configmap *in, const mp_mp_config *cfg,
                        const targets *t)
{
    const mp_model **models;
    int n_models;
    bool open;
    int rc =
        cli_state_models(c, t->gpus, t->n, t->nodep, &models, &n_models, &open);
    if (rc) {
        free(models);
        return rc;
    }
    cli_inputs src = {0};
    mp_node_state *st = calloc(1, sizeof(*st));
    mp_change_script cs;
    mp_change_script_init(&cs);
    mp_buf notes = MP_BUF_INIT, b = MP_BUF_INIT;
    mp_diag d = {0};
    if (!st) {
        rc = cli_internal(c, "out of memory");
        goto out;
    }
    rc = cli_read_state(c, &src, a->current, a->current_format, models,
                        n_models, open, "the node", st);
    if (rc)
        goto out;
    rc = mp_change_from_config(cfg, st, t->nodep, a->allow_disruption, &cs,
                               &notes, &d);
    cs.placements_known = !st->placements_assumed;
    put_notes(&notes);
    if (rc == MP_EINFEASIBLE) {
        rc = unrealisable(in, &d);
        if (strstr(d.msg, "in use"))
            fprintf(stderr, "migplan script: hint: --allow-disruption "
                            "destroys instances in use when it must\n");
        goto out;
    }
    if (rc) {
        rc = cli_fail(c, &d);
        goto out;
    }
    char source[1200];
    snprintf(source, sizeof(source), "%s (config %s) and the state in %s",
             in->path, cfg->name, a->current);
    mp_script_opts so = {.no_placement = a->no_placement, .source = source};
    if ((rc = mp_emit_change_script(&cs, &so, &b, &d)) != 0) {
        rc = cli_fail(c, &d);
        goto out;
    }
    rc = cli_write(c, &b, a->output);
out:
    if (st)
        mp_node_state_free(st);
    free(st);
    free(models);
    cli_inputs_free(&src);
    mp_change_script_free(&cs);
    mp_buf_free(&notes);
    mp_buf_free(&b);
    return rc;
}

static int run(cli_ctx *c, void *args)
{
    const script_args *a = args;
    mp_diag ud;
    if (a->systemd && mp_unit_check_script(a->systemd, &ud))
        return cli_usage_error(c, "--systemd: %s", ud.msg);
    if (a->current && a->systemd)
        return cli_usage_error(c, "--systemd sets GPUs up at boot, from "
                                  "nothing; a change script (--current) "
                                  "is for a running node: give one of them");
    if ((a->allow_disruption || a->current_format) && !a->current)
        return cli_usage_error(c, "--%s needs --current FILE",
                               a->allow_disruption ? "allow-disruption"
                                                   : "current-format");
    targets t = {.n = a->gpu.n};
    int rc = cli_targets(c, &a->gpu, a->node, t.gpus, &t.node);
    if (rc)
        return rc;
    t.nodep = a->node ? &t.node : NULL;
    const mp_db *db;
    cli_db(c, &db);
    mp_check_opts o = {
        .config = a->config, .gpus = t.gpus, .n_gpus = t.n, .node = t.nodep};
    mp_check_stats st = {0};
    mp_findings f = MP_FINDINGS_INIT;
    mp_configmap in;
    mp_diag d = {0};
    const mp_mp_config *cfg = NULL;
    rc = mp_configmap_load(a->file, &f, &in, &d);
    if (!rc && cli_check_config(db, &in, &o, &f, &st) != 0)
        rc = mp_diag_set(&d, MP_ENOMEM, NULL, 0, 0, "out of memory");
    if (rc)
        rc = cli_fail(c, &d);
    if (!rc && f.oom)
        rc = cli_internal(c, "out of memory");
    if (!rc)
        rc = checked_config(c, a, &in, &f, &cfg);
    if (!rc && a->current)
        rc = write_change(c, a, &in, cfg, &t);
    else if (!rc)
        rc = write_script(c, a, &in, cfg, &t);
    mp_findings_free(&f);
    mp_configmap_free(&in);
    mp_node_free(&t.node);
    return rc;
}

const cli_command cli_cmd_script = {
    CLI_COMMAND_BINDING("script", script_args),
    .options = CLI_OPTIONS(
        CLI_OPTION_CONFIG(
            script_args, config,
            "the config to apply (needed when the file has several)"),
        CLI_OPTION_CONFIG_FILE(script_args, file, false),
        CLI_OPTION_GPUS(script_args, gpu,
                        "the model(s) entries without a device-filter are for"),
        CLI_OPTION_NODE(
            script_args, node,
            "the node's GPUs by index: the script is resolved per GPU now "
            "and stops on a node that differs"),
        CLI_OPT_FLAG(
            script_args, no_placement, "no-placement",
            "create GPU instances without start slots, in an order that "
            "works when the driver picks them (older drivers)"),
        CLI_OPTION_SYSTEMD(
            script_args, systemd,
            "write, instead of the script, a systemd unit that "
            "runs the script installed at PATH at every boot (GPU "
            "instances do not survive a reboot)"),
        CLI_OPT_TEXT(script_args, current, "current", "FILE", CLI_VALUE_FILE,
                     "write a change script from the node's state in FILE "
                     "(nvidia-smi mig -lgi, -lci and nvidia-smi output): it "
                     "keeps what the config still wants, destroys only what "
                     "it must, never an instance in use; also a plan "
                     "written with --format json, or an nvidia-mig-parted "
                     "export"),
        CLI_OPTION_CURRENT_FORMAT(script_args, current_format),
        CLI_OPT_FLAG(script_args, allow_disruption, "allow-disruption",
                     "with --current: destroy instances in use when the "
                     "config cannot be met otherwise (the fewest)"),
        CLI_OPTION_OUTPUT(script_args, output, CLI_OUTPUT_HELP)),
    .summary = "turn a mig-parted config into a safe nvidia-smi script",
    .synopsis = "Usage: migplan script CONFIG.yaml [--config NAME] [--gpu "
                "MODEL... | --node FILE]\n"
                "                      [--no-placement] [--systemd PATH] "
                "[-o FILE]\n"
                "       migplan script CONFIG.yaml [--config NAME] --current "
                "STATE\n"
                "                      [--gpu MODEL | --node FILE] "
                "[--allow-disruption] [-o FILE]\n",
    .description =
        "Write a bash script that gives a node's GPUs the layouts of one "
        "config of a mig-parted file with nvidia-smi: for operators "
        "without Kubernetes and MIG Manager. The config is checked first "
        "with the rules of `migplan check`; a config with errors gives no "
        "script.\n\n"
        "The script applies entries as mig-parted does (a GPU takes the "
        "layout of the last entry that selects it), deciding per GPU when "
        "it runs; it checks every GPU (model, running processes) before "
        "the first change, skips GPUs that already have their layout, "
        "creates GPU instances at explicit start slots in a safe order, "
        "and verifies the result. DRY_RUN=1 in its environment prints the "
        "commands that would change GPUs.\n\n"
        "With --current STATE (what `nvidia-smi mig -lgi`, optionally "
        "`nvidia-smi mig -lci` and the plain `nvidia-smi` view print, in "
        "one file) the script is a change script instead: per GPU of the "
        "state, the layout of its entry that keeps the most existing GPU "
        "instances (same profile, same start slot) and destroys none in "
        "use. The script checks that the node still holds that state, "
        "destroys only the listed GPU instance IDs, creates only the new "
        "instances at their start slots, and verifies; GPUs outside the "
        "change are not touched. DRY_RUN=1 previews every GPU's commands, "
        "then lists every blocker.",
    .footer =
        "Exit status: 0 script written, 1 the config has errors or cannot "
        "be realised, 2 unreadable file or bad usage, 3 internal error.",
    .operands = CLI_OPERANDS(
        {CLI_OPT_ROW(script_args, file, "CONFIG.yaml", CLI_STORE_STRING),
         .value = CLI_VALUE_FILE, .min = 1, .max = 1,
         .missing = "which config? e.g. `migplan script config.yaml --config "
                    "all-1g.10gb --gpu h100`",
         .extra = "one config file at a time",
         .env = "MIG_PARTED_CONFIG_FILE"}),
};
