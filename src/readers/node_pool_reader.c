/* SPDX-License-Identifier: Apache-2.0 */
/* node_pool_reader.c - read `nodes:` pools and the node-related tenant keys
 * (spread: nodes, same-profile) of a plan request. */
#include "migplan/readers/node_pool_reader.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "migplan/yaml/yscalar.h"

typedef struct pool_raw {
    const char *pool, *model, *strategy;
    long long gpus, count;
    double cost;
    mp_strlist names;
} pool_raw;

/* A node name Kubernetes accepts (RFC 1123 subdomain, at most 253). */
static bool valid_node_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 253 || !isalnum((unsigned char)s[0]) ||
        !isalnum((unsigned char)s[n - 1]))
        return false;
    for (; *s; s++)
        if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) ||
              *s == '-' || *s == '.'))
            return false;
    return true;
}

/* The i-th item of key `key` of map n, or the key's value, or n. */
static const mp_ynode *at_item(const mp_ynode *n, const char *key, int i)
{
    const mp_ynode *v = mp_ymap_get(n, key, NULL);
    if (v && v->kind == MP_YNODE_SEQ && i >= 0 && (size_t)i < v->nkids)
        return v->kids[i];
    return v ? v : n;
}

static int read_names(const mp_schema_ctx *c, const mp_ynode *n,
                      const pool_raw *pr, mp_node_pool *p)
{
    if (pr->count < 0)
        return mp_schema_err(c, at_item(n, "names", -1), MP_ESCHEMA,
                             "names needs a count: give count: %d",
                             pr->names.n);
    if (pr->names.n != pr->count)
        return mp_schema_err(c, at_item(n, "names", -1), MP_ESCHEMA,
                             "pool %s has %lld node%s but %d name%s; give "
                             "one name per node",
                             p->name, pr->count, pr->count == 1 ? "" : "s",
                             pr->names.n, pr->names.n == 1 ? "" : "s");
    for (int k = 0; k < pr->names.n; k++) {
        if (!valid_node_name(pr->names.v[k]))
            return mp_schema_err(c, at_item(n, "names", k), MP_ESCHEMA,
                                 "'%s' is not a Kubernetes node name (lower "
                                 "case letters, digits, '-' and '.')",
                                 pr->names.v[k]);
    }
    p->names = pr->names.v;
    p->n_names = pr->names.n;
    return 0;
}

/* Could name be node k of pool p, which names its nodes <pool>-01, -02...
 * by default? */
static bool default_name_of(const mp_node_pool *p, const char *name)
{
    size_t len = strlen(p->name);
    if (p->names || strncmp(name, p->name, len) != 0 || name[len] != '-')
        return false;
    const char *d = name + len + 1;
    return strlen(d) >= 2 && strspn(d, "0123456789") == strlen(d) &&
           atoi(d) >= 1;
}

/* Node names must be unique across pools, given or default. */
static int check_unique_names(const mp_schema_ctx *c, const mp_ynode *n,
                              const mp_request *r)
{
    char a[300], b[300];
    for (int i = 0; i < r->n_pools; i++)
        for (int k = 0; k < r->pools[i].n_names; k++)
            for (int j = 0; j < r->n_pools; j++)
                if (j != i &&
                    default_name_of(&r->pools[j], r->pools[i].names[k]))
                    return mp_schema_err(
                        c, at_item(n->kids[i], "names", k), MP_ESCHEMA,
                        "node %s of pool %s is named like the nodes of pool "
                        "%s (%s-01, %s-02, ...), so two nodes could get one "
                        "label; give other names",
                        r->pools[i].names[k], r->pools[i].name,
                        r->pools[j].name, r->pools[j].name, r->pools[j].name);
    for (int i = 0; i < r->n_pools; i++)
        for (int k = 0; k < r->pools[i].n_names; k++)
            for (int j = 0; j <= i; j++)
                for (int l = 0; l < (j == i ? k : r->pools[j].n_names); l++) {
                    mp_node_pool_node_name(&r->pools[i], k, a, sizeof(a));
                    mp_node_pool_node_name(&r->pools[j], l, b, sizeof(b));
                    if (strcmp(a, b) == 0)
                        return mp_schema_err(
                            c, at_item(n->kids[i], "names", k), MP_ESCHEMA,
                            "node %s is named twice; node names must be "
                            "unique",
                            a);
                }
    return 0;
}

static int read_pool(const mp_db *db, const mp_schema_ctx *c, const mp_ynode *n,
                     mp_node_pool *p)
{
    static const mp_field f[] = {
        {"pool", MP_F_STR, true, offsetof(pool_raw, pool), 0, 0},
        {"model", MP_F_STR, true, offsetof(pool_raw, model), 0, 0},
        {"gpus", MP_F_INT, true, offsetof(pool_raw, gpus), 1, MP_MAX_NODE_GPUS},
        {"count", MP_F_INT, false, offsetof(pool_raw, count), 0, MP_MAX_NODES},
        {"cost", MP_F_NUM, false, offsetof(pool_raw, cost), 0, 1000000},
        {"strategy", MP_F_STR, false, offsetof(pool_raw, strategy), 0, 0},
        {"names", MP_F_STRLIST, false, offsetof(pool_raw, names), 0, 0},
    };
    pool_raw pr = {.count = -1, .cost = 1.0};
    int rc = mp_schema_read(c, n, "node pool", f, sizeof(f) / sizeof(f[0]), &pr,
                            NULL);
    if (rc)
        return rc;
    if (!valid_node_name(pr.pool) || strlen(pr.pool) > 63)
        return mp_schema_err(c, mp_ymap_get(n, "pool", NULL), MP_ESCHEMA,
                             "pool name '%s' starts node names: use lower "
                             "case letters, digits, '-' and '.' (at most 63)",
                             pr.pool);
    mp_diag md;
    const mp_model *model;
    if (mp_db_find(db, pr.model, &model, &md) != 0)
        return mp_schema_err(c, mp_ymap_get(n, "model", NULL), MP_ESCHEMA, "%s",
                             md.msg);
    if (pr.cost <= 0)
        return mp_schema_err(c, mp_ymap_get(n, "cost", NULL), MP_ESCHEMA,
                             "cost must be more than 0");
    mp_strategy strategy = MP_STRATEGY_MIXED;
    if (pr.strategy && !mp_strategy_parse(pr.strategy, &strategy))
        return mp_schema_err(c, mp_ymap_get(n, "strategy", NULL), MP_ESCHEMA,
                             "strategy is the GPU Operator's mig.strategy: "
                             "mixed or single, not '%s'",
                             pr.strategy);
    *p = (mp_node_pool){.name = pr.pool,
                        .model = model,
                        .gpus = (int)pr.gpus,
                        .count = (int)pr.count,
                        .cost = pr.cost,
                        .strategy = strategy,
                        .line = n->line,
                        .col = n->col};
    return pr.names.n ? read_names(c, n, &pr, p) : 0;
}

int mp_read_node_pools(const mp_db *db, const mp_schema_ctx *c,
                       const mp_ynode *n, mp_request *r)
{
    int rc = mp_schema_need_list(c, n, "nodes", MP_MAX_FLEET, "node pools",
                                 "; list the pools, e.g. - {pool: dgx, model: "
                                 "h100, gpus: 8, count: 2}");
    if (rc)
        return rc;
    for (size_t i = 0; i < n->nkids; i++) {
        mp_node_pool *p = &r->pools[r->n_pools];
        rc = read_pool(db, c, n->kids[i], p);
        if (rc)
            return rc;
        for (int k = 0; k < r->n_pools; k++)
            if (strcmp(r->pools[k].name, p->name) == 0)
                return mp_schema_err(c, mp_ymap_get(n->kids[i], "pool", NULL),
                                     MP_ESCHEMA,
                                     "pool %s is already defined (line %d); "
                                     "pool names must be unique",
                                     p->name, r->pools[k].line);
        mp_fleet_item *it = &r->fleet[r->n_pools++];
        it->model = p->model;
        it->count = p->count < 0 ? -1 : p->count * p->gpus;
        it->cost = p->cost / p->gpus;
        it->node_gpus = p->gpus;
        it->line = p->line;
        it->col = p->col;
        r->n_fleet = r->n_pools;
    }
    return check_unique_names(c, n, r);
}

int mp_read_spread(const mp_schema_ctx *c, const mp_ynode *n, mp_tenant *t)
{
    mp_yval v;
    mp_yvkind k = mp_ynode_resolve(n, &v);
    if (k == MP_YV_BOOL) {
        t->spread = v.b;
        return 0;
    }
    if (k == MP_YV_STR && strcmp(n->str, "gpus") == 0) {
        t->spread = true;
        return 0;
    }
    if (k == MP_YV_STR && strcmp(n->str, "nodes") == 0) {
        t->spread = t->spread_nodes = true;
        return 0;
    }
    return mp_schema_err(c, n, MP_ESCHEMA,
                         "spread is nodes, gpus, true (= gpus) or false, not "
                         "'%s'",
                         n->kind == MP_YNODE_SCALAR ? n->str : "a list or map");
}

int mp_read_node_keys(const mp_schema_ctx *c, const mp_ynode *tn, mp_request *r)
{
    for (int i = 0; i < r->n_tenants; i++) {
        mp_tenant *t = &r->tenants[i];
        const mp_ynode *n = tn->kids[i];
        const mp_ynode *same = mp_ymap_get(n, "same-profile", NULL);
        t->same_profile = r->n_pools > 0 && !t->whole_gpu;
        if (same && r->n_pools == 0)
            return mp_schema_err(c, same, MP_ESCHEMA,
                                 "same-profile needs node pools (nodes:); "
                                 "with fleet: a tenant's replicas may get "
                                 "different profiles");
        if (same) {
            mp_yval v;
            if (mp_ynode_resolve(same, &v) != MP_YV_BOOL)
                return mp_schema_err(c, same, MP_ESCHEMA,
                                     "same-profile is true or false");
            t->same_profile = v.b && !t->whole_gpu;
        }
        if (t->spread_nodes && r->n_pools == 0)
            return mp_schema_err(c, mp_ymap_get(n, "spread", NULL), MP_ESCHEMA,
                                 "spread: nodes needs node pools (nodes:); "
                                 "with fleet: write spread: gpus");
    }
    return 0;
}
