/* SPDX-License-Identifier: Apache-2.0 */
/* smi_reader.c - read nvidia-smi --query-compute-apps CSV into samples. */
#include "migplan/readers/smi_reader.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lines.h"
#include "migplan/util/buf.h"

#define WHAT "nvidia-smi --query-compute-apps CSV output"
#define HINT                                                                   \
    "nvidia-smi --query-compute-apps=timestamp,pid,process_name,used_memory "  \
    "--format=csv -l 60"
#define MAX_INFER 256 /* fields looked at when guessing the columns */

static const struct {
    const char *name;
    mp_smi_col col;
} col_names[] = {
    {"timestamp", MP_SMI_TIMESTAMP},
    {"gpu_name", MP_SMI_GPU_NAME},
    {"gpu_bus_id", MP_SMI_GPU_BUS_ID},
    {"gpu_serial", MP_SMI_GPU_SERIAL},
    {"gpu_uuid", MP_SMI_GPU_UUID},
    {"pid", MP_SMI_PID},
    {"process_name", MP_SMI_PROCESS_NAME},
    {"name", MP_SMI_PROCESS_NAME},
    {"used_gpu_memory", MP_SMI_USED_MEMORY},
    {"used_memory", MP_SMI_USED_MEMORY},
};

static const char *col_name(mp_smi_col c)
{
    for (size_t i = 0; i < sizeof(col_names) / sizeof(col_names[0]); i++)
        if (col_names[i].col == c)
            return col_names[i].name;
    return "other";
}

/* A field of a line: s[0..n) trimmed, starting at byte off of the line. */
typedef struct field {
    const char *s;
    size_t n, off;
} field;

static field make_field(const char *line, size_t a, size_t b)
{
    while (a < b && (line[a] == ' ' || line[a] == '\t'))
        a++;
    while (b > a && (line[b - 1] == ' ' || line[b - 1] == '\t'))
        b--;
    return (field){line + a, b - a, a};
}

/* Every comma-separated field, at most max; returns the count found (which
 * may exceed max: the rest are not stored). */
static size_t split_all(const char *line, size_t n, field *f, size_t max)
{
    size_t k = 0, a = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && line[i] != ',')
            continue;
        if (k < max)
            f[k] = make_field(line, a, i);
        k++;
        a = i + 1;
    }
    return k;
}

static bool all_digits(const char *s, size_t n)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return false;
    return true;
}

static bool is_timestamp(const field *f)
{
    /* YYYY/MM/DD HH:MM:SS.msec, as --help-query-compute-apps documents */
    static const char shape[] = "dddd/dd/dd dd:dd:dd";
    if (f->n < sizeof(shape) - 1)
        return false;
    for (size_t i = 0; i < sizeof(shape) - 1; i++)
        if (shape[i] == 'd' ? !isdigit((unsigned char)f->s[i])
                            : f->s[i] != shape[i])
            return false;
    size_t rest = f->n - (sizeof(shape) - 1);
    return rest == 0 || (f->s[sizeof(shape) - 1] == '.' &&
                         all_digits(f->s + sizeof(shape), rest - 1));
}

static bool is_bus_id(const field *f)
{
    /* domain:bus:device.function in hex, e.g. 00000000:AF:00.0 */
    size_t i = 0, groups = 0;
    while (groups < 3) {
        size_t start = i;
        while (i < f->n && isxdigit((unsigned char)f->s[i]))
            i++;
        if (i == start || i >= f->n || f->s[i] != (groups < 2 ? ':' : '.'))
            return false;
        i++;
        groups++;
    }
    return i + 1 == f->n && isxdigit((unsigned char)f->s[i]);
}

static bool is_bracketed(const field *f)
{
    return f->n >= 2 && f->s[0] == '[' && f->s[f->n - 1] == ']';
}

/* A memory value: digits, optionally " MiB", or [N/A]-like. */
static bool is_memory(const field *f)
{
    if (is_bracketed(f))
        return true;
    size_t i = 0;
    while (i < f->n && isdigit((unsigned char)f->s[i]))
        i++;
    if (i == 0)
        return false;
    while (i < f->n && f->s[i] == ' ')
        i++;
    return i == f->n || (f->n - i == 3 && memcmp(f->s + i, "MiB", 3) == 0);
}

/* ------------------------------------------------------------ layouts */

static int add_col(mp_smi_layout *l, mp_smi_col c, char *why, size_t n)
{
    if (l->n >= MP_SMI_MAX_COLS) {
        snprintf(why, n, "more than %d columns", MP_SMI_MAX_COLS);
        return MP_EUSAGE;
    }
    for (int i = 0; i < l->n; i++)
        if (c != MP_SMI_OTHER && l->col[i] == c) {
            snprintf(why, n, "%s is given twice", col_name(c));
            return MP_EUSAGE;
        }
    l->col[l->n++] = c;
    return 0;
}

static int need_cols(const mp_smi_layout *l, char *why, size_t n)
{
    bool pid = false, mem = false;
    for (int i = 0; i < l->n; i++) {
        pid |= l->col[i] == MP_SMI_PID;
        mem |= l->col[i] == MP_SMI_USED_MEMORY;
    }
    if (pid && mem)
        return 0;
    snprintf(why, n, "the samples need the %s column; run " HINT,
             pid ? "used_gpu_memory" : "pid");
    return MP_ESCHEMA;
}

/* The column a header word names; OTHER for a field name migplan does not
 * know (newer drivers may have more). */
static mp_smi_col col_of(const char *s, size_t n)
{
    for (size_t i = 0; i < sizeof(col_names) / sizeof(col_names[0]); i++)
        if (strlen(col_names[i].name) == n &&
            memcmp(col_names[i].name, s, n) == 0)
            return col_names[i].col;
    return MP_SMI_OTHER;
}

int mp_smi_layout_parse(const char *list, mp_smi_layout *out, char *why,
                        size_t n)
{
    memset(out, 0, sizeof(*out));
    field f[MP_SMI_MAX_COLS + 1];
    size_t k = split_all(list, strlen(list), f, MP_SMI_MAX_COLS + 1);
    for (size_t i = 0; i < k; i++) {
        if (i >= MP_SMI_MAX_COLS) {
            snprintf(why, n, "more than %d columns", MP_SMI_MAX_COLS);
            return MP_EUSAGE;
        }
        mp_smi_col c = col_of(f[i].s, f[i].n);
        if (c == MP_SMI_OTHER) {
            snprintf(why, n,
                     "unknown field '%.*s'; --query-compute-apps knows "
                     "timestamp, gpu_name, gpu_bus_id, gpu_serial, gpu_uuid, "
                     "pid, process_name (name), used_gpu_memory (used_memory)",
                     (int)(f[i].n > 60 ? 60 : f[i].n), f[i].s);
            return MP_EUSAGE;
        }
        int rc = add_col(out, c, why, n);
        if (rc)
            return rc;
    }
    return need_cols(out, why, n) ? MP_EUSAGE : 0;
}

/* Is the line a header ("pid, used_gpu_memory [MiB]")? Every field a
 * lower-case field name with an optional [unit], one of them known. */
static bool header_layout(const char *line, size_t n, mp_smi_layout *out)
{
    field f[MP_SMI_MAX_COLS];
    size_t k = split_all(line, n, f, MP_SMI_MAX_COLS);
    if (k > MP_SMI_MAX_COLS)
        return false;
    bool known = false;
    memset(out, 0, sizeof(*out));
    for (size_t i = 0; i < k; i++) {
        size_t w = 0;
        while (w < f[i].n && (islower((unsigned char)f[i].s[w]) ||
                              isdigit((unsigned char)f[i].s[w]) ||
                              f[i].s[w] == '_' || f[i].s[w] == '.'))
            w++;
        if (w == 0 || !islower((unsigned char)f[i].s[0]))
            return false;
        size_t u = w;
        while (u < f[i].n && f[i].s[u] == ' ')
            u++;
        if (u < f[i].n && (f[i].s[u] != '[' || f[i].s[f[i].n - 1] != ']'))
            return false;
        mp_smi_col c = col_of(f[i].s, w);
        known |= c != MP_SMI_OTHER;
        out->col[out->n++] = c;
    }
    return known;
}

/* Guess the columns of a headerless row in nvidia-smi's field order. */
static int infer_layout(const char *line, size_t n, mp_smi_layout *out,
                        const char *path, int lineno, mp_diag *d)
{
    field f[MAX_INFER];
    size_t k = split_all(line, n, f, MAX_INFER);
    memset(out, 0, sizeof(*out));
    int pid = -1;
    if (k >= 2 && k <= MAX_INFER && is_memory(&f[k - 1]))
        for (size_t i = 0; i + 1 < k; i++)
            if (all_digits(f[i].s, f[i].n))
                pid = (int)i; /* the last number before the memory */
    bool ok = pid >= 0;
    bool name = false;
    char why[200];
    for (size_t i = 0; ok && i + 1 < k; i++) {
        mp_smi_col c;
        if ((int)i == pid)
            c = MP_SMI_PID;
        else if (is_timestamp(&f[i]))
            c = MP_SMI_TIMESTAMP;
        else if (f[i].n > 4 && memcmp(f[i].s, "GPU-", 4) == 0)
            c = MP_SMI_GPU_UUID;
        else if (is_bus_id(&f[i]))
            c = MP_SMI_GPU_BUS_ID;
        else if (all_digits(f[i].s, f[i].n) && (int)i < pid)
            c = MP_SMI_GPU_SERIAL;
        else if ((int)i < pid)
            c = MP_SMI_GPU_NAME;
        else if (!name)
            c = MP_SMI_PROCESS_NAME; /* later fields: commas in the name */
        else
            continue;
        name |= c == MP_SMI_PROCESS_NAME;
        ok = add_col(out, c, why, sizeof(why)) == 0;
    }
    if (ok && add_col(out, MP_SMI_USED_MEMORY, why, sizeof(why)) == 0)
        return 0;
    return mp_diag_set(d, MP_ESCHEMA, path, lineno, 1,
                       "cannot tell the columns of this line without a "
                       "header; keep nvidia-smi's header line (no noheader) "
                       "or give --columns, e.g. --columns "
                       "pid,process_name,used_memory");
}

/* ------------------------------------------------------------ rows */

typedef struct parse {
    const char *path;
    uint32_t file;
    mp_proc_samples *s;
    mp_diag *d;
    mp_smi_layout layout;
    bool have_layout;
    bool snap_open; /* rows have gone into snapshot s->n_snapshots */
    size_t ts_id;   /* the open snapshot's timestamp */
    bool ts_set;
    mp_intern seen;    /* "pid/device" of rows without timestamps */
    uint32_t *seen_at; /* per id: snapshot + 1 it was last seen in */
    size_t seen_cap;
} parse;

static void close_snapshot(parse *p)
{
    if (p->snap_open)
        p->s->n_snapshots++;
    p->snap_open = false;
    p->ts_set = false;
}

/* Split a row by the layout; extra fields belong to the process name. */
static int split_row(parse *p, const char *line, size_t n, int lineno,
                     field *out)
{
    const mp_smi_layout *l = &p->layout;
    int pn = -1;
    for (int i = 0; i < l->n; i++)
        if (l->col[i] == MP_SMI_PROCESS_NAME)
            pn = i;
    size_t commas = 0;
    for (size_t i = 0; i < n; i++)
        commas += line[i] == ',';
    if (commas + 1 < (size_t)l->n || (pn < 0 && commas + 1 > (size_t)l->n)) {
        char cols[200] = "";
        size_t k = 0;
        for (int i = 0; i < l->n; i++)
            mp_catf(cols, sizeof(cols), &k, "%s%s", i ? ", " : "",
                    col_name(l->col[i]));
        return mp_diag_set(p->d, MP_ESYNTAX, p->path, lineno, 1,
                           "expected %d fields (%s), found %zu", l->n, cols,
                           commas + 1);
    }
    size_t a = 0;
    int i = 0;
    for (; i < l->n && (pn < 0 || i < pn); i++) { /* from the left */
        size_t b = a;
        while (b < n && line[b] != ',')
            b++;
        out[i] = make_field(line, a, b);
        a = b + 1;
    }
    size_t b = n;
    for (int j = l->n - 1; j > pn && pn >= 0; j--) { /* from the right */
        size_t c = b;
        while (c > 0 && line[c - 1] != ',')
            c--;
        out[j] = make_field(line, c, b);
        b = c - 1;
    }
    if (pn >= 0)
        out[pn] = make_field(line, a, b);
    return 0;
}

static int field_err(parse *p, const char *line, int lineno, const field *f,
                     const char *what)
{
    return mp_diag_set(p->d, MP_ESYNTAX, p->path, lineno,
                       mp_line_col(line, f->off), "%s, not '%.*s'", what,
                       (int)(f->n > 60 ? 60 : f->n), f->s);
}

static int parse_pid(parse *p, const char *line, int lineno, const field *f,
                     uint32_t *out)
{
    unsigned long long v = 0;
    bool ok = all_digits(f->s, f->n) && f->n <= 10;
    for (size_t i = 0; ok && i < f->n; i++)
        v = v * 10 + (unsigned)(f->s[i] - '0');
    if (!ok || v == 0 || v > 0xFFFFFFFFull)
        return field_err(p, line, lineno, f,
                         "pid must be a whole number from 1 to 4294967295");
    *out = (uint32_t)v;
    return 0;
}

static int parse_mib(parse *p, const char *line, int lineno, const field *f,
                     int32_t *out)
{
    if (is_bracketed(f)) { /* [N/A]: nvidia-smi has no value */
        *out = -1;
        return 0;
    }
    if (f->n && (f->s[0] == '-' || f->s[0] == '+'))
        return field_err(p, line, lineno, f,
                         f->s[0] == '-' ? "used memory cannot be negative"
                                        : "used memory is a number of MiB");
    size_t i = 0;
    long long v = 0;
    while (i < f->n && isdigit((unsigned char)f->s[i])) {
        if (v <= MP_SIZE_MAX_MIB)
            v = v * 10 + (f->s[i] - '0');
        i++;
    }
    if (i == 0)
        return field_err(p, line, lineno, f,
                         "used memory is a number of MiB like 7242 MiB");
    if (!is_memory(f)) {
        field unit = {f->s + i, f->n - i, f->off + i};
        while (unit.n && unit.s[0] == ' ') {
            unit.s++;
            unit.n--;
            unit.off++;
        }
        return field_err(p, line, lineno, &unit,
                         "used memory is in MiB as nvidia-smi prints it");
    }
    if (v > MP_SIZE_MAX_MIB || v > 0x7FFFFFFF)
        return field_err(p, line, lineno, f,
                         "used memory is more than any GPU has (limit "
                         "1000000000 MiB)");
    *out = (int32_t)v;
    return 0;
}

static int intern_field(parse *p, const field *f, uint32_t *out)
{
    size_t id;
    if (mp_intern_add(&p->s->strings, f->s, f->n, &id, NULL))
        return mp_diag_set(p->d, MP_ENOMEM, p->path, 0, 0, "out of memory");
    *out = (uint32_t)id;
    return 0;
}

/* Which snapshot the row goes into (see the header comment). */
static int place_row(parse *p, mp_proc_sample *r, const field *ts)
{
    mp_proc_samples *s = p->s;
    if (ts) {
        uint32_t id;
        int rc = intern_field(p, ts, &id);
        if (rc)
            return rc;
        if (p->ts_set && p->ts_id != id)
            close_snapshot(p);
        p->ts_id = id;
        p->ts_set = true;
        const char *t = mp_intern_str(&s->strings, id);
        if (!s->first_ts || strcmp(t, s->first_ts) < 0)
            s->first_ts = t;
        if (!s->last_ts || strcmp(t, s->last_ts) > 0)
            s->last_ts = t;
    } else {
        char key[40];
        int kl = snprintf(key, sizeof(key), "%u/%u", (unsigned)r->pid,
                          (unsigned)r->device);
        size_t id;
        if (mp_intern_add(&p->seen, key, (size_t)kl, &id, NULL))
            return mp_diag_set(p->d, MP_ENOMEM, p->path, 0, 0, "out of memory");
        if (id >= p->seen_cap) {
            size_t ncap = p->seen_cap ? p->seen_cap * 2 : 256;
            uint32_t *nv = realloc(p->seen_at, ncap * sizeof(*nv));
            if (!nv)
                return mp_diag_set(p->d, MP_ENOMEM, p->path, 0, 0,
                                   "out of memory");
            memset(nv + p->seen_cap, 0, (ncap - p->seen_cap) * sizeof(*nv));
            p->seen_at = nv;
            p->seen_cap = ncap;
        }
        if (p->snap_open && p->seen_at[id] == s->n_snapshots + 1)
            close_snapshot(p); /* the process again: the next report */
        p->seen_at[id] = s->n_snapshots + 1;
    }
    p->snap_open = true;
    r->snapshot = s->n_snapshots;
    return 0;
}

static int parse_row(parse *p, const char *line, size_t n, int lineno)
{
    field f[MP_SMI_MAX_COLS];
    int rc = split_row(p, line, n, lineno, f);
    if (rc)
        return rc;
    mp_proc_sample r = {.process = MP_SIZE_NO_ID,
                        .device = MP_SIZE_NO_ID,
                        .file = p->file,
                        .line = (uint32_t)lineno};
    const field *ts = NULL;
    uint32_t dev[3] = {MP_SIZE_NO_ID, MP_SIZE_NO_ID, MP_SIZE_NO_ID};
    for (int i = 0; i < p->layout.n && !rc; i++) {
        switch (p->layout.col[i]) {
        case MP_SMI_TIMESTAMP:
            if (!is_timestamp(&f[i]))
                return field_err(p, line, lineno, &f[i],
                                 "timestamp must look like 2026/09/14 "
                                 "10:22:31.487 (nvidia-smi's form)");
            ts = &f[i];
            break;
        case MP_SMI_PID:
            rc = parse_pid(p, line, lineno, &f[i], &r.pid);
            break;
        case MP_SMI_USED_MEMORY:
            rc = parse_mib(p, line, lineno, &f[i], &r.used_mib);
            break;
        case MP_SMI_PROCESS_NAME:
            if (f[i].n == 0)
                return field_err(p, line, lineno, &f[i],
                                 "the process name is empty");
            rc = intern_field(p, &f[i], &r.process);
            break;
        case MP_SMI_GPU_UUID:
        case MP_SMI_GPU_BUS_ID:
        case MP_SMI_GPU_SERIAL:
            rc = intern_field(p, &f[i],
                              &dev[p->layout.col[i] - MP_SMI_GPU_BUS_ID]);
            break;
        default:
            break;
        }
    }
    if (rc)
        return rc;
    r.device = dev[2] != MP_SIZE_NO_ID   ? dev[2]  /* uuid */
               : dev[0] != MP_SIZE_NO_ID ? dev[0]  /* bus id */
                                         : dev[1]; /* serial */
    if ((rc = place_row(p, &r, ts)) != 0)
        return rc;
    bool first = p->s->n == 0;
    p->s->has_names = (first || p->s->has_names) && r.process != MP_SIZE_NO_ID;
    p->s->has_timestamps = (first || p->s->has_timestamps) && ts;
    return mp_proc_samples_push(p->s, &r, p->d);
}

static int parse_line(parse *p, const char *line, size_t n, int lineno)
{
    size_t blank = 0;
    while (blank < n && (line[blank] == ' ' || line[blank] == '\t'))
        blank++;
    if (blank == n) { /* a blank line ends a report without timestamps */
        if (!p->ts_set)
            close_snapshot(p);
        return 0;
    }
    mp_smi_layout h;
    if (header_layout(line, n, &h)) {
        char why[300];
        if (need_cols(&h, why, sizeof(why)))
            return mp_diag_set(p->d, MP_ESCHEMA, p->path, lineno, 1, "%s", why);
        for (int i = 0; i < h.n; i++)
            for (int j = 0; j < i; j++)
                if (h.col[i] != MP_SMI_OTHER && h.col[i] == h.col[j])
                    return mp_diag_set(p->d, MP_ESCHEMA, p->path, lineno, 1,
                                       "the header names %s twice",
                                       col_name(h.col[i]));
        close_snapshot(p);
        p->layout = h;
        p->have_layout = true;
        return 0;
    }
    if (!p->have_layout) {
        int rc = infer_layout(line, n, &p->layout, p->path, lineno, p->d);
        if (rc)
            return rc;
        p->have_layout = true;
    }
    return parse_row(p, line, n, lineno);
}

int mp_smi_parse(const char *text, size_t len, const char *path,
                 const mp_smi_layout *layout, mp_proc_samples *s, mp_diag *d)
{
    parse p = {.path = path, .s = s, .d = d};
    if (mp_proc_samples_file(s, path, &p.file))
        return mp_diag_set(d, MP_ENOMEM, path, 0, 0, "out of memory");
    if (layout) {
        p.layout = *layout;
        p.have_layout = true;
    }
    mp_lines it = {text, len, 0, 0};
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        it.pos = 3; /* a byte order mark, as Windows tools write */
    const char *line;
    size_t n;
    int rc = 0;
    while (!rc && mp_lines_next(&it, &line, &n)) {
        rc = mp_line_check(path, it.line, line, n, WHAT, d);
        if (!rc)
            rc = parse_line(&p, line, n, it.line);
    }
    close_snapshot(&p);
    mp_intern_free(&p.seen);
    free(p.seen_at);
    return rc;
}
