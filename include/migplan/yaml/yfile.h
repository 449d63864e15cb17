/* SPDX-License-Identifier: Apache-2.0 */
/* yfile.h - reading a whole input file (or standard input) into memory,
 * with a size limit and messages that say what to do (yfile.c). */
#ifndef MIGPLAN_YFILE_H
#define MIGPLAN_YFILE_H

#include <stddef.h>

#include "migplan/util/error.h"

/* Read a whole file or stdin ("-", shown as "<stdin>") into a malloc'd,
 * NUL-terminated buffer owned by the caller (free()); *out_len excludes the
 * NUL. Refuses directories, missing and unreadable paths (MP_EIO) and input
 * over max_bytes (MP_ELIMIT, before reading when the size is known), with
 * d naming the path. *out is NULL on error. */
int mp_read_file(const char *path, size_t max_bytes, char **out,
                 size_t *out_len, mp_diag *d);

/* One input as read: kept while a diagnostic about it may still be found,
 * so that the diagnostic quotes its line from the very text that was
 * parsed (standard input too). */
typedef struct mp_input {
    const char *path;  /* as given; "-" is standard input */
    const char *shown; /* as diagnostics name it: "<stdin>" for "-" */
    char *text;        /* NUL-terminated, owned; NULL until read */
    size_t len;
} mp_input;

/* Read path into out like mp_read_file, within the default input size
 * limit; a directory is refused as not being `what` ("a YAML file",
 * "nvidia-smi CSV output"). out->path keeps path (not copied). */
int mp_input_read(const char *path, const char *what, mp_input *out,
                  mp_diag *d);

/* Quote d's line from s when d is about it (by either of its names). Safe
 * with s NULL or not read. */
void mp_input_quote(const mp_input *s, mp_diag *d);

/* Free the text of s (s may be NULL); its names stay. */
void mp_input_free(mp_input *s);

#endif
