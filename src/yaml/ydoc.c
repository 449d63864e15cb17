/* ydoc.c - libyaml events to a position-carrying tree, with limits, plus
 * YAML 1.1 scalar resolution as go-yaml v2 (mig-parted's parser) does it. */
#include "migplan/yaml/ydoc.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

const mp_ylimits mp_ylimits_default = {
    .max_bytes = 32u * 1024u * 1024u,
    .max_depth = 64,
    .max_nodes = 2000000,
};

/* ------------------------------------------------------------------ files */

static void human_size(size_t n, char *buf, size_t len)
{
    if (n >= 1024u * 1024u)
        snprintf(buf, len, "%.1f MiB", (double)n / (1024.0 * 1024.0));
    else if (n >= 1024u)
        snprintf(buf, len, "%.1f KiB", (double)n / 1024.0);
    else
        snprintf(buf, len, "%zu bytes", n);
}

int mp_read_file(const char *path, size_t max_bytes, char **out,
                 size_t *out_len, mp_diag *d)
{
    *out = NULL;
    *out_len = 0;
    bool is_stdin = strcmp(path, "-") == 0;
    const char *shown = is_stdin ? "<stdin>" : path;
    int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        if (e == ENOENT)
            return mp_diag_set(d, MP_EIO, shown, 0, 0,
                               "no such file; check the path");
        return mp_diag_set(d, MP_EIO, shown, 0, 0, "cannot open: %s",
                           strerror(e));
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        if (!is_stdin)
            close(fd);
        return mp_diag_set(d, MP_EIO, shown, 0, 0, "cannot read: %s",
                           strerror(e));
    }
    if (S_ISDIR(st.st_mode)) {
        if (!is_stdin)
            close(fd);
        return mp_diag_set(d, MP_EIO, shown, 0, 0,
                           "is a directory; give the path of a YAML file");
    }
    char lim[32];
    human_size(max_bytes, lim, sizeof(lim));
    if (S_ISREG(st.st_mode) && (unsigned long long)st.st_size > max_bytes) {
        char sz[32];
        human_size((size_t)st.st_size, sz, sizeof(sz));
        if (!is_stdin)
            close(fd);
        return mp_diag_set(d, MP_ELIMIT, shown, 0, 0,
                           "file is %s; the input size limit is %s", sz, lim);
    }
    size_t cap = S_ISREG(st.st_mode) ? (size_t)st.st_size + 1 : 65536;
    if (cap == 0)
        cap = 1;
    char *buf = malloc(cap);
    if (!buf) {
        if (!is_stdin)
            close(fd);
        return mp_diag_set(d, MP_ENOMEM, shown, 0, 0, "out of memory");
    }
    size_t len = 0;
    for (;;) {
        if (len == cap) {
            if (cap > max_bytes)
                break;
            size_t ncap = cap * 2;
            char *nb = realloc(buf, ncap);
            if (!nb) {
                free(buf);
                if (!is_stdin)
                    close(fd);
                return mp_diag_set(d, MP_ENOMEM, shown, 0, 0, "out of memory");
            }
            buf = nb;
            cap = ncap;
        }
        ssize_t r = read(fd, buf + len, cap - len);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            int e = errno;
            free(buf);
            if (!is_stdin)
                close(fd);
            return mp_diag_set(d, MP_EIO, shown, 0, 0, "cannot read: %s",
                               strerror(e));
        }
        if (r == 0)
            break;
        len += (size_t)r;
        if (len > max_bytes)
            break;
    }
    if (!is_stdin)
        close(fd);
    if (len > max_bytes) {
        free(buf);
        return mp_diag_set(d, MP_ELIMIT, shown, 0, 0,
                           "input is larger than the size limit of %s", lim);
    }
    if (len == cap) {
        char *nb = realloc(buf, cap + 1);
        if (!nb) {
            free(buf);
            return mp_diag_set(d, MP_ENOMEM, shown, 0, 0, "out of memory");
        }
        buf = nb;
    }
    buf[len] = '\0';
    *out = buf;
    *out_len = len;
    return 0;
}

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

int mp_ydoc_parse(const char *text, size_t len, const char *path,
                  const mp_ylimits *lim, mp_ydoc *out, mp_diag *d)
{
    return mp_ydoc_parse_nth(text, len, path, lim, 0, out, d);
}

int mp_ydoc_parse_nth(const char *text, size_t len, const char *path,
                      const mp_ylimits *lim, int index, mp_ydoc *out,
                      mp_diag *d)
{
    memset(out, 0, sizeof(*out));
    if (!lim)
        lim = &mp_ylimits_default;
    out->path = mp_arena_strdup(&out->arena, path ? path : "<input>");
    char *copy = mp_arena_strndup(&out->arena, text, len);
    if (!out->path || !copy) {
        mp_ydoc_free(out);
        return mp_diag_set(d, MP_ENOMEM, path, 0, 0, "out of memory");
    }
    out->text = copy;
    out->text_len = len;
    if (len > lim->max_bytes) {
        int rc = mp_diag_set(d, MP_ELIMIT, path, 0, 0,
                             "input is larger than the size limit of %zu "
                             "bytes",
                             lim->max_bytes);
        mp_ydoc_free(out);
        return rc;
    }

    builder b = {.doc = out, .lim = lim, .d = d};
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) {
        mp_ydoc_free(out);
        return mp_diag_set(d, MP_ENOMEM, path, 0, 0, "out of memory");
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)copy, len);
    int rc = 0;
    bool in_doc = false, done = false;
    int doc_no = -1;
    while (!done && rc == 0) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev)) {
            rc = parser_error(&b, &parser);
            break;
        }
        if (ev.type != YAML_STREAM_END_EVENT &&
            ev.type != YAML_STREAM_START_EVENT &&
            ev.type != YAML_DOCUMENT_START_EVENT && doc_no < index) {
            /* inside a document before the one asked for: skip it */
            yaml_event_delete(&ev);
            continue;
        }
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
            if (doc_no < index && index > 0)
                rc = mp_diag_set(d, MP_ENOTFOUND, path, 0, 0,
                                 "the stream has no document %d", index + 1);
            done = true;
            break;
        case YAML_DOCUMENT_START_EVENT:
            doc_no++;
            in_doc = doc_no == index;
            break;
        case YAML_DOCUMENT_END_EVENT:
            done = doc_no == index;
            break;
        case YAML_SCALAR_EVENT:
            rc = add_scalar(&b, &ev);
            break;
        case YAML_ALIAS_EVENT:
            rc = add_alias(&b, &ev);
            break;
        case YAML_SEQUENCE_START_EVENT:
            rc = open_container(&b, MP_YNODE_SEQ, &ev);
            break;
        case YAML_MAPPING_START_EVENT:
            rc = open_container(&b, MP_YNODE_MAP, &ev);
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            rc = close_container(&b);
            break;
        default:
            break;
        }
        yaml_event_delete(&ev);
    }
    if (rc == 0 && in_doc) {
        /* mig-parted reads the first document only; note if more follow. */
        yaml_event_t ev;
        if (yaml_parser_parse(&parser, &ev)) {
            out->more_documents = ev.type == YAML_DOCUMENT_START_EVENT;
            yaml_event_delete(&ev);
        }
    }
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
    if (!doc)
        return;
    mp_arena_free(&doc->arena);
    memset(doc, 0, sizeof(*doc));
}

bool mp_ydoc_source_line(const char *text, size_t text_len, int line,
                         const char **start, size_t *len)
{
    if (!text || line < 1)
        return false;
    size_t i = 0;
    for (int l = 1; l < line; l++) {
        const char *nl = memchr(text + i, '\n', text_len - i);
        if (!nl)
            return false;
        i = (size_t)(nl - text) + 1;
    }
    if (i > text_len)
        return false;
    const char *nl = memchr(text + i, '\n', text_len - i);
    size_t e = nl ? (size_t)(nl - text) : text_len;
    if (e > i && text[e - 1] == '\r')
        e--;
    *start = text + i;
    *len = e - i;
    return true;
}

/* ------------------------------------------------------------- resolving */

static bool in_list(const char *s, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(s, *list) == 0)
            return true;
    return false;
}

/* Go strconv.ParseUint(s, 0, 64) on an unsigned digit string. */
static bool go_parse_uint0(const char *s, uint64_t *out)
{
    int base = 10;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    } else if (s[0] == '0' && (s[1] == 'o' || s[1] == 'O')) {
        base = 8;
        s += 2;
    } else if (s[0] == '0' && (s[1] == 'b' || s[1] == 'B')) {
        base = 2;
        s += 2;
    } else if (s[0] == '0' && s[1]) {
        base = 8;
        s += 1;
    }
    if (!*s)
        return false;
    uint64_t v = 0;
    for (; *s; s++) {
        int dg;
        if (*s >= '0' && *s <= '9')
            dg = *s - '0';
        else if (*s >= 'a' && *s <= 'f')
            dg = *s - 'a' + 10;
        else if (*s >= 'A' && *s <= 'F')
            dg = *s - 'A' + 10;
        else
            return false;
        if (dg >= base)
            return false;
        if (v > (UINT64_MAX - (uint64_t)dg) / (uint64_t)base)
            return false;
        v = v * (uint64_t)base + (uint64_t)dg;
    }
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
    if (!go_parse_uint0(s, &u))
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

mp_yvkind mp_ynode_resolve(const mp_ynode *n, mp_yval *out)
{
    mp_yval v;
    memset(&v, 0, sizeof(v));
    v.kind = MP_YV_STR;
    if (n->kind == MP_YNODE_SEQ) {
        v.kind = MP_YV_SEQ;
        goto done;
    }
    if (n->kind == MP_YNODE_MAP) {
        v.kind = MP_YV_MAP;
        goto done;
    }
    if (n->tag) {
        const char *t = n->tag;
        if (strcmp(t, "tag:yaml.org,2002:null") == 0 && n->len == 0)
            v.kind = MP_YV_NULL;
        if (strcmp(t, "tag:yaml.org,2002:int") != 0 &&
            strcmp(t, "tag:yaml.org,2002:float") != 0 &&
            strcmp(t, "tag:yaml.org,2002:bool") != 0 &&
            strcmp(t, "tag:yaml.org,2002:null") != 0)
            goto done; /* !!str, !, !!binary and unknown tags: a string */
    } else if (!n->plain) {
        goto done;
    }
    const char *s = n->str;
    if (strlen(s) != n->len)
        goto done; /* embedded NUL: only a string */
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
    bool word = n->len <= 6 && (n->len == 0 || strchr("yYnNtTfFoO~.+-", s[0]));
    if (word && in_list(s, yes)) {
        v.kind = MP_YV_BOOL;
        v.b = true;
    } else if (word && in_list(s, no)) {
        v.kind = MP_YV_BOOL;
        v.b = false;
    } else if (word && in_list(s, nul)) {
        v.kind = MP_YV_NULL;
    } else if (word && in_list(s, nan)) {
        v.kind = MP_YV_FLOAT;
        v.f = NAN;
    } else if (word && in_list(s, pinf)) {
        v.kind = MP_YV_FLOAT;
        v.f = INFINITY;
    } else if (word && in_list(s, ninf)) {
        v.kind = MP_YV_FLOAT;
        v.f = -INFINITY;
    } else if (s[0] == '.') {
        double f;
        if (yaml_style_float(s) && parse_float_checked(s, &f)) {
            v.kind = MP_YV_FLOAT;
            v.f = f;
        }
    } else if ((s[0] >= '0' && s[0] <= '9') || s[0] == '+' || s[0] == '-') {
        /* go-yaml v2 drops every underscore before parsing numbers */
        char tmp[128];
        size_t k = 0;
        for (size_t i = 0; s[i] && k + 1 < sizeof(tmp); i++)
            if (s[i] != '_')
                tmp[k++] = s[i];
        tmp[k] = '\0';
        if (n->len >= sizeof(tmp) - 1)
            goto done; /* far too long to be a number Go accepts */
        int64_t iv;
        uint64_t uv;
        double f;
        if (go_parse_int0(tmp, &iv)) {
            v.kind = MP_YV_INT;
            v.i = iv;
        } else if (tmp[0] != '+' && tmp[0] != '-' && go_parse_uint0(tmp, &uv)) {
            v.kind = MP_YV_UINT;
            v.u = uv;
        } else if (yaml_style_float(tmp) && parse_float_checked(tmp, &f)) {
            v.kind = MP_YV_FLOAT;
            v.f = f;
        }
    }
done:
    if (out)
        *out = v;
    return v.kind;
}

const char *mp_yvkind_name(mp_yvkind k)
{
    switch (k) {
    case MP_YV_NULL:
        return "null";
    case MP_YV_BOOL:
        return "boolean";
    case MP_YV_INT:
    case MP_YV_UINT:
        return "integer";
    case MP_YV_FLOAT:
        return "number";
    case MP_YV_STR:
        return "string";
    case MP_YV_SEQ:
        return "list";
    case MP_YV_MAP:
        return "map";
    }
    return "value";
}

/* Shortest digits that round-trip at the given precision, as %e text. */
static void shortest_e(double f, int bits, char *buf, size_t n)
{
    for (int p = 0; p < 17; p++) {
        snprintf(buf, n, "%.*e", p, f);
        if (bits == 32) {
            if (strtof(buf, NULL) == (float)f)
                return;
        } else if (strtod(buf, NULL) == f) {
            return;
        }
    }
    snprintf(buf, n, "%.16e", f);
}

/* Split "%e" text into sign, digit string and decimal exponent. */
static void split_e(const char *e, bool *neg, char *digits, size_t dn,
                    int *exp10)
{
    *neg = *e == '-';
    if (*e == '-' || *e == '+')
        e++;
    size_t k = 0;
    for (; *e && *e != 'e'; e++)
        if (*e >= '0' && *e <= '9' && k + 1 < dn)
            digits[k++] = *e;
    digits[k] = '\0';
    *exp10 = *e == 'e' ? atoi(e + 1) : 0;
    while (k > 1 && digits[k - 1] == '0')
        digits[--k] = '\0';
}

static void go_fmt(bool neg, const char *digits, int exp10, char style,
                   char *buf, size_t n)
{
    char tmp[400];
    size_t k = 0;
    size_t nd = strlen(digits);
    if (neg)
        tmp[k++] = '-';
    if (style == 'e') {
        tmp[k++] = digits[0];
        if (nd > 1) {
            tmp[k++] = '.';
            for (size_t i = 1; i < nd; i++)
                tmp[k++] = digits[i];
        }
        snprintf(tmp + k, sizeof(tmp) - k, "e%c%02d", exp10 < 0 ? '-' : '+',
                 exp10 < 0 ? -exp10 : exp10);
    } else {
        int dp = exp10 + 1; /* digits before the point */
        if (dp <= 0) {
            tmp[k++] = '0';
            tmp[k++] = '.';
            for (int i = 0; i < -dp && k < sizeof(tmp) - 2; i++)
                tmp[k++] = '0';
            for (size_t i = 0; i < nd && k < sizeof(tmp) - 2; i++)
                tmp[k++] = digits[i];
        } else {
            for (int i = 0; i < dp && k < sizeof(tmp) - 2; i++)
                tmp[k++] = (size_t)i < nd ? digits[i] : '0';
            if ((size_t)dp < nd) {
                tmp[k++] = '.';
                for (size_t i = (size_t)dp; i < nd && k < sizeof(tmp) - 2; i++)
                    tmp[k++] = digits[i];
            }
        }
        tmp[k] = '\0';
    }
    snprintf(buf, n, "%s", tmp);
}

void mp_go_format_float_g(double f, int bits, char *buf, size_t n)
{
    if (isnan(f)) {
        snprintf(buf, n, "NaN");
        return;
    }
    if (isinf(f)) {
        snprintf(buf, n, f > 0 ? "+Inf" : "-Inf");
        return;
    }
    char e[64], digits[40];
    bool neg;
    int exp10;
    shortest_e(f, bits, e, sizeof(e));
    split_e(e, &neg, digits, sizeof(digits), &exp10);
    if (f == 0) {
        snprintf(buf, n, "%s0", signbit(f) ? "-" : "");
        return;
    }
    /* strconv 'g' with shortest precision decides with precision 6 */
    go_fmt(neg, digits, exp10, (exp10 < -4 || exp10 >= 6) ? 'e' : 'f', buf, n);
}

void mp_go_json_float(double f, char *buf, size_t n)
{
    if (!isfinite(f)) {
        snprintf(buf, n, "%s", isnan(f) ? "NaN" : (f > 0 ? "+Inf" : "-Inf"));
        return;
    }
    if (f == 0) {
        snprintf(buf, n, "%s0", signbit(f) ? "-" : "");
        return;
    }
    char e[64], digits[40];
    bool neg;
    int exp10;
    shortest_e(f, 64, e, sizeof(e));
    split_e(e, &neg, digits, sizeof(digits), &exp10);
    double a = fabs(f);
    bool use_e = a < 1e-6 || a >= 1e21;
    go_fmt(neg, digits, exp10, use_e ? 'e' : 'f', buf, n);
    if (use_e) {
        /* encoding/json writes e-7, not e-07 */
        size_t L = strlen(buf);
        if (L >= 4 && buf[L - 4] == 'e' && buf[L - 3] == '-' &&
            buf[L - 2] == '0') {
            buf[L - 2] = buf[L - 1];
            buf[L - 1] = '\0';
        }
    }
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
