/* SPDX-License-Identifier: Apache-2.0 */
/* lines.h - line-oriented text input for the measurement readers (private
 * to the readers layer).
 *
 * nvidia-smi CSV and Prometheus text are read a line at a time. Each line is
 * checked before it is parsed: UTF-8, no control bytes but tab, and not
 * longer than a limit, so binary or hostile input fails at the byte that is
 * wrong instead of somewhere deep inside a parser.
 */
#ifndef MIGPLAN_READERS_LINES_H
#define MIGPLAN_READERS_LINES_H

#include <stdbool.h>
#include <stddef.h>

#include "migplan/util/error.h"

#define MP_LINE_MAX 65536 /* bytes per line */

typedef struct mp_lines {
    const char *text;
    size_t len;
    size_t pos;
    int line; /* 1-based number of the line last returned */
} mp_lines;

/* Next line as s[0..n), without its "\n" or "\r\n"; false at the end. */
bool mp_lines_next(mp_lines *it, const char **s, size_t *n);

/* 0, or an MP_ESYNTAX diagnostic at path:line:col when s[0..n) is not text
 * (invalid UTF-8, a NUL or control byte) or is longer than MP_LINE_MAX.
 * what names the expected input in the message ("nvidia-smi CSV"). */
int mp_line_check(const char *path, int line, const char *s, size_t n,
                  const char *what, mp_diag *d);

/* text past a leading UTF-8 byte order mark (Windows tools write one),
 * *len less its 3 bytes; text itself when it has none. Lines keep their
 * numbers: the mark is no line of its own. */
const char *mp_skip_bom(const char *text, size_t *len);

/* Is text UTF-16 (a byte order mark, or ASCII with a NUL byte beside
 * each character), as Windows tools such as PowerShell's `>` write it? */
bool mp_is_utf16(const char *text, size_t len);

/* The first line of UTF-16 text as ASCII into out[0..n) ('?' for any other
 * character), NUL-terminated: what it says, to quote in a message. */
void mp_utf16_line(const char *text, size_t len, char *out, size_t n);

/* The 1-based column, in code points, of byte offset off of line s. */
int mp_line_col(const char *s, size_t off);

#endif
