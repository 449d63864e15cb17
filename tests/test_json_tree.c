/* SPDX-License-Identifier: Apache-2.0 */
/* test_json_tree.c - the tree a JSON state is read into without libyaml
 * (src/readers/json_tree.c) is the one mp_ydoc_parse builds, node by node
 * and position by position; what it does not take (errors, YAML-only
 * forms, rare spellings) it leaves to mp_ydoc_parse. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "migplan/util/buf.h"
#include "migplan/util/error.h"
#include "migplan/yaml/yfile.h"
#include "migplan/yaml/ydoc.h"

#include "../src/readers/state_internal.h"

static void same_node(const mp_ynode *a, const mp_ynode *b)
{
    assert_int_equal(a->kind, b->kind);
    assert_int_equal(a->plain, b->plain);
    assert_null(a->tag);
    assert_null(b->tag);
    assert_int_equal(a->line, b->line);
    assert_int_equal(a->col, b->col);
    assert_int_equal(a->closed, b->closed);
    assert_int_equal(a->weight, b->weight);
    assert_int_equal(a->nkids, b->nkids);
    if (a->kind == MP_YNODE_SCALAR) {
        assert_int_equal(a->len, b->len);
        assert_memory_equal(a->str, b->str, a->len + 1);
        return;
    }
    if (a->kind == MP_YNODE_MAP && a->nkids)
        assert_memory_equal(a->from_merge, b->from_merge, a->nkids / 2);
    for (size_t i = 0; i < a->nkids; i++)
        same_node(a->kids[i], b->kids[i]);
}

/* text is read without libyaml, into the tree mp_ydoc_parse builds. */
static void same_tree(const char *text, size_t len)
{
    mp_ydoc fast, slow;
    mp_diag d = {0};
    assert_true(mp_json_tree(text, len, "t.json", &fast));
    assert_int_equal(mp_ydoc_parse(text, len, "t.json", NULL, &slow, &d), 0);
    assert_false(slow.more_documents);
    assert_int_equal(fast.more_documents, slow.more_documents);
    assert_int_equal(fast.next_line, slow.next_line);
    assert_string_equal(fast.path, slow.path);
    same_node(fast.root, slow.root);
    mp_ydoc_free(&fast);
    mp_ydoc_free(&slow);
}

static void same_text(const char *text)
{
    same_tree(text, strlen(text));
}

static void test_forms(void **state)
{
    (void)state;
    same_text("{}");
    same_text("{\"a\": []}");
    same_text("  \n{\"a\":1,\"b\":-2.5e+3,\"c\":[true,false,null,0,-0.0]}\n");
    same_text("{\r\n  \"a\": {\r\n    \"b\": [1, 2]\r\n  }\r\n}\r\n");
    same_text("{\"k\": \"q\\\"b\\\\s\\/n\\nt\\tr\\rb\\bf\\f\", \"e\": \"\"}");
    same_text("{\"a\": 1, \"a\": 2, \"x y\": \"1\", \"n\": \"007\"}");
    same_text(
        "{\"a\":\n  [\n    {},\n    [],\n    {\"b\": [[], [{}]]}\n  ]\n}");
    same_text("\xEF\xBB\xBF{\"bom\": 1}");
    same_text("{\"key\" : \"value\" , \"k2\":[ 1 ,2 ] }");
}

/* Every JSON state of the tests (plans, exports, cut and broken ones) is
 * either read alike or left to mp_ydoc_parse. */
static void test_files(void **state)
{
    (void)state;
    static const char *const files[] = {
        "current/h100-grow-plan.json",      "current/plan-bad-profile.json",
        "current/plan-model-alias.json",    "current/plan-no-gpus.json",
        "nodecur/pool-plan.json",           "nodecur/pool-plan-no-node.json",
        "nodecur/pool-plan-empty-node.json"};
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        char path[512], *text;
        size_t len;
        mp_diag d = {0};
        snprintf(path, sizeof(path), "%s/%s", MIGPLAN_SHARED_DIR, files[i]);
        assert_int_equal(mp_read_file(path, 1 << 20, &text, &len, &d), 0);
        same_tree(text, len);
        free(text);
    }
    /* two plans joined: libyaml's error (then the JSON one) */
    char path[512], *text;
    size_t len;
    mp_diag d = {0};
    mp_ydoc doc;
    snprintf(path, sizeof(path), "%s/current/plan-twice.json",
             MIGPLAN_SHARED_DIR);
    assert_int_equal(mp_read_file(path, 1 << 20, &text, &len, &d), 0);
    assert_false(mp_json_tree(text, len, path, &doc));
    assert_int_equal(mp_ydoc_parse(text, len, path, NULL, &doc, &d),
                     MP_ESYNTAX);
    free(text);
}

/* A plan of many GPUs, written the way `migplan plan --format json` does. */
static void test_large(void **state)
{
    (void)state;
    mp_buf b = {0};
    mp_buf_puts(&b, "{\n  \"feasible\": true,\n  \"gpus\": [\n");
    for (int g = 0; g < 3000; g++)
        mp_buf_printf(&b,
                      "%s    {\n      \"index\": %d,\n      \"model\": "
                      "\"h100-sxm5-80gb\",\n      \"instances\": [\n        "
                      "{\"profile\": \"3g.40gb\", \"start\": 4, "
                      "\"tenant\": \"t%d\"}\n      ]\n    }",
                      g ? ",\n" : "", g, g % 7);
    mp_buf_puts(&b, "\n  ]\n}\n");
    assert_false(b.failed);
    same_tree(b.data, b.len);
    mp_buf_free(&b);
}

/* What is not plain JSON with an object at its root goes to libyaml. */
static void test_left_to_libyaml(void **state)
{
    (void)state;
    static const char *const texts[] = {
        "",
        "[1]",
        "{\"a\":\t1}",                 /* a tab */
        "{\"a\": \"\\u00e9\"}",        /* \u escape */
        "{\"a\": \"\xC3\xA9\"}",       /* non-ASCII */
        "{\"<<\": {\"a\": 1}}",        /* a YAML merge key */
        "{\"a\": 1} {\"b\": 2}",       /* text after the document */
        "{\"a\": 1,}",                 /* a syntax error */
        "{\"a\": 1",                   /* cut short */
        "{\"a\"\n: 1}",                /* key and colon on two lines */
        "{a: 1}",                      /* YAML flow style */
        "{\"a\": 1 2}",                /* a YAML multi-word scalar */
        "{\"a\": 0x1F}",               /* no JSON number */
        "{\"a\": 01}",                 /* nor this */
        "{\"a\": truex}",              /* nor this */
        "{\"a\": \"b\\x\"}",           /* no JSON escape */
        "{\"a\": 1}\n---\n{\"b\": 2}", /* a second YAML document */
        "{\"a\": \"b\r\"}",            /* a control character */
    };
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        mp_ydoc doc;
        assert_false(mp_json_tree(texts[i], strlen(texts[i]), "t", &doc));
        assert_null(doc.root);
        assert_null(doc.arena.head);
    }
    /* nesting deeper than the YAML limit */
    char deep[200] = "{\"a\": ";
    size_t k = strlen(deep);
    for (int i = 0; i < 70; i++)
        deep[k++] = '[';
    for (int i = 0; i < 70; i++)
        deep[k++] = ']';
    deep[k++] = '}';
    deep[k] = '\0';
    mp_ydoc doc;
    assert_false(mp_json_tree(deep, k, "t", &doc));
    /* a long key, which libyaml does not take as a key */
    mp_buf b = {0};
    mp_buf_puts(&b, "{\"");
    for (int i = 0; i < 1100; i++)
        mp_buf_puts(&b, "k");
    mp_buf_puts(&b, "\": 1}");
    assert_false(mp_json_tree(b.data, b.len, "t", &doc));
    mp_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forms),
        cmocka_unit_test(test_files),
        cmocka_unit_test(test_large),
        cmocka_unit_test(test_left_to_libyaml),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
