/* SPDX-License-Identifier: Apache-2.0 */
/* migparted_writer.c - write mig-parted configs as mig-parted exports them:
 * yaml.v2 block style, natural key order, quotes only where a plain
 * scalar would read back as something else. */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migplan/emit/migparted_writer.h"
#include "migplan/readers/migparted_reader.h"
#include "migplan/util/arena.h"
#include "migplan/util/hashidx.h"
#include "migplan/yaml/ydoc.h"

int mp_mp_natural_cmp(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    for (size_t i = 0; i < la && i < lb; i++) {
        if (a[i] == b[i])
            continue;
        bool al = isalpha((unsigned char)a[i]) != 0;
        bool bl = isalpha((unsigned char)b[i]) != 0;
        if (al && bl)
            return (unsigned char)a[i] < (unsigned char)b[i] ? -1 : 1;
        if (al || bl)
            return bl ? -1 : 1; /* letters sort after everything else */
        long long an = 0, bn = 0;
        size_t ai, bi;
        if (a[i] == '0' || b[i] == '0')
            for (size_t j = i; j-- > 0 && isdigit((unsigned char)a[j]);)
                if (a[j] != '0') {
                    an = 1;
                    bn = 1;
                    break;
                }
        for (ai = i; ai < la && isdigit((unsigned char)a[ai]); ai++)
            an = an * 10 + (a[ai] - '0');
        for (bi = i; bi < lb && isdigit((unsigned char)b[bi]); bi++)
            bn = bn * 10 + (b[bi] - '0');
        if (an != bn)
            return an < bn ? -1 : 1;
        if (ai != bi)
            return ai < bi ? -1 : 1;
        return (unsigned char)a[i] < (unsigned char)b[i] ? -1 : 1;
    }
    return la < lb ? -1 : (la > lb ? 1 : 0);
}

/* Would this text read back as a plain string? */
static bool plain_ok(const char *s, bool in_flow)
{
    if (!*s)
        return false;
    mp_ynode n = {
        .kind = MP_YNODE_SCALAR, .plain = true, .str = s, .len = strlen(s)};
    mp_yval v;
    if (mp_ynode_resolve(&n, &v) != MP_YV_STR)
        return false;
    if (strchr("-?:,[]{}#&*!|>'\"%@`", s[0]) || isspace((unsigned char)s[0]) ||
        isspace((unsigned char)s[strlen(s) - 1]))
        return false;
    if (strstr(s, ": ") || strstr(s, " #"))
        return false;
    if (in_flow && strpbrk(s, ",[]{}:"))
        return false;
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p < 0x20)
            return false;
    return true;
}

void mp_mp_yaml_scalar(mp_buf *out, const char *s, bool in_flow)
{
    if (plain_ok(s, in_flow)) {
        mp_buf_puts(out, s);
        return;
    }
    if (in_flow && !strpbrk(s, "'\n") && strchr(s, ':')) {
        /* yaml.v2 single-quotes a flow string that only has a colon */
        mp_buf_printf(out, "'%s'", s);
        return;
    }
    mp_buf_putc(out, '"');
    for (const char *p = s; *p; p++) {
        if (*p == '"' || *p == '\\')
            mp_buf_putc(out, '\\');
        if (*p == '\n') {
            mp_buf_puts(out, "\\n");
            continue;
        }
        mp_buf_putc(out, *p);
    }
    mp_buf_putc(out, '"');
}

/* ------------------------------------------------- a plan as a config */

int mp_config_name_check(const char *name, const char *problem, mp_diag *d)
{
    size_t n = strlen(name);
    bool ok = n > 0 && n <= 63 && isalnum((unsigned char)name[0]) &&
              isalnum((unsigned char)name[n - 1]);
    for (size_t i = 0; ok && i < n; i++)
        ok = isalnum((unsigned char)name[i]) || strchr("-_.", name[i]);
    return ok ? 0
              : mp_diag_set(d, MP_EUSAGE, NULL, 0, 0, "config name '%s' %s",
                            name, problem);
}

/* GPUs that share one config entry: same model, MIG mode, kind and
 * profile counts. */
typedef struct entry {
    const mp_model *model;
    bool enabled;
    int kind; /* 0 unused, 1 whole GPU, 2 MIG: comments differ */
    int counts[MP_MAX_PROFILES];
    int *indices; /* positions in p->gpus, not GPU indices */
    int n;
    int first_gpu; /* for the comment */
} entry;

static entry entry_of(const mp_plan_gpu *g)
{
    entry key;
    memset(&key, 0, sizeof(key));
    key.model = g->layout.gis.model;
    key.enabled = g->layout.mig_enabled;
    key.kind = !g->used ? 0 : !g->layout.mig_enabled ? 1 : 2;
    for (int q = 0; q < g->layout.gis.n; q++)
        key.counts[g->layout.gis.gi[q].profile]++;
    return key;
}

static bool same_entry(const entry *a, const entry *b)
{
    return a->model == b->model && a->enabled == b->enabled &&
           a->kind == b->kind &&
           memcmp(a->counts, b->counts, sizeof(a->counts)) == 0;
}

static uint32_t entry_hash(const entry *k)
{
    uintptr_t m = (uintptr_t)k->model;
    uint32_t h = MP_HASH32_INIT ^ (uint32_t)(m ^ (m >> 32));
    h = mp_hash32_add(h, (uint32_t)(k->enabled * 4 + k->kind));
    for (int i = 0; i < MP_MAX_PROFILES; i++)
        h = mp_hash32_add(h, (uint32_t)k->counts[i]);
    return h;
}

static bool same_entry_at(const void *arr, int pos, const void *key)
{
    return same_entry(&((const entry *)arr)[pos], key);
}

/* The entries of p's GPUs in order of first use, each with its GPUs'
 * positions (in idx, contiguous per entry, in plan order): *out (the
 * caller frees it). Returns how many, or -1 when out of memory. */
static int group_gpus(const mp_plan *p, entry **out, int *idx)
{
    entry *e = NULL;
    int cap = 0;
    mp_hashidx ix = MP_HASHIDX_INIT; /* positions in e */
    int *of = malloc((size_t)(p->n_gpus ? p->n_gpus : 1) * sizeof(int));
    int rc = of ? 0 : -1;
    for (int k = 0; k < p->n_gpus && !rc; k++) {
        entry key = entry_of(&p->gpus[k]);
        uint32_t h = entry_hash(&key);
        int at = mp_hashidx_find(&ix, h, same_entry_at, e, &key);
        if (at < 0) {
            if (mp_grow(&e, &cap, ix.n + 1, sizeof(*e), 16) ||
                (at = mp_hashidx_add(&ix, h)) < 0) {
                rc = -1;
                break;
            }
            key.first_gpu = k;
            e[at] = key;
        }
        of[k] = at;
        e[at].n++;
    }
    int n = ix.n;
    for (int i = 0, at = 0; i < n && !rc; i++) {
        e[i].indices = &idx[at];
        at += e[i].n;
        e[i].n = 0;
    }
    for (int k = 0; k < p->n_gpus && !rc; k++)
        e[of[k]].indices[e[of[k]].n++] = k;
    free(of);
    mp_hashidx_free(&ix);
    if (rc) {
        free(e);
        e = NULL;
    }
    *out = e;
    return rc ? -1 : n;
}

static int cmp_names(const void *a, const void *b)
{
    return mp_mp_natural_cmp(*(const char *const *)a, *(const char *const *)b);
}

/* The comments at the top: where the config comes from, the GPU indices
 * of each fleet entry, how to apply it. */
/* path as a shell word: as it is when it is safe, else single-quoted. */
static void shell_word(const char *path, mp_buf *out)
{
    if (*path && strspn(path, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstu"
                              "vwxyz0123456789_./+-") == strlen(path)) {
        mp_buf_puts(out, path);
        return;
    }
    mp_buf_putc(out, '\'');
    for (const char *c = path; *c; c++) {
        if (*c == '\'')
            mp_buf_puts(out, "'\\''");
        else if (*c == '\n')
            mp_buf_puts(out, "?"); /* stays one comment line */
        else
            mp_buf_putc(out, *c);
    }
    mp_buf_putc(out, '\'');
}

static void write_header(const mp_plan *p, const char *config_name,
                         const char *path, mp_buf *out)
{
    const mp_request *r = p->req;
    mp_buf_printf(out, "# mig-parted config written by migplan %s from %s.\n",
                  MIGPLAN_VERSION, r->path);
    mp_buf_printf(out,
                  "# %d GPU%s used%s. GPU indices follow the request's "
                  "fleet order:\n",
                  p->gpus_used, p->gpus_used == 1 ? "" : "s",
                  p->optimal ? " (optimal)" : "");
    for (int i = 0; i < r->n_fleet; i++) {
        int lo = -1, hi = -1;
        for (int k = 0; k < p->n_gpus; k++)
            if (p->gpus[k].fleet == i) {
                if (lo < 0)
                    lo = p->gpus[k].index;
                hi = mp_plan_gpu_last(&p->gpus[k]);
            }
        if (lo >= 0)
            mp_buf_printf(out, "#   %d-%d: %s\n", lo, hi,
                          r->fleet[i].model->id);
    }
    mp_buf_puts(out, "# Apply: nvidia-mig-parted apply -f ");
    if (path && strcmp(path, "-") != 0)
        shell_word(path, out);
    else
        mp_buf_puts(out, "FILE");
    mp_buf_printf(out, " -c %s\n", config_name);
}

/* The instances of MIG GPU g left to right, as the slot diagram shows,
 * with their tenants. */
static void write_mig_comment(const mp_plan *p, const mp_plan_gpu *g,
                              bool several, mp_buf *out)
{
    const mp_layout *l = &g->layout.gis;
    int by_start[MP_MAX_GIS];
    for (int q = 0; q < l->n; q++) {
        int at = q;
        while (at > 0 && l->gi[by_start[at - 1]].start > l->gi[q].start) {
            by_start[at] = by_start[at - 1];
            at--;
        }
        by_start[at] = q;
    }
    mp_buf_puts(out, "  # ");
    for (int k = 0; k < l->n; k++) {
        const mp_gi *in = &l->gi[by_start[k]];
        const mp_tenant *t = &p->req->tenants[g->tenant[by_start[k]]];
        mp_buf_printf(out, "%s%s@%d %s", k ? ", " : "",
                      l->model->profiles[in->profile].name, in->start,
                      g->tenant[by_start[k]] < 0
                          ? "free"
                          : p->req->tenants[g->tenant[by_start[k]]].name);
        if (g->tenant[by_start[k]] >= 0 && mp_tenant_share(t) > 1)
            mp_buf_printf(out, " x%d",
                          mp_tenant_served(t, g->replica[by_start[k]]));
    }
    mp_buf_printf(out, "%s\n", several ? " (on each)" : "");
}

/* A comment naming the tenants of the entry's (first) GPU. */
static void write_comment(const mp_plan *p, const entry *x, mp_buf *out)
{
    const mp_plan_gpu *g = &p->gpus[x->first_gpu];
    if (!g->used) {
        mp_buf_puts(out, "  # unused by this plan\n");
        return;
    }
    if (g->layout.mig_enabled) {
        write_mig_comment(p, g, x->n > 1, out);
        return;
    }
    mp_buf_puts(out, "  # whole GPU:");
    for (int k = 0; k < x->n; k++) {
        const mp_plan_gpu *w = &p->gpus[x->indices[k]];
        mp_buf_printf(out, " %s (GPU %d)",
                      p->req->tenants[w->whole_tenant].name, w->index);
    }
    mp_buf_putc(out, '\n');
}

/* `device-filter:` with the model's PCI IDs, for fleets of mixed models. */
static void write_filter(const mp_model *m, mp_buf *out)
{
    mp_buf_puts(out, "device-filter: ");
    if (m->n_pci_ids == 1) {
        char id[16];
        snprintf(id, sizeof(id), "0x%08X", m->pci_ids[0]);
        mp_mp_yaml_scalar(out, id, false);
    } else {
        mp_buf_putc(out, '[');
        for (int k = 0; k < m->n_pci_ids; k++) {
            char id[16];
            snprintf(id, sizeof(id), "0x%08X", m->pci_ids[k]);
            if (k)
                mp_buf_puts(out, ", ");
            mp_mp_yaml_scalar(out, id, true);
        }
        mp_buf_putc(out, ']');
    }
    mp_buf_puts(out, "\n    ");
}

/* `mig-devices:`, profiles in natural order. */
static void write_devices(const entry *x, mp_buf *out)
{
    const char *names[MP_MAX_PROFILES];
    int nn = 0;
    for (int q = 0; q < x->model->n_profiles; q++)
        if (x->counts[q])
            names[nn++] = x->model->profiles[q].name;
    qsort(names, (size_t)nn, sizeof(*names), cmp_names);
    if (!nn) {
        mp_buf_puts(out, "    mig-devices: {}\n");
        return;
    }
    mp_buf_puts(out, "    mig-devices:\n");
    for (int k = 0; k < nn; k++) {
        const mp_gi_profile *pr = mp_model_profile(x->model, names[k]);
        mp_buf_puts(out, "      ");
        mp_mp_yaml_scalar(out, names[k], false);
        mp_buf_printf(out, ": %d\n", x->counts[mp_profile_index(x->model, pr)]);
    }
}

static void write_entry(const mp_plan *p, const entry *x, bool mixed,
                        bool comments, mp_buf *out)
{
    if (comments)
        write_comment(p, x, out);
    mp_buf_puts(out, "  - ");
    if (mixed)
        write_filter(x->model, out);
    mp_buf_puts(out, "devices: [");
    for (int k = 0; k < x->n; k++) {
        const mp_plan_gpu *g = &p->gpus[x->indices[k]];
        for (int i = g->index; i <= mp_plan_gpu_last(g); i++)
            mp_buf_printf(out, "%s%d", k || i > g->index ? ", " : "", i);
    }
    mp_buf_printf(out, "]\n    mig-enabled: %s\n",
                  x->enabled ? "true" : "false");
    write_devices(x, out);
}

int mp_emit_plan_migparted(const mp_plan *p, const char *config_name,
                           mp_buf *out, mp_diag *d)
{
    return mp_emit_plan_migparted_to(p, config_name, NULL, out, d);
}

int mp_emit_plan_migparted_to(const mp_plan *p, const char *config_name,
                              const char *path, mp_buf *out, mp_diag *d)
{
    const mp_request *r = p->req;
    if (!p->feasible)
        return mp_diag_set(d, MP_EINFEASIBLE, r->path, 0, 0,
                           "no plan, so no mig-parted config: %s", p->reason);
    int rc = mp_config_name_check(
        config_name,
        "must be a Kubernetes label value: at most 63 letters, digits, '-', "
        "'_' or '.', starting and ending with a letter or digit",
        d);
    if (rc)
        return rc;
    if (r->n_pools)
        return mp_emit_nodes_migparted(p, config_name, out, d);
    bool mixed = false;
    for (int i = 1; i < r->n_fleet; i++)
        mixed |= r->fleet[i].model != r->fleet[0].model;
    write_header(p, config_name, path, out);
    mp_buf_puts(out, "version: v1\nmig-configs:\n  ");
    mp_mp_yaml_scalar(out, config_name, false);
    mp_buf_puts(out, ":\n");
    if (mp_emit_migparted_entries(p, mixed, true, out) != 0)
        return mp_diag_set(d, MP_ENOMEM, NULL, 0, 0, "out of memory");
    return 0;
}

int mp_emit_migparted_entries(const mp_plan *p, bool mixed, bool comments,
                              mp_buf *out)
{
    entry *e = NULL;
    int *idx = malloc((size_t)(p->n_gpus ? p->n_gpus : 1) * sizeof(int));
    int ne = idx ? group_gpus(p, &e, idx) : -1;
    if (ne < 0) {
        free(idx);
        return MP_ENOMEM;
    }
    for (int i = 0; i < ne; i++)
        write_entry(p, &e[i], mixed, comments, out);
    free(e);
    free(idx);
    return 0;
}
