// SPDX-License-Identifier: Apache-2.0
/* test_yjson.c - the JSON fast path: the tree from cJSON equals the tree
 * libyaml builds for the same text (positions aside), on the repository's
 * JSON states and on texts that probe numbers, escapes and keys; texts the
 * fast path leaves to libyaml are refused without a message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "migplan/yaml/ydoc.h"

/* Equal trees: kinds, styles, tags, scalar bytes, children, merge marks and
 * expanded sizes; not positions. */
static void assert_same(const mp_ynode *a, const mp_ynode *b, const char *at)
{
    if (!a || !b) {
        if (a != b)
            fail_msg("%s: one tree is empty", at);
        return;
    }
    if (a->kind != b->kind || a->plain != b->plain || a->len != b->len ||
        a->nkids != b->nkids || a->weight != b->weight ||
        (a->tag == NULL) != (b->tag == NULL))
        fail_msg("%s: nodes differ (kind %d/%d, plain %d/%d, len %zu/%zu, "
                 "kids %zu/%zu) at %d:%d",
                 at, a->kind, b->kind, a->plain, b->plain, a->len, b->len,
                 a->nkids, b->nkids, b->line, b->col);
    if (a->kind == MP_YNODE_SCALAR && memcmp(a->str, b->str, a->len) != 0)
        fail_msg("%s: scalar '%s' is '%s' through libyaml (%d:%d)", at, a->str,
                 b->str, b->line, b->col);
    for (size_t i = 0; a->kind == MP_YNODE_MAP && i < a->nkids / 2; i++)
        assert_int_equal(a->from_merge[i], b->from_merge[i]);
    for (size_t i = 0; i < a->nkids; i++)
        assert_same(a->kids[i], b->kids[i], at);
}

/* Both readers take text and build the same tree, or libyaml refuses it
 * and so does the fast path (when refused is true, libyaml must refuse). */
static void same_tree(const char *text, size_t len, const char *at,
                      bool refused)
{
    mp_ydoc fast, slow;
    mp_diag d;
    mp_diag_clear(&d);
    int rc = mp_ydoc_parse(text, len, at, NULL, &slow, &d);
    int fast_rc = mp_ydoc_parse_json(text, len, at, NULL, &fast, &d);
    if (refused || rc) {
        assert_int_not_equal(rc, 0);
        assert_int_equal(fast_rc, MP_ENOTFOUND);
        return;
    }
    if (fast_rc)
        fail_msg("%s: the fast path refused it", at);
    assert_same(fast.root, slow.root, at);
    assert_int_equal(fast.root->line, 0); /* no positions */
    mp_ydoc_free(&fast);
    mp_ydoc_free(&slow);
}

static void test_repository_states(void **state)
{
    (void)state;
    static const struct {
        const char *file;
        bool refused; /* not one JSON document */
    } files[] = {
        {"nodecur/pool-plan.json", false},
        {"nodecur/pool-plan-empty-node.json", false},
        {"nodecur/pool-plan-no-node.json", false},
        {"current/h100-grow-plan.json", false},
        {"current/plan-bad-profile.json", false},
        {"current/plan-model-alias.json", false},
        {"current/plan-no-gpus.json", false},
        {"current/plan-twice.json", true},
        {"current/plan-truncated.json", true},
        {"current/export-truncated.json", true},
        {"current/export-json-trailing.json", true},
    };
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        char path[512];
        snprintf(path, sizeof(path), "%s/%s", MIGPLAN_SHARED_DIR,
                 files[i].file);
        char *text;
        size_t len;
        mp_diag d;
        if (mp_read_file(path, 1u << 24, &text, &len, &d))
            fail_msg("%s", d.msg);
        same_tree(text, len, files[i].file, files[i].refused);
        free(text);
    }
}

static void test_scalars(void **state)
{
    (void)state;
    static const char *const texts[] = {
        "{\"a\": 1, \"b\": -0, \"c\": 1.0, \"d\": 1e5, \"e\": -2.5E-3}",
        "[true, false, null, \"true\", \"12\", \"\", 0]",
        "{\"k\": \"\\u00e9\\n\\t\\\"\\\\ x\", \"\\u0041\": \"9\"}",
        "{\"dup\": 1, \"dup\": 2, \"<<\": {\"m\": 1}}",
        "{\"s\": \"a 1 \\\" 2\", \"n\": [10, \"3\", 4.25, [], {}]}",
        "  {\"gpus\": [{\"index\": 7}]}\n\n",
        "\"just a string\"",
        "42",
    };
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
        same_tree(texts[i], strlen(texts[i]), texts[i], false);
}

/* What the fast path leaves to libyaml: refused with MP_ENOTFOUND and no
 * message, the document freed. */
static void test_left_to_libyaml(void **state)
{
    (void)state;
    char deep[200] = "";
    for (int i = 0; i < 65; i++)
        strcat(deep, "[");
    for (int i = 0; i < 65; i++)
        strcat(deep, "]");
    const char *const texts[] = {
        "{\"a\": 1",              /* cut short */
        "{\"a\": 1} {}",          /* a second value */
        "{\"a\": \"\xC3\xA9\"}",  /* not ASCII: libyaml judges the bytes */
        "{\"a\": \"x\\u0000y\"}", /* an embedded NUL */
        "{\"a\": \"\\/\"}",       /* an escape YAML may lack */
        "{\"a\": \"\x01\"}",      /* a control byte */
        "",
        deep, /* over the depth limit */
    };
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        mp_ydoc doc;
        mp_diag d;
        mp_diag_clear(&d);
        assert_int_equal(
            mp_ydoc_parse_json(texts[i], strlen(texts[i]), "t", NULL, &doc, &d),
            MP_ENOTFOUND);
        assert_null(doc.root);
        assert_string_equal(d.msg, "");
    }
    mp_ylimits small = mp_ylimits_default;
    small.max_nodes = 3;
    mp_ydoc doc;
    mp_diag d;
    assert_int_equal(mp_ydoc_parse_json("[1, 2, 3]", 9, "t", &small, &doc, &d),
                     MP_ENOTFOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_repository_states),
        cmocka_unit_test(test_scalars),
        cmocka_unit_test(test_left_to_libyaml),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
