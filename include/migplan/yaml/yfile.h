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

#endif
