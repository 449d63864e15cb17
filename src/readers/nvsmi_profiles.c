/* SPDX-License-Identifier: Apache-2.0 */
/* nvsmi_profiles.c - read -lgip and -lcip tables, -lgipp lines and
 * --query-gpu CSV out of a capture of nvidia-smi output. */
#include "migplan/readers/nvsmi_profiles.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migplan/readers/nvsmi_table.h"

typedef struct rd {
    mp_nvsmi_capture *cap;
    const mp_nvsmi_doc *doc;
    const char *path; /* owned by cap->arena */
    mp_diag *d;
} rd;

#define ERR(r, line, col, ...)                                                 \
    mp_diag_set((r)->d, MP_ESYNTAX, (r)->path, line, col, __VA_ARGS__)

static int nomem(rd *r)
{
    return mp_diag_set(r->d, MP_ENOMEM, r->path, 0, 0, "out of memory");
}

/* add_gip() etc.: append a zeroed row, read at line of r's file, to the
 * capture; NULL (and *rc set) when out of memory or over the limit. The
 * rows live in the capture's arena; an array is full when its count is 0
 * or a power of two, and then doubles. */
#define DEFINE_ADD(fn, type, arr, cnt)                                         \
    static type *fn(rd *r, int line, int *rc)                                  \
    {                                                                          \
        mp_nvsmi_capture *c = r->cap;                                          \
        if (c->cnt >= MP_NVSMI_MAX_ROWS) {                                     \
            *rc = ERR(r, line, 1, "more than %d rows of one kind (limit)",     \
                      MP_NVSMI_MAX_ROWS);                                      \
            return NULL;                                                       \
        }                                                                      \
        int full = c->cnt;                                                     \
        if ((c->cnt & (c->cnt - 1)) == 0 &&                                    \
            mp_arena_grow(&c->arena, &c->arr, &full, c->cnt + 1, sizeof(type), \
                          1)) {                                                \
            *rc = nomem(r);                                                    \
            return NULL;                                                       \
        }                                                                      \
        c->arr[c->cnt].at = (mp_nvsmi_at){r->path, line};                      \
        *rc = 0;                                                               \
        return &c->arr[c->cnt++];                                              \
    }

DEFINE_ADD(add_gip, mp_nvsmi_gip, gip, n_gip)
DEFINE_ADD(add_gipp, mp_nvsmi_gipp, gipp, n_gipp)
DEFINE_ADD(add_cip, mp_nvsmi_cip, cip, n_cip)
DEFINE_ADD(add_query, mp_nvsmi_query, query, n_query)

static int want_int(rd *r, int line, const mp_nvsmi_cell *c, const char *what,
                    int lo, int hi, int *out)
{
    if (mp_nvsmi_cell_int(c, lo, hi, out))
        return 0;
    return ERR(r, line, c->col, "%s must be a number from %d to %d, not '%.*s'",
               what, lo, hi, c->len, c->s);
}

/* "7/7" */
static int want_ratio(rd *r, int line, const mp_nvsmi_cell *c, int *free,
                      int *total)
{
    const char *slash = memchr(c->s, '/', (size_t)c->len);
    if (slash) {
        mp_nvsmi_cell a = {c->s, (int)(slash - c->s), c->col, 0};
        mp_nvsmi_cell b = {slash + 1, c->len - a.len - 1, c->col, 0};
        if (mp_nvsmi_cell_int(&a, 0, 64, free) &&
            mp_nvsmi_cell_int(&b, 1, 64, total) && *free <= *total)
            return 0;
    }
    return ERR(r, line, c->col,
               "instances must be printed as Free/Total, e.g. 7/7, not "
               "'%.*s'",
               c->len, c->s);
}

static int want_word(rd *r, int line, const mp_nvsmi_cell *c, const char *w)
{
    if (mp_nvsmi_cell_is(c, w))
        return 0;
    return ERR(r, line, c->col, "expected '%s' here, not '%.*s'", w, c->len,
               c->s);
}

static int copy_cell(rd *r, int line, const mp_nvsmi_cell *c, char *buf,
                     size_t n, const char *what)
{
    if ((size_t)c->len >= n)
        return ERR(r, line, c->col, "%s '%.*s' is too long", what, c->len,
                   c->s);
    memcpy(buf, c->s, (size_t)c->len);
    buf[c->len] = '\0';
    return 0;
}

/* The header rows must carry exactly these words, line by line. */
static int check_header(rd *r, const mp_nvsmi_table *t, const char *what,
                        const char *const *rows, int nrows)
{
    bool ok = t->n_header == nrows;
    for (int i = 0; ok && i < nrows; i++) {
        char words[200];
        mp_nvsmi_header_words(t, i, i + 1, words, sizeof(words));
        ok = strcmp(words, rows[i]) == 0;
    }
    if (ok)
        return 0;
    int line = t->n_header ? t->header[0].line : t->title_line;
    return ERR(r, line, 1,
               "the %s table's header is not the one nvidia-smi prints "
               "(\"%s\" ...); this output format is not known",
               what, rows[0]);
}

static int record_rows(rd *r, const mp_nvsmi_table *t, int i, int n0, int n1,
                       const mp_nvsmi_row **a, const mp_nvsmi_row **b)
{
    int first, n;
    mp_nvsmi_record(t, i, &first, &n);
    *a = &t->rows[first];
    *b = n > 1 ? &t->rows[first + 1] : NULL;
    if (n != 2 || (*a)->n_cells != n0 || (*b)->n_cells != n1)
        return ERR(r, (*a)->line, 1,
                   "a profile takes two lines of %d and %d values here; "
                   "this one does not",
                   n0, n1);
    return 0;
}

/* The engine counts both tables end with: SM, DEC and ENC from column
 * first of line a, then OFA next to them (-lcip, ofa_on_a) or after CE
 * and JPEG, which open line b (-lgip). */
static int want_engines(rd *r, const mp_nvsmi_row *a, int first,
                        const mp_nvsmi_row *b, bool ofa_on_a,
                        mp_nvsmi_engines *e)
{
    const mp_nvsmi_cell *c = a->cells + first, *c2 = b->cells;
    int rc;
    if ((rc = want_int(r, a->line, &c[0], "SM", 0, 100000, &e->sms)) ||
        (rc = want_int(r, a->line, &c[1], "DEC", 0, 64, &e->dec)) ||
        (rc = want_int(r, a->line, &c[2], "ENC", 0, 64, &e->enc)) ||
        (ofa_on_a &&
         (rc = want_int(r, a->line, &c[3], "OFA", 0, 64, &e->ofa))) ||
        (rc = want_int(r, b->line, &c2[0], "CE", 0, 64, &e->ce)) ||
        (rc = want_int(r, b->line, &c2[1], "JPEG", 0, 64, &e->jpeg)))
        return rc;
    return ofa_on_a ? 0 : want_int(r, b->line, &c2[2], "OFA", 0, 64, &e->ofa);
}

static int lgip_row(rd *r, const mp_nvsmi_row *a, const mp_nvsmi_row *b)
{
    const mp_nvsmi_cell *c = a->cells;
    int l = a->line, rc = 0;
    mp_nvsmi_gip *g = add_gip(r, l, &rc);
    if (!g)
        return rc;
    if ((rc = want_int(r, l, &c[0], "the GPU index", 0, 1023, &g->gpu)) ||
        (rc = want_word(r, l, &c[1], "MIG")) ||
        (rc = copy_cell(r, l, &c[2], g->name, sizeof(g->name), "name")) ||
        (rc = want_int(r, l, &c[3], "the profile ID", 0, 255, &g->id)) ||
        (rc = want_ratio(r, l, &c[4], &g->free, &g->total)) ||
        (rc = copy_cell(r, l, &c[5], g->gib, sizeof(g->gib), "memory")))
        return rc;
    if (!mp_nvsmi_cell_is(&c[6], "No") && !mp_nvsmi_cell_is(&c[6], "Yes"))
        return ERR(r, l, c[6].col, "P2P must be No or Yes, not '%.*s'",
                   c[6].len, c[6].s);
    g->p2p = mp_nvsmi_cell_is(&c[6], "Yes");
    return want_engines(r, a, 7, b, false, &g->eng);
}

static int lcip_row(rd *r, const mp_nvsmi_row *a, const mp_nvsmi_row *b)
{
    const mp_nvsmi_cell *c = a->cells;
    int l = a->line, rc = 0;
    mp_nvsmi_cip *ci = add_cip(r, l, &rc);
    if (!ci)
        return rc;
    mp_nvsmi_cell id = c[4];
    if (id.len > 1 && id.s[id.len - 1] == '*') {
        ci->is_default = true;
        id.len--;
    }
    if ((rc = want_int(r, l, &c[0], "the GPU index", 0, 1023, &ci->gpu)) ||
        (rc = want_int(r, l, &c[1], "the GPU instance ID", 0, 1023, &ci->gi)) ||
        (rc = want_word(r, l, &c[2], "MIG")) ||
        (rc = copy_cell(r, l, &c[3], ci->name, sizeof(ci->name), "name")) ||
        (rc = want_int(r, l, &id, "the profile ID", 0, 255, &ci->id)) ||
        (rc = want_ratio(r, l, &c[5], &ci->free, &ci->total)))
        return rc;
    return want_engines(r, a, 6, b, true, &ci->eng);
}

/* "{0,2,4}:2" */
static int parse_starts(rd *r, int line, const mp_nvsmi_cell *c,
                        mp_nvsmi_gipp *g)
{
    const char *p = c->s, *end = c->s + c->len;
    if (p == end || *p++ != '{')
        goto bad;
    for (;;) {
        int v = 0, digits = 0;
        while (p < end && isdigit((unsigned char)*p) && digits < 4)
            v = v * 10 + (*p++ - '0'), digits++;
        if (!digits || g->n == MP_MAX_UNITS)
            goto bad;
        g->starts[g->n++] = v;
        if (p < end && *p == ',') {
            p++;
            continue;
        }
        break;
    }
    if (end - p < 3 || p[0] != '}' || p[1] != ':')
        goto bad;
    mp_nvsmi_cell sz = {p + 2, (int)(end - p - 2), c->col, 0};
    if (mp_nvsmi_cell_int(&sz, 1, MP_MAX_UNITS, &g->size))
        return 0;
bad:
    return ERR(r, line, c->col,
               "placements must look like {0,2,4}:2 (at most %d starts), "
               "not '%.*s'",
               MP_MAX_UNITS, c->len, c->s);
}

/* GPU  0 Profile ID 19 Placements: {0,1,2,3,4,5,6}:1
 * GPU  0 Profile ID  0 Placement : {0}:8 */
static int read_lgipp(rd *r, const mp_nvsmi_line *l)
{
    mp_nvsmi_cell w[9];
    int n = mp_nvsmi_words(l, w, 9), rc = 0;
    bool plural = n >= 7 && mp_nvsmi_cell_is(&w[5], "Placements:");
    bool single = n >= 8 && mp_nvsmi_cell_is(&w[5], "Placement") &&
                  mp_nvsmi_cell_is(&w[6], ":");
    if (n < 7 || !mp_nvsmi_cell_is(&w[0], "GPU") ||
        !mp_nvsmi_cell_is(&w[2], "Profile") || !mp_nvsmi_cell_is(&w[3], "ID") ||
        !(plural || single))
        return ERR(r, l->line, 1,
                   "not an -lgipp line: expected \"GPU N Profile ID N "
                   "Placements: {0,2,4}:2\"");
    int k = plural ? 6 : 7; /* the placements */
    if (n > k + 1)
        return ERR(r, l->line, w[k + 1].col,
                   "unexpected text after the placements of an -lgipp line");
    mp_nvsmi_gipp *g = add_gipp(r, l->line, &rc);
    if (!g)
        return rc;
    if ((rc = want_int(r, l->line, &w[1], "the GPU index", 0, 1023, &g->gpu)) ||
        (rc = want_int(r, l->line, &w[4], "the profile ID", 0, 255, &g->id)))
        return rc;
    return parse_starts(r, l->line, &w[k], g);
}

/* ---- --query-gpu --format=csv ---- */

typedef struct csv_cols {
    int n, name, pci, mem, driver; /* column indices, -1 when absent */
} csv_cols;

/* Split at ',' and trim: cells into the line's text. */
static int csv_split(const mp_nvsmi_line *l, mp_nvsmi_cell *f, int max)
{
    int n = 0, i = 0;
    for (;;) {
        int a = i;
        while (i < l->len && l->text[i] != ',')
            i++;
        int b = i;
        while (a < b && l->text[a] == ' ')
            a++;
        while (b > a && l->text[b - 1] == ' ')
            b--;
        if (n < max)
            f[n] = (mp_nvsmi_cell){l->text + a, b - a, a + 1, 0};
        n++;
        if (i >= l->len)
            return n;
        i++;
    }
}

/* "memory.total [MiB]": lowercase words joined by dots or underscores,
 * with an optional unit in brackets. */
static bool field_name(const mp_nvsmi_cell *c)
{
    int i = 0;
    while (i < c->len && (islower((unsigned char)c->s[i]) ||
                          isdigit((unsigned char)c->s[i]) || c->s[i] == '.' ||
                          c->s[i] == '_'))
        i++;
    if (i == 0)
        return false;
    if (i == c->len)
        return true;
    return c->len - i >= 4 && c->s[i] == ' ' && c->s[i + 1] == '[' &&
           c->s[c->len - 1] == ']';
}

static bool field_is(const mp_nvsmi_cell *c, const char *name)
{
    size_t n = strlen(name);
    return (size_t)c->len >= n && memcmp(c->s, name, n) == 0 &&
           ((size_t)c->len == n || c->s[n] == ' ');
}

static bool csv_header(const mp_nvsmi_line *l, csv_cols *cols)
{
    mp_nvsmi_cell f[64];
    int n = csv_split(l, f, 64);
    if (n < 2 || n > 64)
        return false;
    *cols = (csv_cols){n, -1, -1, -1, -1};
    for (int i = 0; i < n; i++) {
        if (!field_name(&f[i]))
            return false;
        if (field_is(&f[i], "name"))
            cols->name = i;
        if (field_is(&f[i], "pci.device_id"))
            cols->pci = i;
        if (field_is(&f[i], "memory.total"))
            cols->mem = i;
        if (field_is(&f[i], "driver_version"))
            cols->driver = i;
    }
    return cols->name >= 0 || cols->pci >= 0;
}

/* "81559 MiB" or "81559" */
static int csv_memory(rd *r, int line, const mp_nvsmi_cell *c, int *mib)
{
    mp_nvsmi_cell v = *c;
    if (v.len > 4 && memcmp(v.s + v.len - 4, " MiB", 4) == 0)
        v.len -= 4;
    return want_int(r, line, &v, "memory.total (MiB)", 1024, 16777216, mib);
}

static int csv_driver(rd *r, int line, const mp_nvsmi_cell *c, char *out)
{
    bool ok = c->len > 0 && c->len < 32 && isdigit((unsigned char)c->s[0]);
    for (int i = 0; ok && i < c->len; i++)
        ok = isdigit((unsigned char)c->s[i]) || c->s[i] == '.';
    if (!ok)
        return ERR(r, line, c->col,
                   "driver_version must look like 580.173.02, not '%.*s'",
                   c->len, c->s);
    memcpy(out, c->s, (size_t)c->len);
    out[c->len] = '\0';
    return 0;
}

static int csv_row(rd *r, const mp_nvsmi_line *l, const csv_cols *cols)
{
    mp_nvsmi_cell f[64];
    int n = csv_split(l, f, 64), rc = 0;
    if (n != cols->n)
        return ERR(r, l->line, 1,
                   "this --query-gpu row has %d values but its header %d", n,
                   cols->n);
    for (int i = 0; i < n; i++)
        if (mp_nvsmi_cell_is(&f[i], "[N/A]") ||
            mp_nvsmi_cell_is(&f[i], "[Not Supported]"))
            if (i == cols->name || i == cols->pci || i == cols->mem ||
                i == cols->driver)
                return ERR(r, l->line, f[i].col,
                           "nvidia-smi printed %.*s for a value import needs",
                           f[i].len, f[i].s);
    mp_nvsmi_query *q = add_query(r, l->line, &rc);
    if (!q)
        return rc;
    q->memory_mib = -1;
    if (cols->name >= 0 && (rc = copy_cell(r, l->line, &f[cols->name], q->name,
                                           sizeof(q->name), "name")))
        return rc;
    if (cols->name >= 0 && !q->name[0])
        return ERR(r, l->line, f[cols->name].col, "the GPU name is empty");
    if (cols->pci >= 0) {
        const mp_nvsmi_cell *c = &f[cols->pci];
        char buf[16];
        if (c->len != 10 || (memcpy(buf, c->s, 10), buf[10] = '\0',
                             !mp_parse_pci_id(buf, &q->pci_id)))
            return ERR(r, l->line, c->col,
                       "pci.device_id must look like 0x233010DE, not '%.*s'",
                       c->len, c->s);
    }
    if (cols->mem >= 0 &&
        (rc = csv_memory(r, l->line, &f[cols->mem], &q->memory_mib)))
        return rc;
    if (cols->driver >= 0)
        rc = csv_driver(r, l->line, &f[cols->driver], q->driver);
    return rc;
}

/* ---- the capture ---- */

static bool contains(const mp_nvsmi_line *l, const char *s)
{
    size_t n = strlen(s);
    for (int i = 0; i + (int)n <= l->len; i++)
        if (memcmp(l->text + i, s, n) == 0)
            return true;
    return false;
}

static bool blank(const mp_nvsmi_line *l)
{
    for (int i = 0; i < l->len; i++)
        if (l->text[i] != ' ' && l->text[i] != '\t')
            return false;
    return true;
}

static int other_line(rd *r, const mp_nvsmi_line *l)
{
    mp_nvsmi_cell w[1];
    mp_nvsmi_words(l, w, 1);
    if (mp_nvsmi_cell_is(&w[0], "No"))
        return ERR(r, l->line, w[0].col,
                   "nvidia-smi printed \"%.*s\" instead of a table: -lgip "
                   "needs MIG mode on (nvidia-smi -i N -mig 1), -lcip a GPU "
                   "instance; capture again",
                   l->len - w[0].col + 1, w[0].s);
    if (memchr(l->text, ',', (size_t)l->len) &&
        !memchr(l->text, '{', (size_t)l->len))
        return ERR(r, l->line, w[0].col,
                   "a --query-gpu row without its header line; capture with "
                   "--format=csv (not noheader) so its columns have names");
    return ERR(r, l->line, w[0].col,
               "not part of what import-profiles reads (nvidia-smi mig -lgip, "
               "-lgipp, -lcip, --query-gpu --format=csv); remove the line");
}

/* The tables of -lgip and -lcip: records of two rows of n0 and n1 values
 * under the header rows hdr[0..nhdr), each added by row(). */
static const struct record_kind {
    const char *title, *what;
    const char *hdr[3];
    int nhdr, n0, n1;
    int (*row)(rd *r, const mp_nvsmi_row *a, const mp_nvsmi_row *b);
} record_kinds[] = {
    {.title = "GPU instance profiles:",
     .what = "-lgip",
     .hdr = {"GPU Name ID Instances Memory P2P SM DEC ENC",
             "Free/Total GiB CE JPEG OFA"},
     .nhdr = 2,
     .n0 = 10,
     .n1 = 3,
     .row = lgip_row},
    {.title = "Compute instance profiles:",
     .what = "-lcip",
     .hdr = {"GPU GPU Name Profile Instances Exclusive Shared",
             "Instance ID Free/Total SM DEC ENC OFA", "ID CE JPEG"},
     .nhdr = 3,
     .n0 = 10,
     .n1 = 2,
     .row = lcip_row},
};

static int read_records(rd *r, const mp_nvsmi_table *t,
                        const struct record_kind *k)
{
    int rc = check_header(r, t, k->what, k->hdr, k->nhdr);
    for (int i = 0; !rc && i < t->n_records; i++) {
        const mp_nvsmi_row *a, *b;
        rc = record_rows(r, t, i, k->n0, k->n1, &a, &b);
        if (!rc)
            rc = k->row(r, a, b);
    }
    return rc;
}

static int read_table(rd *r, const mp_nvsmi_table *t)
{
    const char *title = t->title ? t->title : "";
    for (size_t k = 0; k < sizeof(record_kinds) / sizeof(record_kinds[0]); k++)
        if (strcmp(title, record_kinds[k].title) == 0)
            return read_records(r, t, &record_kinds[k]);
    return ERR(r, t->line, 1,
               "import-profiles reads the tables of nvidia-smi mig -lgip and "
               "-lcip, not \"%s\"; remove this table",
               t->title ? t->title : "an untitled table");
}

static int read_lines(rd *r)
{
    csv_cols cols;
    bool in_csv = false;
    for (int i = 0; i < r->doc->n_lines; i++) {
        const mp_nvsmi_line *l = &r->doc->lines[i];
        int rc = 0;
        if (l->table >= 0 || blank(l) || contains(l, "nvidia-smi")) {
            in_csv = false; /* tables, blank lines and commands end a CSV */
            if (l->table >= 0 && r->doc->tables[l->table].line == l->line &&
                (rc = read_table(r, &r->doc->tables[l->table])))
                return rc;
            continue;
        }
        mp_nvsmi_cell w[1];
        mp_nvsmi_words(l, w, 1);
        if (mp_nvsmi_cell_is(&w[0], "GPU")) {
            in_csv = false;
            rc = read_lgipp(r, l);
        } else if (in_csv && memchr(l->text, ',', (size_t)l->len))
            rc = csv_row(r, l, &cols);
        else if ((in_csv = csv_header(l, &cols)))
            continue;
        else
            rc = other_line(r, l);
        if (rc)
            return rc;
    }
    return 0;
}

int mp_nvsmi_read_profiles(mp_nvsmi_capture *cap, const char *text, size_t len,
                           const char *path, mp_diag *d)
{
    mp_nvsmi_doc doc;
    int rc = mp_nvsmi_parse(text, len, path, &doc, d);
    if (rc)
        return rc;
    rd r = {cap, &doc, mp_arena_strdup(&cap->arena, path ? path : "<input>"),
            d};
    if (!r.path)
        rc = mp_diag_set(d, MP_ENOMEM, path, 0, 0, "out of memory");
    if (!rc)
        rc = read_lines(&r);
    mp_nvsmi_doc_free(&doc);
    return rc;
}

void mp_nvsmi_capture_free(mp_nvsmi_capture *cap)
{
    if (cap)
        mp_arena_release(&cap->arena, cap, sizeof(*cap));
}
