/* SPDX-License-Identifier: Apache-2.0 */
/* test_request.c - reading plan requests: units, defaults, model names,
 * and an error with a position and a way forward for each mistake. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "migplan/readers/request_reader.h"
#include "migplan/util/buf.h"

#include "test_db.h"

typedef struct error_case {
    const char *yaml;
    int line, col;
    const char *msg;
} error_case;

/* Each case fails to parse with its message at its position. */
static void expect_errors(const error_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        mp_request r;
        mp_diag d;
        mp_diag_clear(&d);
        int rc = mp_request_parse(db, cases[i].yaml, strlen(cases[i].yaml),
                                  "r.yaml", NULL, &r, &d);
        if (rc == 0) {
            mp_request_free(&r);
            fail_msg("case %zu parsed:\n%s", i, cases[i].yaml);
        }
        if (d.line != cases[i].line || d.col != cases[i].col ||
            !strstr(d.msg, cases[i].msg))
            fail_msg("case %zu: got %d:%d '%s', expected %d:%d '...%s...'", i,
                     d.line, d.col, d.msg, cases[i].line, cases[i].col,
                     cases[i].msg);
        assert_string_equal(d.file, "r.yaml");
    }
}

static void test_memory_units(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        long long mib;
    } ok[] = {
        {"8GiB", 8192},  {"8 GiB", 8192}, {"8Gi", 8192},    {"8gib", 8192},
        {"12GB", 11445}, {"500MiB", 500}, {"500MB", 477},   {"1.5TiB", 1572864},
        {"0.5GiB", 512}, {"1TB", 953675}, {"  4GiB", 4096}, {"0.001MiB", 1},
        {"8gb", 7630},   {"8GB", 7630},
    };
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        long long mib = -1;
        char why[200];
        if (!mp_parse_memory(ok[i].in, &mib, why, sizeof(why)))
            fail_msg("%s: %s", ok[i].in, why);
        if (mib != ok[i].mib)
            fail_msg("%s: %lld MiB, expected %lld", ok[i].in, mib, ok[i].mib);
    }
    static const struct {
        const char *in, *why;
    } bad[] = {
        {"8", "needs a unit"},
        {"8 gigs", "unknown unit 'gigs'"},
        {"-1GiB", "more than 0"},
        {"0GiB", "more than 0"},
        {"1e30GiB", "more memory than any GPU"},
        {"abc", "not a size"},
        {"", "not a size"},
        {"nanGiB", "not a size"},
        {"0", "more than 0"},
        {"-3", "more than 0"},
        {"8Gb", "reads as Gbit; write 8GB for 10^9 bytes or 8GiB"},
        {"500Mb", "reads as Mbit; write 500MB for 10^6 bytes"},
        {"1Tb", "reads as Tbit"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        long long mib;
        char why[200] = "";
        assert_false(mp_parse_memory(bad[i].in, &mib, why, sizeof(why)));
        if (!strstr(why, bad[i].why))
            fail_msg("'%s': message '%s' lacks '%s'", bad[i].in, why,
                     bad[i].why);
    }
}

static void test_defaults_and_fields(void **state)
{
    (void)state;
    const char *y = "fleet:\n"
                    "  - model: NVIDIA H100 80GB HBM3\n"
                    "    count: 4\n"
                    "  - {model: \"0x233510DE\", cost: 1.5}\n"
                    "tenants:\n"
                    "  - name: a\n"
                    "    memory: 8GiB\n"
                    "  - name: b.v-2_x\n"
                    "    memory: 20GB\n"
                    "    compute: 3g\n"
                    "    replicas: 5\n"
                    "    media: true\n"
                    "    spread: true\n"
                    "    models: [h100, h200]\n"
                    "  - {name: c, whole-gpu: true, replicas: 2}\n"
                    "  - {name: d, memory: 1GiB, sms: 40}\n"
                    "  - {name: e, memory: 1GiB, engines: {nvenc: 2}}\n";
    mp_request r;
    mp_diag d;
    if (mp_request_parse(db, y, strlen(y), "r.yaml", NULL, &r, &d) != 0)
        fail_msg("%d:%d %s", d.line, d.col, d.msg);
    assert_int_equal(r.n_fleet, 2);
    assert_string_equal(r.fleet[0].model->id, "h100-sxm5-80gb");
    assert_int_equal(r.fleet[0].count, 4);
    assert_true(r.fleet[0].cost == 1.0);
    assert_string_equal(r.fleet[1].model->id, "h200-141gb");
    assert_int_equal(r.fleet[1].count, -1);
    assert_true(r.fleet[1].cost == 1.5);
    assert_int_equal(r.n_tenants, 5);
    const mp_tenant *a = &r.tenants[0], *b = &r.tenants[1];
    assert_int_equal(a->compute, 1);
    assert_int_equal(a->replicas, 1);
    assert_int_equal(a->memory_mib, 8192);
    assert_false(a->spread || a->media || a->whole_gpu);
    assert_null(a->models);
    assert_string_equal(b->name, "b.v-2_x");
    assert_int_equal(b->memory_mib, 19074);
    assert_int_equal(b->compute, 3);
    assert_int_equal(b->replicas, 5);
    assert_true(b->media && b->spread);
    assert_int_equal(b->n_models, 2);
    assert_true(r.tenants[2].whole_gpu);
    assert_int_equal(r.tenants[3].sms, 40);
    assert_int_equal(r.tenants[4].engines[MP_ENG_NVENC], 2);
    assert_int_equal(r.total_replicas, 1 + 5 + 2 + 1 + 1);
    /* models: limits where the tenant may go */
    const mp_model *a30;
    assert_int_equal(mp_db_find(db, "a30", &a30, NULL), 0);
    assert_true(mp_tenant_allows(a, a30));
    assert_false(mp_tenant_allows(b, a30));
    assert_true(mp_tenant_allows(b, r.fleet[1].model));
    mp_request_free(&r);
}

static void parse_ok(const char *y, mp_request *r)
{
    mp_diag d;
    if (mp_request_parse(db, y, strlen(y), "r.yaml", NULL, r, &d) != 0)
        fail_msg("%d:%d %s", d.line, d.col, d.msg);
}

/* share, headroom (request and tenant), min-spare, whole-gpu: N: what the
 * solver places and what the request asked, both kept. */
static void test_share_headroom_whole(void **state)
{
    (void)state;
    const char *y = "fleet: [{model: h100}]\n"
                    "headroom: 10%\n"
                    "min-spare: 1GiB\n"
                    "tenants:\n"
                    "  - {name: a, memory: 4GiB, replicas: 5, share: 2}\n"
                    "  - {name: b, memory: 1000MiB, headroom: 0}\n"
                    "  - {name: c, memory: 1000MiB, headroom: \"2.5 %\"}\n"
                    "  - {name: d, whole-gpu: 4, replicas: 2}\n"
                    "  - {name: e, whole-gpu: false, memory: 1GiB}\n";
    mp_request r;
    parse_ok(y, &r);
    assert_int_equal(r.headroom_milli, 10000);
    assert_int_equal(r.min_spare_mib, 1024);
    const mp_tenant *t = r.tenants;
    assert_int_equal(t[0].asked_mib, 4096);
    assert_int_equal(t[0].asked_replicas, 5);
    assert_int_equal(t[0].share, 2);
    assert_int_equal(t[0].replicas, 3);
    assert_int_equal(t[0].memory_mib, 2 * 4506); /* 4096 + 10%, up */
    assert_int_equal(t[1].memory_mib, 1000);
    assert_int_equal(t[2].headroom_milli, 2500);
    assert_int_equal(t[2].memory_mib, 1025);
    assert_int_equal(mp_request_headroom(&r, &t[2]), 2500);
    assert_int_equal(mp_request_headroom(&r, &t[0]), 10000);
    assert_true(t[3].whole_gpu);
    assert_int_equal(mp_tenant_gpus(&t[3]), 4);
    assert_int_equal(t[3].replicas, 2);
    assert_false(t[4].whole_gpu);
    assert_int_equal(r.total_replicas, 3 + 1 + 1 + 2 + 1);
    mp_request_free(&r);
    /* defaults: no headroom, 512 MiB spare; min-spare: 0 turns it off */
    y = "fleet: [{model: h100}]\nmin-spare: 0\ntenants: [{name: a, memory: "
        "1GiB}]\n";
    parse_ok(y, &r);
    assert_int_equal(r.min_spare_mib, 0);
    assert_int_equal(r.headroom_milli, 0);
    mp_request_free(&r);
    y = "fleet: [{model: h100}]\ntenants: [{name: a, memory: 1GiB}]\n";
    parse_ok(y, &r);
    assert_int_equal(r.min_spare_mib, MP_DEFAULT_MIN_SPARE_MIB);
    assert_int_equal(r.tenants[0].memory_mib, 1024);
    mp_request_free(&r);
}

/* --gpu: a request without a fleet gets as many of that model as needed */
static void test_default_model(void **state)
{
    (void)state;
    const char *y = "tenants:\n  - {name: a, memory: 8GiB}\n";
    const mp_model *h200;
    assert_int_equal(mp_db_find(db, "h200", &h200, NULL), 0);
    mp_request r;
    mp_diag d;
    assert_int_equal(mp_request_parse(db, y, strlen(y), "r.yaml", h200, &r, &d),
                     0);
    assert_int_equal(r.n_fleet, 1);
    assert_ptr_equal(r.fleet[0].model, h200);
    assert_int_equal(r.fleet[0].count, -1);
    mp_request_free(&r);
    assert_int_not_equal(
        mp_request_parse(db, y, strlen(y), "r.yaml", NULL, &r, &d), 0);
    assert_non_null(strstr(d.msg, "--gpu"));
}

/* Each mistake: where it is and what to do. */
static void test_errors(void **state)
{
    (void)state;
    static const error_case cases[] = {
        {"", 1, 1, "empty request"},
        {"[1, 2]\n", 1, 1, "must be a map"},
        {"fleet: [{model: h100}]\ntenants: []\n", 2, 10, "tenants is empty"},
        {"fleet: []\ntenants: [{name: a, memory: 1GiB}]\n", 1, 8,
         "fleet is empty; list the GPUs, e.g. - {model: h100, count: 8}"},
        {"fleet: h100\ntenants: [{name: a, memory: 1GiB}]\n", 1, 8,
         "fleet must be a list, not a string"},
        {"fleet: [{model: h100}]\ntenants: {a: 1}\n", 2, 10,
         "tenants must be a list, not a map"},
        {"fleet: [{model: h100}]\ntenants:\n  - {name: 'a b', memory: 8GiB}\n",
         3, 12, "only letters, digits"},
        {"fleet: [{model: h100}]\ntenants:\n  - {name: a, memory: 8GiB}\n"
         "  - {name: a, memory: 9GiB}\n",
         4, 12, "already used (line 3)"},
        /* several repeats: the first repeat in file order is reported,
         * with the line of the name it repeats */
        {"fleet: [{model: h100}]\ntenants:\n  - {name: a, memory: 1GiB}\n"
         "  - {name: b, memory: 1GiB}\n  - {name: c, memory: 1GiB}\n"
         "  - {name: b, memory: 1GiB}\n  - {name: a, memory: 1GiB}\n"
         "  - {name: b, memory: 1GiB}\n",
         6, 12, "name b is already used (line 4)"},
        {"fleet: [{model: h100}]\ntenants:\n  - {name: a, memroy: 8GiB}\n", 3,
         15, "unknown key 'memroy'"},
        {"fleet: [{model: h100}]\ntenants:\n  - {name: a, memory: 1GiB, "
         "replicas: 2, share: 3}\n",
         3, 49, "more than the 2 replicas"},
        {"fleet: [{model: h100}]\ntenants:\n  - {name: a, memory: 1GiB, "
         "headroom: 5x}\n",
         3, 39, "headroom is a percentage"},
        {"fleet: [{model: h100}]\ntenants:\n  - {name: a, whole-gpu: [2]}\n", 3,
         26, "whole-gpu is true, false or a number"},
        {"fleet: [{model: h100}]\ntenants:\n  - {name: a, whole-gpu: 2, "
         "replicas: 2, share: 2}\n",
         3, 49, "drop share or whole-gpu"},
        {"fleet: [{model: h100}]\nmin-spare: lots\ntenants: [{name: a, "
         "memory: 1GiB}]\n",
         2, 12, "min-spare: 'lots' is not a size"},
        {"fleet: [{model: h100}]\ntenants:\n  - {name: a, memory: 8 gigs}\n", 3,
         23, "unknown unit"},
        {"fleet: [{model: h100}]\ntenants:\n  - {name: a}\n", 3, 5,
         "needs memory"},
        {"fleet: [{model: h100}]\ntenants:\n  - {name: a, memory: 1GiB, "
         "replicas: 0}\n",
         3, 39, "between 1 and 1000000"},
        {"fleet: [{model: h100}]\ntenants:\n  - {name: a, memory: 1GiB, "
         "replicas: 99999999999999999999}\n",
         3, 39, "too large"},
        {"fleet: [{model: h100}]\ntenants:\n  - {name: a, memory: 1GiB, "
         "compute: 2g, sms: 40}\n",
         3, 38, "compute or sms, not both"},
        {"fleet: [{model: h100}]\ntenants:\n  - {name: a, whole-gpu: true, "
         "compute: 3g}\n",
         3, 5, "drop compute"},
        {"fleet: [{model: h1000}]\ntenants:\n  - {name: a, memory: 1GiB}\n", 1,
         17, "closest known: h100-sxm5-80gb"},
        {"fleet: [{model: h100, cost: 0}]\ntenants:\n  - {name: a, memory: "
         "1GiB}\n",
         1, 29, "cost must be more than 0"},
        {"fleet: [{model: h100, count: -1}]\ntenants:\n  - {name: a, memory: "
         "1GiB}\n",
         1, 30, "between 0 and 1000000"},
        /* a plan holds every GPU offered: at most 4,000,000 together */
        {"fleet:\n  - {model: h100, count: 1000000}\n  - {model: h200, "
         "count: 1000000}\n  - {model: b200, count: 1000000}\n  - {model: "
         "a100-80gb, count: 1000000}\n  - {model: a100, count: 1}\n"
         "tenants:\n  - {name: a, memory: 1GiB}\n",
         6, 26, "the fleet offers more than 4000000 GPUs together (limit)"},
        {"fleet: [{model: h100}]\ntenants:\n  - {name: a, memory: 1GiB, "
         "models: [nope]}\n",
         3, 38, "unknown GPU model 'nope'"},
        {"fleet: [{model: h100}]\ntenants:\n  - {name: a, memory: 1GiB, "
         "engines: {nvenx: 1}}\n",
         3, 39, "unknown key 'nvenx' in a map of engines"},
        {"fleet: [{model: h100}]\ntenants:\n  - {name: a, memory: 1GiB, "
         "media: maybe}\n",
         3, 36, "media must be true or false, not maybe"},
    };
    expect_errors(cases, sizeof(cases) / sizeof(cases[0]));
}

/* A list over its limit is refused at the list, saying the limit. */
static void test_list_limits(void **state)
{
    (void)state;
    mp_buf y = MP_BUF_INIT;
    mp_buf_puts(&y, "fleet:\n");
    for (int i = 0; i <= MP_MAX_FLEET; i++)
        mp_buf_puts(&y, "  - {model: h100}\n");
    mp_buf_puts(&y, "tenants: [{name: a, memory: 1GiB}]\n");
    mp_request r;
    mp_diag d;
    mp_diag_clear(&d);
    assert_int_equal(
        mp_request_parse(db, y.data, y.len, "r.yaml", NULL, &r, &d), MP_ELIMIT);
    assert_int_equal(d.line, 2);
    assert_string_equal(d.msg, "more than 64 fleet entries (limit)");
    mp_buf_free(&y);
}

/* Hostile YAML is refused with the limit that was hit. */
static void test_hostile(void **state)
{
    (void)state;
    char deep[4096] = "tenants: ";
    for (int i = 0; i < 200; i++)
        strcat(deep, "[");
    mp_request r;
    mp_diag d;
    assert_int_not_equal(
        mp_request_parse(db, deep, strlen(deep), "r.yaml", NULL, &r, &d), 0);
    assert_non_null(strstr(d.msg, "deep"));
    const char nul[] = "fleet: [{model: h100}]\ntenants:\n  - {name: a\0b, "
                       "memory: 1GiB}\n";
    assert_int_not_equal(
        mp_request_parse(db, nul, sizeof(nul) - 1, "r.yaml", NULL, &r, &d), 0);
    const char bad_utf8[] = "fleet: [{model: h100}]\ntenants:\n  - {name: "
                            "\xff\xfe, memory: 1GiB}\n";
    assert_int_not_equal(mp_request_parse(db, bad_utf8, sizeof(bad_utf8) - 1,
                                          "r.yaml", NULL, &r, &d),
                         0);
}

/* `nodes:` pools: the fleet they stand for, defaults, and each mistake
 * with its position. */
static void test_node_pools(void **state)
{
    (void)state;
    const char *ok =
        "nodes:\n"
        "  - {pool: dgx, model: h100, gpus: 8, count: 2, cost: 8,"
        " names: [n-1, n-2]}\n"
        "  - {pool: small, model: a30, gpus: 4, strategy: single}\n"
        "tenants:\n"
        "  - {name: a, memory: 8GiB, spread: nodes}\n"
        "  - {name: b, memory: 8GiB, same-profile: false}\n"
        "  - {name: c, whole-gpu: true, spread: gpus}\n";
    mp_request r;
    mp_diag d;
    assert_int_equal(
        mp_request_parse(db, ok, strlen(ok), "r.yaml", NULL, &r, &d), 0);
    assert_int_equal(r.n_pools, 2);
    assert_int_equal(r.n_fleet, 2);
    assert_int_equal(r.fleet[0].count, 16);
    assert_true(r.fleet[0].cost == 1.0);
    assert_int_equal(r.fleet[1].count, -1);
    assert_int_equal(r.pools[1].strategy, MP_STRATEGY_SINGLE);
    assert_int_equal(r.pools[0].strategy, MP_STRATEGY_MIXED);
    char name[64];
    mp_node_pool_node_name(&r.pools[0], 1, name, sizeof(name));
    assert_string_equal(name, "n-2");
    mp_node_pool_node_name(&r.pools[1], 2, name, sizeof(name));
    assert_string_equal(name, "small-03");
    assert_true(r.tenants[0].spread && r.tenants[0].spread_nodes);
    assert_true(r.tenants[0].same_profile);
    assert_false(r.tenants[1].same_profile);
    assert_true(r.tenants[2].spread && !r.tenants[2].spread_nodes);
    assert_false(r.tenants[2].same_profile);
    mp_request_free(&r);
    static const error_case cases[] = {
        {"fleet: [{model: h100}]\nnodes: [{pool: a, model: h100, gpus: 8}]\n"
         "tenants: [{name: a, memory: 1GiB}]\n",
         2, 8, "not both"},
        {"nodes: []\ntenants: [{name: a, memory: 1GiB}]\n", 1, 8,
         "nodes is empty"},
        {"nodes: [{pool: a, model: h100}]\ntenants: [{name: a, memory: "
         "1GiB}]\n",
         1, 9, "missing the required key 'gpus'"},
        {"nodes: [{pool: a, model: h100, gpus: 17}]\ntenants: [{name: a, "
         "memory: 1GiB}]\n",
         1, 38, "between 1 and 16"},
        {"nodes: [{pool: A_b, model: h100, gpus: 8}]\ntenants: [{name: a, "
         "memory: 1GiB}]\n",
         1, 16, "pool name 'A_b'"},
        {"nodes: [{pool: a, model: h100, gpus: 8, strategy: one}]\ntenants: "
         "[{name: a, memory: 1GiB}]\n",
         1, 51, "mixed or single, not 'one'"},
        {"nodes: [{pool: a, model: h100, gpus: 8, names: [x]}]\ntenants: "
         "[{name: a, memory: 1GiB}]\n",
         1, 48, "names needs a count"},
        {"nodes: [{pool: a, model: h100, gpus: 8, count: 2, names: [x, X]}]\n"
         "tenants: [{name: a, memory: 1GiB}]\n",
         1, 62, "'X' is not a Kubernetes node name"},
        {"nodes: [{pool: a, model: h100, gpus: 8, count: 2, names: [x, x]}]\n"
         "tenants: [{name: a, memory: 1GiB}]\n",
         1, 62, "node x is named twice"},
        {"nodes:\n  - {pool: a, model: h100, gpus: 8}\n  - {pool: a, model: "
         "a30, gpus: 4}\ntenants: [{name: a, memory: 1GiB}]\n",
         3, 12, "pool a is already defined (line 2)"},
        {"nodes: [{pool: a, model: h100, gpus: 8, cost: 0}]\ntenants: "
         "[{name: a, memory: 1GiB}]\n",
         1, 47, "cost must be more than 0"},
        {"nodes: [{pool: a, model: h100, gpus: 8}]\ntenants: [{name: a, "
         "memory: 1GiB, spread: racks}]\n",
         2, 43, "spread is nodes, gpus"},
        {"nodes: [{pool: a, model: h100, gpus: 8}]\ntenants: [{name: a, "
         "memory: 1GiB, same-profile: 2}]\n",
         2, 49, "same-profile is true or false"},
        {"fleet: [{model: h100}]\ntenants: [{name: a, memory: 1GiB, spread: "
         "nodes}]\n",
         2, 43, "needs node pools"},
    };
    expect_errors(cases, sizeof(cases) / sizeof(cases[0]));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_memory_units),
        cmocka_unit_test(test_defaults_and_fields),
        cmocka_unit_test(test_share_headroom_whole),
        cmocka_unit_test(test_default_model),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_list_limits),
        cmocka_unit_test(test_hostile),
        cmocka_unit_test(test_node_pools),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
