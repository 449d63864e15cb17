/* SPDX-License-Identifier: Apache-2.0 */
/* profile_driver.c - choose which driver's -lgip memory sizes the database
 * uses (--driver): profile memory changes between drivers, and the files
 * keep the sizes of older drivers next to the newest. */
#include <stdio.h>
#include <string.h>

#include "migplan/util/buf.h"
#include "profile_db_int.h"

bool mp_driver_matches(const char *have, const char *want)
{
    size_t n = strlen(want);
    if (n == 0 || strncmp(have, want, n) != 0)
        return false;
    char next = have[n];
    return next == '\0' || next == '.' || next == ',' || next == ' ' ||
           next == ';';
}

/* Add an inferred memory note to p (the arena owns the new array). */
static int mark_unseen(mp_db *db, mp_gi_profile *p, const char *driver,
                       const char *newest, mp_diag *d)
{
    if (mp_prov_inferred(&p->prov, "memory-mib"))
        return 0;
    mp_note *v = mp_arena_alloc(&db->arena,
                                (size_t)(p->prov.n_inferred + 1) * sizeof(*v));
    const char *text = mp_arena_printf(
        &db->arena,
        "no -lgip row seen with driver %s; driver %s's size is used", driver,
        newest);
    if (!v || !text)
        return mp_diag_set(d, MP_ENOMEM, NULL, 0, 0, "out of memory");
    if (p->prov.n_inferred)
        memcpy(v, p->prov.inferred, (size_t)p->prov.n_inferred * sizeof(*v));
    v[p->prov.n_inferred].field = "memory-mib";
    v[p->prov.n_inferred].text = text;
    p->prov.inferred = v;
    p->prov.n_inferred++;
    p->confirmed = false;
    return 0;
}

/* db->models[i] as a model this file may change: the built-in models are
 * read-only data, so the change goes to a copy in db's arena (the model
 * and its profiles; what they point to is shared and never written). */
static mp_model *writable(mp_db *db, int i, mp_diag *d)
{
    const mp_model *m = db->models[i];
    mp_model *c = mp_arena_alloc(&db->arena, sizeof(*c));
    mp_gi_profile *ps =
        mp_arena_alloc(&db->arena, (size_t)m->n_profiles * sizeof(*ps));
    if (!c || !ps) {
        mp_diag_set(d, MP_ENOMEM, NULL, 0, 0, "out of memory");
        return NULL;
    }
    *c = *m;
    memcpy(ps, m->profiles, (size_t)m->n_profiles * sizeof(*ps));
    c->profiles = ps;
    db->models[i] = c;
    return c;
}

/* Switch model m, a copy of writable(), to its older table t. */
static int use_table(mp_db *db, mp_model *m, int t, mp_diag *d)
{
    const char *newest = m->memory_driver;
    for (int i = 0; i < m->n_profiles; i++) {
        mp_gi_profile *p = (mp_gi_profile *)&m->profiles[i];
        const char *gib = p->older_gib ? p->older_gib[t] : NULL;
        int mib;
        if (gib && mp_gib_to_mib(gib, &mib)) {
            p->memory_mib = mib;
            p->memory_gib = gib;
            continue;
        }
        int rc = mark_unseen(db, p, m->older_drivers[t].driver, newest, d);
        if (rc)
            return rc;
    }
    m->memory_driver = m->older_drivers[t].driver;
    m->confirmed = m->prov.n_inferred == 0;
    for (int i = 0; i < m->n_devices; i++)
        m->confirmed = m->confirmed && !m->devices[i].inferred;
    for (int i = 0; i < m->n_profiles; i++)
        m->confirmed = m->confirmed && m->profiles[i].confirmed;
    return 0;
}

/* Append label to list unless it is there already. */
static void add_label(char *list, size_t n, size_t *k, const char *label)
{
    char want[128];
    snprintf(want, sizeof(want), "%s", label);
    want[strcspn(want, ",(")] = '\0'; /* "MP#187, 2025-..." -> "MP#187" */
    size_t l = strlen(want);
    while (l && want[l - 1] == ' ')
        want[--l] = '\0';
    for (const char *p = list; (p = strstr(p, want)) != NULL; p += l)
        if ((p == list || p[-1] == ' ') && (p[l] == ',' || p[l] == '\0'))
            return;
    mp_catf(list, n, k, "%s%s", *k ? ", " : "", want);
}

static int none_known(const mp_db *db, const char *driver, mp_diag *d)
{
    char list[700] = "";
    size_t k = 0;
    for (int i = 0; i < db->n; i++) {
        const mp_model *m = db->models[i];
        if (strncmp(m->memory_driver, "none", 4) != 0) /* estimates */
            add_label(list, sizeof(list), &k, m->memory_driver);
        for (int t = 0; t < m->n_older_drivers; t++)
            add_label(list, sizeof(list), &k, m->older_drivers[t].driver);
    }
    return mp_diag_set(d, MP_ENOTFOUND, NULL, 0, 0,
                       "no profile table was seen with driver '%s'; the "
                       "database has tables of: %s",
                       driver, list);
}

int mp_db_select_driver(mp_db *db, const char *driver, mp_diag *d)
{
    bool any = false;
    for (int i = 0; i < db->n; i++) {
        const mp_model *m = db->models[i];
        if (mp_driver_matches(m->memory_driver, driver)) {
            any = true;
            continue;
        }
        for (int t = 0; t < m->n_older_drivers; t++)
            if (mp_driver_matches(m->older_drivers[t].driver, driver)) {
                any = true;
                mp_model *w = writable(db, i, d);
                int rc = w ? use_table(db, w, t, d) : MP_ENOMEM;
                if (rc)
                    return rc;
                break;
            }
    }
    return any ? 0 : none_known(db, driver, d);
}
