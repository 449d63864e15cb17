/* SPDX-License-Identifier: Apache-2.0 */
/* test_buf.c - the growable buffer, the bounded message appender, table
 * escaping and growable arrays. */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "migplan/util/arena.h"
#include "migplan/util/buf.h"

static void test_buf_grows(void **state)
{
    (void)state;
    mp_buf b = MP_BUF_INIT;
    assert_string_equal(mp_buf_str(&b), "");
    for (int i = 0; i < 10000; i++)
        mp_buf_printf(&b, "%d,", i % 10);
    assert_int_equal(b.len, 20000);
    assert_false(b.failed);
    assert_memory_equal(b.data, "0,1,2,", 6);
    mp_buf_reset(&b);
    assert_int_equal(b.len, 0);
    mp_buf_free(&b);
    mp_buf_free(&b); /* safe twice */
}

/* Formatted once into the spare room: texts that fit, that fill it to the
 * byte, and that do not fit (formatted again after growing) all come out
 * whole, at any length of what is already there. */
static void test_buf_printf_fits_or_grows(void **state)
{
    (void)state;
    char pad[1200];
    memset(pad, 'x', sizeof(pad) - 1);
    pad[sizeof(pad) - 1] = '\0';
    for (int before = 0; before < 600; before += 37)
        for (int w = 0; w < 1100; w += 13) {
            mp_buf b = MP_BUF_INIT;
            mp_buf_add(&b, pad, (size_t)before);
            mp_buf_printf(&b, "<%.*s|%d>", w, pad, w);
            char want[1300];
            int n = snprintf(want, sizeof(want), "<%.*s|%d>", w, pad, w);
            assert_false(b.failed);
            assert_int_equal(b.len, (size_t)before + (size_t)n);
            assert_memory_equal(b.data + before, want, (size_t)n + 1);
            mp_buf_printf(&b, "%s", ""); /* nothing: still terminated */
            assert_int_equal(b.len, (size_t)before + (size_t)n);
            assert_int_equal(b.data[b.len], '\0');
            mp_buf_free(&b);
        }
}

static void test_catf_chains(void **state)
{
    (void)state;
    char s[32];
    size_t k = 0;
    s[0] = '\0';
    mp_catf(s, sizeof(s), &k, "%s", "abc");
    mp_catf(s, sizeof(s), &k, "-%d", 42);
    assert_string_equal(s, "abc-42");
    assert_int_equal(k, 6);
}

/* Overflow cuts with "...", and later calls do nothing (the old pattern
 * k += snprintf(...) walked past the end here). */
static void test_catf_overflow(void **state)
{
    (void)state;
    char s[16];
    size_t k = 0;
    s[0] = '\0';
    for (int i = 0; i < 100; i++)
        mp_catf(s, sizeof(s), &k, "%s", "0123456789");
    assert_int_equal(strlen(s), 15);
    assert_int_equal(k, 15);
    assert_string_equal(s + 12, "...");
    mp_catf(s, sizeof(s), &k, "%s", "more");
    assert_int_equal(strlen(s), 15);
}

/* Bytes with an entry are replaced, bytes of 128 and above (UTF-8) and
 * those without one are kept, NUL included when n covers it. */
static void test_escape_table(void **state)
{
    (void)state;
    static const char *const esc[128] = {['<'] = "&lt;", ['\n'] = "\\n"};
    mp_buf b = MP_BUF_INIT;
    mp_buf_escape(&b, "a<b\n\xC3\xA9<", 7, esc);
    assert_string_equal(mp_buf_str(&b), "a&lt;b\\n\xC3\xA9&lt;");
    mp_buf_reset(&b);
    mp_buf_escape(&b, "x\0y", 3, esc);
    assert_int_equal(b.len, 3);
    assert_memory_equal(b.data, "x\0y", 3);
    mp_buf_free(&b);
}

/* mp_grow doubles from the first size, keeps what the array held, and
 * refuses a size that would overflow without touching the array. */
static void test_grow(void **state)
{
    (void)state;
    int *v = NULL, cap = 0;
    assert_int_equal(mp_grow(&v, &cap, 1, sizeof(*v), 4), 0);
    assert_int_equal(cap, 4);
    for (int i = 0; i < 4; i++)
        v[i] = i;
    assert_int_equal(mp_grow(&v, &cap, 4, sizeof(*v), 4), 0);
    assert_int_equal(cap, 4);
    assert_int_equal(mp_grow(&v, &cap, 9, sizeof(*v), 4), 0);
    assert_int_equal(cap, 16);
    assert_int_equal(v[3], 3);
    int *before = v;
    assert_int_equal(mp_grow(&v, &cap, INT_MAX, sizeof(*v), 4), -1);
    assert_ptr_equal(v, before);
    assert_int_equal(cap, 16);
    free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buf_grows),
        cmocka_unit_test(test_buf_printf_fits_or_grows),
        cmocka_unit_test(test_catf_chains),
        cmocka_unit_test(test_catf_overflow),
        cmocka_unit_test(test_escape_table),
        cmocka_unit_test(test_grow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
