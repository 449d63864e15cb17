/* SPDX-License-Identifier: Apache-2.0 */
/* request_reader.c - read plan requests (fleet and tenants) from YAML.
 * Only reading: what may serve a tenant is model/tenant.c's rule. */
#include "migplan/readers/request_reader.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "migplan/readers/node_pool_reader.h"
#include "migplan/yaml/ydoc.h"
#include "migplan/yaml/schema.h"
#include "migplan/model/sizing.h"
#include "migplan/yaml/yscalar.h"

bool mp_parse_memory(const char *s, long long *mib, char *why, size_t n)
{
    const char *p = s;
    while (*p == ' ')
        p++;
    char *end;
    double v = strtod(p, &end);
    if (end == p || !isfinite(v)) {
        snprintf(why, n, "'%s' is not a size; write e.g. 8GiB, 12GB or 500MiB",
                 s);
        return false;
    }
    int num = (int)(end - p); /* the number as written, for the hints */
    while (*end == ' ')
        end++;
    static const struct {
        const char *unit;
        double mib;
    } units[] = {
        {"GiB", 1024.0},    {"Gi", 1024.0},    {"GB", 1e9 / 1048576.0},
        {"MiB", 1.0},       {"Mi", 1.0},       {"MB", 1e6 / 1048576.0},
        {"TiB", 1048576.0}, {"Ti", 1048576.0}, {"TB", 1e12 / 1048576.0},
    };
    if (v <= 0) {
        snprintf(why, n, "memory must be more than 0, not '%s'", s);
        return false;
    }
    if (!*end) {
        snprintf(why, n, "'%s' needs a unit: write %.*sGiB, %.*sGB or %.*sMiB",
                 s, num, p, num, p, num, p);
        return false;
    }
    /* A capital prefix with a small b ("8Gb", "500Mb") is the notation for
     * bits: refused rather than guessed. Otherwise units match in any case
     * ("8gib", "8gb"). */
    if (strlen(end) == 2 && strchr("GMT", end[0]) && end[1] == 'b') {
        snprintf(why, n,
                 "'%s' reads as %cbit; write %.*s%cB for 10^%d bytes or "
                 "%.*s%ciB for 2^%d bytes",
                 s, end[0], num, p, end[0],
                 end[0] == 'G'   ? 9
                 : end[0] == 'T' ? 12
                                 : 6,
                 num, p, end[0],
                 end[0] == 'G'   ? 30
                 : end[0] == 'T' ? 40
                                 : 20);
        return false;
    }
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        if (strcasecmp(end, units[i].unit) != 0)
            continue;
        double m = ceil(v * units[i].mib - 1e-9);
        if (m > 1e9) {
            snprintf(why, n, "'%s' is more memory than any GPU has", s);
            return false;
        }
        *mib = (long long)m;
        return true;
    }
    snprintf(why, n, "unknown unit '%s' in '%s'; use GiB, GB, MiB or MB", end,
             s);
    return false;
}

/* ------------------------------------------------------------ reading */

typedef struct fleet_raw {
    const char *model;
    long long count;
    double cost;
} fleet_raw;

typedef struct tenant_raw {
    const char *name;
    const mp_ynode *memory, *compute, *engines, *whole, *headroom, *spread,
        *same_profile;
    long long sms, replicas, share;
    bool media, graphics;
    mp_strlist models;
} tenant_raw;

static bool valid_name(const char *s)
{
    if (!*s || strlen(s) > 63)
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '.' && *s != '_' && *s != '-')
            return false;
    return true;
}

static int read_fleet(const mp_db *db, mp_schema_ctx *c, const mp_ynode *n,
                      mp_request *r)
{
    static const mp_field f[] = {
        {"model", MP_F_STR, true, offsetof(fleet_raw, model), 0, 0},
        {"count", MP_F_INT, false, offsetof(fleet_raw, count), 0,
         MP_MAX_GPU_COUNT},
        {"cost", MP_F_NUM, false, offsetof(fleet_raw, cost), 0, 1000000},
    };
    int rc = mp_schema_need_list(c, n, "fleet", MP_MAX_FLEET, "fleet entries",
                                 "; list the GPUs, e.g. - {model: h100, "
                                 "count: 8}");
    if (rc)
        return rc;
    long long offered = 0;
    for (size_t i = 0; i < n->nkids; i++) {
        fleet_raw fr = {.count = -1, .cost = 1.0};
        uint64_t present;
        rc = mp_schema_read(c, n->kids[i], "fleet entry", f, 3, &fr, &present);
        if (rc)
            return rc;
        mp_fleet_item *it = &r->fleet[r->n_fleet++];
        mp_diag md;
        if (mp_db_find(db, fr.model, &it->model, &md) != 0)
            return mp_schema_err(c, mp_ymap_get(n->kids[i], "model", NULL),
                                 MP_ESCHEMA, "%s", md.msg);
        if (fr.cost <= 0)
            return mp_schema_err(c, mp_ymap_get(n->kids[i], "cost", NULL),
                                 MP_ESCHEMA, "cost must be more than 0");
        it->count = (int)fr.count;
        offered += fr.count > 0 ? fr.count : 0;
        if (offered > MP_MAX_FLEET_GPUS)
            return mp_schema_err(c, mp_ymap_get(n->kids[i], "count", NULL),
                                 MP_ELIMIT,
                                 "the fleet offers more than %d GPUs "
                                 "together (limit)",
                                 MP_MAX_FLEET_GPUS);
        it->cost = fr.cost;
        it->line = n->kids[i]->line;
        it->col = n->kids[i]->col;
        for (int k = 0; k + 1 < r->n_fleet; k++)
            if (r->fleet[k].model == it->model)
                return mp_schema_err(c, n->kids[i], MP_ESCHEMA,
                                     "%s is already in the fleet (line %d); "
                                     "give one entry per model with the total "
                                     "count",
                                     it->model->id, r->fleet[k].line);
    }
    return 0;
}

/* A node as an error message quotes it. */
static const char *shown(const mp_ynode *n)
{
    return n->kind == MP_YNODE_SCALAR ? n->str : "a list or map";
}

/* The error for a value n that is not what `what` says a value is. */
static int refuse(mp_schema_ctx *c, const mp_ynode *n, const char *what)
{
    return mp_schema_err(c, n, MP_ESCHEMA, "%s, not '%s'", what, shown(n));
}

/* memory: 8GiB, in MiB. */
static int read_memory(mp_schema_ctx *c, const mp_ynode *n, long long *out)
{
    char why[200];
    if (n->kind != MP_YNODE_SCALAR)
        return mp_schema_err(c, n, MP_ESCHEMA, "memory is a size like 8GiB");
    if (!mp_parse_memory(n->str, out, why, sizeof(why)))
        return mp_schema_err(c, n, MP_ESCHEMA, "%s", why);
    return 0;
}

static int read_compute(mp_schema_ctx *c, const mp_ynode *n, int *out)
{
    mp_yval v;
    mp_yvkind k = mp_ynode_resolve(n, &v);
    if (k == MP_YV_INT && v.i >= 1 && v.i <= 16) {
        *out = (int)v.i;
        return 0;
    }
    if (k == MP_YV_STR) {
        const char *s = n->str;
        char *end;
        long g = strtol(s, &end, 10);
        if (end != s && (*end == 'g' || *end == 'G') && end[1] == '\0' &&
            g >= 1 && g <= 16) {
            *out = (int)g;
            return 0;
        }
    }
    return refuse(c, n,
                  "compute is a number of compute slices like 1g, 2g or 3g");
}

/* engines: {nvenc: 2, ...}: the minimum of each engine kind. */
static int read_engines(mp_schema_ctx *c, const mp_ynode *n, mp_tenant *t)
{
    long long v[MP_ENG_COUNT] = {0};
    mp_field ef[MP_ENG_COUNT];
    for (int e = 0; e < MP_ENG_COUNT; e++) /* any of them, 0 to 64 */
        ef[e] = (mp_field){mp_engine_name(e),
                           MP_F_INT,
                           false,
                           (size_t)e * sizeof(long long),
                           0,
                           64};
    int rc = mp_schema_read(c, n, "map of engines", ef, MP_ENG_COUNT, v, NULL);
    if (rc)
        return rc;
    for (int e = 0; e < MP_ENG_COUNT; e++)
        t->engines[e] = (int)v[e];
    return 0;
}

/* models: [h100, h200]: each name resolved in the database; an unknown name
 * is reported at its own list item. */
static int read_models(const mp_db *db, mp_schema_ctx *c, const mp_ynode *n,
                       const mp_strlist *names, mp_tenant *t)
{
    t->models = mp_arena_alloc(c->arena, (size_t)names->n * sizeof(*t->models));
    if (!t->models)
        return mp_schema_err(c, n, MP_ENOMEM, "out of memory");
    for (int i = 0; i < names->n; i++) {
        mp_diag md;
        if (mp_db_find(db, names->v[i], &t->models[i], &md) != 0) {
            const mp_ynode *ms = mp_ymap_get(n, "models", NULL);
            const mp_ynode *at = ms;
            if (ms && ms->kind == MP_YNODE_SEQ && (size_t)i < ms->nkids)
                at = ms->kids[i];
            return mp_schema_err(c, at, MP_ESCHEMA, "%s", md.msg);
        }
    }
    t->n_models = names->n;
    return 0;
}

/* headroom: 10 or "10%": a margin in percent (up to 1000), as thousandths
 * of a percent. */
static int read_headroom(mp_schema_ctx *c, const mp_ynode *n, int *out)
{
    char buf[32];
    if (n->kind == MP_YNODE_SCALAR && strlen(n->str) < sizeof(buf)) {
        size_t k = strlen(n->str);
        memcpy(buf, n->str, k + 1);
        if (k && buf[k - 1] == '%')
            buf[--k] = '\0';
        while (k && buf[k - 1] == ' ')
            buf[--k] = '\0';
        if (mp_parse_milli(buf, 0, 1000000, out))
            return 0;
    }
    return refuse(c, n,
                  "headroom is a percentage from 0 to 1000 like 10 or 10%");
}

/* whole-gpu: true, or N whole GPUs per replica (tensor parallel). */
static int read_whole(mp_schema_ctx *c, const mp_ynode *n, mp_tenant *t)
{
    mp_yval v;
    mp_yvkind k = mp_ynode_resolve(n, &v);
    if (k == MP_YV_BOOL) {
        t->whole_gpu = v.b;
        return 0;
    }
    if (k == MP_YV_INT && v.i >= 1 && v.i <= MP_MAX_WHOLE_GPUS) {
        t->whole_gpu = true;
        t->gpus = (int)v.i;
        return 0;
    }
    return mp_schema_err(c, n, MP_ESCHEMA,
                         "whole-gpu is true, false or a number of GPUs per "
                         "replica from 1 to %d, not '%s'",
                         MP_MAX_WHOLE_GPUS, shown(n));
}

/* whole-gpu, share and headroom, and what they rule out together. */
static int read_sharing(mp_schema_ctx *c, const mp_ynode *n,
                        const tenant_raw *tr, mp_tenant *t)
{
    int rc = tr->whole ? read_whole(c, tr->whole, t) : 0;
    if (!rc && tr->headroom)
        rc = read_headroom(c, tr->headroom, &t->headroom_milli);
    if (rc)
        return rc;
    const mp_ynode *share = mp_ymap_get(n, "share", NULL);
    if (share && t->whole_gpu)
        return mp_schema_err(c, share, MP_ESCHEMA,
                             "tenant %s asks for whole GPUs, which are not "
                             "time-sliced by migplan; drop share or whole-gpu",
                             t->name);
    if (share && t->share > t->asked_replicas)
        return mp_schema_err(c, share, MP_ESCHEMA,
                             "share: %d is more than the %d replica%s of "
                             "tenant %s; share at most replicas",
                             t->share, t->asked_replicas,
                             t->asked_replicas == 1 ? "" : "s", t->name);
    return 0;
}

static int read_tenant(const mp_db *db, mp_schema_ctx *c, const mp_ynode *n,
                       mp_tenant *t)
{
    static const mp_field f[] = {
        {"name", MP_F_STR, true, offsetof(tenant_raw, name), 0, 0},
        {"memory", MP_F_NODE, false, offsetof(tenant_raw, memory), 0, 0},
        {"compute", MP_F_NODE, false, offsetof(tenant_raw, compute), 0, 0},
        {"sms", MP_F_INT, false, offsetof(tenant_raw, sms), 1, 100000},
        {"replicas", MP_F_INT, false, offsetof(tenant_raw, replicas), 1,
         MP_MAX_REPLICAS},
        {"media", MP_F_BOOL, false, offsetof(tenant_raw, media), 0, 0},
        {"graphics", MP_F_BOOL, false, offsetof(tenant_raw, graphics), 0, 0},
        {"engines", MP_F_NODE, false, offsetof(tenant_raw, engines), 0, 0},
        {"whole-gpu", MP_F_NODE, false, offsetof(tenant_raw, whole), 0, 0},
        {"spread", MP_F_NODE, false, offsetof(tenant_raw, spread), 0, 0},
        {"same-profile", MP_F_NODE, false, offsetof(tenant_raw, same_profile),
         0, 0},
        {"models", MP_F_STRLIST, false, offsetof(tenant_raw, models), 0, 0},
        {"share", MP_F_INT, false, offsetof(tenant_raw, share), 1,
         MP_MAX_SHARE},
        {"headroom", MP_F_NODE, false, offsetof(tenant_raw, headroom), 0, 0},
    };
    tenant_raw tr = {.replicas = 1, .share = 1};
    uint64_t present;
    int rc = mp_schema_read(c, n, "tenant", f, sizeof(f) / sizeof(f[0]), &tr,
                            &present);
    if (rc)
        return rc;
    const mp_ynode *name_node = mp_ymap_get(n, "name", NULL);
    if (!valid_name(tr.name))
        return mp_schema_err(c, name_node, MP_ESCHEMA,
                             "tenant name '%s' may use only letters, digits, "
                             ". _ and - (at most 63)",
                             tr.name);
    t->name = tr.name;
    t->asked_replicas = (int)tr.replicas;
    t->share = (int)tr.share;
    t->headroom_milli = -1;
    t->media = tr.media;
    t->graphics = tr.graphics;
    t->sms = (int)tr.sms;
    t->compute = 1;
    t->line = n->line;
    t->col = n->col;
    rc = tr.memory ? read_memory(c, tr.memory, &t->asked_mib) : 0;
    if (!rc)
        rc = read_sharing(c, n, &tr, t);
    if (!rc && tr.compute && (present & (1u << 3)))
        rc = mp_schema_err(c, tr.compute, MP_ESCHEMA,
                           "give compute or sms, not both");
    else if (!rc && tr.compute)
        rc = read_compute(c, tr.compute, &t->compute);
    if (!rc && tr.spread)
        rc = mp_read_spread(c, tr.spread, t);
    if (!rc && tr.engines)
        rc = read_engines(c, tr.engines, t);
    if (!rc && tr.models.n)
        rc = read_models(db, c, n, &tr.models, t);
    if (rc)
        return rc;
    if (t->whole_gpu && (tr.compute || tr.media || tr.engines || tr.graphics))
        return mp_schema_err(c, n, MP_ESCHEMA,
                             "tenant %s asks for a whole GPU, which has all "
                             "compute and engines; drop compute/media/"
                             "engines/graphics",
                             t->name);
    if (!tr.memory && !t->whole_gpu)
        return mp_schema_err(c, n, MP_ESCHEMA,
                             "tenant %s needs memory (e.g. memory: 8GiB) or "
                             "whole-gpu: true",
                             t->name);
    return 0;
}

/* Tenant names sorted (then by position), to find repeats in n log n. */
static int by_name(const void *a, const void *b)
{
    const mp_tenant *x = *(const mp_tenant *const *)a;
    const mp_tenant *y = *(const mp_tenant *const *)b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x < y ? -1 : x > y);
}

/* The first tenant (in file order) whose name an earlier tenant already
 * has, and that earlier tenant; NULL when names are unique. */
static const mp_tenant *repeated_name(const mp_request *r,
                                      const mp_tenant **first, int *rc)
{
    const mp_tenant **v = malloc((size_t)r->n_tenants * sizeof(*v));
    const mp_tenant *dup = NULL;
    *rc = v ? 0 : MP_ENOMEM;
    for (int i = 0; v && i < r->n_tenants; i++)
        v[i] = &r->tenants[i];
    if (v)
        qsort(v, (size_t)r->n_tenants, sizeof(*v), by_name);
    for (int i = 1; v && i < r->n_tenants; i++) {
        /* in a run of equal names, the second (by position) is the first
         * repeat and the run's head the tenant it repeats */
        bool second = strcmp(v[i]->name, v[i - 1]->name) == 0 &&
                      (i == 1 || strcmp(v[i - 1]->name, v[i - 2]->name) != 0);
        if (second && (!dup || v[i] < dup)) {
            dup = v[i];
            *first = v[i - 1];
        }
    }
    free(v);
    return dup;
}

/* The tenants: each read, then the names checked for repeats. */
static int read_tenants(const mp_db *db, mp_schema_ctx *c, const mp_ynode *tn,
                        mp_request *out)
{
    out->tenants = mp_arena_alloc(&out->arena, tn->nkids * sizeof(mp_tenant));
    if (!out->tenants)
        return mp_schema_err(c, tn, MP_ENOMEM, "out of memory");
    for (size_t i = 0; i < tn->nkids; i++) {
        mp_tenant *t = &out->tenants[out->n_tenants];
        int rc = read_tenant(db, c, tn->kids[i], t);
        if (rc)
            return rc;
        mp_tenant_derive(t, out->headroom_milli);
        out->n_tenants++;
        out->total_replicas += t->replicas;
        if (out->total_replicas > MP_MAX_REPLICAS)
            return mp_schema_err(c, tn->kids[i], MP_ELIMIT,
                                 "more than %d replicas in one request (limit)",
                                 MP_MAX_REPLICAS);
    }
    int rc;
    const mp_tenant *first = NULL;
    const mp_tenant *dup = repeated_name(out, &first, &rc);
    if (rc)
        return mp_schema_err(c, tn, rc, "out of memory");
    if (!dup)
        return 0;
    const mp_ynode *at =
        mp_ymap_get(tn->kids[dup - out->tenants], "name", NULL);
    return mp_schema_err(c, at, MP_ESCHEMA,
                         "tenant name %s is already used (line %d); names "
                         "must be unique",
                         dup->name, first->line);
}

/* The request's headroom and min-spare (a size, or 0 for no warnings). */
static int read_margins(mp_schema_ctx *c, const mp_ynode *headroom,
                        const mp_ynode *spare, mp_request *r)
{
    r->min_spare_mib = MP_DEFAULT_MIN_SPARE_MIB;
    int rc = headroom ? read_headroom(c, headroom, &r->headroom_milli) : 0;
    if (rc || !spare)
        return rc;
    char why[200];
    if (spare->kind == MP_YNODE_SCALAR && strcmp(spare->str, "0") == 0) {
        r->min_spare_mib = 0;
        return 0;
    }
    if (spare->kind != MP_YNODE_SCALAR ||
        !mp_parse_memory(spare->str, &r->min_spare_mib, why, sizeof(why)))
        return mp_schema_err(c, spare, MP_ESCHEMA, "min-spare: %s",
                             spare->kind == MP_YNODE_SCALAR
                                 ? why
                                 : "a size like 512MiB, or 0 for no warnings");
    return 0;
}

int mp_request_parse(const mp_db *db, const char *text, size_t len,
                     const char *path, const mp_model *default_model,
                     mp_request *out, mp_diag *d)
{
    static const mp_field top[] = {
        {"fleet", MP_F_NODE, false, 0, 0, 0},
        {"tenants", MP_F_NODE, true, sizeof(const mp_ynode *), 0, 0},
        {"headroom", MP_F_NODE, false, 2 * sizeof(const mp_ynode *), 0, 0},
        {"min-spare", MP_F_NODE, false, 3 * sizeof(const mp_ynode *), 0, 0},
        {"nodes", MP_F_NODE, false, 4 * sizeof(const mp_ynode *), 0, 0},
    };
    memset(out, 0, sizeof(*out));
    mp_ydoc doc;
    int rc = mp_ydoc_parse(text, len, path, NULL, &doc, d);
    if (rc)
        return rc;
    out->path = mp_arena_strdup(&out->arena, path);
    mp_schema_ctx c = {.path = path, .arena = &out->arena, .d = d};
    const mp_ynode *nodes[5] = {NULL, NULL, NULL, NULL, NULL};
    if (!doc.root) {
        rc = mp_diag_set(d, MP_ESCHEMA, path, 1, 1,
                         "empty request; give tenants (and a fleet), see "
                         "examples/");
        goto out;
    }
    rc = mp_schema_read(&c, doc.root, "request", top, 5, nodes, NULL);
    if (!rc)
        rc = read_margins(&c, nodes[2], nodes[3], out);
    if (rc)
        goto out;
    if (nodes[0] && nodes[4]) {
        rc = mp_schema_err(&c, nodes[4], MP_ESCHEMA,
                           "give fleet: (GPUs) or nodes: (node pools), not "
                           "both");
        goto out;
    }
    if (nodes[4]) {
        rc = mp_read_node_pools(db, &c, nodes[4], out);
        if (rc)
            goto out;
    } else if (nodes[0]) {
        rc = read_fleet(db, &c, nodes[0], out);
        if (rc)
            goto out;
    } else if (default_model) {
        out->fleet[0].model = default_model;
        out->fleet[0].count = -1;
        out->fleet[0].cost = 1.0;
        out->n_fleet = 1;
    } else {
        rc = mp_diag_set(d, MP_ESCHEMA, path, doc.root->line, doc.root->col,
                         "no fleet: add `fleet: [{model: h100, count: 8}]` or "
                         "pass --gpu MODEL");
        goto out;
    }
    const mp_ynode *tn = nodes[1];
    rc = mp_schema_need_list(&c, tn, "tenants", MP_MAX_TENANTS, "tenants", "");
    if (!rc)
        rc = read_tenants(db, &c, tn, out);
    if (!rc)
        rc = mp_read_node_keys(&c, tn, out);
out:
    mp_ydoc_free(&doc);
    if (rc)
        mp_request_free(out);
    return rc;
}

int mp_request_load(const mp_db *db, const char *path,
                    const mp_model *default_model, mp_request *out, mp_diag *d)
{
    mp_input src;
    memset(out, 0, sizeof(*out));
    int rc = mp_input_read(path, "a YAML file", &src, d);
    if (!rc)
        rc = mp_request_parse(db, src.text, src.len, src.shown, default_model,
                              out, d);
    mp_input_free(&src);
    return rc;
}
