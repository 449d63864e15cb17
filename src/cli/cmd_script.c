/* cmd_script.c - `migplan script`: a mig-parted config as an nvidia-smi
 * setup script for nodes without Kubernetes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "migplan/emit/emit_lp.h"
#include "migplan/emit/emit_plan.h"
#include "migplan/emit/emit_script.h"
#include "migplan/emit/migparted_writer.h"
#include "migplan/emit/systemd_unit.h"
#include "migplan/readers/node_reader.h"
#include "migplan/script/script.h"

static const char usage[] =
    "Usage: migplan script CONFIG.yaml [--config NAME] [--gpu MODEL... | "
    "--node FILE]\n"
    "                      [--no-placement] [-o FILE]\n"
    "\n"
    "Write a bash script that gives a node's GPUs the layouts of one config "
    "of a\n"
    "mig-parted file with nvidia-smi: for operators without Kubernetes and "
    "MIG\n"
    "Manager. The config is checked first with the rules of `migplan "
    "check`;\n"
    "a config with errors gives no script.\n"
    "\n"
    "The script applies entries as mig-parted does (a GPU takes the layout "
    "of\n"
    "the last entry that selects it), deciding per GPU when it runs; it "
    "checks\n"
    "every GPU (model, running processes) before the first change, skips "
    "GPUs\n"
    "that already have their layout, creates GPU instances at explicit "
    "start\n"
    "slots in a safe order, and verifies the result. DRY_RUN=1 in its\n"
    "environment prints the commands that would change GPUs.\n"
    "\n"
    "  --config NAME     the config to apply (needed when the file has "
    "several)\n"
    "  --gpu MODEL       the model(s) entries without a device-filter are "
    "for\n"
    "  --node FILE       the node's GPUs by index: the script is resolved "
    "per\n"
    "                    GPU now and stops on a node that differs\n"
    "  --no-placement    create GPU instances without start slots, in an "
    "order\n"
    "                    that works when the driver picks them (older "
    "drivers)\n"
    "  --systemd PATH    write, instead of the script, a systemd unit that "
    "runs\n"
    "                    the script installed at PATH at every boot (GPU\n"
    "                    instances do not survive a reboot)\n"
    "  -o, --output F    write to F (atomically) instead of standard output\n"
    "\n"
    "Exit status: 0 script written, 1 the config has errors or cannot be\n"
    "realised, 2 unreadable file or bad usage.\n";

enum {
    OPT_CONFIG = 1,
    OPT_GPU,
    OPT_NODE,
    OPT_NO_PLACEMENT,
    OPT_OUTPUT,
    OPT_SYSTEMD
};

/* The config to script: --config NAME, or the file's only config. */
static int pick_config(cli_ctx *c, const cli_input *in, const char *name,
                       const mp_mp_config **out)
{
    *out = NULL;
    int total = 0;
    for (int k = 0; k < in->nfile; k++) {
        const mp_mp_file *mf = &in->file[k];
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
    for (int k = 0; k < in->nfile; k++)
        for (int i = 0; i < in->file[k].n_configs && shown < 12; i++, shown++)
            mp_buf_printf(&list, "%s%s", shown ? ", " : "",
                          in->file[k].configs[i].name);
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

int cmd_script(cli_ctx *c, int argc, char **argv)
{
    static const cli_opt opts[] = {{"config", 'c', true, OPT_CONFIG},
                                   {"gpu", 0, true, OPT_GPU},
                                   {"node", 0, true, OPT_NODE},
                                   {"no-placement", 0, false, OPT_NO_PLACEMENT},
                                   {"output", 'o', true, OPT_OUTPUT},
                                   {"systemd", 0, true, OPT_SYSTEMD},
                                   CLI_COMMON_OPTS,
                                   {NULL, 0, false, 0}};
    cli_parser p = {argc, argv, 1, false, usage};
    int id, r;
    const char *arg, *file = NULL, *config = NULL, *node_path = NULL,
                     *out = NULL, *systemd = NULL;
    const char *gpu_names[64];
    int ngpu = 0;
    bool no_placement = false;
    while ((r = cli_next(c, &p, opts, &id, &arg)) != CLI_END) {
        if (r < 0)
            return r == CLI_HELP ? EXIT_OK : EXIT_USAGE;
        if (r == CLI_POSITIONAL) {
            if (file)
                return cli_usage_error(c, "one config file at a time");
            file = arg;
            continue;
        }
        switch (id) {
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
        case OPT_NO_PLACEMENT:
            no_placement = true;
            break;
        case OPT_OUTPUT:
            out = arg;
            break;
        case OPT_SYSTEMD:
            systemd = arg;
            break;
        }
    }
    mp_diag ud;
    if (systemd && mp_unit_check_script(systemd, &ud))
        return cli_usage_error(c, "--systemd: %s", ud.msg);
    if (!file)
        return cli_usage_error(c, "which config? e.g. `migplan script "
                                  "config.yaml --config all-1g.10gb --gpu "
                                  "h100`");
    const mp_model *gpus[64];
    mp_node node;
    if ((r = cli_targets(c, gpu_names, ngpu, node_path, gpus, &node)) != 0)
        return r;
    const mp_db *db;
    cli_db(c, &db);
    mp_diag d;
    mp_diag_clear(&d);
    cli_input in;
    memset(&in, 0, sizeof(in));
    in.path = strcmp(file, "-") == 0 ? "<stdin>" : file;
    if (mp_read_file(file, mp_ylimits_default.max_bytes, &in.text, &in.len,
                     &d) != 0) {
        cli_print_diag(&d);
        mp_node_free(&node);
        return EXIT_USAGE;
    }
    mp_check_opts o = {.config = config,
                       .gpus = gpus,
                       .n_gpus = ngpu,
                       .node = node_path ? &node : NULL};
    mp_check_stats st = {0};
    mp_findings f = MP_FINDINGS_INIT;
    mp_buf b = MP_BUF_INIT, skipped = MP_BUF_INIT;
    int exit_code = EXIT_OK;
    const mp_mp_config *cfg = NULL;
    mp_script sc;
    memset(&sc, 0, sizeof(sc));
    if (cli_input_check(db, &in, &o, &f, &st) != 0) {
        fprintf(stderr, "migplan script: out of memory\n");
        exit_code = EXIT_USAGE;
        goto done;
    }
    mp_findings_sort(&f);
    int errors = mp_findings_count(&f, MP_SEV_ERROR);
    bool parsed = in.nfile > 0;
    for (int k = 0; k < in.nfile; k++)
        parsed &= in.file[k].parsed;
    /* which config, before reporting: without --config the findings of
     * every config would bury the one that matters */
    if (parsed && (exit_code = pick_config(c, &in, config, &cfg)) != 0)
        goto done;
    if (f.n > 0) {
        /* the check's report goes to stderr: stdout is the script */
        mp_buf rep = MP_BUF_INIT;
        cli_text_report(&f, &in, 1, false, &rep);
        fputs(mp_buf_str(&rep), stderr);
        mp_buf_free(&rep);
    }
    if (errors || !cfg) {
        fprintf(stderr,
                "migplan script: no script: %s has %d error%s (above); fix "
                "them and run again\n",
                in.path, errors, errors == 1 ? "" : "s");
        exit_code = EXIT_FINDINGS;
        goto done;
    }
    if (mp_script_from_config(db, cfg, gpus, ngpu, node_path ? &node : NULL,
                              &sc, &skipped, &d) != 0) {
        if (d.code == MP_EINFEASIBLE) {
            if (d.line > 0)
                fprintf(stderr, "%s:%d:%d: error: %s\n", in.path, d.line, d.col,
                        d.msg);
            else
                fprintf(stderr, "migplan script: %s\n", d.msg);
            exit_code = EXIT_FINDINGS;
        } else {
            cli_print_diag(&d);
            exit_code = EXIT_USAGE;
        }
        goto done;
    }
    for (const char *l = mp_buf_str(&skipped); *l;) {
        const char *e = strchr(l, '\n');
        int n = e ? (int)(e - l) : (int)strlen(l);
        fprintf(stderr, "migplan script: note: %.*s\n", n, l);
        l += n + (e != NULL);
    }
    char source[1200];
    snprintf(source, sizeof(source), "%s (config %s%s%s)", in.path, cfg->name,
             node_path ? ", node " : "", node_path ? node_path : "");
    mp_script_opts so = {.no_placement = no_placement, .source = source};
    if (mp_emit_script(&sc, &so, &b, &d) != 0) {
        fprintf(stderr, "migplan script: %s\n", d.msg);
        exit_code = EXIT_FINDINGS;
        goto done;
    }
    if (systemd) {
        /* the unit instead of the script, once the script can be written */
        mp_unit_opts uo = {.script = systemd, .source = source};
        mp_buf_reset(&b);
        if (mp_emit_systemd_unit(&uo, &b, &d) != 0) {
            cli_print_diag(&d);
            exit_code = EXIT_USAGE;
            goto done;
        }
    }
    exit_code = cli_write(c, &b, out);
done:
    mp_script_free(&sc);
    mp_buf_free(&b);
    mp_buf_free(&skipped);
    mp_findings_free(&f);
    cli_input_free(&in);
    mp_node_free(&node);
    return exit_code;
}
