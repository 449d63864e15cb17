/* SPDX-License-Identifier: Apache-2.0 */
/* test_advice.c - the Prometheus text reader, dcgm-exporter samples per MIG
 * instance, pod names matched to tenants, and the busy, memory and share
 * rules with their thresholds. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "migplan/model/advice.h"
#include "migplan/readers/dcgm_reader.h"
#include "migplan/readers/prom_reader.h"

#include "test_db.h"

/* ------------------------------------------------------------ prometheus */

typedef struct seen {
    int n;
    char names[8][64];
    char labels[8][256]; /* name=value; ... */
    double values[8];
    long long ts[8];
    int has_ts[8];
    int lines[8];
} seen;

static int collect(void *ctx, const char *path, const mp_prom_sample *s,
                   mp_diag *d)
{
    (void)path;
    (void)d;
    seen *x = ctx;
    if (x->n >= 8)
        return 0;
    snprintf(x->names[x->n], 64, "%s", s->name);
    size_t k = 0;
    x->labels[x->n][0] = '\0';
    for (int i = 0; i < s->n_labels; i++)
        k += (size_t)snprintf(x->labels[x->n] + k, 256 - k, "%s=%s;",
                              s->labels[i].name, s->labels[i].value);
    x->values[x->n] = s->value;
    x->ts[x->n] = s->ts_ms;
    x->has_ts[x->n] = s->has_ts;
    x->lines[x->n] = s->line;
    x->n++;
    return 0;
}

static void test_prom_samples(void **state)
{
    (void)state;
    const char *text =
        "# HELP DCGM_FI_DEV_FB_USED Framebuffer memory used (in MiB).\n"
        "# TYPE DCGM_FI_DEV_FB_USED gauge\n"
        "DCGM_FI_DEV_FB_USED{gpu=\"0\",GPU_I_ID=\"9\"} 4188\n"
        "\n"
        "   up 1 1700000000000   \n"
        "m{a=\"q\\\"x\\\\y\\nz\" , b = \"\",} -Inf\n"
        "# a comment the reader ignores\n"
        "m:rate{} NaN -5\n"
        "m 1.5e3\r\n"
        "# TYPE m untyped\n"
        "m{gpu=\"0\", UUID=\"GPU-6\"} +Inf 9223372036854775807\n";
    seen x = {0};
    mp_diag d;
    mp_diag_clear(&d);
    int rc = mp_prom_parse(text, strlen(text), "m.prom", collect, &x, &d);
    if (rc)
        fail_msg("%d:%d %s", d.line, d.col, d.msg);
    assert_int_equal(x.n, 6);
    assert_string_equal(x.names[0], "DCGM_FI_DEV_FB_USED");
    assert_string_equal(x.labels[0], "gpu=0;GPU_I_ID=9;");
    assert_true(x.values[0] == 4188.0);
    assert_false(x.has_ts[0]);
    assert_int_equal(x.lines[0], 3);
    assert_string_equal(x.names[1], "up");
    assert_true(x.has_ts[1] && x.ts[1] == 1700000000000LL);
    assert_string_equal(x.labels[2], "a=q\"x\\y\nz;b=;");
    assert_true(isinf(x.values[2]) && x.values[2] < 0);
    assert_string_equal(x.names[3], "m:rate");
    assert_true(isnan(x.values[3]));
    assert_true(x.ts[3] == -5);
    assert_true(x.values[4] == 1500.0);
    assert_true(isinf(x.values[5]) && x.values[5] > 0);
    assert_true(x.ts[5] == 9223372036854775807LL);
    assert_string_equal(x.labels[5], "gpu=0;UUID=GPU-6;");
}

static void test_prom_errors(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int line, col;
        const char *msg;
    } bad[] = {
        {"m{gpu\"0\"} 1\n", 1, 6, "expected '=' after the label name gpu"},
        {"m{gpu=0} 1\n", 1, 7, "expected '\"'"},
        {"m{gpu=\"0} 1\n", 1, 12, "no closing"},
        {"m{gpu=\"a\\tb\"} 1\n", 1, 9, "unknown escape"},
        {"m{gpu=\"0\",gpu=\"1\"} 1\n", 1, 11, "label gpu is given twice"},
        {"m{gpu=\"0\" x=\"1\"} 1\n", 1, 11, "expected ',' or '}'"},
        {"m{9=\"0\"} 1\n", 1, 3, "expected a label name"},
        {"9m 1\n", 1, 1, "expected a metric name"},
        {"m{}\n", 1, 4, "expected the sample value"},
        {"m\n", 1, 2, "expected the sample value"},
        {"m=1\n", 1, 2, "expected '{' or a blank"},
        {"m 12abc\n", 1, 3, "must be a number, not '12abc'"},
        {"m 1e999\n", 1, 3, "out of range"},
        {"m 1 12.5\n", 1, 5, "whole milliseconds"},
        {"m 1 99999999999999999999\n", 1, 5, "out of range"},
        {"m 1 2 3\n", 1, 7, "unexpected text after the timestamp"},
        {"# TYPE m gauges\n", 1, 10, "must be counter, gauge"},
        {"# TYPE m gauge x\n", 1, 16, "unexpected text after the type"},
        {"# HELP\n", 1, 7, "expected a metric name after # HELP"},
        {"ok 1\n\x01\x02\n", 2, 1, "byte 0x01"},
        {"m{a=\"\xFF\"} 1\n", 1, 6, "byte 0xFF"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        seen x = {0};
        mp_diag d;
        mp_diag_clear(&d);
        int rc = mp_prom_parse(bad[i].text, strlen(bad[i].text), "m.prom",
                               collect, &x, &d);
        if (!rc)
            fail_msg("case %zu was accepted", i);
        if (d.line != bad[i].line || d.col != bad[i].col ||
            !strstr(d.msg, bad[i].msg))
            fail_msg("case %zu: %d:%d %s; expected %d:%d ...%s...", i, d.line,
                     d.col, d.msg, bad[i].line, bad[i].col, bad[i].msg);
    }
    /* 65 labels: over the limit */
    char text[2048];
    size_t k = (size_t)snprintf(text, sizeof(text), "m{");
    for (int i = 0; i < 65; i++)
        k += (size_t)snprintf(text + k, sizeof(text) - k, "l%d=\"\",", i);
    snprintf(text + k, sizeof(text) - k, "} 1\n");
    seen x = {0};
    mp_diag d;
    assert_int_not_equal(
        mp_prom_parse(text, strlen(text), "m.prom", collect, &x, &d), 0);
    assert_non_null(strstr(d.msg, "more than 64 labels"));
}

/* ------------------------------------------------------------ dcgm */

#define H100 "modelName=\"NVIDIA H100 80GB HBM3\""

static void test_dcgm_slices(void **state)
{
    (void)state;
    const char *text =
        "DCGM_FI_DEV_FB_USED{gpu=\"0\"," H100 ",GPU_I_PROFILE=\"1g.10gb\","
        "GPU_I_ID=\"9\",Hostname=\"n1\",container=\"embed\",pod=\"embed-0\"} "
        "3000\n"
        "DCGM_FI_PROF_GR_ENGINE_ACTIVE{gpu=\"0\"," H100
        ",GPU_I_PROFILE=\"1g.10gb\",GPU_I_ID=\"9\",Hostname=\"n1\","
        "container=\"embed\",pod=\"embed-0\"} 0.25\n"
        "DCGM_FI_DEV_FB_USED{gpu=\"0\"," H100 ",GPU_I_PROFILE=\"1g.10gb\","
        "GPU_I_ID=\"9\",Hostname=\"n1\",container=\"embed\",pod=\"embed-0\"} "
        "3100.2\n"
        /* a blank value of each kind */
        "DCGM_FI_DEV_FB_USED{gpu=\"0\"," H100 ",GPU_I_PROFILE=\"1g.10gb\","
        "GPU_I_ID=\"9\",Hostname=\"n1\",container=\"embed\",pod=\"embed-0\"} "
        "9223372036854775794\n"
        "DCGM_FI_PROF_GR_ENGINE_ACTIVE{gpu=\"0\"," H100
        ",GPU_I_PROFILE=\"1g.10gb\",GPU_I_ID=\"9\",Hostname=\"n1\","
        "container=\"embed\",pod=\"embed-0\"} 140737488355330\n"
        /* another occupant of the same instance */
        "DCGM_FI_DEV_FB_USED{gpu=\"0\"," H100 ",GPU_I_PROFILE=\"1g.10gb\","
        "GPU_I_ID=\"9\",Hostname=\"n1\",container=\"embed\",pod=\"embed-1\"} "
        "10\n"
        /* renamed by Prometheus, older label names, unknown model */
        "DCGM_FI_DEV_FB_USED{gpu=\"1\",modelName=\"NVIDIA Z9\","
        "GPU_I_PROFILE=\"2g.20gb\",GPU_I_ID=\"3\",container=\"exporter\","
        "exported_container=\"chat\",pod_name=\"chat-0\"} 5\n"
        /* a GPU without MIG, and metrics that do not matter */
        "DCGM_FI_DEV_FB_USED{gpu=\"2\"," H100 "} 70000\n"
        "DCGM_FI_DEV_GPU_TEMP{gpu=\"0\",GPU_I_PROFILE=\"1g.10gb\"} 40\n";
    mp_slice_set s = {0};
    mp_diag d;
    mp_diag_clear(&d);
    int rc = mp_dcgm_parse(db, text, strlen(text), "m.prom", &s, &d);
    if (rc)
        fail_msg("%d:%d %s", d.line, d.col, d.msg);
    assert_int_equal(s.n, 3);
    assert_int_equal(s.n_blank, 2);
    assert_int_equal(s.n_whole, 1);
    assert_int_equal(s.n_samples, 5);
    const mp_slice_obs *o = &s.v[0];
    assert_string_equal(o->host, "n1");
    assert_string_equal(o->pod, "embed-0");
    assert_non_null(o->model);
    assert_string_equal(o->model->id, "h100-sxm5-80gb");
    assert_non_null(o->gi);
    assert_int_equal(o->gi->memory_mib, 9984);
    assert_int_equal(o->n_fb, 2);
    assert_int_equal(o->fb_mib[1], 3101); /* rounded up */
    assert_int_equal(o->n_active, 1);
    assert_string_equal(s.v[1].pod, "embed-1");
    assert_string_equal(s.v[2].container, "chat");
    assert_string_equal(s.v[2].pod, "chat-0");
    assert_null(s.v[2].model);
    assert_null(s.v[2].gi);
    mp_slice_set_free(&s);
}

/* Case i, text, must be refused at line:col with msg in the message. */
static void expect_dcgm_error(size_t i, const char *text, int line, int col,
                              const char *msg)
{
    mp_slice_set s = {0};
    mp_diag d;
    mp_diag_clear(&d);
    int rc = mp_dcgm_parse(db, text, strlen(text), "m.prom", &s, &d);
    if (!rc)
        fail_msg("case %zu was accepted", i);
    if (d.line != line || d.col != col || !strstr(d.msg, msg))
        fail_msg("case %zu: %d:%d %s; expected %d:%d ...%s...", i, d.line,
                 d.col, d.msg, line, col, msg);
    mp_slice_set_free(&s);
}

static void test_dcgm_errors(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int col;
        const char *msg;
    } bad[] = {
        {"DCGM_FI_DEV_FB_USED{GPU_I_PROFILE=\"1g.10gb\",GPU_I_ID=\"1\"} NaN\n",
         59, "MiB from 0"},
        {"DCGM_FI_DEV_FB_USED{GPU_I_PROFILE=\"1g.10gb\",GPU_I_ID=\"1\"} -1\n",
         59, "not '-1'"},
        {"DCGM_FI_DEV_FB_USED{GPU_I_PROFILE=\"1g.10gb\",GPU_I_ID=\"1\"} 2e9\n",
         59, "MiB from 0"},
        {"DCGM_FI_PROF_GR_ENGINE_ACTIVE{GPU_I_PROFILE=\"1g.10gb\","
         "GPU_I_ID=\"1\"} 1.5\n",
         69, "ratio from 0 to 1"},
        {"DCGM_FI_PROF_GR_ENGINE_ACTIVE{GPU_I_PROFILE=\"1g.10gb\","
         "GPU_I_ID=\"1\"} +Inf\n",
         69, "not '+Inf'"},
        {"DCGM_FI_DEV_FB_USED{GPU_I_PROFILE=\"1g.10gb\"} 5\n", 1,
         "no GPU_I_ID"},
        {"DCGM_FI_DEV_FB_USED{GPU_I_ID=\"4\",GPU_I_PROFILE=\"\"} 5\n", 1,
         "no GPU_I_PROFILE"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        expect_dcgm_error(i, bad[i].text, 1, bad[i].col, bad[i].msg);
}

/* Samples that contradict the profile database or themselves. */
static void test_dcgm_contradictions(void **state)
{
    (void)state;
#define FB "DCGM_FI_DEV_FB_USED{" H100 ",GPU_I_ID=\"1\",GPU_I_PROFILE="
    static const struct {
        const char *text;
        int line, col;
        const char *msg;
    } bad[] = {
        /* 9984 MiB is the 1g.10gb of an H100 at the default driver */
        {FB "\"1g.10gb\"} 9985\n", 1, 93, "more than the 9984 MiB"},
        {FB "\"1g.77gb\"} 5\n", 1, 68, "not a profile of h100-sxm5-80gb"},
        {FB "\"1g.10gb\"} 5 -1\n", 1, 95, "before 1970"},
        {FB "\"1g.10gb\"} 5 1000\n" FB "\"1g.10gb\"} 6 1000\n", 2, 93,
         "another value"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        expect_dcgm_error(i, bad[i].text, bad[i].line, bad[i].col, bad[i].msg);
    /* the same sample twice (a scrape given twice) counts once; samples
     * without a timestamp are all kept */
    const char *twice =
        FB "\"1g.10gb\"} 5 1000\n" FB "\"1g.10gb\"} 5 1000\n" FB
           "\"1g.10gb\"} 7 2000\n" FB "\"1g.10gb\"} 7\n" FB "\"1g.10gb\"} 7\n";
    mp_slice_set s = {0};
    mp_diag d;
    mp_diag_clear(&d);
    assert_int_equal(mp_dcgm_parse(db, twice, strlen(twice), "m.prom", &s, &d),
                     0);
    assert_int_equal(s.n_duplicate, 1);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.v[0].n_fb, 4);
    mp_slice_set_free(&s);
#undef FB
}

/* ------------------------------------------------------------ matching */

static void test_pod_names(void **state)
{
    (void)state;
    static const struct {
        const char *pod, *name;
        bool yes;
    } cases[] = {
        {"chat", "chat", true},
        {"chat-0", "chat", true},
        {"chat-12", "chat", true},
        {"chat-x7k2q", "chat", true},
        {"chat-7d9f8b6c5d-x7k2q", "chat", true},
        {"chat-api-7d9f8b6c5d-x7k2q", "chat", false},
        {"chat-api-7d9f8b6c5d-x7k2q", "chat-api", true},
        {"chatbot-0", "chat", false},
        {"chat-", "chat", false},
        {"chat-X7K2Q", "chat", false},
        {"chat-7d9f8b6c5d1-x7k2q", "chat", false},
        {"chat-x7k2", "chat", false},
        {"cha", "chat", false},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        if (mp_pod_is_replica_of(cases[i].pod, cases[i].name) != cases[i].yes)
            fail_msg("%s of %s: expected %s", cases[i].pod, cases[i].name,
                     cases[i].yes ? "yes" : "no");
    mp_advice_tenant t[] = {{.name = "chat"}, {.name = "chat-api"}};
    mp_slice_obs o = {.container = "", .pod = "chat-api-7d9f8b6c5d-x7k2q"};
    bool by_container;
    assert_int_equal(mp_advice_match(&o, t, 2, &by_container), 1);
    assert_false(by_container);
    o.container = "chat";
    assert_int_equal(mp_advice_match(&o, t, 2, &by_container), 0);
    assert_true(by_container);
    o.container = "sidecar";
    o.pod = "other-0";
    assert_int_equal(mp_advice_match(&o, t, 2, &by_container), -1);
}

/* ------------------------------------------------------------ rules */

/* A slice of an H100 instance with n samples of each metric. */
static size_t slice(mp_slice_set *s, const char *key, const char *prof,
                    const char *container, double active, long long fb, int n)
{
    size_t i;
    bool is_new;
    assert_int_equal(mp_slice_set_get(s, key, strlen(key), &i, &is_new), 0);
    assert_true(is_new);
    mp_slice_obs *o = &s->v[i];
    o->host = o->gpu = o->gi_id = o->pod = o->ns = o->model_name = "";
    o->container = container;
    o->profile = prof;
    assert_int_equal(mp_db_find(db, "h100", &o->model, NULL), 0);
    o->gi = mp_model_profile(o->model, prof);
    assert_non_null(o->gi);
    for (int k = 0; k < n; k++) {
        /* spread around the value; the median and max stay known */
        assert_int_equal(mp_slice_add_active(s, i, active), 0);
        assert_int_equal(mp_slice_add_fb(s, i, fb - k), 0);
    }
    return i;
}

static const mp_advice_opts defaults = {0.85, 0.5, 95000, 10000, MP_BUSY_AUTO};

static void test_rules(void **state)
{
    (void)state;
    mp_slice_set s = {0};
    slice(&s, "a", "2g.20gb", "chat", 0.9, 10000, 5);
    slice(&s, "b", "2g.20gb", "api", 0.9, 10000, 5);
    slice(&s, "c", "2g.20gb", "api", 0.5, 10000, 5);
    slice(&s, "d", "1g.10gb", "embed", 0.3, 4000, 5);
    slice(&s, "e", "1g.10gb", "embed", 0.3, 3000, 5);
    slice(&s, "f", "1g.20gb", "rerank", 0.3, 5000, 5);
    slice(&s, "g", "7g.80gb", "train", 0.99, 60000, 5);
    slice(&s, "h", "1g.10gb", "fat", 0.2, 9000, 5);
    slice(&s, "i", "1g.10gb", "nobody", 0.2, 9000, 5);
    slice(&s, "j", "1g.10gb", "shared", 0.99, 9500, 5);
    mp_advice_tenant t[] = {
        {"chat", 12288, 2, 1, false, 1},  {"api", 12288, 2, 2, false, 1},
        {"embed", 8192, 1, 4, false, 1},  {"rerank", 16384, 1, 1, false, 1},
        {"train", 71680, 7, 1, false, 1}, {"fat", 8192, 1, 1, false, 1},
        {"idle", 8192, 1, 1, false, 1},   {"shared", 8192, 1, 4, false, 2},
    };
    mp_advice a;
    mp_diag d;
    assert_int_equal(mp_advise(&s, t, 8, &defaults, &a, &d), 0);
    assert_int_equal(a.n_unmapped, 1);
    /* shared: busy and full, but its instances' metrics are of two
     * replicas together: measured, not judged */
    assert_int_equal(a.tenants[7].n_slices, 1);
    assert_false(mp_advice_changes(&a, 7));
    /* chat: one busy 2g replica grows to the H100's next size */
    assert_int_equal(a.tenants[0].compute, 3);
    assert_int_equal(a.tenants[0].replicas, 0);
    assert_int_equal(a.tenants[0].mem, MP_MEM_KEEP); /* 11000 < 12288 */
    assert_int_equal(a.tenants[0].need_mib, 11000);
    /* api: one of two slices busy, two replicas: a third */
    assert_int_equal(a.tenants[1].n_busy, 1);
    assert_int_equal(a.tenants[1].replicas, 3);
    assert_int_equal(a.tenants[1].compute, 0);
    /* embed: 1g slices under half full: share, memory = P95 + 10% */
    assert_int_equal(a.tenants[2].share, 2);
    assert_int_equal(a.tenants[2].mem, MP_MEM_SHARE);
    assert_int_equal(a.tenants[2].memory_mib, 4400);
    /* rerank: 5500 fits a 1g.10gb; 16 GiB needs a 1g.20gb: lower */
    assert_int_equal(a.tenants[3].mem, MP_MEM_LOWER);
    assert_int_equal(a.tenants[3].memory_mib, 5500);
    assert_int_equal(a.tenants[3].share, 0); /* one replica */
    /* train: busy on the largest size: a replica instead */
    assert_true(a.tenants[4].at_top);
    assert_int_equal(a.tenants[4].replicas, 2);
    /* fat: uses more than asked */
    assert_int_equal(a.tenants[5].mem, MP_MEM_RAISE);
    assert_int_equal(a.tenants[5].memory_mib, 9900);
    /* idle: nothing measured, nothing changed */
    assert_int_equal(a.tenants[6].n_slices, 0);
    assert_false(mp_advice_changes(&a, 6));
    mp_advice_free(&a);

    /* thresholds are parameters */
    mp_advice_opts o = defaults;
    o.busy = 0.95;
    o.share_below = 0;
    o.busy_action = MP_BUSY_GROW;
    assert_int_equal(mp_advise(&s, t, 7, &o, &a, &d), 0);
    assert_int_equal(a.tenants[0].compute, 0); /* 0.9 is not above 0.95 */
    /* 11000 MiB would fit a 1g.20gb, but chat needs 2g: 2g.20gb either way */
    assert_int_equal(a.tenants[0].mem, MP_MEM_KEEP);
    assert_int_equal(a.tenants[2].share, 0);
    /* 4400 and 8192 MiB both take a 1g.10gb: no reason to lower */
    assert_int_equal(a.tenants[2].mem, MP_MEM_KEEP);
    assert_int_equal(a.tenants[4].replicas, 2); /* 0.99 still busy */
    mp_advice_free(&a);
    o = defaults;
    o.busy_action = MP_BUSY_REPLICA;
    o.p_milli = 50000;
    o.headroom_milli = 0;
    assert_int_equal(mp_advise(&s, t, 7, &o, &a, &d), 0);
    assert_int_equal(a.tenants[0].replicas, 2);
    assert_int_equal(a.tenants[0].compute, 0);
    assert_int_equal(a.tenants[5].memory_mib, 8998); /* median of 8996..9000 */
    o.busy_action = MP_BUSY_GROW;
    mp_advice_free(&a);
    assert_int_equal(mp_advise(&s, t, 7, &o, &a, &d), 0);
    assert_int_equal(a.tenants[1].compute, 3); /* two replicas, still grow */
    mp_advice_free(&a);
    mp_slice_set_free(&s);
    mp_advice_free(NULL);
    mp_slice_set_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prom_samples),
        cmocka_unit_test(test_prom_errors),
        cmocka_unit_test(test_dcgm_slices),
        cmocka_unit_test(test_dcgm_errors),
        cmocka_unit_test(test_dcgm_contradictions),
        cmocka_unit_test(test_pod_names),
        cmocka_unit_test(test_rules),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
