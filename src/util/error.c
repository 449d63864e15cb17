/* error.c - error code names and diagnostic helpers. */
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
