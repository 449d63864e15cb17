/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_profiles.c - `migplan profiles MODEL`: one model's profile table,
 * or how a profile file differs from it (--diff). */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include <unistd.h>

#include "cli.h"
#include "cli_color.h"
#include "migplan/emit/model_table.h"
#include "migplan/model/profile_diff.h"
#include "migplan/yaml/ydoc.h"

typedef struct profiles_args {
    int format; /* cli_table_format */
    const char *output;
    bool sources;
    const char *diff; /* --diff FILE */
    const char *model;
} profiles_args;

#define MISSING_MODEL                                                          \
    "which GPU model? e.g. `migplan profiles h100` (`migplan gpus` lists "     \
    "them)"

/* Load the one model of profile file path into a database of its own. */
static int load_other(const char *path, mp_db **db, mp_diag *d)
{
    char *text = NULL;
    size_t len = 0;
    int rc = mp_read_file(path, mp_ylimits_default.max_bytes, &text, &len, d);
    if (!rc)
        rc = mp_db_new(db, d);
    if (!rc)
        rc = mp_db_load_text(*db, text, len, path, d);
    free(text);
    return rc;
}

/* `--diff FILE`: exit 0 when FILE agrees with the model (by default the
 * model of FILE's id, else of its PCI ID), 1 when not. */
static int diff(cli_ctx *c, const profiles_args *a)
{
    const char *model = a->model, *path = a->diff;
    mp_db *odb = NULL;
    mp_diag d = {0};
    int r;
    mp_buf b = MP_BUF_INIT;
    if (load_other(path, &odb, &d) != 0) {
        r = cli_fail(c, &d);
        goto out;
    }
    const mp_model *o = mp_db_model(odb, 0), *m;
    char pci[16];
    snprintf(pci, sizeof(pci), "0x%08X", o->pci_ids[0]);
    const mp_db *db;
    if ((r = cli_db(c, &db)) != 0)
        goto out;
    if (!model && mp_db_find(db, o->id, &m, &d) != 0)
        model = pci;
    if ((r = cli_model(c, model ? model : o->id, &m)) != 0)
        goto out;
    mp_buf_printf(&b, "%s (%s; profile sizes of driver %s)\n", m->id, m->file,
                  m->memory_driver);
    mp_buf_printf(&b, "against %s (%s; profile sizes of driver %s):\n", path,
                  o->name, o->memory_driver);
    mp_diff_count n = mp_model_diff(m, o, &b);
    if (cli_color(c, STDOUT_FILENO, a->output)) {
        mp_buf plain = b;
        b = (mp_buf)MP_BUF_INIT;
        cli_paint_diff(mp_buf_str(&plain), &b);
        mp_buf_free(&plain);
    }
    r = cli_write(c, &b, a->output);
    if (!r && n.differ)
        r = EXIT_FINDINGS;
out:
    mp_buf_free(&b);
    mp_db_free(odb);
    return r;
}

static int run(cli_ctx *c, void *args)
{
    const profiles_args *a = args;
    if (a->diff)
        return diff(c, a);
    if (!a->model)
        return cli_usage_error(c, MISSING_MODEL);
    const mp_db *db;
    int r = cli_db(c, &db);
    if (r)
        return r;
    /* by PCI ID or nvidia-smi name: the table names that product */
    const mp_model *m;
    const mp_device *dev = NULL;
    mp_diag d = {0};
    if (mp_db_find_device(db, a->model, &m, &dev, &d) != 0) {
        fprintf(stderr, "migplan %s: %s\n", c->cmd, d.msg);
        return EXIT_USAGE;
    }
    mp_buf b = MP_BUF_INIT;
    if (a->format == CLI_FORMAT_JSON)
        mp_emit_profiles_json(m, &b);
    else
        mp_emit_profiles_table(m, dev, a->sources, &b);
    return cli_write(c, &b, a->output);
}

const cli_command cli_cmd_profiles = {
    CLI_COMMAND_BINDING("profiles", profiles_args),
    .options = CLI_OPTIONS(
        CLI_OPTION_FORMAT(profiles_args, format, cli_table_formats, "table"),
        CLI_OPT_FLAG(profiles_args, sources, "sources",
                     "also list every source the numbers come from"),
        CLI_OPT_TEXT(
            profiles_args, diff, "diff", "FILE", CLI_VALUE_FILE,
            "compare with the profile file FILE instead (exit 1 when they "
            "differ)"),
        CLI_OPTION_OUTPUT(profiles_args, output, CLI_OUTPUT_HELP)),
    .summary = "show a model's MIG profiles and placements",
    .synopsis = "Usage: migplan profiles MODEL [--format table|json] "
                "[--sources] [-o FILE]\n"
                "       migplan profiles [MODEL] --diff FILE\n",
    .description =
        "Show every GPU-instance profile of MODEL: nvidia-smi profile ID, "
        "compute slices (C), memory slices (M), memory, SMs, engines, max "
        "instances and the start slots it may be placed at, as "
        "`nvidia-smi mig -lgipp` prints them ({0,2,4}:2 = starts 0, 2 or "
        "4, two slices long). Values marked ? are inferred, with the "
        "reason listed under the table.\n\n"
        "MODEL is an id, alias, PCI device ID (0x233010DE) or nvidia-smi "
        "name.\n\n"
        "--diff FILE compares MODEL (by default the model of FILE's id or "
        "PCI ID) with the profile file FILE, e.g. one `migplan "
        "import-profiles` wrote on a real GPU: every value that differs, "
        "and every inferred value FILE confirms. Exit status 1 when they "
        "differ.",
    .operands =
        CLI_OPERANDS(/* none with --diff FILE: the model of FILE */
                     CLI_OPERAND(profiles_args, model, "MODEL",
                                 CLI_STORE_STRING, CLI_VALUE_MODEL, 0, 1,
                                 MISSING_MODEL,
                                 "unexpected argument '%s'; give one MODEL")),
    .common = CLI_SHOW_PROFILES,
};
