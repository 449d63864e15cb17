/* SPDX-License-Identifier: Apache-2.0 */
/* yjson.h - a JSON text read with cJSON into the same mp_ynode tree that
 * mp_ydoc_parse builds, fast and without positions.
 *
 * For large JSON inputs (a plan of thousands of GPUs) where libyaml's event
 * parser is slow. The tree is the one libyaml gives for the same text
 * (strings quoted, numbers, true, false and null plain, with their text as
 * written) except that every line and column is 0, equal scalars are one
 * shared node (as an alias gives) and the document keeps no copy of the
 * text (text is NULL). Callers read with it and, when reading fails or
 * needs a position, read again through mp_ydoc_parse for the positioned
 * message.
 */
#ifndef MIGPLAN_YJSON_H
#define MIGPLAN_YJSON_H

#include <stddef.h>

#include "migplan/util/error.h"

typedef struct mp_ydoc mp_ydoc;
typedef struct mp_ylimits mp_ylimits;

/* Build *out from the JSON text[0..len). Returns MP_ENOTFOUND, with *out
 * freed and d untouched, for any text this path does not take: not one
 * valid JSON value, a byte outside printable ASCII (libyaml judges the
 * encoding), a \u0000 or \/ escape, nesting or a node count over lim (NULL:
 * the defaults); the caller then parses with mp_ydoc_parse. MP_ENOMEM
 * (with d set) when memory runs out. */
int mp_ydoc_parse_json(const char *text, size_t len, const char *path,
                       const mp_ylimits *lim, mp_ydoc *out, mp_diag *d);

#endif
