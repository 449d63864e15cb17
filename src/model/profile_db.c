/* SPDX-License-Identifier: Apache-2.0 */
/* profile_db.c - the profile database: load profile files and a user's
 * directory, replace same-id models, refuse conflicting names. The built-in
 * models come from profile_builtin.c; this file is also part of the
 * build-time generator that writes them. */
#include "migplan/model/profile_db.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migplan/util/arena.h"
#include "migplan/yaml/ydoc.h"
#include "profile_db_int.h"

int mp_db_new(mp_db **out, mp_diag *d)
{
    *out = calloc(1, sizeof(**out));
    if (!*out)
        return mp_diag_set(d, MP_ENOMEM, NULL, 0, 0, "out of memory");
    return 0;
}

void mp_db_free(mp_db *db)
{
    if (!db)
        return;
    mp_arena_free(&db->arena);
    free(db->models);
    free(db);
}

int mp_db_count(const mp_db *db)
{
    return db->n;
}

const mp_model *mp_db_model(const mp_db *db, int i)
{
    return i >= 0 && i < db->n ? db->models[i] : NULL;
}

static int check_conflicts(const mp_db *db, const mp_model *m, mp_diag *d)
{
    for (int i = 0; i < db->n; i++) {
        const mp_model *o = db->models[i];
        if (o == m || strcmp(o->id, m->id) == 0)
            continue;
        if (mp_model_claims(o, m->id))
            return mp_diag_set(d, MP_ESCHEMA, m->file, 0, 0,
                               "id '%s' is already a name of %s (%s)", m->id,
                               o->id, o->file);
        for (int a = 0; a < m->n_aliases; a++)
            if (mp_model_claims(o, m->aliases[a]))
                return mp_diag_set(d, MP_ESCHEMA, m->file, 0, 0,
                                   "alias '%s' is already a name of %s (%s)",
                                   m->aliases[a], o->id, o->file);
        for (int p = 0; p < m->n_pci_ids; p++)
            if (mp_model_device(o, m->pci_ids[p]))
                return mp_diag_set(d, MP_ESCHEMA, m->file, 0, 0,
                                   "PCI device ID 0x%08X is already claimed "
                                   "by %s (%s)",
                                   m->pci_ids[p], o->id, o->file);
    }
    return 0;
}

static int add_model(mp_db *db, const mp_model *m, mp_diag *d)
{
    int rc = check_conflicts(db, m, d);
    if (rc)
        return rc;
    for (int i = 0; i < db->n; i++)
        if (strcmp(db->models[i]->id, m->id) == 0) {
            db->models[i] = m; /* a later file replaces a shipped model */
            return 0;
        }
    if (mp_grow(&db->models, &db->cap, db->n + 1, sizeof(*db->models), 32))
        return mp_diag_set(d, MP_ENOMEM, m->file, 0, 0, "out of memory");
    db->models[db->n++] = m;
    return 0;
}

int mp_db_load_text(mp_db *db, const char *text, size_t len, const char *path,
                    mp_diag *d)
{
    mp_ydoc doc;
    int rc = mp_ydoc_parse(text, len, path, NULL, &doc, d);
    if (rc) {
        mp_diag_quote(d, path, text, len);
        return rc;
    }
    mp_model *m = mp_arena_alloc(&db->arena, sizeof(*m));
    mp_loader l = {.c = {.path = path, .arena = &db->arena, .d = d},
                   .a = &db->arena,
                   .m = m};
    if (!m) {
        rc = mp_diag_set(d, MP_ENOMEM, path, 0, 0, "out of memory");
        goto out;
    }
    if (!doc.root) {
        rc = mp_diag_set(d, MP_ESCHEMA, path, 1, 1,
                         "empty profile file; see \"The profile database\" "
                         "in the README for the format");
        goto out;
    }
    m->file = mp_arena_strdup(&db->arena, path);
    rc = mp_load_model(&l, doc.root);
    if (!rc)
        rc = add_model(db, m, d);
out:
    mp_ydoc_free(&doc);
    if (rc) /* quote the line from this text: the file may be gone */
        mp_diag_quote(d, path, text, len);
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool yaml_name(const char *n)
{
    size_t l = strlen(n);
    return (l > 5 && strcmp(n + l - 5, ".yaml") == 0) ||
           (l > 4 && strcmp(n + l - 4, ".yml") == 0);
}

/* The sorted paths of dir's *.yaml files; *names is malloc'd. */
static int list_dir(const char *dir, char ***names, size_t *n, mp_diag *d)
{
    DIR *dh = opendir(dir);
    if (!dh)
        return mp_diag_set(d, MP_EIO, dir, 0, 0,
                           "cannot open the profile directory; check "
                           "--profiles or MIGPLAN_PROFILES");
    size_t cap = 0;
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(dh)) != NULL) {
        if (e->d_name[0] == '.' || !yaml_name(e->d_name))
            continue;
        if (*n == cap) {
            size_t ncap = cap ? cap * 2 : 32;
            char **nn = realloc(*names, ncap * sizeof(*nn));
            if (!nn) {
                rc = mp_diag_set(d, MP_ENOMEM, dir, 0, 0, "out of memory");
                break;
            }
            *names = nn;
            cap = ncap;
        }
        size_t len = strlen(dir) + strlen(e->d_name) + 2;
        (*names)[*n] = malloc(len);
        if (!(*names)[*n]) {
            rc = mp_diag_set(d, MP_ENOMEM, dir, 0, 0, "out of memory");
            break;
        }
        snprintf((*names)[*n], len, "%s/%s", dir, e->d_name);
        (*n)++;
    }
    closedir(dh);
    if (!rc && *n == 0)
        rc = mp_diag_set(d, MP_EIO, dir, 0, 0,
                         "no *.yaml profile files in this directory");
    if (!rc)
        qsort(*names, *n, sizeof(**names), cmp_str); /* deterministic */
    return rc;
}

int mp_db_load_file(mp_db *db, const char *file, const char *path, mp_diag *d)
{
    char *text;
    size_t len;
    int rc = mp_read_file(file, mp_ylimits_default.max_bytes, &text, &len, d);
    if (rc)
        return rc;
    rc = mp_db_load_text(db, text, len, path, d);
    free(text);
    return rc;
}

int mp_db_check(const mp_db *db, mp_diag *d)
{
    int rc = 0;
    for (int i = 0; !rc && i < db->n; i++)
        rc = check_conflicts(db, db->models[i], d);
    return rc;
}

int mp_db_load_dir(mp_db *db, const char *dir, mp_diag *d)
{
    char **names = NULL;
    size_t n = 0;
    int rc = list_dir(dir, &names, &n, d);
    for (size_t i = 0; i < n && !rc; i++)
        rc = mp_db_load_file(db, names[i], names[i], d);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    /* a replacement may conflict with a model loaded before it */
    return rc ? rc : mp_db_check(db, d);
}
