// SPDX-License-Identifier: Apache-2.0
/* yjson.c - a JSON text through cJSON into the mp_ynode tree libyaml would
 * give for it (no positions): the fast path for large JSON states. */
#include "migplan/yaml/yjson.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "migplan/yaml/ydoc.h"

typedef struct conv {
    mp_ydoc *doc;
    const mp_ylimits *lim;
    size_t nodes;
    size_t at; /* scan position in text for the next number's text */
    const char *text;
    size_t len;
    /* scalars met before, by text and style: a plan repeats its keys and
     * most values, and a shared node (as an alias gives) saves memory */
    mp_ynode **seen;
    size_t seen_cap, seen_n;
} conv;

/* Does the text hold only what both cJSON and libyaml read the same way:
 * printable ASCII, tabs and line ends, no \u0000 and no \/ escape? */
static bool plain_ascii(const char *t, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)t[i];
        if (c >= 0x7F || (c < 0x20 && c != '\t' && c != '\n' && c != '\r'))
            return false;
        if (c == '\\' && i + 1 < len) {
            if (t[i + 1] == '/' ||
                (len - i >= 6 && memcmp(t + i + 1, "u0000", 5) == 0))
                return false;
            i++;
        }
    }
    return true;
}

/* The text of the next number of the document, which cJSON has checked:
 * numbers are met in document order, strings (which may hold digits) are
 * stepped over. */
static bool next_number(conv *c, const char **s, size_t *n)
{
    const char *t = c->text;
    size_t len = c->len, i = c->at;
    while (i < len && t[i] != '-' && (t[i] < '0' || t[i] > '9')) {
        if (t[i++] != '"')
            continue;
        while (i < len && t[i] != '"')
            i += t[i] == '\\' ? 2 : 1;
        i++;
    }
    size_t start = i;
    while (i < len && strchr("+-.eE0123456789", t[i]) && t[i])
        i++;
    c->at = i;
    *s = t + start;
    *n = i - start;
    return i > start;
}

static size_t hash_scalar(const char *s, size_t n, bool plain)
{
    size_t h = plain ? 1469598103934665603ull : 1099511628211ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h;
}

/* Room for one more scalar in c->seen (kept at most half full). */
static bool seen_grow(conv *c)
{
    if ((c->seen_n + 1) * 2 <= c->seen_cap)
        return true;
    size_t ncap = c->seen_cap ? c->seen_cap * 2 : 1024;
    mp_ynode **ns = calloc(ncap, sizeof(*ns));
    if (!ns)
        return false;
    for (size_t i = 0; i < c->seen_cap; i++) {
        mp_ynode *y = c->seen[i];
        if (!y)
            continue;
        size_t j = hash_scalar(y->str, y->len, y->plain) & (ncap - 1);
        while (ns[j])
            j = (j + 1) & (ncap - 1);
        ns[j] = y;
    }
    free(c->seen);
    c->seen = ns;
    c->seen_cap = ncap;
    return true;
}

/* The scalar node of s[0..n) in this style: the one met before, or new. */
static mp_ynode *scalar(conv *c, const char *s, size_t n, bool plain)
{
    if (!seen_grow(c))
        return NULL;
    size_t j = hash_scalar(s, n, plain) & (c->seen_cap - 1);
    for (mp_ynode *y; (y = c->seen[j]); j = (j + 1) & (c->seen_cap - 1))
        if (y->plain == plain && y->len == n && memcmp(y->str, s, n) == 0)
            return y;
    mp_ynode *y = mp_arena_alloc(&c->doc->arena, sizeof(*y));
    if (!y || !(y->str = mp_arena_strndup(&c->doc->arena, s, n)))
        return NULL;
    y->kind = MP_YNODE_SCALAR;
    y->len = n;
    y->plain = plain;
    y->weight = 1;
    y->closed = true;
    c->seen[j] = y;
    c->seen_n++;
    return y;
}

static int convert(conv *c, const cJSON *j, unsigned depth, mp_ynode **out);

/* The children of an object or array; keys become quoted scalars. */
static int convert_kids(conv *c, const cJSON *j, unsigned depth, mp_ynode *y)
{
    bool map = cJSON_IsObject(j);
    size_t n = 0;
    for (const cJSON *k = j->child; k; k = k->next)
        n++;
    y->nkids = map ? 2 * n : n;
    y->kids = mp_arena_alloc(&c->doc->arena,
                             (y->nkids ? y->nkids : 1) * sizeof(*y->kids));
    if (map)
        y->from_merge = mp_arena_alloc(&c->doc->arena, n ? n : 1);
    if (!y->kids || (map && !y->from_merge))
        return MP_ENOMEM;
    size_t i = 0;
    for (const cJSON *k = j->child; k; k = k->next) {
        if (map) {
            const char *key = k->string ? k->string : "";
            if (!(y->kids[i++] = scalar(c, key, strlen(key), false)))
                return MP_ENOMEM;
            c->nodes++;
        }
        int rc = convert(c, k, depth + 1, &y->kids[i++]);
        if (rc)
            return rc;
    }
    for (i = 0; i < y->nkids; i++)
        y->weight += y->kids[i]->weight;
    return 0;
}

static int convert(conv *c, const cJSON *j, unsigned depth, mp_ynode **out)
{
    if (++c->nodes > c->lim->max_nodes)
        return MP_ENOTFOUND; /* libyaml says where */
    const char *s = NULL;
    size_t n = 0;
    if (cJSON_IsString(j)) {
        *out = scalar(c, j->valuestring, strlen(j->valuestring), false);
        return *out ? 0 : MP_ENOMEM;
    }
    if (cJSON_IsNumber(j) && !next_number(c, &s, &n))
        return MP_ENOTFOUND;
    if (cJSON_IsBool(j) || cJSON_IsNull(j)) {
        s = cJSON_IsTrue(j) ? "true" : cJSON_IsFalse(j) ? "false" : "null";
        n = strlen(s);
    }
    if (s) {
        *out = scalar(c, s, n, true);
        return *out ? 0 : MP_ENOMEM;
    }
    if (!cJSON_IsObject(j) && !cJSON_IsArray(j))
        return MP_ENOTFOUND;
    if (depth >= c->lim->max_depth)
        return MP_ENOTFOUND;
    mp_ynode *y = mp_arena_alloc(&c->doc->arena, sizeof(*y));
    if (!y)
        return MP_ENOMEM;
    y->kind = cJSON_IsObject(j) ? MP_YNODE_MAP : MP_YNODE_SEQ;
    y->weight = 1;
    y->closed = true;
    *out = y;
    int rc = convert_kids(c, j, depth, y);
    if (!rc && y->weight > c->lim->max_nodes)
        rc = MP_ENOTFOUND;
    return rc;
}

/* The parsed value when text holds one JSON value and blanks after it. */
static cJSON *parse_whole(const char *text, size_t len)
{
    const char *end = NULL;
    cJSON *j = cJSON_ParseWithLengthOpts(text, len, &end, false);
    size_t off = j && end && end >= text && end <= text + len
                     ? (size_t)(end - text)
                     : len;
    while (off < len && strchr(" \t\r\n", text[off]) && text[off])
        off++;
    if (j && off < len) {
        cJSON_Delete(j);
        return NULL;
    }
    return j;
}

int mp_ydoc_parse_json(const char *text, size_t len, const char *path,
                       const mp_ylimits *lim, mp_ydoc *out, mp_diag *d)
{
    memset(out, 0, sizeof(*out));
    if (!lim)
        lim = &mp_ylimits_default;
    if (len > lim->max_bytes || !plain_ascii(text, len))
        return MP_ENOTFOUND;
    cJSON *j = parse_whole(text, len);
    if (!j)
        return MP_ENOTFOUND;
    out->path = mp_arena_strdup(&out->arena, path ? path : "<input>");
    conv c = {.doc = out, .lim = lim, .text = text, .len = len};
    int rc = !out->path ? MP_ENOMEM : convert(&c, j, 0, &out->root);
    cJSON_Delete(j);
    free(c.seen);
    if (rc == MP_ENOMEM)
        mp_diag_set(d, MP_ENOMEM, path, 0, 0, "out of memory");
    if (rc)
        mp_ydoc_free(out);
    return rc;
}
