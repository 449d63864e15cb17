/* SPDX-License-Identifier: Apache-2.0 */
/* script_runtime.h - the shell functions generated scripts carry
 * (the .sh files of src/script/, embedded at build time by
 * cmake/embed_text.cmake): the runtime of setup scripts, that of change
 * scripts, and the functions both share, which the emitter splices into each
 * where it says @COMMON@. */
#ifndef MIGPLAN_SCRIPT_RUNTIME_H
#define MIGPLAN_SCRIPT_RUNTIME_H

#include <stddef.h>

extern const char mp_script_runtime[];
extern const size_t mp_script_runtime_len;
extern const char mp_change_runtime[];
extern const size_t mp_change_runtime_len;
extern const char mp_script_common[];
extern const size_t mp_script_common_len;

#endif
