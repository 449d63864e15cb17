/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_advise.c - `migplan advise METRICS... --request REQUEST`: advice on a
 * request from dcgm-exporter metrics of the MIG instances it runs on. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "migplan/emit/emit_sizing.h"
#include "migplan/model/advice.h"
#include "migplan/model/sizing.h"
#include "migplan/readers/dcgm_reader.h"
#include "migplan/readers/request_reader.h"

typedef enum advise_format {
    ADVISE_FORMAT_TEXT,
    ADVISE_FORMAT_YAML
} advise_format;

typedef struct advise_args {
    const char *request;
    int format; /* advise_format */
    int busy_milli;
    int share_below_milli;
    int p_milli;
    int headroom_milli;
    int busy_action; /* mp_busy_action */
    const char *gpu;
    const char *output;
    cli_list files;
} advise_args;

/* What advise read; freed by inputs_free. */
typedef struct inputs {
    mp_slice_set set;
    mp_request req;
} inputs;

static void inputs_free(inputs *in)
{
    mp_request_free(&in->req);
    mp_slice_set_free(&in->set);
}

/* The model for a request without a fleet: --gpu, else the one model the
 * metrics name (NULL when they name none or several). */
static int default_model(cli_ctx *c, const advise_args *a,
                         const mp_slice_set *s, const mp_model **out)
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

/* Read the metrics, then the request (its default model may come from the
 * metrics). Returns 0 or the exit status, having said why. */
static int load(cli_ctx *c, const advise_args *a, const mp_db *db, inputs *in)
{
    mp_diag d;
    mp_diag_clear(&d);
    int rc = 0;
    for (int i = 0; i < a->files.n && !rc; i++)
        rc = mp_dcgm_load(db, a->files.v[i], &in->set, &d);
    if (!rc && in->set.n == 0)
        rc = mp_diag_set(&d, MP_ESCHEMA,
                         strcmp(a->files.v[0], "-") ? a->files.v[0] : "<stdin>",
                         0, 0,
                         "no MIG instance in the metrics: no "
                         "DCGM_FI_DEV_FB_USED or DCGM_FI_PROF_GR_ENGINE_ACTIVE "
                         "sample with GPU_I_PROFILE and GPU_I_ID labels");
    const mp_model *dm = NULL;
    if (!rc) {
        int r = default_model(c, a, &in->set, &dm);
        if (r)
            return r; /* cli_model has said why */
        rc = mp_request_load(db, a->request, dm, &in->req, &d);
    }
    if (!rc)
        return 0;
    cli_quote_file(&d);
    return cli_fail(c, &d);
}

/* Judge the tenants (sorting the samples of in) and write the advice;
 * returns the exit status. */
static int advise(cli_ctx *c, const advise_args *a, const mp_advice_opts *o,
                  inputs *in)
{
    const mp_request *req = &in->req;
    mp_advice adv = {0};
    mp_diag d;
    mp_diag_clear(&d);
    int rc = 0;
    mp_advice_tenant *ts = calloc((size_t)req->n_tenants + 1, sizeof(*ts));
    if (!ts)
        rc = mp_diag_set(&d, MP_ENOMEM, NULL, 0, 0, "out of memory");
    for (int i = 0; !rc && i < req->n_tenants; i++)
        ts[i] = (mp_advice_tenant){req->tenants[i].name,
                                   mp_tenant_asked_mib(&req->tenants[i]),
                                   req->tenants[i].compute,
                                   mp_tenant_asked_replicas(&req->tenants[i]),
                                   req->tenants[i].whole_gpu,
                                   mp_tenant_share(&req->tenants[i])};
    if (!rc)
        rc = mp_advise(&in->set, ts, req->n_tenants, o, &adv, &d);
    if (rc) {
        cli_quote_file(&d);
        rc = cli_fail(c, &d);
        goto out;
    }
    const char *shown[CLI_LIST_MAX]; /* as the diagnostics show them */
    for (int i = 0; i < a->files.n; i++)
        shown[i] = strcmp(a->files.v[i], "-") ? a->files.v[i] : "<stdin>";
    mp_advice_input ai = {req, &in->set, shown, a->files.n, o};
    mp_buf b = MP_BUF_INIT;
    if (a->format == ADVISE_FORMAT_YAML)
        mp_emit_advice_yaml(&ai, &adv, &b);
    else
        mp_emit_advice_text(&ai, &adv, &b);
    rc = cli_write(c, &b, a->output);
out:
    mp_advice_free(&adv);
    free(ts);
    return rc;
}

static int run(cli_ctx *c, void *args)
{
    const advise_args *a = args;
    if (!a->request)
        return cli_usage_error(c, "give the request the instances were "
                                  "planned from: --request REQUEST");
    mp_advice_opts o = {.busy = a->busy_milli / 1000.0,
                        .share_below = a->share_below_milli / 1000.0,
                        .p_milli = a->p_milli,
                        .headroom_milli = a->headroom_milli,
                        .busy_action = (mp_busy_action)a->busy_action};
    const mp_db *db;
    int r = cli_db(c, &db);
    if (r)
        return r;
    inputs in;
    memset(&in, 0, sizeof(in));
    r = load(c, a, db, &in);
    if (!r)
        r = advise(c, a, &o, &in);
    inputs_free(&in);
    return r;
}

static const cli_choice formats[] = {
    {"text", ADVISE_FORMAT_TEXT, "each advice with its evidence"},
    {"yaml", ADVISE_FORMAT_YAML,
     "the revised request, with its fleet, for plan"},
    {NULL, 0, NULL},
};

static const cli_choice busy_actions[] = {
    {"auto", MP_BUSY_AUTO,
     "one more replica when there are two or more, else the next compute "
     "size"},
    {"grow", MP_BUSY_GROW, NULL},
    {"replica", MP_BUSY_REPLICA, NULL},
    {NULL, 0, NULL},
};

#define ARG(f) offsetof(advise_args, f)
#define RATIO_BAD "takes a ratio from 0 to 1 (like 0.85), not '%s'"

static const cli_option options[] = {
    {.name = "request",
     .store = CLI_STORE_STRING,
     .offset = ARG(request),
     .value_name = "F",
     .value = CLI_VALUE_FILE,
     .help = "the request the instances were planned from (required)"},
    CLI_OPTION_FORMAT(advise_args, format, formats, "text"),
    {.name = "busy",
     .store = CLI_STORE_MILLI,
     .offset = ARG(busy_milli),
     .value_name = "R",
     .value = CLI_VALUE_NUMBER,
     .help = "busy threshold, a ratio 0 to 1",
     .def = "0.85",
     .max = 1000,
     .bad = "--busy " RATIO_BAD},
    {.name = "share-below",
     .store = CLI_STORE_MILLI,
     .offset = ARG(share_below_milli),
     .value_name = "R",
     .value = CLI_VALUE_NUMBER,
     .help = "share threshold, a ratio 0 to 1; 0 gives no share advice",
     .def = "0.5",
     .max = 1000,
     .bad = "--share-below " RATIO_BAD},
    CLI_OPTION_PERCENTILE(advise_args, p_milli,
                          "memory percentile, 0 < P <= 100",
                          "--percentile takes a number above 0 and at most "
                          "100, not '%s'"),
    CLI_OPTION_HEADROOM(advise_args, headroom_milli),
    {.name = "busy-action",
     .store = CLI_STORE_CHOICE,
     .offset = ARG(busy_action),
     .value_name = "A",
     .value = CLI_VALUE_CHOICE,
     .choices = busy_actions,
     .def = "auto",
     .bad = "--busy-action takes auto, grow or replica, not '%s'"},
    {.name = "gpu",
     .store = CLI_STORE_STRING,
     .offset = ARG(gpu),
     .value_name = "MODEL",
     .value = CLI_VALUE_MODEL,
     .help = "the model of a request without a fleet (default: the "
             "modelName of the metrics, when there is one)"},
    CLI_OPTION_OUTPUT(advise_args, output,
                      "write to F (atomically) instead of standard output"),
    {.name = NULL},
};

static const cli_operand operands[] = {
    CLI_OPERAND_FILES(advise_args, files, "METRICS", CLI_LIST_MAX,
                      "which metrics? e.g. `curl -s NODE:9400/metrics > "
                      "m.prom; migplan advise m.prom --request r.yaml`",
                      "more than 256 metrics files; concatenate them"),
    {.name = NULL},
};

const cli_command cli_cmd_advise = {
    .name = "advise",
    .run = run,
    .args_size = sizeof(advise_args),
    .summary = "advise on a request from DCGM metrics",
    .synopsis =
        "Usage: migplan advise METRICS... --request REQUEST [--format "
        "text|yaml]\n"
        "                      [--busy R] [--share-below R] [--percentile "
        "P]\n"
        "                      [--headroom PCT] [--busy-action "
        "auto|grow|replica]\n"
        "                      [--gpu MODEL] [-o FILE]\n",
    .description =
        "Judge the tenants of REQUEST by what dcgm-exporter measured on "
        "their MIG instances. METRICS are Prometheus text (curl -s "
        "NODE:9400/metrics), one scrape or many concatenated (- reads "
        "standard input). An instance belongs to the tenant named like its "
        "container, else like its pod without the replica suffix. "
        "Rules:\n\n"
        "  busy    median DCGM_FI_PROF_GR_ENGINE_ACTIVE above R: the next "
        "larger\n"
        "          compute size (2g -> 3g) or one more replica\n"
        "  memory  P-th percentile of DCGM_FI_DEV_FB_USED plus the "
        "headroom: more\n"
        "          than asked raises memory; less, when a smaller memory "
        "size\n"
        "          would then do, lowers it\n"
        "  share   a tenant with 2+ replicas on 1g slices that are not busy "
        "and\n"
        "          under R of their memory: share: 2 (two replicas "
        "time-slice\n"
        "          one instance; a key only a later migplan plans)",
    .footer = "Exit status: 0 advice written, 2 unreadable or malformed input "
              "or bad usage, 3 internal error.",
    .options = options,
    .operands = operands,
};
