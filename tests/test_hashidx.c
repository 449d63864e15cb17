// SPDX-License-Identifier: Apache-2.0
/* test_hashidx.c - positions of the caller's elements by hash: found after
 * the table grows, told apart when hashes collide, absent keys not found. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "migplan/util/hashidx.h"

static bool same_int(const void *arr, int pos, const void *key)
{
    return ((const int *)arr)[pos] == *(const int *)key;
}

static uint32_t hash_int(int v)
{
    return mp_hash32_add(MP_HASH32_INIT, (uint32_t)v);
}

/* 5000 keys (the slot table doubles several times): each is found at the
 * position it was added at, keys never added are not. */
static void test_found_after_growth(void **state)
{
    (void)state;
    enum { N = 5000 };
    int *v = malloc(N * sizeof(*v));
    assert_non_null(v);
    mp_hashidx x = MP_HASHIDX_INIT;
    for (int i = 0; i < N; i++) {
        v[i] = i * 7 + 3;
        assert_int_equal(mp_hashidx_add(&x, hash_int(v[i])), i);
    }
    assert_int_equal(x.n, N);
    assert_true(x.cap >= 2 * N);
    for (int i = 0; i < N; i++) {
        int key = i * 7 + 3, absent = i * 7 + 4;
        assert_int_equal(mp_hashidx_find(&x, hash_int(key), same_int, v, &key),
                         i);
        assert_int_equal(
            mp_hashidx_find(&x, hash_int(absent), same_int, v, &absent), -1);
    }
    mp_hashidx_free(&x);
    free(v);
}

/* Every element under one hash: same() tells them apart, and a key with
 * that hash but no element is not found. */
static void test_collisions(void **state)
{
    (void)state;
    int v[40];
    mp_hashidx x = MP_HASHIDX_INIT;
    for (int i = 0; i < 40; i++) {
        v[i] = 100 + i;
        assert_int_equal(mp_hashidx_add(&x, 42u), i);
    }
    for (int i = 0; i < 40; i++) {
        int key = 100 + i;
        assert_int_equal(mp_hashidx_find(&x, 42u, same_int, v, &key), i);
        assert_int_equal(mp_hashidx_find(&x, 43u, same_int, v, &key), -1);
    }
    int none = 99;
    assert_int_equal(mp_hashidx_find(&x, 42u, same_int, v, &none), -1);
    mp_hashidx_free(&x);
}

/* An empty index finds nothing; freeing twice, or NULL, is safe, and a
 * freed index is reused from position 0. */
static void test_empty_and_reuse(void **state)
{
    (void)state;
    mp_hashidx x = MP_HASHIDX_INIT;
    int key = 1, v[1] = {1};
    assert_int_equal(mp_hashidx_find(&x, hash_int(key), same_int, v, &key), -1);
    assert_int_equal(mp_hashidx_add(&x, hash_int(key)), 0);
    mp_hashidx_free(&x);
    mp_hashidx_free(&x);
    mp_hashidx_free(NULL);
    assert_int_equal(mp_hashidx_find(&x, hash_int(key), same_int, v, &key), -1);
    assert_int_equal(mp_hashidx_add(&x, hash_int(key)), 0);
    assert_int_equal(mp_hashidx_find(&x, hash_int(key), same_int, v, &key), 0);
    mp_hashidx_free(&x);
}

/* FNV-1a of the bytes 'a' (0x61): the published 32-bit test vector. */
static void test_fnv_vector(void **state)
{
    (void)state;
    assert_int_equal(mp_hash32_add(MP_HASH32_INIT, 'a'), 0xe40c292cu);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_found_after_growth),
        cmocka_unit_test(test_collisions),
        cmocka_unit_test(test_empty_and_reuse),
        cmocka_unit_test(test_fnv_vector),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
