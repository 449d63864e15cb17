/* SPDX-License-Identifier: Apache-2.0 */
/* profile_gen.c - the build-time program that turns the YAML files of profiles/
 * into the C data of the built-in profile database (profiles_embedded.h).
 *
 *   migplan_profile_gen OUT.c FILE.yaml...
 *
 * It loads the files with the run-time loader (mp_db_load_text), so they
 * are validated exactly as `--profiles` files are, and a broken file stops
 * the build with file:line:col. It then writes every model as static C
 * structures: a run starts without parsing YAML. The YAML stays the single
 * source of truth; test_profile_builtin compares the result with the files
 * loaded at run time, field by field. Not part of migplan_core: a program
 * of its own, run by CMake. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migplan/util/buf.h"
#include "profile_db_int.h"

/* A C string literal of s, or NULL. Bytes outside printable ASCII become
 * three-digit octal escapes, which never run into the next character. */
static void put_str(mp_buf *b, const char *s)
{
    if (!s) {
        mp_buf_puts(b, "NULL");
        return;
    }
    mp_buf_putc(b, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            mp_buf_printf(b, "\\%c", *p);
        else if (*p < 0x20 || *p >= 0x7f || *p == '?') /* '?': trigraphs */
            mp_buf_printf(b, "\\%03o", *p);
        else
            mp_buf_putc(b, (char)*p);
    }
    mp_buf_putc(b, '"');
}

/* `static const char *NAME[] = {...};` (or nothing when n is 0); pointer
 * constness follows the field the array is assigned to. */
static void put_strs(mp_buf *b, const char *qual, const char *name,
                     const char *const *v, int n)
{
    if (n <= 0)
        return;
    mp_buf_printf(b, "static const char *%s%s[] = {", qual, name);
    for (int i = 0; i < n; i++) {
        mp_buf_puts(b, i ? ",\n    " : "\n    ");
        put_str(b, v[i]);
    }
    mp_buf_puts(b, "};\n");
}

/* The array's name when it has items, else NULL. */
static void put_ref(mp_buf *b, const char *name, int n)
{
    mp_buf_puts(b, n > 0 ? name : "NULL");
}

/* ".A = "a", .Z = "z"}" closing one initializer of two strings. */
static void put_pair(mp_buf *b, const char *fa, const char *a, const char *fz,
                     const char *z)
{
    mp_buf_printf(b, ".%s = ", fa);
    put_str(b, a);
    mp_buf_printf(b, ", .%s = ", fz);
    put_str(b, z);
    mp_buf_putc(b, '}');
}

static void put_notes(mp_buf *b, const char *name, const mp_note *v, int n)
{
    if (n <= 0)
        return;
    mp_buf_printf(b, "static mp_note %s[] = {", name);
    for (int i = 0; i < n; i++) {
        mp_buf_puts(b, i ? ",\n    {" : "\n    {");
        put_pair(b, "field", v[i].field, "text", v[i].text);
    }
    mp_buf_puts(b, "};\n");
}

/* The arrays of a provenance, named PREFIX_src, _der and _inf. */
static void put_prov_arrays(mp_buf *b, const char *prefix,
                            const mp_provenance *p)
{
    char name[64];
    snprintf(name, sizeof(name), "%s_src", prefix);
    put_strs(b, "", name, p->sources, p->n_sources);
    snprintf(name, sizeof(name), "%s_der", prefix);
    put_notes(b, name, p->derived, p->n_derived);
    snprintf(name, sizeof(name), "%s_inf", prefix);
    put_notes(b, name, p->inferred, p->n_inferred);
}

static void put_prov(mp_buf *b, const char *prefix, const mp_provenance *p)
{
    mp_buf_printf(b,
                  "{.sources = %s%s, .n_sources = %d,\n      .derived = %s%s, "
                  ".n_derived = %d,\n      .inferred = %s%s, .n_inferred = "
                  "%d}",
                  p->n_sources ? prefix : "NULL", p->n_sources ? "_src" : "",
                  p->n_sources, p->n_derived ? prefix : "NULL",
                  p->n_derived ? "_der" : "", p->n_derived,
                  p->n_inferred ? prefix : "NULL", p->n_inferred ? "_inf" : "",
                  p->n_inferred);
}

static void put_cis(mp_buf *b, const char *prefix, const mp_gi_profile *p)
{
    if (p->n_cis <= 0)
        return;
    mp_buf_printf(b, "static const mp_ci_profile %s_ci[] = {", prefix);
    for (int i = 0; i < p->n_cis; i++) {
        const mp_ci_profile *c = &p->cis[i];
        mp_buf_puts(b, i ? ",\n    {" : "\n    {");
        mp_buf_puts(b, ".name = ");
        put_str(b, c->name);
        mp_buf_printf(b,
                      ", .id = %d, .compute_slices = %d, .max_per_gi = %d,"
                      "\n     .is_default = %s, .inferred = ",
                      c->id, c->compute_slices, c->max_per_gi,
                      c->is_default ? "true" : "false");
        put_str(b, c->inferred);
        mp_buf_putc(b, '}');
    }
    mp_buf_puts(b, "};\n");
}

/* The arrays one GI profile points to. */
static void put_profile_arrays(mp_buf *b, const mp_model *m, int mi, int pi)
{
    const mp_gi_profile *p = &m->profiles[pi];
    char prefix[32], name[48];
    snprintf(prefix, sizeof(prefix), "m%d_p%d", mi, pi);
    put_cis(b, prefix, p);
    put_prov_arrays(b, prefix, &p->prov);
    if (p->older_gib && m->n_older_drivers > 0) {
        snprintf(name, sizeof(name), "%s_old", prefix);
        put_strs(b, "const ", name, p->older_gib, m->n_older_drivers);
    }
}

static void put_profile(mp_buf *b, const mp_model *m, int mi, int pi)
{
    const mp_gi_profile *p = &m->profiles[pi];
    char prefix[32];
    snprintf(prefix, sizeof(prefix), "m%d_p%d", mi, pi);
    mp_buf_puts(b, "    {.name = ");
    put_str(b, p->name);
    mp_buf_printf(b,
                  ",\n     .id = %d, .compute_slices = %d, .memory_slices = "
                  "%d, .memory_mib = %d,\n     .memory_gib = ",
                  p->id, p->compute_slices, p->memory_slices, p->memory_mib);
    put_str(b, p->memory_gib);
    mp_buf_printf(b, ", .sms = %d, .engines = {", p->sms);
    for (int e = 0; e < MP_ENG_COUNT; e++)
        mp_buf_printf(b, "%s%d", e ? ", " : "", p->engines[e]);
    mp_buf_printf(b,
                  "},\n     .max_instances = %d, .n_placements = %d, "
                  ".placements = {",
                  p->max_instances, p->n_placements);
    for (int i = 0; i < p->n_placements; i++)
        mp_buf_printf(b, "%s%d", i ? ", " : "", p->placements[i]);
    mp_buf_printf(b, "},\n     .flags = %uu, .min_driver = ", p->flags);
    put_str(b, p->min_driver);
    mp_buf_printf(b, ", .cis = %s%s, .n_cis = %d,\n     .older_gib = %s%s",
                  p->n_cis > 0 ? prefix : "NULL", p->n_cis > 0 ? "_ci" : "",
                  p->n_cis,
                  p->older_gib && m->n_older_drivers > 0 ? prefix : "NULL",
                  p->older_gib && m->n_older_drivers > 0 ? "_old" : "");
    mp_buf_puts(b, ",\n     .prov = ");
    put_prov(b, prefix, &p->prov);
    mp_buf_printf(b, ",\n     .confirmed = %s, .line = %d}",
                  p->confirmed ? "true" : "false", p->line);
}

static void put_devices(mp_buf *b, const mp_model *m, int mi)
{
    char name[48];
    for (int i = 0; i < m->n_devices; i++) {
        snprintf(name, sizeof(name), "m%d_d%d_names", mi, i);
        put_strs(b, "", name, m->devices[i].names, m->devices[i].n_names);
        snprintf(name, sizeof(name), "m%d_d%d_src", mi, i);
        put_strs(b, "", name, m->devices[i].sources, m->devices[i].n_sources);
    }
    mp_buf_printf(b, "static const mp_device m%d_dev[] = {", mi);
    for (int i = 0; i < m->n_devices; i++) {
        const mp_device *v = &m->devices[i];
        mp_buf_printf(b, "%s{.pci_id = 0x%08XU, .names = ",
                      i ? ",\n    " : "\n    ", v->pci_id);
        snprintf(name, sizeof(name), "m%d_d%d_names", mi, i);
        put_ref(b, name, v->n_names);
        mp_buf_printf(b, ", .n_names = %d,\n     .sources = ", v->n_names);
        snprintf(name, sizeof(name), "m%d_d%d_src", mi, i);
        put_ref(b, name, v->n_sources);
        mp_buf_printf(b, ", .n_sources = %d, .inferred = ", v->n_sources);
        put_str(b, v->inferred);
        mp_buf_putc(b, '}');
    }
    mp_buf_printf(b, "};\nstatic const uint32_t m%d_pci[] = {", mi);
    for (int i = 0; i < m->n_pci_ids; i++)
        mp_buf_printf(b, "%s0x%08XU", i ? ", " : "", m->pci_ids[i]);
    mp_buf_puts(b, "};\n");
}

/* The model's excluded devices, older drivers and sources. */
static void put_tables(mp_buf *b, const mp_model *m, int mi)
{
    if (m->n_excluded > 0)
        mp_buf_printf(b, "static const mp_excluded_device m%d_excl[] = {", mi);
    for (int i = 0; i < m->n_excluded; i++) {
        const mp_excluded_device *x = &m->excluded[i];
        mp_buf_printf(b, "%s{.pci_id = 0x%08XU, ", i ? ",\n    " : "\n    ",
                      x->pci_id);
        put_pair(b, "name", x->name, "reason", x->reason);
        mp_buf_puts(b, i + 1 < m->n_excluded ? "" : "};\n");
    }
    if (m->n_older_drivers > 0)
        mp_buf_printf(b, "static const mp_driver_table m%d_older[] = {", mi);
    for (int i = 0; i < m->n_older_drivers; i++) {
        const mp_driver_table *t = &m->older_drivers[i];
        mp_buf_puts(b, i ? ",\n    {" : "\n    {");
        put_pair(b, "driver", t->driver, "note", t->note);
        mp_buf_puts(b, i + 1 < m->n_older_drivers ? "" : "};\n");
    }
    if (m->n_sources > 0)
        mp_buf_printf(b, "static const mp_source m%d_srcs[] = {", mi);
    for (int i = 0; i < m->n_sources; i++) {
        mp_buf_puts(b, i ? ",\n    {" : "\n    {");
        put_pair(b, "key", m->sources[i].key, "text", m->sources[i].text);
        mp_buf_puts(b, i + 1 < m->n_sources ? "" : "};\n");
    }
}

static void put_model_arrays(mp_buf *b, const mp_model *m, int mi)
{
    char name[48];
    snprintf(name, sizeof(name), "m%d_alias", mi);
    put_strs(b, "", name, m->aliases, m->n_aliases);
    snprintf(name, sizeof(name), "m%d_names", mi);
    put_strs(b, "", name, m->product_names, m->n_product_names);
    put_devices(b, m, mi);
    put_tables(b, m, mi);
    snprintf(name, sizeof(name), "m%d", mi);
    put_prov_arrays(b, name, &m->prov);
    for (int p = 0; p < m->n_profiles; p++)
        put_profile_arrays(b, m, mi, p);
    mp_buf_printf(b, "static const mp_gi_profile m%d_prof[] = {\n", mi);
    for (int p = 0; p < m->n_profiles; p++) {
        put_profile(b, m, mi, p);
        mp_buf_puts(b, p + 1 < m->n_profiles ? ",\n" : "};\n");
    }
}

/* `.field = ARRAY, .n_field = N,` for an array named m<mi>_<suffix>. */
static void put_field(mp_buf *b, const char *field, int mi, const char *suffix,
                      int n)
{
    char name[48];
    snprintf(name, sizeof(name), "m%d_%s", mi, suffix);
    mp_buf_printf(b, "    .%s = ", field);
    put_ref(b, name, n);
    mp_buf_printf(b, ", .n_%s = %d,\n", field, n);
}

static void put_text_field(mp_buf *b, const char *field, const char *s)
{
    mp_buf_printf(b, "    .%s = ", field);
    put_str(b, s);
    mp_buf_puts(b, ",\n");
}

static void put_model(mp_buf *b, const mp_model *m, int mi)
{
    put_model_arrays(b, m, mi);
    mp_buf_printf(b, "static const mp_model m%d = {\n", mi);
    put_text_field(b, "id", m->id);
    put_text_field(b, "name", m->name);
    put_field(b, "product_names", mi, "names", m->n_product_names);
    put_field(b, "aliases", mi, "alias", m->n_aliases);
    put_field(b, "pci_ids", mi, "pci", m->n_pci_ids);
    put_field(b, "devices", mi, "dev", m->n_devices);
    put_field(b, "excluded", mi, "excl", m->n_excluded);
    put_text_field(b, "architecture", m->architecture);
    put_text_field(b, "memory_total_driver", m->memory_total_driver);
    put_text_field(b, "min_driver", m->min_driver);
    put_text_field(b, "memory_driver", m->memory_driver);
    mp_buf_printf(b,
                  "    .memory_mib = %d, .sms = %d, .units = %d, "
                  ".compute_slices = %d,\n",
                  m->memory_mib, m->sms, m->units, m->compute_slices);
    put_field(b, "older_drivers", mi, "older", m->n_older_drivers);
    put_field(b, "profiles", mi, "prof", m->n_profiles);
    put_field(b, "sources", mi, "srcs", m->n_sources);
    char prefix[16];
    snprintf(prefix, sizeof(prefix), "m%d", mi);
    mp_buf_puts(b, "    .prov = ");
    put_prov(b, prefix, &m->prov);
    mp_buf_printf(b, ",\n    .confirmed = %s,\n",
                  m->confirmed ? "true" : "false");
    put_text_field(b, "file", m->file);
    put_text_field(b, "notes", m->notes);
    mp_buf_puts(b, "};\n\n");
}

static void put_db(mp_buf *b, const mp_db *db)
{
    mp_buf_puts(
        b, "/* Generated by migplan_profile_gen (src/model/"
           "profile_gen.c) from the YAML files of profiles/:\n * edit the YAML "
           "files, not this. */\n#include <stdbool.h>\n#include "
           "<stddef.h>\n#include <stdint.h>\n\n#include "
           "\"profiles_embedded.h\"\n\n");
    for (int i = 0; i < db->n; i++)
        put_model(b, db->models[i], i);
    mp_buf_puts(b, "const mp_model *const mp_builtin_models[] = {");
    for (int i = 0; i < db->n; i++)
        mp_buf_printf(b, "%s&m%d", i ? ", " : "", i);
    mp_buf_printf(b, "};\nconst int mp_builtin_count = %d;\n", db->n);
}

/* Load the files as mp_db_load() once read them: as "profiles/NAME".
 * Unlike a --profiles directory, two files of one id are an error. */
static int load(mp_db *db, int n, char **files, mp_diag *d)
{
    int rc = 0;
    for (int i = 0; i < n && !rc; i++) {
        const char *base = strrchr(files[i], '/');
        base = base ? base + 1 : files[i];
        char path[256];
        snprintf(path, sizeof(path), "profiles/%s", base);
        int before = mp_db_count(db);
        rc = mp_db_load_file(db, files[i], path, d);
        if (!rc && mp_db_count(db) == before) /* it replaced one */
            rc = mp_diag_set(d, MP_ESCHEMA, path, 0, 0,
                             "a model of this id is already in another "
                             "file of profiles/; each file needs its own id");
    }
    return rc;
}

/* Write b to path through a temporary file, so that an interrupted build
 * never leaves half a source file behind. */
static int write_out(const mp_buf *b, const char *path)
{
    char tmp[4096];
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f) {
        perror(tmp);
        return 1;
    }
    bool ok = fwrite(b->data, 1, b->len, f) == b->len;
    ok = fclose(f) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) {
        perror(path);
        remove(tmp);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fputs("usage: migplan_profile_gen OUT.c FILE.yaml...\n", stderr);
        return 2;
    }
    mp_diag d = {0};
    mp_db *db = NULL;
    mp_buf b = MP_BUF_INIT;
    int rc = mp_db_new(&db, &d);
    if (!rc)
        rc = load(db, argc - 2, argv + 2, &d);
    if (!rc)
        rc = mp_db_check(db, &d);
    int status = 0;
    if (rc) {
        mp_buf_reset(&b);
        mp_diag_render(&d, &b);
        fprintf(stderr, "%s", mp_buf_str(&b));
        status = 1;
    } else {
        put_db(&b, db);
        status = b.failed ? 1 : write_out(&b, argv[1]);
    }
    mp_buf_free(&b);
    mp_db_free(db);
    return status;
}
