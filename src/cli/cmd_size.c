/* cmd_size.c - `migplan size SAMPLES...`: tenants sized from nvidia-smi
 * process samples. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "migplan/emit/emit_sizing.h"
#include "migplan/model/sizing.h"
#include "migplan/readers/smi_reader.h"

static const char usage[] =
    "Usage: migplan size SAMPLES... [--percentile P] [--headroom PCT]\n"
    "                    [--by name|pid] [--columns LIST] [-o FILE]\n"
    "\n"
    "Write the tenants section of a plan request from memory measured under\n"
    "real load. SAMPLES are the output of\n"
    "  nvidia-smi --query-compute-apps=timestamp,pid,process_name,used_memory"
    " \\\n"
    "    --format=csv -l 60\n"
    "(with or without header and units, one report or a log, any of the\n"
    "fields; - reads standard input). One tenant per process name: memory is\n"
    "the P-th percentile of its samples (nearest rank) plus the headroom,\n"
    "rounded up to a MiB; replicas the most processes of that name in one\n"
    "report. Names become tenant names: the program without arguments and\n"
    "path, lower case, other characters as '-', at most 63; a name taken\n"
    "gets -2, -3, ...\n"
    "\n"
    "  --percentile P  the percentile of the samples, 0 < P <= 100 (default"
    " 95)\n"
    "  --headroom PCT  percent added to it, 0 to 1000 (default 10)\n"
    "  --by name|pid   one tenant per process name (default, when the samples\n"
    "                  have process_name) or per pid\n"
    "  --columns LIST  the fields of samples without a header line, as given\n"
    "                  to --query-compute-apps (default: guessed from the\n"
    "                  first line in nvidia-smi's field order)\n"
    "  -o, --output F  write to F (atomically) instead of standard output\n"
    "\n"
    "Exit status: 0 written, 2 unreadable or malformed samples, bad usage.\n";

enum { OPT_PERCENTILE = 1, OPT_HEADROOM, OPT_BY, OPT_COLUMNS, OPT_OUTPUT };

/* Options and file names; returns 0, or an exit status. */
static int parse_args(cli_ctx *c, int argc, char **argv, mp_size_opts *o,
                      mp_smi_layout *layout, bool *have_layout,
                      const char **files, int *n_files, const char **out)
{
    static const cli_opt opts[] = {{"percentile", 0, true, OPT_PERCENTILE},
                                   {"headroom", 0, true, OPT_HEADROOM},
                                   {"by", 0, true, OPT_BY},
                                   {"columns", 0, true, OPT_COLUMNS},
                                   {"output", 'o', true, OPT_OUTPUT},
                                   CLI_COMMON_OPTS,
                                   {NULL, 0, false, 0}};
    cli_parser p = {argc, argv, 1, false, usage};
    int id, r;
    const char *arg;
    while ((r = cli_next(c, &p, opts, &id, &arg)) != CLI_END) {
        if (r < 0)
            return r == CLI_HELP ? -1 : EXIT_USAGE;
        if (r == CLI_POSITIONAL) {
            files[(*n_files)++] = arg;
            continue;
        }
        char why[300];
        switch (id) {
        case OPT_PERCENTILE:
            if (!mp_parse_milli(arg, 1, 100000, &o->p_milli))
                return cli_usage_error(c,
                                       "--percentile takes a number above 0 "
                                       "and at most 100 (three decimals at "
                                       "most), not '%s'",
                                       arg);
            break;
        case OPT_HEADROOM:
            if (!mp_parse_milli(arg, 0, 1000000, &o->headroom_milli))
                return cli_usage_error(c,
                                       "--headroom takes a percentage from 0 "
                                       "to 1000, not '%s'",
                                       arg);
            break;
        case OPT_BY:
            if (strcmp(arg, "name") && strcmp(arg, "pid"))
                return cli_usage_error(c, "--by takes name or pid, not '%s'",
                                       arg);
            o->by = arg[0] == 'n' ? MP_SIZE_BY_NAME : MP_SIZE_BY_PID;
            break;
        case OPT_COLUMNS:
            if (mp_smi_layout_parse(arg, layout, why, sizeof(why)))
                return cli_usage_error(c, "--columns: %s", why);
            *have_layout = true;
            break;
        case OPT_OUTPUT:
            *out = arg;
            break;
        }
    }
    return 0;
}

int cmd_size(cli_ctx *c, int argc, char **argv)
{
    mp_size_opts o = {.p_milli = 95000, .headroom_milli = 10000};
    mp_smi_layout layout;
    bool have_layout = false;
    const char *out = NULL;
    const char **files = malloc((size_t)(argc > 0 ? argc : 1) * sizeof(*files));
    int n_files = 0;
    if (!files) {
        fprintf(stderr, "migplan size: out of memory\n");
        return EXIT_USAGE;
    }
    int r = parse_args(c, argc, argv, &o, &layout, &have_layout, files,
                       &n_files, &out);
    if (!r && !n_files)
        r = cli_usage_error(c, "which samples? e.g. `nvidia-smi "
                               "--query-compute-apps=pid,process_name,"
                               "used_memory --format=csv | migplan size -`");
    if (r) {
        free(files);
        return r < 0 ? EXIT_OK : r;
    }
    mp_proc_samples s = {0};
    mp_sizing z = {0};
    mp_diag d;
    mp_diag_clear(&d);
    int rc = 0;
    for (int i = 0; i < n_files && !rc; i++)
        rc = mp_smi_load(files[i], have_layout ? &layout : NULL, &s, &d);
    if (!rc)
        rc = mp_size_tenants(&s, &o, &z, &d);
    int exit_code = EXIT_OK;
    if (rc) {
        cli_print_diag(&d);
        exit_code = EXIT_USAGE;
    } else {
        mp_buf b = MP_BUF_INIT;
        mp_emit_sizing(&z, &s, &o, &b);
        exit_code = cli_write(c, &b, out);
        mp_buf_free(&b);
    }
    mp_sizing_free(&z);
    mp_proc_samples_free(&s);
    free(files);
    return exit_code;
}
