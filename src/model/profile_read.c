/* SPDX-License-Identifier: Apache-2.0 */
/* profile_read.c - read one profile file (schema 2) into a model: identity,
 * devices, whole-GPU facts, sources and provenance, then its profiles
 * (profile_read_gi.c), with positioned errors for anything inconsistent. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "profile_db_int.h"

#define ERR MP_LOAD_ERR

static const char *const model_fields_named[] = {
    "memory-mib",      "sms",
    "min-driver",      "architecture",
    "memory-driver",   "compute-slices",
    "placement-units", NULL};

static bool known_field(const char *const *list, const char *f)
{
    for (; *list; list++)
        if (strcmp(*list, f) == 0)
            return true;
    return false;
}

bool mp_load_has_source(const mp_model *m, const char *key)
{
    for (int i = 0; i < m->n_sources; i++)
        if (strcmp(m->sources[i].key, key) == 0)
            return true;
    return false;
}

static int read_notes(mp_loader *l, const mp_ynode *map, const char *what,
                      const char *const *fields, mp_note **out, int *n)
{
    *out = NULL;
    *n = 0;
    if (!map)
        return 0;
    if (map->kind != MP_YNODE_MAP)
        return ERR(l, map, "%s must map field names to explanations", what);
    int cnt = (int)(map->nkids / 2);
    mp_note *notes =
        mp_arena_alloc(l->a, (size_t)(cnt ? cnt : 1) * sizeof(*notes));
    if (!notes)
        return mp_schema_err(&l->c, map, MP_ENOMEM, "out of memory");
    for (int i = 0; i < cnt; i++) {
        const mp_ynode *k = map->kids[2 * i], *v = map->kids[2 * i + 1];
        int rc = mp_schema_str(&l->c, k, what, &notes[i].field);
        if (rc)
            return rc;
        if (!known_field(fields, notes[i].field))
            return ERR(l, k,
                       "%s names '%s', which is not a field that can carry "
                       "provenance",
                       what, notes[i].field);
        for (int j = 0; j < i; j++)
            if (strcmp(notes[j].field, notes[i].field) == 0)
                return ERR(l, k, "%s lists '%s' twice", what, notes[i].field);
        rc = mp_schema_str(&l->c, v, what, &notes[i].text);
        if (rc)
            return rc;
        if (!notes[i].text[0])
            return ERR(l, v, "%s.%s needs an explanation", what,
                       notes[i].field);
    }
    *out = notes;
    *n = cnt;
    return 0;
}

static int need_sources(mp_loader *l, const mp_ynode *at, mp_strlist s)
{
    for (int i = 0; i < s.n; i++)
        if (!mp_load_has_source(l->m, s.v[i]))
            return ERR(l, at,
                       "source '%s' is not defined in this file's 'sources' "
                       "map",
                       s.v[i]);
    return 0;
}

int mp_load_prov(mp_loader *l, const mp_ynode *at, mp_strlist sources,
                 const mp_ynode *derived, const mp_ynode *inferred,
                 const char *const *fields, mp_provenance *p)
{
    p->sources = sources.v;
    p->n_sources = sources.n;
    int rc = need_sources(l, at, sources);
    if (!rc)
        rc = read_notes(l, derived, "derived", fields, &p->derived,
                        &p->n_derived);
    if (!rc)
        rc = read_notes(l, inferred, "inferred", fields, &p->inferred,
                        &p->n_inferred);
    if (rc)
        return rc;
    for (int i = 0; i < p->n_derived; i++)
        if (mp_prov_inferred(p, p->derived[i].field))
            return ERR(l, derived, "'%s' is marked both derived and inferred",
                       p->derived[i].field);
    return 0;
}

static int read_sources(mp_loader *l, const mp_ynode *n)
{
    if (!n || n->kind != MP_YNODE_MAP || n->nkids == 0)
        return ERR(l, n,
                   "sources must map short keys (e.g. T-H100) to what and "
                   "where each source is");
    int cnt = (int)(n->nkids / 2);
    mp_source *s = mp_arena_alloc(l->a, (size_t)cnt * sizeof(*s));
    if (!s)
        return mp_schema_err(&l->c, n, MP_ENOMEM, "out of memory");
    for (int i = 0; i < cnt; i++) {
        int rc = mp_schema_str(&l->c, n->kids[2 * i], "source key", &s[i].key);
        if (!rc)
            rc = mp_schema_str(&l->c, n->kids[2 * i + 1], "source", &s[i].text);
        if (rc)
            return rc;
        for (int j = 0; j < i; j++)
            if (strcmp(s[j].key, s[i].key) == 0)
                return ERR(l, n->kids[2 * i], "source '%s' defined twice",
                           s[i].key);
    }
    l->m->sources = s;
    l->m->n_sources = cnt;
    return 0;
}

static bool valid_id(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) ||
              *s == '-'))
            return false;
    return true;
}

static int read_pci(mp_loader *l, const mp_ynode *at, const char *s,
                    uint32_t *out)
{
    if (strlen(s) != 10 || !mp_parse_pci_id(s, out))
        return ERR(l, at,
                   "PCI device ID '%s' must be written as mig-parted does: "
                   "0xDDDD10DE",
                   s);
    return 0;
}

typedef struct device_raw {
    const char *pci, *inferred;
    mp_strlist names, sources;
} device_raw;

static int read_device(mp_loader *l, const mp_ynode *n, mp_device *dv)
{
    static const mp_field f[] = {
        {"pci-id", MP_F_STR, true, offsetof(device_raw, pci), 0, 0},
        {"names", MP_F_STRLIST, false, offsetof(device_raw, names), 0, 0},
        {"sources", MP_F_STRLIST, false, offsetof(device_raw, sources), 0, 0},
        {"inferred", MP_F_STR, false, offsetof(device_raw, inferred), 0, 0},
    };
    device_raw r = {0};
    int rc = mp_schema_read(&l->c, n, "device", f, sizeof(f) / sizeof(f[0]), &r,
                            NULL);
    if (!rc)
        rc = read_pci(l, mp_ymap_get(n, "pci-id", NULL), r.pci, &dv->pci_id);
    if (!rc)
        rc = need_sources(l, n, r.sources);
    if (rc)
        return rc;
    if (!r.sources.n && !r.inferred)
        return ERR(l, n, "device %s needs sources or an inferred note", r.pci);
    if (!r.names.n && !r.inferred)
        return ERR(l, n,
                   "device %s has no names; add the names nvidia-smi prints "
                   "for it, or inferred: saying why none is known",
                   r.pci);
    dv->names = r.names.v;
    dv->n_names = r.names.n;
    dv->sources = r.sources.v;
    dv->n_sources = r.sources.n;
    dv->inferred = r.inferred;
    return 0;
}

/* devices: the PCI IDs with their names; fills pci_ids and product_names. */
static int read_devices(mp_loader *l, const mp_ynode *n)
{
    mp_model *m = l->m;
    int rc = mp_schema_need_seq(&l->c, n, "devices");
    if (rc)
        return rc;
    if (n->nkids == 0 || n->nkids > 64)
        return ERR(l, n,
                   "devices lists between 1 and 64 PCI device IDs, e.g. "
                   "[{pci-id: \"0x233010DE\", names: [\"NVIDIA H100 80GB "
                   "HBM3\"]}]");
    int cnt = (int)n->nkids, names = 0;
    mp_device *dv = mp_arena_alloc(l->a, (size_t)cnt * sizeof(*dv));
    uint32_t *ids = mp_arena_alloc(l->a, (size_t)cnt * sizeof(*ids));
    if (!dv || !ids)
        return mp_schema_err(&l->c, n, MP_ENOMEM, "out of memory");
    for (int i = 0; i < cnt; i++) {
        rc = read_device(l, n->kids[i], &dv[i]);
        if (rc)
            return rc;
        ids[i] = dv[i].pci_id;
        for (int j = 0; j < i; j++)
            if (ids[j] == ids[i])
                return ERR(l, n->kids[i], "PCI device ID 0x%08X listed twice",
                           ids[i]);
        names += dv[i].n_names;
    }
    const char **pn = mp_arena_alloc(l->a, (size_t)(names + 1) * sizeof(*pn));
    if (!pn)
        return mp_schema_err(&l->c, n, MP_ENOMEM, "out of memory");
    int k = 0;
    for (int i = 0; i < cnt; i++)
        for (int j = 0; j < dv[i].n_names; j++)
            pn[k++] = dv[i].names[j];
    m->devices = dv;
    m->n_devices = cnt;
    m->pci_ids = ids;
    m->n_pci_ids = cnt;
    m->product_names = pn;
    m->n_product_names = k;
    return 0;
}

/* An optional list of the model: its key, at most `most` entries (`items`
 * names them in the refusal of a longer list), each read by `read` into
 * entry i of an arena array of entries of `size` bytes (0..i-1 read). */
typedef struct list_spec {
    const char *key;
    size_t most;
    const char *items;
    size_t size;
    int (*read)(mp_loader *l, const mp_ynode *n, void *items, size_t i);
} list_spec;

/* Read the list n as spec says into *out (NULL when n is absent) and
 * *count entries. */
static int read_list(mp_loader *l, const mp_ynode *n, const list_spec *spec,
                     void **out, int *count)
{
    *out = NULL;
    *count = 0;
    if (!n)
        return 0;
    int rc = mp_schema_need_seq(&l->c, n, spec->key);
    if (rc)
        return rc;
    if (n->nkids > spec->most)
        return ERR(l, n, "more than %zu %s", spec->most, spec->items);
    void *v = mp_arena_alloc(l->a, (n->nkids + 1) * spec->size);
    if (!v)
        return mp_schema_err(&l->c, n, MP_ENOMEM, "out of memory");
    for (size_t i = 0; i < n->nkids; i++)
        if ((rc = spec->read(l, n->kids[i], v, i)) != 0)
            return rc;
    *out = v;
    *count = (int)n->nkids;
    return 0;
}

typedef struct excluded_raw {
    const char *pci, *name, *reason;
} excluded_raw;

static int read_excluded(mp_loader *l, const mp_ynode *n, void *items, size_t i)
{
    static const mp_field f[] = {
        {"pci-id", MP_F_STR, true, offsetof(excluded_raw, pci), 0, 0},
        {"name", MP_F_STR, true, offsetof(excluded_raw, name), 0, 0},
        {"reason", MP_F_STR, true, offsetof(excluded_raw, reason), 0, 0},
    };
    mp_excluded_device *x = (mp_excluded_device *)items + i;
    excluded_raw r = {0};
    int rc = mp_schema_read(&l->c, n, "excluded device", f,
                            sizeof(f) / sizeof(f[0]), &r, NULL);
    if (!rc)
        rc = read_pci(l, mp_ymap_get(n, "pci-id", NULL), r.pci, &x->pci_id);
    if (rc)
        return rc;
    if (mp_model_device(l->m, x->pci_id))
        return ERR(l, n, "PCI device ID %s is both a device and excluded",
                   r.pci);
    x->name = r.name;
    x->reason = r.reason;
    return 0;
}

static const list_spec excluded_list = {
    "excluded-devices", 64, "excluded devices", sizeof(mp_excluded_device),
    read_excluded};

typedef struct older_raw {
    const char *driver, *note;
} older_raw;

static int read_older_driver(mp_loader *l, const mp_ynode *n, void *items,
                             size_t i)
{
    static const mp_field f[] = {
        {"driver", MP_F_STR, true, offsetof(older_raw, driver), 0, 0},
        {"note", MP_F_STR, false, offsetof(older_raw, note), 0, 0},
    };
    mp_driver_table *t = items;
    older_raw r = {0};
    int rc = mp_schema_read(&l->c, n, "older driver", f,
                            sizeof(f) / sizeof(f[0]), &r, NULL);
    if (rc)
        return rc;
    if (!r.driver[0] || strcmp(r.driver, l->m->memory_driver) == 0)
        return ERR(l, n,
                   "an older driver needs a version (or source key) "
                   "other than memory-driver's");
    for (size_t j = 0; j < i; j++)
        if (strcmp(t[j].driver, r.driver) == 0)
            return ERR(l, n, "driver '%s' listed twice", r.driver);
    t[i].driver = r.driver;
    t[i].note = r.note;
    return 0;
}

static const list_spec older_list = {"older-drivers", 16, "older drivers",
                                     sizeof(mp_driver_table),
                                     read_older_driver};

typedef struct model_raw {
    long long schema, mib, sms, units, cslices;
    const char *id, *name, *arch, *min_driver, *memory_driver, *total_driver,
        *notes;
    mp_strlist aliases;
    const mp_ynode *devices, *excluded, *older, *sources, *prov, *cis,
        *profiles;
} model_raw;

static int read_identity(mp_loader *l, const mp_ynode *root, model_raw *r)
{
    mp_model *m = l->m;
    if (!valid_id(r->id))
        return ERR(l, mp_ymap_get(root, "id", NULL),
                   "id '%s' must be lowercase letters, digits and dashes",
                   r->id);
    m->id = r->id;
    m->name = r->name;
    m->architecture = r->arch;
    m->memory_mib = (int)r->mib;
    m->memory_total_driver = r->total_driver;
    m->sms = (int)r->sms;
    m->units = (int)r->units;
    m->compute_slices = (int)r->cslices;
    m->min_driver = r->min_driver;
    m->memory_driver = r->memory_driver;
    m->notes = r->notes;
    m->aliases = r->aliases.v;
    m->n_aliases = r->aliases.n;
    for (int i = 0; i < m->n_aliases; i++)
        if (!valid_id(m->aliases[i]))
            return ERR(l, mp_ymap_get(root, "aliases", NULL),
                       "alias '%s' must be lowercase letters, digits and "
                       "dashes",
                       m->aliases[i]);
    void *excluded = NULL, *older = NULL;
    int rc = read_sources(l, r->sources);
    if (!rc)
        rc = read_devices(l, r->devices);
    if (!rc)
        rc = read_list(l, r->excluded, &excluded_list, &excluded,
                       &m->n_excluded);
    if (!rc)
        rc = read_list(l, r->older, &older_list, &older, &m->n_older_drivers);
    if (rc)
        return rc;
    m->excluded = excluded;
    m->older_drivers = older;
    for (int i = 0; i < m->n_product_names; i++)
        if (strcmp(m->product_names[i], m->name) == 0)
            return 0;
    return ERR(l, mp_ymap_get(root, "name", NULL),
               "name '%s' is none of the devices' names; name the model as "
               "nvidia-smi prints one of its devices",
               m->name);
}

static int read_model_prov(mp_loader *l, const mp_ynode *root,
                           const mp_ynode *prov)
{
    typedef struct prov_raw {
        mp_strlist sources;
        const mp_ynode *derived, *inferred;
    } prov_raw;
    static const mp_field pf[] = {
        {"sources", MP_F_STRLIST, true, offsetof(prov_raw, sources), 0, 0},
        {"derived", MP_F_NODE, false, offsetof(prov_raw, derived), 0, 0},
        {"inferred", MP_F_NODE, false, offsetof(prov_raw, inferred), 0, 0},
    };
    prov_raw pr = {0};
    int rc = mp_schema_read(&l->c, prov, "provenance", pf,
                            sizeof(pf) / sizeof(pf[0]), &pr, NULL);
    if (!rc)
        rc = mp_load_prov(l, prov, pr.sources, pr.derived, pr.inferred,
                          model_fields_named, &l->m->prov);
    if (rc)
        return rc;
    if (l->m->sms < 0 && !mp_prov_inferred(&l->m->prov, "sms"))
        return ERR(l, root,
                   "no sms given; add provenance inferred: {sms: \"...\"} "
                   "saying why it is unknown");
    return 0;
}

static int read_profiles(mp_loader *l, const mp_ynode *list,
                         const mp_ci_group *groups, int ngroups)
{
    mp_model *m = l->m;
    int rc = mp_schema_need_seq(&l->c, list, "profiles");
    if (rc)
        return rc;
    if (list->nkids == 0 || list->nkids > MP_MAX_PROFILES)
        return ERR(l, list, "a model has between 1 and %d profiles",
                   MP_MAX_PROFILES);
    mp_gi_profile *ps = mp_arena_alloc(l->a, list->nkids * sizeof(*ps));
    if (!ps)
        return mp_schema_err(&l->c, list, MP_ENOMEM, "out of memory");
    bool all_confirmed = m->prov.n_inferred == 0;
    for (int i = 0; i < m->n_devices; i++)
        all_confirmed = all_confirmed && !m->devices[i].inferred;
    for (size_t i = 0; i < list->nkids; i++) {
        rc = mp_load_profile(l, list->kids[i], groups, ngroups, &ps[i]);
        if (rc)
            return rc;
        for (size_t j = 0; j < i; j++) {
            if (ps[j].id == ps[i].id)
                return ERR(l, list->kids[i],
                           "profile ID %d is used by %s and %s; IDs are unique "
                           "per GPU",
                           ps[i].id, ps[j].name, ps[i].name);
            if (strcmp(ps[j].name, ps[i].name) == 0)
                return ERR(l, list->kids[i], "profile %s is listed twice",
                           ps[i].name);
        }
        all_confirmed = all_confirmed && ps[i].confirmed;
    }
    m->profiles = ps;
    m->n_profiles = (int)list->nkids;
    m->confirmed = all_confirmed;
    return 0;
}

int mp_load_model(mp_loader *l, const mp_ynode *root)
{
#define F(...) MP_FIELD(model_raw, __VA_ARGS__)
    static const mp_field f[] = {
        F("schema", MP_F_INT, true, schema, 1, 99),
        F("id", MP_F_STR, true, id, 0, 0),
        F("name", MP_F_STR, true, name, 0, 0),
        F("aliases", MP_F_STRLIST, false, aliases, 0, 0),
        F("devices", MP_F_NODE, true, devices, 0, 0),
        F("excluded-devices", MP_F_NODE, false, excluded, 0, 0),
        F("architecture", MP_F_STR, true, arch, 0, 0),
        F("memory-mib", MP_F_INT, true, mib, 1024, 16777216),
        F("memory-total-driver", MP_F_STR, false, total_driver, 0, 0),
        F("sms", MP_F_INT, false, sms, 1, 100000),
        F("placement-units", MP_F_INT, true, units, 1, MP_MAX_UNITS),
        F("compute-slices", MP_F_INT, true, cslices, 1, 16),
        F("min-driver", MP_F_STR, true, min_driver, 0, 0),
        F("memory-driver", MP_F_STR, true, memory_driver, 0, 0),
        F("older-drivers", MP_F_NODE, false, older, 0, 0),
        F("sources", MP_F_NODE, true, sources, 0, 0),
        F("provenance", MP_F_NODE, true, prov, 0, 0),
        F("compute-instances", MP_F_NODE, false, cis, 0, 0),
        F("profiles", MP_F_NODE, true, profiles, 0, 0),
        F("notes", MP_F_STR, false, notes, 0, 0),
    };
#undef F
    const mp_ynode *sv = mp_ymap_get(root, "schema", NULL);
    if (sv && sv->kind == MP_YNODE_SCALAR && strcmp(sv->str, "1") == 0)
        return ERR(l, sv,
                   "schema 1 profile files are no longer read: replace "
                   "pci-device-ids and product-names by devices: [{pci-id: "
                   "\"0x233010DE\", names: [\"NVIDIA H100 80GB HBM3\"], "
                   "sources: [...]}] and write schema: 2");
    model_raw r = {0};
    r.sms = -1;
    int rc = mp_schema_read(&l->c, root, "GPU model file", f,
                            sizeof(f) / sizeof(f[0]), &r, NULL);
    if (rc)
        return rc;
    if (r.schema != 2)
        return ERR(l, sv, "schema must be 2 (the version this migplan reads)");
    rc = read_identity(l, root, &r);
    if (!rc)
        rc = read_model_prov(l, root, r.prov);
    mp_ci_group groups[16];
    int ngroups = 0;
    if (!rc)
        rc = mp_load_ci_groups(l, r.cis, groups, 16, &ngroups);
    if (!rc)
        rc = read_profiles(l, r.profiles, groups, ngroups);
    return rc;
}
