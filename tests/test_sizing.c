/* SPDX-License-Identifier: Apache-2.0 */
/* test_sizing.c - nearest-rank percentiles, tenant names from process
 * names, the nvidia-smi --query-compute-apps reader in each of its forms,
 * and tenants sized from its rows: numbers checked by hand, errors at
 * their line and column. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "migplan/model/sizing.h"
#include "migplan/readers/smi_reader.h"
#include "migplan/util/intern.h"

#define MP_LINE_MAX_FOR_TEST 65536 /* the readers' line limit */

static void test_nearest_rank(void **state)
{
    (void)state;
    /* ceil(P/100 * n): the definition, at the edges */
    assert_int_equal(mp_nearest_rank(20, 95000), 19);
    assert_int_equal(mp_nearest_rank(21, 95000), 20);
    assert_int_equal(mp_nearest_rank(40, 95000), 38);
    assert_int_equal(mp_nearest_rank(1, 95000), 1);
    assert_int_equal(mp_nearest_rank(10, 50000), 5);
    assert_int_equal(mp_nearest_rank(11, 50000), 6);
    assert_int_equal(mp_nearest_rank(20, 100000), 20);
    assert_int_equal(mp_nearest_rank(20, 1), 1);
    assert_int_equal(mp_nearest_rank(200, 99500), 199);
    assert_int_equal(mp_nearest_rank(2000000, 95000), 1900000);
}

static void test_percentiles(void **state)
{
    (void)state;
    long long v[20];
    for (int i = 0; i < 20; i++)
        v[i] = (i * 7) % 20 + 1; /* 1..20, shuffled */
    assert_int_equal(mp_percentile_ll(v, 20, 95000), 19);
    assert_int_equal(mp_percentile_ll(v, 20, 50000), 10);
    assert_int_equal(mp_percentile_ll(v, 20, 100000), 20);
    assert_int_equal(mp_percentile_ll(v, 20, 5000), 1);
    long long one = 42;
    assert_int_equal(mp_percentile_ll(&one, 1, 95000), 42);
    double d[4] = {0.9, 0.1, 0.95, 0.5};
    /* the median by nearest rank is the lower middle of an even count */
    assert_true(mp_percentile_d(d, 4, 50000) == 0.5);
    assert_true(mp_percentile_d(d, 4, 100000) == 0.95);
}

static void test_headroom_and_milli(void **state)
{
    (void)state;
    assert_int_equal(mp_add_headroom(1000, 10000), 1100);
    assert_int_equal(mp_add_headroom(1001, 10000), 1102); /* 1101.1 up */
    assert_int_equal(mp_add_headroom(7242, 0), 7242);
    assert_int_equal(mp_add_headroom(3, 12500), 4); /* 3.375 up */
    assert_int_equal(mp_add_headroom(MP_SIZE_MAX_MIB, 1000000),
                     11 * MP_SIZE_MAX_MIB);
    int m;
    assert_true(mp_parse_milli("95", 1, 100000, &m) && m == 95000);
    assert_true(mp_parse_milli("99.5", 1, 100000, &m) && m == 99500);
    assert_true(mp_parse_milli("0.001", 1, 100000, &m) && m == 1);
    assert_true(mp_parse_milli("100", 1, 100000, &m) && m == 100000);
    assert_true(mp_parse_milli("0", 0, 1000, &m) && m == 0);
    static const char *const bad[] = {
        "",   "0",  "100.001", "1.2345",         "-5", "1e2", "nan",
        ".5", "5.", "1..2",    "12345678901234", " 95"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (mp_parse_milli(bad[i], 1, 100000, &m))
            fail_msg("'%s' was accepted as %d", bad[i], m);
}

static void test_names(void **state)
{
    (void)state;
    static const struct {
        const char *process, *name;
    } cases[] = {
        {"/usr/bin/python3", "python3"},
        {"python3 -m vllm.entrypoints.openai.api_server", "python3"},
        {"C:\\Program Files\\Ollama\\ollama.exe", "ollama.exe"},
        {"VLLM::Worker_TP0", "vllm-worker_tp0"},
        {"/opt/google/chrome/chrome --type=gpu-process --a=1,2", "chrome"},
        {"[N/A]", "process"},
        {"/usr/bin/", "bin"},
        {"---", "process"},
        {"/usr/bin/\xC3\xA9t\xC3\xA9", "ete"},
        {"/opt/python-m\xC3\xBCll", "python-mull"},
        {"\xC3\x86sir\xC3\x97\xC3\x87", "aesir-c"}, /* AEsir x C */
        {"\xE6\xA8\xA1\xE5\x9E\x8B", "process"},    /* CJK */
        {"stra\xC3\x9F"
         "e\xC3",
         "strasse"}, /* cut sequence */
        {"Tritonserver 2", "tritonserver-2"},
        {"..hidden..", "hidden"},
    };
    char buf[64];
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        mp_tenant_name_from_process(cases[i].process, buf, 63);
        if (strcmp(buf, cases[i].name) != 0)
            fail_msg("'%s' became '%s', expected '%s'", cases[i].process, buf,
                     cases[i].name);
    }
    char longname[200];
    memset(longname, 'x', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    mp_tenant_name_from_process(longname, buf, 63);
    assert_int_equal(strlen(buf), 63);
    mp_tenant_name_from_process(longname, buf, 10);
    assert_int_equal(strlen(buf), 10);
}

static void test_intern(void **state)
{
    (void)state;
    mp_intern t = MP_INTERN_INIT;
    char s[16];
    size_t id;
    for (int i = 0; i < 1000; i++) {
        int n = snprintf(s, sizeof(s), "k%d", i);
        assert_int_equal(mp_intern_add(&t, s, (size_t)n, &id, NULL), 0);
        assert_int_equal(id, (size_t)i);
    }
    const char *out;
    assert_int_equal(mp_intern_add(&t, "k517", 4, &id, &out), 0);
    assert_int_equal(id, 517);
    assert_string_equal(out, "k517");
    assert_string_equal(mp_intern_str(&t, 999), "k999");
    assert_int_equal(t.n, 1000);
    mp_intern_free(&t);
    mp_intern_free(NULL);
}

/* Parse text as one file and size it; returns the status. */
static int size_text(const char *text, const mp_smi_layout *l,
                     const mp_size_opts *o, mp_proc_samples *s, mp_sizing *z,
                     mp_diag *d)
{
    memset(s, 0, sizeof(*s));
    memset(z, 0, sizeof(*z));
    mp_diag_clear(d);
    int rc = mp_smi_parse(text, strlen(text), "s.csv", l, s, d);
    if (!rc)
        rc = mp_size_tenants(s, o, z, d);
    return rc;
}

static const mp_size_opts p95 = {95000, 10000, MP_SIZE_BY_AUTO};

/* The forms of section 3 of the transcripts, each read the same way. */
static void test_csv_forms(void **state)
{
    (void)state;
    static const char *const forms[] = {
        "pid, used_gpu_memory [MiB]\n80613, 92908 MiB\n80614, 92908 MiB\n",
        "80613, 92908\n80614, 92908\n",
        "pid, used_gpu_memory [MiB]\r\n80613, 92908\r\n80614, 92908 MiB\r\n",
        "\xEF\xBB\xBFpid, used_gpu_memory [MiB]\n80613, 92908 MiB\n\n"
        "80614,92908MiB\n",
    };
    for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
        mp_proc_samples s;
        mp_sizing z;
        mp_diag d;
        if (size_text(forms[i], NULL, &p95, &s, &z, &d))
            fail_msg("form %zu: %d:%d %s", i, d.line, d.col, d.msg);
        assert_int_equal(z.by, MP_SIZE_BY_PID);
        assert_int_equal(z.n, 2);
        assert_string_equal(z.t[0].name, "pid-80613");
        assert_string_equal(z.t[1].name, "pid-80614");
        assert_int_equal(z.t[1].pctl_mib, 92908);
        assert_int_equal(z.t[1].memory_mib, 102199); /* 92908 * 1.1 up */
        mp_sizing_free(&z);
        mp_proc_samples_free(&s);
    }
}

static void test_headerless_columns(void **state)
{
    (void)state;
    mp_proc_samples s;
    mp_sizing z;
    mp_diag d;
    /* gpu_uuid,pid,process_name,used_gpu_memory as S-PRICKLE captured */
    const char *prickle = "GPU-0d08, 23808, /tmp/ghost, 4188\n"
                          "GPU-0d08, 23804, /tmp/loadgen, 4188\n"
                          "GPU-0d08, 23806, /tmp/loadgen, 4188\n";
    assert_int_equal(size_text(prickle, NULL, &p95, &s, &z, &d), 0);
    assert_true(s.has_names);
    assert_int_equal(z.n, 2);
    assert_string_equal(z.t[1].name, "loadgen");
    assert_int_equal(z.t[1].replicas, 2);
    mp_sizing_free(&z);
    mp_proc_samples_free(&s);
    /* timestamp, gpu_name, gpu_bus_id, pid, process_name, memory */
    const char *t4 = "2020/10/27 19:41:10.301, Tesla T4, 00000000:AF:00.0, "
                     "6662, /usr/local/bin/ffmpeg, 761 MiB\n";
    assert_int_equal(size_text(t4, NULL, &p95, &s, &z, &d), 0);
    assert_true(s.has_timestamps);
    assert_string_equal(z.t[0].name, "ffmpeg");
    assert_int_equal(z.t[0].pctl_mib, 761);
    mp_sizing_free(&z);
    mp_proc_samples_free(&s);
    /* another order needs --columns */
    mp_smi_layout l;
    char why[200];
    assert_int_equal(mp_smi_layout_parse("used_memory, pid", &l, why, 200), 0);
    assert_int_equal(size_text("7242, 4135549\n", &l, &p95, &s, &z, &d), 0);
    assert_string_equal(z.t[0].name, "pid-4135549");
    assert_int_equal(z.t[0].pctl_mib, 7242);
    mp_sizing_free(&z);
    mp_proc_samples_free(&s);
    assert_int_not_equal(mp_smi_layout_parse("pid,name", &l, why, 200), 0);
    assert_non_null(strstr(why, "used_gpu_memory"));
    assert_int_not_equal(
        mp_smi_layout_parse("pid,used_memory,pid", &l, why, 200), 0);
    assert_non_null(strstr(why, "twice"));
    assert_int_not_equal(
        mp_smi_layout_parse("pid,used_memory,bogus", &l, why, 200), 0);
    assert_non_null(strstr(why, "unknown field 'bogus'"));
}

/* A log: replicas are counted per snapshot, however snapshots are told. */
static void test_snapshots(void **state)
{
    (void)state;
    static const char *const logs[] = {
        /* timestamps */
        "timestamp, pid, process_name, used_gpu_memory [MiB]\n"
        "2026/09/14 10:00:00.001, 1, a, 100 MiB\n"
        "2026/09/14 10:00:00.001, 2, a, 110 MiB\n"
        "2026/09/14 10:01:00.001, 1, a, 120 MiB\n"
        "2026/09/14 10:01:00.001, 2, a, 130 MiB\n"
        "2026/09/14 10:01:00.001, 3, a, 140 MiB\n"
        "2026/09/14 10:02:00.001, 1, a, 150 MiB\n",
        /* no timestamps: a process seen again starts the next report */
        "pid, process_name, used_gpu_memory [MiB]\n"
        "1, a, 100 MiB\n2, a, 110 MiB\n1, a, 120 MiB\n2, a, 130 MiB\n"
        "3, a, 140 MiB\n1, a, 150 MiB\n",
        /* a header per report */
        "pid, process_name, used_gpu_memory [MiB]\n1, a, 100\n2, a, 110\n"
        "pid, process_name, used_gpu_memory [MiB]\n1, a, 120\n2, a, 130\n"
        "3, a, 140\npid, process_name, used_gpu_memory [MiB]\n1, a, 150\n",
        /* a blank line between reports */
        "1, a, 100\n2, a, 110\n\n1, a, 120\n2, a, 130\n3, a, 140\n\n"
        "1, a, 150\n",
    };
    for (size_t i = 0; i < sizeof(logs) / sizeof(logs[0]); i++) {
        mp_proc_samples s;
        mp_sizing z;
        mp_diag d;
        if (size_text(logs[i], NULL, &p95, &s, &z, &d))
            fail_msg("log %zu: %d:%d %s", i, d.line, d.col, d.msg);
        assert_int_equal(s.n_snapshots, 3);
        assert_int_equal(z.n, 1);
        assert_int_equal(z.t[0].replicas, 3);
        assert_int_equal(z.t[0].n_samples, 6);
        assert_int_equal(z.t[0].pctl_mib, 150); /* rank ceil(5.7) = 6 */
        assert_int_equal(z.t[0].max_mib, 150);
        mp_sizing_free(&z);
        mp_proc_samples_free(&s);
    }
}

static void test_by_pid_and_devices(void **state)
{
    (void)state;
    const char *log = "gpu_uuid, pid, process_name, used_gpu_memory [MiB]\n"
                      "GPU-a, 7, /bin/tp, 3360 MiB\n"
                      "GPU-b, 7, /bin/tp, 2366 MiB\n"
                      "GPU-a, 8, /bin/tp, [N/A]\n";
    mp_proc_samples s;
    mp_sizing z;
    mp_diag d;
    assert_int_equal(size_text(log, NULL, &p95, &s, &z, &d), 0);
    assert_int_equal(z.n, 1);
    assert_int_equal(z.t[0].replicas, 2);     /* pids 7 and 8 */
    assert_int_equal(z.t[0].most_devices, 2); /* pid 7 on two GPUs */
    assert_int_equal(z.t[0].n_unavailable, 1);
    assert_int_equal(z.t[0].n_samples, 2);
    mp_sizing_free(&z);
    mp_proc_samples_free(&s);
    mp_size_opts by_pid = {50000, 0, MP_SIZE_BY_PID};
    assert_int_not_equal(size_text(log, NULL, &by_pid, &s, &z, &d), 0);
    assert_int_equal(d.line, 4); /* pid 8 has only [N/A] */
    assert_non_null(strstr(d.msg, "[N/A]"));
    mp_proc_samples_free(&s);
    const char *two = "pid, process_name, used_gpu_memory [MiB]\n"
                      "7, /bin/tp, 300\n8, /bin/tp, 100\n7, /bin/tp, 200\n";
    assert_int_equal(size_text(two, NULL, &by_pid, &s, &z, &d), 0);
    assert_int_equal(z.n, 2);
    assert_string_equal(z.t[0].name, "tp-7");
    assert_int_equal(z.t[0].pctl_mib, 200); /* median of 200, 300 */
    assert_int_equal(z.t[0].memory_mib, 200);
    assert_string_equal(z.t[1].name, "tp-8");
    mp_sizing_free(&z);
    mp_proc_samples_free(&s);
    mp_size_opts by_name = {95000, 0, MP_SIZE_BY_NAME};
    assert_int_not_equal(size_text("1, 100\n", NULL, &by_name, &s, &z, &d), 0);
    assert_non_null(strstr(d.msg, "no process_name column"));
    mp_proc_samples_free(&s);
}

static void test_dedupe(void **state)
{
    (void)state;
    const char *log = "pid, process_name, used_gpu_memory [MiB]\n"
                      "1, /usr/bin/python3, 10\n"
                      "2, /opt/python3, 10\n"
                      "3, python3-2, 10\n"
                      "4, /usr/bin/python3, 10\n"
                      "5, 0.5, 10\n";
    mp_proc_samples s;
    mp_sizing z;
    mp_diag d;
    assert_int_equal(size_text(log, NULL, &p95, &s, &z, &d), 0);
    assert_int_equal(z.n, 4);
    assert_string_equal(z.t[0].name, "python3");
    assert_int_equal(z.t[0].replicas, 2);
    assert_string_equal(z.t[1].name, "python3-2");
    assert_string_equal(z.t[2].name, "python3-2-2");
    assert_string_equal(z.t[3].name, "0.5");
    mp_sizing_free(&z);
    mp_proc_samples_free(&s);
    /* a 63-character name keeps its suffix within 63 */
    char text[400];
    char name[80];
    memset(name, 'y', 63);
    name[63] = '\0';
    snprintf(text, sizeof(text), "1, /a/%s, 10\n2, /b/%s, 10\n", name, name);
    assert_int_equal(size_text(text, NULL, &p95, &s, &z, &d), 0);
    assert_int_equal(strlen(z.t[1].name), 63);
    assert_string_equal(z.t[1].name + 61, "-2");
    mp_sizing_free(&z);
    mp_proc_samples_free(&s);
}

/* Each malformed input fails at its line and column with a reason. */
static void test_errors(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int line, col;
        const char *msg;
    } bad[] = {
        {"pid, used_gpu_memory [MiB]\n1, -5 MiB\n", 2, 4, "negative"},
        {"pid, used_gpu_memory [MiB]\n1, 99999999999 MiB\n", 2, 4,
         "more than any GPU"},
        {"pid, used_gpu_memory [MiB]\n1, nan\n", 2, 4, "number of MiB"},
        {"pid, used_gpu_memory [MiB]\n1, 12 GiB\n", 2, 7, "in MiB"},
        {"pid, used_gpu_memory [MiB]\nx, 12\n", 2, 1, "pid must be"},
        {"pid, used_gpu_memory [MiB]\n0, 12\n", 2, 1, "pid must be"},
        {"pid, used_gpu_memory [MiB]\n99999999999, 12\n", 2, 1, "pid must be"},
        {"pid, used_gpu_memory [MiB]\n1, 2, 3\n", 2, 1, "expected 2 fields"},
        {"pid, used_gpu_memory [MiB]\n1\n", 2, 1, "expected 2 fields"},
        {"pid, process_name, used_gpu_memory [MiB]\n1, , 5\n", 2, 4,
         "process name is empty"},
        {"timestamp, pid, used_gpu_memory [MiB]\nyesterday, 1, 5\n", 2, 1,
         "timestamp must look like"},
        {"pid, process_name\n1, a\n", 1, 1, "used_gpu_memory column"},
        {"used_memory\n1\n", 1, 1, "pid column"},
        {"pid, pid, used_memory\n", 1, 1, "twice"},
        {"1, 2\n3, x, y, z\n", 2, 1, "expected 2 fields"},
        {"python, app, 5\n", 1, 1, "cannot tell the columns"},
        {"1, 2\n\x7F"
         "ELF\n",
         2, 1, "byte 0x7F"},
        {"1, caf\xC3\n", 1, 7, "byte 0xC3"},
        {"pid, used_gpu_memory [MiB]\n1, 5\0\n", 2, 5, "byte 0x00"},
        {"", 0, 0, "no compute process"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        mp_proc_samples s;
        mp_sizing z;
        mp_diag d;
        size_t len = strlen(bad[i].text);
        if (strstr(bad[i].msg, "0x00"))
            len += 2; /* the NUL and the newline after it */
        memset(&s, 0, sizeof(s));
        mp_diag_clear(&d);
        int rc = mp_smi_parse(bad[i].text, len, "s.csv", NULL, &s, &d);
        if (!rc)
            rc = mp_size_tenants(&s, &p95, &z, &d);
        if (!rc)
            fail_msg("case %zu was accepted", i);
        if (d.line != bad[i].line || d.col != bad[i].col ||
            !strstr(d.msg, bad[i].msg))
            fail_msg("case %zu: %d:%d %s; expected %d:%d ...%s...", i, d.line,
                     d.col, d.msg, bad[i].line, bad[i].col, bad[i].msg);
        assert_string_equal(d.file, "s.csv");
        mp_proc_samples_free(&s);
    }
}

static void test_limits(void **state)
{
    (void)state;
    /* a line past the limit, and a huge number of fields */
    size_t n = MP_LINE_MAX_FOR_TEST + 10;
    char *big = malloc(n + 1);
    assert_non_null(big);
    memset(big, ',', n);
    big[n] = '\0';
    mp_proc_samples s = {0};
    mp_diag d;
    assert_int_not_equal(mp_smi_parse(big, n, "s.csv", NULL, &s, &d), 0);
    assert_non_null(strstr(d.msg, "longer than"));
    mp_proc_samples_free(&s);
    memset(&s, 0, sizeof(s));
    assert_int_not_equal(mp_smi_parse(big, 60000, "s.csv", NULL, &s, &d), 0);
    assert_non_null(strstr(d.msg, "cannot tell the columns"));
    mp_proc_samples_free(&s);
    free(big);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nearest_rank),
        cmocka_unit_test(test_percentiles),
        cmocka_unit_test(test_headroom_and_milli),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_intern),
        cmocka_unit_test(test_csv_forms),
        cmocka_unit_test(test_headerless_columns),
        cmocka_unit_test(test_snapshots),
        cmocka_unit_test(test_by_pid_and_devices),
        cmocka_unit_test(test_dedupe),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
