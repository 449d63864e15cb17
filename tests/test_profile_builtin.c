/* SPDX-License-Identifier: Apache-2.0 */
/* test_profile_builtin.c - the built-in profile database (C data generated
 * at build time) equals the YAML files of profiles/ loaded at run time, field
 * by field, provenance included, with and without --driver; so the two can
 * never drift apart. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "migplan/model/profile_db.h"
#include "migplan/yaml/yfile.h"

/* The first difference found: where, e.g. "h100-sxm5-80gb
 * profiles[3].cis[1].inferred". */
typedef struct cmp {
    char where[512];
    bool differs;
} cmp;

static bool differ(cmp *c, const char *at, const char *field)
{
    if (!c->differs)
        snprintf(c->where, sizeof(c->where), "%s%s", at, field);
    c->differs = true;
    return false;
}

static bool same_int(cmp *c, const char *at, const char *f, long a, long b)
{
    return a == b || differ(c, at, f);
}

static bool same_str(cmp *c, const char *at, const char *f, const char *a,
                     const char *b)
{
    if (a == NULL || b == NULL)
        return (a == NULL && b == NULL) || differ(c, at, f);
    return strcmp(a, b) == 0 || differ(c, at, f);
}

static bool same_strs(cmp *c, const char *at, const char *f,
                      const char *const *a, int na, const char *const *b,
                      int nb)
{
    if (na != nb)
        return differ(c, at, f);
    for (int i = 0; i < na; i++)
        if (!same_str(c, at, f, a[i], b[i]))
            return false;
    return true;
}

static bool same_notes(cmp *c, const char *at, const char *f, const mp_note *a,
                       int na, const mp_note *b, int nb)
{
    if (na != nb)
        return differ(c, at, f);
    for (int i = 0; i < na; i++)
        if (!same_str(c, at, f, a[i].field, b[i].field) ||
            !same_str(c, at, f, a[i].text, b[i].text))
            return false;
    return true;
}

static bool same_prov(cmp *c, const char *at, const mp_provenance *a,
                      const mp_provenance *b)
{
    return same_strs(c, at, "prov.sources", a->sources, a->n_sources,
                     b->sources, b->n_sources) &&
           same_notes(c, at, "prov.derived", a->derived, a->n_derived,
                      b->derived, b->n_derived) &&
           same_notes(c, at, "prov.inferred", a->inferred, a->n_inferred,
                      b->inferred, b->n_inferred);
}

static bool same_ci(cmp *c, const char *at, const mp_ci_profile *a,
                    const mp_ci_profile *b)
{
    return same_str(c, at, "name", a->name, b->name) &&
           same_int(c, at, "id", a->id, b->id) &&
           same_int(c, at, "compute_slices", a->compute_slices,
                    b->compute_slices) &&
           same_int(c, at, "max_per_gi", a->max_per_gi, b->max_per_gi) &&
           same_int(c, at, "is_default", a->is_default, b->is_default) &&
           same_str(c, at, "inferred", a->inferred, b->inferred);
}

static bool same_numbers(cmp *c, const char *at, const mp_gi_profile *a,
                         const mp_gi_profile *b)
{
    bool ok =
        same_int(c, at, "id", a->id, b->id) &&
        same_int(c, at, "compute_slices", a->compute_slices,
                 b->compute_slices) &&
        same_int(c, at, "memory_slices", a->memory_slices, b->memory_slices) &&
        same_int(c, at, "memory_mib", a->memory_mib, b->memory_mib) &&
        same_int(c, at, "sms", a->sms, b->sms) &&
        same_int(c, at, "max_instances", a->max_instances, b->max_instances) &&
        same_int(c, at, "flags", a->flags, b->flags) &&
        same_int(c, at, "confirmed", a->confirmed, b->confirmed) &&
        same_int(c, at, "line", a->line, b->line) &&
        same_int(c, at, "n_placements", a->n_placements, b->n_placements);
    for (int e = 0; ok && e < MP_ENG_COUNT; e++)
        ok = same_int(c, at, "engines", a->engines[e], b->engines[e]);
    for (int i = 0; ok && i < a->n_placements; i++)
        ok = same_int(c, at, "placements", a->placements[i], b->placements[i]);
    return ok;
}

static bool same_profile(cmp *c, const char *at, int n_older,
                         const mp_gi_profile *a, const mp_gi_profile *b)
{
    if (!same_str(c, at, "name", a->name, b->name) ||
        !same_numbers(c, at, a, b) ||
        !same_str(c, at, "memory_gib", a->memory_gib, b->memory_gib) ||
        !same_str(c, at, "min_driver", a->min_driver, b->min_driver) ||
        !same_prov(c, at, &a->prov, &b->prov) ||
        !same_int(c, at, "n_cis", a->n_cis, b->n_cis) ||
        !same_int(c, at, "older_gib", !a->older_gib, !b->older_gib))
        return false;
    for (int i = 0; a->older_gib && i < n_older; i++)
        if (!same_str(c, at, "older_gib", a->older_gib[i], b->older_gib[i]))
            return false;
    char sub[320]; /* at is at most 255 bytes (same_model's sub) */
    for (int i = 0; i < a->n_cis; i++) {
        snprintf(sub, sizeof(sub), "%scis[%d].", at, i);
        if (!same_ci(c, sub, &a->cis[i], &b->cis[i]))
            return false;
    }
    return true;
}

static bool same_device(cmp *c, const char *at, const mp_device *a,
                        const mp_device *b)
{
    return same_int(c, at, "pci_id", a->pci_id, b->pci_id) &&
           same_strs(c, at, "names", a->names, a->n_names, b->names,
                     b->n_names) &&
           same_strs(c, at, "sources", a->sources, a->n_sources, b->sources,
                     b->n_sources) &&
           same_str(c, at, "inferred", a->inferred, b->inferred);
}

static bool same_identity(cmp *c, const char *at, const mp_model *a,
                          const mp_model *b)
{
    return same_str(c, at, "id", a->id, b->id) &&
           same_str(c, at, "name", a->name, b->name) &&
           same_strs(c, at, "product_names", a->product_names,
                     a->n_product_names, b->product_names,
                     b->n_product_names) &&
           same_strs(c, at, "aliases", a->aliases, a->n_aliases, b->aliases,
                     b->n_aliases) &&
           same_str(c, at, "architecture", a->architecture, b->architecture) &&
           same_int(c, at, "memory_mib", a->memory_mib, b->memory_mib) &&
           same_str(c, at, "memory_total_driver", a->memory_total_driver,
                    b->memory_total_driver) &&
           same_int(c, at, "sms", a->sms, b->sms) &&
           same_int(c, at, "units", a->units, b->units) &&
           same_int(c, at, "compute_slices", a->compute_slices,
                    b->compute_slices) &&
           same_str(c, at, "min_driver", a->min_driver, b->min_driver) &&
           same_str(c, at, "memory_driver", a->memory_driver,
                    b->memory_driver) &&
           same_prov(c, at, &a->prov, &b->prov) &&
           same_int(c, at, "confirmed", a->confirmed, b->confirmed) &&
           same_str(c, at, "file", a->file, b->file) &&
           same_str(c, at, "notes", a->notes, b->notes);
}

/* Devices, PCI IDs, excluded devices, older drivers and sources. */
static bool same_lists(cmp *c, const char *at, const mp_model *a,
                       const mp_model *b)
{
    if (!same_int(c, at, "n_devices", a->n_devices, b->n_devices) ||
        !same_int(c, at, "n_pci_ids", a->n_pci_ids, b->n_pci_ids) ||
        !same_int(c, at, "n_excluded", a->n_excluded, b->n_excluded) ||
        !same_int(c, at, "n_older_drivers", a->n_older_drivers,
                  b->n_older_drivers) ||
        !same_int(c, at, "n_sources", a->n_sources, b->n_sources))
        return false;
    char sub[256];
    bool ok = true;
    for (int i = 0; ok && i < a->n_devices; i++) {
        snprintf(sub, sizeof(sub), "%sdevices[%d].", at, i);
        ok = same_device(c, sub, &a->devices[i], &b->devices[i]) &&
             same_int(c, at, "pci_ids", a->pci_ids[i], b->pci_ids[i]);
    }
    for (int i = 0; ok && i < a->n_excluded; i++)
        ok = same_int(c, at, "excluded.pci_id", a->excluded[i].pci_id,
                      b->excluded[i].pci_id) &&
             same_str(c, at, "excluded.name", a->excluded[i].name,
                      b->excluded[i].name) &&
             same_str(c, at, "excluded.reason", a->excluded[i].reason,
                      b->excluded[i].reason);
    for (int i = 0; ok && i < a->n_older_drivers; i++)
        ok = same_str(c, at, "older_drivers.driver", a->older_drivers[i].driver,
                      b->older_drivers[i].driver) &&
             same_str(c, at, "older_drivers.note", a->older_drivers[i].note,
                      b->older_drivers[i].note);
    for (int i = 0; ok && i < a->n_sources; i++)
        ok = same_str(c, at, "sources.key", a->sources[i].key,
                      b->sources[i].key) &&
             same_str(c, at, "sources.text", a->sources[i].text,
                      b->sources[i].text);
    return ok;
}

static bool same_model(cmp *c, const mp_model *a, const mp_model *b)
{
    char at[128], sub[256];
    snprintf(at, sizeof(at), "%s ", a->id);
    if (!same_identity(c, at, a, b) || !same_lists(c, at, a, b) ||
        !same_int(c, at, "n_profiles", a->n_profiles, b->n_profiles))
        return false;
    for (int i = 0; i < a->n_profiles; i++) {
        snprintf(sub, sizeof(sub), "%sprofiles[%d].", at, i);
        if (!same_profile(c, sub, a->n_older_drivers, &a->profiles[i],
                          &b->profiles[i]))
            return false;
    }
    return true;
}

static void assert_same_db(const mp_db *a, const mp_db *b)
{
    assert_int_equal(mp_db_count(a), mp_db_count(b));
    for (int i = 0; i < mp_db_count(a); i++) {
        cmp c = {.differs = false};
        if (!same_model(&c, mp_db_model(a, i), mp_db_model(b, i)))
            fail_msg("built-in and YAML differ at %s", c.where);
    }
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The YAML files of profiles/ read at run time, each named "profiles/NAME" as
 * the generator names them. */
static mp_db *load_yaml(void)
{
    char dir[4096], path[4600], *names[64];
    int n = 0;
    snprintf(dir, sizeof(dir), "%s/profiles", MIGPLAN_SOURCE_DIR);
    DIR *dh = opendir(dir);
    assert_non_null(dh);
    for (struct dirent *e; (e = readdir(dh)) != NULL && n < 64;) {
        size_t l = strlen(e->d_name);
        if (l > 5 && strcmp(e->d_name + l - 5, ".yaml") == 0)
            names[n++] = strdup(e->d_name);
    }
    closedir(dh);
    qsort(names, (size_t)n, sizeof(*names), cmp_name);
    mp_db *db;
    mp_diag d;
    assert_int_equal(mp_db_new(&db, &d), 0);
    for (int i = 0; i < n; i++) {
        char *text, shown[300];
        size_t len;
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        snprintf(shown, sizeof(shown), "profiles/%s", names[i]);
        assert_int_equal(mp_read_file(path, 1u << 24, &text, &len, &d), 0);
        if (mp_db_load_text(db, text, len, shown, &d) != 0)
            fail_msg("%s:%d: %s", d.file, d.line, d.msg);
        free(text);
        free(names[i]);
    }
    return db;
}

static void test_builtin_equals_yaml(void **state)
{
    (void)state;
    mp_db *built, *yaml = load_yaml();
    mp_diag d;
    assert_int_equal(mp_db_load(NULL, &built, &d), 0);
    assert_true(mp_db_count(built) >= 17);
    assert_same_db(built, yaml);
    mp_db_free(built);
    mp_db_free(yaml);
}

/* --driver changes copies of the read-only built-in models: the result is
 * what it makes of the YAML, and a second load is untouched. */
static void test_builtin_driver_copies(void **state)
{
    (void)state;
    static const char *const drivers[] = {"515", "MP#166", "580"};
    for (size_t k = 0; k < sizeof(drivers) / sizeof(drivers[0]); k++) {
        mp_db *built, *yaml = load_yaml(), *fresh;
        mp_diag d;
        assert_int_equal(mp_db_load(NULL, &built, &d), 0);
        assert_int_equal(mp_db_select_driver(built, drivers[k], &d), 0);
        assert_int_equal(mp_db_select_driver(yaml, drivers[k], &d), 0);
        assert_same_db(built, yaml);
        mp_db_free(yaml);
        yaml = load_yaml();
        assert_int_equal(mp_db_load(NULL, &fresh, &d), 0);
        assert_same_db(fresh, yaml);
        mp_db_free(built);
        mp_db_free(fresh);
        mp_db_free(yaml);
    }
}

/* The comparison sees a difference deep down (a compute-instance note) and
 * says where it is. */
static void test_compare_finds_deep_change(void **state)
{
    (void)state;
    mp_db *built;
    mp_diag d;
    const mp_model *m;
    assert_int_equal(mp_db_load(NULL, &built, &d), 0);
    assert_int_equal(mp_db_find(built, "h100", &m, &d), 0);
    mp_model copy = *m;
    mp_gi_profile ps[MP_MAX_PROFILES];
    mp_ci_profile cis[MP_MAX_CI];
    memcpy(ps, m->profiles, (size_t)m->n_profiles * sizeof(*ps));
    memcpy(cis, ps[0].cis, (size_t)ps[0].n_cis * sizeof(*cis));
    cis[ps[0].n_cis - 1].inferred = "changed";
    ps[0].cis = cis;
    copy.profiles = ps;
    cmp c = {.differs = false};
    assert_true(same_model(&c, m, m));
    assert_false(same_model(&c, m, &copy));
    char want[128];
    snprintf(want, sizeof(want), "h100-sxm5-80gb profiles[0].cis[%d].inferred",
             ps[0].n_cis - 1);
    assert_string_equal(c.where, want);
    mp_db_free(built);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_builtin_equals_yaml),
        cmocka_unit_test(test_builtin_driver_copies),
        cmocka_unit_test(test_compare_finds_deep_change),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
