/* SPDX-License-Identifier: Apache-2.0 */
/* ydoc.c - libyaml events to a position-carrying tree with limits: anchors
 * and aliases (shared, not copied), merge keys expanded as go-yaml v2 does,
 * the n-th document of a stream, and source lines for caret messages. */
#include "migplan/yaml/ydoc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

const mp_ylimits mp_ylimits_default = {
    .max_bytes = 32u * 1024u * 1024u,
    .max_depth = 64,
    .max_nodes = 2000000,
};

/* ---------------------------------------------------------------- anchors */

typedef struct anchor_slot {
    const char *name;
    mp_ynode *node;
} anchor_slot;

typedef struct anchor_table {
    anchor_slot *slots;
    size_t cap, n;
} anchor_table;

static size_t hash_str(const char *s)
{
    size_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static bool anchor_put(anchor_table *t, const char *name, mp_ynode *node)
{
    if ((t->n + 1) * 2 > t->cap) {
        size_t ncap = t->cap ? t->cap * 2 : 64;
        anchor_slot *ns = calloc(ncap, sizeof(*ns));
        if (!ns)
            return false;
        for (size_t i = 0; i < t->cap; i++) {
            if (!t->slots[i].name)
                continue;
            size_t j = hash_str(t->slots[i].name) & (ncap - 1);
            while (ns[j].name)
                j = (j + 1) & (ncap - 1);
            ns[j] = t->slots[i];
        }
        free(t->slots);
        t->slots = ns;
        t->cap = ncap;
    }
    size_t j = hash_str(name) & (t->cap - 1);
    while (t->slots[j].name) {
        if (strcmp(t->slots[j].name, name) == 0) {
            t->slots[j].node = node; /* a redefined anchor shadows the old */
            return true;
        }
        j = (j + 1) & (t->cap - 1);
    }
    t->slots[j].name = name;
    t->slots[j].node = node;
    t->n++;
    return true;
}

static mp_ynode *anchor_get(const anchor_table *t, const char *name)
{
    if (!t->cap)
        return NULL;
    size_t j = hash_str(name) & (t->cap - 1);
    while (t->slots[j].name) {
        if (strcmp(t->slots[j].name, name) == 0)
            return t->slots[j].node;
        j = (j + 1) & (t->cap - 1);
    }
    return NULL;
}

/* ---------------------------------------------------------------- builder */

typedef struct frame {
    mp_ynode *node;
    mp_ynode **kids;
    size_t n, cap;
} frame;

typedef struct builder {
    mp_ydoc *doc;
    const mp_ylimits *lim;
    mp_diag *d;
    frame *frames;
    unsigned depth, fcap;
    anchor_table anchors;
    mp_ynode *root;
} builder;

static size_t sat_add(size_t a, size_t b)
{
    return a > ((size_t)-1) - b ? (size_t)-1 : a + b;
}

static int oom(builder *b)
{
    return mp_diag_set(b->d, MP_ENOMEM, b->doc->path, 0, 0, "out of memory");
}

static int limit_nodes(builder *b, const mp_ynode *at)
{
    return mp_diag_set(b->d, MP_ELIMIT, b->doc->path, at->line, at->col,
                       "document expands to more than %zu nodes (alias or "
                       "merge-key expansion limit); remove the repeated "
                       "aliases",
                       b->lim->max_nodes);
}

static int add_child(builder *b, mp_ynode *child)
{
    if (b->depth == 0) {
        b->root = child;
        return 0;
    }
    frame *f = &b->frames[b->depth - 1];
    if (f->n == f->cap) {
        size_t ncap = f->cap ? f->cap * 2 : 8;
        mp_ynode **nk = realloc(f->kids, ncap * sizeof(*nk));
        if (!nk)
            return oom(b);
        f->kids = nk;
        f->cap = ncap;
    }
    f->kids[f->n++] = child;
    return 0;
}

static bool is_merge_key(const mp_ynode *k)
{
    return k->kind == MP_YNODE_SCALAR && k->len == 2 &&
           memcmp(k->str, "<<", 2) == 0 &&
           ((k->plain && !k->tag) ||
            (k->tag && strcmp(k->tag, "tag:yaml.org,2002:merge") == 0));
}

/* Expand << pairs of a closed map in place, the go-yaml v2 way: merged
 * pairs are inserted where the merge key stands; for a list of maps the
 * later maps come first so that earlier ones take precedence. */
static int close_map(builder *b, frame *f)
{
    mp_ynode *m = f->node;
    size_t pairs = f->n / 2, out_pairs = 0;
    bool has_merge = false;
    for (size_t i = 0; i < pairs; i++) {
        mp_ynode *k = f->kids[2 * i], *v = f->kids[2 * i + 1];
        if (!is_merge_key(k)) {
            out_pairs++;
            continue;
        }
        has_merge = true;
        if (v->kind == MP_YNODE_MAP) {
            out_pairs += v->nkids / 2;
        } else if (v->kind == MP_YNODE_SEQ) {
            for (size_t j = 0; j < v->nkids; j++) {
                if (v->kids[j]->kind != MP_YNODE_MAP)
                    return mp_diag_set(
                        b->d, MP_ESYNTAX, b->doc->path, v->kids[j]->line,
                        v->kids[j]->col,
                        "a merge key (<<) needs a map or a list of maps");
                out_pairs += v->kids[j]->nkids / 2;
            }
        } else {
            return mp_diag_set(b->d, MP_ESYNTAX, b->doc->path, v->line, v->col,
                               "a merge key (<<) needs a map or a list of "
                               "maps");
        }
    }
    m->nkids = 2 * out_pairs;
    m->kids = mp_arena_alloc(&b->doc->arena,
                             (m->nkids ? m->nkids : 1) * sizeof(*m->kids));
    m->from_merge = mp_arena_alloc(&b->doc->arena, out_pairs ? out_pairs : 1);
    if (!m->kids || !m->from_merge)
        return oom(b);
    size_t o = 0;
    size_t w = 1;
    for (size_t i = 0; i < pairs; i++) {
        mp_ynode *k = f->kids[2 * i], *v = f->kids[2 * i + 1];
        if (has_merge && is_merge_key(k)) {
            size_t nsrc = v->kind == MP_YNODE_MAP ? 1 : v->nkids;
            for (size_t s = 0; s < nsrc; s++) {
                const mp_ynode *src =
                    v->kind == MP_YNODE_MAP ? v : v->kids[nsrc - 1 - s];
                for (size_t j = 0; j + 1 < src->nkids; j += 2) {
                    m->kids[2 * o] = src->kids[j];
                    m->kids[2 * o + 1] = src->kids[j + 1];
                    m->from_merge[o] = 1;
                    w = sat_add(w, src->kids[j]->weight);
                    w = sat_add(w, src->kids[j + 1]->weight);
                    o++;
                }
            }
            continue;
        }
        m->kids[2 * o] = k;
        m->kids[2 * o + 1] = v;
        w = sat_add(w, k->weight);
        w = sat_add(w, v->weight);
        o++;
    }
    m->weight = w;
    return 0;
}

static int close_container(builder *b)
{
    frame *f = &b->frames[b->depth - 1];
    mp_ynode *n = f->node;
    int rc = 0;
    if (n->kind == MP_YNODE_MAP) {
        rc = close_map(b, f);
    } else {
        n->nkids = f->n;
        n->kids = mp_arena_alloc(&b->doc->arena,
                                 (f->n ? f->n : 1) * sizeof(*n->kids));
        if (!n->kids)
            rc = oom(b);
        size_t w = 1;
        for (size_t i = 0; !rc && i < f->n; i++) {
            n->kids[i] = f->kids[i];
            w = sat_add(w, f->kids[i]->weight);
        }
        n->weight = w;
    }
    free(f->kids);
    f->kids = NULL;
    f->n = f->cap = 0;
    b->depth--;
    if (rc)
        return rc;
    n->closed = true;
    if (n->weight > b->lim->max_nodes)
        return limit_nodes(b, n);
    return add_child(b, n);
}

static mp_ynode *new_node(builder *b, mp_ynode_kind kind, yaml_mark_t mark)
{
    mp_ynode *n = mp_arena_alloc(&b->doc->arena, sizeof(*n));
    if (!n)
        return NULL;
    n->kind = kind;
    n->line = (int)mark.line + 1;
    n->col = (int)mark.column + 1;
    n->weight = 1;
    return n;
}

static int register_anchor(builder *b, const yaml_char_t *anchor, mp_ynode *n)
{
    if (!anchor)
        return 0;
    char *name = mp_arena_strdup(&b->doc->arena, (const char *)anchor);
    if (!name || !anchor_put(&b->anchors, name, n))
        return oom(b);
    return 0;
}

static int open_container(builder *b, mp_ynode_kind kind, yaml_event_t *ev)
{
    mp_ynode *n = new_node(b, kind, ev->start_mark);
    if (!n)
        return oom(b);
    if (b->depth >= b->lim->max_depth)
        return mp_diag_set(b->d, MP_ELIMIT, b->doc->path, n->line, n->col,
                           "nesting deeper than %u levels (depth limit)",
                           b->lim->max_depth);
    const yaml_char_t *anchor = kind == MP_YNODE_MAP
                                    ? ev->data.mapping_start.anchor
                                    : ev->data.sequence_start.anchor;
    const yaml_char_t *tag = kind == MP_YNODE_MAP ? ev->data.mapping_start.tag
                                                  : ev->data.sequence_start.tag;
    if (tag) {
        n->tag = mp_arena_strdup(&b->doc->arena, (const char *)tag);
        if (!n->tag)
            return oom(b);
    }
    int rc = register_anchor(b, anchor, n);
    if (rc)
        return rc;
    if (b->depth == b->fcap) {
        unsigned ncap = b->fcap ? b->fcap * 2 : 16;
        frame *nf = realloc(b->frames, ncap * sizeof(*nf));
        if (!nf)
            return oom(b);
        b->frames = nf;
        b->fcap = ncap;
    }
    b->frames[b->depth].node = n;
    b->frames[b->depth].kids = NULL;
    b->frames[b->depth].n = b->frames[b->depth].cap = 0;
    b->depth++;
    return 0;
}

static int add_scalar(builder *b, yaml_event_t *ev)
{
    mp_ynode *n = new_node(b, MP_YNODE_SCALAR, ev->start_mark);
    if (!n)
        return oom(b);
    n->str =
        mp_arena_strndup(&b->doc->arena, (const char *)ev->data.scalar.value,
                         ev->data.scalar.length);
    if (!n->str)
        return oom(b);
    n->len = ev->data.scalar.length;
    n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
    n->closed = true;
    if (ev->data.scalar.tag) {
        n->tag =
            mp_arena_strdup(&b->doc->arena, (const char *)ev->data.scalar.tag);
        if (!n->tag)
            return oom(b);
    }
    int rc = register_anchor(b, ev->data.scalar.anchor, n);
    if (rc)
        return rc;
    return add_child(b, n);
}

static int add_alias(builder *b, yaml_event_t *ev)
{
    const char *name = (const char *)ev->data.alias.anchor;
    mp_ynode *target = anchor_get(&b->anchors, name);
    int line = (int)ev->start_mark.line + 1,
        col = (int)ev->start_mark.column + 1;
    if (!target)
        return mp_diag_set(b->d, MP_ESYNTAX, b->doc->path, line, col,
                           "unknown anchor '%s' referenced by an alias", name);
    if (!target->closed)
        return mp_diag_set(b->d, MP_ESYNTAX, b->doc->path, line, col,
                           "anchor '%s' contains an alias to itself", name);
    return add_child(b, target);
}

static void offset_to_pos(const char *text, size_t len, size_t off, int *line,
                          int *col)
{
    int l = 1, c = 1;
    for (size_t i = 0; i < off && i < len; i++) {
        if (text[i] == '\n') {
            l++;
            c = 1;
        } else if (((unsigned char)text[i] & 0xC0) != 0x80) {
            c++;
        }
    }
    *line = l;
    *col = c;
}

static int parser_error(builder *b, yaml_parser_t *p)
{
    int line = 0, col = 0;
    const char *problem = p->problem ? p->problem : "unknown problem";
    if (p->error == YAML_READER_ERROR) {
        offset_to_pos(b->doc->text, b->doc->text_len, p->problem_offset, &line,
                      &col);
        if (p->problem_value != -1)
            return mp_diag_set(b->d, MP_ESYNTAX, b->doc->path, line, col,
                               "not a readable YAML text: %s (byte 0x%02X); "
                               "the file must be UTF-8 text",
                               problem, (unsigned)p->problem_value & 0xFFu);
        return mp_diag_set(b->d, MP_ESYNTAX, b->doc->path, line, col,
                           "not a readable YAML text: %s; the file must be "
                           "UTF-8 text",
                           problem);
    }
    if (p->error == YAML_MEMORY_ERROR)
        return oom(b);
    line = (int)p->problem_mark.line + 1;
    col = (int)p->problem_mark.column + 1;
    if (p->context)
        return mp_diag_set(b->d, MP_ESYNTAX, b->doc->path, line, col,
                           "YAML syntax error: %s %s", p->context, problem);
    return mp_diag_set(b->d, MP_ESYNTAX, b->doc->path, line, col,
                       "YAML syntax error: %s", problem);
}

/* Copy the text and path into out's arena and refuse text over the size
 * limit. */
static int start_doc(const char *text, size_t len, const char *path,
                     const mp_ylimits *lim, mp_ydoc *out, mp_diag *d)
{
    out->path = mp_arena_strdup(&out->arena, path ? path : "<input>");
    char *copy = mp_arena_strndup(&out->arena, text, len);
    if (!out->path || !copy)
        return mp_diag_set(d, MP_ENOMEM, path, 0, 0, "out of memory");
    out->text = copy;
    out->text_len = len;
    if (len > lim->max_bytes)
        return mp_diag_set(d, MP_ELIMIT, path, 0, 0,
                           "input is larger than the size limit of %zu "
                           "bytes",
                           lim->max_bytes);
    return 0;
}

/* Where the event loop stands: the document being read (-1 before the
 * first), whether it is the one asked for, whether the loop is done and
 * whether other documents are refused; path as the caller gave it, for the
 * missing-document message. */
typedef struct walk {
    const char *path;
    int index;
    int doc_no;
    bool in_doc;
    bool done;
    bool one; /* the stream must hold no other document */
} walk;

/* Apply one event to the tree. Events inside documents before the one
 * asked for are skipped. */
static int on_event(builder *b, walk *w, yaml_event_t *ev)
{
    if (ev->type != YAML_STREAM_END_EVENT &&
        ev->type != YAML_STREAM_START_EVENT &&
        ev->type != YAML_DOCUMENT_START_EVENT && w->doc_no < w->index)
        return 0;
    switch (ev->type) {
    case YAML_STREAM_END_EVENT:
        w->done = true;
        if (w->doc_no < w->index && w->index > 0)
            return mp_diag_set(b->d, MP_ENOTFOUND, w->path, 0, 0,
                               "the stream has no document %d", w->index + 1);
        return 0;
    case YAML_DOCUMENT_START_EVENT:
        w->doc_no++;
        w->in_doc = w->doc_no == w->index;
        return 0;
    case YAML_DOCUMENT_END_EVENT:
        w->done = w->doc_no == w->index;
        return 0;
    case YAML_SCALAR_EVENT:
        return add_scalar(b, ev);
    case YAML_ALIAS_EVENT:
        return add_alias(b, ev);
    case YAML_SEQUENCE_START_EVENT:
        return open_container(b, MP_YNODE_SEQ, ev);
    case YAML_MAPPING_START_EVENT:
        return open_container(b, MP_YNODE_MAP, ev);
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        return close_container(b);
    default:
        return 0;
    }
}

/* What follows the document read: with w->one, a second document, or text
 * that starts none after a map or list, is an error at its position;
 * otherwise only note where another document or such text follows
 * (mig-parted reads the first document only). */
static int after_document(builder *b, yaml_parser_t *parser, const walk *w)
{
    yaml_event_t ev;
    if (!yaml_parser_parse(parser, &ev)) {
        /* after a scalar (a file of another kind, read as one multi-line
         * plain scalar), the caller's "must be a map" says more */
        if (w->one && b->root && b->root->kind != MP_YNODE_SCALAR)
            return parser_error(b, parser);
        b->doc->next_line = (int)parser->problem_mark.line + 1;
        b->doc->next_col = (int)parser->problem_mark.column + 1;
        return 0;
    }
    int rc = 0;
    b->doc->more_documents = ev.type == YAML_DOCUMENT_START_EVENT;
    if (b->doc->more_documents) {
        b->doc->next_line = (int)ev.start_mark.line + 1;
        b->doc->next_col = (int)ev.start_mark.column + 1;
    }
    if (w->one && b->doc->more_documents)
        rc = mp_diag_set(b->d, MP_ESYNTAX, b->doc->path, b->doc->next_line,
                         b->doc->next_col,
                         "a second YAML document; migplan reads one document "
                         "per file (remove this `---` and what follows it, "
                         "or give each document its own file)");
    yaml_event_delete(&ev);
    return rc;
}

/* Build document w->index from the parser's events, then check what
 * follows it. */
static int build(builder *b, yaml_parser_t *parser, walk *w)
{
    int rc = 0;
    while (!w->done && rc == 0) {
        yaml_event_t ev;
        if (!yaml_parser_parse(parser, &ev))
            return parser_error(b, parser);
        rc = on_event(b, w, &ev);
        yaml_event_delete(&ev);
    }
    if (rc == 0 && w->in_doc)
        rc = after_document(b, parser, w);
    return rc;
}

static int parse_doc(const char *text, size_t len, const char *path,
                     const mp_ylimits *lim, int index, bool one, mp_ydoc *out,
                     mp_diag *d)
{
    memset(out, 0, sizeof(*out));
    if (!lim)
        lim = &mp_ylimits_default;
    int rc = start_doc(text, len, path, lim, out, d);
    if (rc) {
        mp_ydoc_free(out);
        return rc;
    }
    builder b = {.doc = out, .lim = lim, .d = d};
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) {
        mp_ydoc_free(out);
        return mp_diag_set(d, MP_ENOMEM, path, 0, 0, "out of memory");
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)out->text,
                                 len);
    walk w = {.path = path, .index = index, .doc_no = -1, .one = one};
    rc = build(&b, &parser, &w);
    yaml_parser_delete(&parser);
    for (unsigned i = 0; i < b.depth; i++)
        free(b.frames[i].kids);
    free(b.frames);
    free(b.anchors.slots);
    if (rc) {
        mp_ydoc_free(out);
        return rc;
    }
    out->root = b.root;
    return 0;
}

int mp_ydoc_parse(const char *text, size_t len, const char *path,
                  const mp_ylimits *lim, mp_ydoc *out, mp_diag *d)
{
    return parse_doc(text, len, path, lim, 0, true, out, d);
}

int mp_ydoc_parse_nth(const char *text, size_t len, const char *path,
                      const mp_ylimits *lim, int index, mp_ydoc *out,
                      mp_diag *d)
{
    return parse_doc(text, len, path, lim, index, false, out, d);
}

int mp_ydoc_load(const char *path, const mp_ylimits *lim, mp_ydoc *out,
                 mp_diag *d)
{
    memset(out, 0, sizeof(*out));
    if (!lim)
        lim = &mp_ylimits_default;
    char *text;
    size_t len;
    int rc = mp_read_file(path, lim->max_bytes, &text, &len, d);
    if (rc)
        return rc;
    rc = mp_ydoc_parse(text, len, strcmp(path, "-") == 0 ? "<stdin>" : path,
                       lim, out, d);
    free(text);
    return rc;
}

void mp_ydoc_free(mp_ydoc *doc)
{
    if (doc)
        mp_arena_release(&doc->arena, doc, sizeof(*doc));
}

const mp_ynode *mp_ymap_get(const mp_ynode *map, const char *key,
                            const mp_ynode **key_out)
{
    if (!map || map->kind != MP_YNODE_MAP)
        return NULL;
    const mp_ynode *found = NULL;
    for (size_t i = 0; i + 1 < map->nkids; i += 2) {
        const mp_ynode *k = map->kids[i];
        if (k->kind == MP_YNODE_SCALAR && strcmp(k->str, key) == 0 &&
            strlen(k->str) == k->len) {
            found = map->kids[i + 1];
            if (key_out)
                *key_out = k;
        }
    }
    return found;
}
