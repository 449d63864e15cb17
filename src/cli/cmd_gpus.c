/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_gpus.c - `migplan gpus`: every GPU model in the profile database. */
#include <stddef.h>

#include "cli.h"
#include "migplan/emit/model_table.h"

typedef struct gpus_args {
    int format; /* cli_table_format */
    const char *output;
} gpus_args;

static int run(cli_ctx *c, void *args)
{
    const gpus_args *a = args;
    const mp_db *db;
    int r = cli_db(c, &db);
    if (r)
        return r;
    mp_buf b = MP_BUF_INIT;
    if (a->format == CLI_FORMAT_JSON)
        mp_emit_gpus_json(db, &b);
    else
        mp_emit_gpus_table(db, &b);
    return cli_write(c, &b, a->output);
}

const cli_command cli_cmd_gpus = {
    CLI_COMMAND_BINDING("gpus", gpus_args),
    .options = CLI_OPTIONS(
        CLI_OPTION_FORMAT(gpus_args, format, cli_table_formats, "table"),
        CLI_OPTION_OUTPUT(gpus_args, output, CLI_OUTPUT_HELP)),
    .summary = "list the GPU models in the profile database",
    .synopsis = "Usage: migplan gpus [--format table|json] [-o FILE]\n",
    .description =
        "List every GPU model migplan knows: id, nvidia-smi name, PCI "
        "device IDs, memory, MIG slot layout (memory slices x compute "
        "slices), number of profiles, and whether all of its numbers are "
        "confirmed from real nvidia-smi output or NVIDIA documentation. "
        "Any id, alias, PCI ID or nvidia-smi name shown here is accepted "
        "wherever a model is asked for.",
    .common = CLI_SHOW_PROFILES,
};
