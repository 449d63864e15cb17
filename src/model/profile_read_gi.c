/* SPDX-License-Identifier: Apache-2.0 */
/* profile_read_gi.c - read one GPU-instance profile of a profile file: its
 * name, sizes, engines, placements, memory per driver and compute-instance
 * profiles, each checked against the model and the others. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "migplan/model/profname.h"
#include "profile_db_int.h"

#define ERR MP_LOAD_ERR

static const char *const profile_fields_named[] = {"name",
                                                   "id",
                                                   "compute-slices",
                                                   "memory-slices",
                                                   "memory-gib",
                                                   "memory-mib",
                                                   "older-memory",
                                                   "sms",
                                                   "engines",
                                                   "max-instances",
                                                   "placements",
                                                   "min-driver",
                                                   "compute-instances",
                                                   NULL};

static int bad_placements(mp_loader *l, const mp_ynode *n, const char *s)
{
    return ERR(l, n,
               "placements must look like nvidia-smi mig -lgipp "
               "prints them, e.g. \"{0,2,4}:2\", not \"%s\"",
               s);
}

/* "{0,2,4}:2" */
static int parse_placements(mp_loader *l, const mp_ynode *n, const char *s,
                            mp_gi_profile *p)
{
    const char *q = s;
    if (*q++ != '{')
        return bad_placements(l, n, s);
    int cnt = 0;
    for (;;) {
        if (!isdigit((unsigned char)*q))
            return bad_placements(l, n, s);
        long v = 0;
        while (isdigit((unsigned char)*q) && v < 1000)
            v = v * 10 + (*q++ - '0');
        if (cnt == MP_MAX_UNITS)
            return ERR(l, n, "more than %d placements", MP_MAX_UNITS);
        p->placements[cnt++] = (int)v;
        if (*q == '}')
            break;
        if (*q++ != ',')
            return bad_placements(l, n, s);
    }
    q++;
    if (*q++ != ':' || !isdigit((unsigned char)*q))
        return bad_placements(l, n, s);
    long size = 0;
    while (isdigit((unsigned char)*q) && size < 1000)
        size = size * 10 + (*q++ - '0');
    if (*q)
        return bad_placements(l, n, s);
    p->n_placements = cnt;
    if (size != p->memory_slices)
        return ERR(l, n,
                   "placement size %ld differs from memory-slices %d; "
                   "a GPU instance occupies exactly its memory slices",
                   size, p->memory_slices);
    return 0;
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

static int check_placements(mp_loader *l, const mp_ynode *n, const char *s,
                            mp_gi_profile *p)
{
    const mp_ynode *pl = mp_ymap_get(n, "placements", NULL);
    int rc = parse_placements(l, pl, s, p);
    if (rc)
        return rc;
    for (int i = 0; i < p->n_placements; i++) {
        if (i > 0 && p->placements[i] <= p->placements[i - 1])
            return ERR(l, pl,
                       "placement starts must be ascending and distinct");
        if (p->placements[i] + p->memory_slices > l->m->units)
            return ERR(l, pl,
                       "placement %d:%d runs past the GPU's %d placement units",
                       p->placements[i], p->memory_slices, l->m->units);
    }
    int disjoint = max_disjoint(p);
    if (p->max_instances > disjoint)
        return ERR(l, mp_ymap_get(n, "max-instances", NULL),
                   "max-instances %d is more than the %d non-overlapping "
                   "placements %s allows",
                   p->max_instances, disjoint, s);
    return 0;
}

typedef struct ci_raw {
    long long c, id, max;
    bool is_default;
    const char *inferred;
} ci_raw;

static int read_ci(mp_loader *l, const mp_ynode *n, const char *gi_name,
                   int gi_slices, const char *group_inferred, mp_ci_profile *ci)
{
    static const mp_field f[] = {
        {"c", MP_F_INT, true, offsetof(ci_raw, c), 1, 16},
        {"id", MP_F_INT, true, offsetof(ci_raw, id), -1, 255},
        {"max", MP_F_INT, true, offsetof(ci_raw, max), 1, 16},
        {"default", MP_F_BOOL, false, offsetof(ci_raw, is_default), 0, 0},
        {"inferred", MP_F_STR, false, offsetof(ci_raw, inferred), 0, 0},
    };
    ci_raw r = {0};
    int rc = mp_schema_read(&l->c, n, "compute-instance profile", f,
                            sizeof(f) / sizeof(f[0]), &r, NULL);
    if (rc)
        return rc;
    if (r.c > gi_slices)
        return ERR(l, n, "a %lldc compute instance cannot fit a %d-slice GI",
                   r.c, gi_slices);
    if (r.c * r.max > gi_slices)
        return ERR(l, n, "%lld x %lldc exceeds the GI's %d compute slices",
                   r.max, r.c, gi_slices);
    ci->compute_slices = (int)r.c;
    ci->id = (int)r.id;
    ci->max_per_gi = (int)r.max;
    ci->is_default = r.is_default;
    ci->inferred = r.inferred ? r.inferred : group_inferred;
    ci->name = r.c == gi_slices
                   ? gi_name
                   : mp_arena_printf(l->a, "%lldc.%s", r.c, gi_name);
    if (!ci->name)
        return mp_schema_err(&l->c, n, MP_ENOMEM, "out of memory");
    return 0;
}

static int read_ci_list(mp_loader *l, const mp_ynode *list, const char *gi_name,
                        int gi_slices, const char *group_inferred,
                        const mp_ci_profile **out, int *nout)
{
    int rc = mp_schema_need_seq(&l->c, list, "compute-instances profiles");
    if (rc)
        return rc;
    if (list->nkids == 0 || list->nkids > MP_MAX_CI)
        return ERR(l, list,
                   "a GI offers between 1 and %d compute-instance profiles",
                   MP_MAX_CI);
    mp_ci_profile *cis = mp_arena_alloc(l->a, list->nkids * sizeof(*cis));
    if (!cis)
        return mp_schema_err(&l->c, list, MP_ENOMEM, "out of memory");
    int defaults = 0;
    for (size_t i = 0; i < list->nkids; i++) {
        rc = read_ci(l, list->kids[i], gi_name, gi_slices, group_inferred,
                     &cis[i]);
        if (rc)
            return rc;
        for (size_t j = 0; j < i; j++)
            if (cis[j].compute_slices == cis[i].compute_slices)
                return ERR(l, list->kids[i], "two %dc entries for one GI",
                           cis[i].compute_slices);
        defaults += cis[i].is_default;
    }
    if (defaults != 1)
        return ERR(l, list,
                   "exactly one compute-instance profile per GI must "
                   "be marked default: true (the one -C creates)");
    *out = cis;
    *nout = (int)list->nkids;
    return 0;
}

int mp_load_ci_groups(mp_loader *l, const mp_ynode *n, mp_ci_group *groups,
                      int max, int *ngroups)
{
    static const mp_field f[] = {
        {"gi", MP_F_INT, true, offsetof(mp_ci_group, gi), 1, 16},
        {"profiles", MP_F_NODE, true, offsetof(mp_ci_group, profiles), 0, 0},
        {"sources", MP_F_STRLIST, false, offsetof(mp_ci_group, sources), 0, 0},
        {"inferred", MP_F_STR, false, offsetof(mp_ci_group, inferred), 0, 0},
    };
    *ngroups = 0;
    if (!n)
        return 0;
    int rc = mp_schema_need_seq(&l->c, n, "compute-instances");
    if (rc)
        return rc;
    if (n->nkids > (size_t)max)
        return ERR(l, n, "too many compute-instances groups");
    for (size_t i = 0; i < n->nkids; i++) {
        mp_ci_group *g = &groups[i];
        memset(g, 0, sizeof(*g));
        rc = mp_schema_read(&l->c, n->kids[i], "compute-instances group", f,
                            sizeof(f) / sizeof(f[0]), g, NULL);
        if (rc)
            return rc;
        for (int s = 0; s < g->sources.n; s++)
            if (!mp_load_has_source(l->m, g->sources.v[s]))
                return ERR(l, n->kids[i],
                           "source '%s' is not defined in 'sources'",
                           g->sources.v[s]);
        if (!g->sources.n && !g->inferred)
            return ERR(l, n->kids[i],
                       "a compute-instances group needs sources or an "
                       "inferred note");
        for (size_t j = 0; j < i; j++)
            if (groups[j].gi == g->gi)
                return ERR(l, n->kids[i],
                           "two compute-instances groups for gi %lld", g->gi);
    }
    *ngroups = (int)n->nkids;
    return 0;
}

typedef struct profile_raw {
    const char *name;
    long long id, cslices, mslices, mib, sms, max;
    const mp_ynode *gib, *older, *engines, *cis, *derived, *inferred;
    const char *placements, *min_driver;
    mp_strlist sources;
} profile_raw;

static int read_engines(mp_loader *l, const mp_ynode *n, int *eng)
{
    long long v[MP_ENG_COUNT] = {0};
    mp_field f[MP_ENG_COUNT];
    for (int e = 0; e < MP_ENG_COUNT; e++) /* every engine, 0 to 64 */
        f[e] = (mp_field){mp_engine_name(e),
                          MP_F_INT,
                          true,
                          (size_t)e * sizeof(long long),
                          0,
                          64};
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

/* The name must be a canonical GI name whose Ng matches compute-slices. */
static int read_name(mp_loader *l, const mp_ynode *n, const profile_raw *r,
                     mp_gi_profile *p)
{
    const mp_ynode *name_node = mp_ymap_get(n, "name", NULL);
    mp_profname pn;
    char why[300], canon[80];
    if (!mp_profname_parse(r->name, strlen(r->name), &pn, why, sizeof(why)))
        return ERR(l, name_node, "profile name: %s", why);
    mp_profname_format(&pn, canon, sizeof(canon));
    if (pn.ci_form || strcmp(canon, r->name) != 0)
        return ERR(l, name_node,
                   "'%s' is not a canonical GPU-instance profile name; "
                   "write %s",
                   r->name, canon);
    bool flags_ok;
    p->flags = flags_from_name(&pn, &flags_ok);
    if (!flags_ok)
        return ERR(l, name_node,
                   "unknown profile suffix '%c%s'; known: +me, +me.all, "
                   "+gfx, -me",
                   pn.sign, pn.attrs);
    if (pn.g != r->cslices)
        return ERR(l, name_node, "the name says %dg but compute-slices is %lld",
                   pn.g, r->cslices);
    p->name = r->name;
    return 0;
}

static int check_sizes(mp_loader *l, const mp_ynode *n, const mp_gi_profile *p)
{
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
    return 0;
}

/* memory-gib: -lgip's text, which must be what memory-mib prints as. */
static int read_gib(mp_loader *l, const mp_ynode *gib, mp_gi_profile *p)
{
    if (!gib)
        return 0;
    if (gib->kind != MP_YNODE_SCALAR)
        return ERR(l, gib, "memory-gib must be a number like 9.75");
    char want[32];
    mp_format_gib(p->memory_mib, want, sizeof(want));
    if (strcmp(want, gib->str) != 0)
        return ERR(l, gib,
                   "memory-gib %s does not match memory-mib %d (which -lgip "
                   "would print as %s)",
                   gib->str, p->memory_mib, want);
    p->memory_gib = mp_arena_strdup(l->a, gib->str);
    return p->memory_gib ? 0
                         : mp_schema_err(&l->c, gib, MP_ENOMEM, "no memory");
}

/* older-memory: {DRIVER: GiB} for drivers of the model's older-drivers. */
static int read_older(mp_loader *l, const mp_ynode *n, mp_gi_profile *p)
{
    const mp_model *m = l->m;
    if (!n)
        return 0;
    if (n->kind != MP_YNODE_MAP)
        return ERR(l, n,
                   "older-memory maps a driver of older-drivers to the "
                   "GiB -lgip printed with it, e.g. {\"515.86.01\": 79.00}");
    const char **v =
        mp_arena_alloc(l->a, (size_t)(m->n_older_drivers + 1) * sizeof(*v));
    if (!v)
        return mp_schema_err(&l->c, n, MP_ENOMEM, "out of memory");
    for (size_t i = 0; i + 1 < n->nkids; i += 2) {
        const mp_ynode *k = n->kids[i], *g = n->kids[i + 1];
        int t = -1;
        for (int j = 0; j < m->n_older_drivers && k->kind == MP_YNODE_SCALAR;
             j++)
            if (strcmp(m->older_drivers[j].driver, k->str) == 0)
                t = j;
        if (t < 0)
            return ERR(l, k, "'%s' is not a driver listed in older-drivers",
                       k->kind == MP_YNODE_SCALAR ? k->str : "?");
        int mib;
        if (g->kind != MP_YNODE_SCALAR || !mp_gib_to_mib(g->str, &mib))
            return ERR(l, g,
                       "older-memory values are GiB as -lgip prints them, "
                       "e.g. 9.75");
        if (v[t])
            return ERR(l, k, "driver '%s' is listed twice", k->str);
        v[t] = mp_arena_strdup(l->a, g->str);
    }
    p->older_gib = v;
    return 0;
}

/* The profile's own compute-instance list, else the model's table for its
 * number of compute slices. */
static int read_profile_cis(mp_loader *l, const mp_ynode *n,
                            const mp_ynode *own, const mp_ci_group *groups,
                            int ngroups, mp_gi_profile *p)
{
    if (own)
        return read_ci_list(l, own, p->name, p->compute_slices, NULL, &p->cis,
                            &p->n_cis);
    const mp_ci_group *g = NULL;
    for (int i = 0; i < ngroups; i++)
        if (groups[i].gi == p->compute_slices)
            g = &groups[i];
    if (!g)
        return ERR(l, n,
                   "no compute-instances table for %d-slice GIs; add one at "
                   "the top level",
                   p->compute_slices);
    return read_ci_list(l, g->profiles, p->name, p->compute_slices, g->inferred,
                        &p->cis, &p->n_cis);
}

static int check_prov(mp_loader *l, const mp_ynode *n, const profile_raw *r,
                      mp_gi_profile *p)
{
    int rc = mp_load_prov(l, n, r->sources, r->derived, r->inferred,
                          profile_fields_named, &p->prov);
    if (rc)
        return rc;
    if (r->sources.n == 0)
        return ERR(l, n, "profile %s names no source; every number needs one",
                   p->name);
    if (p->sms < 0 && !mp_prov_inferred(&p->prov, "sms"))
        return ERR(l, n,
                   "profile %s has no sms; add inferred: {sms: \"...\"} "
                   "saying why it is unknown",
                   p->name);
    if (!r->gib && !mp_prov_inferred(&p->prov, "memory-mib"))
        return ERR(l, n,
                   "profile %s gives no memory-gib; a memory-mib without a "
                   "-lgip value must be marked inferred",
                   p->name);
    p->confirmed = p->prov.n_inferred == 0;
    return 0;
}

int mp_load_profile(mp_loader *l, const mp_ynode *n, const mp_ci_group *groups,
                    int ngroups, mp_gi_profile *p)
{
#define F(...) MP_FIELD(profile_raw, __VA_ARGS__)
    static const mp_field f[] = {
        F("name", MP_F_STR, true, name, 0, 0),
        F("id", MP_F_INT, true, id, 0, 255),
        F("compute-slices", MP_F_INT, true, cslices, 1, 16),
        F("memory-slices", MP_F_INT, true, mslices, 1, 16),
        F("memory-gib", MP_F_NODE, false, gib, 0, 0),
        F("memory-mib", MP_F_INT, true, mib, 1, 16777216),
        F("older-memory", MP_F_NODE, false, older, 0, 0),
        F("sms", MP_F_INT, false, sms, 1, 100000),
        F("engines", MP_F_NODE, true, engines, 0, 0),
        F("max-instances", MP_F_INT, true, max, 1, 16),
        F("placements", MP_F_STR, true, placements, 0, 0),
        F("min-driver", MP_F_STR, false, min_driver, 0, 0),
        F("compute-instances", MP_F_NODE, false, cis, 0, 0),
        F("sources", MP_F_STRLIST, true, sources, 0, 0),
        F("derived", MP_F_NODE, false, derived, 0, 0),
        F("inferred", MP_F_NODE, false, inferred, 0, 0),
    };
#undef F
    profile_raw r = {0};
    r.sms = -1;
    int rc = mp_schema_read(&l->c, n, "profile", f, sizeof(f) / sizeof(f[0]),
                            &r, NULL);
    if (!rc)
        rc = read_name(l, n, &r, p);
    if (rc)
        return rc;
    p->id = (int)r.id;
    p->compute_slices = (int)r.cslices;
    p->memory_slices = (int)r.mslices;
    p->memory_mib = (int)r.mib;
    p->sms = (int)r.sms;
    p->max_instances = (int)r.max;
    p->min_driver = r.min_driver;
    p->line = n->line;
    rc = check_sizes(l, n, p);
    if (!rc)
        rc = read_engines(l, r.engines, p->engines);
    if (!rc)
        rc = check_placements(l, n, r.placements, p);
    if (!rc)
        rc = read_gib(l, r.gib, p);
    if (!rc)
        rc = read_older(l, r.older, p);
    if (!rc)
        rc = check_prov(l, n, &r, p);
    if (!rc)
        rc = read_profile_cis(l, n, r.cis, groups, ngroups, p);
    return rc;
}
