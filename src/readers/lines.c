/* SPDX-License-Identifier: Apache-2.0 */
/* lines.c - checked line-by-line reading for the measurement readers. */
#include "lines.h"

#include <string.h>

#include "migplan/util/buf.h"

bool mp_lines_next(mp_lines *it, const char **s, size_t *n)
{
    if (it->pos >= it->len)
        return false;
    const char *start = it->text + it->pos;
    const char *nl = memchr(start, '\n', it->len - it->pos);
    size_t e = nl ? (size_t)(nl - start) : it->len - it->pos;
    it->pos += e + (nl ? 1 : 0);
    if (e > 0 && start[e - 1] == '\r')
        e--;
    *s = start;
    *n = e;
    it->line++;
    return true;
}

/* Length of the UTF-8 sequence at s[0..n), or 0 when it is not valid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t len;
    unsigned min;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        min = 0x10000;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    unsigned cp = c & (0x7Fu >> len);
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3Fu);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

int mp_line_check(const char *path, int line, const char *s, size_t n,
                  const char *what, mp_diag *d)
{
    if (n > MP_LINE_MAX)
        return mp_diag_set(d, MP_ESYNTAX, path, line, 1,
                           "line is longer than %d bytes; this is not %s",
                           MP_LINE_MAX, what);
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        size_t l = u[i] < 0x20 || u[i] == 0x7F ? 0 : utf8_len(u + i, n - i);
        if (u[i] == '\t')
            l = 1;
        if (l == 0)
            return mp_diag_set(d, MP_ESYNTAX, path, line, mp_line_col(s, i),
                               "not a readable text: byte 0x%02X; this must "
                               "be %s as UTF-8 text",
                               u[i], what);
        i += l;
    }
    return 0;
}

int mp_line_col(const char *s, size_t off)
{
    return 1 + mp_utf8_width(s, off);
}

const char *mp_skip_bom(const char *text, size_t *len)
{
    if (*len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        *len -= 3;
        return text + 3;
    }
    return text;
}
