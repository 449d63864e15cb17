/* SPDX-License-Identifier: Apache-2.0 */
/* test_configmap.c - mig-parted configs read plain or from the ConfigMaps
 * of a Kubernetes manifest, with positions in the file as given. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "migplan/readers/configmap.h"

static const mp_finding *find_code(const mp_findings *f, const char *code)
{
    for (int i = 0; i < f->n; i++)
        if (strcmp(f->v[i].code, code) == 0)
            return &f->v[i];
    return NULL;
}

static void test_plain_config(void **state)
{
    (void)state;
    const char text[] = "version: v2\nmig-configs: {}\n";
    mp_findings f = MP_FINDINGS_INIT;
    mp_configmap cm;
    mp_diag d;
    assert_int_equal(
        mp_configmap_parse("c.yaml", text, strlen(text), &f, &cm, &d), 0);
    assert_int_equal(cm.n, 1);
    assert_int_equal(cm.part[0].dline, 0);
    assert_false(cm.part[0].file.parsed);
    const mp_finding *x = find_code(&f, "bad-version");
    assert_non_null(x);
    assert_int_equal(x->line, 1);
    assert_int_equal(x->col, 10);
    mp_configmap_free(&cm);
    mp_configmap_free(&cm); /* safe twice */
    mp_findings_free(&f);
}

static const char manifest[] = "apiVersion: v1\n"
                               "kind: ConfigMap\n"
                               "metadata:\n"
                               "  name: a\n"
                               "data:\n"
                               "  config.yaml: |\n"
                               "    version: v2\n"
                               "    mig-configs:\n"
                               "      x:\n"
                               "        - devices: all\n"
                               "          mig-enabled: false\n"
                               "---\n"
                               "apiVersion: v1\n"
                               "kind: ConfigMap\n"
                               "data:\n"
                               "  other.yaml: |\n"
                               "    version: v1\n"
                               "    mig-configs: {}\n";

/* The config.yaml of the first ConfigMap is read where it stands; the
 * second holds a config under a key MIG Manager does not read. */
static void test_manifest_positions(void **state)
{
    (void)state;
    mp_findings f = MP_FINDINGS_INIT;
    mp_configmap cm;
    mp_diag d;
    assert_int_equal(
        mp_configmap_parse("m.yaml", manifest, strlen(manifest), &f, &cm, &d),
        0);
    assert_int_equal(cm.n, 1);
    assert_int_equal(cm.part[0].dline, 6);
    assert_int_equal(cm.part[0].dcol, 4);
    assert_int_equal(cm.part[0].file.n_configs, 1);
    const mp_finding *x = find_code(&f, "bad-version");
    assert_non_null(x);
    assert_int_equal(x->line, 7);
    assert_int_equal(x->col, 14);
    x = find_code(&f, "configmap-key");
    assert_non_null(x);
    assert_int_equal(x->line, 16);
    assert_int_equal(x->col, 3);
    assert_null(find_code(&f, "no-config"));
    mp_configmap_free(&cm);
    mp_findings_free(&f);
}

static void test_manifest_without_config(void **state)
{
    (void)state;
    const char text[] = "apiVersion: v1\nkind: Service\nmetadata: {}\n";
    mp_findings f = MP_FINDINGS_INIT;
    mp_configmap cm;
    mp_diag d;
    assert_int_equal(
        mp_configmap_parse("s.yaml", text, strlen(text), &f, &cm, &d), 0);
    assert_int_equal(cm.n, 0);
    const mp_finding *x = find_code(&f, "no-config");
    assert_non_null(x);
    assert_int_equal(x->sev, MP_SEV_WARNING);
    mp_configmap_free(&cm);
    mp_findings_free(&f);
}

static void test_too_many_configmaps(void **state)
{
    (void)state;
    mp_buf b = MP_BUF_INIT;
    for (int i = 0; i < MP_CONFIGMAP_MAX + 2; i++)
        mp_buf_printf(&b,
                      "%sapiVersion: v1\nkind: ConfigMap\ndata:\n"
                      "  config.yaml: |\n    version: v1\n",
                      i ? "---\n" : "");
    mp_findings f = MP_FINDINGS_INIT;
    mp_configmap cm;
    mp_diag d;
    assert_int_equal(mp_configmap_parse("big.yaml", b.data, b.len, &f, &cm, &d),
                     0);
    assert_int_equal(cm.n, MP_CONFIGMAP_MAX);
    int limits = 0;
    for (int i = 0; i < f.n; i++)
        limits += strcmp(f.v[i].code, "limit") == 0;
    assert_int_equal(limits, 2);
    mp_configmap_free(&cm);
    mp_findings_free(&f);
    mp_buf_free(&b);
}

static void test_unreadable_file(void **state)
{
    (void)state;
    mp_findings f = MP_FINDINGS_INIT;
    mp_configmap cm;
    mp_diag d;
    mp_diag_clear(&d);
    int rc = mp_configmap_load("/nonexistent/x.yaml", &f, &cm, &d);
    assert_int_equal(rc, MP_EIO);
    assert_string_equal(cm.path, "/nonexistent/x.yaml");
    assert_null(cm.text);
    assert_int_equal(cm.n, 0);
    assert_string_equal(d.file, "/nonexistent/x.yaml");
    mp_configmap_free(&cm);
    mp_findings_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_config),
        cmocka_unit_test(test_manifest_positions),
        cmocka_unit_test(test_manifest_without_config),
        cmocka_unit_test(test_too_many_configmaps),
        cmocka_unit_test(test_unreadable_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
