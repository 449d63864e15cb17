/* SPDX-License-Identifier: Apache-2.0 */
/* state_reader.c - GPU instances, compute instances and the processes in
 * them out of nvidia-smi output (-lgi, -lci and the Processes table). */
#include "migplan/readers/state_reader.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lines.h"
#include "migplan/readers/nvsmi_table.h"
#include "state_internal.h"

/* The compute instances -lci listed so far in one GPU instance. */
typedef struct ci_state {
    unsigned long long ids; /* bit i: compute instance ID i (mod 64) */
    unsigned used;          /* bit s: compute slice s (placements) */
    int slices;             /* compute slices of those listed */
} ci_state;

typedef struct rd {
    const mp_nvsmi_doc *doc;
    const mp_model *const *models;
    int n_models;
    mp_node_state *st;
    int *skipped; /* the GPU indices skipped (no model), each once */
    int n_skipped, cap_skipped;
    mp_diag *d;
    /* by GPU (its position in st->gpu, which no -lci row moves: a row of a
     * GPU -lgi lacks is an error) and instance */
    ci_state (*ci)[MP_MAX_GIS];
    int n_ci;
} rd;

#define ERR(r, code, line, col, ...)                                           \
    mp_diag_set((r)->d, code, (r)->doc->path, line, col, __VA_ARGS__)

static int want_int(rd *r, int line, const mp_nvsmi_cell *c, const char *what,
                    int hi, int *out)
{
    if (mp_nvsmi_cell_int(c, 0, hi, out))
        return 0;
    return ERR(r, MP_ESYNTAX, line, c->col,
               "%s must be a number from 0 to %d, not '%.*s'", what, hi, c->len,
               c->s);
}

/* "4:1": a start slot and a size in memory slices. */
static int want_slot(rd *r, int line, const mp_nvsmi_cell *c, int *start,
                     int *size)
{
    const char *colon = memchr(c->s, ':', (size_t)c->len);
    if (colon) {
        mp_nvsmi_cell a = {c->s, (int)(colon - c->s), c->col, c->box};
        mp_nvsmi_cell b = {colon + 1, c->len - a.len - 1, c->col, c->box};
        if (mp_nvsmi_cell_int(&a, 0, MP_MAX_UNITS - 1, start) &&
            mp_nvsmi_cell_int(&b, 1, MP_MAX_UNITS, size))
            return 0;
    }
    return ERR(r, MP_ESYNTAX, line, c->col,
               "the placement must be Start:Size, e.g. 4:1, not '%.*s'", c->len,
               c->s);
}

/* 0 when t's header, its words one space apart, is one of the NULL-ended
 * list words (or, with prefix, starts with one); else the error for a
 * `what` table, cols saying which columns nvidia-smi prints. */
static int want_header(rd *r, const mp_nvsmi_table *t, const char *what,
                       const char *const *words, bool prefix, const char *cols)
{
    char got[256];
    mp_nvsmi_header_words(t, 0, t->n_header, got, sizeof(got));
    for (; *words; words++)
        if (prefix ? strncmp(got, *words, strlen(*words)) == 0
                   : strcmp(got, *words) == 0)
            return 0;
    return ERR(r, MP_ESYNTAX, t->title_line, 1,
               "the %s table's header is not the one nvidia-smi prints (%s); "
               "this output format is not known",
               what, cols);
}

/* Room for n elements of size in *v (capacity *cap), doubling; 0 or
 * MP_ENOMEM. */
static int grow(void **v, int *cap, int n, size_t size)
{
    if (n <= *cap)
        return 0;
    int c = *cap ? *cap : 8;
    while (c < n)
        c = c > INT_MAX / 2 ? n : c * 2;
    void *p = realloc(*v, (size_t)c * size);
    if (!p)
        return MP_ENOMEM;
    *v = p;
    *cap = c;
    return 0;
}

/* GPU index's state, created on first sight; NULL when its model was not
 * given (then *rc is 0) or the index is out of range (*rc set). */
static mp_gpu_state *gpu_of(rd *r, int line, const mp_nvsmi_cell *c, int *rc)
{
    int index;
    *rc = want_int(r, line, c, "the GPU index", MP_STATE_MAX_GPUS - 1, &index);
    if (*rc)
        return NULL;
    mp_node_state *st = r->st;
    mp_gpu_state *listed = (mp_gpu_state *)mp_node_state_gpu(st, index);
    if (listed)
        return listed;
    const mp_model *m = index < r->n_models ? r->models[index] : NULL;
    if (!m) {
        for (int i = 0; i < r->n_skipped; i++)
            if (r->skipped[i] == index)
                return NULL;
        if (r->n_skipped == r->cap_skipped &&
            grow((void **)&r->skipped, &r->cap_skipped, r->n_skipped + 1,
                 sizeof(int))) {
            *rc = ERR(r, MP_ENOMEM, line, c->col, "out of memory");
            return NULL;
        }
        r->skipped[r->n_skipped++] = index;
        mp_node_state_skip(st, index, line, c->col);
        return NULL;
    }
    mp_gpu_state *g = mp_node_state_add_gpu(st, index, m);
    if (!g)
        *rc = ERR(r, st->n >= MP_STATE_MAX_GPUS ? MP_ELIMIT : MP_ENOMEM, line,
                  c->col,
                  st->n >= MP_STATE_MAX_GPUS ? "more than %d GPUs"
                                             : "out of memory (%d GPUs)",
                  st->n >= MP_STATE_MAX_GPUS ? MP_STATE_MAX_GPUS : st->n);
    return g;
}

int mp_node_state_reserve(mp_node_state *st, int n)
{
    if (n > MP_STATE_MAX_GPUS)
        return MP_ELIMIT;
    if (st->cap == 0 && st->gpu) { /* the caller's storage: copy it */
        mp_gpu_state *own = malloc(((size_t)st->n + 1) * sizeof(*own));
        if (!own)
            return MP_ENOMEM;
        memcpy(own, st->gpu, (size_t)st->n * sizeof(*own));
        st->gpu = own;
        st->cap = st->n + 1;
    }
    return grow((void **)&st->gpu, &st->cap, n, sizeof(*st->gpu));
}

int mp_node_state_table_add(mp_node_state *st, int index)
{
    int lo = 0, hi = st->n_table;
    while (lo < hi) { /* the first entry >= index */
        int mid = lo + (hi - lo) / 2;
        if (st->table_gpus[mid] < index)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < st->n_table && st->table_gpus[lo] == index)
        return 0;
    if (grow((void **)&st->table_gpus, &st->cap_table, st->n_table + 1,
             sizeof(int)))
        return MP_ENOMEM;
    memmove(st->table_gpus + lo + 1, st->table_gpus + lo,
            (size_t)(st->n_table - lo) * sizeof(int));
    st->table_gpus[lo] = index;
    st->n_table++;
    return 0;
}

bool mp_node_state_lists(const mp_node_state *st, int index)
{
    int lo = 0, hi = st->n_table;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (st->table_gpus[mid] == index)
            return true;
        if (st->table_gpus[mid] < index)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

mp_gpu_state *mp_node_state_add_gpu(mp_node_state *st, int index,
                                    const mp_model *m)
{
    if (mp_node_state_gpu(st, index) || mp_node_state_reserve(st, st->n + 1))
        return NULL;
    int i = st->n++;
    while (i > 0 && st->gpu[i - 1].index > index) {
        st->gpu[i] = st->gpu[i - 1];
        i--;
    }
    mp_gpu_state_init(&st->gpu[i], index, m);
    return &st->gpu[i];
}

/* A -lgi row:
 * |   0  MIG 1g.18gb           19       11          4:1     | */
static int lgi_row(rd *r, const mp_nvsmi_row *row)
{
    const mp_nvsmi_cell *c = row->cells;
    int rc, l = row->line, pid, gi, start, size;
    if (row->n_cells != 6 || !mp_nvsmi_cell_is(&c[1], "MIG"))
        return ERR(r, MP_ESYNTAX, l, 1,
                   "a GPU instance row reads \"GPU MIG NAME PROFILE-ID "
                   "INSTANCE-ID START:SIZE\"; this one does not");
    mp_gpu_state *g = gpu_of(r, l, &c[0], &rc);
    if (!g)
        return rc; /* 0 beyond the caller's GPUs: counted, read on */
    if ((rc = want_int(r, l, &c[3], "the profile ID", 255, &pid)) ||
        (rc = want_int(r, l, &c[4], "the GPU instance ID", 4095, &gi)) ||
        (rc = want_slot(r, l, &c[5], &start, &size)))
        return rc;
    char why[400];
    int q = mp_gpu_state_add(g, pid, start, size, gi, l, why, sizeof(why));
    if (q < 0)
        return ERR(r, q, l, c[3].col, "%s", why);
    const char *name =
        g->layout.gis.model->profiles[g->layout.gis.gi[q].profile].name;
    /* the printed name must be the profile ID's (the name of a +me
     * profile on an older driver may lack the suffix) */
    if (!mp_nvsmi_cell_is(&c[2], name) &&
        !(strncmp(name, c[2].s, (size_t)c[2].len) == 0 &&
          strcmp(name + c[2].len, "+me") == 0))
        return ERR(r, MP_ESCHEMA, l, c[2].col,
                   "profile ID %d is %s on %s, but this row names it "
                   "'%.*s'; is this output from another GPU model?",
                   pid, name, g->layout.gis.model->id, c[2].len, c[2].s);
    return 0;
}

/* The GPU instance of row c[0] (GPU index) and c[gi_cell] (GPU instance
 * ID): *q its index in *g, or *g NULL for a GPU whose model was not given.
 * An ID the -lgi table did not list is an error. */
static int instance_of(rd *r, const mp_nvsmi_row *row, int gi_cell,
                       const char *what, mp_gpu_state **g, int *q)
{
    int rc, gi, l = row->line;
    const mp_nvsmi_cell *c = row->cells;
    *g = gpu_of(r, l, &c[0], &rc);
    if (rc || !*g)
        return rc;
    if ((rc = want_int(r, l, &c[gi_cell], "the GPU instance ID", 4095, &gi)))
        return rc;
    *q = mp_gpu_state_find(*g, gi);
    if (*q < 0)
        return ERR(r, MP_ESCHEMA, l, c[gi_cell].col,
                   "%s is in GPU instance %d of GPU %d, which no -lgi table "
                   "lists; give the -lgi output of the same moment",
                   what, gi, (*g)->index);
    return 0;
}

/* The compute-instance profile of GPU instance q of g with nvidia-smi CI
 * profile ID id, or NULL; *known false when the database has no CI IDs for
 * it (then no ID can be checked). */
static const mp_ci_profile *ci_profile(const mp_gpu_state *g, int q, int id,
                                       bool *known)
{
    const mp_layout *l = &g->layout.gis;
    const mp_gi_profile *p = &l->model->profiles[l->gi[q].profile];
    *known = false;
    for (int c = 0; c < p->n_cis; c++) {
        *known |= p->cis[c].id >= 0;
        if (p->cis[c].id == id)
            return &p->cis[c];
    }
    return NULL;
}

/* The CI profiles of p as "1c.3g.40gb (ID 0), ..." into buf. */
static void ci_list(const mp_gi_profile *p, char *buf, size_t n)
{
    size_t k = 0;
    buf[0] = '\0';
    for (int c = 0; c < p->n_cis; c++)
        mp_catf(buf, n, &k, "%s%s (ID %d)", c ? ", " : "", p->cis[c].name,
                p->cis[c].id);
}

/* What the -lci rows so far hold of instance q of GPU g; NULL: out of
 * memory. */
static ci_state *ci_of(rd *r, const mp_gpu_state *g, int q)
{
    int pos = (int)(g - r->st->gpu);
    if (pos >= r->n_ci) {
        void *grown = realloc(r->ci, (size_t)r->st->n * sizeof(*r->ci));
        if (!grown)
            return NULL;
        r->ci = grown;
        memset(r->ci + r->n_ci, 0,
               (size_t)(r->st->n - r->n_ci) * sizeof(*r->ci));
        r->n_ci = r->st->n;
    }
    return &r->ci[pos][q];
}

/* One -lci row of GPU instance q of g: a CI profile that instance has, a
 * CI instance ID not seen before in it, and (with the Placement column) a
 * placement of the profile's size inside the instance, overlapping no
 * other; without placements, no more compute slices than it has. */
static int check_ci(rd *r, const mp_nvsmi_row *row, mp_gpu_state *g, int q)
{
    const mp_nvsmi_cell *c = row->cells;
    const mp_layout *l = &g->layout.gis;
    const mp_gi_profile *p = &l->model->profiles[l->gi[q].profile];
    int line = row->line, pid, cid, start = 0, size = 0, rc;
    if ((rc = want_int(r, line, &c[4], "the CI profile ID", 255, &pid)) ||
        (rc = want_int(r, line, &c[5], "the compute instance ID", 255, &cid)))
        return rc;
    if (row->n_cells == 7 && (rc = want_slot(r, line, &c[6], &start, &size)))
        return rc;
    bool known;
    const mp_ci_profile *ci = ci_profile(g, q, pid, &known);
    char list[400];
    ci_list(p, list, sizeof(list));
    if (!ci && known)
        return ERR(r, MP_ESCHEMA, line, c[4].col,
                   "GPU instance %d (%s) on GPU %d has no compute instance "
                   "profile ID %d; its CI profiles: %s",
                   g->gi[q].gi_id, p->name, g->index, pid, list);
    ci_state *cs = ci_of(r, g, q);
    if (!cs)
        return ERR(r, MP_ENOMEM, line, c[4].col, "out of memory");
    if (cs->ids & (1ull << (cid & 63)))
        return ERR(r, MP_ESCHEMA, line, c[5].col,
                   "compute instance %d is listed twice in GPU instance %d of "
                   "GPU %d",
                   cid, g->gi[q].gi_id, g->index);
    cs->ids |= 1ull << (cid & 63);
    int slices = ci ? ci->compute_slices : size;
    if (row->n_cells == 7 && ci && size != ci->compute_slices)
        return ERR(r, MP_ESCHEMA, line, c[6].col,
                   "%s uses %d compute slice%s, not %d", ci->name,
                   ci->compute_slices, ci->compute_slices == 1 ? "" : "s",
                   size);
    if (start + size > p->compute_slices ||
        cs->slices + slices > p->compute_slices)
        return ERR(r, MP_ESCHEMA, line, c[row->n_cells == 7 ? 6 : 4].col,
                   "GPU instance %d (%s) on GPU %d has %d compute slices; "
                   "this compute instance does not fit in it (%s)",
                   g->gi[q].gi_id, p->name, g->index, p->compute_slices,
                   row->n_cells == 7 ? "its placement runs past them"
                                     : "the instances listed use more");
    unsigned mask = ((1u << size) - 1u) << start;
    if (row->n_cells == 7 && (cs->used & mask))
        return ERR(r, MP_ESCHEMA, line, c[6].col,
                   "compute instance %d at %d:%d overlaps another compute "
                   "instance of GPU instance %d on GPU %d",
                   cid, start, size, g->gi[q].gi_id, g->index);
    cs->used |= mask;
    cs->slices += slices;
    mp_gi_state *s = &g->gi[q];
    s->n_ci = s->n_ci < 0 ? 1 : s->n_ci + 1;
    return 0;
}

/* A -lci row:
 * |   0     11       MIG 1g.18gb          0         0          0:1     | */
static int lci_row(rd *r, const mp_nvsmi_row *row)
{
    if ((row->n_cells != 6 && row->n_cells != 7) ||
        !mp_nvsmi_cell_is(&row->cells[2], "MIG"))
        return ERR(r, MP_ESYNTAX, row->line, 1,
                   "a compute instance row reads \"GPU GPU-INSTANCE-ID "
                   "MIG NAME PROFILE-ID INSTANCE-ID [START:SIZE]\"; this "
                   "one does not");
    mp_gpu_state *g;
    int q;
    int rc = instance_of(r, row, 1, "a compute instance", &g, &q);
    if (!rc && g)
        rc = check_ci(r, row, g, q);
    return rc;
}

/* A process row whose GI is N/A: its GPU has MIG disabled and the process
 * holds the whole GPU. *out is that GPU's whole-GPU record, or NULL for a
 * GPU beyond the caller's. A GPU whose instances -lgi listed cannot also
 * run with MIG disabled: the outputs are of different moments. */
static int whole_gpu(rd *r, const mp_nvsmi_row *row, mp_gi_state **out)
{
    int rc;
    *out = NULL;
    mp_gpu_state *g = gpu_of(r, row->line, &row->cells[0], &rc);
    if (!g)
        return rc;
    if (g->layout.gis.n > 0)
        return ERR(r, MP_ESCHEMA, row->line, row->cells[1].col,
                   "GPU %d runs a process with MIG disabled (GI N/A), but "
                   "-lgi lists GPU instances on it: the outputs are of "
                   "different moments; capture them again, one after the "
                   "other",
                   g->index);
    g->layout.mig_enabled = false;
    *out = &g->whole;
    return 0;
}

/* A process row:
 * |    0    2    0       4242      C   python3 serve.py      30120MiB | */
static int process_row(rd *r, const mp_nvsmi_row *row)
{
    const mp_nvsmi_cell *c = row->cells;
    if (row->n_cells >= 1 && mp_nvsmi_cell_is(&c[0], "No"))
        return 0; /* No running processes found */
    if (row->n_cells < 6)
        return ERR(r, MP_ESYNTAX, row->line, 1,
                   "a process row reads \"GPU GI CI PID TYPE NAME "
                   "[MEMORY]\"; this one does not");
    mp_gi_state *s;
    int rc;
    if (mp_nvsmi_cell_is(&c[1], "N/A")) { /* GI N/A: MIG disabled */
        rc = whole_gpu(r, row, &s);
    } else {
        mp_gpu_state *g;
        int q;
        rc = instance_of(r, row, 1, "a process", &g, &q);
        s = !rc && g ? &g->gi[q] : NULL;
    }
    if (!s || s->n_processes++ > 0)
        return rc; /* 0 beyond the caller's GPUs: counted, read on */
    int pid;
    s->pid = mp_nvsmi_cell_int(&c[3], 1, INT_MAX, &pid) ? pid : 0;
    /* the name runs from the sixth cell to before the memory, the last
     * column (its usage in MiB, or N/A); an empty name is unknown */
    const mp_nvsmi_cell *last = &c[row->n_cells - 1];
    bool mem = (last->len > 3 && !memcmp(last->s + last->len - 3, "MiB", 3)) ||
               mp_nvsmi_cell_is(last, "N/A");
    const mp_nvsmi_cell *end = mem ? last - 1 : last;
    if (end < &c[5])
        return 0;
    s->process = mp_arena_strndup(&r->st->arena, c[5].s,
                                  (size_t)(end->s + end->len - c[5].s));
    if (!s->process)
        return ERR(r, MP_ENOMEM, row->line, 1, "out of memory");
    return 0;
}

/* The tables read, in this order: GPU instances first, as compute
 * instances and processes refer to them. */
typedef struct table_kind {
    const char *title;      /* the table's title line */
    const char *what;       /* its name in messages */
    const char *const *hdr; /* the headers nvidia-smi prints, NULL-ended */
    bool prefix;            /* a header may run on past hdr's words */
    const char *cols;       /* the columns, for the message */
    const char *cmd;        /* the command that prints it */
    int (*row)(rd *, const mp_nvsmi_row *);
} table_kind;

static const char *const lgi_hdr[] = {
    "GPU Name Profile Instance Placement ID ID Start:Size", NULL};
static const char *const lci_hdr[] = {
    "GPU GPU Name Profile Instance Instance ID ID ID",
    "GPU GPU Name Profile Instance Placement Instance ID ID Start:Size ID",
    NULL};
static const char *const proc_hdr[] = {"GPU GI CI PID Type Process name", NULL};
static const table_kind kinds[] = {
    {"GPU instances:", "-lgi", lgi_hdr, false,
     "GPU Name Profile Instance Placement", "nvidia-smi mig -lgi", lgi_row},
    {"Compute instances:", "-lci", lci_hdr, false,
     "GPU, GPU Instance ID, Name, Profile ID, Instance ID",
     "nvidia-smi mig -lci", lci_row},
    {"Processes:", "Processes", proc_hdr, true,
     "GPU GI CI PID Type Process name", "nvidia-smi", process_row},
};

/* Table t of kind k: its header checked, then row by row. */
static int read_rows(rd *r, const table_kind *k, const mp_nvsmi_table *t)
{
    int rc = want_header(r, t, k->what, k->hdr, k->prefix, k->cols);
    for (int i = 0; i < t->n_rows && !rc; i++)
        rc = k->row(r, &t->rows[i]);
    return rc;
}

/* GPU gpu (the caller's) has MIG disabled, as nvidia-smi says at line,
 * col; one whose GPU instances -lgi listed contradicts it. */
static int mig_off(rd *r, int gpu, int line, int col)
{
    for (int k = 0; k < r->st->n; k++)
        if (r->st->gpu[k].index == gpu && r->st->gpu[k].layout.gis.n)
            return ERR(r, MP_ESCHEMA, line, col,
                       "nvidia-smi says MIG is disabled on GPU %d, but -lgi "
                       "lists GPU instances on it: the outputs are of "
                       "different moments; capture them again, one after "
                       "the other",
                       gpu);
    if (!mp_node_state_gpu(r->st, gpu) &&
        !mp_node_state_add_gpu(r->st, gpu, r->models[gpu]))
        return ERR(r, MP_ENOMEM, line, col, "out of memory");
    for (int k = 0; k < r->st->n; k++)
        if (r->st->gpu[k].index == gpu)
            r->st->gpu[k].layout.mig_enabled = false;
    return 0;
}

/* "No MIG-enabled devices found": every GPU of the caller's has MIG
 * disabled; with plain nvidia-smi's GPU table read, only the GPUs it
 * lists (the node has no others). */
static int all_disabled(rd *r, int line)
{
    int rc = 0;
    const mp_node_state *st = r->st;
    if (!st->has_gpu_table)
        r->st->all_off_uncounted = true;
    for (int i = 0; i < r->n_models && !rc; i++)
        if (r->models[i] && (!st->has_gpu_table || mp_node_state_lists(st, i)))
            rc = mig_off(r, i, line, 1);
    return rc;
}

/* Does line l (not NUL-terminated) hold s? */
static bool line_has(const mp_nvsmi_line *l, const char *s)
{
    int n = (int)strlen(s);
    for (int i = 0; i + n <= l->len; i++)
        if (memcmp(l->text + i, s, (size_t)n) == 0)
            return true;
    return false;
}

/* The text of input line `line` (1-based). */
static const mp_nvsmi_line *line_at(const rd *r, int line)
{
    const mp_nvsmi_doc *doc = r->doc;
    return line >= 1 && line <= doc->n_lines &&
                   doc->lines[line - 1].line == line
               ? &doc->lines[line - 1]
               : NULL;
}

/* The last box of l ("|  ...  Disabled |"), trimmed, in *s and *n. */
static void last_box(const mp_nvsmi_line *l, const char **s, int *n)
{
    int e = l->len;
    while (e > 0 && (l->text[e - 1] == ' ' || l->text[e - 1] == '|'))
        e--;
    int b = e;
    while (b > 0 && l->text[b - 1] != '|')
        b--;
    while (b < e && l->text[b] == ' ')
        b++;
    *s = l->text + b;
    *n = e - b;
}

/* Plain nvidia-smi's GPU table: each GPU's record starts with its index
 * and shows its MIG mode under "MIG M." ("Enabled", "Disabled" or "N/A")
 * as the last box of a later line. A GPU shown Disabled has MIG disabled,
 * which -lgi cannot show; one with GPU instances listed contradicts it. */
static int read_gpu_table(rd *r, const mp_nvsmi_table *t)
{
    int gpu = -1;
    for (int i = 0; i < t->n_rows; i++) {
        const mp_nvsmi_row *row = &t->rows[i];
        const mp_nvsmi_line *l = line_at(r, row->line);
        if (!l || row->n_cells < 1)
            continue;
        int index;
        const mp_nvsmi_cell *c = &row->cells[0];
        int digits = 0; /* a GPU's first line: its index (not "30%", a fan) */
        while (digits < c->len && c->s[digits] >= '0' && c->s[digits] <= '9')
            digits++;
        if (digits > 0 && digits == c->len && row->n_cells >= 2) {
            int rc = want_int(r, row->line, c, "the GPU index",
                              MP_STATE_MAX_GPUS - 1, &index);
            if (rc)
                return rc;
            gpu = index;
            if (mp_node_state_table_add(r->st, index))
                return ERR(r, MP_ENOMEM, row->line, c->col, "out of memory");
            continue;
        }
        const char *v;
        int n;
        last_box(l, &v, &n);
        if (gpu < 0 || n != 8 || memcmp(v, "Disabled", 8) != 0)
            continue;
        if (gpu < r->n_models && r->models[gpu]) { /* the caller's */
            int rc = mig_off(r, gpu, row->line, (int)(v - l->text) + 1);
            if (rc)
                return rc;
        }
    }
    return 0;
}

/* Is t plain nvidia-smi's GPU table (a header box "MIG M.")? */
static bool gpu_table(const rd *r, const mp_nvsmi_table *t)
{
    for (int i = 0; i < t->n_header; i++) {
        const mp_nvsmi_line *l = line_at(r, t->header[i].line);
        if (l && line_has(l, "MIG M."))
            return true;
    }
    return false;
}

static bool titled(const mp_nvsmi_table *t, const char *title)
{
    return t->title && strcmp(t->title, title) == 0;
}

/* t, a second table of kind k after first: nvidia-smi prints one, so two
 * captures were joined (two nodes' outputs in one file, or one node's read
 * twice or GPU by GPU); merging them would plan a node from GPUs it may
 * not have. */
static int second_table(rd *r, const table_kind *k, const mp_nvsmi_table *first,
                        const mp_nvsmi_table *t)
{
    const mp_nvsmi_line *l = line_at(r, t->title_line);
    int n = (int)strlen(k->title), col = 1; /* the title's column */
    for (int i = 0; l && i + n <= l->len; i++)
        if (memcmp(l->text + i, k->title, (size_t)n) == 0) {
            col = i + 1;
            break;
        }
    return ERR(r, MP_ESCHEMA, t->title_line, col,
               "a second %s table (the first is at line %d): nvidia-smi "
               "prints one, so two captures were joined here (were two "
               "nodes' outputs put in one file, e.g. with `>>`?); give "
               "each node its own file (--current NODE=FILE), and for one "
               "node capture `%s` once, for all its GPUs",
               k->what, first->title_line, k->cmd);
}

int mp_state_read_nvsmi(const char *text, size_t len, const char *path,
                        const mp_model *const *models, int n_models,
                        mp_node_state *st, mp_diag *d)
{
    mp_node_state_init(st, MP_STATE_NVSMI);
    mp_nvsmi_doc doc;
    text = mp_skip_bom(text, &len); /* else line 1 is no table rule */
    int rc = mp_nvsmi_parse(text, len, path, &doc, d);
    if (rc)
        return rc;
    rd *r = calloc(1, sizeof(*r));
    if (!r) {
        mp_nvsmi_doc_free(&doc);
        return mp_diag_set(d, MP_ENOMEM, path, 0, 0, "out of memory");
    }
    *r = (rd){
        .doc = &doc, .models = models, .n_models = n_models, .st = st, .d = d};
    bool any = false, *seen[] = {&any, &st->has_lci, &st->has_procs};
    for (int k = 0; k < 3 && !rc; k++) {
        const mp_nvsmi_table *first = NULL;
        for (int i = 0; i < doc.n_tables && !rc; i++)
            if (titled(&doc.tables[i], kinds[k].title)) {
                *seen[k] = true;
                rc = first ? second_table(r, &kinds[k], first, &doc.tables[i])
                           : read_rows(r, &kinds[k], &doc.tables[i]);
                first = first ? first : &doc.tables[i];
            }
    }
    for (int i = 0; i < doc.n_tables && !rc; i++)
        if (gpu_table(r, &doc.tables[i])) {
            st->has_gpu_table = true;
            rc = read_gpu_table(r, &doc.tables[i]);
        }
    for (int i = 0; i < doc.n_lines && !rc; i++) {
        const mp_nvsmi_line *l = &doc.lines[i];
        any |= l->table < 0 && line_has(l, "No GPU instances found");
        st->has_lci |=
            l->table < 0 && line_has(l, "No compute instances found");
        if (l->table < 0 && line_has(l, "No MIG-enabled devices found")) {
            any = true;
            rc = all_disabled(r, l->line);
        }
    }
    /* with -lci read, an instance it does not list has no compute
     * instance */
    for (int i = 0; i < st->n && st->has_lci && !rc; i++)
        for (int q = 0; q < st->gpu[i].layout.gis.n; q++)
            if (st->gpu[i].gi[q].n_ci < 0)
                st->gpu[i].gi[q].n_ci = 0;
    if (!rc && !any)
        rc = mp_diag_set(d, MP_ESCHEMA, path, 0, 0,
                         "no GPU instances table: give the output of "
                         "`nvidia-smi mig -lgi` (followed, if you like, by "
                         "`nvidia-smi mig -lci` and `nvidia-smi`)");
    mp_nvsmi_doc_free(&doc);
    free(r->skipped);
    free(r->ci);
    free(r);
    return rc;
}

const mp_gpu_state *mp_node_state_gpu(const mp_node_state *st, int index)
{
    int lo = 0, hi = st->n; /* st->gpu is sorted by index */
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (st->gpu[mid].index == index)
            return &st->gpu[mid];
        if (st->gpu[mid].index < index)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

void mp_node_state_skip(mp_node_state *st, long long index, int line, int col)
{
    if (st->n_skipped++ == 0 ||
        (line > 0 && (st->skipped_line == 0 || line < st->skipped_line))) {
        st->skipped_index = index;
        st->skipped_line = line;
        st->skipped_col = col;
    }
}

void mp_node_state_init(mp_node_state *st, mp_state_format f)
{
    memset(st, 0, sizeof(*st));
    st->format = f;
}

void mp_node_state_free(mp_node_state *st)
{
    if (!st)
        return;
    mp_arena_free(&st->arena);
    if (st->cap > 0)
        free(st->gpu);
    free(st->table_gpus);
    st->gpu = NULL;
    st->table_gpus = NULL;
    st->n = st->cap = st->n_table = st->cap_table = 0;
}

/* Does text[0..len) hold s? */
static bool has(const char *text, size_t len, const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i + n <= len; i++)
        if (memcmp(text + i, s, n) == 0)
            return true;
    return false;
}

/* Does a line of text start with key (a top-level YAML key), maybe after
 * anchors or tags (`&a version: v1`)? */
static bool has_key(const char *text, size_t len, const char *key)
{
    size_t n = strlen(key);
    for (size_t i = 0; i < len; i++) {
        if (i > 0 && text[i - 1] != '\n' && text[i - 1] != '\r')
            continue;
        size_t k = i;
        while (k < len && (text[k] == '&' || text[k] == '!')) {
            while (k < len && !strchr(" \t\r\n", text[k]))
                k++; /* the anchor or tag */
            while (k < len && (text[k] == ' ' || text[k] == '\t'))
                k++;
        }
        if (k + n <= len && memcmp(text + k, key, n) == 0)
            return true;
    }
    return false;
}

mp_state_format mp_state_sniff(const char *text, size_t len)
{
    text = mp_skip_bom(text, &len);
    size_t i = 0;
    while (i < len && strchr(" \t\r\n", text[i]) && text[i])
        i++;
    const char *t = text + i;
    size_t n = len - i;
    if (n > 0 && *t == '{') {
        if (has(t, n, "\"mig-configs\""))
            return MP_STATE_MIGPARTED;
        if (has(t, n, "\"gpus\"") || has(t, n, "\"feasible\""))
            return MP_STATE_PLAN;
        return MP_STATE_AUTO;
    }
    if (has_key(t, n, "version:") && has_key(t, n, "mig-configs:"))
        return MP_STATE_MIGPARTED;
    static const char *const marks[] = {"GPU instances:", "Compute instances:",
                                        "Processes:", "No GPU instances found",
                                        "No MIG-enabled devices found"};
    for (size_t k = 0; k < sizeof(marks) / sizeof(marks[0]); k++)
        if (has(t, n, marks[k]))
            return MP_STATE_NVSMI;
    return MP_STATE_AUTO;
}

const char *mp_state_format_name(mp_state_format f)
{
    switch (f) {
    case MP_STATE_NVSMI:
        return "nvidia-smi";
    case MP_STATE_PLAN:
        return "plan-json";
    case MP_STATE_MIGPARTED:
        return "mig-parted";
    case MP_STATE_AUTO:
        break;
    }
    return "auto";
}

int mp_state_read(const char *text, size_t len, const char *path,
                  mp_state_format f, const mp_model *const *models,
                  int n_models, mp_node_state *st, mp_diag *d)
{
    return mp_state_read_node(text, len, path, f, NULL, models, n_models, st,
                              d);
}

int mp_state_read_node(const char *text, size_t len, const char *path,
                       mp_state_format f, const char *node,
                       const mp_model *const *models, int n_models,
                       mp_node_state *st, mp_diag *d)
{
    if (mp_is_utf16(text, len)) {
        mp_node_state_init(st, f);
        int rc = mp_diag_set(d, MP_ESYNTAX, path, 1, 1,
                             "this file is UTF-16 text (as Windows tools "
                             "such as PowerShell's `>` write it): convert "
                             "it to UTF-8 (iconv -f UTF-16 -t UTF-8 %s > "
                             "FILE) and give that",
                             path);
        if (d) { /* quote what line 1 says, not its bytes */
            mp_utf16_line(text, len, d->source, sizeof(d->source));
            d->quoted = true;
        }
        return rc;
    }
    if (f == MP_STATE_AUTO)
        f = mp_state_sniff(text, len);
    switch (f) {
    case MP_STATE_NVSMI:
        return mp_state_read_nvsmi(text, len, path, models, n_models, st, d);
    case MP_STATE_PLAN:
        return mp_state_read_plan_node(text, len, path, node, models, n_models,
                                       st, d);
    case MP_STATE_MIGPARTED:
        return mp_state_read_migparted(text, len, path, models, n_models, st,
                                       d);
    case MP_STATE_AUTO:
        break;
    }
    mp_node_state_init(st, MP_STATE_AUTO);
    return mp_diag_set(
        d, MP_ESYNTAX, path, 1, 1,
        "this is no state migplan reads; --current takes nvidia-smi output "
        "(`nvidia-smi mig -lgi`, optionally followed by `nvidia-smi mig "
        "-lci` and `nvidia-smi`), a plan (`migplan plan --format json`) or "
        "an `nvidia-mig-parted export` (YAML or JSON); --current-format "
        "nvidia-smi|plan-json|mig-parted says which");
}
