/* SPDX-License-Identifier: Apache-2.0 */
/* intern.h - a string table that gives each distinct string one copy and a
 * small dense id.
 *
 * The measurement readers see the same process names, GPU UUIDs and label
 * values millions of times; interning keeps one copy of each, and the ids
 * let callers keep per-string counters in plain arrays instead of hashing
 * again. Lookups are expected O(1) (open addressing, FNV-1a).
 */
#ifndef MIGPLAN_INTERN_H
#define MIGPLAN_INTERN_H

#include <stddef.h>

#include "migplan/util/arena.h"

typedef struct mp_intern {
    mp_arena arena;    /* owns every string */
    const char **strs; /* strs[id], NUL-terminated; malloc'd array */
    size_t *lens;      /* lens[id] */
    size_t n;          /* distinct strings so far */
    size_t *slots;     /* open-addressing table of id + 1 (0 = empty) */
    size_t cap;        /* slots, a power of two */
} mp_intern;

#define MP_INTERN_INIT                                                         \
    {                                                                          \
        MP_ARENA_INIT, NULL, NULL, 0, NULL, 0                                  \
    }

/* Intern s[0..len) (it may hold NULs). *id gets its id (0, 1, 2, ... in
 * order of first appearance) and, when out is not NULL, *out the table's
 * copy, valid until mp_intern_free(). Returns 0 or MP_ENOMEM. */
int mp_intern_add(mp_intern *t, const char *s, size_t len, size_t *id,
                  const char **out);

/* The string with this id (id < t->n). */
const char *mp_intern_str(const mp_intern *t, size_t id);

/* Release everything; the table may be reused afterwards. NULL is fine. */
void mp_intern_free(mp_intern *t);

#endif
