/* SPDX-License-Identifier: Apache-2.0 */
/* script_runtime.h - the shell functions every generated script carries
 * (src/script_runtime.sh, embedded at build time by cmake/embed_text.cmake). */
#ifndef MIGPLAN_SCRIPT_RUNTIME_H
#define MIGPLAN_SCRIPT_RUNTIME_H

#include <stddef.h>

extern const char mp_script_runtime[];
extern const size_t mp_script_runtime_len;

#endif
