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

/* 'L' or 'B' (little or big endian) when text is UTF-16, else 0; *skip
 * the bytes of its byte order mark. */
static int utf16_order(const unsigned char *u, size_t len, size_t *skip)
{
    *skip = 2;
    if (len >= 2 && u[0] == 0xFF && u[1] == 0xFE)
        return 'L';
    if (len >= 2 && u[0] == 0xFE && u[1] == 0xFF)
        return 'B';
    /* no mark: ASCII text as UTF-16 has a NUL in every other byte */
    *skip = 0;
    if (len >= 4 && u[0] && !u[1] && u[2] && !u[3])
        return 'L';
    if (len >= 4 && !u[0] && u[1] && !u[2] && u[3])
        return 'B';
    return 0;
}

bool mp_is_utf16(const char *text, size_t len)
{
    size_t skip;
    return utf16_order((const unsigned char *)text, len, &skip) != 0;
}

void mp_utf16_line(const char *text, size_t len, char *out, size_t n)
{
    const unsigned char *u = (const unsigned char *)text;
    size_t i, k = 0;
    int order = utf16_order(u, len, &i);
    for (; order && i + 1 < len && k + 1 < n; i += 2) {
        unsigned c = order == 'L' ? u[i] | (unsigned)u[i + 1] << 8
                                  : (unsigned)u[i] << 8 | u[i + 1];
        if (c == '\n' || c == '\r')
            break;
        out[k++] = (c >= 0x20 && c < 0x7F) || c == '\t' ? (char)c : '?';
    }
    if (n)
        out[k] = '\0';
}
