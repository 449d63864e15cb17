/* SPDX-License-Identifier: Apache-2.0 */
/* test_buf.c - the growable buffer and the bounded message appender. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buf_grows),
        cmocka_unit_test(test_catf_chains),
        cmocka_unit_test(test_catf_overflow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
