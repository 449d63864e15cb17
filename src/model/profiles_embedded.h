/* SPDX-License-Identifier: Apache-2.0 */
/* profiles_embedded.h - the profile files compiled into the binary.
 * The array is generated at build time by cmake/embed_profiles.cmake. */
#ifndef MIGPLAN_PROFILES_EMBEDDED_H
#define MIGPLAN_PROFILES_EMBEDDED_H

#include <stddef.h>

typedef struct mp_embedded_file {
    const char *name; /* file name inside profiles/ */
    const char *data; /* bytes, NUL-terminated */
    size_t len;
} mp_embedded_file;

extern const mp_embedded_file mp_embedded_profiles[];
extern const size_t mp_embedded_profiles_count;

#endif
