// SPDX-License-Identifier: Apache-2.0
/* hashidx.c - positions of the caller's elements by hash (open
 * addressing, linear probing). */
#include "migplan/util/hashidx.h"

#include <stdlib.h>

int mp_hashidx_find(const mp_hashidx *x, uint32_t h, mp_hashidx_same same,
                    const void *arr, const void *key)
{
    uint32_t mask = (uint32_t)x->cap - 1;
    for (uint32_t i = h & mask; x->cap && x->slots[i].pos; i = (i + 1) & mask)
        if (x->slots[i].hash == h && same(arr, x->slots[i].pos - 1, key))
            return x->slots[i].pos - 1;
    return -1;
}

/* Put s into the first empty slot of its hash in slots[0..cap). */
static void put(mp_hashidx_slot *slots, int cap, mp_hashidx_slot s)
{
    uint32_t mask = (uint32_t)cap - 1, i = s.hash & mask;
    while (slots[i].pos)
        i = (i + 1) & mask;
    slots[i] = s;
}

/* Twice the slots (64 at first), every position moved over. */
static int grow(mp_hashidx *x)
{
    int cap = x->cap ? 2 * x->cap : 64;
    mp_hashidx_slot *slots = calloc((size_t)cap, sizeof(*slots));
    if (!slots)
        return -1;
    for (int i = 0; i < x->cap; i++)
        if (x->slots[i].pos)
            put(slots, cap, x->slots[i]);
    free(x->slots);
    x->slots = slots;
    x->cap = cap;
    return 0;
}

int mp_hashidx_add(mp_hashidx *x, uint32_t h)
{
    if (2 * (x->n + 1) > x->cap && grow(x))
        return -1;
    put(x->slots, x->cap, (mp_hashidx_slot){h, x->n + 1});
    return x->n++;
}

void mp_hashidx_free(mp_hashidx *x)
{
    if (x) {
        free(x->slots);
        *x = (mp_hashidx)MP_HASHIDX_INIT;
    }
}
