/* SPDX-License-Identifier: Apache-2.0 */
/* nvsmi_table.c - split nvidia-smi output into lines, boxed tables, rows and
 * cells, with positioned errors for anything that is not such output. */
#include "migplan/readers/nvsmi_table.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct scan {
    mp_nvsmi_doc *doc;
    mp_diag *d;
    int tables_cap; /* room in doc->tables */
} scan;

#define err(s, line, col, ...)                                                 \
    mp_diag_set((s)->d, MP_ESYNTAX, (s)->doc->path, line, col, __VA_ARGS__)

static int nomem(scan *s)
{
    return mp_diag_set(s->d, MP_ENOMEM, s->doc->path, 0, 0, "out of memory");
}

/* Length of the UTF-8 sequence at p (at most n bytes), 0 when invalid. */
static int utf8_len(const unsigned char *p, size_t n)
{
    int len = p[0] >= 0xF0 ? 4 : p[0] >= 0xE0 ? 3 : p[0] >= 0xC2 ? 2 : 0;
    if (p[0] > 0xF4 || (size_t)len > n)
        return 0;
    for (int i = 1; i < len; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    return len;
}

/* Text only: no NUL, no control characters but tab, valid UTF-8. */
static int check_bytes(scan *s, const char *text, size_t len)
{
    int line = 1, col = 1;
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)text[i];
        if (c == '\n' || (c == '\r' && (i + 1 == len || text[i + 1] != '\n'))) {
            line++, col = 1, i++; /* a lone CR (old Mac) ends a line too */
            continue;
        }
        if (c >= 0x80) {
            int l = utf8_len((const unsigned char *)text + i, len - i);
            if (!l)
                return err(s, line, col,
                           "not text: invalid UTF-8 (byte 0x%02X); give "
                           "nvidia-smi's output as it printed it",
                           c);
            i += (size_t)l, col += l;
            continue;
        }
        if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7F)
            return err(s, line, col,
                       "not text: control character 0x%02X; give "
                       "nvidia-smi's output as it printed it",
                       c);
        i++, col++;
    }
    return 0;
}

static int split_lines(scan *s, const char *text, size_t len)
{
    mp_nvsmi_doc *doc = s->doc;
    const char *p = text, *end = text + len;
    int n = 0;
    for (const char *e; p < end; p = e ? e + 1 : end, n++)
        e = mp_line_end(p, end);
    doc->lines =
        mp_arena_alloc(&doc->arena, (size_t)(n + 1) * sizeof(*doc->lines));
    if (!doc->lines)
        return nomem(s);
    p = text;
    for (int k = 0; k < n; k++) {
        const char *nl = mp_line_end(p, end);
        const char *e = nl ? nl : end;
        size_t l = (size_t)(e - p);
        if (l > MP_NVSMI_MAX_LINE)
            return err(s, k + 1, MP_NVSMI_MAX_LINE + 1,
                       "line is longer than %d bytes; nvidia-smi's lines "
                       "are under 200",
                       MP_NVSMI_MAX_LINE);
        if (l && p[l - 1] == '\r')
            l--;
        doc->lines[k] = (mp_nvsmi_line){k + 1, p, (int)l, -1};
        p = e + 1;
    }
    doc->n_lines = n;
    return 0;
}

/* The line without leading and trailing blanks: *off is where it starts. */
static int strip(const mp_nvsmi_line *l, int *off)
{
    int a = 0, b = l->len;
    while (a < b && (l->text[a] == ' ' || l->text[a] == '\t'))
        a++;
    while (b > a && (l->text[b - 1] == ' ' || l->text[b - 1] == '\t'))
        b--;
    *off = a;
    return b - a;
}

static int chars(const char *p, int n)
{
    int c = 0;
    for (int i = 0; i < n; i++)
        c += ((unsigned char)p[i] & 0xC0) != 0x80;
    return c;
}

/* A rule: +-----+----+ or |=====+====| ; 0 if not, '-' or '=' if so. */
static int rule_kind(const mp_nvsmi_line *l)
{
    int off, n = strip(l, &off);
    const char *p = l->text + off;
    if (n < 3 || (p[0] != '+' && p[0] != '|') ||
        (p[n - 1] != '+' && p[n - 1] != '|'))
        return 0;
    int kind = 0, run = 0, best = 0;
    for (int i = 0; i < n; i++) {
        if (!strchr("+-=| ", p[i]))
            return 0;
        if (p[i] == '=')
            kind = '=';
        run = (p[i] == '-' || p[i] == '=') ? run + 1 : 0;
        if (run > best)
            best = run;
    }
    return best >= 3 ? (kind ? kind : '-') : 0;
}

static bool is_row(const mp_nvsmi_line *l)
{
    int off, n = strip(l, &off);
    return n > 0 && l->text[off] == '|';
}

/* Cut a row into boxes and cells. */
static int read_row(scan *s, const mp_nvsmi_line *l, int width,
                    mp_nvsmi_row *row)
{
    int off, n = strip(l, &off);
    const char *p = l->text + off;
    if (n < 2 || p[n - 1] != '|')
        return err(s, l->line, off + n + 1,
                   "a table row must end with '|'; is the output cut "
                   "short?");
    if (chars(p, n) != width)
        return err(s, l->line, off + 1,
                   "this row is %d characters wide but its table %d; give "
                   "the table as nvidia-smi printed it",
                   chars(p, n), width);
    mp_nvsmi_cell cells[MP_NVSMI_MAX_CELLS];
    int nc = 0, box = 0;
    for (int i = 1; i < n - 1;) {
        if (p[i] == '|') {
            box++, i++;
            continue;
        }
        if (p[i] == ' ' || p[i] == '\t') {
            i++;
            continue;
        }
        int j = i;
        while (j < n - 1 && p[j] != ' ' && p[j] != '\t' && p[j] != '|')
            j++;
        if (nc == MP_NVSMI_MAX_CELLS)
            return err(s, l->line, off + i + 1,
                       "more than %d cells in one table row",
                       MP_NVSMI_MAX_CELLS);
        cells[nc++] = (mp_nvsmi_cell){p + i, j - i, off + i + 1, box};
        i = j;
    }
    row->line = l->line;
    row->n_cells = nc;
    row->n_boxes = box + 1;
    row->cells = mp_arena_alloc(&s->doc->arena,
                                (size_t)(nc ? nc : 1) * sizeof(*row->cells));
    if (!row->cells)
        return nomem(s);
    memcpy(row->cells, cells, (size_t)nc * sizeof(*cells));
    return 0;
}

/* The first header row is the title when it is one box that ends in ':'
 * ("GPU instance profiles:") or is followed by a rule ("NVIDIA-SMI ..."). */
static int take_title(scan *s, mp_nvsmi_table *t)
{
    if (t->n_header == 0)
        return 0;
    mp_nvsmi_row *r = &t->header[0];
    const mp_nvsmi_line *l = &s->doc->lines[r->line - 1];
    bool ruled = r->line < s->doc->n_lines && rule_kind(l + 1);
    if (r->n_boxes != 1 || r->n_cells == 0)
        return 0;
    const mp_nvsmi_cell *last = &r->cells[r->n_cells - 1];
    if (last->s[last->len - 1] != ':' && !ruled)
        return 0;
    const char *a = r->cells[0].s;
    t->title =
        mp_arena_strndup(&s->doc->arena, a, (size_t)(last->s + last->len - a));
    if (!t->title)
        return nomem(s);
    t->title_line = r->line;
    t->header++;
    t->n_header--;
    return 0;
}

typedef struct grow {
    mp_nvsmi_row *v;
    int n, cap;
} grow;

static mp_nvsmi_row *push_row(grow *g)
{
    if (mp_grow(&g->v, &g->cap, g->n + 1, sizeof(*g->v), 16))
        return NULL;
    return &g->v[g->n++];
}

/* Copy a grown array into the arena. */
static void *keep(scan *s, const void *v, size_t n)
{
    void *p = mp_arena_alloc(&s->doc->arena, n ? n : 1);
    if (p && n)
        memcpy(p, v, n);
    return p;
}

typedef struct body {
    grow head, rows;
    int *rec;
    int nrec, caprec;
} body;

static int add_record(body *b, int at)
{
    if (mp_grow(&b->rec, &b->caprec, b->nrec + 1, sizeof(*b->rec), 16))
        return -1;
    b->rec[b->nrec++] = at;
    return 0;
}

/* Walk the lines of the table that starts at line index i; *next is the
 * first line after it. */
static int walk_table(scan *s, int i, mp_nvsmi_table *t, body *b, int *next)
{
    mp_nvsmi_doc *doc = s->doc;
    bool in_body = false, new_record = true;
    int j = i + 1, rc = 0;
    for (; j < doc->n_lines; j++) {
        const mp_nvsmi_line *l = &doc->lines[j];
        int kind = rule_kind(l);
        if (!kind && !is_row(l))
            break;
        doc->lines[j].table = doc->n_tables;
        if (kind == '=') {
            if (in_body)
                return err(s, l->line, 1,
                           "a second ===== rule in one table: two tables run "
                           "together here (two captures joined, or a "
                           "closing +----+ rule lost?); give one nvidia-smi "
                           "output per file, each table as nvidia-smi "
                           "printed it");
            in_body = new_record = true;
            continue;
        }
        if (kind) {
            new_record = true;
            int off, n = strip(l, &off);
            /* a rule right after a closing rule starts the next table
             * (captures pasted one after the other): nvidia-smi prints no
             * two rules in a row inside a table */
            if (kind == '-' && j > i + 1 &&
                rule_kind(&doc->lines[j - 1]) == '-') {
                doc->lines[j].table = -1;
                break;
            }
            if (chars(l->text + off, n) != t->width)
                return err(s, l->line, off + 1,
                           "this rule is %d characters wide but its table "
                           "%d; give the table as nvidia-smi printed it",
                           chars(l->text + off, n), t->width);
            continue;
        }
        mp_nvsmi_row *r = push_row(in_body ? &b->rows : &b->head);
        if (!r)
            return nomem(s);
        if ((rc = read_row(s, l, t->width, r)) != 0)
            return rc;
        if (in_body && new_record && add_record(b, b->rows.n - 1))
            return nomem(s);
        new_record = false;
    }
    const mp_nvsmi_line *last = &doc->lines[j - 1];
    if (rule_kind(last) != '-') /* not a header's ==== rule either */
        return err(s, last->line, 1,
                   "this table is not closed by a +----+ rule; is the "
                   "output cut short?");
    t->end_line = last->line;
    *next = j;
    return 0;
}

static int read_table(scan *s, int i, int *next)
{
    mp_nvsmi_doc *doc = s->doc;
    mp_nvsmi_table t = {0};
    const mp_nvsmi_line *top = &doc->lines[i];
    int off, n = strip(top, &off);
    t.line = top->line;
    t.width = chars(top->text + off, n);
    doc->lines[i].table = doc->n_tables;
    body b = {0};
    int rc = walk_table(s, i, &t, &b, next);
    if (!rc) {
        t.header = keep(s, b.head.v, (size_t)b.head.n * sizeof(*b.head.v));
        t.n_header = b.head.n;
        t.rows = keep(s, b.rows.v, (size_t)b.rows.n * sizeof(*b.rows.v));
        t.n_rows = b.rows.n;
        t.record = keep(s, b.rec, (size_t)b.nrec * sizeof(*b.rec));
        t.n_records = b.nrec;
        rc = !t.header || !t.rows || !t.record ? nomem(s) : take_title(s, &t);
    }
    free(b.head.v);
    free(b.rows.v);
    free(b.rec);
    if (rc)
        return rc;
    if (doc->n_tables == s->tables_cap) {
        /* doubled, so that many small tables cost linear time and memory
         * (the arena keeps the old arrays until the document goes) */
        int cap = s->tables_cap ? 2 * s->tables_cap : 8;
        mp_nvsmi_table *nt =
            mp_arena_alloc(&doc->arena, (size_t)cap * sizeof(*nt));
        if (!nt)
            return nomem(s);
        if (doc->n_tables)
            memcpy(nt, doc->tables, (size_t)doc->n_tables * sizeof(*nt));
        doc->tables = nt;
        s->tables_cap = cap;
    }
    doc->tables[doc->n_tables++] = t;
    return 0;
}

static int find_tables(scan *s)
{
    mp_nvsmi_doc *doc = s->doc;
    for (int i = 0; i < doc->n_lines;) {
        const mp_nvsmi_line *l = &doc->lines[i];
        int off;
        strip(l, &off);
        if (rule_kind(l) && l->text[off] == '+') {
            int rc = read_table(s, i, &i);
            if (rc)
                return rc;
            continue;
        }
        if (is_row(l) || rule_kind(l))
            return err(s, l->line, off + 1,
                       "a table row without its table: the +----+ rule "
                       "above it is missing; give the whole table");
        i++;
    }
    return 0;
}

int mp_nvsmi_parse(const char *text, size_t len, const char *path,
                   mp_nvsmi_doc *out, mp_diag *d)
{
    memset(out, 0, sizeof(*out));
    scan s = {out, d, 0};
    out->path = mp_arena_strdup(&out->arena, path ? path : "<input>");
    if (!out->path)
        return nomem(&s);
    int rc = check_bytes(&s, text, len);
    if (!rc)
        rc = split_lines(&s, text, len);
    if (!rc)
        rc = find_tables(&s);
    if (rc)
        mp_nvsmi_doc_free(out);
    return rc;
}

void mp_nvsmi_doc_free(mp_nvsmi_doc *doc)
{
    if (doc)
        mp_arena_release(&doc->arena, doc, sizeof(*doc));
}

int mp_nvsmi_words(const mp_nvsmi_line *l, mp_nvsmi_cell *cells, int max)
{
    int n = 0;
    for (int i = 0; i < l->len;) {
        if (l->text[i] == ' ' || l->text[i] == '\t') {
            i++;
            continue;
        }
        int j = i;
        while (j < l->len && l->text[j] != ' ' && l->text[j] != '\t')
            j++;
        if (n < max)
            cells[n] = (mp_nvsmi_cell){l->text + i, j - i, i + 1, 0};
        n++;
        i = j;
    }
    return n;
}

bool mp_nvsmi_cell_is(const mp_nvsmi_cell *c, const char *s)
{
    return (size_t)c->len == strlen(s) && memcmp(c->s, s, (size_t)c->len) == 0;
}

bool mp_nvsmi_cell_int(const mp_nvsmi_cell *c, int lo, int hi, int *out)
{
    if (c->len < 1 || c->len > 6)
        return false;
    long v = 0;
    for (int i = 0; i < c->len; i++) {
        if (!isdigit((unsigned char)c->s[i]))
            return false;
        v = v * 10 + (c->s[i] - '0');
    }
    if (v < lo || v > hi)
        return false;
    *out = (int)v;
    return true;
}

void mp_nvsmi_header_words(const mp_nvsmi_table *t, int from, int to, char *buf,
                           size_t n)
{
    size_t k = 0;
    buf[0] = '\0';
    for (int i = from; i < to && k < n; i++)
        for (int c = 0; c < t->header[i].n_cells && k < n; c++)
            k += (size_t)snprintf(buf + k, n - k, "%s%.*s", k ? " " : "",
                                  t->header[i].cells[c].len,
                                  t->header[i].cells[c].s);
}

void mp_nvsmi_record(const mp_nvsmi_table *t, int i, int *first, int *n)
{
    *first = t->record[i];
    *n = (i + 1 < t->n_records ? t->record[i + 1] : t->n_rows) - *first;
}
