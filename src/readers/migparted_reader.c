/* SPDX-License-Identifier: Apache-2.0 */
/* migparted_reader.c - read mig-parted config files as mig-parted does.
 *
 * mig-parted turns the YAML (go-yaml v2, YAML 1.1) into JSON and decodes it
 * with hand-written UnmarshalJSON methods (api/spec/v1/spec.go). This file
 * follows the same decisions in the same order and reproduces the texts
 * mig-parted prints, but reports every problem instead of the first. */
#include "migplan/readers/migparted_reader.h"

#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migplan/model/profname.h"

#define DECODE_PREFIX                                                          \
    "Error parsing config file: unmarshal error: error unmarshaling JSON: "    \
    "while decoding JSON: "
#define CONVERT_PREFIX                                                         \
    "Error parsing config file: unmarshal error: error converting YAML to "    \
    "JSON: "

/* which of several rejections mig-parted reports: conversion problems stop
 * it before decoding, the version is checked before everything else */
enum { LVL_CONVERT = 0, LVL_VERSION = 1, LVL_DECODE = 2, LVL_NONE = 9 };

typedef struct rd {
    mp_mp_file *file;
    mp_findings *f;
    const char *path;
    mp_arena *a;
    int level; /* of the rejection chosen as mig-parted's message */
} rd;

typedef struct pair {
    const char *key;
    const mp_ynode *k, *v;
    bool merged; /* came from a << merge key */
} pair;

static void pos(const mp_ynode *n, int *line, int *col)
{
    *line = n ? n->line : 0;
    *col = n ? n->col : 0;
}

/* A finding at node at (NULL: no position): what note and reject share. */
static mp_finding *notev(rd *r, const mp_ynode *at, mp_severity sev,
                         const char *code, const char *fmt, va_list ap)
{
    char msg[900];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    int line, col;
    pos(at, &line, &col);
    return mp_findings_add(r->f, sev, code, r->path, line, col, "%s", msg);
}

/* A rejection mig-parted would also make: our message plus its text. */
static void reject(rd *r, const mp_ynode *at, int level, const char *code,
                   const char *mp_text, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 6, 7)))
#endif
    ;

static void reject(rd *r, const mp_ynode *at, int level, const char *code,
                   const char *mp_text, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    mp_finding *x = notev(r, at, MP_SEV_ERROR, code, fmt, ap);
    va_end(ap);
    char full[1100];
    snprintf(full, sizeof(full), "%s%.1000s",
             level == LVL_CONVERT ? CONVERT_PREFIX : DECODE_PREFIX, mp_text);
    mp_finding_set_migparted(r->f, x, full);
    r->file->parsed = false;
    if (level < r->level) {
        r->level = level;
        snprintf(r->file->migparted_error, sizeof(r->file->migparted_error),
                 "%s", full);
    }
}

static mp_finding *note(rd *r, const mp_ynode *at, mp_severity sev,
                        const char *code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

static mp_finding *note(rd *r, const mp_ynode *at, mp_severity sev,
                        const char *code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    mp_finding *x = notev(r, at, sev, code, fmt, ap);
    va_end(ap);
    return x;
}

/* ---------------------------------------------------- JSON type rules */

/* The JSON kind a YAML node becomes: Go's names in unmarshal errors. */
static const char *jkind(const mp_ynode *n)
{
    mp_yval v;
    switch (mp_ynode_resolve(n, &v)) {
    case MP_YV_NULL:
        return "null";
    case MP_YV_BOOL:
        return "bool";
    case MP_YV_INT:
    case MP_YV_UINT:
    case MP_YV_FLOAT:
        return "number";
    case MP_YV_STR:
        return "string";
    case MP_YV_SEQ:
        return "array";
    case MP_YV_MAP:
        return "object";
    }
    return "value";
}

/* "a map" / "an object" */
static const char *a_kind(const mp_ynode *n)
{
    const char *k = jkind(n);
    return (k[0] == 'a' || k[0] == 'o') ? "an" : "a";
}

static bool is_null(const mp_ynode *n)
{
    mp_yval v;
    return mp_ynode_resolve(n, &v) == MP_YV_NULL;
}

static bool is_kind(const mp_ynode *n, mp_yvkind k)
{
    mp_yval v;
    return mp_ynode_resolve(n, &v) == k;
}

/* What a Go string decodes from v: its text, "" for null, or NULL when v is
 * no string. */
static const char *go_string(const mp_ynode *v)
{
    return is_null(v) ? "" : is_kind(v, MP_YV_STR) ? v->str : NULL;
}

static void type_err(char *buf, size_t n, const mp_ynode *v, const char *type)
{
    snprintf(buf, n, "json: cannot unmarshal %s into Go value of type %s",
             jkind(v), type);
}

/* mig-parted's text, into t, for a value v that it decodes as a string or
 * else as a list, and neither decoded (e2 says why the list did not);
 * returns t. */
static const char *neither(char *t, size_t n, const mp_ynode *v, const char *e2)
{
    char e1[200];
    type_err(e1, sizeof(e1), v, "string");
    snprintf(t, n, "(%s, %s)", e1, e2);
    return t;
}

/* Decode into a Go int: null is 0; integral floats pass through JSON as
 * integers. On failure err gets encoding/json's text. */
static bool decode_int(const mp_ynode *n, long long *out, char *err,
                       size_t errlen)
{
    mp_yval v;
    char num[64];
    switch (mp_ynode_resolve(n, &v)) {
    case MP_YV_NULL:
        *out = 0;
        return true;
    case MP_YV_INT:
        *out = v.i;
        return true;
    case MP_YV_UINT:
        snprintf(err, errlen,
                 "json: cannot unmarshal number %llu into Go value of type "
                 "int",
                 (unsigned long long)v.u);
        return false;
    case MP_YV_FLOAT:
        mp_go_json_float(v.f, num, sizeof(num));
        if (isfinite(v.f) && v.f == floor(v.f) && fabs(v.f) < 9.2e18 &&
            !strpbrk(num, "e.")) {
            *out = (long long)v.f;
            return true;
        }
        snprintf(err, errlen,
                 "json: cannot unmarshal number %s into Go value of type int",
                 num);
        return false;
    default:
        type_err(err, errlen, n, "int");
        return false;
    }
}

/* ------------------------------------------------ YAML-to-JSON problems */

/* Conversion to JSON fails for the whole document on keys JSON cannot
 * hold and on NaN/Inf values, before anything is decoded. */
static void conversion_pass(rd *r, const mp_ynode *n, int depth)
{
    if (!n || depth > 80)
        return;
    if (n->kind == MP_YNODE_SCALAR) {
        mp_yval v;
        if (mp_ynode_resolve(n, &v) == MP_YV_FLOAT && !isfinite(v.f)) {
            char t[120];
            snprintf(t, sizeof(t), "json: unsupported value: %s",
                     isnan(v.f) ? "NaN" : (v.f > 0 ? "+Inf" : "-Inf"));
            reject(r, n, LVL_CONVERT, "not-json", t,
                   "'%s' is not a number JSON can hold; mig-parted "
                   "rejects the whole file",
                   n->str);
        }
        return;
    }
    for (size_t i = 0; i < n->nkids; i++) {
        if (n->kind == MP_YNODE_MAP && i % 2 == 0) {
            char key[256];
            const char *why = NULL;
            if (!mp_ykey_string(n->kids[i], key, sizeof(key), &why)) {
                char t[200];
                snprintf(t, sizeof(t), "unsupported map key (%s)",
                         why ? why : "?");
                reject(r, n->kids[i], LVL_CONVERT, "bad-key", t,
                       "%s cannot be a key here: mig-parted converts YAML to "
                       "JSON, whose keys are strings",
                       why ? why : "this key");
            }
        }
        if (n->kind == MP_YNODE_MAP && i % 2 == 0 && n->from_merge[i / 2])
            continue; /* merged pairs were checked where they were written */
        conversion_pass(r, n->kids[i], depth + 1);
    }
}

/* The maps of a config file: the Go type mig-parted decodes each into
 * (named in its errors), what it must be (our hint when it is no map) and
 * how a duplicate-key finding names it. */
typedef struct map_kind {
    const char *go_type, *should, *what;
} map_kind;

static const map_kind top_map = {
    "map[string]json.RawMessage",
    "a mig-parted config is a map with 'version: v1' and 'mig-configs'",
    "the top level"};
static const map_kind configs_map = {
    "map[string]v1.MigConfigSpecSlice",
    "mig-configs must map config names to lists of entries", "mig-configs"};
static const map_kind entry_map = {
    "map[string]json.RawMessage",
    "each entry must be a map with devices, mig-enabled and mig-devices",
    "an entry"};
static const map_kind devices_map = {
    "types.MigConfig",
    "mig-devices must map profile names to counts, e.g. {\"1g.10gb\": 7}",
    "mig-devices"};

/* The pairs of map as mig-parted ends up with them: keys as JSON strings,
 * the last of duplicate keys winning. Duplicates are reported (mig-parted
 * keeps the last one silently). Returns the number of pairs, or -1 when
 * map is no map: then it is rejected with encoding/json's text and a hint
 * saying what it must be. */
static int map_pairs(rd *r, const mp_ynode *map, const map_kind *mk, pair **out)
{
    *out = NULL;
    if (map->kind != MP_YNODE_MAP) {
        char err[200];
        type_err(err, sizeof(err), map, mk->go_type);
        reject(r, map, LVL_DECODE, "bad-type", err, "%s, not %s %s", mk->should,
               a_kind(map), jkind(map));
        return -1;
    }
    size_t np = map->nkids / 2;
    pair *p = mp_arena_alloc(r->a, (np ? np : 1) * sizeof(*p));
    *out = p;
    if (!p)
        return 0;
    int n = 0;
    for (size_t i = 0; i < np; i++) {
        const mp_ynode *k = map->kids[2 * i], *v = map->kids[2 * i + 1];
        char key[512];
        if (!mp_ykey_string(k, key, sizeof(key), NULL))
            continue; /* reported by the conversion pass */
        int found = -1;
        for (int j = 0; j < n; j++)
            if (strcmp(p[j].key, key) == 0)
                found = j;
        if (found >= 0) {
            /* overriding a merged default is what merge keys are for */
            if (!map->from_merge[i] && !p[found].merged)
                note(r, k, MP_SEV_ERROR, "duplicate-key",
                     "duplicate key '%s' in %s (first at line %d); mig-parted "
                     "silently keeps the last one, so the first is ignored",
                     key, mk->what, p[found].k->line);
            p[found].k = k;
            p[found].v = v;
            p[found].merged = map->from_merge[i];
            continue;
        }
        p[n].key = mp_arena_strdup(r->a, key);
        p[n].k = k;
        p[n].v = v;
        p[n].merged = map->from_merge[i];
        n++;
    }
    return n;
}

static const pair *find_pair(const pair *p, int n, const char *key)
{
    for (int i = 0; i < n; i++)
        if (strcmp(p[i].key, key) == 0)
            return &p[i];
    return NULL;
}

/* ------------------------------------------------------- device filter */

/* Go strconv.ParseUint(s, 0, 32), as mig-parted reads a device ID. */
static bool go_parse_u32(const char *s, uint32_t *out)
{
    uint64_t v;
    if (!mp_go_parse_uint(s, UINT32_MAX, &v))
        return false;
    *out = (uint32_t)v;
    return true;
}

bool mp_mp_parse_filter(const char *s, mp_mp_filter *out)
{
    memset(out, 0, sizeof(*out));
    out->text = s;
    const char *colon = strchr(s, ':');
    if (colon && strchr(colon + 1, ':'))
        return false;
    char first[64];
    size_t fl = colon ? (size_t)(colon - s) : strlen(s);
    if (fl >= sizeof(first))
        return false;
    memcpy(first, s, fl);
    first[fl] = '\0';
    if (!go_parse_u32(first, &out->device))
        return false;
    if (colon) {
        if (!go_parse_u32(colon + 1, &out->subsystem))
            return false;
        out->has_subsystem = true;
    }
    out->valid = true;
    return true;
}

bool mp_mp_filter_matches(const mp_mp_entry *e, uint32_t device,
                          uint32_t subsystem)
{
    if (!e->has_filter)
        return true;
    for (int i = 0; i < e->n_filters; i++) {
        const mp_mp_filter *f = &e->filters[i];
        /* an unparsable filter becomes DeviceID{} and matches nothing */
        uint32_t fd = f->valid ? f->device : 0;
        if (fd != device)
            continue;
        if (f->valid && f->has_subsystem && f->subsystem != subsystem)
            continue;
        return true;
    }
    return false;
}

bool mp_mp_selects(const mp_mp_entry *e, int index)
{
    if (e->devices_all)
        return true;
    for (int i = 0; i < e->n_devices; i++)
        if (e->devices[i] == index)
            return true;
    return false;
}

static void read_filter_string(rd *r, mp_mp_entry *e, const mp_ynode *n,
                               const char *s)
{
    mp_mp_filter *f = &e->filters[e->n_filters++];
    mp_mp_parse_filter(mp_arena_strdup(r->a, s), f);
    f->line = n->line;
    f->col = n->col;
    if (!f->valid) {
        note(r, n, MP_SEV_ERROR, "bad-device-filter",
             "device-filter '%s' is not a PCI device ID like \"0x233010DE\" "
             "or \"0x233010DE:0x16C010DE\"; mig-parted ignores filters it "
             "cannot parse, so this entry silently applies to no GPU",
             s);
    } else if ((f->device & 0xFFFFu) != 0x10DEu) {
        note(r, n, MP_SEV_ERROR, "bad-device-filter",
             "device-filter '%s' names vendor 0x%04X, not NVIDIA's 0x10DE, so "
             "it matches no GPU; write 8 hex digits, the device then 10DE "
             "(e.g. 0x20B010DE)",
             s, f->device & 0xFFFFu);
    }
}

static void read_device_filter(rd *r, mp_mp_entry *e, const mp_ynode *v)
{
    char e2[200], t[420];
    pos(v, &e->filter_line, &e->filter_col);
    const char *s = go_string(v);
    if (s) {
        if (!*s)
            return; /* "" means no filter */
        e->has_filter = true;
        e->filters = mp_arena_alloc(r->a, sizeof(*e->filters));
        if (e->filters)
            read_filter_string(r, e, v, s);
        return;
    }
    if (v->kind == MP_YNODE_SEQ) {
        for (size_t i = 0; i < v->nkids; i++) {
            const mp_ynode *it = v->kids[i];
            if (!go_string(it)) {
                type_err(e2, sizeof(e2), it, "string");
                reject(
                    r, it, LVL_DECODE, "bad-type", neither(t, sizeof(t), v, e2),
                    "device-filter entries must be quoted strings such as "
                    "\"0x20B010DE\"; %s reads as a %s in YAML",
                    it->kind == MP_YNODE_SCALAR ? it->str : "this", jkind(it));
                return;
            }
        }
        e->has_filter = v->nkids > 0;
        e->filters = mp_arena_alloc(r->a, (v->nkids ? v->nkids : 1) *
                                              sizeof(*e->filters));
        if (!e->filters)
            return;
        for (size_t i = 0; i < v->nkids; i++)
            read_filter_string(r, e, v->kids[i], go_string(v->kids[i]));
        return;
    }
    type_err(e2, sizeof(e2), v, "[]string");
    reject(r, v, LVL_DECODE, "bad-type", neither(t, sizeof(t), v, e2),
           "device-filter must be a quoted string or a list of quoted "
           "strings such as [\"0x20B010DE\"]%s",
           is_kind(v, MP_YV_INT) ? "; an unquoted 0x... is a number in YAML"
                                 : "");
}

static void read_devices(rd *r, mp_mp_entry *e, const mp_ynode *v)
{
    char e2[200], t[420];
    pos(v, &e->devices_line, &e->devices_col);
    const char *s = go_string(v);
    if (s) {
        if (strcmp(s, "all") == 0) {
            e->devices_all = true;
            return;
        }
        snprintf(t, sizeof(t), "invalid string input for 'devices': %s", s);
        reject(r, v, LVL_DECODE, "bad-devices", t,
               "devices must be \"all\" or a list of GPU indices like [0, 1], "
               "not '%s'",
               s);
        return;
    }
    if (v->kind != MP_YNODE_SEQ) {
        type_err(e2, sizeof(e2), v, "[]int");
        reject(r, v, LVL_DECODE, "bad-devices", neither(t, sizeof(t), v, e2),
               "devices must be \"all\" or a list of GPU indices; write [%s] "
               "rather than %s",
               v->kind == MP_YNODE_SCALAR ? v->str : "0",
               v->kind == MP_YNODE_SCALAR ? v->str : "a map");
        return;
    }
    e->devices =
        mp_arena_alloc(r->a, (v->nkids ? v->nkids : 1) * sizeof(*e->devices));
    if (!e->devices)
        return;
    for (size_t i = 0; i < v->nkids; i++) {
        long long d;
        if (!decode_int(v->kids[i], &d, e2, sizeof(e2))) {
            reject(r, v->kids[i], LVL_DECODE, "bad-devices",
                   neither(t, sizeof(t), v, e2),
                   "GPU indices must be whole numbers, not %s",
                   v->kids[i]->kind == MP_YNODE_SCALAR ? v->kids[i]->str
                                                       : "a list or map");
            e->n_devices = 0;
            return;
        }
        if (d < 0)
            note(r, v->kids[i], MP_SEV_ERROR, "device-index",
                 "GPU index %lld can never match a GPU; mig-parted ignores it "
                 "silently",
                 d);
        for (int j = 0; j < e->n_devices; j++)
            if (e->devices[j] == d) {
                note(r, v->kids[i], MP_SEV_WARNING, "duplicate-device",
                     "GPU %lld is listed twice in devices", d);
                break;
            }
        e->devices[e->n_devices++] = d;
    }
    if (v->nkids == 0)
        note(r, v, MP_SEV_WARNING, "no-devices",
             "devices: [] selects no GPU, so this entry does nothing");
}

/* A count mig-parted's json.Unmarshal cannot decode: out of int64 range
 * when written as digits, otherwise not a number at all. */
static void reject_count(rd *r, const mp_mp_device *d, const mp_ynode *v,
                         const char *err)
{
    const char *sv = v->kind == MP_YNODE_SCALAR ? v->str : "";
    size_t k = (sv[0] == '-' || sv[0] == '+') ? 1 : 0;
    bool digits = v->kind == MP_YNODE_SCALAR && v->plain && sv[k] != '\0' &&
                  strspn(sv + k, "0123456789") == strlen(sv + k);
    if (digits)
        reject(r, v, LVL_DECODE, "bad-count", err,
               "the count of %s is out of range: mig-parted reads counts as "
               "64-bit integers; a GPU holds at most 7 instances",
               d->name);
    else
        reject(r, v, LVL_DECODE, "bad-count", err,
               "the count of %s must be a whole number, not %s", d->name,
               v->kind == MP_YNODE_SCALAR ? v->str : "a list or map");
}

/* Decode every name and count into e->devs; false when some count does
 * not decode (json.Unmarshal then fails before any format check). */
static bool decode_devices(rd *r, mp_mp_entry *e, const pair *p, int n)
{
    char err[200];
    bool ok = true;
    for (int i = 0; i < n; i++) {
        mp_mp_device *d = &e->devs[e->n_devs++];
        d->name = p[i].key;
        pos(p[i].k, &d->line, &d->col);
        pos(p[i].v, &d->vline, &d->vcol);
        long long c;
        if (!decode_int(p[i].v, &c, err, sizeof(err))) {
            reject_count(r, d, p[i].v, err);
            ok = false;
            continue;
        }
        d->count = c < 0 ? 0 : c;
        d->count_ok = c >= 0;
    }
    return ok;
}

/* mig-parted's format check of one decoded pair (a profile name, a
 * non-negative count), then what makes its assert fail forever: a
 * non-canonical name, a zero count. */
static void check_device(rd *r, const mp_mp_device *d, const pair *p)
{
    char t[700], err[200], why[400];
    mp_profname pn;
    if (!mp_profname_parse(d->name, strlen(d->name), &pn, why, sizeof(why))) {
        snprintf(t, sizeof(t),
                 "error validating values in 'mig-devices' field: invalid "
                 "format for '%s': %s",
                 d->name, why);
        reject(r, p->k, LVL_DECODE, "bad-profile-name", t,
               "'%s' is not a MIG profile name (like 1g.10gb, 1c.3g.40gb or "
               "1g.10gb+me): %s",
               d->name, why);
        return;
    }
    long long raw;
    decode_int(p->v, &raw, err, sizeof(err));
    if (raw < 0) {
        snprintf(t, sizeof(t),
                 "error validating values in 'mig-devices' field: invalid "
                 "count for '%lld': <nil>",
                 raw);
        reject(r, p->v, LVL_DECODE, "negative-count", t,
               "the count of %s is %lld; counts cannot be negative", d->name,
               raw);
        return;
    }
    char canon[96];
    mp_profname_format(&pn, canon, sizeof(canon));
    if (strcmp(canon, d->name) != 0)
        note(r, p->k, MP_SEV_WARNING, "non-canonical-name",
             "'%s' is not how mig-parted writes this profile; its assert "
             "compares names as text and never passes, so apply redoes the "
             "GPU every time; write %s",
             d->name, canon);
    if (raw == 0)
        note(r, p->v, MP_SEV_WARNING, "zero-count",
             "a zero count for %s makes mig-parted's assert fail forever (it "
             "compares the maps by size), so apply redoes the GPU every "
             "time; remove the key",
             d->name);
}

static void read_mig_devices(rd *r, mp_mp_entry *e, const mp_ynode *v)
{
    pos(v, &e->devs_line, &e->devs_col);
    if (is_null(v))
        return;
    pair *p;
    int n = map_pairs(r, v, &devices_map, &p);
    if (n < 0)
        return;
    e->has_mig_devices = true;
    e->devs = mp_arena_alloc(r->a, (n ? (size_t)n : 1) * sizeof(*e->devs));
    if (!e->devs || !decode_devices(r, e, p, n))
        return;
    bool any_positive = false, all_valid = true;
    for (int i = 0; i < e->n_devs; i++) {
        any_positive |= e->devs[i].count > 0;
        all_valid &= e->devs[i].count_ok;
    }
    for (int i = 0; i < e->n_devs; i++)
        check_device(r, &e->devs[i], &p[i]);
    if (e->n_devs > 0 && !any_positive && all_valid)
        reject(r, v, LVL_DECODE, "all-zero",
               "error validating values in 'mig-devices' field: all counts "
               "for all MigProfiles are 0",
               "every count in mig-devices is 0; use `mig-devices: {}` to "
               "enable MIG without instances");
}

static void read_entry(rd *r, const mp_ynode *n, mp_mp_entry *e)
{
    char err[200];
    pos(n, &e->line, &e->col);
    if (is_null(n)) {
        reject(r, n, LVL_DECODE, "missing-field",
               "missing required field: devices",
               "an empty entry; each entry needs devices and mig-enabled");
        return;
    }
    pair *p;
    int np = map_pairs(r, n, &entry_map, &p);
    if (np < 0)
        return;
    static const char *const required[] = {"devices", "mig-enabled"};
    for (int i = 0; i < 2; i++)
        if (!find_pair(p, np, required[i])) {
            char t[100];
            snprintf(t, sizeof(t), "missing required field: %s", required[i]);
            reject(r, n, LVL_DECODE, "missing-field", t,
                   "this entry has no '%s'; every entry needs devices and "
                   "mig-enabled",
                   required[i]);
        }
    for (int i = 0; i < np; i++) {
        const char *k = p[i].key;
        const mp_ynode *v = p[i].v;
        if (strcmp(k, "device-filter") == 0) {
            read_device_filter(r, e, v);
        } else if (strcmp(k, "devices") == 0) {
            read_devices(r, e, v);
        } else if (strcmp(k, "mig-enabled") == 0) {
            mp_yval bv;
            mp_yvkind kind = mp_ynode_resolve(v, &bv);
            if (kind == MP_YV_BOOL) {
                e->mig_enabled = bv.b;
                if (v->plain && strcmp(v->str, "true") != 0 &&
                    strcmp(v->str, "false") != 0)
                    note(r, v, MP_SEV_NOTE, "yaml11-bool",
                         "'%s' is read as %s (YAML 1.1); write %s", v->str,
                         bv.b ? "true" : "false", bv.b ? "true" : "false");
            } else if (kind != MP_YV_NULL) {
                type_err(err, sizeof(err), v, "bool");
                reject(r, v, LVL_DECODE, "bad-type", err,
                       "mig-enabled must be true or false (unquoted), not %s",
                       v->kind == MP_YNODE_SCALAR ? v->str : "a list or map");
            } else {
                note(r, v, MP_SEV_WARNING, "null-enabled",
                     "mig-enabled has no value, which mig-parted reads as "
                     "false; write true or false");
            }
        } else if (strcmp(k, "mig-devices") == 0) {
            read_mig_devices(r, e, v);
        } else {
            char t[300];
            snprintf(t, sizeof(t), "unexpected field: %s", k);
            reject(r, p[i].k, LVL_DECODE, "unknown-field", t,
                   "unknown key '%s' in an entry; valid keys: device-filter, "
                   "devices, mig-enabled, mig-devices",
                   k);
        }
    }
    if (e->mig_enabled && !e->has_mig_devices)
        reject(r, n, LVL_DECODE, "missing-mig-devices",
               "missing required field 'mig-devices' when 'mig-enabled' is "
               "true",
               "mig-enabled is true but mig-devices is missing; give the "
               "profiles to create, or `mig-devices: {}` for none");
    if (!e->mig_enabled && e->n_devs > 0)
        reject(r, n, LVL_DECODE, "devices-when-disabled",
               "MIG devices included when 'mig-enabled' is false",
               "mig-devices lists profiles but mig-enabled is false; set "
               "mig-enabled: true or remove mig-devices");
}

static void read_configs(rd *r, const mp_ynode *v)
{
    pair *p = NULL;
    int np = is_null(v) ? 0 : map_pairs(r, v, &configs_map, &p);
    if (np < 0)
        return;
    if (np == 0) {
        reject(r, v, LVL_DECODE, "no-configs",
               "at least one entry in 'mig-configs' is required",
               "mig-configs is empty; it needs at least one named config");
        return;
    }
    r->file->configs = mp_arena_alloc(r->a, (size_t)np * sizeof(mp_mp_config));
    if (!r->file->configs)
        return;
    for (int i = 0; i < np; i++) {
        mp_mp_config *c = &r->file->configs[r->file->n_configs++];
        c->name = p[i].key;
        pos(p[i].k, &c->line, &c->col);
        mp_yval kv;
        mp_yvkind kk = mp_ynode_resolve(p[i].k, &kv);
        if (kk != MP_YV_STR)
            note(r, p[i].k, MP_SEV_WARNING, "config-name-type",
                 "config name %s reads as a %s in YAML 1.1, so mig-parted "
                 "calls it '%s' and `-c %s` will not find it; quote it",
                 p[i].k->str, mp_yvkind_name(kk), c->name, p[i].k->str);
        const mp_ynode *list = p[i].v;
        if (is_null(list) || (list->kind == MP_YNODE_SEQ && list->nkids == 0)) {
            char t[600];
            snprintf(t, sizeof(t), "at least one entry in '%s' is required",
                     c->name);
            reject(r, is_null(list) ? p[i].k : list, LVL_DECODE, "empty-config",
                   t, "config '%s' has no entries", c->name);
            continue;
        }
        if (list->kind != MP_YNODE_SEQ) {
            char err[200];
            type_err(err, sizeof(err), list, "v1.MigConfigSpecSlice");
            reject(r, list, LVL_DECODE, "bad-type", err,
                   "config '%s' must be a list of entries (each starting with "
                   "'-'), not %s %s",
                   c->name, a_kind(list), jkind(list));
            continue;
        }
        c->entries = mp_arena_alloc(r->a, list->nkids * sizeof(mp_mp_entry));
        if (!c->entries)
            return;
        for (size_t k = 0; k < list->nkids; k++) {
            mp_mp_entry *e = &c->entries[c->n_entries++];
            int before = r->f->n;
            read_entry(r, list->kids[k], e);
            e->ok = true;
            for (int x = before; x < r->f->n; x++)
                e->ok &= r->f->v[x].sev != MP_SEV_ERROR;
        }
    }
}

/* Where line `line` (1-based) of text starts, or NULL. */
static const char *line_at(const char *text, size_t len, int line)
{
    const char *p = text, *end = text + len;
    for (int l = 1; l < line && p < end; l++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            return NULL;
        p = nl + 1;
    }
    return p < end ? p : NULL;
}

/* The column (1-based) where line l's content starts, 0 for a blank or
 * comment line; *tab says it is indented with a tab. */
static int indent_of(const char *l, const char *end, bool *tab)
{
    int n = 0;
    *tab = false;
    for (; l < end && (*l == ' ' || *l == '\t'); l++, n++)
        *tab |= *l == '\t';
    return l >= end || *l == '\n' || *l == '\r' || *l == '#' ? 0 : n + 1;
}

/* libyaml's complaints that mean, nearly always, a line indented
 * differently from the lines it belongs with: a hint saying so. */
static void indent_hint(const char *text, size_t len, const mp_diag *d,
                        char *out, size_t n)
{
    static const char *const signs[] = {"expected key",
                                        "expected '-' indicator",
                                        "mapping values are not",
                                        "block sequence entries are not",
                                        "expected <block end>",
                                        "could not find expected ':'",
                                        "found character that cannot start"};
    out[0] = '\0';
    bool hit = false;
    for (size_t i = 0; i < sizeof(signs) / sizeof(signs[0]); i++)
        hit |= strstr(d->msg, signs[i]) != NULL;
    const char *l = hit ? line_at(text, len, d->line) : NULL;
    if (!l)
        return;
    bool tab, tab_above = false;
    int col = indent_of(l, text + len, &tab), above = 0, al = d->line;
    while (--al >= 1 && above == 0)
        above = indent_of(line_at(text, len, al), text + len, &tab_above);
    /* "- key: v" opens a mapping whose keys start after the dash */
    const char *al_text = above ? line_at(text, len, al + 1) : NULL;
    while (al_text && above > 0 && al_text + above < text + len &&
           al_text[above - 1] == '-' && al_text[above] == ' ')
        above += 2;
    if (tab || tab_above)
        snprintf(out, n,
                 " (line %d is indented with a tab: YAML allows only spaces)",
                 tab ? d->line : al + 1);
    else if (col > 0 && above > 0 && col != above)
        snprintf(out, n,
                 " (probably indentation: line %d starts at column %d, line "
                 "%d above it at column %d; the keys of one mapping, and the "
                 "items of one list, must start in the same column)",
                 d->line, col, al + 1, above);
    else
        snprintf(out, n,
                 " (probably indentation: check that line %d lines up with "
                 "the lines it belongs with)",
                 d->line);
}

/* The file is not YAML libyaml (and so go-yaml) can read: one finding
 * with mig-parted's own message (ours adds a hint when indentation is the
 * likely cause), and an empty document in out so that the caller frees it
 * the same way. */
static int yaml_failed(rd *r, mp_mp_file *out, int rc, mp_diag *d,
                       const char *text, size_t len)
{
    const char *path = r->path;
    /* go-yaml is a port of libyaml: it fails where libyaml fails */
    char t[1100];
    snprintf(t, sizeof(t), "yaml: line %d: %.1000s", d->line, d->msg);
    char hint[300] = "";
    if (rc != MP_ELIMIT)
        indent_hint(text, len, d, hint, sizeof(hint));
    mp_finding *x = mp_findings_add(
        r->f, MP_SEV_ERROR, rc == MP_ELIMIT ? "limit" : "yaml-syntax", path,
        d->line, d->col, "%s%s", d->msg, hint);
    char full[1100];
    snprintf(full, sizeof(full), "%s%.1000s", CONVERT_PREFIX, t);
    out->parsed = false;
    out->over_limit = rc == MP_ELIMIT;
    if (!out->over_limit) { /* a limit of migplan's is not mig-parted's */
        mp_finding_set_migparted(r->f, x, full);
        snprintf(out->migparted_error, sizeof(out->migparted_error), "%s",
                 full);
    }
    rc = mp_ydoc_parse("", 0, path, NULL, &out->doc, d);
    out->path = mp_arena_strdup(&out->doc.arena, path);
    return rc;
}

/* version: missing (when the map has any key), not a string, or not v1. */
static void read_version(rd *r, const mp_ynode *root, const pair *p, int np)
{
    const pair *ver = find_pair(p, np, "version");
    if (!ver) {
        if (np > 0)
            reject(r, root, LVL_VERSION, "missing-version",
                   "unable to parse with missing 'version' field",
                   "the file has no 'version'; add `version: v1` at the top");
        return;
    }
    const mp_ynode *v = ver->v;
    const char *s = go_string(v);
    if (s) {
        if (strcmp(s, "v1") != 0) {
            char t[300];
            snprintf(t, sizeof(t), "unknown version: %s", s);
            reject(r, v, LVL_VERSION, "bad-version", t,
                   "version must be v1 (the only version mig-parted knows), "
                   "not '%s'",
                   s);
        }
    } else {
        char err[200];
        type_err(err, sizeof(err), v, "string");
        reject(r, v, LVL_VERSION, "bad-version", err,
               "version must be the string v1, not %s",
               v->kind == MP_YNODE_SCALAR ? v->str : "a list or map");
    }
}

/* The top-level map: version, mig-configs and nothing else. */
static void read_top(rd *r, const mp_ynode *root)
{
    pair *p;
    int np = map_pairs(r, root, &top_map, &p);
    if (np < 0)
        return;
    read_version(r, root, p, np);
    for (int i = 0; i < np; i++) {
        if (strcmp(p[i].key, "version") == 0)
            continue;
        if (strcmp(p[i].key, "mig-configs") == 0) {
            read_configs(r, p[i].v);
            continue;
        }
        char t[300];
        snprintf(t, sizeof(t), "unexpected field: %s", p[i].key);
        reject(r, p[i].k, LVL_DECODE, "unknown-field", t,
               "unknown top-level key '%s'; a mig-parted config has only "
               "version and mig-configs",
               p[i].key);
    }
}

int mp_mp_parse(const char *path, const char *text, size_t len, mp_findings *f,
                mp_mp_file *out)
{
    memset(out, 0, sizeof(*out));
    out->parsed = true;
    rd r = {.file = out, .f = f, .path = path, .level = LVL_NONE};
    mp_diag d = {0};
    int rc = mp_ydoc_parse_nth(text, len, path, NULL, 0, &out->doc, &d);
    r.a = &out->doc.arena;
    out->path = path;
    if (rc == MP_ENOMEM)
        return rc;
    if (rc)
        return yaml_failed(&r, out, rc, &d, text, len);
    out->path = mp_arena_strdup(&out->doc.arena, path);
    const mp_ynode *root = out->doc.root;
    if (out->doc.more_documents)
        note(&r, root, MP_SEV_WARNING, "extra-documents",
             "this file holds more than one YAML document; mig-parted reads "
             "only the first and ignores the rest");
    conversion_pass(&r, root, 0);
    /* mig-parted accepts an empty file as an empty spec */
    if (root && !is_null(root))
        read_top(&r, root);
    return f->oom ? MP_ENOMEM : 0;
}

void mp_mp_free(mp_mp_file *file)
{
    if (!file)
        return;
    mp_ydoc_free(&file->doc);
    memset(file, 0, sizeof(*file));
}

const mp_mp_config *mp_mp_find(const mp_mp_file *file, const char *name)
{
    for (int i = 0; i < file->n_configs; i++)
        if (strcmp(file->configs[i].name, name) == 0)
            return &file->configs[i];
    return NULL;
}
