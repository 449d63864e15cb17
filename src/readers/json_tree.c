// SPDX-License-Identifier: Apache-2.0
/* json_tree.c - the tree of a JSON state (a plan of `migplan plan --format
 * json`, an export) built straight from its bytes: the same mp_ynode tree,
 * positions included, that mp_ydoc_parse builds through libyaml's event
 * stream, at a fraction of the cost on a plan of 10,000 GPUs. Only plain
 * JSON is taken: printable ASCII strings without \u escapes, blanks that are
 * spaces and line ends, keys on the line of their colon, nesting and node
 * counts within the YAML limits. Anything else (an error, a YAML-only form,
 * a rare spelling) is left to mp_ydoc_parse, which says what is wrong or
 * reads what JSON does not, as before. */
#include <stdlib.h>
#include <string.h>

#include "migplan/util/arena.h"
#include "lines.h"
#include "state_internal.h"

/* A simple key of libyaml spans at most 1024 characters; keep well below. */
#define KEY_MAX 1000

typedef struct jt {
    const char *s, *end;
    const char *line_start; /* where the current line starts */
    int line;
    mp_ydoc *doc;
    const mp_ylimits *lim;
    mp_ynode **stack; /* children of the open containers, innermost last */
    size_t n, cap;
    unsigned depth;
    bool oom;
} jt;

/* Skip spaces and line ends (\n, \r\n); false at any other blank. */
static bool blanks(jt *t)
{
    for (; t->s < t->end; t->s++) {
        char c = *t->s;
        if (c == '\r' && t->s + 1 < t->end && t->s[1] == '\n')
            continue;
        if (c == '\n') {
            t->line++;
            t->line_start = t->s + 1;
        } else if (c != ' ') {
            return c != '\t' && c != '\r';
        }
    }
    return true;
}

static mp_ynode *node(jt *t, mp_ynode_kind kind)
{
    mp_ynode *n = mp_arena_alloc(&t->doc->arena, sizeof(*n));
    if (!n) {
        t->oom = true;
        return NULL;
    }
    n->kind = kind;
    n->line = t->line;
    n->col = (int)(t->s - t->line_start) + 1;
    n->weight = 1;
    return n;
}

static bool push(jt *t, mp_ynode *n)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 256;
        mp_ynode **grown = realloc(t->stack, cap * sizeof(*grown));
        if (!grown) {
            t->oom = true;
            return false;
        }
        t->stack = grown;
        t->cap = cap;
    }
    t->stack[t->n++] = n;
    return true;
}

/* The value of the escape \c in a double-quoted scalar; 0: not taken. */
static char unescape(char c)
{
    switch (c) {
    case '"':
    case '\\':
    case '/':
        return c;
    case 'b':
        return '\b';
    case 'f':
        return '\f';
    case 'n':
        return '\n';
    case 'r':
        return '\r';
    case 't':
        return '\t';
    default:
        return 0;
    }
}

/* A string at t->s (its opening quote). */
static mp_ynode *string(jt *t)
{
    mp_ynode *n = node(t, MP_YNODE_SCALAR);
    if (!n)
        return NULL;
    const char *p = ++t->s;
    bool escaped = false;
    for (; p < t->end && *p != '"'; p++) {
        if (*p < 0x20 || *p > 0x7E)
            return NULL; /* control or non-ASCII bytes: libyaml's rules */
        if (*p == '\\') {
            if (p + 1 >= t->end || !unescape(p[1]))
                return NULL;
            escaped = true;
            p++;
        }
    }
    if (p >= t->end)
        return NULL;
    char *str = mp_arena_alloc(&t->doc->arena, (size_t)(p - t->s) + 1);
    if (!str) {
        t->oom = true;
        return NULL;
    }
    size_t k = 0;
    for (const char *q = t->s; q < p; q++)
        str[k++] = escaped && *q == '\\' ? unescape(*++q) : *q;
    str[k] = '\0';
    n->str = str;
    n->len = k;
    n->closed = true;
    t->s = p + 1;
    return n;
}

/* A number, true, false or null at t->s: a plain scalar. */
static mp_ynode *plain(jt *t)
{
    static const char *const words[] = {"true", "false", "null"};
    const char *p = t->s;
    for (size_t w = 0; w < sizeof(words) / sizeof(words[0]); w++) {
        size_t k = strlen(words[w]);
        if ((size_t)(t->end - p) >= k && memcmp(p, words[w], k) == 0) {
            p += k;
            break;
        }
    }
    if (p == t->s) {
        p += p < t->end && *p == '-';
        if (p >= t->end || *p < '0' || *p > '9' ||
            (*p == '0' && p + 1 < t->end && p[1] >= '0' && p[1] <= '9'))
            return NULL;
        while (p < t->end && strchr("0123456789.eE+-", *p) && *p)
            p++;
    }
    if (p < t->end && !strchr(" \r\n,]}", *p))
        return NULL;
    mp_ynode *n = node(t, MP_YNODE_SCALAR);
    if (!n)
        return NULL;
    n->str = mp_arena_strndup(&t->doc->arena, t->s, (size_t)(p - t->s));
    if (!n->str) {
        t->oom = true;
        return NULL;
    }
    n->len = (size_t)(p - t->s);
    n->plain = true;
    n->closed = true;
    t->s = p;
    return n;
}

static mp_ynode *value(jt *t);

/* The kids of container n: the stack's entries from `from` on. */
static bool close_kids(jt *t, mp_ynode *n, size_t from)
{
    size_t k = t->n - from, w = 1;
    n->nkids = k;
    n->kids = mp_arena_alloc(&t->doc->arena, (k ? k : 1) * sizeof(*n->kids));
    if (n->kind == MP_YNODE_MAP)
        n->from_merge = mp_arena_alloc(&t->doc->arena, k ? k / 2 : 1);
    if (!n->kids || (n->kind == MP_YNODE_MAP && !n->from_merge)) {
        t->oom = true;
        return false;
    }
    for (size_t i = 0; i < k; i++) {
        n->kids[i] = t->stack[from + i];
        w += n->kids[i]->weight; /* at most max_nodes each: no overflow */
    }
    n->weight = w;
    n->closed = true;
    t->n = from;
    t->depth--;
    return w <= t->lim->max_nodes;
}

/* One pair of a map: "key": value. */
static bool pair(jt *t)
{
    if (t->s >= t->end || *t->s != '"')
        return false;
    const char *start = t->s;
    int line = t->line;
    mp_ynode *k = string(t);
    if (!k || !push(t, k) || !blanks(t) || t->s >= t->end || *t->s != ':' ||
        t->line != line || t->s - start > KEY_MAX ||
        (k->len == 2 && memcmp(k->str, "<<", 2) == 0))
        return false; /* a YAML merge key: mp_ydoc_parse expands it */
    t->s++;
    mp_ynode *v = blanks(t) ? value(t) : NULL;
    return v && push(t, v);
}

static mp_ynode *container(jt *t, mp_ynode_kind kind)
{
    mp_ynode *n = node(t, kind);
    if (!n || ++t->depth > t->lim->max_depth)
        return NULL;
    char close_ch = kind == MP_YNODE_MAP ? '}' : ']';
    size_t from = t->n;
    t->s++;
    if (!blanks(t))
        return NULL;
    bool more = t->s < t->end && *t->s != close_ch;
    while (more) {
        if (kind == MP_YNODE_MAP ? !pair(t) : !push(t, value(t)))
            return NULL;
        if (!blanks(t) || t->s >= t->end)
            return NULL;
        more = *t->s == ',';
        if (more) {
            t->s++;
            if (!blanks(t))
                return NULL;
        }
    }
    if (t->s >= t->end || *t->s != close_ch)
        return NULL;
    t->s++;
    return close_kids(t, n, from) ? n : NULL;
}

static mp_ynode *value(jt *t)
{
    if (t->s >= t->end)
        return NULL;
    switch (*t->s) {
    case '{':
        return container(t, MP_YNODE_MAP);
    case '[':
        return container(t, MP_YNODE_SEQ);
    case '"':
        return string(t);
    default:
        return plain(t);
    }
}

bool mp_json_tree(const char *text, size_t len, const char *path, mp_ydoc *doc)
{
    memset(doc, 0, sizeof(*doc));
    jt t = {.lim = &mp_ylimits_default, .doc = doc, .line = 1};
    if (len > t.lim->max_bytes)
        return false;
    text = mp_skip_bom(text, &len);
    t.s = t.line_start = text;
    t.end = text + len;
    doc->path = mp_arena_strdup(&doc->arena, path ? path : "<input>");
    mp_ynode *root = NULL;
    if (doc->path && blanks(&t) && t.s < t.end && *t.s == '{')
        root = value(&t);
    bool ok = root && blanks(&t) && t.s == t.end;
    free(t.stack);
    if (!ok) {
        mp_ydoc_free(doc);
        return false;
    }
    doc->root = root;
    return true;
}
