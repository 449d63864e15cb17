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

/* --format F */
#define ADVISE_FORMATS(X)                                                      \
    X(ADVISE_FORMAT_TEXT, "text", "each advice with its evidence")             \
    X(ADVISE_FORMAT_YAML, "yaml",                                              \
      "the revised request, with its fleet, for plan")

typedef enum advise_format { ADVISE_FORMATS(CLI_CHOICE_ENUM) } advise_format;

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
    cli_inputs src; /* the metrics files, then the request */
    mp_slice_set set;
    mp_request req;
} inputs;

static void inputs_free(inputs *in)
{
    mp_request_free(&in->req);
    mp_slice_set_free(&in->set);
    cli_inputs_free(&in->src);
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

/* After a failed request load without a default model: say which modelName
 * labels could not serve as one, so the request is not blamed alone. */
static void note_unknown_models(const mp_slice_set *s)
{
    for (size_t i = 0; i < s->n; i++)
        if (!s->v[i].model && s->v[i].model_name[0]) {
            fprintf(stderr,
                    "note: %s:%d: the metrics' modelName '%s' is not a GPU "
                    "migplan knows, so it cannot stand in for a fleet; pass "
                    "--gpu MODEL, or add the GPU with `migplan "
                    "import-profiles`\n",
                    s->v[i].file, s->v[i].line, s->v[i].model_name);
            return;
        }
}

/* Read the metrics, then the request (its default model may come from the
 * metrics). Returns 0 or the exit status, having said why. */
static int load(cli_ctx *c, const advise_args *a, const mp_db *db, inputs *in)
{
    mp_diag d = {0};
    int rc = 0;
    const mp_input *f;
    for (int i = 0; i < a->files.n && !rc; i++) {
        rc =
            cli_input(&in->src, a->files.v[i], "dcgm-exporter metrics", &f, &d);
        if (!rc)
            rc = mp_dcgm_parse(db, f->text, f->len, f->shown, &in->set, &d);
    }
    if (!rc && in->set.n == 0)
        rc = mp_diag_set(&d, MP_ESCHEMA, in->src.v[0].shown, 0, 0,
                         "no MIG instance in the metrics: no "
                         "DCGM_FI_DEV_FB_USED or DCGM_FI_PROF_GR_ENGINE_ACTIVE "
                         "sample with GPU_I_PROFILE and GPU_I_ID labels");
    const mp_model *dm = NULL;
    if (!rc) {
        int r = default_model(c, a, &in->set, &dm);
        if (r)
            return r; /* cli_model has said why */
        rc = cli_input(&in->src, a->request, "a YAML file", &f, &d);
        if (!rc)
            rc = mp_request_parse(db, f->text, f->len, f->shown, dm, &in->req,
                                  &d);
    }
    if (!rc)
        return 0;
    rc = cli_fail_in(c, &in->src, &d);
    if (!dm && !a->gpu)
        note_unknown_models(&in->set);
    return rc;
}

/* Judge the tenants (sorting the samples of in) and write the advice;
 * returns the exit status. */
static int advise(cli_ctx *c, const advise_args *a, const mp_advice_opts *o,
                  inputs *in)
{
    const mp_request *req = &in->req;
    mp_advice adv = {0};
    mp_diag d = {0};
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
        rc = cli_fail_in(c, &in->src, &d);
        goto out;
    }
    const char *shown[CLI_LIST_MAX]; /* as the diagnostics show them */
    for (int i = 0; i < a->files.n; i++)
        shown[i] = in->src.v[i].shown;
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

static const cli_choice formats[] = CLI_CHOICES(ADVISE_FORMATS);

static const cli_choice busy_actions[] = {
    {"auto", MP_BUSY_AUTO,
     "one more replica when there are two or more, else the next compute "
     "size"},
    {"grow", MP_BUSY_GROW, NULL},
    {"replica", MP_BUSY_REPLICA, NULL},
    {NULL, 0, NULL},
};

#define RATIO_BAD "takes a ratio from 0 to 1 (like 0.85), not '%s'"

const cli_command cli_cmd_advise = {
    CLI_COMMAND_BINDING("advise", advise_args),
    .options = CLI_OPTIONS(
        CLI_OPT_TEXT(advise_args, request, "request", "F", CLI_VALUE_FILE,
                     "the request the instances were planned from (required)"),
        CLI_OPTION_FORMAT(advise_args, format, formats, "text"),
        CLI_OPT_MILLI(advise_args, busy_milli, "busy", "R", 0, 1000, "0.85",
                      "--busy " RATIO_BAD, "busy threshold, a ratio 0 to 1"),
        CLI_OPT_MILLI(
            advise_args, share_below_milli, "share-below", "R", 0, 1000, "0.5",
            "--share-below " RATIO_BAD,
            "share threshold, a ratio 0 to 1; 0 gives no share advice"),
        CLI_OPTION_PERCENTILE(advise_args, p_milli,
                              "memory percentile, 0 < P <= 100",
                              "--percentile takes a number above 0 and at most "
                              "100, not '%s'"),
        CLI_OPTION_HEADROOM(advise_args, headroom_milli),
        CLI_OPT_CHOICE(
            advise_args, busy_action, "busy-action", "A", busy_actions, "auto",
            NULL, .bad = "--busy-action takes auto, grow or replica, not '%s'"),
        CLI_OPTION_GPU(advise_args, gpu,
                       "the model of a request without a fleet (default: the "
                       "modelName of the metrics, when there is one)"),
        CLI_OPTION_OUTPUT(advise_args, output, CLI_OUTPUT_HELP)),
    .operands = CLI_OPERANDS(
        CLI_OPERAND_FILES(advise_args, files, "METRICS", CLI_LIST_MAX,
                          "which metrics? e.g. `curl -s NODE:9400/metrics > "
                          "m.prom; migplan advise m.prom --request r.yaml`",
                          "more than 256 metrics files; concatenate them")),
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
};
