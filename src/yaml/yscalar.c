/* SPDX-License-Identifier: Apache-2.0 */
/* yscalar.c - what a YAML scalar means under YAML 1.1 as go-yaml v2 (and
 * so mig-parted) reads it: tags, the boolean and null words, Go's integer
 * and float syntax, and the string a key becomes in mig-parted's JSON. */
#include "migplan/yaml/yscalar.h"
#include "migplan/yaml/gofloat.h"
#include "migplan/yaml/ydoc.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool in_list(const char *s, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(s, *list) == 0)
            return true;
    return false;
}

bool mp_go_parse_uint(const char *s, uint64_t max, uint64_t *out)
{
    int base = 10;
    const char *d = s;
    if (d[0] == '0' && (d[1] == 'x' || d[1] == 'X')) {
        base = 16;
        d += 2;
    } else if (d[0] == '0' && (d[1] == 'o' || d[1] == 'O')) {
        base = 8;
        d += 2;
    } else if (d[0] == '0' && (d[1] == 'b' || d[1] == 'B')) {
        base = 2;
        d += 2;
    } else if (d[0] == '0' && d[1]) {
        base = 8;
        d += 1;
    }
    if (!*d)
        return false;
    uint64_t v = 0;
    /* an underscore must follow a digit or the base prefix */
    bool last_us = d == s;
    for (; *d; d++) {
        if (*d == '_') {
            if (last_us)
                return false;
            last_us = true;
            continue;
        }
        int c = tolower((unsigned char)*d);
        int dg = c >= '0' && c <= '9'   ? c - '0'
                 : c >= 'a' && c <= 'z' ? c - 'a' + 10
                                        : 99;
        if (dg >= base || v > (max - (uint64_t)dg) / (uint64_t)base)
            return false;
        v = v * (uint64_t)base + (uint64_t)dg;
        last_us = false;
    }
    if (last_us)
        return false;
    *out = v;
    return true;
}

/* Go strconv.ParseInt(s, 0, 64). */
static bool go_parse_int0(const char *s, int64_t *out)
{
    bool neg = false;
    if (*s == '+' || *s == '-') {
        neg = *s == '-';
        s++;
    }
    uint64_t u;
    if (!mp_go_parse_uint(s, UINT64_MAX, &u))
        return false;
    if (neg) {
        if (u > (uint64_t)INT64_MAX + 1u)
            return false;
        *out = u == (uint64_t)INT64_MAX + 1u ? INT64_MIN : -(int64_t)u;
    } else {
        if (u > (uint64_t)INT64_MAX)
            return false;
        *out = (int64_t)u;
    }
    return true;
}

/* ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$ */
static bool yaml_style_float(const char *s)
{
    if (*s == '+' || *s == '-')
        s++;
    if (*s == '.') {
        s++;
        if (!(*s >= '0' && *s <= '9'))
            return false;
        while (*s >= '0' && *s <= '9')
            s++;
    } else {
        if (!(*s >= '0' && *s <= '9'))
            return false;
        while (*s >= '0' && *s <= '9')
            s++;
        if (*s == '.') {
            s++;
            while (*s >= '0' && *s <= '9')
                s++;
        }
    }
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '+' || *s == '-')
            s++;
        if (!(*s >= '0' && *s <= '9'))
            return false;
        while (*s >= '0' && *s <= '9')
            s++;
    }
    return *s == '\0';
}

static bool parse_float_checked(const char *s, double *out)
{
    errno = 0;
    char *end;
    double v = strtod(s, &end);
    if (*end)
        return false;
    if (errno == ERANGE && isinf(v))
        return false; /* Go's ParseFloat fails; the scalar stays a string */
    *out = v;
    return true;
}

/* Whether a scalar's tag or style leaves it to plain resolution: an
 * explicit !!int, !!float, !!bool or !!null tag does (an empty !!null is
 * null outright); any other tag, and a quoted or block scalar, makes a
 * string. */
static bool resolvable(const mp_ynode *n, mp_yval *v)
{
    if (!n->tag)
        return n->plain;
    const char *t = n->tag;
    if (strcmp(t, "tag:yaml.org,2002:null") == 0 && n->len == 0)
        v->kind = MP_YV_NULL;
    return strcmp(t, "tag:yaml.org,2002:int") == 0 ||
           strcmp(t, "tag:yaml.org,2002:float") == 0 ||
           strcmp(t, "tag:yaml.org,2002:bool") == 0 ||
           strcmp(t, "tag:yaml.org,2002:null") == 0;
}

/* The YAML 1.1 words: booleans, nulls, NaN and the infinities. Returns
 * false when s is none of them. */
static bool resolve_word(const char *s, size_t len, mp_yval *v)
{
    static const char *const yes[] = {"y",   "Y",    "yes",  "Yes",
                                      "YES", "true", "True", "TRUE",
                                      "on",  "On",   "ON",   NULL};
    static const char *const no[] = {"n",   "N",     "no",    "No",
                                     "NO",  "false", "False", "FALSE",
                                     "off", "Off",   "OFF",   NULL};
    static const char *const nul[] = {"", "~", "null", "Null", "NULL", NULL};
    static const char *const nan[] = {".nan", ".NaN", ".NAN", NULL};
    static const char *const pinf[] = {".inf",  ".Inf",  ".INF", "+.inf",
                                       "+.Inf", "+.INF", NULL};
    static const char *const ninf[] = {"-.inf", "-.Inf", "-.INF", NULL};
    /* the words above are short and start with few letters: most
     * scalars (names, numbers) skip the ~40 comparisons */
    if (len > 6 || (len > 0 && !strchr("yYnNtTfFoO~.+-", s[0])))
        return false;
    if (in_list(s, yes) || in_list(s, no)) {
        v->kind = MP_YV_BOOL;
        v->b = in_list(s, yes);
    } else if (in_list(s, nul)) {
        v->kind = MP_YV_NULL;
    } else if (in_list(s, nan)) {
        v->kind = MP_YV_FLOAT;
        v->f = NAN;
    } else if (in_list(s, pinf) || in_list(s, ninf)) {
        v->kind = MP_YV_FLOAT;
        v->f = in_list(s, pinf) ? INFINITY : -INFINITY;
    } else {
        return false;
    }
    return true;
}

/* Go's integer and float syntax as go-yaml v2 applies it: underscores
 * dropped, int64 first, then uint64, then a float. Leaves v a string when
 * s is no number. */
static void resolve_number(const char *s, size_t len, mp_yval *v)
{
    char tmp[128];
    size_t k = 0;
    for (size_t i = 0; s[i] && k + 1 < sizeof(tmp); i++)
        if (s[i] != '_')
            tmp[k++] = s[i];
    tmp[k] = '\0';
    if (len >= sizeof(tmp) - 1)
        return; /* far too long to be a number Go accepts */
    int64_t iv;
    uint64_t uv;
    double f;
    if (go_parse_int0(tmp, &iv)) {
        v->kind = MP_YV_INT;
        v->i = iv;
    } else if (tmp[0] != '+' && tmp[0] != '-' &&
               mp_go_parse_uint(tmp, UINT64_MAX, &uv)) {
        v->kind = MP_YV_UINT;
        v->u = uv;
    } else if (yaml_style_float(tmp) && parse_float_checked(tmp, &f)) {
        v->kind = MP_YV_FLOAT;
        v->f = f;
    }
}

mp_yvkind mp_ynode_resolve(const mp_ynode *n, mp_yval *out)
{
    mp_yval v;
    memset(&v, 0, sizeof(v));
    v.kind = MP_YV_STR;
    const char *s = n->str;
    if (n->kind == MP_YNODE_SEQ) {
        v.kind = MP_YV_SEQ;
    } else if (n->kind == MP_YNODE_MAP) {
        v.kind = MP_YV_MAP;
    } else if (!resolvable(n, &v) || strlen(s) != n->len) {
        /* a string; an embedded NUL makes one too */
    } else if (resolve_word(s, n->len, &v)) {
        /* a boolean, null, NaN or infinity */
    } else if (s[0] == '.') {
        double f;
        if (yaml_style_float(s) && parse_float_checked(s, &f)) {
            v.kind = MP_YV_FLOAT;
            v.f = f;
        }
    } else if ((s[0] >= '0' && s[0] <= '9') || s[0] == '+' || s[0] == '-') {
        resolve_number(s, n->len, &v);
    }
    if (out)
        *out = v;
    return v.kind;
}

const char *mp_yvkind_name(mp_yvkind k)
{
    static const char *const names[] = {
        [MP_YV_NULL] = "null",    [MP_YV_BOOL] = "boolean",
        [MP_YV_INT] = "integer",  [MP_YV_UINT] = "integer",
        [MP_YV_FLOAT] = "number", [MP_YV_STR] = "string",
        [MP_YV_SEQ] = "list",     [MP_YV_MAP] = "map",
    };
    return (unsigned)k < sizeof(names) / sizeof(names[0]) ? names[k] : "value";
}

bool mp_ykey_string(const mp_ynode *key, char *buf, size_t n,
                    const char **why_not)
{
    mp_yval v;
    const char *why = NULL;
    switch (mp_ynode_resolve(key, &v)) {
    case MP_YV_STR:
        snprintf(buf, n, "%s", key->str);
        return true;
    case MP_YV_INT:
        snprintf(buf, n, "%lld", (long long)v.i);
        return true;
    case MP_YV_BOOL:
        snprintf(buf, n, "%s", v.b ? "true" : "false");
        return true;
    case MP_YV_FLOAT:
        if (isnan(v.f))
            snprintf(buf, n, ".nan");
        else if (isinf(v.f))
            snprintf(buf, n, v.f > 0 ? ".inf" : "-.inf");
        else
            mp_go_format_float_g(v.f, 32, buf, n);
        return true;
    case MP_YV_NULL:
        why = "a null key";
        break;
    case MP_YV_UINT:
        why = "an integer key above 9223372036854775807";
        break;
    case MP_YV_SEQ:
        why = "a list used as a key";
        break;
    case MP_YV_MAP:
        why = "a map used as a key";
        break;
    }
    if (why_not)
        *why_not = why;
    if (n)
        buf[0] = '\0';
    return false;
}
