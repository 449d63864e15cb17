/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_size.c - `migplan size SAMPLES...`: tenants sized from nvidia-smi
 * process samples. */
#include <stddef.h>
#include <stdio.h>

#include "cli.h"
#include "migplan/emit/emit_sizing.h"
#include "migplan/model/sizing.h"
#include "migplan/readers/smi_reader.h"

typedef struct size_args {
    int p_milli;        /* --percentile, thousandths */
    int headroom_milli; /* --headroom, thousandths of a percent */
    int by;             /* mp_size_by; MP_SIZE_BY_AUTO unless --by */
    const char *columns;
    const char *output;
    cli_list files;
} size_args;

/* Load every file, size the tenants and write them; returns the exit
 * status. */
static int size(cli_ctx *c, const size_args *a, const mp_smi_layout *layout)
{
    mp_size_opts o = {.p_milli = a->p_milli,
                      .headroom_milli = a->headroom_milli,
                      .by = (mp_size_by)a->by};
    mp_proc_samples s = {0};
    mp_sizing z = {0};
    cli_inputs in = {.n = 0};
    mp_diag d = {0};
    int rc = 0;
    for (int i = 0; i < a->files.n && !rc; i++) {
        const mp_input *f;
        rc = cli_input(&in, a->files.v[i], "nvidia-smi CSV output", &f, &d);
        if (!rc)
            rc = mp_smi_parse(f->text, f->len, f->shown, layout, &s, &d);
    }
    if (!rc)
        rc = mp_size_tenants(&s, &o, &z, &d);
    if (rc) {
        rc = cli_fail_in(c, &in, &d);
    } else {
        mp_buf b = MP_BUF_INIT;
        mp_emit_sizing(&z, &s, &o, &b);
        rc = cli_write(c, &b, a->output);
    }
    mp_sizing_free(&z);
    mp_proc_samples_free(&s);
    cli_inputs_free(&in);
    return rc;
}

static int run(cli_ctx *c, void *args)
{
    const size_args *a = args;
    mp_smi_layout layout;
    char why[300];
    if (a->columns &&
        mp_smi_layout_parse(a->columns, &layout, why, sizeof(why)))
        return cli_usage_error(c, "--columns: %s", why);
    return size(c, a, a->columns ? &layout : NULL);
}

static const cli_choice by_choices[] = {
    {"name", MP_SIZE_BY_NAME, NULL},
    {"pid", MP_SIZE_BY_PID, NULL},
    {NULL, 0, NULL},
};

const cli_command cli_cmd_size = {
    CLI_COMMAND_BINDING("size", size_args),
    .options = CLI_OPTIONS(
        CLI_OPTION_PERCENTILE(size_args, p_milli,
                              "the percentile of the samples, 0 < P <= 100",
                              "--percentile takes a number above 0 and at most "
                              "100 (three decimals at most), not '%s'"),
        CLI_OPTION_HEADROOM(size_args, headroom_milli),
        CLI_OPT_CHOICE(
            size_args, by, "by", "name|pid", by_choices, NULL,
            "one tenant per process name (default, when the samples have "
            "process_name) or per pid",
            .bad = "--by takes name or pid, not '%s'"),
        CLI_OPT_TEXT(
            size_args, columns, "columns", "LIST", CLI_VALUE_TEXT,
            "the fields of samples without a header line, as given to "
            "--query-compute-apps (default: guessed from the first line in "
            "nvidia-smi's field order)"),
        CLI_OPTION_OUTPUT(size_args, output, CLI_OUTPUT_HELP)),
    .operands = CLI_OPERANDS(
        CLI_OPERAND_FILES(size_args, files, "SAMPLES", CLI_LIST_MAX,
                          "which samples? e.g. `nvidia-smi "
                          "--query-compute-apps=pid,process_name,used_memory "
                          "--format=csv | migplan size -`",
                          "more than 256 sample files; concatenate them")),
    .summary = "size tenants from nvidia-smi process samples",
    .synopsis = "Usage: migplan size SAMPLES... [--percentile P] [--headroom "
                "PCT]\n"
                "                    [--by name|pid] [--columns LIST] [-o "
                "FILE]\n",
    .description =
        "Write the tenants section of a plan request from memory measured "
        "under real load. SAMPLES are the output of\n\n"
        "  nvidia-smi --query-compute-apps=timestamp,pid,process_name,"
        "used_memory \\\n"
        "    --format=csv -l 60\n\n"
        "(with or without header and units, one report or a log, any of "
        "the fields; - reads standard input). One tenant per process name: "
        "memory is the P-th percentile of its samples (nearest rank) plus "
        "the headroom, rounded up to a MiB; replicas the most processes of "
        "that name in one report. Names become tenant names: the program "
        "without arguments and path, lower case, other characters as '-', "
        "at most 63; a name taken gets -2, -3, ...",
    .footer = "Exit status: 0 written, 2 unreadable or malformed samples or "
              "bad usage, 3 internal error.",
};
