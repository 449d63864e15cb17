// SPDX-License-Identifier: Apache-2.0
/* cli_state.c - `--current FILE` read for a request's fleet. */
#include "cli_state.h"

#include <string.h>

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

int cli_read_state(cli_ctx *c, cli_inputs *in, const char *path,
                   const mp_model *const *models, int n, mp_node_state *st)
{
    const mp_input *s;
    mp_diag d;
    mp_diag_clear(&d);
    memset(st, 0, sizeof(*st));
    if (cli_input(in, path, "nvidia-smi output", &s, &d) != 0)
        return cli_fail_in(c, in, &d);
    if (mp_state_read_nvsmi(s->text, s->len, s->shown, models, n, st, &d))
        return cli_fail_in(c, in, &d);
    if (st->n_skipped > 0)
        return cli_usage_error(c,
                               "--current %s lists %d GPU%s beyond the "
                               "request's fleet of %d GPU%s (GPU indices "
                               "follow the fleet's order)",
                               s->shown, st->n_skipped,
                               st->n_skipped == 1 ? "" : "s", n,
                               n == 1 ? "" : "s");
    return 0;
}
