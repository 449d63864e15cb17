/* SPDX-License-Identifier: Apache-2.0 */
/* node_text.h - --node out of nvidia-smi's own listings (node_text.c). */
#ifndef MIGPLAN_NODE_TEXT_H
#define MIGPLAN_NODE_TEXT_H

#include <stddef.h>

#include "migplan/readers/node_reader.h"

enum {
    MP_NODE_TEXT_NONE, /* not nvidia-smi output: a node YAML */
    MP_NODE_TEXT_LIST, /* nvidia-smi -L */
    MP_NODE_TEXT_CSV   /* nvidia-smi --query-gpu=index,name,... CSV */
};

/* Which form text is, by its first non-blank line. */
int mp_node_text_kind(const char *text, size_t len);

/* Parse text (of a kind other than NONE) into out, whose arena is ready;
 * every malformed line is an error at its line. */
int mp_node_parse_text(const mp_db *db, const char *text, size_t len,
                       const char *path, mp_node *out, mp_diag *d);

#endif
