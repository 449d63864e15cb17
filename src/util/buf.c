/* SPDX-License-Identifier: Apache-2.0 */
/* buf.c - growable byte buffer. */
#include "migplan/util/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool reserve(mp_buf *b, size_t extra)
{
    if (b->failed)
        return false;
    if (extra > ((size_t)-1) / 2 - b->len) {
        b->failed = true;
        return false;
    }
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap *= 2;
    char *p = realloc(b->data, cap);
    if (!p) {
        b->failed = true;
        return false;
    }
    b->data = p;
    b->cap = cap;
    return true;
}

void mp_buf_add(mp_buf *b, const char *s, size_t n)
{
    if (!reserve(b, n))
        return;
    if (n)
        memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void mp_buf_puts(mp_buf *b, const char *s)
{
    mp_buf_add(b, s, strlen(s));
}

void mp_buf_putc(mp_buf *b, char c)
{
    mp_buf_add(b, &c, 1);
}

/* Formats once into the spare capacity (a 256-byte buffer at first); only
 * text that did not fit is formatted again, once the buffer has grown. */
void mp_buf_printf(mp_buf *b, const char *fmt, ...)
{
    if (!reserve(b, b->cap > b->len + 1 ? 0 : 255))
        return;
    size_t room = b->cap - b->len; /* the terminating byte included */
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b->data + b->len, room, fmt, ap);
    va_end(ap);
    if (n >= 0 && (size_t)n >= room) { /* did not fit: grow, then again */
        if (!reserve(b, (size_t)n))
            return;
        va_start(ap, fmt);
        n = vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    if (n < 0) {
        b->data[b->len] = '\0';
        b->failed = true;
        return;
    }
    b->len += (size_t)n;
}

void mp_buf_repeat(mp_buf *b, const char *s, int n)
{
    for (int i = 0; i < n; i++)
        mp_buf_puts(b, s);
}

void mp_buf_escape(mp_buf *b, const char *s, size_t n,
                   const char *const esc[128])
{
    size_t from = 0; /* bytes kept as they are go out in runs */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 128 && esc[c]) {
            if (i > from)
                mp_buf_add(b, s + from, i - from);
            mp_buf_puts(b, esc[c]);
            from = i + 1;
        }
    }
    if (n > from)
        mp_buf_add(b, s + from, n - from);
}

int mp_utf8_width(const char *s, size_t n)
{
    int w = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            w++;
    return w;
}

void mp_buf_wrap(mp_buf *b, const char *text, int col, int indent, int width)
{
    for (const char *p = text; *p;) {
        while (*p == ' ')
            p++;
        const char *w = p;
        while (*w && *w != ' ')
            w++;
        int len = (int)(w - p);
        if (!len)
            break;
        char last = b->len ? b->data[b->len - 1] : '\n';
        int space = last != ' ' && last != '\n';
        if (col > indent && col + space + len > width) {
            mp_buf_putc(b, '\n');
            mp_buf_repeat(b, " ", indent);
            col = indent;
        } else if (space) {
            mp_buf_putc(b, ' ');
            col++;
        }
        mp_buf_add(b, p, (size_t)len);
        col += len;
        p = w;
    }
    mp_buf_putc(b, '\n');
}

void mp_buf_pad_to(mp_buf *b, size_t from, int width)
{
    if (b->failed || from > b->len)
        return;
    int w = mp_utf8_width(b->data + from, b->len - from);
    for (; w < width; w++)
        mp_buf_putc(b, ' ');
}

void mp_buf_reset(mp_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

void mp_buf_free(mp_buf *b)
{
    if (!b)
        return;
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
    b->failed = false;
}

const char *mp_buf_str(const mp_buf *b)
{
    return b->data ? b->data : "";
}

void mp_catf(char *buf, size_t n, size_t *k, const char *fmt, ...)
{
    if (n == 0 || *k >= n - 1)
        return;
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(buf + *k, n - *k, fmt, ap);
    va_end(ap);
    if (w < 0) {
        buf[*k] = '\0';
        return;
    }
    if ((size_t)w >= n - *k) {
        *k = n - 1;
        if (n >= 4)
            memcpy(buf + n - 4, "...", 4);
        return;
    }
    *k += (size_t)w;
}
