/* SPDX-License-Identifier: Apache-2.0 */
/* arena.c - bump allocator with a linked list of blocks. */
#include "migplan/util/arena.h"

#include <limits.h>
#include <stdalign.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct mp_arena_block {
    mp_arena_block *next;
    size_t cap;
    size_t used;
    alignas(max_align_t) unsigned char data[];
};

/* The first block of an arena; each next one doubles, up to BLOCK_MAX, so
 * that a large document takes few blocks. */
#define BLOCK_MIN (64 * 1024)
#define BLOCK_MAX (4 * 1024 * 1024)

/* A new block of at least n bytes. Blocks come from calloc, which gets
 * memory fresh from the system zeroed without writing it (only reused
 * memory is cleared), and each byte of a block is handed out once: so
 * mp_arena_alloc returns zeroed memory without a memset of its own, and
 * the pages a caller never writes are never touched. */
static mp_arena_block *new_block(const mp_arena *a, size_t n)
{
    size_t cap = a->head ? a->head->cap * 2 : BLOCK_MIN;
    if (cap > BLOCK_MAX)
        cap = BLOCK_MAX;
    if (cap < n)
        cap = n;
    mp_arena_block *b = calloc(1, sizeof(*b) + cap);
    if (b)
        b->cap = cap;
    return b;
}

void *mp_arena_alloc(mp_arena *a, size_t n)
{
    const size_t align = alignof(max_align_t);
    if (n > SIZE_MAX / 2)
        return NULL;
    n = (n + align - 1) & ~(align - 1);
    if (n == 0)
        n = align;
    mp_arena_block *b = a->head;
    if (!b || b->cap - b->used < n) {
        mp_arena_block *nb = new_block(a, n);
        if (!nb)
            return NULL;
        if (b && nb->cap - n < b->cap - b->used) {
            /* a large allocation: its block goes behind the head, which
             * keeps serving the small ones */
            nb->next = b->next;
            b->next = nb;
        } else {
            nb->next = b;
            a->head = nb;
        }
        b = nb;
    }
    void *p = b->data + b->used;
    b->used += n;
    a->used_total += n;
    return p;
}

char *mp_arena_strndup(mp_arena *a, const char *s, size_t n)
{
    char *p = mp_arena_alloc(a, n + 1);
    if (!p)
        return NULL;
    if (n)
        memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *mp_arena_strdup(mp_arena *a, const char *s)
{
    return mp_arena_strndup(a, s, strlen(s));
}

char *mp_arena_printf(mp_arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *p = mp_arena_alloc(a, (size_t)n + 1);
    if (!p)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

void mp_arena_free(mp_arena *a)
{
    if (!a)
        return;
    mp_arena_block *b = a->head;
    while (b) {
        mp_arena_block *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
    a->used_total = 0;
}

void mp_arena_release(mp_arena *a, void *obj, size_t size)
{
    mp_arena_free(a);
    memset(obj, 0, size);
}

/* The capacity mp_grow() and mp_arena_grow() move to: *cap doubled from
 * `first` until it holds need; -1 when it or its byte size overflows. */
static int grown_cap(int cap, int need, size_t size, int first)
{
    int nc = cap > 0 ? cap : first;
    while (nc < need) {
        if (nc > INT_MAX / 2)
            return -1;
        nc *= 2;
    }
    if (size && (size_t)nc > SIZE_MAX / size)
        return -1;
    return nc;
}

int mp_grow(void *arr, int *cap, int need, size_t size, int first)
{
    if (need <= *cap)
        return 0;
    int nc = grown_cap(*cap, need, size, first);
    if (nc < 0)
        return -1;
    void *old;
    memcpy(&old, arr, sizeof(old)); /* arr is a T **: any object pointer */
    void *grown = realloc(old, (size_t)nc * size);
    if (!grown)
        return -1;
    memcpy(arr, &grown, sizeof(grown));
    *cap = nc;
    return 0;
}

int mp_arena_grow(mp_arena *a, void *arr, int *cap, int need, size_t size,
                  int first)
{
    if (need <= *cap)
        return 0;
    int nc = grown_cap(*cap, need, size, first);
    if (nc < 0)
        return -1;
    void *grown = mp_arena_alloc(a, (size_t)nc * size);
    if (!grown)
        return -1;
    void *old;
    memcpy(&old, arr, sizeof(old)); /* arr is a T **: any object pointer */
    if (old && *cap > 0)
        memcpy(grown, old, (size_t)*cap * size);
    memcpy(arr, &grown, sizeof(grown));
    *cap = nc;
    return 0;
}
