/* SPDX-License-Identifier: Apache-2.0 */
/* profile_query.c - look-ups in the profile database (models by id, alias,
 * PCI ID or nvidia-smi name; profiles; provenance notes) and the small
 * formatting helpers every output of profile data shares. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migplan/util/buf.h"
#include "migplan/util/suggest.h"
#include "profile_db_int.h"

/* The body of a look-up: returns the first element e of arr[0..n) (of
 * type T) for which cond, an expression of e, holds, or NULL. */
#define RETURN_FIRST(T, arr, n, cond)                                          \
    for (T *e = (arr); e < (arr) + (n); e++)                                   \
        if (cond)                                                              \
            return e;                                                          \
    return NULL

static const char *const engine_names[MP_ENG_COUNT] = {"ce", "nvdec", "nvenc",
                                                       "nvjpg", "ofa"};

const char *mp_engine_name(int e)
{
    return e >= 0 && e < MP_ENG_COUNT ? engine_names[e] : "?";
}

bool mp_ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return false;
    return *a == *b;
}

bool mp_parse_pci_id(const char *s, uint32_t *out)
{
    if (!s || (s[0] != '0') || (s[1] != 'x' && s[1] != 'X'))
        return false;
    const char *h = s + 2;
    size_t n = strlen(h);
    if (n != 4 && n != 8)
        return false;
    uint32_t v = 0;
    for (size_t i = 0; i < n; i++) {
        int c = tolower((unsigned char)h[i]);
        int dg = c >= '0' && c <= '9'   ? c - '0'
                 : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                        : -1;
        if (dg < 0)
            return false;
        v = v << 4 | (uint32_t)dg;
    }
    if (n == 4)
        v = v << 16 | 0x10DEu;
    *out = v;
    return true;
}

void mp_format_placements(const mp_gi_profile *p, char *buf, size_t n)
{
    size_t k = 0;
    mp_catf(buf, n, &k, "{");
    for (int i = 0; i < p->n_placements && k < n; i++)
        mp_catf(buf, n, &k, "%s%d", i ? "," : "", p->placements[i]);
    if (k < n)
        snprintf(buf + k, n - k, "}:%d", p->memory_slices);
}

void mp_format_gib(int mib, char *buf, size_t n)
{
    snprintf(buf, n, "%.2f", (double)mib / 1024.0);
}

bool mp_gib_to_mib(const char *s, int *out)
{
    size_t len = strlen(s);
    const char *dot = strchr(s, '.');
    if (len < 4 || len > 9 || !dot || dot == s || (size_t)(dot - s) + 3 != len)
        return false;
    for (const char *q = s; *q; q++)
        if (q != dot && !isdigit((unsigned char)*q))
            return false;
    double gib = strtod(s, NULL);
    int mib = (int)lround(gib * 16.0) * 64;
    char back[32];
    mp_format_gib(mib, back, sizeof(back));
    if (strcmp(back, s) != 0 || mib <= 0)
        return false;
    *out = mib;
    return true;
}

/* The text of the note about field in v[0..n), or NULL. */
static const char *note_of(const mp_note *v, int n, const char *field)
{
    for (int i = 0; i < n; i++)
        if (strcmp(v[i].field, field) == 0)
            return v[i].text;
    return NULL;
}

const char *mp_prov_inferred(const mp_provenance *p, const char *field)
{
    return note_of(p->inferred, p->n_inferred, field);
}

const char *mp_prov_derived(const mp_provenance *p, const char *field)
{
    return note_of(p->derived, p->n_derived, field);
}

const mp_gi_profile *mp_model_profile(const mp_model *m, const char *name)
{
    RETURN_FIRST(const mp_gi_profile, m->profiles, m->n_profiles,
                 strcmp(e->name, name) == 0);
}

const mp_gi_profile *mp_model_profile_by_id(const mp_model *m, int id)
{
    RETURN_FIRST(const mp_gi_profile, m->profiles, m->n_profiles, e->id == id);
}

bool mp_gi_can_start(const mp_gi_profile *p, int start)
{
    for (int i = 0; i < p->n_placements; i++)
        if (p->placements[i] == start)
            return true;
    return false;
}

int mp_profile_index(const mp_model *m, const mp_gi_profile *p)
{
    return (int)(p - m->profiles);
}

const mp_ci_profile *mp_gi_ci(const mp_gi_profile *p, const char *name)
{
    RETURN_FIRST(const mp_ci_profile, p->cis, p->n_cis,
                 strcmp(e->name, name) == 0);
}

const mp_device *mp_model_device(const mp_model *m, uint32_t id)
{
    RETURN_FIRST(const mp_device, m->devices, m->n_devices, e->pci_id == id);
}

const char *mp_model_product(const mp_model *m, uint32_t id)
{
    const mp_device *dv = mp_model_device(m, id);
    return dv && dv->n_names ? dv->names[0] : m->name;
}

const mp_model *mp_db_find_pci(const mp_db *db, uint32_t id)
{
    for (int i = 0; i < db->n; i++)
        if (mp_model_device(db->models[i], id))
            return db->models[i];
    return NULL;
}

/* How far a query is from a model's names: edit distance, where a name
 * that merely continues the query ("h10" -> "h100") costs what it adds. */
static int name_distance(const mp_model *m, const char *q)
{
    size_t ql = strlen(q);
    int best = 99;
    for (int i = -1; i < m->n_aliases; i++) {
        const char *name = i < 0 ? m->id : m->aliases[i];
        int dd = mp_edit_distance(name, q);
        size_t nl = strlen(name);
        if (ql >= 2 && nl > ql && strncmp(name, q, ql) == 0 &&
            (int)(nl - ql) < dd)
            dd = (int)(nl - ql);
        if (dd < best)
            best = dd;
    }
    return best;
}

/* "H100 SXM5" and "h100_sxm5" mean h100-sxm5 */
static void normalise(const char *q, char *out, size_t n)
{
    size_t k = 0;
    for (; *q && k + 1 < n; q++)
        out[k++] =
            (*q == ' ' || *q == '_') ? '-' : (char)tolower((unsigned char)*q);
    out[k] = '\0';
}

bool mp_model_claims(const mp_model *m, const char *name)
{
    if (mp_ieq(m->id, name))
        return true;
    for (int i = 0; i < m->n_aliases; i++)
        if (mp_ieq(m->aliases[i], name))
            return true;
    return false;
}

static const mp_model *by_name(const mp_db *db, const char *q)
{
    for (int i = 0; i < db->n; i++)
        if (mp_model_claims(db->models[i], q))
            return db->models[i];
    return NULL;
}

/* A device whose nvidia-smi name is q (with or without "NVIDIA "). */
static const mp_device *by_product(const mp_db *db, const char *q,
                                   const mp_model **model)
{
    for (int i = 0; i < db->n; i++) {
        const mp_model *m = db->models[i];
        for (int k = 0; k < m->n_devices; k++)
            for (int j = 0; j < m->devices[k].n_names; j++) {
                const char *pn = m->devices[k].names[j];
                if (mp_ieq(pn, q) ||
                    (strncmp(pn, "NVIDIA ", 7) == 0 && mp_ieq(pn + 7, q))) {
                    *model = m;
                    return &m->devices[k];
                }
            }
    }
    return NULL;
}

const mp_excluded_device *mp_db_excluded_pci(const mp_db *db, uint32_t id,
                                             const mp_model **where)
{
    for (int i = 0; i < db->n; i++)
        for (int k = 0; k < db->models[i]->n_excluded; k++)
            if (db->models[i]->excluded[k].pci_id == id) {
                if (where)
                    *where = db->models[i];
                return &db->models[i]->excluded[k];
            }
    return NULL;
}

static int unknown_pci(const mp_db *db, uint32_t id, mp_diag *d)
{
    const mp_model *m;
    const mp_excluded_device *x = mp_db_excluded_pci(db, id, &m);
    if (x)
        return mp_diag_set(d, MP_ENOTFOUND, NULL, 0, 0,
                           "PCI device ID 0x%08X (%s) has no model: %s (%s)",
                           id, x->name, x->reason, m->file);
    return mp_diag_set(d, MP_ENOTFOUND, NULL, 0, 0,
                       "no known GPU model has PCI device ID 0x%08X; `migplan "
                       "gpus` lists the known ones, and --profiles DIR adds a "
                       "model (`migplan import-profiles` writes one)",
                       id);
}

static int not_found(const mp_db *db, const char *query, const char *norm,
                     mp_diag *d)
{
    int best[3] = {-1, -1, -1}, bestd[3] = {99, 99, 99};
    for (int i = 0; i < db->n; i++) {
        int dd = name_distance(db->models[i], norm);
        for (int k = 0; k < 3; k++)
            if (dd < bestd[k]) {
                for (int j = 2; j > k; j--) {
                    best[j] = best[j - 1];
                    bestd[j] = bestd[j - 1];
                }
                best[k] = i;
                bestd[k] = dd;
                break;
            }
    }
    char sugg[300] = "";
    size_t k = 0;
    for (int j = 0; j < 3 && best[j] >= 0; j++)
        mp_catf(sugg, sizeof(sugg), &k, "%s%s", j ? ", " : "",
                db->models[best[j]]->id);
    return mp_diag_set(d, MP_ENOTFOUND, NULL, 0, 0,
                       "unknown GPU model '%s'; closest known: %s (`migplan "
                       "gpus` lists all)",
                       query, sugg);
}

int mp_db_find_device(const mp_db *db, const char *query, const mp_model **out,
                      const mp_device **dev, mp_diag *d)
{
    const mp_device *dummy;
    if (!dev)
        dev = &dummy;
    *dev = NULL;
    if ((*out = by_name(db, query)) != NULL)
        return 0;
    char pci[64];
    snprintf(pci, sizeof(pci), "%s", query);
    char *colon = strchr(pci, ':');
    if (colon)
        *colon = '\0'; /* ignore a subsystem part */
    uint32_t id;
    if (mp_parse_pci_id(pci, &id)) {
        if ((*out = mp_db_find_pci(db, id)) == NULL)
            return unknown_pci(db, id, d);
        *dev = mp_model_device(*out, id);
        return 0;
    }
    if ((*dev = by_product(db, query, out)) != NULL)
        return 0;
    char norm[128];
    normalise(query, norm, sizeof(norm));
    if ((*out = by_name(db, norm)) != NULL)
        return 0;
    return not_found(db, query, norm, d);
}

int mp_db_find(const mp_db *db, const char *query, const mp_model **out,
               mp_diag *d)
{
    return mp_db_find_device(db, query, out, NULL, d);
}
