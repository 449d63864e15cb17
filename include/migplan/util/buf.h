/* SPDX-License-Identifier: Apache-2.0 */
/* buf.h - a growable byte buffer that every emitter writes into.
 *
 * Output is built in memory and written out only when a whole run has
 * succeeded, so a failure never leaves half a file behind. Allocation
 * failure is sticky: later appends do nothing and mp_buf_failed() says so.
 */
#ifndef MIGPLAN_BUF_H
#define MIGPLAN_BUF_H

#include <stdbool.h>
#include <stddef.h>

typedef struct mp_buf {
    char *data; /* NUL-terminated when len > 0; owned by the buffer */
    size_t len;
    size_t cap;
    bool failed; /* an allocation failed; contents are incomplete */
} mp_buf;

#define MP_BUF_INIT                                                            \
    {                                                                          \
        NULL, 0, 0, false                                                      \
    }

/* Append bytes / a string / formatted text. */
void mp_buf_add(mp_buf *b, const char *s, size_t n);
void mp_buf_puts(mp_buf *b, const char *s);
void mp_buf_putc(mp_buf *b, char c);
void mp_buf_printf(mp_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Append c n times. */
void mp_buf_repeat(mp_buf *b, const char *s, int n);
/* Pad with spaces to display width `width` counting UTF-8 code points since
 * byte offset `from`. */
void mp_buf_pad_to(mp_buf *b, size_t from, int width);
/* Append the words of text (split at spaces) wrapped so that no line
 * passes `width` columns, then a newline. The current line already has
 * `col` columns; continuation lines are indented by `indent` spaces. A
 * space separates a word from what precedes it unless that ends in a space
 * or a newline. */
void mp_buf_wrap(mp_buf *b, const char *text, int col, int indent, int width);
/* Append s[0..n) with every byte below 128 that has an entry in esc (the
 * escapes of a syntax: esc['"'] = "&quot;") replaced by that entry, and
 * every other byte as it is. */
void mp_buf_escape(mp_buf *b, const char *s, size_t n,
                   const char *const esc[128]);
/* Number of UTF-8 code points in s[0..n). */
int mp_utf8_width(const char *s, size_t n);

/* Append formatted text to a fixed array buf[0..n) at offset *k, for short
 * messages: output that does not fit is cut (and ends in "..."), *k never
 * passes n - 1, so calls can be chained without checks. */
void mp_catf(char *buf, size_t n, size_t *k, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* Drop the contents, keep the allocation. */
void mp_buf_reset(mp_buf *b);
/* Free the storage; safe on a zeroed or already-freed buffer. */
void mp_buf_free(mp_buf *b);
/* Contents as a C string ("" when empty). */
const char *mp_buf_str(const mp_buf *b);

#endif
