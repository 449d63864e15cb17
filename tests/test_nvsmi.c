/* SPDX-License-Identifier: Apache-2.0 */
/* test_nvsmi.c - reading nvidia-smi output: the table tokenizer on every
 * driver generation and on hostile input, the -lgip/-lgipp/-lcip/--query-gpu
 * readers, and import-profiles: a capture of a real GPU gives back the
 * shipped table of that GPU. Captures are in tests/data/nvidia-smi/. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "migplan/emit/profile_writer.h"
#include "migplan/model/profile_diff.h"
#include "migplan/readers/nvsmi_import.h"
#include "migplan/readers/nvsmi_profiles.h"
#include "migplan/readers/nvsmi_table.h"
#include "migplan/yaml/ydoc.h"

#include "test_db.h"

#define DATA MIGPLAN_SHARED_DIR "/nvidia-smi/"

static char *slurp(const char *name, size_t *len)
{
    char path[512];
    snprintf(path, sizeof(path), "%s%s", DATA, name);
    char *text;
    mp_diag d;
    if (mp_read_file(path, 1 << 20, &text, len, &d) != 0)
        fail_msg("%s: %s", path, d.msg);
    return text;
}

/* ---- the tokenizer ---- */

static void expect_table(const char *file, const char *title, int width,
                         int n_header, int n_records)
{
    size_t len;
    char *text = slurp(file, &len);
    mp_nvsmi_doc doc;
    mp_diag d;
    if (mp_nvsmi_parse(text, len, file, &doc, &d) != 0)
        fail_msg("%s:%d:%d: %s", file, d.line, d.col, d.msg);
    assert_int_equal(doc.n_tables, 1);
    const mp_nvsmi_table *t = &doc.tables[0];
    assert_non_null(t->title);
    assert_string_equal(t->title, title);
    assert_int_equal(t->width, width);
    assert_int_equal(t->n_header, n_header);
    assert_int_equal(t->n_records, n_records);
    mp_nvsmi_doc_free(&doc);
    free(text);
}

static void test_table_generations(void **state)
{
    (void)state;
    /* -lgip of the early driver (76 wide), R470-R570 (79), newer (81) */
    expect_table("a100-old-lgip.txt", "GPU instance profiles:", 76, 2, 5);
    expect_table("a30-535-lgip.txt", "GPU instance profiles:", 79, 2, 5);
    expect_table("h100-580-lgip-empty.txt", "GPU instance profiles:", 81, 2, 7);
    expect_table("a100-80-550-lcip.txt", "Compute instance profiles:", 88, 3,
                 6);
    /* the tables other readers will need: -lgi, -lci, MIG devices */
    expect_table("h200-580-lgi.txt", "GPU instances:", 59, 2, 2);
    expect_table("h200-580-lci.txt", "Compute instances:", 70, 3, 2);
    expect_table("h100-580-mig-devices.txt", "MIG devices:", 91, 3, 3);
}

static void test_table_cells(void **state)
{
    (void)state;
    size_t len;
    char *text = slurp("h100-580-mig-devices.txt", &len);
    mp_nvsmi_doc doc;
    mp_diag d;
    assert_int_equal(mp_nvsmi_parse(text, len, "x", &doc, &d), 0);
    const mp_nvsmi_table *t = &doc.tables[0];
    int first, n;
    mp_nvsmi_record(t, 1, &first, &n); /* GI 11: "0 11 0 1 | 15MiB / ..." */
    assert_int_equal(n, 2);
    const mp_nvsmi_row *r = &t->rows[first];
    assert_true(mp_nvsmi_cell_is(&r->cells[1], "11"));
    assert_int_equal(r->cells[1].box, 0);
    assert_true(mp_nvsmi_cell_is(&r->cells[4], "15MiB"));
    assert_int_equal(r->cells[4].box, 1);
    assert_int_equal(r->n_boxes, 4);
    assert_int_equal(r->line, 11);
    /* columns are 1-based bytes of the line */
    assert_int_equal(r->cells[0].col, 4);
    mp_nvsmi_doc_free(&doc);
    free(text);
}

static void expect_bad(const char *text, size_t len, int line, int col,
                       const char *needle)
{
    mp_nvsmi_doc doc;
    mp_diag d;
    mp_diag_clear(&d);
    if (mp_nvsmi_parse(text, len, "bad.txt", &doc, &d) == 0)
        fail_msg("parsed: %.*s", (int)(len > 60 ? 60 : len), text);
    if (!strstr(d.msg, needle))
        fail_msg("message '%s' lacks '%s'", d.msg, needle);
    assert_string_equal(d.file, "bad.txt");
    assert_int_equal(d.line, line);
    if (col)
        assert_int_equal(d.col, col);
}

static void test_table_hostile(void **state)
{
    (void)state;
    static const char top[] = "+------+\n";
    char buf[6000];
    expect_bad("GPU\0 0", 6, 1, 4, "control character 0x00");
    expect_bad("ok\n\xff\xfe", 5, 2, 1, "invalid UTF-8");
    expect_bad("a\n\x1b[31mred", 9, 2, 1, "control character 0x1B");
    memset(buf, 'x', sizeof(buf));
    expect_bad(buf, sizeof(buf), 1, MP_NVSMI_MAX_LINE + 1, "longer than");
    snprintf(buf, sizeof(buf), "%s|  ab  |\n|  cd  |", top);
    expect_bad(buf, strlen(buf), 3, 1, "not closed");
    snprintf(buf, sizeof(buf), "%s|  ab  |\n|  cd   \n%s", top, top);
    expect_bad(buf, strlen(buf), 3, 6, "must end with '|'");
    snprintf(buf, sizeof(buf), "%s|  ab   |\n%s", top, top);
    expect_bad(buf, strlen(buf), 2, 1, "9 characters wide but its table 8");
    expect_bad("x\n  | ab |\n", 10, 2, 3, "without its table");
    snprintf(buf, sizeof(buf), "%s|  ab  |\n|======|\n|======|\n%s", top, top);
    expect_bad(buf, strlen(buf), 4, 1, "second =====");
    /* a table cut off in the middle of a real capture */
    size_t len;
    char *text = slurp("b200-mp166-lgip-cut.txt", &len);
    expect_bad(text, len, 17, 1, "not closed");
    free(text);
}

/* ---- the profile readers ---- */

static int read_files(mp_nvsmi_capture *cap, const char *const *files,
                      mp_diag *d)
{
    memset(cap, 0, sizeof(*cap));
    mp_diag_clear(d);
    for (; *files; files++) {
        size_t len;
        char *text = slurp(*files, &len);
        int rc = mp_nvsmi_read_profiles(cap, text, len, *files, d);
        free(text);
        if (rc)
            return rc;
    }
    return 0;
}

static void test_read_lgip(void **state)
{
    (void)state;
    static const char *const files[] = {"h100-580-lgip-1g-at-4-6.txt",
                                        "h100-525-lgipp.txt",
                                        "a30-535-lcip.txt", NULL};
    mp_nvsmi_capture cap;
    mp_diag d;
    if (read_files(&cap, files, &d) != 0)
        fail_msg("%s:%d: %s", d.file, d.line, d.msg);
    assert_int_equal(cap.n_gip, 7);
    const mp_nvsmi_gip *g = &cap.gip[2]; /* 1g.20gb 15 2/4 19.62 No 26 1 0 */
    assert_string_equal(g->name, "1g.20gb");
    assert_int_equal(g->id, 15);
    assert_int_equal(g->free, 2);
    assert_int_equal(g->total, 4);
    assert_string_equal(g->gib, "19.62");
    assert_int_equal(g->eng.sms, 26);
    assert_int_equal(g->eng.dec, 1);
    assert_int_equal(g->eng.jpeg, 1);
    assert_int_equal(g->at.line, 12);
    assert_int_equal(cap.n_gipp, 7);
    const mp_nvsmi_gipp *p = &cap.gipp[6]; /* Placement : {0}:8 */
    assert_int_equal(p->id, 0);
    assert_int_equal(p->n, 1);
    assert_int_equal(p->size, 8);
    assert_int_equal(cap.n_cip, 3);
    assert_string_equal(cap.cip[0].name, "1c.2g.12gb");
    assert_false(cap.cip[0].is_default);
    assert_true(cap.cip[1].is_default);
    assert_int_equal(cap.cip[1].id, 1);
    /* SM DEC ENC OFA 28 2 0 0, then CE JPEG 2 0 on the second line */
    assert_int_equal(cap.cip[1].eng.sms, 28);
    assert_int_equal(cap.cip[1].eng.dec, 2);
    assert_int_equal(cap.cip[1].eng.ofa, 0);
    assert_int_equal(cap.cip[1].eng.ce, 2);
    assert_int_equal(cap.cip[1].eng.jpeg, 0);
    assert_int_equal(cap.cip[2].gi, 3);
    mp_nvsmi_capture_free(&cap);
}

static void test_read_query(void **state)
{
    (void)state;
    static const char csv[] =
        "$ nvidia-smi --query-gpu=name,pci.device_id,memory.total,"
        "driver_version --format=csv\n"
        "name, pci.device_id, memory.total [MiB], driver_version\n"
        "NVIDIA B300 SXM6 AC, 0x318210DE, 275040 MiB, 580.95.05\n";
    mp_nvsmi_capture cap = {0};
    mp_diag d;
    assert_int_equal(
        mp_nvsmi_read_profiles(&cap, csv, strlen(csv), "q.csv", &d), 0);
    assert_int_equal(cap.n_query, 1);
    assert_string_equal(cap.query[0].name, "NVIDIA B300 SXM6 AC");
    assert_int_equal(cap.query[0].pci_id, 0x318210DE);
    assert_int_equal(cap.query[0].memory_mib, 275040);
    assert_string_equal(cap.query[0].driver, "580.95.05");
    assert_int_equal(cap.query[0].at.line, 3);
    mp_nvsmi_capture_free(&cap);
    /* an -lgipp line right after the CSV ends it; an empty input is empty */
    static const char mixed[] = "name, pci.device_id\n"
                                "NVIDIA H200, 0x233510DE\n"
                                "GPU  0 Profile ID  0 Placement : {0}:8\n";
    memset(&cap, 0, sizeof(cap));
    assert_int_equal(
        mp_nvsmi_read_profiles(&cap, mixed, strlen(mixed), "m.txt", &d), 0);
    assert_int_equal(cap.n_query, 1);
    assert_int_equal(cap.n_gipp, 1);
    assert_int_equal(mp_nvsmi_read_profiles(&cap, "", 0, "e.txt", &d), 0);
    assert_int_equal(cap.n_gipp, 1);
    mp_nvsmi_capture_free(&cap);
}

static void expect_read_error(const char *text, int line, int col,
                              const char *needle)
{
    mp_nvsmi_capture cap = {0};
    mp_diag d;
    mp_diag_clear(&d);
    int rc = mp_nvsmi_read_profiles(&cap, text, strlen(text), "in.txt", &d);
    mp_nvsmi_capture_free(&cap);
    if (rc == 0)
        fail_msg("read without error: %s", text);
    if (!strstr(d.msg, needle))
        fail_msg("message '%s' lacks '%s'", d.msg, needle);
    assert_int_equal(d.line, line);
    if (col)
        assert_int_equal(d.col, col);
}

static void test_read_errors(void **state)
{
    (void)state;
    expect_read_error("GPU  0 Profile ID 19 Placements: {0,1,2}:1 extra\n", 1,
                      44, "unexpected text");
    expect_read_error("GPU  0 Profile ID 19 Placements: {0,1,2:1\n", 1, 34,
                      "placements must look like");
    expect_read_error("GPU  x Profile ID 19 Placements: {0}:1\n", 1, 6,
                      "GPU index");
    expect_read_error("No MIG-enabled devices found.\n", 1, 1,
                      "instead of a table");
    expect_read_error("0, NVIDIA H200, 143771\n", 1, 1, "without its header");
    expect_read_error("name, pci.device_id\nNVIDIA H200, 0x2335\n", 2, 14,
                      "pci.device_id must look like");
    expect_read_error("name, memory.total [MiB]\nX, [N/A]\n", 2, 4, "[N/A]");
    expect_read_error("hello\n", 1, 1, "not part of what import-profiles");
    expect_read_error("+------------------------+\n"
                      "| GPU instance profiles: |\n"
                      "| GPU Name ID            |\n"
                      "|========================|\n"
                      "+------------------------+\n",
                      3, 1, "header is not the one nvidia-smi prints");
    /* a real capture with the author's remark after a placement */
    size_t len;
    char *text = slurp("a30-535-lgipp.txt", &len);
    text[len - 1] = '\0';
    expect_read_error(text, 4, 48, "unexpected text");
    free(text);
    /* a table import does not read */
    text = slurp("h200-580-lgi.txt", &len);
    expect_read_error(text, 1, 1, "not \"GPU instances:\"");
    free(text);
}

/* ---- import ---- */

static int import(const char *const *files, const char *gpu, mp_import *imp,
                  mp_diag *d)
{
    mp_nvsmi_capture cap;
    int rc = read_files(&cap, files, d);
    if (!rc)
        rc = mp_nvsmi_import(&cap, db, gpu, imp, d);
    mp_nvsmi_capture_free(&cap);
    return rc;
}

/* Import, write, load the file back, and compare with the shipped model. */
static mp_diff_count round_trip(const char *const *files, const char *gpu,
                                const mp_model *shipped, mp_buf *report)
{
    mp_import imp;
    mp_diag d;
    if (import(files, gpu, &imp, &d) != 0)
        fail_msg("%s:%d: %s", d.file, d.line, d.msg);
    mp_buf yaml = MP_BUF_INIT;
    mp_profile_write(&imp.model, "test", &yaml);
    mp_db *odb;
    mp_db_new(&odb, NULL);
    if (mp_db_load_text(odb, yaml.data, yaml.len, "imported.yaml", &d) != 0)
        fail_msg("imported.yaml:%d:%d: %s\n%s", d.line, d.col, d.msg,
                 yaml.data);
    mp_diff_count n = mp_model_diff(shipped, mp_db_model(odb, 0), report);
    mp_db_free(odb);
    mp_buf_free(&yaml);
    mp_import_free(&imp);
    return n;
}

static const mp_model *model(const char *q)
{
    const mp_model *m;
    mp_diag d;
    if (mp_db_find(db, q, &m, &d) != 0)
        fail_msg("%s: %s", q, d.msg);
    return m;
}

/* The H100 80GB HBM3 captures give back the shipped H100 table exactly. */
static void test_import_h100(void **state)
{
    (void)state;
    static const char *const files[] = {"h100-580-lgip-empty.txt",
                                        "h100-525-lgipp.txt",
                                        "h100-580-query-gpu.csv", NULL};
    mp_buf r = MP_BUF_INIT;
    mp_diff_count n = round_trip(files, NULL, model("h100"), &r);
    if (n.differ)
        fail_msg("%s", r.data);
    mp_buf_free(&r);
    mp_import imp;
    mp_diag d;
    assert_int_equal(import(files, NULL, &imp, &d), 0);
    const mp_model *m = &imp.model;
    assert_string_equal(m->id, "h100-sxm5-80gb"); /* found by PCI ID */
    assert_string_equal(m->memory_driver, "580.173.02");
    assert_int_equal(m->memory_mib, 81559);
    assert_ptr_equal(imp.base, model("h100"));
    /* what the MIG output cannot show is marked */
    assert_non_null(mp_prov_inferred(&m->prov, "sms"));
    assert_null(mp_prov_inferred(&m->profiles[0].prov, "memory-mib"));
    assert_non_null(m->profiles[0].cis[0].inferred);
    mp_import_free(&imp);
}

/* Other GPUs' captures agree with their shipped tables, including the -lcip
 * compute-instance tables and an early (76-wide) driver's sizes. */
static void test_import_agrees(void **state)
{
    (void)state;
    static const char *const a30[] = {"a30-535-lgip.txt",
                                      "a30-535-lgipp-no-remark.txt",
                                      "a30-535-lcip.txt", NULL};
    static const char *const rtx[] = {"rtx-610-lgip.txt", "rtx-610-lgipp.txt",
                                      NULL};
    static const char *const nvl[] = {"h100-nvl-560-lgip.txt",
                                      "h100-525-lgipp.txt", NULL};
    mp_buf r = MP_BUF_INIT;
    mp_diff_count n = round_trip(a30, "a30", model("a30"), &r);
    n.differ += round_trip(rtx, "0x2BB510DE", model("rtx-pro-6000"), &r).differ;
    n.differ += round_trip(nvl, "h100-nvl", model("h100-nvl"), &r).differ;
    if (n.differ)
        fail_msg("%s", r.data);
    mp_buf_free(&r);
    /* the A30's -lcip rows are read, not assumed */
    mp_import imp;
    mp_diag d;
    assert_int_equal(import(a30, "a30", &imp, &d), 0);
    const mp_gi_profile *p = mp_model_profile(&imp.model, "2g.12gb");
    assert_int_equal(p->n_cis, 2);
    assert_null(p->cis[0].inferred);
    assert_int_equal(p->cis[1].id, 1);
    assert_true(p->cis[1].is_default);
    mp_import_free(&imp);
}

/* The early driver's table lacks 1g.5gb+me and 1g.10gb, and its sizes are
 * those the shipped file keeps for it. */
static void test_import_early_driver(void **state)
{
    (void)state;
    static const char *const files[] = {"a100-old-lgip.txt",
                                        "a100-old-lgipp.txt", NULL};
    mp_import imp;
    mp_diag d;
    assert_int_equal(import(files, "a100-40gb", &imp, &d), 0);
    assert_int_equal(imp.model.n_profiles, 5);
    const mp_model *m = model("a100-40gb");
    const mp_gi_profile *p = mp_model_profile(&imp.model, "7g.40gb");
    const mp_gi_profile *s = mp_model_profile(m, "7g.40gb");
    assert_string_equal(p->memory_gib, "39.50");
    assert_string_equal(s->older_gib[0], "39.50");
    assert_string_equal(s->memory_gib, "39.25");
    mp_import_free(&imp);
}

static void expect_import_error(const char *const *files, const char *gpu,
                                const char *needle, int line)
{
    mp_import imp;
    mp_diag d;
    int rc = import(files, gpu, &imp, &d);
    mp_import_free(&imp);
    if (rc == 0)
        fail_msg("imported %s without error", files[0]);
    if (!strstr(d.msg, needle))
        fail_msg("message '%s' lacks '%s'", d.msg, needle);
    assert_int_equal(d.line, line);
}

static void test_import_errors(void **state)
{
    (void)state;
    static const char *const no_lgipp[] = {"a100-80-550-lgip.txt", NULL};
    static const char *const no_gpu[] = {"a30-535-lgip.txt",
                                         "a30-535-lgipp-no-remark.txt", NULL};
    static const char *const mixed[] = {"a30-535-lgip.txt",
                                        "h100-525-lgipp.txt", NULL};
    static const char *const wrong[] = {"h100-580-lgip-empty.txt",
                                        "h100-525-lgipp.txt",
                                        "h100-580-query-gpu.csv", NULL};
    expect_import_error(no_lgipp, "a100-80gb", "-lgipp", 0);
    expect_import_error(no_gpu, NULL, "which GPU is this?", 0);
    /* H100 placements for profiles the A30 table does not have */
    expect_import_error(mixed, "a30", "no -lgip row", 1);
    expect_import_error(wrong, "a30", "but this GPU's PCI device ID", 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_generations),
        cmocka_unit_test(test_table_cells),
        cmocka_unit_test(test_table_hostile),
        cmocka_unit_test(test_read_lgip),
        cmocka_unit_test(test_read_query),
        cmocka_unit_test(test_read_errors),
        cmocka_unit_test(test_import_h100),
        cmocka_unit_test(test_import_agrees),
        cmocka_unit_test(test_import_early_driver),
        cmocka_unit_test(test_import_errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
