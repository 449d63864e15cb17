/* SPDX-License-Identifier: Apache-2.0 */
/* hashidx.h - find an element of the caller's own array by hash, in
 * expected constant time.
 *
 * The caller keeps its elements in an array of its own and tells the index
 * each one's hash as it appends it; a lookup walks the positions added with
 * the same hash and asks the caller which of them is the one sought. Open
 * addressing (linear probing, at most half full); a slot keeps its hash,
 * so that growing never needs the elements. The hashes are the caller's;
 * mp_hash32_add builds one (32-bit FNV-1a).
 */
#ifndef MIGPLAN_HASHIDX_H
#define MIGPLAN_HASHIDX_H

#include <stdbool.h>
#include <stdint.h>

typedef struct mp_hashidx_slot {
    uint32_t hash;
    int pos; /* a position + 1, or 0 when the slot is empty */
} mp_hashidx_slot;

typedef struct mp_hashidx {
    mp_hashidx_slot *slots; /* cap of them */
    int n;                  /* positions added: 0 .. n-1 */
    int cap;                /* 0, or a power of two, at least 2 * n */
} mp_hashidx;

#define MP_HASHIDX_INIT                                                        \
    {                                                                          \
        NULL, 0, 0                                                             \
    }

/* A 32-bit FNV-1a hash: start from MP_HASH32_INIT, add every value. */
#define MP_HASH32_INIT 2166136261u
static inline uint32_t mp_hash32_add(uint32_t h, uint32_t v)
{
    return (h ^ v) * 16777619u;
}

/* Is the element at position pos of the caller's array arr the one key
 * describes? */
typedef bool (*mp_hashidx_same)(const void *arr, int pos, const void *key);

/* The position, among those added with hash h, of the element that same()
 * says matches key; -1 when there is none. */
int mp_hashidx_find(const mp_hashidx *x, uint32_t h, mp_hashidx_same same,
                    const void *arr, const void *key);

/* Add the next position (x->n), whose element (the caller stores it there)
 * has hash h. Returns that position, or -1 when out of memory (x then
 * holds the positions it held). */
int mp_hashidx_add(mp_hashidx *x, uint32_t h);

/* Release the index (not the caller's array); it may be reused afterwards.
 * NULL is fine. */
void mp_hashidx_free(mp_hashidx *x);

#endif
