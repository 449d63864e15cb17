/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_import_profiles.c - `migplan import-profiles FILE...`: a profile file
 * from what nvidia-smi printed on one GPU. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "migplan/emit/profile_writer.h"
#include "migplan/readers/nvsmi_import.h"
#include "migplan/readers/nvsmi_profiles.h"

#define MAX_FILES 64

typedef struct import_args {
    const char *gpu;
    const char *output;
    cli_list files;
} import_args;

/* Read every file into cap, keeping the texts in `in` to quote the line
 * of an error found later; on failure prints it and returns the exit
 * status. */
static int read_inputs(cli_ctx *c, const import_args *a, cli_inputs *in,
                       mp_nvsmi_capture *cap)
{
    mp_diag d = {0};
    int rc = 0;
    for (int i = 0; i < a->files.n && !rc; i++) {
        const mp_input *s;
        rc = cli_input(in, a->files.v[i], "nvidia-smi output", &s, &d);
        if (!rc)
            rc = mp_nvsmi_read_profiles(cap, s->text, s->len, s->shown, &d);
    }
    return rc ? cli_fail_in(c, in, &d) : 0;
}

/* The written file must load: a last check of everything the loader checks
 * (counts against placements, compute-instance fits, ...). */
static int verify(cli_ctx *c, const mp_buf *b)
{
    mp_db *db = NULL;
    mp_diag d = {0};
    int rc = mp_db_new(&db, &d);
    if (!rc)
        rc = mp_db_load_text(db, b->data, b->len, "<imported>", &d);
    mp_db_free(db);
    if (rc == MP_ENOMEM)
        return cli_internal(c, "out of memory");
    if (rc)
        fprintf(stderr,
                "migplan import-profiles: the tables do not make a valid "
                "profile file: %s\n",
                d.msg);
    return rc ? EXIT_USAGE : 0;
}

static void header(const mp_import *imp, mp_buf *b)
{
    const mp_model *m = &imp->model;
    char text[600];
    snprintf(text, sizeof(text),
             "%s (0x%08X), MIG profiles imported from nvidia-smi output by\n"
             "`migplan import-profiles` (GPU %d, driver %s). Values marked "
             "inferred\nare not in that output%s. Compare: migplan profiles "
             "--diff THIS-FILE",
             m->name, m->pci_ids[0], imp->gpu, m->memory_driver,
             imp->base ? "; they come from migplan's shipped table" : "");
    mp_profile_write(m, text, b);
}

/* Build the model from the capture; on failure prints why (at its line
 * when it has one) and returns the exit status. */
static int import(cli_ctx *c, const import_args *a, const cli_inputs *in,
                  const mp_nvsmi_capture *cap, mp_import *imp)
{
    const mp_db *db;
    int r = cli_db(c, &db);
    if (r)
        return r;
    mp_diag d = {0};
    if (mp_nvsmi_import(cap, db, a->gpu, imp, &d) == 0)
        return 0;
    if (d.file[0] || cli_exit_code(d.code) == EXIT_INTERNAL)
        return cli_fail_in(c, in, &d);
    fprintf(stderr, "migplan import-profiles: %s\n", d.msg);
    return EXIT_USAGE;
}

static int run(cli_ctx *c, void *args)
{
    const import_args *a = args;
    cli_inputs in = {.n = 0};
    mp_nvsmi_capture cap = {0};
    mp_import imp;
    memset(&imp, 0, sizeof(imp));
    mp_buf b = MP_BUF_INIT;
    int r = read_inputs(c, a, &in, &cap);
    if (!r)
        r = import(c, a, &in, &cap, &imp);
    if (r)
        goto out;
    header(&imp, &b);
    if ((r = verify(c, &b)) == 0)
        r = cli_write(c, &b, a->output);
    if (!r && a->output)
        fprintf(stderr,
                "migplan import-profiles: wrote %s: %d profiles of %s; "
                "compare: migplan profiles --diff %s\n",
                a->output, imp.model.n_profiles, imp.model.name, a->output);
out:
    mp_buf_free(&b);
    mp_import_free(&imp);
    mp_nvsmi_capture_free(&cap);
    cli_inputs_free(&in);
    return r;
}

const cli_command cli_cmd_import_profiles = {
    CLI_COMMAND_BINDING("import-profiles", import_args),
    .options = CLI_OPTIONS(
        CLI_OPTION_GPU(
            import_args, gpu,
            "the model the output is of, when there is no --query-gpu "
            "output"),
        CLI_OPTION_OUTPUT(import_args, output, CLI_OUTPUT_HELP)),
    .operands = CLI_OPERANDS(
        CLI_OPERAND_FILES(import_args, files, "FILE", MAX_FILES,
                          "give the files that hold nvidia-smi's output, e.g. "
                          "`nvidia-smi mig -lgip > lgip.txt`",
                          "more than 64 files")),
    .summary = "write a profile file from a GPU's nvidia-smi output",
    .synopsis = "Usage: migplan import-profiles FILE... [--gpu MODEL] [-o "
                "FILE]\n",
    .description =
        "Read what nvidia-smi printed on one GPU and write it as a profile "
        "file for `migplan --profiles DIR` (or for profiles/ upstream):\n\n"
        "  nvidia-smi mig -lgip                          (required)\n"
        "  nvidia-smi mig -lgipp                         (required)\n"
        "  nvidia-smi mig -lcip -gi ID                   (optional, per GPU "
        "instance)\n"
        "  nvidia-smi --query-gpu=name,pci.device_id,memory.total,"
        "driver_version\n"
        "             --format=csv                       (names the GPU)\n\n"
        "in one file or several, with or without the command lines; - "
        "reads standard input. Anything else is an error at its line. What "
        "the MIG output does not show is taken from the shipped model of "
        "the same PCI ID and marked inferred. Compare the result with the "
        "shipped table:\n\n"
        "  migplan profiles --diff FILE",
    .common = CLI_SHOW_PROFILES,
};
