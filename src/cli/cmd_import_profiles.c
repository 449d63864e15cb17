/* cmd_import_profiles.c - `migplan import-profiles FILE...`: a profile file
 * from what nvidia-smi printed on one GPU. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "migplan/emit/profile_writer.h"
#include "migplan/readers/nvsmi_import.h"
#include "migplan/readers/nvsmi_profiles.h"
#include "migplan/yaml/ydoc.h"

static const char usage[] =
    "Usage: migplan import-profiles FILE... [--gpu MODEL] [-o FILE]\n"
    "\n"
    "Read what nvidia-smi printed on one GPU and write it as a profile file\n"
    "for `migplan --profiles DIR` (or for profiles/ upstream):\n"
    "  nvidia-smi mig -lgip                          (required)\n"
    "  nvidia-smi mig -lgipp                         (required)\n"
    "  nvidia-smi mig -lcip -gi ID                   (optional, per GPU "
    "instance)\n"
    "  nvidia-smi --query-gpu=name,pci.device_id,memory.total,driver_version\n"
    "             --format=csv                       (names the GPU)\n"
    "in one file or several, with or without the command lines; - reads\n"
    "standard input. Anything else is an error at its line. What the MIG\n"
    "output does not show is taken from the shipped model of the same PCI\n"
    "ID and marked inferred. Compare the result with the shipped table:\n"
    "  migplan profiles --diff FILE\n"
    "\n"
    "  --gpu MODEL    the model the output is of, when there is no\n"
    "                 --query-gpu output\n"
    "  -o, --output F write to F (atomically) instead of standard output\n"
    "  --profiles DIR also load the profile files in DIR\n";

enum { OPT_GPU = 1, OPT_OUTPUT };

#define MAX_FILES 64

static int read_inputs(const char *const *files, int n, mp_nvsmi_capture *cap)
{
    for (int i = 0; i < n; i++) {
        char *text = NULL;
        size_t len = 0;
        mp_diag d;
        mp_diag_clear(&d);
        int rc = mp_read_file(files[i], mp_ylimits_default.max_bytes, &text,
                              &len, &d);
        if (!rc)
            rc = mp_nvsmi_read_profiles(cap, text, len, files[i], &d);
        if (rc) {
            cli_print_diag(&d);
            free(text);
            return EXIT_USAGE;
        }
        free(text);
    }
    return 0;
}

/* The written file must load: a last check of everything the loader checks
 * (counts against placements, compute-instance fits, ...). */
static int verify(const mp_buf *b)
{
    mp_db *db = NULL;
    mp_diag d;
    mp_diag_clear(&d);
    int rc = mp_db_new(&db, &d);
    if (!rc)
        rc = mp_db_load_text(db, b->data, b->len, "<imported>", &d);
    mp_db_free(db);
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

static int run(cli_ctx *c, const char *const *files, int n, const char *gpu,
               const char *out)
{
    const mp_db *db;
    int r = cli_db(c, &db);
    if (r)
        return r;
    mp_nvsmi_capture cap = {0};
    mp_import imp;
    memset(&imp, 0, sizeof(imp));
    mp_buf b = MP_BUF_INIT;
    mp_diag d;
    mp_diag_clear(&d);
    if ((r = read_inputs(files, n, &cap)) != 0)
        goto out;
    if (mp_nvsmi_import(&cap, db, gpu, &imp, &d) != 0) {
        if (d.file[0])
            cli_print_diag(&d);
        else
            fprintf(stderr, "migplan import-profiles: %s\n", d.msg);
        r = EXIT_USAGE;
        goto out;
    }
    header(&imp, &b);
    if ((r = verify(&b)) == 0)
        r = cli_write(c, &b, out);
    if (!r && out)
        fprintf(stderr,
                "migplan import-profiles: wrote %s: %d profiles of %s; "
                "compare: migplan profiles --diff %s\n",
                out, imp.model.n_profiles, imp.model.name, out);
out:
    mp_buf_free(&b);
    mp_import_free(&imp);
    mp_nvsmi_capture_free(&cap);
    return r;
}

int cmd_import_profiles(cli_ctx *c, int argc, char **argv)
{
    static const cli_opt opts[] = {{"gpu", 0, true, OPT_GPU},
                                   {"output", 'o', true, OPT_OUTPUT},
                                   CLI_COMMON_OPTS,
                                   {NULL, 0, false, 0}};
    cli_parser p = {argc, argv, 1, false, usage};
    const char *files[MAX_FILES], *arg, *out = NULL, *gpu = NULL;
    int n = 0, id, r;
    while ((r = cli_next(c, &p, opts, &id, &arg)) != CLI_END) {
        if (r < 0)
            return r == CLI_HELP ? EXIT_OK : EXIT_USAGE;
        if (r == CLI_POSITIONAL) {
            if (n == MAX_FILES)
                return cli_usage_error(c, "more than %d files", MAX_FILES);
            files[n++] = arg;
        }
        if (r == CLI_OPTION && id == OPT_GPU)
            gpu = arg;
        if (r == CLI_OPTION && id == OPT_OUTPUT)
            out = arg;
    }
    if (n == 0)
        return cli_usage_error(c, "give the files that hold nvidia-smi's "
                                  "output, e.g. `nvidia-smi mig -lgip > "
                                  "lgip.txt`");
    return run(c, files, n, gpu, out);
}
