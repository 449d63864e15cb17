/* SPDX-License-Identifier: Apache-2.0 */
/* cli_state.h - `--current FILE`: the state of a running node, read for
 * plan (GPU i is the request fleet's i-th GPU, as mig-parted's `devices`
 * count them), script and fit (GPU i's model from --node, or one --gpu
 * MODEL for every GPU). */
#ifndef MIGPLAN_CLI_STATE_H
#define MIGPLAN_CLI_STATE_H

#include "cli.h"
#include "migplan/model/request.h"
#include "migplan/readers/state_reader.h"
#include "migplan/solver/node_current.h"

/* The model of each GPU index of req's fleet: (*models)[i] for i < *n (an
 * unlimited entry counts MP_STATE_OPEN_GPUS GPUs, and sets *open: the
 * count is assumed). *models is the caller's to free (free()). Prints what
 * goes wrong and returns the exit status. */
int cli_fleet_models(cli_ctx *c, const mp_request *req,
                     const mp_model ***models, int *n, bool *open);

/* The models of the GPUs a state names: GPU i is (*models)[i], from --node
 * (by index) or one --gpu MODEL (every GPU, MP_STATE_OPEN_GPUS of them,
 * and *open set: the count is assumed). *models is the caller's to free
 * (free()), whatever this returns. Prints what goes wrong and returns the
 * exit status. */
int cli_state_models(cli_ctx *c, const mp_model *const *gpus, int n_gpus,
                     const mp_node *node, const mp_model ***models,
                     int *n_models, bool *open);

/* --current-format F: auto, nvidia-smi, plan-json, mig-parted (values
 * are mp_state_format). */
extern const cli_choice cli_state_formats[];
#define CLI_OPTION_CURRENT_FORMAT(type, field)                                 \
    CLI_OPT_CHOICE(type, field, "current-format", "F", cli_state_formats,      \
                   "auto", NULL)

/* Read path (kept in in, so that errors quote it) as the state of GPUs of
 * models[0..n), in format fmt (an mp_state_format; auto decides by
 * content): `nvidia-smi mig -lgi` output, with `-lci` and the plain
 * nvidia-smi Processes table when present, a plan written by `migplan plan
 * --format json`, or an `nvidia-mig-parted export`. What such a state
 * lacks (GPU instance IDs, placements) is said in a note on stderr. A GPU
 * listed beyond models[n-1] is an error that names `whose` GPUs they are ("the
 * request's fleet"). open: n is MP_STATE_OPEN_GPUS assumed, not the node's
 * count, so an export's `devices: all` is refused (except by fit, which
 * answers for one GPU). *st is initialised here; the caller frees it
 * (mp_node_state_free) whatever this returns. Prints what goes wrong and
 * returns the exit status. */
int cli_read_state(cli_ctx *c, cli_inputs *in, const char *path, int fmt,
                   const mp_model *const *models, int n, bool open,
                   const char *whose, mp_node_state *st);

/* cli_read_state of node `node`'s state (NULL: as cli_read_state): out
 * of a plan of node pools, that node's GPUs by their index on the node. */
int cli_read_node_state(cli_ctx *c, cli_inputs *in, const char *path, int fmt,
                        const char *node, const mp_model *const *models, int n,
                        bool open, const char *whose, mp_node_state *st);

/* The state of the one node --current value v gives (fit, and plan of a
 * fleet), as cli_read_state: FILE, or NODE=FILE for node NODE's GPUs out
 * of a plan of node pools (any other state is refused with NODE=; a file
 * whose name holds '=' is read whole). */
int cli_read_one_node(cli_ctx *c, cli_inputs *in, const char *v, int fmt,
                      const mp_model *const *models, int n, bool open,
                      const char *whose, mp_node_state *st);

/* The states of nodes of a request with node pools: nodes[j] is node
 * states[j]'s (n of each). */
typedef struct cli_node_states {
    mp_node_current *nodes;
    mp_node_state *states;
    int n;
} cli_node_states;

/* --current NODE=FILE, once per value of values: each NODE a node of req
 * (a pool's `names:`, else <pool>-NN), named once, its FILE read as
 * cli_read_state reads it with the pool's model for every GPU and no GPU
 * beyond the pool's `gpus` (fmt: an mp_state_format). A bare FILE (one value)
 * is the request's only node. *out is the caller's to free
 * (cli_node_states_free) whatever this returns. Prints what goes wrong and
 * returns the exit status. */
int cli_read_node_states(cli_ctx *c, cli_inputs *in, const mp_request *req,
                         const cli_list *values, int fmt, cli_node_states *out);

void cli_node_states_free(cli_node_states *s);

#endif
