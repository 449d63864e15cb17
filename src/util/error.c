/* SPDX-License-Identifier: Apache-2.0 */
/* error.c - error code names, diagnostics and how they are shown: the
 * message, then the source line with a caret under the column. */
#include "migplan/util/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *mp_strerror_name(int code)
{
    switch (code) {
#define MP_ERRNO_NAME(name, val, desc)                                         \
    case (val):                                                                \
        return "E" #name;
        MP_ERRNO_MAP(MP_ERRNO_NAME)
#undef MP_ERRNO_NAME
    }
    return "EUNKNOWN";
}

const char *mp_strerror(int code)
{
    switch (code) {
#define MP_ERRNO_DESC(name, val, desc)                                         \
    case (val):                                                                \
        return desc;
        MP_ERRNO_MAP(MP_ERRNO_DESC)
#undef MP_ERRNO_DESC
    }
    return "unknown error";
}

void mp_diag_clear(mp_diag *d)
{
    if (!d)
        return;
    memset(d, 0, sizeof(*d));
}

int mp_diag_set(mp_diag *d, int code, const char *file, int line, int col,
                const char *fmt, ...)
{
    if (!d)
        return code;
    d->code = code;
    snprintf(d->file, sizeof(d->file), "%s", file ? file : "");
    d->line = line;
    d->col = col;
    d->quoted = false; /* a quote belongs to the diagnostic it was made for */
    d->source[0] = '\0';
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
    va_end(ap);
    return code;
}

void mp_diag_format(const mp_diag *d, char *buf, size_t n)
{
    if (!n)
        return;
    if (d->file[0] && d->line > 0)
        snprintf(buf, n, "%s:%d:%d: error: %s", d->file, d->line,
                 d->col > 0 ? d->col : 1, d->msg);
    else if (d->file[0])
        snprintf(buf, n, "%s: error: %s", d->file, d->msg);
    else
        snprintf(buf, n, "error: %s", d->msg);
}

const char *mp_line_end(const char *p, const char *end)
{
    for (; p < end; p++)
        if (*p == '\n' || (*p == '\r' && (p + 1 == end || p[1] != '\n')))
            return p;
    return NULL;
}

bool mp_text_line(const char *text, size_t len, int line, const char **s,
                  size_t *n)
{
    if (!text || line < 1)
        return false;
    const char *b = text, *end = text + len;
    for (int l = 1; l < line; l++) {
        const char *nl = mp_line_end(b, end);
        if (!nl)
            return false;
        b = nl + 1;
    }
    const char *nl = mp_line_end(b, end);
    const char *e = nl ? nl : end;
    if (e > b && e[-1] == '\r')
        e--;
    *s = b;
    *n = (size_t)(e - b);
    return true;
}

static bool is_control(char c)
{
    return (unsigned char)c < 0x20 && c != '\t';
}

void mp_diag_quote(mp_diag *d, const char *path, const char *text, size_t len)
{
    const char *s;
    size_t n;
    if (!d || !text || !path || d->line < 1 || d->quoted ||
        strcmp(d->file, path) != 0 ||
        !mp_text_line(text, len, d->line, &s, &n) || n >= sizeof(d->source))
        return;
    for (size_t i = 0; i < n; i++)
        d->source[i] = is_control(s[i]) ? '?' : s[i];
    d->source[n] = '\0';
    d->quoted = true;
}

void mp_caret_line(mp_buf *out, const char *s, size_t n, int col)
{
    if (n >= MP_DIAG_QUOTE_MAX)
        return;
    /* show the line as text: control bytes would garble a terminal */
    mp_buf_puts(out, "  ");
    for (size_t i = 0; i < n; i++)
        mp_buf_putc(out, is_control(s[i]) ? '?' : s[i]);
    mp_buf_puts(out, "\n  ");
    int c = 1;
    for (size_t i = 0; i < n && c < col; i++) {
        if (((unsigned char)s[i] & 0xC0) == 0x80)
            continue;
        mp_buf_putc(out, s[i] == '\t' ? '\t' : ' ');
        c++;
    }
    mp_buf_puts(out, "^\n");
}

void mp_diag_render(const mp_diag *d, mp_buf *out)
{
    char line[1800];
    mp_diag_format(d, line, sizeof(line));
    mp_buf_printf(out, "%s\n", line);
    if (d->quoted && d->line > 0)
        mp_caret_line(out, d->source, strlen(d->source), d->col);
}
