/* SPDX-License-Identifier: Apache-2.0 */
/* json_out.c - a stable pretty-printer for cJSON trees. */
#include "migplan/util/json_out.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* JSON's escapes: the quote, the backslash, and every control byte */
static const char *const json_escapes[128] = {
    "\\u0000", "\\u0001", "\\u0002",      "\\u0003",       "\\u0004", "\\u0005",
    "\\u0006", "\\u0007", "\\u0008",      "\\t",           "\\n",     "\\u000b",
    "\\u000c", "\\r",     "\\u000e",      "\\u000f",       "\\u0010", "\\u0011",
    "\\u0012", "\\u0013", "\\u0014",      "\\u0015",       "\\u0016", "\\u0017",
    "\\u0018", "\\u0019", "\\u001a",      "\\u001b",       "\\u001c", "\\u001d",
    "\\u001e", "\\u001f", ['"'] = "\\\"", ['\\'] = "\\\\",
};

void mp_json_string(mp_buf *out, const char *s)
{
    mp_buf_putc(out, '"');
    mp_buf_escape(out, s, strlen(s), json_escapes);
    mp_buf_putc(out, '"');
}

static void number(mp_buf *out, double v)
{
    if (!isfinite(v)) {
        mp_buf_puts(out, "null");
        return;
    }
    if (v == floor(v) && fabs(v) < 9e15 && (v != 0 || !signbit(v))) {
        /* what "%.0f" prints, without printf's cost per number (a plan
         * of a million replicas writes tens of millions) */
        char dig[24];
        int k = sizeof(dig);
        long long x = (long long)v;
        unsigned long long u =
            x < 0 ? 0ULL - (unsigned long long)x : (unsigned long long)x;
        do
            dig[--k] = (char)('0' + u % 10);
        while (u /= 10);
        if (x < 0)
            dig[--k] = '-';
        mp_buf_add(out, dig + k, sizeof(dig) - (size_t)k);
        return;
    }
    if (v == floor(v) && fabs(v) < 9e15) { /* -0 */
        mp_buf_printf(out, "%.0f", v);
        return;
    }
    char tmp[40];
    for (int p = 1; p <= 17; p++) {
        snprintf(tmp, sizeof(tmp), "%.*g", p, v);
        if (strtod(tmp, NULL) == v)
            break;
    }
    mp_buf_puts(out, tmp);
}

static void indent(mp_buf *out, int depth)
{
    static const char spaces[] = "                                ";
    for (; depth > 16; depth -= 16)
        mp_buf_add(out, spaces, 32);
    mp_buf_add(out, spaces, 2 * (size_t)depth);
}

static void print_item(const cJSON *it, mp_buf *out, int depth)
{
    if (cJSON_IsObject(it) || cJSON_IsArray(it)) {
        bool obj = cJSON_IsObject(it);
        const cJSON *c = it->child;
        if (!c) {
            mp_buf_puts(out, obj ? "{}" : "[]");
            return;
        }
        /* short arrays of scalars stay on one line */
        bool flat = !obj;
        int n = 0;
        for (const cJSON *k = c; k && flat; k = k->next, n++)
            if (cJSON_IsObject(k) || cJSON_IsArray(k) ||
                (cJSON_IsString(k) && strlen(k->valuestring) > 30) || n > 16)
                flat = false;
        mp_buf_putc(out, obj ? '{' : '[');
        for (; c; c = c->next) {
            if (flat) {
                if (c != it->child)
                    mp_buf_puts(out, ", ");
            } else {
                mp_buf_putc(out, '\n');
                indent(out, depth + 1);
            }
            if (obj) {
                mp_json_string(out, c->string ? c->string : "");
                mp_buf_puts(out, ": ");
            }
            print_item(c, out, depth + 1);
            if (c->next && !flat)
                mp_buf_putc(out, ',');
        }
        if (!flat) {
            mp_buf_putc(out, '\n');
            indent(out, depth);
        }
        mp_buf_putc(out, obj ? '}' : ']');
        return;
    }
    if (cJSON_IsString(it))
        mp_json_string(out, it->valuestring);
    else if (cJSON_IsNumber(it))
        number(out, it->valuedouble);
    else if (cJSON_IsTrue(it))
        mp_buf_puts(out, "true");
    else if (cJSON_IsFalse(it))
        mp_buf_puts(out, "false");
    else
        mp_buf_puts(out, "null");
}

void mp_json_print_at(const cJSON *item, mp_buf *out, int depth)
{
    print_item(item, out, depth);
}

void mp_json_number(mp_buf *out, double v)
{
    number(out, v);
}

void mp_json_print(const cJSON *item, mp_buf *out)
{
    print_item(item, out, 0);
    mp_buf_putc(out, '\n');
}

/* ---------------------------------------------------------- streaming */

enum { STREAM_CHUNK = 1 << 16 };

void mp_json_stream_begin(mp_json_stream *s, mp_buf *out, bool whole,
                          int (*flush)(void *ctx, mp_buf *out), void *ctx)
{
    memset(s, 0, sizeof(*s));
    s->out = out;
    s->flush = flush;
    s->ctx = ctx;
    s->whole = whole;
    s->elements = -1;
    if (whole) {
        s->doc = cJSON_CreateObject();
        s->failed = !s->doc;
    } else {
        mp_buf_putc(out, '{');
    }
}

static void stream_flush(mp_json_stream *s)
{
    if (!s->flush || s->rc || s->out->failed)
        return;
    s->rc = s->flush(s->ctx, s->out);
    if (s->rc) /* the sink failed: nothing more is worth writing */
        mp_buf_reset(s->out);
}

/* A separator, and the newline and indentation of a new line at depth. */
static void next_line(mp_json_stream *s, bool first, int depth)
{
    if (!first)
        mp_buf_putc(s->out, ',');
    mp_buf_putc(s->out, '\n');
    indent(s->out, depth);
}

void mp_json_stream_item(mp_json_stream *s, cJSON *item)
{
    if (!item || s->failed || s->rc) {
        s->failed = s->failed || !item;
        cJSON_Delete(item);
        return;
    }
    bool element = s->elements >= 0;
    if (s->whole) {
        cJSON *to = element ? s->array : s->doc;
        if (element)
            cJSON_AddItemToArray(to, item);
        else
            cJSON_AddItemToObject(to, item->string ? item->string : "", item);
        return;
    }
    if (element) {
        next_line(s, s->elements++ == 0, 2);
    } else {
        next_line(s, s->members++ == 0, 1);
        mp_json_string(s->out, item->string ? item->string : "");
        mp_buf_puts(s->out, ": ");
    }
    print_item(item, s->out, element ? 2 : 1);
    cJSON_Delete(item);
    if (s->out->len > STREAM_CHUNK)
        stream_flush(s);
}

mp_buf *mp_json_stream_text_begin(mp_json_stream *s)
{
    if (s->failed || s->rc || s->whole || s->elements < 0)
        return NULL;
    next_line(s, s->elements++ == 0, 2);
    return s->out;
}

void mp_json_stream_text_end(mp_json_stream *s)
{
    if (s->out->len > STREAM_CHUNK)
        stream_flush(s);
}

void mp_json_stream_members(mp_json_stream *s, cJSON *obj)
{
    if (!obj) {
        s->failed = true;
        return;
    }
    while (obj->child) /* each detached in order, then written */
        mp_json_stream_item(s, cJSON_DetachItemViaPointer(obj, obj->child));
    cJSON_Delete(obj);
}

void mp_json_stream_open(mp_json_stream *s, const char *key)
{
    if (s->whole) {
        s->array = s->doc ? cJSON_AddArrayToObject(s->doc, key) : NULL;
        s->failed = s->failed || !s->array;
    } else {
        next_line(s, s->members++ == 0, 1);
        mp_json_string(s->out, key);
        mp_buf_puts(s->out, ": [");
    }
    s->elements = 0;
}

void mp_json_stream_close(mp_json_stream *s)
{
    if (!s->whole) {
        if (s->elements > 0) {
            mp_buf_putc(s->out, '\n');
            indent(s->out, 1);
        }
        mp_buf_putc(s->out, ']');
    }
    s->array = NULL;
    s->elements = -1;
}

int mp_json_stream_end(mp_json_stream *s)
{
    if (s->whole) {
        if (s->doc && !s->failed)
            mp_json_print(s->doc, s->out);
        cJSON_Delete(s->doc);
        s->doc = NULL;
    } else {
        mp_buf_puts(s->out, s->members ? "\n}\n" : "}\n");
    }
    if (s->failed)
        s->out->failed = true;
    stream_flush(s);
    return s->failed ? -1 : s->rc;
}
