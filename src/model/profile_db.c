/* profile_db.c - load, validate and look up the MIG profile database. */
#include "migplan/util/buf.h"
#include "migplan/model/profile_db.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migplan/util/arena.h"
#include "migplan/model/profname.h"
#include "migplan/yaml/ydoc.h"
#include "profiles_embedded.h"
#include "migplan/yaml/schema.h"

struct mp_db {
    mp_arena arena;
    mp_model **models;
    int n, cap;
};

static const char *const engine_names[MP_ENG_COUNT] = {"ce", "nvdec", "nvenc",
                                                       "nvjpg", "ofa"};

const char *mp_engine_name(int e)
{
    return e >= 0 && e < MP_ENG_COUNT ? engine_names[e] : "?";
}

/* ------------------------------------------------------------- helpers */

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

const char *mp_prov_inferred(const mp_provenance *p, const char *field)
{
    for (int i = 0; i < p->n_inferred; i++)
        if (strcmp(p->inferred[i].field, field) == 0)
            return p->inferred[i].text;
    return NULL;
}

const char *mp_prov_derived(const mp_provenance *p, const char *field)
{
    for (int i = 0; i < p->n_derived; i++)
        if (strcmp(p->derived[i].field, field) == 0)
            return p->derived[i].text;
    return NULL;
}

const mp_gi_profile *mp_model_profile(const mp_model *m, const char *name)
{
    for (int i = 0; i < m->n_profiles; i++)
        if (strcmp(m->profiles[i].name, name) == 0)
            return &m->profiles[i];
    return NULL;
}

int mp_profile_index(const mp_model *m, const mp_gi_profile *p)
{
    return (int)(p - m->profiles);
}

const mp_ci_profile *mp_gi_ci(const mp_gi_profile *p, const char *name)
{
    for (int i = 0; i < p->n_cis; i++)
        if (strcmp(p->cis[i].name, name) == 0)
            return &p->cis[i];
    return NULL;
}

/* ------------------------------------------------------------- loading */

typedef struct loader {
    mp_schema_ctx c;
    mp_arena *a;
    mp_model *m;
} loader;

#define ERR(l, node, ...)                                                      \
    mp_schema_err(&(l)->c, (node), MP_ESCHEMA, __VA_ARGS__)

static const char *const profile_fields_named[] = {"name",
                                                   "id",
                                                   "compute-slices",
                                                   "memory-slices",
                                                   "memory-gib",
                                                   "memory-mib",
                                                   "sms",
                                                   "engines",
                                                   "max-instances",
                                                   "placements",
                                                   "min-driver",
                                                   "compute-instances",
                                                   NULL};

static const char *const model_fields_named[] = {
    "memory-mib",    "sms",          "min-driver", "pci-device-ids",
    "product-names", "architecture", NULL};

static bool known_field(const char *const *list, const char *f)
{
    for (; *list; list++)
        if (strcmp(*list, f) == 0)
            return true;
    return false;
}

static bool has_source(const mp_model *m, const char *key)
{
    for (int i = 0; i < m->n_sources; i++)
        if (strcmp(m->sources[i].key, key) == 0)
            return true;
    return false;
}

static int read_notes(loader *l, const mp_ynode *map, const char *what,
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
                       "%s names '%s', which is not a field that can "
                       "carry provenance",
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

static int read_prov(loader *l, const mp_ynode *at, mp_strlist sources,
                     const mp_ynode *derived, const mp_ynode *inferred,
                     const char *const *fields, mp_provenance *p)
{
    p->sources = sources.v;
    p->n_sources = sources.n;
    for (int i = 0; i < sources.n; i++)
        if (!has_source(l->m, sources.v[i]))
            return ERR(l, at,
                       "source '%s' is not defined in this file's "
                       "'sources' map",
                       sources.v[i]);
    int rc =
        read_notes(l, derived, "derived", fields, &p->derived, &p->n_derived);
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

/* "{0,2,4}:2" */
static int parse_placements(loader *l, const mp_ynode *n, const char *s,
                            mp_gi_profile *p)
{
    const char *q = s;
    if (*q++ != '{')
        goto bad;
    int cnt = 0;
    for (;;) {
        if (!isdigit((unsigned char)*q))
            goto bad;
        long v = 0;
        while (isdigit((unsigned char)*q) && v < 1000)
            v = v * 10 + (*q++ - '0');
        if (cnt == MP_MAX_UNITS)
            return ERR(l, n, "more than %d placements", MP_MAX_UNITS);
        p->placements[cnt++] = (int)v;
        if (*q == ',') {
            q++;
            continue;
        }
        if (*q == '}')
            break;
        goto bad;
    }
    q++;
    if (*q++ != ':' || !isdigit((unsigned char)*q))
        goto bad;
    long size = 0;
    while (isdigit((unsigned char)*q) && size < 1000)
        size = size * 10 + (*q++ - '0');
    if (*q)
        goto bad;
    p->n_placements = cnt;
    if (size != p->memory_slices)
        return ERR(l, n,
                   "placement size %ld differs from memory-slices %d; "
                   "a GPU instance occupies exactly its memory slices",
                   size, p->memory_slices);
    return 0;
bad:
    return ERR(l, n,
               "placements must look like nvidia-smi mig -lgipp "
               "prints them, e.g. \"{0,2,4}:2\", not \"%s\"",
               s);
}

/* Largest number of non-overlapping placements (greedy by start is optimal
 * for equal-length intervals). */
static int max_disjoint(const mp_gi_profile *p)
{
    int cnt = 0, end = -1;
    for (int i = 0; i < p->n_placements; i++)
        if (p->placements[i] >= end) {
            cnt++;
            end = p->placements[i] + p->memory_slices;
        }
    return cnt;
}

typedef struct ci_group {
    long long gi;
    const mp_ynode *profiles;
    mp_strlist sources;
    const char *inferred;
    const mp_ynode *at;
} ci_group;

typedef struct ci_raw {
    long long c, id, max;
    bool is_default;
    const char *inferred;
} ci_raw;

static int read_ci_list(loader *l, const mp_ynode *list, const char *gi_name,
                        int gi_slices, const char *group_inferred,
                        const mp_ci_profile **out, int *nout)
{
    static const mp_field f[] = {
        {"c", MP_F_INT, true, offsetof(ci_raw, c), 1, 16},
        {"id", MP_F_INT, true, offsetof(ci_raw, id), -1, 255},
        {"max", MP_F_INT, true, offsetof(ci_raw, max), 1, 16},
        {"default", MP_F_BOOL, false, offsetof(ci_raw, is_default), 0, 0},
        {"inferred", MP_F_STR, false, offsetof(ci_raw, inferred), 0, 0},
    };
    int rc = mp_schema_need_seq(&l->c, list, "compute-instances profiles");
    if (rc)
        return rc;
    if (list->nkids == 0 || list->nkids > MP_MAX_CI)
        return ERR(l, list,
                   "a GI offers between 1 and %d compute-instance "
                   "profiles",
                   MP_MAX_CI);
    mp_ci_profile *cis = mp_arena_alloc(l->a, list->nkids * sizeof(*cis));
    if (!cis)
        return mp_schema_err(&l->c, list, MP_ENOMEM, "out of memory");
    int defaults = 0;
    for (size_t i = 0; i < list->nkids; i++) {
        ci_raw r = {0};
        rc = mp_schema_read(&l->c, list->kids[i], "compute-instance profile", f,
                            sizeof(f) / sizeof(f[0]), &r, NULL);
        if (rc)
            return rc;
        if (r.c > gi_slices)
            return ERR(l, list->kids[i],
                       "a %lldc compute instance cannot fit "
                       "a %d-slice GI",
                       r.c, gi_slices);
        if (r.c * r.max > gi_slices)
            return ERR(l, list->kids[i],
                       "%lld x %lldc exceeds the GI's %d "
                       "compute slices",
                       r.max, r.c, gi_slices);
        mp_ci_profile *ci = &cis[i];
        ci->compute_slices = (int)r.c;
        ci->id = (int)r.id;
        ci->max_per_gi = (int)r.max;
        ci->is_default = r.is_default;
        ci->inferred = r.inferred ? r.inferred : group_inferred;
        ci->name = r.c == gi_slices
                       ? gi_name
                       : mp_arena_printf(l->a, "%lldc.%s", r.c, gi_name);
        if (!ci->name)
            return mp_schema_err(&l->c, list, MP_ENOMEM, "out of memory");
        for (size_t j = 0; j < i; j++)
            if (cis[j].compute_slices == ci->compute_slices)
                return ERR(l, list->kids[i], "two %lldc entries for one GI",
                           r.c);
        defaults += r.is_default;
    }
    if (defaults != 1)
        return ERR(l, list,
                   "exactly one compute-instance profile per GI must "
                   "be marked default: true (the one -C creates)");
    *out = cis;
    *nout = (int)list->nkids;
    return 0;
}

typedef struct profile_raw {
    const char *name;
    long long id, cslices, mslices, mib, sms, max;
    const mp_ynode *gib, *engines, *cis, *derived, *inferred;
    const char *placements, *min_driver;
    mp_strlist sources;
} profile_raw;

static int read_engines(loader *l, const mp_ynode *n, int *eng)
{
    long long v[MP_ENG_COUNT] = {0};
    const mp_field f[] = {
        {"ce", MP_F_INT, true, 0 * sizeof(long long), 0, 64},
        {"nvdec", MP_F_INT, true, 1 * sizeof(long long), 0, 64},
        {"nvenc", MP_F_INT, true, 2 * sizeof(long long), 0, 64},
        {"nvjpg", MP_F_INT, true, 3 * sizeof(long long), 0, 64},
        {"ofa", MP_F_INT, true, 4 * sizeof(long long), 0, 64},
    };
    int rc = mp_schema_read(&l->c, n, "engines map", f, MP_ENG_COUNT, v, NULL);
    for (int e = 0; !rc && e < MP_ENG_COUNT; e++)
        eng[e] = (int)v[e];
    return rc;
}

static unsigned flags_from_name(const mp_profname *pn, bool *ok)
{
    *ok = true;
    if (!pn->sign)
        return 0;
    if (pn->sign == '+' && strcmp(pn->attrs, "me") == 0)
        return MP_GI_MEDIA;
    if (pn->sign == '+' && strcmp(pn->attrs, "me.all") == 0)
        return MP_GI_MEDIA | MP_GI_MEDIA_ALL;
    if (pn->sign == '+' && strcmp(pn->attrs, "gfx") == 0)
        return MP_GI_GFX;
    if (pn->sign == '-' && strcmp(pn->attrs, "me") == 0)
        return MP_GI_NO_MEDIA;
    *ok = false;
    return 0;
}

static int read_profile(loader *l, const mp_ynode *n, const ci_group *groups,
                        int ngroups, mp_gi_profile *p)
{
    static const mp_field f[] = {
        {"name", MP_F_STR, true, offsetof(profile_raw, name), 0, 0},
        {"id", MP_F_INT, true, offsetof(profile_raw, id), 0, 255},
        {"compute-slices", MP_F_INT, true, offsetof(profile_raw, cslices), 1,
         16},
        {"memory-slices", MP_F_INT, true, offsetof(profile_raw, mslices), 1,
         16},
        {"memory-gib", MP_F_NODE, false, offsetof(profile_raw, gib), 0, 0},
        {"memory-mib", MP_F_INT, true, offsetof(profile_raw, mib), 1, 16777216},
        {"sms", MP_F_INT, false, offsetof(profile_raw, sms), 1, 100000},
        {"engines", MP_F_NODE, true, offsetof(profile_raw, engines), 0, 0},
        {"max-instances", MP_F_INT, true, offsetof(profile_raw, max), 1, 16},
        {"placements", MP_F_STR, true, offsetof(profile_raw, placements), 0, 0},
        {"min-driver", MP_F_STR, false, offsetof(profile_raw, min_driver), 0,
         0},
        {"compute-instances", MP_F_NODE, false, offsetof(profile_raw, cis), 0,
         0},
        {"sources", MP_F_STRLIST, true, offsetof(profile_raw, sources), 0, 0},
        {"derived", MP_F_NODE, false, offsetof(profile_raw, derived), 0, 0},
        {"inferred", MP_F_NODE, false, offsetof(profile_raw, inferred), 0, 0},
    };
    profile_raw r = {0};
    r.sms = -1;
    int rc = mp_schema_read(&l->c, n, "profile", f, sizeof(f) / sizeof(f[0]),
                            &r, NULL);
    if (rc)
        return rc;
    const mp_ynode *name_node = mp_ymap_get(n, "name", NULL);
    mp_profname pn;
    char why[300], canon[80];
    if (!mp_profname_parse(r.name, strlen(r.name), &pn, why, sizeof(why)))
        return ERR(l, name_node, "profile name: %s", why);
    mp_profname_format(&pn, canon, sizeof(canon));
    if (pn.ci_form || strcmp(canon, r.name) != 0)
        return ERR(l, name_node,
                   "'%s' is not a canonical GPU-instance profile "
                   "name; write %s",
                   r.name, canon);
    bool flags_ok;
    p->flags = flags_from_name(&pn, &flags_ok);
    if (!flags_ok)
        return ERR(l, name_node,
                   "unknown profile suffix '%c%s'; known: +me, "
                   "+me.all, +gfx, -me",
                   pn.sign, pn.attrs);
    if (pn.g != r.cslices)
        return ERR(l, name_node, "the name says %dg but compute-slices is %lld",
                   pn.g, r.cslices);
    p->name = r.name;
    p->id = (int)r.id;
    p->compute_slices = (int)r.cslices;
    p->memory_slices = (int)r.mslices;
    p->memory_mib = (int)r.mib;
    p->sms = (int)r.sms;
    p->max_instances = (int)r.max;
    p->min_driver = r.min_driver;
    p->line = n->line;
    if (p->compute_slices > l->m->compute_slices)
        return ERR(l, mp_ymap_get(n, "compute-slices", NULL),
                   "compute-slices %d is over the GPU's %d", p->compute_slices,
                   l->m->compute_slices);
    if (p->memory_slices > l->m->units)
        return ERR(l, mp_ymap_get(n, "memory-slices", NULL),
                   "memory-slices %d is over the GPU's %d placement units",
                   p->memory_slices, l->m->units);
    if (p->memory_mib > l->m->memory_mib)
        return ERR(l, mp_ymap_get(n, "memory-mib", NULL),
                   "memory-mib %d is more than the whole GPU's %d",
                   p->memory_mib, l->m->memory_mib);
    rc = read_engines(l, r.engines, p->engines);
    if (rc)
        return rc;
    const mp_ynode *pl_node = mp_ymap_get(n, "placements", NULL);
    rc = parse_placements(l, pl_node, r.placements, p);
    if (rc)
        return rc;
    for (int i = 0; i < p->n_placements; i++) {
        if (i > 0 && p->placements[i] <= p->placements[i - 1])
            return ERR(l, pl_node,
                       "placement starts must be ascending and "
                       "distinct");
        if (p->placements[i] + p->memory_slices > l->m->units)
            return ERR(l, pl_node,
                       "placement %d:%d runs past the GPU's %d "
                       "placement units",
                       p->placements[i], p->memory_slices, l->m->units);
    }
    int disjoint = max_disjoint(p);
    if (p->max_instances > disjoint)
        return ERR(l, mp_ymap_get(n, "max-instances", NULL),
                   "max-instances %d is more than the %d non-overlapping "
                   "placements %s allows",
                   p->max_instances, disjoint, r.placements);
    if (r.gib) {
        if (r.gib->kind != MP_YNODE_SCALAR)
            return ERR(l, r.gib, "memory-gib must be a number like 9.75");
        char want[32];
        mp_format_gib(p->memory_mib, want, sizeof(want));
        if (strcmp(want, r.gib->str) != 0)
            return ERR(l, r.gib,
                       "memory-gib %s does not match memory-mib %d "
                       "(which -lgip would print as %s)",
                       r.gib->str, p->memory_mib, want);
        p->memory_gib = mp_arena_strdup(l->a, r.gib->str);
    }
    rc = read_prov(l, n, r.sources, r.derived, r.inferred, profile_fields_named,
                   &p->prov);
    if (rc)
        return rc;
    if (r.sources.n == 0)
        return ERR(l, n, "profile %s names no source; every number needs one",
                   p->name);
    if (p->sms < 0 && !mp_prov_inferred(&p->prov, "sms"))
        return ERR(l, n,
                   "profile %s has no sms; add inferred: {sms: \"...\"} "
                   "saying why it is unknown",
                   p->name);
    if (!r.gib && !mp_prov_inferred(&p->prov, "memory-mib"))
        return ERR(l, n,
                   "profile %s gives no memory-gib; a memory-mib without "
                   "a -lgip value must be marked inferred",
                   p->name);
    p->confirmed = p->prov.n_inferred == 0;
    /* compute instances: own list, else the model's table for this size */
    if (r.cis) {
        rc = read_ci_list(l, r.cis, p->name, p->compute_slices, NULL, &p->cis,
                          &p->n_cis);
        if (rc)
            return rc;
    } else {
        const ci_group *g = NULL;
        for (int i = 0; i < ngroups; i++)
            if (groups[i].gi == p->compute_slices)
                g = &groups[i];
        if (!g)
            return ERR(l, n,
                       "no compute-instances table for %d-slice GIs; "
                       "add one at the top level",
                       p->compute_slices);
        rc = read_ci_list(l, g->profiles, p->name, p->compute_slices,
                          g->inferred, &p->cis, &p->n_cis);
        if (rc)
            return rc;
    }
    return 0;
}

static int read_sources(loader *l, const mp_ynode *n)
{
    if (!n || n->kind != MP_YNODE_MAP || n->nkids == 0)
        return ERR(l, n,
                   "sources must map short keys (e.g. T-H100) to what "
                   "and where each source is");
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

static int read_ci_groups(loader *l, const mp_ynode *n, ci_group *groups,
                          int *ngroups)
{
    static const mp_field f[] = {
        {"gi", MP_F_INT, true, offsetof(ci_group, gi), 1, 16},
        {"profiles", MP_F_NODE, true, offsetof(ci_group, profiles), 0, 0},
        {"sources", MP_F_STRLIST, false, offsetof(ci_group, sources), 0, 0},
        {"inferred", MP_F_STR, false, offsetof(ci_group, inferred), 0, 0},
    };
    *ngroups = 0;
    if (!n)
        return 0;
    int rc = mp_schema_need_seq(&l->c, n, "compute-instances");
    if (rc)
        return rc;
    if (n->nkids > 16)
        return ERR(l, n, "too many compute-instances groups");
    for (size_t i = 0; i < n->nkids; i++) {
        ci_group *g = &groups[i];
        memset(g, 0, sizeof(*g));
        rc = mp_schema_read(&l->c, n->kids[i], "compute-instances group", f,
                            sizeof(f) / sizeof(f[0]), g, NULL);
        if (rc)
            return rc;
        g->at = n->kids[i];
        for (int s = 0; s < g->sources.n; s++)
            if (!has_source(l->m, g->sources.v[s]))
                return ERR(l, n->kids[i],
                           "source '%s' is not defined in "
                           "'sources'",
                           g->sources.v[s]);
        if (!g->sources.n && !g->inferred)
            return ERR(l, n->kids[i],
                       "a compute-instances group needs "
                       "sources or an inferred note");
        for (size_t j = 0; j < i; j++)
            if (groups[j].gi == g->gi)
                return ERR(l, n->kids[i],
                           "two compute-instances groups for "
                           "gi %lld",
                           g->gi);
    }
    *ngroups = (int)n->nkids;
    return 0;
}

typedef struct model_raw {
    long long schema, mib, sms, units, cslices;
    const char *id, *name, *arch, *min_driver, *memory_driver, *notes;
    mp_strlist product_names, aliases, pci;
    const mp_ynode *sources, *prov, *cis, *profiles;
} model_raw;

typedef struct prov_raw {
    mp_strlist sources;
    const mp_ynode *derived, *inferred;
} prov_raw;

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

static int read_model(loader *l, const mp_ynode *root)
{
    static const mp_field f[] = {
        {"schema", MP_F_INT, true, offsetof(model_raw, schema), 1, 1},
        {"id", MP_F_STR, true, offsetof(model_raw, id), 0, 0},
        {"name", MP_F_STR, true, offsetof(model_raw, name), 0, 0},
        {"product-names", MP_F_STRLIST, false,
         offsetof(model_raw, product_names), 0, 0},
        {"aliases", MP_F_STRLIST, false, offsetof(model_raw, aliases), 0, 0},
        {"pci-device-ids", MP_F_STRLIST, true, offsetof(model_raw, pci), 0, 0},
        {"architecture", MP_F_STR, true, offsetof(model_raw, arch), 0, 0},
        {"memory-mib", MP_F_INT, true, offsetof(model_raw, mib), 1024,
         16777216},
        {"sms", MP_F_INT, false, offsetof(model_raw, sms), 1, 100000},
        {"placement-units", MP_F_INT, true, offsetof(model_raw, units), 1,
         MP_MAX_UNITS},
        {"compute-slices", MP_F_INT, true, offsetof(model_raw, cslices), 1, 16},
        {"min-driver", MP_F_STR, true, offsetof(model_raw, min_driver), 0, 0},
        {"memory-driver", MP_F_STR, true, offsetof(model_raw, memory_driver), 0,
         0},
        {"sources", MP_F_NODE, true, offsetof(model_raw, sources), 0, 0},
        {"provenance", MP_F_NODE, true, offsetof(model_raw, prov), 0, 0},
        {"compute-instances", MP_F_NODE, false, offsetof(model_raw, cis), 0, 0},
        {"profiles", MP_F_NODE, true, offsetof(model_raw, profiles), 0, 0},
        {"notes", MP_F_STR, false, offsetof(model_raw, notes), 0, 0},
    };
    static const mp_field pf[] = {
        {"sources", MP_F_STRLIST, true, offsetof(prov_raw, sources), 0, 0},
        {"derived", MP_F_NODE, false, offsetof(prov_raw, derived), 0, 0},
        {"inferred", MP_F_NODE, false, offsetof(prov_raw, inferred), 0, 0},
    };
    model_raw r = {0};
    r.sms = -1;
    int rc = mp_schema_read(&l->c, root, "GPU model file", f,
                            sizeof(f) / sizeof(f[0]), &r, NULL);
    if (rc)
        return rc;
    mp_model *m = l->m;
    if (!valid_id(r.id))
        return ERR(l, mp_ymap_get(root, "id", NULL),
                   "id '%s' must be lowercase letters, digits and dashes",
                   r.id);
    m->id = r.id;
    m->name = r.name;
    m->architecture = r.arch;
    m->memory_mib = (int)r.mib;
    m->sms = (int)r.sms;
    m->units = (int)r.units;
    m->compute_slices = (int)r.cslices;
    m->min_driver = r.min_driver;
    m->memory_driver = r.memory_driver;
    m->notes = r.notes;
    if (r.product_names.n) {
        m->product_names = r.product_names.v;
        m->n_product_names = r.product_names.n;
    } else {
        m->product_names = &m->name;
        m->n_product_names = 1;
    }
    m->aliases = r.aliases.v;
    m->n_aliases = r.aliases.n;
    for (int i = 0; i < m->n_aliases; i++)
        if (!valid_id(m->aliases[i]))
            return ERR(l, mp_ymap_get(root, "aliases", NULL),
                       "alias '%s' must be lowercase letters, digits and "
                       "dashes",
                       m->aliases[i]);
    if (r.pci.n == 0)
        return ERR(l, mp_ymap_get(root, "pci-device-ids", NULL),
                   "pci-device-ids needs at least one ID like \"0x233010DE\"");
    uint32_t *ids = mp_arena_alloc(l->a, (size_t)r.pci.n * sizeof(*ids));
    if (!ids)
        return mp_schema_err(&l->c, root, MP_ENOMEM, "out of memory");
    for (int i = 0; i < r.pci.n; i++) {
        if (strlen(r.pci.v[i]) != 10 || !mp_parse_pci_id(r.pci.v[i], &ids[i]))
            return ERR(l, mp_ymap_get(root, "pci-device-ids", NULL),
                       "PCI device ID '%s' must be written as mig-parted does: "
                       "0xDDDD10DE",
                       r.pci.v[i]);
        for (int j = 0; j < i; j++)
            if (ids[j] == ids[i])
                return ERR(l, mp_ymap_get(root, "pci-device-ids", NULL),
                           "PCI device ID %s listed twice", r.pci.v[i]);
    }
    m->pci_ids = ids;
    m->n_pci_ids = r.pci.n;
    rc = read_sources(l, r.sources);
    if (rc)
        return rc;
    prov_raw pr = {0};
    rc = mp_schema_read(&l->c, r.prov, "provenance", pf,
                        sizeof(pf) / sizeof(pf[0]), &pr, NULL);
    if (!rc)
        rc = read_prov(l, r.prov, pr.sources, pr.derived, pr.inferred,
                       model_fields_named, &m->prov);
    if (rc)
        return rc;
    if (m->sms < 0 && !mp_prov_inferred(&m->prov, "sms"))
        return ERR(l, root,
                   "no sms given; add provenance inferred: {sms: "
                   "\"...\"} saying why it is unknown");
    ci_group groups[16];
    int ngroups;
    rc = read_ci_groups(l, r.cis, groups, &ngroups);
    if (rc)
        return rc;
    rc = mp_schema_need_seq(&l->c, r.profiles, "profiles");
    if (rc)
        return rc;
    if (r.profiles->nkids == 0 || r.profiles->nkids > MP_MAX_PROFILES)
        return ERR(l, r.profiles, "a model has between 1 and %d profiles",
                   MP_MAX_PROFILES);
    mp_gi_profile *ps = mp_arena_alloc(l->a, r.profiles->nkids * sizeof(*ps));
    if (!ps)
        return mp_schema_err(&l->c, r.profiles, MP_ENOMEM, "out of memory");
    bool all_confirmed = m->prov.n_inferred == 0;
    for (size_t i = 0; i < r.profiles->nkids; i++) {
        rc = read_profile(l, r.profiles->kids[i], groups, ngroups, &ps[i]);
        if (rc)
            return rc;
        for (size_t j = 0; j < i; j++) {
            if (ps[j].id == ps[i].id)
                return ERR(l, r.profiles->kids[i],
                           "profile ID %d is used by %s and %s; IDs are unique "
                           "per GPU",
                           ps[i].id, ps[j].name, ps[i].name);
            if (strcmp(ps[j].name, ps[i].name) == 0)
                return ERR(l, r.profiles->kids[i], "profile %s is listed twice",
                           ps[i].name);
        }
        all_confirmed = all_confirmed && ps[i].confirmed;
    }
    m->profiles = ps;
    m->n_profiles = (int)r.profiles->nkids;
    m->confirmed = all_confirmed;
    return 0;
}

/* -------------------------------------------------------------- the db */

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

static bool ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return false;
    return *a == *b;
}

/* Names a model answers to, for conflict checks. */
static bool model_claims(const mp_model *m, const char *name)
{
    if (ieq(m->id, name))
        return true;
    for (int i = 0; i < m->n_aliases; i++)
        if (ieq(m->aliases[i], name))
            return true;
    return false;
}

static int check_conflicts(const mp_db *db, const mp_model *m, mp_diag *d)
{
    for (int i = 0; i < db->n; i++) {
        const mp_model *o = db->models[i];
        if (o == m || strcmp(o->id, m->id) == 0)
            continue;
        if (model_claims(o, m->id))
            return mp_diag_set(d, MP_ESCHEMA, m->file, 0, 0,
                               "id '%s' is already a name of %s (%s)", m->id,
                               o->id, o->file);
        for (int a = 0; a < m->n_aliases; a++)
            if (model_claims(o, m->aliases[a]))
                return mp_diag_set(d, MP_ESCHEMA, m->file, 0, 0,
                                   "alias '%s' is already a name of %s (%s)",
                                   m->aliases[a], o->id, o->file);
        for (int p = 0; p < m->n_pci_ids; p++)
            for (int q = 0; q < o->n_pci_ids; q++)
                if (m->pci_ids[p] == o->pci_ids[q])
                    return mp_diag_set(d, MP_ESCHEMA, m->file, 0, 0,
                                       "PCI device ID 0x%08X is already "
                                       "claimed by %s (%s)",
                                       m->pci_ids[p], o->id, o->file);
    }
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
    loader l = {.c = {.path = path, .arena = &db->arena, .d = d},
                .a = &db->arena,
                .m = m};
    if (!m) {
        rc = mp_diag_set(d, MP_ENOMEM, path, 0, 0, "out of memory");
        goto out;
    }
    if (!doc.root) {
        rc = mp_diag_set(d, MP_ESCHEMA, path, 1, 1,
                         "empty profile file; see profiles/README section in "
                         "the README for the format");
        goto out;
    }
    m->file = mp_arena_strdup(&db->arena, path);
    rc = read_model(&l, doc.root);
    if (rc)
        goto out;
    rc = check_conflicts(db, m, d);
    if (rc)
        goto out;
    for (int i = 0; i < db->n; i++)
        if (strcmp(db->models[i]->id, m->id) == 0) {
            db->models[i] = m; /* a later file replaces a shipped model */
            goto out;
        }
    if (db->n == db->cap) {
        int ncap = db->cap ? db->cap * 2 : 32;
        mp_model **nm = realloc(db->models, (size_t)ncap * sizeof(*nm));
        if (!nm) {
            rc = mp_diag_set(d, MP_ENOMEM, path, 0, 0, "out of memory");
            goto out;
        }
        db->models = nm;
        db->cap = ncap;
    }
    db->models[db->n++] = m;
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

static int load_dir(mp_db *db, const char *dir, mp_diag *d)
{
    DIR *dh = opendir(dir);
    if (!dh)
        return mp_diag_set(d, MP_EIO, dir, 0, 0,
                           "cannot open the profile directory; check "
                           "--profiles or MIGPLAN_PROFILES");
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(dh)) != NULL) {
        if (e->d_name[0] == '.' || !yaml_name(e->d_name))
            continue;
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 32;
            char **nn = realloc(names, ncap * sizeof(*nn));
            if (!nn) {
                rc = mp_diag_set(d, MP_ENOMEM, dir, 0, 0, "out of memory");
                goto out;
            }
            names = nn;
            cap = ncap;
        }
        names[n] = malloc(strlen(dir) + strlen(e->d_name) + 2);
        if (!names[n]) {
            rc = mp_diag_set(d, MP_ENOMEM, dir, 0, 0, "out of memory");
            goto out;
        }
        sprintf(names[n], "%s/%s", dir, e->d_name);
        n++;
    }
    if (n == 0) {
        rc = mp_diag_set(d, MP_EIO, dir, 0, 0,
                         "no *.yaml profile files in this directory");
        goto out;
    }
    qsort(names, n, sizeof(*names), cmp_str); /* deterministic order */
    for (size_t i = 0; i < n && !rc; i++) {
        char *text;
        size_t len;
        rc = mp_read_file(names[i], mp_ylimits_default.max_bytes, &text, &len,
                          d);
        if (rc)
            break;
        rc = mp_db_load_text(db, text, len, names[i], d);
        free(text);
    }
out:
    closedir(dh);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc;
}

int mp_db_load(const char *dir, mp_db **out, mp_diag *d)
{
    mp_db *db;
    int rc = mp_db_new(&db, d);
    if (rc)
        return rc;
    for (size_t i = 0; i < mp_embedded_profiles_count && !rc; i++) {
        char path[256];
        snprintf(path, sizeof(path), "profiles/%s",
                 mp_embedded_profiles[i].name);
        rc = mp_db_load_text(db, mp_embedded_profiles[i].data,
                             mp_embedded_profiles[i].len, path, d);
    }
    if (!rc && dir && *dir)
        rc = load_dir(db, dir, d);
    /* a replacement may conflict with a model loaded before it */
    for (int i = 0; !rc && i < db->n; i++)
        rc = check_conflicts(db, db->models[i], d);
    if (rc) {
        mp_db_free(db);
        *out = NULL;
        return rc;
    }
    *out = db;
    return 0;
}

/* ------------------------------------------------------------- lookup */

const mp_model *mp_db_find_pci(const mp_db *db, uint32_t id)
{
    for (int i = 0; i < db->n; i++)
        for (int p = 0; p < db->models[i]->n_pci_ids; p++)
            if (db->models[i]->pci_ids[p] == id)
                return db->models[i];
    return NULL;
}

static int edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64)
        return 99;
    int row[65];
    for (size_t j = 0; j <= lb; j++)
        row[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        int prev = row[0];
        row[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int cur = row[j];
            int cost = tolower((unsigned char)a[i - 1]) !=
                       tolower((unsigned char)b[j - 1]);
            int best = prev + cost;
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            prev = cur;
        }
    }
    return row[lb];
}

/* How far a query is from a model's names: edit distance, where a name
 * that merely continues the query ("h10" -> "h100") costs what it adds. */
static int name_distance(const mp_model *m, const char *q)
{
    size_t ql = strlen(q);
    int best = 99;
    for (int i = -1; i < m->n_aliases; i++) {
        const char *name = i < 0 ? m->id : m->aliases[i];
        int dd = edit_distance(name, q);
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

int mp_db_find(const mp_db *db, const char *query, const mp_model **out,
               mp_diag *d)
{
    *out = NULL;
    for (int i = 0; i < db->n; i++)
        if (model_claims(db->models[i], query)) {
            *out = db->models[i];
            return 0;
        }
    char pci[64];
    snprintf(pci, sizeof(pci), "%s", query);
    char *colon = strchr(pci, ':');
    if (colon)
        *colon = '\0'; /* ignore a subsystem part */
    uint32_t id;
    if (mp_parse_pci_id(pci, &id)) {
        const mp_model *m = mp_db_find_pci(db, id);
        if (m) {
            *out = m;
            return 0;
        }
        return mp_diag_set(d, MP_ENOTFOUND, NULL, 0, 0,
                           "no known GPU model has PCI device ID 0x%08X; "
                           "`migplan gpus` lists the known ones, and "
                           "--profiles DIR adds a model",
                           id);
    }
    for (int i = 0; i < db->n; i++) {
        const mp_model *m = db->models[i];
        for (int k = 0; k < m->n_product_names; k++) {
            const char *pn = m->product_names[k];
            if (ieq(pn, query) ||
                (strncmp(pn, "NVIDIA ", 7) == 0 && ieq(pn + 7, query))) {
                *out = m;
                return 0;
            }
        }
    }
    char norm[128];
    normalise(query, norm, sizeof(norm));
    for (int i = 0; i < db->n; i++)
        if (model_claims(db->models[i], norm)) {
            *out = db->models[i];
            return 0;
        }
    /* not found: suggest the closest ids */
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
