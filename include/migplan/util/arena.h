/* SPDX-License-Identifier: Apache-2.0 */
/* arena.h - a bump allocator: many small allocations, one free; and the
 * one way a malloc'd array grows (mp_grow).
 *
 * The profile database and every parsed YAML document live in an arena, so
 * their owner releases everything with a single mp_arena_free().
 */
#ifndef MIGPLAN_ARENA_H
#define MIGPLAN_ARENA_H

#include <stddef.h>

typedef struct mp_arena_block mp_arena_block;

typedef struct mp_arena {
    mp_arena_block *head;
    size_t used_total; /* bytes handed out, for limits and benchmarks */
} mp_arena;

#define MP_ARENA_INIT                                                          \
    {                                                                          \
        NULL, 0                                                                \
    }

/* Zeroed memory aligned for any type, owned by the arena; NULL on failure. */
void *mp_arena_alloc(mp_arena *a, size_t n);
/* Copy of s[0..n) with a terminating NUL, owned by the arena. */
char *mp_arena_strndup(mp_arena *a, const char *s, size_t n);
char *mp_arena_strdup(mp_arena *a, const char *s);
/* printf into the arena. */
char *mp_arena_printf(mp_arena *a, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Release every allocation; the arena may be reused afterwards. */
void mp_arena_free(mp_arena *a);

/* Free everything of an object that owns its memory through arena a, then
 * zero the object (size bytes at obj, a included), so that freeing it again
 * is safe: the whole body of such an object's _free. */
void mp_arena_release(mp_arena *a, void *obj, size_t size);

/* Make room for `need` elements of `size` bytes in a malloc'd array: arr
 * is the address of the array pointer (T **), *cap its capacity. When need
 * is over *cap, *cap doubles (from `first`) until it holds need and the
 * array is reallocated. Returns 0, or -1 when out of memory or the size
 * would overflow, leaving the array and *cap as they were. */
int mp_grow(void *arr, int *cap, int need, size_t size, int first);
/* mp_grow for an array owned by arena a: the grown array is a fresh arena
 * block holding a copy of the old one (whose bytes stay in the arena until
 * it is freed; at most as many as the final array), so the owner of the
 * arena frees it with everything else. Same returns as mp_grow. */
int mp_arena_grow(mp_arena *a, void *arr, int *cap, int need, size_t size,
                  int first);

#endif
