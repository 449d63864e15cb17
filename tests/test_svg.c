/* SPDX-License-Identifier: Apache-2.0 */
/* test_svg.c - the SVG pictures: text escaping, full names, colours, size
 * and determinism. Well-formedness of whole documents is checked with an
 * XML parser by tests/cli/svg-wellformed.sh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "migplan/emit/svg.h"
#include "migplan/readers/request_reader.h"
#include "migplan/solver/solver.h"
#include "test_db.h"

static const mp_model *model(const char *name)
{
    const mp_model *m = NULL;
    mp_diag d;
    if (mp_db_find(db, name, &m, &d) != 0)
        fail_msg("no model %s: %s", name, d.msg);
    return m;
}

static int count(const char *s, const char *needle)
{
    int n = 0;
    for (const char *p = strstr(s, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* A request solved and drawn; free with undraw. */
typedef struct drawn {
    mp_request r;
    mp_plan p;
    mp_buf b;
} drawn;

static const char *draw(const char *yaml, drawn *x)
{
    mp_diag d;
    x->b = (mp_buf)MP_BUF_INIT;
    if (mp_request_parse(db, yaml, strlen(yaml), "t&<1>.yaml", NULL, &x->r, &d))
        fail_msg("request does not parse: %s", d.msg);
    mp_solve_opts o = {.time_limit = 30};
    if (mp_solve(db, &x->r, &o, &x->p, &d) != 0)
        fail_msg("solver error: %s", d.msg);
    mp_svg_plan(&x->p, &x->b);
    assert_false(x->b.failed);
    return mp_buf_str(&x->b);
}

static void undraw(drawn *x)
{
    mp_buf_free(&x->b);
    mp_plan_free(&x->p);
    mp_request_free(&x->r);
}

/* Text outside tags between two offsets, joined: what a reader sees. */
static void visible_text(const char *s, const char *end, char *out, size_t n)
{
    size_t k = 0;
    bool in_tag = false;
    for (; s < end && k + 1 < n; s++) {
        if (*s == '<')
            in_tag = true;
        else if (*s == '>')
            in_tag = false;
        else if (!in_tag && *s != '\n')
            out[k++] = *s;
    }
    out[k] = '\0';
}

static void test_escaping(void **state)
{
    (void)state;
    const mp_model *m = model("h100");
    mp_buf b = MP_BUF_INIT;
    /* invalid UTF-8, a control character, markup, both quotes, and a valid
     * two-byte character */
    mp_svg_fit(m, NULL, "bad \xff\x01 & <x> \"q\" 'a' \xc3\xa9 \xed\xa0\x80.",
               NULL, &b);
    const char *s = mp_buf_str(&b);
    assert_non_null(strstr(s, ">bad ?? &amp; &lt;x&gt; &quot;q&quot; "
                              "&apos;a&apos; \xc3\xa9 ???.</text>"));
    assert_null(strstr(s, "\xff"));
    assert_non_null(strstr(s, "does not fit one h100-sxm5-80gb"));
    /* no layout, no GPU bar */
    assert_int_equal(count(s, "class=\"layout\""), 0);
    mp_buf_free(&b);
}

static void test_plan_full_names_and_colours(void **state)
{
    (void)state;
    /* ten tenants (past the eight palette colours), one with a 60-character
     * name that must wrap inside its one-slice box */
    const char *yaml =
        "fleet: [{model: h100}]\n"
        "tenants:\n"
        "  - {name: t0, memory: 8GiB}\n  - {name: t1, memory: 8GiB}\n"
        "  - {name: t2, memory: 8GiB}\n  - {name: t3, memory: 8GiB}\n"
        "  - {name: t4, memory: 8GiB}\n  - {name: t5, memory: 8GiB}\n"
        "  - {name: t6, memory: 8GiB}\n  - {name: t7, memory: 8GiB}\n"
        "  - {name: t8, memory: 8GiB}\n"
        "  - name: a-very-long-tenant-name-that-goes-on-for-sixty-three-"
        "chars-x\n"
        "    memory: 8GiB\n";
    drawn x;
    const char *s = draw(yaml, &x);
    const char *name =
        "a-very-long-tenant-name-that-goes-on-for-sixty-three-chars-x#0";
    /* the tooltip holds it whole, and so do the box's wrapped lines */
    const char *tip = strstr(s, name);
    assert_non_null(tip);
    const char *g_end = strstr(tip, "</g>");
    const char *first = strstr(tip, "class=\"name\">");
    assert_non_null(first);
    char seen[400];
    visible_text(first + strlen("class=\"name\">"), g_end, seen, sizeof(seen));
    assert_non_null(strstr(seen, name));
    /* ... on more than one line */
    const char *second = strstr(first + 1, "class=\"name\">");
    assert_true(second && second < g_end);
    assert_null(strstr(s, "~"));
    /* tenant 0 takes the first colour, tenant 8 the first again with the
     * hatch overlay; the legend names every tenant */
    assert_non_null(strstr(s, "class=\"box c0\""));
    assert_true(count(s, "fill=\"url(#p1)\"") >= 2);
    assert_int_equal(count(s, "<g class=\"legend\">"), 1);
    assert_non_null(strstr(s, ">t8: 1 replica, 8.00 GiB asked</text>"));
    /* the path is escaped in the title */
    assert_non_null(strstr(s, "<title id=\"title\">Plan for t&amp;&lt;1&gt;"
                              ".yaml</title>"));
    assert_non_null(strstr(s, "optimal (lower bound"));
    /* the same input draws the same bytes */
    mp_buf again = MP_BUF_INIT;
    mp_svg_plan(&x.p, &again);
    assert_string_equal(s, mp_buf_str(&again));
    mp_buf_free(&again);
    undraw(&x);
}

/* 300 whole-GPU replicas on a fleet of 320 */
static const char *const many_gpus =
    "fleet: [{model: h100, count: 320}]\n"
    "tenants:\n"
    "  - {name: big, whole-gpu: true, replicas: 300}\n";

static void test_plan_many_gpus(void **state)
{
    (void)state;
    /* 300 whole-GPU replicas on a fleet of 320: 300 bars and one for the
     * unused run, in size linear in the GPUs */
    drawn x;
    const char *s = draw(many_gpus, &x);
    assert_int_equal(count(s, "<g class=\"gpu\""), 301);
    assert_non_null(strstr(s, ">GPU 300-319 · h100-sxm5-80gb</text>"));
    assert_non_null(strstr(s, ">big#299</text>"));
    assert_true(x.b.len < 301 * 2000);
    undraw(&x);
}

static void test_infeasible(void **state)
{
    (void)state;
    const char *yaml = "fleet: [{model: h100, count: 1}]\n"
                       "tenants: [{name: x, whole-gpu: true, replicas: 2}]\n";
    drawn x;
    const char *s = draw(yaml, &x);
    assert_false(x.p.feasible);
    assert_non_null(strstr(s, ">No plan: "));
    assert_int_equal(count(s, "<g class=\"gpu\""), 0);
    undraw(&x);
}

static void test_geometries(void **state)
{
    (void)state;
    const mp_model *m = model("a30");
    int count4[MP_MAX_PROFILES] = {0};
    const mp_gi_profile *g2 = mp_model_profile(m, "2g.12gb");
    assert_non_null(g2);
    count4[mp_profile_index(m, g2)] = 2;
    mp_layout l;
    assert_int_equal(mp_geom_fit_counts_best(m, count4, &l, NULL), 0);
    mp_svg_item items[] = {{"1. 2g.12gb x2", &l}, {"2. nothing", NULL}};
    mp_buf b = MP_BUF_INIT;
    mp_svg_geometries(m, "a30-24gb: 2 geometries", items, 2, &b);
    const char *s = mp_buf_str(&b);
    assert_int_equal(count(s, "<g class=\"layout\""), 2);
    /* each 2g.12gb box is two slices wide: the bar is 4 slices */
    assert_int_equal(count(s, ">2g.12gb</text>"), 2);
    assert_int_equal(count(s, "class=\"slot\">3</text>"), 1);
    assert_non_null(strstr(s, ">2g.12gb: profile ID"));
    mp_buf_free(&b);
}

/* A flush that keeps what it is handed, and counts the calls. */
typedef struct kept {
    mp_buf all;
    int calls;
} kept;

static int keep_chunk(void *ctx, mp_buf *out)
{
    kept *k = ctx;
    mp_buf_add(&k->all, out->data ? out->data : "", out->len);
    mp_buf_reset(out);
    k->calls++;
    return 0;
}

static int fail_chunk(void *ctx, mp_buf *out)
{
    (void)ctx;
    mp_buf_reset(out);
    return 5;
}

/* Streamed in chunks, from a plan that holds its unused GPUs as one run
 * record: the same bytes as the whole picture of the plan with a record
 * per GPU, the run's bar named by its first and last GPU. */
static void test_plan_streamed_runs(void **state)
{
    (void)state;
    drawn x;
    const char *whole = draw(many_gpus, &x);
    mp_plan runs;
    mp_diag d;
    mp_solve_opts o = {.time_limit = 30, .unused_runs = true};
    assert_int_equal(mp_solve(db, &x.r, &o, &runs, &d), 0);
    assert_int_equal(runs.n_gpus, 301); /* the 20 unused GPUs: one record */
    kept k = {MP_BUF_INIT, 0};
    mp_buf out = MP_BUF_INIT;
    assert_int_equal(mp_svg_plan_stream(&runs, keep_chunk, &k, &out), 0);
    assert_true(k.calls > 2); /* in chunks, not at the end only */
    assert_int_equal(out.len, 0);
    assert_int_equal(k.all.len, x.b.len);
    assert_memory_equal(k.all.data, whole, x.b.len);
    /* a flush that fails: its result, and writing stops */
    assert_int_equal(mp_svg_plan_stream(&runs, fail_chunk, NULL, &out), 5);
    mp_buf_free(&out);
    mp_buf_free(&k.all);
    mp_plan_free(&runs);
    undraw(&x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escaping),
        cmocka_unit_test(test_plan_full_names_and_colours),
        cmocka_unit_test(test_plan_many_gpus),
        cmocka_unit_test(test_plan_streamed_runs),
        cmocka_unit_test(test_infeasible),
        cmocka_unit_test(test_geometries),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
