// SPDX-License-Identifier: Apache-2.0
/* cli_state.c - `--current FILE`, read with the models of the request's
 * fleet, of --node or of --gpu. */
#include "cli_state.h"

#include <stdio.h>
#include <string.h>

const cli_choice cli_state_formats[] = {
    {"auto", MP_STATE_AUTO, "by its content"},
    {"nvidia-smi", MP_STATE_NVSMI, "nvidia-smi mig -lgi [-lci] [nvidia-smi]"},
    {"plan-json", MP_STATE_PLAN, "migplan plan --format json"},
    {"mig-parted", MP_STATE_MIGPARTED, "nvidia-mig-parted export"},
    {NULL, 0, NULL},
};

void cli_fleet_models(const mp_request *req,
                      const mp_model *models[MP_STATE_MAX_GPUS], int *n)
{
    *n = 0;
    for (int i = 0; i < req->n_fleet && *n < MP_STATE_MAX_GPUS; i++) {
        int count =
            req->fleet[i].count < 0 ? MP_STATE_MAX_GPUS : req->fleet[i].count;
        for (int k = 0; k < count && *n < MP_STATE_MAX_GPUS; k++)
            models[(*n)++] = req->fleet[i].model;
    }
}

int cli_state_models(cli_ctx *c, const mp_model *const *gpus, int n_gpus,
                     const mp_node *node, const mp_model **models,
                     int *n_models)
{
    *n_models = 0;
    for (int i = 0; i < MP_STATE_MAX_GPUS; i++)
        models[i] = NULL;
    if (node && node->n > 0) {
        for (int k = 0; k < node->n; k++) {
            int i = node->gpus[k].index;
            if (i < 0 || i >= MP_STATE_MAX_GPUS)
                continue;
            models[i] = node->gpus[k].model;
            if (i + 1 > *n_models)
                *n_models = i + 1;
        }
        return 0;
    }
    if (n_gpus == 1) {
        for (int i = 0; i < MP_STATE_MAX_GPUS; i++)
            models[i] = gpus[0];
        *n_models = MP_STATE_MAX_GPUS;
        return 0;
    }
    return cli_usage_error(c, "--current needs the models of the node's GPUs: "
                              "give --node FILE, or --gpu MODEL when every "
                              "GPU is that model");
}

/* What a state read from a plan or an export does not say, and what
 * that costs, on stderr. */
static void state_notes(const cli_ctx *c, const mp_input *s,
                        const mp_node_state *st)
{
    bool fit = c->cmd && strcmp(c->cmd, "fit") == 0; /* writes no script */
    if (st->placements_assumed && st->n_unknown_ids > 0)
        fprintf(stderr,
                "migplan %s: note: %s is an nvidia-mig-parted export: it "
                "gives counts, not placements, so its GPU instances are "
                "assumed where mig-parted creates them (largest first, the "
                "driver picking the slots) and their IDs are unknown; a plan "
                "may keep an instance that is elsewhere in fact, and the "
                "change script checks the real placements on the node and "
                "stops before changing anything if they differ (give "
                "`nvidia-smi mig -lgi` output to plan from the real ones)\n",
                c->cmd, s->shown);
    else if (st->n_unknown_ids > 0)
        fprintf(stderr,
                "migplan %s: note: %s is a plan: %d of its instances %s no "
                "GPU instance ID in it (a plan cannot know the IDs of what "
                "it creates)%s%s%s\n",
                c->cmd, s->shown, st->n_unknown_ids,
                st->n_unknown_ids == 1 ? "has" : "have",
                fit ? "" : ", so the change script finds ",
                fit ? "" : (st->n_unknown_ids == 1 ? "it" : "them"),
                fit ? "" : " on the node by profile and start slot");
}

int cli_read_state(cli_ctx *c, cli_inputs *in, const char *path, int fmt,
                   const mp_model *const *models, int n, const char *whose,
                   mp_node_state *st)
{
    const mp_input *s;
    mp_diag d;
    mp_diag_clear(&d);
    memset(st, 0, sizeof(*st));
    st->arena = (mp_arena)MP_ARENA_INIT;
    if (cli_input(in, path, "a state", &s, &d) != 0 ||
        mp_state_read(s->text, s->len, s->shown, (mp_state_format)fmt, models,
                      n, st, &d))
        return cli_fail_in(c, in, &d);
    if (st->n_skipped > 0) { /* the file's fault: no --help hint */
        mp_diag_set(&d, MP_ESCHEMA, s->shown, 0, 0,
                    "it lists %d GPU%s beyond %s of %d GPU%s (GPU indices "
                    "follow its order)",
                    st->n_skipped, st->n_skipped == 1 ? "" : "s", whose, n,
                    n == 1 ? "" : "s");
        return cli_fail(c, &d);
    }
    /* an export's `devices: all` with every GPU taken as the one model
     * (--gpu): how many GPUs there are is unknown, and only fit, which
     * answers for one GPU, can do without */
    if (st->placements_assumed && n == MP_STATE_MAX_GPUS &&
        st->n == MP_STATE_MAX_GPUS && c->cmd && strcmp(c->cmd, "fit") != 0)
        return cli_usage_error(c,
                               "%s selects `devices: all`, which does not say "
                               "how many GPUs the node has: give --node FILE "
                               "(`nvidia-smi -L` output will do)",
                               s->shown);
    state_notes(c, s, st);
    return 0;
}
