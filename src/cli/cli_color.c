// SPDX-License-Identifier: Apache-2.0
/* cli_color.c - the colour decision and the painting of the text the CLI
 * writes to a terminal. Painting works on finished text so that every
 * output without colour stays byte for byte what the emitters wrote. */
#include "cli_color.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "migplan/util/color.h"

int cli_color_check(cli_ctx *c)
{
    const char *v = c->color;
    if (!v || strcmp(v, "auto") == 0 || strcmp(v, "always") == 0 ||
        strcmp(v, "never") == 0)
        return 0;
    return cli_usage_error(c, "--color takes auto, always or never, not '%s'",
                           v);
}

bool cli_color(const cli_ctx *c, int fd, const char *path)
{
    const char *v = c->color ? c->color : "auto";
    if (strcmp(v, "always") == 0)
        return true;
    if (strcmp(v, "never") == 0 || (path && strcmp(path, "-") != 0))
        return false;
    const char *no = getenv("NO_COLOR");
    const char *term = getenv("TERM");
    if ((no && *no) || (term && strcmp(term, "dumb") == 0))
        return false;
    return isatty(fd) == 1;
}

/* The severity a line reports, as "LOCATION: SEV: ..." or "SEV: ...":
 * *at and *len are where the word is; NULL when none. */
static const char *severity(const char *s, size_t n, size_t *at, size_t *len)
{
    static const char *const words[] = {"error", "warning", "note"};
    static const char *const sgr[] = {MP_SGR_ERROR, MP_SGR_WARNING,
                                      MP_SGR_NOTE};
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && !(s[i - 1] == ' ' && i >= 2 && s[i - 2] == ':'))
            continue;
        for (int k = 0; k < 3; k++) {
            size_t w = strlen(words[k]);
            if (i + w + 1 < n && strncmp(s + i, words[k], w) == 0 &&
                s[i + w] == ':' && s[i + w + 1] == ' ') {
                *at = i;
                *len = w;
                return sgr[k];
            }
        }
    }
    return NULL;
}

static bool caret_line(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && s[i] == ' ')
        i++;
    return i < n && s[i] == '^';
}

void cli_paint_findings(const char *text, mp_buf *out)
{
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        size_t at, len;
        const char *sgr = severity(p, n, &at, &len);
        if (sgr) {
            if (at > 2)
                mp_paint(out, true, MP_SGR_BOLD, p, at - 2);
            mp_buf_add(out, p + (at > 2 ? at - 2 : 0), at > 2 ? 2 : at);
            mp_paint(out, true, sgr, p + at, len);
            mp_buf_add(out, p + at + len, n - at - len);
        } else if (caret_line(p, n)) {
            size_t sp = strspn(p, " ");
            mp_buf_add(out, p, sp);
            mp_paint(out, true, MP_SGR_CARET, p + sp, n - sp);
        } else {
            mp_buf_add(out, p, n);
        }
        if (nl)
            mp_buf_putc(out, '\n');
        p += n + (nl != NULL);
    }
}

void cli_put_findings(const cli_ctx *c, const char *text, FILE *f)
{
    if (!cli_color(c, fileno(f), NULL)) {
        fputs(text, f);
        return;
    }
    mp_buf b = MP_BUF_INIT;
    cli_paint_findings(text, &b);
    fputs(mp_buf_str(&b), f);
    mp_buf_free(&b);
}

/* "  what: old -> new": the old value red, the new one green. */
static void diff_line(const char *s, size_t n, mp_buf *out)
{
    const char *arrow = NULL, *colon = NULL;
    for (size_t i = 0; i + 4 <= n; i++)
        if (strncmp(s + i, " -> ", 4) == 0)
            arrow = s + i;
    for (const char *q = s; arrow && q + 2 <= arrow; q++)
        if (q[0] == ':' && q[1] == ' ')
            colon = q;
    if (n < 2 || s[0] != ' ' || !arrow || !colon) {
        mp_buf_add(out, s, n);
        return;
    }
    const char *old = colon + 2, *new = arrow + 4;
    mp_buf_add(out, s, (size_t)(old - s));
    mp_paint(out, true, MP_SGR_OLD, old, (size_t)(arrow - old));
    mp_buf_puts(out, " -> ");
    mp_paint(out, true, MP_SGR_NEW, new, (size_t)(s + n - new));
}

void cli_paint_diff(const char *text, mp_buf *out)
{
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        diff_line(p, n, out);
        if (nl)
            mp_buf_putc(out, '\n');
        p += n + (nl != NULL);
    }
}
