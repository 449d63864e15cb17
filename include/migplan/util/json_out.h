/* SPDX-License-Identifier: Apache-2.0 */
/* json_out.h - deterministic JSON text from a cJSON tree.
 *
 * Two-space indentation, keys in insertion order, integers without a
 * fraction, other numbers in their shortest round-trip form, so the same
 * input always gives byte-identical output (golden tests rely on it).
 */
#ifndef MIGPLAN_JSON_OUT_H
#define MIGPLAN_JSON_OUT_H

#include <cjson/cJSON.h>

#include "migplan/util/buf.h"

/* Append the JSON text of item and a final newline to out. */
void mp_json_print(const cJSON *item, mp_buf *out);

/* Append s as a JSON string literal (quotes included). */
void mp_json_string(mp_buf *out, const char *s);

#endif
