// SPDX-License-Identifier: Apache-2.0
/* node_text.c - a node's GPUs out of `nvidia-smi -L` or `nvidia-smi
 * --query-gpu=index,name,pci.device_id --format=csv[,noheader]` output,
 * for --node (node_reader.h). Forms: nvidia-smi-transcripts.md section 12
 * (-L, the MIG device lines under each GPU skipped) and the --query-gpu
 * CSV captures in tests/data/nvidia-smi/. */
#include "node_text.h"

#include "lines.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct text_line {
    const char *s; /* after leading blanks */
    int n, line, col;
} text_line;

/* Line k (1-based) of text from *pos; false at the end. */
static bool next_line(const char *text, size_t len, size_t *pos, int *line,
                      text_line *out)
{
    if (*pos >= len)
        return false;
    size_t b = *pos, e = b;
    while (e < len && text[e] != '\n')
        e++;
    *pos = e + 1;
    (*line)++;
    size_t s = b;
    while (s < e && (text[s] == ' ' || text[s] == '\t'))
        s++;
    size_t t = e;
    while (t > s && (text[t - 1] == '\r' || text[t - 1] == ' '))
        t--;
    *out = (text_line){text + s, (int)(t - s), *line, (int)(s - b) + 1};
    return true;
}

int mp_node_text_kind(const char *text, size_t len)
{
    text = mp_skip_bom(text, &len);
    size_t pos = 0;
    int line = 0;
    text_line l;
    while (next_line(text, len, &pos, &line, &l)) {
        if (l.n == 0)
            continue;
        if (l.n > 4 && strncmp(l.s, "GPU ", 4) == 0 &&
            isdigit((unsigned char)l.s[4]))
            return MP_NODE_TEXT_LIST;
        if (strncmp(l.s, "index,", 6) == 0 ||
            (strncmp(l.s, "name,", 5) == 0 && strstr(l.s, "pci.device_id")) ||
            (isdigit((unsigned char)l.s[0]) && memchr(l.s, ',', (size_t)l.n)))
            return MP_NODE_TEXT_CSV;
        return MP_NODE_TEXT_NONE;
    }
    return MP_NODE_TEXT_NONE;
}

static int add_gpu(const mp_db *db, mp_node *out, const char *path,
                   const text_line *l, long idx, const char *name,
                   uint32_t device, mp_diag *d)
{
    if (idx < 0 || idx >= MP_NODE_MAX_GPUS)
        return mp_diag_set(d, MP_ESCHEMA, path, l->line, l->col,
                           "GPU index %ld is out of range (0..%d)", idx,
                           MP_NODE_MAX_GPUS - 1);
    for (int j = 0; j < out->n; j++)
        if (out->gpus[j].index == idx)
            return mp_diag_set(d, MP_ESCHEMA, path, l->line, l->col,
                               "GPU index %ld is listed twice", idx);
    const mp_model *m = device ? mp_db_find_pci(db, device) : NULL;
    const mp_device *dev = NULL;
    mp_diag why;
    mp_diag_clear(&why);
    if (!m && device)
        return mp_diag_set(d, MP_ESCHEMA, path, l->line, l->col,
                           "GPU %ld: PCI ID 0x%08X (%s) is not a MIG GPU "
                           "migplan knows (`migplan gpus` lists them)",
                           idx, device, name);
    const mp_model *named = NULL;
    if (m && *name && mp_db_find_device(db, name, &named, &dev, &why) == 0 &&
        named != m)
        return mp_diag_set(d, MP_ESCHEMA, path, l->line, l->col,
                           "GPU %ld: the name '%s' names %s, but PCI ID "
                           "0x%08X is %s (%s); the two contradict each "
                           "other: capture the line again with nvidia-smi",
                           idx, name, named->id, device, m->id,
                           mp_model_product(m, device));
    dev = NULL;
    if (!m && mp_db_find_device(db, name, &m, &dev, &why) != 0)
        return mp_diag_set(d, MP_ESCHEMA, path, l->line, l->col,
                           "GPU %ld: '%s' is not a MIG GPU migplan knows: %s",
                           idx, name, why.msg);
    mp_node_gpu *g = &out->gpus[out->n++];
    *g = (mp_node_gpu){.index = (int)idx,
                       .model = m,
                       .device = device ? device : (dev ? dev->pci_id : 0),
                       .line = l->line,
                       .col = l->col};
    return 0;
}

/* "GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-...)" */
static int list_line(const mp_db *db, mp_node *out, const char *path,
                     const text_line *l, mp_diag *d)
{
    if (l->n == 0 || strncmp(l->s, "MIG ", 4) == 0)
        return 0;
    char buf[512];
    snprintf(buf, sizeof(buf), "%.*s", l->n, l->s);
    char *end;
    long idx = strncmp(buf, "GPU ", 4) == 0 ? strtol(buf + 4, &end, 10) : -1;
    char *uuid = strstr(buf, " (UUID:");
    if (idx < 0 || end == buf + 4 || strncmp(end, ": ", 2) != 0 || !uuid)
        return mp_diag_set(d, MP_ESYNTAX, path, l->line, l->col,
                           "not a line of `nvidia-smi -L` (GPU N: NAME "
                           "(UUID: ...))");
    *uuid = '\0';
    return add_gpu(db, out, path, l, idx, end + 2, 0, d);
}

/* Split a CSV line at ", " into at most 8 fields (in place). */
static int split_csv(char *s, char **f)
{
    int n = 0;
    while (n < 8) {
        while (*s == ' ')
            s++;
        f[n++] = s;
        char *c = strchr(s, ',');
        if (!c)
            break;
        *c = '\0';
        s = c + 1;
    }
    return n;
}

/* The CSV: an optional header names the columns (without an index column
 * the rows are GPUs 0, 1, ...); without a header they are index, name,
 * pci.device_id. */
static int csv_lines(const mp_db *db, const char *text, size_t len,
                     const char *path, mp_node *out, mp_diag *d)
{
    int ci = 0, cn = 1, cd = 2, line = 0;
    size_t pos = 0;
    text_line l;
    bool first = true;
    while (next_line(text, len, &pos, &line, &l)) {
        char buf[512], *f[8];
        snprintf(buf, sizeof(buf), "%.*s", l.n, l.s);
        if (l.n == 0)
            continue;
        int n = split_csv(buf, f);
        if (first &&
            (strcmp(f[0], "index") == 0 || strcmp(f[0], "name") == 0)) {
            ci = cn = cd = -1;
            for (int k = 0; k < n; k++) {
                ci = strcmp(f[k], "index") == 0 ? k : ci;
                cn = strcmp(f[k], "name") == 0 ? k : cn;
                cd = strcmp(f[k], "pci.device_id") == 0 ? k : cd;
            }
            first = false;
            if (cn < 0 && cd < 0)
                return mp_diag_set(d, MP_ESYNTAX, path, l.line, l.col,
                                   "the CSV needs a name or pci.device_id "
                                   "column beside index");
            continue;
        }
        first = false;
        char *end;
        /* without an index column, GPUs are listed in index order */
        long idx = ci < 0 ? out->n : n > ci ? strtol(f[ci], &end, 10) : -1;
        uint32_t dev = 0;
        if (ci < 0)
            end = "";
        if (idx < 0 || *end || (ci >= 0 && end == f[ci]) ||
            (cd >= 0 && (n <= cd || !mp_parse_pci_id(f[cd], &dev))) ||
            (cd < 0 && n <= cn))
            return mp_diag_set(d, MP_ESYNTAX, path, l.line, l.col,
                               "not a line of `nvidia-smi --query-gpu=index,"
                               "name,pci.device_id --format=csv`");
        int rc = add_gpu(db, out, path, &l, idx, cn >= 0 && n > cn ? f[cn] : "",
                         dev, d);
        if (rc)
            return rc;
    }
    return 0;
}

static int cmp_index(const void *a, const void *b)
{
    return ((const mp_node_gpu *)a)->index - ((const mp_node_gpu *)b)->index;
}

int mp_node_parse_text(const mp_db *db, const char *text, size_t len,
                       const char *path, mp_node *out, mp_diag *d)
{
    int kind = mp_node_text_kind(text, len);
    text = mp_skip_bom(text, &len);
    out->gpus =
        mp_arena_alloc(&out->arena, MP_NODE_MAX_GPUS * sizeof(*out->gpus));
    out->path = mp_arena_strdup(&out->arena, path);
    if (!out->gpus || !out->path)
        return mp_diag_set(d, MP_ENOMEM, path, 0, 0, "out of memory");
    int rc = 0;
    if (kind == MP_NODE_TEXT_CSV) {
        rc = csv_lines(db, text, len, path, out, d);
    } else {
        size_t pos = 0;
        int line = 0;
        text_line l;
        while (!rc && next_line(text, len, &pos, &line, &l))
            rc = out->n >= MP_NODE_MAX_GPUS
                     ? mp_diag_set(d, MP_ELIMIT, path, l.line, 1,
                                   "more than %d GPUs", MP_NODE_MAX_GPUS)
                     : list_line(db, out, path, &l, d);
    }
    if (!rc && out->n == 0)
        rc = mp_diag_set(d, MP_ESCHEMA, path, 1, 1, "the node lists no GPU");
    if (!rc)
        qsort(out->gpus, (size_t)out->n, sizeof(*out->gpus), cmp_index);
    return rc;
}
