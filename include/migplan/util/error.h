/* SPDX-License-Identifier: Apache-2.0 */
/* error.h - error codes and positioned diagnostics shared by every module.
 *
 * Every fallible function returns 0 or a negative MP_E* code and, on failure,
 * fills a caller-provided mp_diag once, where the problem is found. Callers
 * propagate the code unchanged. The message is one line that says what to do.
 */
#ifndef MIGPLAN_ERROR_H
#define MIGPLAN_ERROR_H

#include <stdbool.h>
#include <stddef.h>

#include "migplan/util/buf.h"

/* One list generates the codes, their names and their short descriptions. */
#define MP_ERRNO_MAP(X)                                                        \
    X(OK, 0, "success")                                                        \
    X(NOMEM, -1, "out of memory")                                              \
    X(IO, -2, "cannot read or write a file")                                   \
    X(SYNTAX, -3, "malformed input")                                           \
    X(SCHEMA, -4, "input does not follow the schema")                          \
    X(LIMIT, -5, "a documented limit was exceeded")                            \
    X(NOTFOUND, -6, "no such item")                                            \
    X(USAGE, -7, "invalid command-line usage")                                 \
    X(INFEASIBLE, -8, "no solution exists")                                    \
    X(TIMEOUT, -9, "time limit reached")                                       \
    X(INTERNAL, -10, "internal error")

enum mp_errno {
#define MP_ERRNO_ENUM(name, val, desc) MP_E##name = (val),
    MP_ERRNO_MAP(MP_ERRNO_ENUM)
#undef MP_ERRNO_ENUM
};

/* Longest source line a diagnostic quotes (longer lines are not shown). */
#define MP_DIAG_QUOTE_MAX 400

/* A positioned diagnostic. line and col are 1-based; 0 means "unknown".
 * source is the line at `line`, copied from the text that was parsed (so
 * standard input is quoted too) with control bytes shown as '?', when
 * quoted is set. */
typedef struct mp_diag {
    int code;       /* MP_E* */
    char file[512]; /* path as given by the user, "" when not file-related */
    int line;
    int col;
    char msg[1024];
    bool quoted;
    char source[MP_DIAG_QUOTE_MAX];
} mp_diag;

/* Name ("EIO") and description of an error code; never NULL. */
const char *mp_strerror_name(int code);
const char *mp_strerror(int code);

/* Reset a diagnostic to "no error". */
void mp_diag_clear(mp_diag *d);

/* Fill d (if not NULL) and return code. file may be NULL. Formats like printf.
 */
int mp_diag_set(mp_diag *d, int code, const char *file, int line, int col,
                const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 6, 7)))
#endif
    ;

/* Prefix-format a diagnostic as "file:line:col: error: msg" into buf. */
void mp_diag_format(const mp_diag *d, char *buf, size_t n);

/* The end of the line at p (text up to end): its '\n', or a '\r' not
 * before one (CR-only line ends, as old Mac tools write); NULL when the
 * text ends first. A CRLF line keeps its '\r' before the end. */
const char *mp_line_end(const char *p, const char *end);

/* Line `line` (1-based) of text[0..len) as *s[0..*n), without its "\n",
 * "\r\n" or lone "\r"; false when text is NULL or has no such line. */
bool mp_text_line(const char *text, size_t len, int line, const char **s,
                  size_t *n);

/* Quote the source line of d from text[0..len), the buffer that was parsed
 * as `path`: only when d is about that file, has a line, no quote yet, and
 * the line is shorter than MP_DIAG_QUOTE_MAX. Safe with d or text NULL. */
void mp_diag_quote(mp_diag *d, const char *path, const char *text, size_t len);

/* Append d as "file:line:col: error: msg\n", then its quoted source line
 * and a caret under the column, as compilers do. */
void mp_diag_render(const mp_diag *d, mp_buf *out);

/* Append "  LINE\n  ^\n" for the source line s[0..n), the caret under
 * column col (1-based, counted in UTF-8 code points, tabs kept). Control
 * bytes show as '?'. Lines of MP_DIAG_QUOTE_MAX bytes or more are skipped:
 * they would wrap the terminal into noise. */
void mp_caret_line(mp_buf *out, const char *s, size_t n, int col);

#endif
