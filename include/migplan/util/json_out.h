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
#include <stdbool.h>

#include "migplan/util/buf.h"

/* Append the JSON text of item and a final newline to out. */
void mp_json_print(const cJSON *item, mp_buf *out);

/* A JSON object written member by member, with arrays element by element,
 * so that a large document is never held whole: each item is printed and
 * freed as it comes, and out is handed to flush (which writes and resets
 * it) whenever it holds more than a chunk. The text is byte for byte what
 * mp_json_print gives for the same tree. With whole set, items are instead
 * added to one document printed by mp_json_stream_end (the reference the
 * streamed text is tested against). Nesting: the object, then at most one
 * open array of it. */
typedef struct mp_json_stream {
    mp_buf *out;
    int (*flush)(void *ctx, mp_buf *out); /* NULL: everything stays in out */
    void *ctx;
    int rc;       /* first non-zero flush result; later output is dropped */
    bool whole;   /* build one document instead */
    cJSON *doc;   /* whole: the document; else NULL */
    cJSON *array; /* whole: the open array */
    int members;  /* members written so far */
    int elements; /* elements of the open array so far, -1: none open */
    bool failed;  /* an allocation failed */
} mp_json_stream;

/* Start the object. */
void mp_json_stream_begin(mp_json_stream *s, mp_buf *out, bool whole,
                          int (*flush)(void *ctx, mp_buf *out), void *ctx);

/* Write item (a member named item->string, or an element of the open
 * array), taking ownership of it (NULL: an allocation failed). */
void mp_json_stream_item(mp_json_stream *s, cJSON *item);

/* An element of the open array written as text instead (not with whole
 * set): the separator and indentation written, returns the buffer to
 * append the element to, printed at depth 2 (mp_json_print_at), then
 * call mp_json_stream_text_end; NULL when nothing is to be written (an
 * earlier failure, or whole set: give the item instead). */
mp_buf *mp_json_stream_text_begin(mp_json_stream *s);
void mp_json_stream_text_end(mp_json_stream *s);

/* Write every member of obj in order, then free obj. */
void mp_json_stream_members(mp_json_stream *s, cJSON *obj);

/* Open the array member key / close it. */
void mp_json_stream_open(mp_json_stream *s, const char *key);
void mp_json_stream_close(mp_json_stream *s);

/* End the object (with a final newline) and flush. Returns 0, the flush
 * result, or -1 when an allocation failed (out then says failed too). */
int mp_json_stream_end(mp_json_stream *s);

/* Append item as mp_json_print does at depth (indented by 2 * depth
 * spaces after each newline), without a final newline. */
void mp_json_print_at(const cJSON *item, mp_buf *out, int depth);

/* Append v as mp_json_print writes a number. */
void mp_json_number(mp_buf *out, double v);

/* Append s as a JSON string literal (quotes included). */
void mp_json_string(mp_buf *out, const char *s);

#endif
