/* SPDX-License-Identifier: Apache-2.0 */
/* schema.c - declarative field tables for the YAML formats migplan owns. */
#include "migplan/yaml/schema.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int mp_schema_err(const mp_schema_ctx *c, const mp_ynode *n, int code,
                  const char *fmt, ...)
{
    char msg[sizeof(((mp_diag *)0)->msg)];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return mp_diag_set(c->d, code, c->path, n ? n->line : 0, n ? n->col : 0,
                       "%s", msg);
}

int mp_schema_need_seq(const mp_schema_ctx *c, const mp_ynode *n,
                       const char *what)
{
    if (n && n->kind == MP_YNODE_SEQ)
        return 0;
    mp_yval v;
    return mp_schema_err(c, n, MP_ESCHEMA, "%s must be a list, not a %s", what,
                         n ? mp_yvkind_name(mp_ynode_resolve(n, &v)) : "null");
}

int mp_schema_need_list(const mp_schema_ctx *c, const mp_ynode *n,
                        const char *what, size_t most, const char *items,
                        const char *empty_hint)
{
    int rc = mp_schema_need_seq(c, n, what);
    if (rc)
        return rc;
    if (n->nkids == 0)
        return mp_schema_err(c, n, MP_ESCHEMA, "%s is empty%s", what,
                             empty_hint);
    if (n->nkids > most)
        return mp_schema_err(c, n, MP_ELIMIT, "more than %zu %s (limit)", most,
                             items);
    return 0;
}

int mp_schema_str(const mp_schema_ctx *c, const mp_ynode *n, const char *what,
                  const char **out)
{
    mp_yval v;
    mp_yvkind k = mp_ynode_resolve(n, &v);
    if (k != MP_YV_STR) {
        if (n->kind == MP_YNODE_SCALAR && k != MP_YV_NULL)
            return mp_schema_err(c, n, MP_ESCHEMA,
                                 "%s must be a string, but %s reads as a %s "
                                 "in YAML; quote it: \"%s\"",
                                 what, n->str, mp_yvkind_name(k), n->str);
        return mp_schema_err(c, n, MP_ESCHEMA, "%s must be a string, not a %s",
                             what, mp_yvkind_name(k));
    }
    if (strlen(n->str) != n->len)
        return mp_schema_err(c, n, MP_ESCHEMA, "%s contains a NUL character",
                             what);
    *out = mp_arena_strndup(c->arena, n->str, n->len);
    if (!*out)
        return mp_schema_err(c, n, MP_ENOMEM, "out of memory");
    return 0;
}

static void list_keys(const mp_field *f, size_t n, char *buf, size_t len)
{
    size_t k = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && k + 1 < len; i++) {
        int w = snprintf(buf + k, len - k, "%s%s", i ? ", " : "", f[i].key);
        if (w < 0)
            break;
        k += (size_t)w;
    }
}

static int read_int(const mp_schema_ctx *c, const mp_ynode *n,
                    const mp_field *f, void *dst)
{
    mp_yval v;
    mp_yvkind k = mp_ynode_resolve(n, &v);
    bool ranged = f->min <= f->max;
    if (k == MP_YV_UINT || (k == MP_YV_FLOAT && isfinite(v.f) &&
                            v.f == floor(v.f) && fabs(v.f) > 9e18)) {
        if (ranged)
            return mp_schema_err(c, n, MP_ESCHEMA,
                                 "%s: %s is too large; the maximum is %lld",
                                 f->key, n->str, f->max);
        return mp_schema_err(c, n, MP_ESCHEMA, "%s: %s does not fit in 64 bits",
                             f->key, n->str);
    }
    if (k != MP_YV_INT)
        return mp_schema_err(
            c, n, MP_ESCHEMA, "%s must be a whole number, not %s%s%s", f->key,
            n->kind == MP_YNODE_SCALAR ? "\"" : "a ",
            n->kind == MP_YNODE_SCALAR ? n->str : mp_yvkind_name(k),
            n->kind == MP_YNODE_SCALAR ? "\"" : "");
    if (ranged && (v.i < f->min || v.i > f->max))
        return mp_schema_err(c, n, MP_ESCHEMA,
                             "%s must be between %lld and %lld, not %lld",
                             f->key, f->min, f->max, (long long)v.i);
    *(long long *)dst = (long long)v.i;
    return 0;
}

static int read_num(const mp_schema_ctx *c, const mp_ynode *n,
                    const mp_field *f, void *dst)
{
    mp_yval v;
    mp_yvkind k = mp_ynode_resolve(n, &v);
    double x;
    if (k == MP_YV_INT)
        x = (double)v.i;
    else if (k == MP_YV_UINT)
        x = (double)v.u;
    else if (k == MP_YV_FLOAT && isfinite(v.f))
        x = v.f;
    else
        return mp_schema_err(
            c, n, MP_ESCHEMA, "%s must be a number, not %s", f->key,
            n->kind == MP_YNODE_SCALAR ? n->str : mp_yvkind_name(k));
    if (f->min <= f->max && (x < (double)f->min || x > (double)f->max))
        return mp_schema_err(c, n, MP_ESCHEMA,
                             "%s must be between %lld and %lld, not %s", f->key,
                             f->min, f->max, n->str);
    *(double *)dst = x;
    return 0;
}

static int read_strlist(const mp_schema_ctx *c, const mp_ynode *n,
                        const mp_field *f, mp_strlist *dst)
{
    if (n->kind == MP_YNODE_SCALAR) {
        dst->v = mp_arena_alloc(c->arena, sizeof(*dst->v));
        if (!dst->v)
            return mp_schema_err(c, n, MP_ENOMEM, "out of memory");
        dst->n = 1;
        return mp_schema_str(c, n, f->key, &dst->v[0]);
    }
    if (n->kind != MP_YNODE_SEQ)
        return mp_schema_err(c, n, MP_ESCHEMA,
                             "%s must be a list of strings, not a map", f->key);
    dst->v =
        mp_arena_alloc(c->arena, (n->nkids ? n->nkids : 1) * sizeof(*dst->v));
    if (!dst->v)
        return mp_schema_err(c, n, MP_ENOMEM, "out of memory");
    for (size_t i = 0; i < n->nkids; i++) {
        int rc = mp_schema_str(c, n->kids[i], f->key, &dst->v[i]);
        if (rc)
            return rc;
    }
    dst->n = (int)n->nkids;
    return 0;
}

static int read_value(const mp_schema_ctx *c, const mp_field *f,
                      const mp_ynode *v, void *out)
{
    void *dst = (char *)out + f->offset;
    switch (f->type) {
    case MP_F_STR:
        return mp_schema_str(c, v, f->key, (const char **)dst);
    case MP_F_INT:
        return read_int(c, v, f, dst);
    case MP_F_NUM:
        return read_num(c, v, f, dst);
    case MP_F_BOOL: {
        mp_yval bv;
        if (mp_ynode_resolve(v, &bv) != MP_YV_BOOL)
            return mp_schema_err(
                c, v, MP_ESCHEMA, "%s must be true or false, not %s", f->key,
                v->kind == MP_YNODE_SCALAR ? v->str : mp_yvkind_name(bv.kind));
        *(bool *)dst = bv.b;
        return 0;
    }
    case MP_F_STRLIST:
        return read_strlist(c, v, f, (mp_strlist *)dst);
    case MP_F_NODE:
        *(const mp_ynode **)dst = v;
        return 0;
    }
    return 0;
}

/* Explicit keys first (a duplicate is an error), then keys that came from
 * merge keys (<<) and were not given explicitly, the last merged one
 * winning as in go-yaml. */
int mp_schema_read(const mp_schema_ctx *c, const mp_ynode *map,
                   const char *what, const mp_field *fields, size_t nfields,
                   void *out, uint64_t *present)
{
    uint64_t seen = 0;
    if (!map || map->kind != MP_YNODE_MAP) {
        mp_yval v;
        return mp_schema_err(
            c, map, MP_ESCHEMA,
            "a %s must be a map of keys to values, not a %s", what,
            map ? mp_yvkind_name(mp_ynode_resolve(map, &v)) : "null");
    }
    size_t pairs = map->nkids / 2;
    for (int pass = 0; pass < 2; pass++) {
        for (size_t q = 0; q < pairs; q++) {
            size_t p = pass == 0 ? q : pairs - 1 - q;
            if (map->from_merge[p] != pass)
                continue;
            const mp_ynode *k = map->kids[2 * p], *v = map->kids[2 * p + 1];
            mp_yval kv;
            if (mp_ynode_resolve(k, &kv) != MP_YV_STR)
                return mp_schema_err(c, k, MP_ESCHEMA,
                                     "%s keys must be strings, not a %s", what,
                                     mp_yvkind_name(kv.kind));
            size_t i;
            for (i = 0; i < nfields; i++)
                if (strcmp(fields[i].key, k->str) == 0)
                    break;
            if (i == nfields) {
                char keys[600];
                list_keys(fields, nfields, keys, sizeof(keys));
                return mp_schema_err(c, k, MP_ESCHEMA,
                                     "unknown key '%s' in a %s; valid keys: "
                                     "%s",
                                     k->str, what, keys);
            }
            if (seen & (UINT64_C(1) << i)) {
                if (pass == 1)
                    continue;
                return mp_schema_err(c, k, MP_ESCHEMA,
                                     "duplicate key '%s' in a %s; give it "
                                     "once",
                                     k->str, what);
            }
            seen |= UINT64_C(1) << i;
            int rc = read_value(c, &fields[i], v, out);
            if (rc)
                return rc;
        }
    }
    for (size_t i = 0; i < nfields; i++)
        if (fields[i].required && !(seen & (UINT64_C(1) << i)))
            return mp_schema_err(c, map, MP_ESCHEMA,
                                 "this %s is missing the required key '%s'",
                                 what, fields[i].key);
    if (present)
        *present = seen;
    return 0;
}
