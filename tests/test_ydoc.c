/* SPDX-License-Identifier: Apache-2.0 */
/* test_ydoc.c - YAML trees: positions, YAML 1.1 resolution as go-yaml v2
 * does it, merge keys, and the limits that stop hostile input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "migplan/yaml/ydoc.h"

static mp_ydoc parse_ok(const char *text)
{
    mp_ydoc doc;
    mp_diag d;
    mp_diag_clear(&d);
    int rc = mp_ydoc_parse(text, strlen(text), "t.yaml", NULL, &doc, &d);
    if (rc)
        fail_msg("parse failed: %s", d.msg);
    return doc;
}

static mp_yvkind kind_of(const char *scalar, mp_yval *v)
{
    mp_ydoc doc = parse_ok(scalar);
    assert_non_null(doc.root);
    mp_yvkind k = mp_ynode_resolve(doc.root, v);
    mp_ydoc_free(&doc);
    return k;
}

static void test_yaml11_booleans(void **state)
{
    (void)state;
    const char *yes[] = {"yes", "Yes", "YES",  "y",    "Y",   "on",
                         "On",  "ON",  "true", "True", "TRUE"};
    const char *no[] = {"no",  "No",  "NO",    "n",     "N",    "off",
                        "Off", "OFF", "false", "False", "FALSE"};
    mp_yval v;
    for (size_t i = 0; i < sizeof(yes) / sizeof(*yes); i++) {
        assert_int_equal(kind_of(yes[i], &v), MP_YV_BOOL);
        assert_true(v.b);
    }
    for (size_t i = 0; i < sizeof(no) / sizeof(*no); i++) {
        assert_int_equal(kind_of(no[i], &v), MP_YV_BOOL);
        assert_false(v.b);
    }
    /* not booleans in YAML 1.1 as go-yaml v2 reads it */
    assert_int_equal(kind_of("yEs", &v), MP_YV_STR);
    assert_int_equal(kind_of("\"yes\"", &v), MP_YV_STR);
    assert_int_equal(kind_of("'on'", &v), MP_YV_STR);
}

static void test_yaml11_numbers(void **state)
{
    (void)state;
    mp_yval v;
    assert_int_equal(kind_of("0x20B010DE", &v), MP_YV_INT);
    assert_int_equal(v.i, 0x20B010DE);
    assert_int_equal(kind_of("010", &v), MP_YV_INT); /* octal */
    assert_int_equal(v.i, 8);
    assert_int_equal(kind_of("0o17", &v), MP_YV_INT);
    assert_int_equal(v.i, 15);
    assert_int_equal(kind_of("0b101", &v), MP_YV_INT);
    assert_int_equal(v.i, 5);
    assert_int_equal(kind_of("1_000", &v), MP_YV_INT);
    assert_int_equal(v.i, 1000);
    assert_int_equal(kind_of("-7", &v), MP_YV_INT);
    assert_int_equal(v.i, -7);
    assert_int_equal(kind_of("99999999999", &v), MP_YV_INT);
    assert_int_equal(v.i, 99999999999LL);
    /* 08 is not octal: Go then reads it as the float 8 */
    assert_int_equal(kind_of("08", &v), MP_YV_FLOAT);
    assert_true(v.f == 8.0);
    assert_int_equal(kind_of("2.0", &v), MP_YV_FLOAT);
    assert_int_equal(kind_of("1e3", &v), MP_YV_FLOAT);
    assert_int_equal(kind_of(".5", &v), MP_YV_FLOAT);
    assert_int_equal(kind_of(".inf", &v), MP_YV_FLOAT);
    assert_int_equal(kind_of("18446744073709551615", &v), MP_YV_UINT);
    assert_int_equal(kind_of("18446744073709551616", &v), MP_YV_FLOAT);
    /* out of float range: Go's ParseFloat fails, the scalar stays a string */
    assert_int_equal(kind_of("1e400", &v), MP_YV_STR);
    assert_int_equal(kind_of("\"12\"", &v), MP_YV_STR);
    assert_int_equal(kind_of("1g.10gb", &v), MP_YV_STR);
    assert_int_equal(kind_of("0x", &v), MP_YV_STR);
    assert_int_equal(kind_of("2024-01-01", &v), MP_YV_STR);
}

static void test_yaml11_null(void **state)
{
    (void)state;
    mp_yval v;
    assert_int_equal(kind_of("~", &v), MP_YV_NULL);
    assert_int_equal(kind_of("null", &v), MP_YV_NULL);
    assert_int_equal(kind_of("NULL", &v), MP_YV_NULL);
    assert_int_equal(kind_of("nULL", &v), MP_YV_STR);
    mp_ydoc doc = parse_ok("a:\n");
    const mp_ynode *val = mp_ymap_get(doc.root, "a", NULL);
    assert_non_null(val);
    assert_int_equal(mp_ynode_resolve(val, &v), MP_YV_NULL);
    mp_ydoc_free(&doc);
}

static void test_key_strings(void **state)
{
    (void)state;
    /* the keys mig-parted's YAML-to-JSON step produces */
    mp_ydoc doc = parse_ok("010: a\nyes: b\n1.50: c\n0x10: d\nplain: e\n"
                           "1e6: f\n");
    const char *want[] = {"8", "true", "1.5", "16", "plain", "1e+06"};
    char buf[64];
    for (size_t i = 0; i < 6; i++) {
        assert_true(
            mp_ykey_string(doc.root->kids[2 * i], buf, sizeof(buf), NULL));
        assert_string_equal(buf, want[i]);
    }
    mp_ydoc_free(&doc);
    doc = parse_ok("~: a\n");
    const char *why = NULL;
    assert_false(mp_ykey_string(doc.root->kids[0], buf, sizeof(buf), &why));
    assert_non_null(why);
    mp_ydoc_free(&doc);
}

static void test_positions(void **state)
{
    (void)state;
    mp_ydoc doc =
        parse_ok("version: v1\nmig-configs:\n  a:\n  - devices: all\n");
    const mp_ynode *k;
    const mp_ynode *mc = mp_ymap_get(doc.root, "mig-configs", &k);
    assert_int_equal(k->line, 2);
    assert_int_equal(k->col, 1);
    const mp_ynode *list = mp_ymap_get(mc, "a", NULL);
    assert_int_equal(list->kind, MP_YNODE_SEQ);
    const mp_ynode *dev = mp_ymap_get(list->kids[0], "devices", &k);
    assert_int_equal(k->line, 4);
    assert_int_equal(k->col, 5);
    assert_int_equal(dev->col, 14);
    mp_ydoc_free(&doc);
}

static void test_aliases_and_merge(void **state)
{
    (void)state;
    mp_ydoc doc = parse_ok("base: &b {x: 1, y: 2}\n"
                           "use: *b\n"
                           "m:\n  <<: *b\n  y: 3\n");
    const mp_ynode *use = mp_ymap_get(doc.root, "use", NULL);
    assert_int_equal(use->kind, MP_YNODE_MAP);
    const mp_ynode *m = mp_ymap_get(doc.root, "m", NULL);
    /* go-yaml v2: pairs in order, later wins */
    const mp_ynode *y = mp_ymap_get(m, "y", NULL);
    assert_string_equal(y->str, "3");
    assert_non_null(mp_ymap_get(m, "x", NULL));
    assert_int_equal(m->nkids, 6);
    assert_int_equal(m->from_merge[0], 1);
    assert_int_equal(m->from_merge[2], 0);
    mp_ydoc_free(&doc);
}

static int parse_err(const char *text, mp_diag *d, const mp_ylimits *lim)
{
    mp_ydoc doc;
    mp_diag_clear(d);
    int rc = mp_ydoc_parse(text, strlen(text), "bad.yaml", lim, &doc, d);
    if (rc == 0)
        mp_ydoc_free(&doc);
    return rc;
}

static void test_alias_bomb(void **state)
{
    (void)state;
    mp_diag d;
    const char *bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
                       "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                       "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
                       "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
                       "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
                       "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
                       "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
                       "h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]\n"
                       "i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h, *h]\n";
    assert_int_equal(parse_err(bomb, &d, NULL), MP_ELIMIT);
    assert_non_null(strstr(d.msg, "expands to more than"));
    assert_int_equal(d.line, 7); /* the first list that crosses 2,000,000 */
}

static void test_depth_limit(void **state)
{
    (void)state;
    char *deep = malloc(20001);
    for (int i = 0; i < 10000; i++)
        deep[i] = '[';
    for (int i = 0; i < 10000; i++)
        deep[10000 + i] = ']';
    deep[20000] = '\0';
    mp_diag d;
    assert_int_equal(parse_err(deep, &d, NULL), MP_ELIMIT);
    assert_non_null(strstr(d.msg, "nesting deeper than 64"));
    free(deep);
}

static void test_bad_input(void **state)
{
    (void)state;
    mp_diag d;
    assert_int_equal(parse_err("a: *nope\n", &d, NULL), MP_ESYNTAX);
    assert_non_null(strstr(d.msg, "unknown anchor"));
    assert_int_equal(parse_err("a: &x [*x]\n", &d, NULL), MP_ESYNTAX);
    assert_non_null(strstr(d.msg, "contains an alias to itself"));
    assert_int_equal(parse_err("a: [1, 2\n", &d, NULL), MP_ESYNTAX);
    assert_true(d.line >= 1);
    assert_int_equal(parse_err("a: \xff\xfe\n", &d, NULL), MP_ESYNTAX);
    assert_non_null(strstr(d.msg, "UTF-8"));
    assert_int_equal(d.line, 1);
    const char nul[] = "a: b\nc: \0d\n";
    mp_ydoc doc;
    assert_int_equal(
        mp_ydoc_parse(nul, sizeof(nul) - 1, "nul.yaml", NULL, &doc, &d),
        MP_ESYNTAX);
    assert_int_equal(d.line, 2);
    mp_ylimits small = mp_ylimits_default;
    small.max_bytes = 4;
    assert_int_equal(parse_err("a: bcdef\n", &d, &small), MP_ELIMIT);
}

/* The first document of text, as mig-parted reads a file. */
static mp_ydoc parse_first(const char *text)
{
    mp_ydoc doc;
    mp_diag d;
    mp_diag_clear(&d);
    if (mp_ydoc_parse_nth(text, strlen(text), "t.yaml", NULL, 0, &doc, &d))
        fail_msg("parse failed: %s", d.msg);
    return doc;
}

static void test_documents(void **state)
{
    (void)state;
    mp_ydoc doc = parse_first("a: 1\n---\nb: 2\n");
    assert_true(doc.more_documents);
    assert_int_equal(doc.next_line, 2);
    assert_int_equal(doc.next_col, 1);
    assert_non_null(mp_ymap_get(doc.root, "a", NULL));
    assert_null(mp_ymap_get(doc.root, "b", NULL));
    mp_ydoc_free(&doc);
    /* text after a JSON object starts no document: where it starts */
    doc = parse_first("{\"a\": 1}\n  {\"b\": 2}\n");
    assert_false(doc.more_documents);
    assert_int_equal(doc.next_line, 2);
    assert_int_equal(doc.next_col, 3);
    mp_ydoc_free(&doc);
    doc = parse_first("a: 1\n...\n");
    assert_false(doc.more_documents);
    assert_int_equal(doc.next_line, 0);
    mp_ydoc_free(&doc);
    /* one document per file: a second one, or text after a map or list,
     * is an error where it starts */
    mp_diag d;
    assert_int_equal(parse_err("a: 1\n---\nb: 2\n", &d, NULL), MP_ESYNTAX);
    assert_int_equal(d.line, 2);
    assert_int_equal(d.col, 1);
    assert_non_null(strstr(d.msg, "a second YAML document"));
    assert_int_equal(parse_err("a: 1\n--- \n", &d, NULL), MP_ESYNTAX);
    assert_int_equal(parse_err("[1]\n[2]\n", &d, NULL), MP_ESYNTAX);
    assert_int_equal(d.line, 2);
    assert_int_equal(d.col, 1);
    /* a file of another kind read as one plain scalar: the caller says
     * it is no map */
    doc = parse_ok("x{a=\"1\"} 2\ny{b=\"2\"} 3\n# c\nz: {\n");
    assert_int_equal(doc.root->kind, MP_YNODE_SCALAR);
    mp_ydoc_free(&doc);
    doc = parse_ok("---\na: 1\n...\n");
    assert_false(doc.more_documents);
    mp_ydoc_free(&doc);
    doc = parse_ok("");
    assert_null(doc.root);
    assert_false(doc.more_documents);
    mp_ydoc_free(&doc);
    doc = parse_ok("# only a comment\n");
    assert_null(doc.root);
    mp_ydoc_free(&doc);
}

static void test_read_file_refusals(void **state)
{
    (void)state;
    char *t;
    size_t n;
    mp_diag d;
    assert_int_equal(mp_read_file("/nonexistent/x.yaml", 100, &t, &n, &d),
                     MP_EIO);
    assert_non_null(strstr(d.msg, "no such file"));
    assert_int_equal(mp_read_file("/", 100, &t, &n, &d), MP_EIO);
    assert_non_null(strstr(d.msg, "is a directory"));
}

/* Write n bytes of a repeating pattern to fd. */
static void write_pattern(int fd, size_t n)
{
    char chunk[4096];
    for (size_t i = 0; i < sizeof(chunk); i++)
        chunk[i] = (char)('a' + i % 26);
    for (size_t done = 0; done < n;) {
        size_t k = n - done < sizeof(chunk) ? n - done : sizeof(chunk);
        ssize_t w = write(fd, chunk, k);
        if (w <= 0)
            return;
        done += (size_t)w;
    }
}

/* mp_read_file("-") on a pipe of n bytes written by a child process. */
static int read_stdin_pipe(size_t n, size_t max, char **t, size_t *len,
                           mp_diag *d)
{
    int p[2];
    assert_int_equal(pipe(p), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(p[0]);
        write_pattern(p[1], n);
        _exit(0);
    }
    close(p[1]);
    int saved = dup(STDIN_FILENO);
    assert_true(saved >= 0);
    assert_int_equal(dup2(p[0], STDIN_FILENO), STDIN_FILENO);
    close(p[0]);
    int rc = mp_read_file("-", max, t, len, d);
    assert_int_equal(dup2(saved, STDIN_FILENO), STDIN_FILENO);
    close(saved);
    int status;
    waitpid(pid, &status, 0);
    return rc;
}

static void test_read_file_contents_and_limits(void **state)
{
    (void)state;
    char *t;
    size_t n;
    mp_diag d;
    /* a regular file: read whole and NUL-terminated, or refused by size
     * before reading */
    char path[] = "/tmp/migplan-test-ydoc-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    write_pattern(fd, 100);
    close(fd);
    assert_int_equal(mp_read_file(path, 100, &t, &n, &d), 0);
    assert_int_equal(n, 100);
    assert_int_equal(t[0], 'a');
    assert_int_equal(t[99], 'a' + 99 % 26);
    assert_int_equal(t[100], '\0');
    free(t);
    assert_int_equal(mp_read_file(path, 99, &t, &n, &d), MP_ELIMIT);
    assert_null(t);
    assert_string_equal(d.msg,
                        "file is 100 bytes; the input size limit is 99 bytes");
    unlink(path);
    /* a pipe of unknown size: the buffer grows past its first 64 KiB */
    assert_int_equal(read_stdin_pipe(200000, 1u << 20, &t, &n, &d), 0);
    assert_int_equal(n, 200000);
    assert_int_equal(t[199999], 'a' + (199999 % 4096) % 26);
    assert_int_equal(t[200000], '\0');
    free(t);
    /* ... and stops once it holds more than the limit */
    assert_int_equal(read_stdin_pipe(200000, 100000, &t, &n, &d), MP_ELIMIT);
    assert_null(t);
    assert_string_equal(d.file, "<stdin>");
    assert_string_equal(d.msg,
                        "input is larger than the size limit of 97.7 KiB");
}

static void test_go_floats(void **state)
{
    (void)state;
    char b[64];
    mp_go_json_float(1.5, b, sizeof(b));
    assert_string_equal(b, "1.5");
    mp_go_json_float(1e20, b, sizeof(b));
    assert_string_equal(b, "100000000000000000000");
    mp_go_json_float(1e21, b, sizeof(b));
    assert_string_equal(b, "1e+21");
    mp_go_json_float(1e-7, b, sizeof(b));
    assert_string_equal(b, "1e-7");
    mp_go_format_float_g(1.5, 32, b, sizeof(b));
    assert_string_equal(b, "1.5");
    mp_go_format_float_g(123456, 64, b, sizeof(b));
    assert_string_equal(b, "123456");
    mp_go_format_float_g(1234567, 64, b, sizeof(b));
    assert_string_equal(b, "1.234567e+06");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_yaml11_booleans),
        cmocka_unit_test(test_yaml11_numbers),
        cmocka_unit_test(test_yaml11_null),
        cmocka_unit_test(test_key_strings),
        cmocka_unit_test(test_positions),
        cmocka_unit_test(test_aliases_and_merge),
        cmocka_unit_test(test_alias_bomb),
        cmocka_unit_test(test_depth_limit),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_documents),
        cmocka_unit_test(test_read_file_refusals),
        cmocka_unit_test(test_read_file_contents_and_limits),
        cmocka_unit_test(test_go_floats),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
