/* cmd_profiles.c - `migplan profiles MODEL`: one model's profile table. */
#include <stddef.h>

#include "cli.h"
#include "migplan/emit/model_table.h"

typedef enum profiles_format {
    PROFILES_FORMAT_TABLE,
    PROFILES_FORMAT_JSON
} profiles_format;

typedef struct profiles_args {
    int format; /* profiles_format */
    const char *output;
    bool sources;
    const char *model;
} profiles_args;

static int run(cli_ctx *c, void *args)
{
    const profiles_args *a = args;
    const mp_model *m;
    int r = cli_model(c, a->model, &m);
    if (r)
        return r;
    mp_buf b = MP_BUF_INIT;
    if (a->format == PROFILES_FORMAT_JSON)
        mp_emit_profiles_json(m, &b);
    else
        mp_emit_profiles_table(m, a->sources, &b);
    return cli_write(c, &b, a->output);
}

static const cli_choice formats[] = {
    {"table", PROFILES_FORMAT_TABLE, NULL},
    {"json", PROFILES_FORMAT_JSON, NULL},
    {NULL, 0, NULL},
};

#define ARG(f) offsetof(profiles_args, f)

static const cli_option options[] = {
    CLI_OPTION_FORMAT(profiles_args, format, formats, "table"),
    {.name = "sources",
     .store = CLI_STORE_TRUE,
     .offset = ARG(sources),
     .help = "also list every source the numbers come from"},
    CLI_OPTION_OUTPUT(profiles_args, output,
                      "write to F (atomically) instead of standard output"),
    {.name = NULL},
};

static const cli_operand operands[] = {
    CLI_OPERAND_MODEL(profiles_args, model,
                      "which GPU model? e.g. `migplan profiles h100` (`migplan "
                      "gpus` lists them)",
                      "unexpected argument '%s'; give one MODEL"),
    {.name = NULL},
};

const cli_command cli_cmd_profiles = {
    .name = "profiles",
    .run = run,
    .args_size = sizeof(profiles_args),
    .summary = "show a model's MIG profiles and placements",
    .synopsis = "Usage: migplan profiles MODEL [--format table|json] "
                "[--sources] [-o FILE]\n",
    .description =
        "Show every GPU-instance profile of MODEL: nvidia-smi profile ID, "
        "compute slices (C), memory slices (M), memory, SMs, engines, max "
        "instances and the start slots it may be placed at, as "
        "`nvidia-smi mig -lgipp` prints them ({0,2,4}:2 = starts 0, 2 or "
        "4, two slices long). Values marked ? are inferred, with the "
        "reason listed under the table.\n\n"
        "MODEL is an id, alias, PCI device ID (0x233010DE) or nvidia-smi "
        "name.",
    .options = options,
    .operands = operands,
    .common = CLI_SHOW_PROFILES,
};
