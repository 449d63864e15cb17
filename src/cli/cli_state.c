// SPDX-License-Identifier: Apache-2.0
/* cli_state.c - --current FILE, read with the models of --node or --gpu. */
#include "cli_state.h"

#include <stdio.h>
#include <string.h>

int cli_state_models(cli_ctx *c, const mp_model *const *gpus, int n_gpus,
                     const mp_node *node, const mp_model **models,
                     int *n_models)
{
    *n_models = 0;
    for (int i = 0; i < MP_STATE_MAX_GPUS; i++)
        models[i] = NULL;
    if (node && node->n > 0) {
        for (int k = 0; k < node->n; k++)
            if (node->gpus[k].index >= 0 &&
                node->gpus[k].index < MP_STATE_MAX_GPUS) {
                models[node->gpus[k].index] = node->gpus[k].model;
                if (node->gpus[k].index + 1 > *n_models)
                    *n_models = node->gpus[k].index + 1;
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

int cli_state_load(cli_ctx *c, cli_inputs *in, const char *path,
                   const mp_model *const *models, int n_models,
                   mp_node_state *st)
{
    const mp_input *f;
    mp_diag d;
    mp_diag_clear(&d);
    memset(st, 0, sizeof(*st));
    st->arena = (mp_arena)MP_ARENA_INIT;
    int rc = cli_input(in, path, "nvidia-smi output", &f, &d);
    if (!rc)
        rc = mp_state_read_nvsmi(f->text, f->len, f->shown, models, n_models,
                                 st, &d);
    if (rc)
        return cli_fail_in(c, in, &d);
    return 0;
}
