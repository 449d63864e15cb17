/* SPDX-License-Identifier: Apache-2.0 */
/* color.h - ANSI colours (SGR sequences) for terminal output. Emitters that
 * can colour take a flag and use these; whether to colour at all (a
 * terminal, NO_COLOR, --color) is the CLI's decision. */
#ifndef MIGPLAN_COLOR_H
#define MIGPLAN_COLOR_H

#include <stdbool.h>
#include <stddef.h>

#include "migplan/util/buf.h"

#define MP_SGR_RESET "\033[0m"
#define MP_SGR_BOLD "\033[1m"
#define MP_SGR_ERROR "\033[1;31m"   /* bold red, as compilers print it */
#define MP_SGR_WARNING "\033[1;35m" /* bold magenta */
#define MP_SGR_NOTE "\033[1;36m"    /* bold cyan */
#define MP_SGR_CARET "\033[1;32m"   /* bold green */
#define MP_SGR_OLD "\033[31m"       /* red: a value that goes */
#define MP_SGR_NEW "\033[32m"       /* green: the value that comes */
#define MP_SGR_DIM "\033[2m"

/* Append text[0..n) to out, wrapped in sgr and a reset when on. */
void mp_paint(mp_buf *out, bool on, const char *sgr, const char *text,
              size_t n);

/* The colour of the i-th tenant (from 0): a cycle of distinct colours that
 * read on dark and light backgrounds. */
const char *mp_tenant_sgr(int i);

#endif
