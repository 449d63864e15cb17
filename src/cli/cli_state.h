/* SPDX-License-Identifier: Apache-2.0 */
/* cli_state.h - --current FILE: a node's current state for script, fit
 * (and plan). */
#ifndef MIGPLAN_CLI_STATE_H
#define MIGPLAN_CLI_STATE_H

#include "cli.h"
#include "migplan/readers/state_reader.h"

/* The models of the GPUs a state names: GPU i is models[i], from --node
 * (by index) or one --gpu MODEL (every GPU). Prints what goes wrong and
 * returns the exit status. */
int cli_state_models(cli_ctx *c, const mp_model *const *gpus, int n_gpus,
                     const mp_node *node, const mp_model **models,
                     int *n_models);

/* Read --current path into st (in keeps its text for diagnostics; the
 * caller frees both, whatever this returns). Prints what goes wrong and
 * returns the exit status. */
int cli_state_load(cli_ctx *c, cli_inputs *in, const char *path,
                   const mp_model *const *models, int n_models,
                   mp_node_state *st);

#endif
