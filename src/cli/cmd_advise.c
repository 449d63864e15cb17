/* cmd_advise.c - `migplan advise METRICS... --request REQUEST`: advice on a
 * request from dcgm-exporter metrics of the MIG instances it runs on. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "migplan/emit/emit_sizing.h"
#include "migplan/model/advice.h"
#include "migplan/model/sizing.h"
#include "migplan/readers/dcgm_reader.h"
#include "migplan/readers/request_reader.h"

static const char usage[] =
    "Usage: migplan advise METRICS... --request REQUEST [--format text|yaml]\n"
    "                      [--busy R] [--share-below R] [--percentile P]\n"
    "                      [--headroom PCT] [--busy-action auto|grow|replica]"
    "\n"
    "                      [--gpu MODEL] [-o FILE]\n"
    "\n"
    "Judge the tenants of REQUEST by what dcgm-exporter measured on their MIG\n"
    "instances. METRICS are Prometheus text (curl -s NODE:9400/metrics), one\n"
    "scrape or many concatenated (- reads standard input). An instance\n"
    "belongs to the tenant named like its container, else like its pod\n"
    "without the replica suffix. Rules:\n"
    "  busy    median DCGM_FI_PROF_GR_ENGINE_ACTIVE above R: the next larger\n"
    "          compute size (2g -> 3g) or one more replica\n"
    "  memory  P-th percentile of DCGM_FI_DEV_FB_USED plus the headroom: more\n"
    "          than asked raises memory; less, when a smaller memory size\n"
    "          would then do, lowers it\n"
    "  share   a tenant with 2+ replicas on 1g slices that are not busy and\n"
    "          under R of their memory: share: 2 (two replicas time-slice\n"
    "          one instance; a key only a later migplan plans)\n"
    "\n"
    "  --request F       the request the instances were planned from\n"
    "  --format F        text (default: each advice with its evidence) or\n"
    "                    yaml (the revised request, with its fleet, for plan)\n"
    "  --busy R          busy threshold, a ratio 0 to 1 (default 0.85)\n"
    "  --share-below R   share threshold, a ratio 0 to 1 (default 0.5; 0: no\n"
    "                    share advice)\n"
    "  --percentile P    memory percentile, 0 < P <= 100 (default 95)\n"
    "  --headroom PCT    percent added to it, 0 to 1000 (default 10)\n"
    "  --busy-action A   auto (default: one more replica when there are two\n"
    "                    or more, else the next compute size), grow or\n"
    "                    replica\n"
    "  --gpu MODEL       the model of a request without a fleet (default: the\n"
    "                    modelName of the metrics, when there is one)\n"
    "  -o, --output F    write to F (atomically) instead of standard output\n"
    "\n"
    "Exit status: 0 advice written, 2 unreadable or malformed input, bad\n"
    "usage.\n";

enum {
    OPT_REQUEST = 1,
    OPT_FORMAT,
    OPT_BUSY,
    OPT_SHARE_BELOW,
    OPT_PERCENTILE,
    OPT_HEADROOM,
    OPT_BUSY_ACTION,
    OPT_GPU,
    OPT_OUTPUT
};

typedef struct args {
    const char **files;
    int n_files;
    const char *request, *gpu, *out;
    int format; /* 0 text, 1 yaml */
    mp_advice_opts o;
} args;

static int ratio(cli_ctx *c, const char *opt, const char *arg, double *out)
{
    int milli;
    if (!mp_parse_milli(arg, 0, 1000, &milli))
        return cli_usage_error(c,
                               "%s takes a ratio from 0 to 1 (like 0.85), "
                               "not '%s'",
                               opt, arg);
    *out = milli / 1000.0;
    return 0;
}

static int option(cli_ctx *c, args *a, int id, const char *arg)
{
    static const char *const formats[] = {"text", "yaml", NULL};
    static const char *const actions[] = {"auto", "grow", "replica", NULL};
    int k;
    switch (id) {
    case OPT_REQUEST:
        a->request = arg;
        return 0;
    case OPT_FORMAT:
        return cli_format(c, arg, formats, &a->format);
    case OPT_BUSY:
        return ratio(c, "--busy", arg, &a->o.busy);
    case OPT_SHARE_BELOW:
        return ratio(c, "--share-below", arg, &a->o.share_below);
    case OPT_PERCENTILE:
        if (!mp_parse_milli(arg, 1, 100000, &a->o.p_milli))
            return cli_usage_error(c,
                                   "--percentile takes a number above 0 and "
                                   "at most 100, not '%s'",
                                   arg);
        return 0;
    case OPT_HEADROOM:
        if (!mp_parse_milli(arg, 0, 1000000, &a->o.headroom_milli))
            return cli_usage_error(c,
                                   "--headroom takes a percentage from 0 to "
                                   "1000, not '%s'",
                                   arg);
        return 0;
    case OPT_BUSY_ACTION:
        for (k = 0; actions[k]; k++)
            if (strcmp(arg, actions[k]) == 0) {
                a->o.busy_action = (mp_busy_action)k;
                return 0;
            }
        return cli_usage_error(c,
                               "--busy-action takes auto, grow or replica, "
                               "not '%s'",
                               arg);
    case OPT_GPU:
        a->gpu = arg;
        return 0;
    case OPT_OUTPUT:
        a->out = arg;
        return 0;
    }
    return 0;
}

/* Returns 0, -1 after --help, or an exit status. */
static int parse_args(cli_ctx *c, int argc, char **argv, args *a)
{
    static const cli_opt opts[] = {{"request", 0, true, OPT_REQUEST},
                                   {"format", 0, true, OPT_FORMAT},
                                   {"busy", 0, true, OPT_BUSY},
                                   {"share-below", 0, true, OPT_SHARE_BELOW},
                                   {"percentile", 0, true, OPT_PERCENTILE},
                                   {"headroom", 0, true, OPT_HEADROOM},
                                   {"busy-action", 0, true, OPT_BUSY_ACTION},
                                   {"gpu", 0, true, OPT_GPU},
                                   {"output", 'o', true, OPT_OUTPUT},
                                   CLI_COMMON_OPTS,
                                   {NULL, 0, false, 0}};
    cli_parser p = {argc, argv, 1, false, usage};
    int id, r;
    const char *arg;
    while ((r = cli_next(c, &p, opts, &id, &arg)) != CLI_END) {
        if (r < 0)
            return r == CLI_HELP ? -1 : EXIT_USAGE;
        if (r == CLI_POSITIONAL)
            a->files[a->n_files++] = arg;
        else if (option(c, a, id, arg))
            return EXIT_USAGE;
    }
    if (!a->n_files)
        return cli_usage_error(c, "which metrics? e.g. `curl -s "
                                  "NODE:9400/metrics > m.prom; migplan advise "
                                  "m.prom --request r.yaml`");
    if (!a->request)
        return cli_usage_error(c, "give the request the instances were "
                                  "planned from: --request REQUEST");
    return 0;
}

/* The model for a request without a fleet: --gpu, else the one model the
 * metrics name (NULL when they name none or several). */
static int default_model(cli_ctx *c, const args *a, const mp_slice_set *s,
                         const mp_model **out)
{
    *out = NULL;
    if (a->gpu)
        return cli_model(c, a->gpu, out);
    for (size_t i = 0; i < s->n; i++) {
        if (!s->v[i].model)
            continue;
        if (*out && *out != s->v[i].model) {
            *out = NULL;
            return 0;
        }
        *out = s->v[i].model;
    }
    return 0;
}

/* Read, judge, write; returns the exit status. */
static int run(cli_ctx *c, const args *a, const mp_db *db)
{
    mp_slice_set set = {0};
    mp_request req = {0};
    mp_advice adv = {0};
    mp_advice_tenant *ts = NULL;
    mp_diag d;
    mp_diag_clear(&d);
    int rc = 0, exit_code = EXIT_USAGE;
    for (int i = 0; i < a->n_files && !rc; i++)
        rc = mp_dcgm_load(db, a->files[i], &set, &d);
    if (!rc && set.n == 0)
        rc = mp_diag_set(&d, MP_ESCHEMA,
                         strcmp(a->files[0], "-") ? a->files[0] : "<stdin>", 0,
                         0,
                         "no MIG instance in the metrics: no "
                         "DCGM_FI_DEV_FB_USED or DCGM_FI_PROF_GR_ENGINE_ACTIVE "
                         "sample with GPU_I_PROFILE and GPU_I_ID labels");
    const mp_model *dm = NULL;
    int usage_rc = rc ? 0 : default_model(c, a, &set, &dm);
    if (usage_rc)
        goto out; /* cli_model has said why */
    if (!rc)
        rc = mp_request_load(db, a->request, dm, &req, &d);
    if (!rc && !(ts = calloc((size_t)req.n_tenants, sizeof(*ts))))
        rc = mp_diag_set(&d, MP_ENOMEM, NULL, 0, 0, "out of memory");
    for (int i = 0; !rc && i < req.n_tenants; i++)
        ts[i] =
            (mp_advice_tenant){req.tenants[i].name, req.tenants[i].memory_mib,
                               req.tenants[i].compute, req.tenants[i].replicas,
                               req.tenants[i].whole_gpu};
    if (!rc)
        rc = mp_advise(&set, ts, req.n_tenants, &a->o, &adv, &d);
    if (rc) {
        cli_print_diag(&d);
        goto out;
    }
    for (int i = 0; i < a->n_files; i++) /* as the diagnostics show them */
        if (strcmp(a->files[i], "-") == 0)
            a->files[i] = "<stdin>";
    mp_advice_input in = {&req, &set, a->files, a->n_files, &a->o};
    mp_buf b = MP_BUF_INIT;
    if (a->format == 1)
        mp_emit_advice_yaml(&in, &adv, &b);
    else
        mp_emit_advice_text(&in, &adv, &b);
    exit_code = cli_write(c, &b, a->out);
    mp_buf_free(&b);
out:
    mp_advice_free(&adv);
    free(ts);
    mp_request_free(&req);
    mp_slice_set_free(&set);
    return exit_code;
}

int cmd_advise(cli_ctx *c, int argc, char **argv)
{
    args a = {.o = {.busy = 0.85,
                    .share_below = 0.5,
                    .p_milli = 95000,
                    .headroom_milli = 10000,
                    .busy_action = MP_BUSY_AUTO}};
    a.files = malloc((size_t)(argc > 0 ? argc : 1) * sizeof(*a.files));
    if (!a.files) {
        fprintf(stderr, "migplan advise: out of memory\n");
        return EXIT_USAGE;
    }
    int r = parse_args(c, argc, argv, &a);
    const mp_db *db;
    if (!r)
        r = cli_db(c, &db);
    if (!r)
        r = run(c, &a, db);
    free(a.files);
    return r < 0 ? EXIT_OK : r;
}
