// SPDX-License-Identifier: Apache-2.0
/* state_internal.h - what the state readers (state_reader.c, state_json.c,
 * state_migparted.c) share. */
#ifndef MIGPLAN_STATE_INTERNAL_H
#define MIGPLAN_STATE_INTERNAL_H

#include "migplan/readers/state_reader.h"

/* A new empty state of GPU index (model m) in st, kept sorted by index;
 * NULL when st lists it already, holds MP_STATE_MAX_GPUS, or is out of
 * memory. */
mp_gpu_state *mp_node_state_add_gpu(mp_node_state *st, int index,
                                    const mp_model *m);

/* Count GPU index, listed at line:col (0: unknown), as one whose model
 * the caller did not give; the first in the file is remembered. */
void mp_node_state_skip(mp_node_state *st, long long index, int line, int col);

/* Note that st's GPU table lists GPU index (kept sorted, each once);
 * MP_ENOMEM. */
int mp_node_state_table_add(mp_node_state *st, int index);

/* mp_state_read_plan of node `node` of a plan of node pools (NULL: the
 * plan must cover one node, or none). */
int mp_state_read_plan_node(const char *text, size_t len, const char *path,
                            const char *node, const mp_model *const *models,
                            int n_models, mp_node_state *st, mp_diag *d);

/* Is text (after a byte order mark and blanks) a JSON object? */
bool mp_state_json_text(const char *text, size_t len);

/* 0 when text[0..len) is well-formed JSON (one document, blanks after it); else
 * an MP_ESYNTAX "JSON syntax error" at the position it goes wrong (a text that
 * ends early: where it ends, inside which string, how many objects or arrays
 * are left open). */
int mp_state_json_check(const char *text, size_t len, const char *path,
                        mp_diag *d);

/* Start *st afresh: nothing listed, read from format f (every reader's
 * first step, so that mp_node_state_free is safe whatever follows). */
void mp_node_state_init(mp_node_state *st, mp_state_format f);

#endif
