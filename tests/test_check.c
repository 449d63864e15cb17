/* SPDX-License-Identifier: Apache-2.0 */
/* test_check.c - reading mig-parted configs as mig-parted does (every
 * parse case in the corpus gets mig-parted's verdict and message), the
 * semantic checks with their positions, and NVIDIA's shipped configs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "migplan/util/buf.h"
#include "migplan/check/check.h"
#include "migplan/util/finding_rules.h"
#include "migplan/util/suggest.h"
#include "migplan/model/geometry.h"
#include "migplan/readers/migparted_reader.h"
#include "migplan/yaml/ydoc.h"

#define CORPUS MIGPLAN_SOURCE_DIR "/tests/data/mig-parted"

#include "test_db.h"

static char *slurp(const char *path, size_t *len)
{
    char *t;
    mp_diag d;
    if (mp_read_file(path, 64 << 20, &t, len, &d) != 0)
        fail_msg("%s: %s", path, d.msg);
    return t;
}

/* ---- the corpus parse cases ---- */

static void test_parse_cases(void **state)
{
    (void)state;
    size_t len;
    char *tsv = slurp(CORPUS "/parse-cases/expected.tsv", &len);
    int cases = 0;
    char *save = NULL;
    strtok_r(tsv, "\n", &save); /* header */
    for (char *line = strtok_r(NULL, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        char *tab1 = strchr(line, '\t');
        char *tab2 = tab1 ? strchr(tab1 + 1, '\t') : NULL;
        assert_non_null(tab2);
        *tab1 = *tab2 = '\0';
        const char *file = line, *verdict = tab1 + 1, *message = tab2 + 1;
        char path[512];
        snprintf(path, sizeof(path), CORPUS "/parse-cases/%s", file);
        size_t tl;
        char *text = slurp(path, &tl);
        mp_findings f = MP_FINDINGS_INIT;
        mp_mp_file mf;
        assert_int_equal(mp_mp_parse(file, text, tl, &f, &mf), 0);
        bool accept = strcmp(verdict, "ACCEPT") == 0;
        if (mf.parsed != accept)
            fail_msg("%s: mig-parted says %s, migplan says %s (%s)", file,
                     verdict, mf.parsed ? "ACCEPT" : "REJECT",
                     mf.migparted_error);
        if (!accept) {
            /* mig-parted reports one of possibly several problems (Go map
             * order); ours must include exactly its text */
            bool found = false;
            for (int i = 0; i < f.n; i++)
                found |=
                    f.v[i].migparted && strcmp(f.v[i].migparted, message) == 0;
            if (!found)
                fail_msg("%s: no finding carries mig-parted's message\n  %s\n"
                         "  ours: %s",
                         file, message, mf.migparted_error);
            /* and every rejection is positioned */
            for (int i = 0; i < f.n; i++)
                if (f.v[i].migparted)
                    assert_true(f.v[i].line >= 1 ||
                                strcmp(file, "01-empty.yaml") == 0);
        }
        mp_mp_free(&mf);
        mp_findings_free(&f);
        free(text);
        cases++;
    }
    assert_int_equal(cases, 29);
    free(tsv);
}

/* ---- a wider table of cases ---- */

typedef struct ccase {
    const char *yaml;
    const char *gpu;  /* --gpu for unfiltered entries, or NULL */
    bool accepted;    /* mig-parted's verdict */
    const char *code; /* a finding that must be there (NULL: none at all) */
    mp_severity sev;
    int line, col;
    const char *needle; /* in its message */
} ccase;

static const char hdr[] = "version: v1\nmig-configs:\n  a:\n";

static const ccase cases[] = {
    /* --- what mig-parted rejects --- */
    {"version: v1\nextra: 1\nmig-configs: {a: [{devices: all, mig-enabled: "
     "false}]}\n",
     NULL, false, "unknown-field", MP_SEV_ERROR, 2, 1, "unknown top-level key"},
    {"mig-configs: {a: [{devices: all, mig-enabled: false}]}\n", NULL, false,
     "missing-version", MP_SEV_ERROR, 1, 1, "add `version: v1`"},
    {"version: \"v2\"\nmig-configs: {a: [{devices: all, mig-enabled: "
     "false}]}\n",
     NULL, false, "bad-version", MP_SEV_ERROR, 1, 10, "not 'v2'"},
    {"- a\n- b\n", NULL, false, "bad-type", MP_SEV_ERROR, 1, 1,
     "a mig-parted config is a map"},
    {"version: v1\nmig-configs: [a]\n", NULL, false, "bad-type", MP_SEV_ERROR,
     2, 14, "must map config names"},
    {"version: v1\nmig-configs:\n  a: []\n", NULL, false, "empty-config",
     MP_SEV_ERROR, 3, 6, "config 'a' has no entries"},
    {"version: v1\nmig-configs:\n  a:\n  - \n", NULL, false, "missing-field",
     MP_SEV_ERROR, 4, 0, "an empty entry"},
    {"version: v1\nmig-configs:\n  a:\n  - [1, 2]\n", NULL, false, "bad-type",
     MP_SEV_ERROR, 4, 5, "each entry must be a map"},
    {"version: v1\nmig-configs:\n  a:\n  - mig-enabled: false\n", NULL, false,
     "missing-field", MP_SEV_ERROR, 4, 5, "no 'devices'"},
    {"version: v1\nmig-configs:\n  a:\n  - devices: ALL\n    mig-enabled: "
     "false\n",
     NULL, false, "bad-devices", MP_SEV_ERROR, 4, 14, "not 'ALL'"},
    {"version: v1\nmig-configs:\n  a:\n  - devices: [0, \"1\"]\n    "
     "mig-enabled: "
     "false\n",
     NULL, false, "bad-devices", MP_SEV_ERROR, 4, 18, "whole numbers"},
    {"version: v1\nmig-configs:\n  a:\n  - devices: [1.5]\n    mig-enabled: "
     "false\n",
     NULL, false, "bad-devices", MP_SEV_ERROR, 4, 15, "whole numbers"},
    {"version: v1\nmig-configs:\n  a:\n  - device-filter: 0x20B010DE\n    "
     "devices: all\n    mig-enabled: false\n",
     NULL, false, "bad-type", MP_SEV_ERROR, 4, 20, "unquoted 0x"},
    {"version: v1\nmig-configs:\n  a:\n  - devices: all\n    mig-enabled: "
     "\"true\"\n    mig-devices: {}\n",
     NULL, false, "bad-type", MP_SEV_ERROR, 5, 18, "mig-enabled must be"},
    {"version: v1\nmig-configs:\n  a:\n  - devices: all\n    mig-enabled: "
     "true\n"
     "    mig-devices: [1g.10gb]\n",
     NULL, false, "bad-type", MP_SEV_ERROR, 6, 18, "must map profile names"},
    {"version: v1\nmig-configs:\n  a:\n  - devices: all\n    mig-enabled: "
     "true\n"
     "    mig-devices: {1g.10gb: 1.5}\n",
     NULL, false, "bad-count", MP_SEV_ERROR, 6, 28, "whole number"},
    {"version: v1\nmig-configs:\n  a:\n  - devices: all\n    mig-enabled: "
     "true\n"
     "    mig-devices: {1g.10gb: \"2\"}\n",
     NULL, false, "bad-count", MP_SEV_ERROR, 6, 28, "whole number"},
    {"version: v1\nmig-configs:\n  a:\n  - devices: all\n    mig-enabled: "
     "true\n"
     "    mig-devices: {1G.10GB: 1}\n",
     NULL, false, "bad-profile-name", MP_SEV_ERROR, 6, 19, "missing 'g'"},
    {"version: v1\nmig-configs:\n  a:\n  - devices: all\n    mig-enabled: "
     "true\n"
     "    mig-devices: {1g.10gb-me+gfx: 1}\n",
     NULL, false, "bad-profile-name", MP_SEV_ERROR, 6, 19,
     "contains both '+/-'"},
    {"version: v1\nmig-configs:\n  a:\n  - devices: all\n    mig-enabled: "
     "true\n"
     "    mig-devices: {1g.10gb: .nan}\n",
     NULL, false, "not-json", MP_SEV_ERROR, 6, 28, "JSON can hold"},
    {"version: v1\nmig-configs:\n  a:\n  - devices: all\n    mig-enabled: "
     "false\n"
     "    ~: 1\n",
     NULL, false, "bad-key", MP_SEV_ERROR, 6, 5, "a null key"},
    {"version: v1\nmig-configs:\n  a:\n  - devices: all\n    Mig-Enabled: "
     "false\n    mig-enabled: false\n",
     NULL, false, "unknown-field", MP_SEV_ERROR, 5, 5, "'Mig-Enabled'"},
    {"version: v1\nmig-configs: {a: [{devices: all, mig-enabled: false}]\n",
     NULL, false, "yaml-syntax", MP_SEV_ERROR, 3, 0, "did not find expected"},
    /* --- accepted by mig-parted, but a trap --- */
    {"version: v1\nmig-configs:\n  a:\n  - devices: all\n    mig-enabled: "
     "false\n  a:\n  - devices: all\n    mig-enabled: false\n",
     NULL, true, "duplicate-key", MP_SEV_ERROR, 6, 3, "keeps the last one"},
    {"version: v1\nmig-configs:\n  a:\n  - devices: all\n    mig-enabled: "
     "true\n"
     "    mig-devices: {1g.10gb: 2, 1g.10gb: 3}\n",
     "h100", true, "duplicate-key", MP_SEV_ERROR, 6, 31, "duplicate key"},
    {"version: v1\nmig-configs:\n  yes:\n  - devices: all\n    mig-enabled: "
     "false\n",
     NULL, true, "config-name-type", MP_SEV_WARNING, 3, 3, "calls it 'true'"},
    {"version: v1\nmig-configs:\n  a:\n  - devices: all\n    mig-enabled: "
     "true\n"
     "    mig-devices: {1g.10gb: 2, 2g.20gb: 0}\n",
     "h100", true, "zero-count", MP_SEV_WARNING, 6, 40, "assert fail"},
    {"version: v1\nmig-configs:\n  a:\n  - devices: all\n    mig-enabled: "
     "true\n"
     "    mig-devices: {1c.1g.10gb: 2}\n",
     "h100", true, "non-canonical-name", MP_SEV_WARNING, 6, 19,
     "write 1g.10gb"},
    {"version: v1\nmig-configs:\n  a:\n  - device-filter: \"0x20B1DE\"\n    "
     "devices: all\n    mig-enabled: false\n",
     NULL, true, "bad-device-filter", MP_SEV_ERROR, 4, 20, "vendor 0xB1DE"},
    {"version: v1\nmig-configs:\n  a:\n  - device-filter: \"A100-SXM4-40GB\"\n"
     "    devices: all\n    mig-enabled: false\n",
     NULL, true, "bad-device-filter", MP_SEV_ERROR, 4, 20,
     "silently applies "
     "to no GPU"},
    {"version: v1\nmig-configs:\n  a:\n  - devices: [0, -2]\n    mig-enabled: "
     "false\n",
     NULL, true, "device-index", MP_SEV_ERROR, 4, 18, "never match"},
    {"version: v1\nmig-configs:\n  a:\n  - devices: []\n    mig-enabled: "
     "false\n",
     NULL, true, "no-devices", MP_SEV_WARNING, 4, 14, "selects no GPU"},
    {"version: v1\nmig-configs:\n  a:\n  - devices: all\n    mig-enabled:\n",
     NULL, true, "null-enabled", MP_SEV_WARNING, 5, 17, "reads as false"},
    {"version: v1\nmig-configs:\n  a:\n  - devices: all\n    mig-enabled: "
     "false\n---\nversion: v2\n",
     NULL, true, "extra-documents", MP_SEV_WARNING, 1, 1, "only the first"},
    {"version: v1\n", NULL, true, "no-configs", MP_SEV_ERROR, 1, 1,
     "defines no mig-configs"},
    /* anchors, aliases and merge keys are read as mig-parted reads them */
    {"common: &c {devices: all, mig-enabled: false}\n", NULL, false,
     "unknown-field", MP_SEV_ERROR, 1, 1, "'common'"},
    {"version: v1\nmig-configs:\n  a: &l\n  - devices: all\n    mig-enabled: "
     "false\n  b: *l\n  c:\n  - <<: {devices: [0], mig-enabled: true}\n"
     "    mig-enabled: false\n",
     NULL, true, NULL, MP_SEV_ERROR, 0, 0, NULL},
    /* --- per-GPU semantics --- */
    {"version: v1\nmig-configs:\n  a:\n  - devices: all\n    mig-enabled: "
     "true\n"
     "    mig-devices: {1g.10gb: 7}\n",
     "h200", true, "unknown-profile", MP_SEV_ERROR, 6, 19,
     "1g.10gb is not a profile of h200-141gb (NVIDIA H200); did you mean "
     "1g.18gb? Its 1-slice profiles are 1g.18gb, 1g.18gb+me, 1g.35gb"},
    {"version: v1\nmig-configs:\n  a:\n  - devices: all\n    mig-enabled: "
     "true\n"
     "    mig-devices: {3c.4g.40gb: 1}\n",
     "h100", true, "unknown-compute-instance", MP_SEV_ERROR, 6, 19,
     "offers 1c.4g.40gb, 2c.4g.40gb and 4g.40gb"},
    {"version: v1\nmig-configs:\n  a:\n  - devices: all\n    mig-enabled: "
     "true\n"
     "    mig-devices: {4c.3g.40gb: 1}\n",
     "h100", true, "unknown-compute-instance", MP_SEV_ERROR, 6, 19,
     "cannot have more compute slices"},
    {"version: v1\nmig-configs:\n  a:\n  - devices: all\n    mig-enabled: "
     "true\n"
     "    mig-devices: {1g.10gb: 99999999999}\n",
     "h100", true, "count-too-large", MP_SEV_ERROR, 6, 28, "at most 7 fit"},
    {"version: v1\nmig-configs:\n  a:\n  - devices: all\n    mig-enabled: "
     "true\n"
     "    mig-devices: {4g.40gb: 1, 3g.40gb: 1, 1g.10gb: 1}\n",
     "h100", true, "does-not-fit", MP_SEV_ERROR, 6, 18,
     "needs 9 memory slices, the GPU has 8"},
    {"version: v1\nmig-configs:\n  a:\n  - devices: all\n    mig-enabled: "
     "true\n"
     "    mig-devices: {4g.40gb: 1, 2g.20gb: 2}\n",
     "h100", true, "does-not-fit", MP_SEV_ERROR, 6, 18,
     "exceeds compute: 8 of 7 slices"},
    {"version: v1\nmig-configs:\n  a:\n  - devices: all\n    mig-enabled: "
     "true\n"
     "    mig-devices: {1g.10gb+me: 2}\n",
     "h100", true, "count-too-large", MP_SEV_ERROR, 6, 31, "at most 1 fit"},
    {"version: v1\nmig-configs:\n  a:\n  - devices: all\n    mig-enabled: "
     "true\n"
     "    mig-devices: {2c.3g.40gb: 3}\n",
     "h100", true, "count-too-large", MP_SEV_ERROR, 6, 31,
     "3 x 2c.3g.40gb cannot fit one h100-sxm5-80gb: at most 2 fit"},
    {"version: v1\nmig-configs:\n  a:\n  - devices: all\n    mig-enabled: "
     "true\n"
     "    mig-devices: {2c.3g.40gb: 2, 1c.3g.40gb: 4}\n",
     "h100", true, "compute-instances-do-not-fit", MP_SEV_ERROR, 6, 18,
     "need 3 3g.40gb GPU instances, and one h100-sxm5-80gb holds at most 2"},
    {"version: v1\nmig-configs:\n  a:\n  - devices: all\n    mig-enabled: "
     "true\n"
     "    mig-devices: {3g.40gb: 2}\n",
     "h100", true, "stranded-compute", MP_SEV_NOTE, 6, 18,
     "idles 1 of 7 compute slices on h100-sxm5-80gb: no memory is left for "
     "them (by design: a single-profile layout)"},
    {"version: v1\nmig-configs:\n  a:\n  - devices: all\n    mig-enabled: "
     "true\n"
     "    mig-devices: {1g.10gb: 7}\n",
     "h100", true, "stranded-memory", MP_SEV_NOTE, 6, 18,
     "leaves 1 of 8 memory slices unusable"},
    /* stranding no larger profiles in place of these avoid (the media
     * engines of 1g.10gb+me come with no larger profile that fits) */
    {"version: v1\nmig-configs:\n  a:\n  - devices: all\n    mig-enabled: "
     "true\n"
     "    mig-devices: {1g.10gb+me: 1, 2g.20gb: 3}\n",
     "h100", true, "stranded-memory", MP_SEV_NOTE, 6, 18,
     "leaves 1 of 8 memory slices unusable on h100-sxm5-80gb: no profile can "
     "be placed there; unavoidable: no larger profiles in place of these fit "
     "and use them"},
    /* stranding that larger profiles in place of these would avoid */
    {"version: v1\nmig-configs:\n  a:\n  - devices: all\n    mig-enabled: "
     "true\n"
     "    mig-devices: {1g.10gb: 1, 1g.20gb: 3}\n",
     "h100", true, "stranded-compute", MP_SEV_WARNING, 6, 18,
     "idles 2 of 7 compute slices on h100-sxm5-80gb: no memory is left for "
     "them; larger profiles would use them: 1 x 1g.10gb + 3 x 2g.20gb"},
    {"version: v1\nmig-configs:\n  a:\n  - device-filter: \"0x1FB010DE\"\n    "
     "devices: all\n    mig-enabled: true\n    mig-devices: {1g.10gb: 1}\n",
     NULL, true, "unknown-device", MP_SEV_WARNING, 4, 20,
     "no GPU migplan knows has PCI device 0x1FB010DE"},
    {"version: v1\nmig-configs:\n  a:\n  - devices: all\n    mig-enabled: "
     "true\n"
     "    mig-devices: {1g.5gb: 1, 1g.18gb: 1}\n",
     NULL, true, "mixed-models", MP_SEV_ERROR, 6, 18, "no single GPU has all"},
    {"version: v1\nmig-configs:\n  a:\n  - devices: all\n    mig-enabled: "
     "true\n"
     "    mig-devices: {1g.11gb: 1}\n",
     NULL, true, "unknown-profile", MP_SEV_ERROR, 6, 19,
     "1g.11gb (closest: 1g.10gb of"},
    /* a name NVIDIA's default config ships for a GPU migplan lacks */
    {"version: v1\nmig-configs:\n  a:\n  - devices: all\n    mig-enabled: "
     "true\n"
     "    mig-devices: {3g.95gb: 1}\n",
     NULL, true, "not-checked", MP_SEV_NOTE, 6, 19, "give the GPU"},
    /* a filter on a GPU migplan does not know: not checked, no error */
    {"version: v1\nmig-configs:\n  a:\n  - device-filter: \"0x99AA10DE\"\n"
     "    devices: all\n    mig-enabled: true\n"
     "    mig-devices: {2g.23gb: 1}\n",
     NULL, true, "unknown-device", MP_SEV_WARNING, 4, 20, "0x99AA10DE"},
    {"version: v1\nmig-configs:\n  a:\n  - device-filter: \"0x233010DE\"\n    "
     "devices: all\n    mig-enabled: false\n  - devices: [0]\n    mig-enabled: "
     "true\n    mig-devices: {}\n",
     NULL, true, "multiple-entries", MP_SEV_WARNING, 7, 5,
     "entries 1 and 2 of 'a' can both apply"},
    /* a well-formed config on its model: nothing to report */
    {"version: v1\nmig-configs:\n  a:\n  - device-filter: [\"0x233010DE\"]\n"
     "    devices: all\n    mig-enabled: true\n    mig-devices:\n"
     "      1g.10gb: 2\n      2g.20gb: 1\n      3g.40gb: 1\n",
     NULL, true, NULL, MP_SEV_ERROR, 0, 0, NULL},
    /* compute instances packed into their GI: 2c+1c fill one 3g beside a 4g */
    {"version: v1\nmig-configs:\n  a:\n  - devices: all\n    mig-enabled: "
     "true\n"
     "    mig-devices: {2c.3g.40gb: 1, 1c.3g.40gb: 1, 4g.40gb: 1}\n",
     "h100", true, NULL, MP_SEV_ERROR, 0, 0, NULL},
    /* 2c+1c twice fills two 3g GIs, which idles a compute slice */
    {"version: v1\nmig-configs:\n  a:\n  - devices: all\n    mig-enabled: "
     "true\n"
     "    mig-devices: {2c.3g.40gb: 2, 1c.3g.40gb: 2}\n",
     "h100", true, "stranded-compute", MP_SEV_NOTE, 6, 18, "idles 1 of 7"},
};

static void run_case(const ccase *t, int idx)
{
    mp_findings f = MP_FINDINGS_INIT;
    mp_mp_file mf;
    assert_int_equal(mp_mp_parse("t.yaml", t->yaml, strlen(t->yaml), &f, &mf),
                     0);
    if (mf.parsed != t->accepted)
        fail_msg("case %d: mig-parted verdict %s expected, got %s (%s)", idx,
                 t->accepted ? "ACCEPT" : "REJECT",
                 mf.parsed ? "ACCEPT" : "REJECT", mf.migparted_error);
    const mp_model *gpus[1];
    mp_check_opts o = {0};
    if (t->gpu) {
        assert_int_equal(mp_db_find(db, t->gpu, &gpus[0], NULL), 0);
        o.gpus = gpus;
        o.n_gpus = 1;
    }
    mp_check_stats st = {0};
    mp_check_file(db, &mf, &o, &f, &st);
    if (!t->code) {
        for (int i = 0; i < f.n; i++)
            if (f.v[i].sev != MP_SEV_NOTE)
                fail_msg("case %d: unexpected %s [%s] %d:%d %s", idx,
                         mp_severity_name(f.v[i].sev), f.v[i].code, f.v[i].line,
                         f.v[i].col, f.v[i].message);
    } else {
        bool found = false;
        for (int i = 0; i < f.n && !found; i++) {
            const mp_finding *x = &f.v[i];
            found = strcmp(x->code, t->code) == 0 && x->sev == t->sev &&
                    x->line == t->line && (t->col == 0 || x->col == t->col) &&
                    strstr(x->message, t->needle) != NULL;
        }
        if (!found) {
            fprintf(stderr, "case %d findings:\n", idx);
            for (int i = 0; i < f.n; i++)
                fprintf(stderr, "  %s [%s] %d:%d %s\n",
                        mp_severity_name(f.v[i].sev), f.v[i].code, f.v[i].line,
                        f.v[i].col, f.v[i].message);
            fail_msg("case %d: no %s [%s] at %d:%d with '%s'", idx,
                     mp_severity_name(t->sev), t->code, t->line, t->col,
                     t->needle);
        }
    }
    mp_mp_free(&mf);
    mp_findings_free(&f);
}

static void test_cases(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        run_case(&cases[i], (int)i);
    (void)hdr;
}

/* ---- node inventories ---- */

/* An entry whose device-filter is the given strings (NULL-terminated). */
static mp_mp_entry filter_entry(mp_mp_filter *fs, const char *const *texts)
{
    mp_mp_entry e = {.filters = fs, .devices_all = true, .ok = true};
    for (; *texts; texts++) {
        mp_mp_parse_filter(*texts, &fs[e.n_filters++]);
        e.has_filter = true;
    }
    return e;
}

/* mig-parted's own matcher tests, case by case: api/spec/v1/
 * helpers_test.go TestMigConfigSpecMatchesDeviceFilter (an H100 with
 * subsystem 0x16C010DE) and pkg/types/device_test.go TestDeviceIDMatches
 * and TestNewDeviceIDFromString. */
static void test_filter_matcher(void **state)
{
    (void)state;
    static const struct {
        const char *filters[3];
        bool want;
    } spec[] = {
        {{NULL}, true}, /* "" is no filter */
        {{"0x233010DE"}, true},
        {{"0x233010DE:0x16C010DE"}, true},
        {{"0x233010DE:0x16C110DE"}, false},
        {{"0x233010DE:0x16C110DE", "0x233010DE:0x16C010DE"}, true},
        {{"0x233010DE:0x16C010DE:extra"}, false},
    };
    const mp_model *h100;
    mp_diag d;
    assert_int_equal(mp_db_find(db, "0x233010DE", &h100, &d), 0);
    mp_node_gpu hw = {
        .model = h100, .device = 0x233010DE, .subsystem = 0x16C010DE};
    for (size_t i = 0; i < sizeof(spec) / sizeof(spec[0]); i++) {
        mp_mp_filter fs[3];
        mp_mp_entry e = filter_entry(fs, spec[i].filters);
        assert_int_equal(mp_mp_filter_matches(&e, hw.device, hw.subsystem),
                         spec[i].want);
        assert_int_equal(mp_node_gpu_match(&hw, &e) == MP_MATCH_YES,
                         spec[i].want);
    }
    static const struct {
        const char *filter;
        uint32_t device, subsystem;
        bool want;
    } dev[] = {
        {"0x25B610DE", 0x25B610DE, 0x14A910DE, true},
        {"0x25B610DE:0x14A910DE", 0x25B610DE, 0x14A910DE, true},
        {"0x25B610DE:0x14A910DE", 0x25B610DE, 0x157E10DE, false},
        {"0x25B610DE:0x14A910DE", 0x25B610DE, 0, false},
        {"0x25B610DE:0x0", 0x25B610DE, 0, true},
        {"0x1E3010DE", 0x25B610DE, 0x14A910DE, false},
        /* unparsable filters become DeviceID{} and match nothing */
        {"not-a-device-id", 0x25B610DE, 0x14A910DE, false},
        {"0x25B610DE:not-a-subsystem", 0x25B610DE, 0x14A910DE, false},
        {"0x25B610DE:0x14A910DE:extra", 0x25B610DE, 0x14A910DE, false},
    };
    for (size_t i = 0; i < sizeof(dev) / sizeof(dev[0]); i++) {
        mp_mp_filter fs[1];
        const char *t[] = {dev[i].filter, NULL};
        mp_mp_entry e = filter_entry(fs, t);
        assert_int_equal(
            mp_mp_filter_matches(&e, dev[i].device, dev[i].subsystem),
            dev[i].want);
    }
    mp_mp_filter pf;
    assert_true(mp_mp_parse_filter("0x25B610DE:0x14A910DE", &pf));
    assert_true(pf.has_subsystem && pf.device == 0x25B610DE &&
                pf.subsystem == 0x14A910DE);
    assert_false(mp_mp_parse_filter("0x25B610DE:", &pf));
}

/* What a node inventory leaves open: the device ID when it names the
 * model only, the subsystem when it gives none. */
static void test_node_match(void **state)
{
    (void)state;
    const mp_model *rtx;
    mp_diag d;
    assert_int_equal(mp_db_find(db, "0x2BB510DE", &rtx, &d), 0);
    assert_true(rtx->n_pci_ids > 1);
    mp_mp_filter fs[2];
    const char *server[] = {"0x2BB510DE", NULL};
    mp_mp_entry e = filter_entry(fs, server);
    mp_node_gpu maxq = {.model = rtx, .device = 0x2BB410DE};
    mp_node_gpu srv = {.model = rtx, .device = 0x2BB510DE};
    mp_node_gpu any = {.model = rtx};
    assert_int_equal(mp_node_gpu_match(&maxq, &e), MP_MATCH_NO);
    assert_int_equal(mp_node_gpu_match(&srv, &e), MP_MATCH_YES);
    assert_int_equal(mp_node_gpu_match(&any, &e), MP_MATCH_IF_DEVICE);
    /* synthetic subsystem IDs: only equality matters */
    const char *sub[] = {"0x2BB510DE:0xAAAA10DE", NULL};
    e = filter_entry(fs, sub);
    assert_int_equal(mp_node_gpu_match(&srv, &e), MP_MATCH_IF_SUBSYSTEM);
    srv.subsystem = 0xAAAA10DE;
    assert_int_equal(mp_node_gpu_match(&srv, &e), MP_MATCH_YES);
    srv.subsystem = 0xBBBB10DE;
    assert_int_equal(mp_node_gpu_match(&srv, &e), MP_MATCH_NO);
    /* a model given as "0xDDDDVVVV:0xSSSSVVVV" keeps both IDs */
    const char *inv = "gpus:\n  - {model: \"0x2BB410DE:0xAAAA10DE\"}\n";
    mp_node node;
    assert_int_equal(mp_node_parse(db, inv, strlen(inv), "n.yaml", &node, &d),
                     0);
    assert_int_equal(node.gpus[0].device, 0x2BB410DE);
    assert_int_equal(node.gpus[0].subsystem, 0xAAAA10DE);
    mp_node_free(&node);
}

/* --config-gpu patterns, and the did-you-mean rule behind --ignore. */
static void test_glob_and_suggest(void **state)
{
    (void)state;
    assert_true(mp_check_glob("all-*.18gb", "all-1g.18gb"));
    assert_true(mp_check_glob("all-*.18gb*", "all-1g.18gb.me"));
    assert_true(mp_check_glob("*", ""));
    assert_true(mp_check_glob("all-?g.10gb", "all-1g.10gb"));
    assert_false(mp_check_glob("all-*.18gb", "all-1g.10gb"));
    assert_false(mp_check_glob("all-?g.10gb", "all-1g.5gb"));
    assert_false(mp_check_glob("all-balanced", "all-balanced.18gb"));
    assert_int_equal(mp_edit_distance("multiple-entry", "multiple-entries"), 3);
    assert_string_equal(mp_finding_code_suggest("multiple-entry"),
                        "multiple-entries");
    assert_null(mp_finding_code_suggest("bogus"));
    assert_true(mp_finding_code_known("uncovered-gpu"));
    assert_false(mp_finding_code_known("uncovered"));
}

static void test_node(void **state)
{
    (void)state;
    const char *node_yaml = "gpus:\n  - {model: h100, count: 3}\n  - {index: "
                            "3, model: \"0x233510DE\"}\n";
    mp_node node;
    mp_diag d;
    assert_int_equal(
        mp_node_parse(db, node_yaml, strlen(node_yaml), "node.yaml", &node, &d),
        0);
    assert_int_equal(node.n, 4);
    assert_string_equal(node.gpus[3].model->id, "h200-141gb");
    const char *cfg =
        "version: v1\nmig-configs:\n  a:\n"
        "  - device-filter: \"0x233010DE\"\n    devices: [0, 1, 7]\n"
        "    mig-enabled: true\n    mig-devices: {1g.10gb: 7}\n"
        "  - devices: [1]\n    mig-enabled: false\n";
    mp_findings f = MP_FINDINGS_INIT;
    mp_mp_file mf;
    mp_mp_parse("c.yaml", cfg, strlen(cfg), &f, &mf);
    mp_check_opts o = {.node = &node};
    mp_check_stats st = {0};
    mp_check_file(db, &mf, &o, &f, &st);
    struct {
        const char *code;
        const char *needle;
    } want[] = {
        {"uncovered-gpu", "GPU 2 (NVIDIA H100 80GB HBM3, 0x233010DE)"},
        {"uncovered-gpu", "GPU 3 (NVIDIA H200, 0x233510DE)"},
        {"multiple-entries", "GPU 1 (NVIDIA H100 80GB HBM3, 0x233010DE) is "
                             "matched by entries 1, 2"},
        {"device-out-of-range", "GPU index 7 is not on this node"},
    };
    for (size_t w = 0; w < sizeof(want) / sizeof(want[0]); w++) {
        bool found = false;
        for (int i = 0; i < f.n; i++)
            found |= strcmp(f.v[i].code, want[w].code) == 0 &&
                     strstr(f.v[i].message, want[w].needle);
        if (!found)
            fail_msg("node: no [%s] with '%s'", want[w].code, want[w].needle);
    }
    mp_mp_free(&mf);
    mp_findings_free(&f);
    mp_node_free(&node);
    /* a node file with a bad model gets a positioned error */
    const char *bad = "gpus:\n  - {index: 0, model: h1000}\n";
    assert_int_equal(mp_node_parse(db, bad, strlen(bad), "n.yaml", &node, &d),
                     MP_ESCHEMA);
    assert_int_equal(d.line, 2);
    assert_non_null(strstr(d.msg, "h100-sxm5-80gb"));
}

/* ---- NVIDIA's shipped configs ---- */

static void check_clean(const char *name, const char *config_only)
{
    char path[512];
    snprintf(path, sizeof(path), CORPUS "/%s", name);
    size_t len;
    char *text = slurp(path, &len);
    mp_findings f = MP_FINDINGS_INIT;
    mp_mp_file mf;
    assert_int_equal(mp_mp_parse(name, text, len, &f, &mf), 0);
    assert_true(mf.parsed);
    mp_check_opts o = {.config = config_only};
    mp_check_stats st = {0};
    assert_int_equal(mp_check_file(db, &mf, &o, &f, &st), 0);
    for (int i = 0; i < f.n; i++)
        if (f.v[i].sev == MP_SEV_ERROR)
            fail_msg("%s:%d:%d: %s", name, f.v[i].line, f.v[i].col,
                     f.v[i].message);
    assert_true(st.configs > 0);
    mp_mp_free(&mf);
    mp_findings_free(&f);
    free(text);
}

static void test_shipped_configs(void **state)
{
    (void)state;
    /* no errors: every warning they get is explained in the README */
    check_clean("config-default.yaml", NULL);
    check_clean("gpu-operator_default-mig-parted-config_config.yaml", NULL);
    check_clean("config.yaml", NULL);
    check_clean("dgx-station-80gb-config.yaml", NULL);
    check_clean("config.yaml", "custom-config");
}

/* ---- realising an entry for scripts ---- */

static void test_realise(void **state)
{
    (void)state;
    const char *cfg = "version: v1\nmig-configs:\n  a:\n  - devices: all\n"
                      "    mig-enabled: true\n"
                      "    mig-devices: {3g.40gb: 1, 1c.3g.40gb: 3}\n";
    mp_findings f = MP_FINDINGS_INIT;
    mp_mp_file mf;
    mp_mp_parse("c.yaml", cfg, strlen(cfg), &f, &mf);
    const mp_model *m;
    mp_db_find(db, "h100", &m, NULL);
    mp_gpu_layout plan;
    char why[300];
    assert_int_equal(
        mp_check_realise(m, &mf.configs[0].entries[0], &plan, why, sizeof(why)),
        0);
    /* a 3g GI with its default CI and a 3g GI holding 1c x3 */
    assert_int_equal(plan.gis.n, 2);
    int explicit_3g = 0, default_3g = 0;
    for (int i = 0; i < plan.gis.n; i++) {
        const mp_gi_profile *p = &m->profiles[plan.gis.gi[i].profile];
        if (strcmp(p->name, "3g.40gb") == 0) {
            if (plan.ci_explicit[i]) {
                explicit_3g++;
                assert_int_equal(plan.ci_count[i][0], 3);
            } else {
                default_3g++;
            }
        }
    }
    assert_int_equal(explicit_3g, 1);
    assert_int_equal(default_3g, 1);
    assert_true(plan.driver_order);
    mp_fit_result r;
    assert_int_equal(mp_geom_validate(&plan.gis, &r), 0);
    mp_mp_free(&mf);
    mp_findings_free(&f);
    /* one more 1g needs a ninth memory slice: the reason says so */
    const char *over = "version: v1\nmig-configs:\n  a:\n  - devices: all\n"
                       "    mig-enabled: true\n    mig-devices: {3g.40gb: 1, "
                       "1c.3g.40gb: 3, 1g.10gb: 1}\n";
    mp_mp_parse("c.yaml", over, strlen(over), &f, &mf);
    assert_int_equal(
        mp_check_realise(m, &mf.configs[0].entries[0], &plan, why, sizeof(why)),
        MP_EINFEASIBLE);
    assert_non_null(strstr(why, "needs 9 memory slices"));
    mp_mp_free(&mf);
    mp_findings_free(&f);
}

/* Property: random valid layouts of every model, written as mig-parted
 * configs, check clean and realise to exactly their profiles with valid
 * placements; the same layouts with one instance too many are errors. */
static uint64_t prop_rng = 88172645463325252ULL;
static unsigned prop_rnd(unsigned n)
{
    prop_rng ^= prop_rng << 13;
    prop_rng ^= prop_rng >> 7;
    prop_rng ^= prop_rng << 17;
    return (unsigned)(prop_rng % n);
}

static void config_of(const mp_model *m, const int *count, mp_buf *b)
{
    mp_buf_printf(b,
                  "version: v1\nmig-configs:\n  random:\n"
                  "    - device-filter: \"0x%08X\"\n"
                  "      devices: all\n      mig-enabled: true\n"
                  "      mig-devices:\n",
                  m->pci_ids[0]);
    for (int p = 0; p < m->n_profiles; p++)
        if (count[p])
            mp_buf_printf(b, "        \"%s\": %d\n", m->profiles[p].name,
                          count[p]);
}

static void test_random_configs(void **state)
{
    (void)state;
    int clean = 0, refused = 0;
    for (int i = 0; i < mp_db_count(db); i++) {
        const mp_model *m = mp_db_model(db, i);
        mp_geom_list list;
        assert_int_equal(mp_geom_enumerate(m, NULL, false, &list), 0);
        for (int k = 0; k < 40 && list.n > 0; k++) {
            const mp_geometry *g = &list.v[prop_rnd((unsigned)list.n)];
            int count[MP_MAX_PROFILES] = {0};
            for (int p = 0; p < m->n_profiles; p++)
                count[p] = g->count[p];
            for (int extra = 0; extra < 2; extra++) {
                if (extra) {
                    if (!g->maximal)
                        break;
                    count[prop_rnd((unsigned)m->n_profiles)]++;
                }
                mp_buf b = MP_BUF_INIT;
                config_of(m, count, &b);
                mp_findings f = MP_FINDINGS_INIT;
                mp_mp_file mf;
                assert_int_equal(mp_mp_parse("r.yaml", b.data, b.len, &f, &mf),
                                 0);
                assert_true(mf.parsed);
                mp_check_opts o = {0};
                mp_check_stats st = {0};
                assert_int_equal(mp_check_file(db, &mf, &o, &f, &st), 0);
                int errors = mp_findings_count(&f, MP_SEV_ERROR);
                if (extra) {
                    if (errors == 0)
                        fail_msg("%s: one instance over a maximal layout "
                                 "passed:\n%s",
                                 m->id, b.data);
                    refused++;
                } else {
                    for (int x = 0; x < f.n; x++)
                        if (f.v[x].sev == MP_SEV_ERROR)
                            fail_msg("%s: valid layout refused: %s\n%s", m->id,
                                     f.v[x].message, b.data);
                    mp_gpu_layout gp;
                    char why[400];
                    if (mp_check_realise(m, &mf.configs[0].entries[0], &gp, why,
                                         sizeof(why)) != 0)
                        fail_msg("%s: cannot realise: %s", m->id, why);
                    int got[MP_MAX_PROFILES] = {0};
                    for (int q = 0; q < gp.gis.n; q++)
                        got[gp.gis.gi[q].profile]++;
                    assert_memory_equal(got, count, sizeof(got));
                    mp_fit_result res;
                    if (mp_geom_validate(&gp.gis, &res) != 0)
                        fail_msg("%s: realised layout invalid: %s", m->id,
                                 res.reason);
                    clean++;
                }
                mp_mp_free(&mf);
                mp_findings_free(&f);
                mp_buf_free(&b);
            }
        }
        mp_geom_list_free(&list);
    }
    print_message("%d random layouts checked clean, %d over-full ones "
                  "refused\n",
                  clean, refused);
    assert_true(clean > 400);
    assert_true(refused > 50);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_cases),
        cmocka_unit_test(test_cases),
        cmocka_unit_test(test_filter_matcher),
        cmocka_unit_test(test_node_match),
        cmocka_unit_test(test_glob_and_suggest),
        cmocka_unit_test(test_node),
        cmocka_unit_test(test_shipped_configs),
        cmocka_unit_test(test_realise),
        cmocka_unit_test(test_random_configs),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
