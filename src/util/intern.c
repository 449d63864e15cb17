/* SPDX-License-Identifier: Apache-2.0 */
/* intern.c - string interning with dense ids (open addressing, FNV-1a). */
#include "migplan/util/intern.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "migplan/util/error.h"

static uint64_t fnv1a(const char *s, size_t len)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ull;
    }
    return h;
}

/* Double the slot table (and the id arrays with it) and rehash. */
static int grow(mp_intern *t)
{
    size_t ncap = t->cap ? t->cap * 2 : 64;
    size_t *slots = calloc(ncap, sizeof(*slots));
    const char **strs = realloc(t->strs, (ncap / 2) * sizeof(*strs));
    if (strs)
        t->strs = strs;
    size_t *lens = realloc(t->lens, (ncap / 2) * sizeof(*lens));
    if (lens)
        t->lens = lens;
    if (!slots || !strs || !lens) {
        free(slots);
        return MP_ENOMEM;
    }
    for (size_t id = 0; id < t->n; id++) {
        size_t i = (size_t)fnv1a(t->strs[id], t->lens[id]) & (ncap - 1);
        while (slots[i])
            i = (i + 1) & (ncap - 1);
        slots[i] = id + 1;
    }
    free(t->slots);
    t->slots = slots;
    t->cap = ncap;
    return 0;
}

int mp_intern_add(mp_intern *t, const char *s, size_t len, size_t *id,
                  const char **out)
{
    /* keep the load factor under one half */
    if ((t->n + 1) * 2 > t->cap && grow(t) != 0)
        return MP_ENOMEM;
    size_t i = (size_t)fnv1a(s, len) & (t->cap - 1);
    while (t->slots[i]) {
        size_t k = t->slots[i] - 1;
        if (t->lens[k] == len && memcmp(t->strs[k], s, len) == 0) {
            *id = k;
            if (out)
                *out = t->strs[k];
            return 0;
        }
        i = (i + 1) & (t->cap - 1);
    }
    char *copy = mp_arena_strndup(&t->arena, s, len);
    if (!copy)
        return MP_ENOMEM;
    t->strs[t->n] = copy;
    t->lens[t->n] = len;
    t->slots[i] = t->n + 1;
    *id = t->n++;
    if (out)
        *out = copy;
    return 0;
}

const char *mp_intern_str(const mp_intern *t, size_t id)
{
    return t->strs[id];
}

void mp_intern_free(mp_intern *t)
{
    if (!t)
        return;
    mp_arena_free(&t->arena);
    free(t->strs);
    free(t->lens);
    free(t->slots);
    memset(t, 0, sizeof(*t));
}
