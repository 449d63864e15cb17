// SPDX-License-Identifier: Apache-2.0
/* state_migparted.c - the state `nvidia-mig-parted export` prints: per GPU
 * how many instances of each profile, and no placements. The placements
 * are assumed to be the ones mig-parted's apply would have made: it
 * creates the instances without placements, largest first (Flatten():
 * G, then C, then attributes, descending), and the driver picks each slot
 * (mig-parted-format.md section 6, from NVIDIA/mig-parted
 * pkg/mig/config/config.go SetMigConfig at bd7160f; the driver's choice
 * is mp_geom_driver_pick). A change script made from such a state checks
 * the real placements on the node before it changes anything. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migplan/model/geom_driver.h"
#include "migplan/model/gpu_layout.h"
#include "migplan/readers/migparted_reader.h"
#include "migplan/readers/node_reader.h"
#include "migplan/readers/state_reader.h"
#include "lines.h"
#include "state_internal.h"

/* The entry of cfg mig-parted applies to GPU index (model m): the last
 * that selects it and whose device-filter may name m. */
static const mp_mp_entry *entry_for(const mp_mp_config *cfg, int index,
                                    const mp_model *m)
{
    mp_node_gpu g = {.index = index, .model = m};
    const mp_mp_entry *hit = NULL;
    for (int i = 0; i < cfg->n_entries; i++)
        if (mp_mp_selects(&cfg->entries[i], index) &&
            mp_node_gpu_match(&g, &cfg->entries[i]) != MP_MATCH_NO)
            hit = &cfg->entries[i];
    return hit;
}

/* The line of e's mig-devices key that names GI profile p (its own or a
 * compute-instance name of it), else the line of mig-devices. */
static int line_of(const mp_mp_entry *e, const mp_model *m,
                   const mp_gi_profile *p)
{
    for (int k = 0; k < e->n_devs; k++) {
        const mp_gi_profile *gi;
        int ci;
        char why[8];
        if (mp_gpu_layout_resolve_name(m, e->devs[k].name, &gi, &ci, why,
                                       sizeof(why)) &&
            gi == p)
            return e->devs[k].line;
    }
    return e->devs_line;
}

/* GPU index gets entry e's instances, where mig-parted would put them. */
static int gpu_from_entry(mp_node_state *st, const char *path,
                          const mp_mp_entry *e, int index, const mp_model *m,
                          mp_diag *d)
{
    mp_gpu_state *g = mp_node_state_add_gpu(st, index, m);
    if (!g) /* listed_twice ruled out a GPU listed twice */
        return mp_diag_set(d, MP_ENOMEM, path, e->line, e->col,
                           "out of memory");
    g->layout.mig_enabled = e->mig_enabled;
    if (!e->mig_enabled || e->n_devs == 0)
        return 0;
    mp_profile_count v[64];
    int n = 0;
    for (int k = 0; k < e->n_devs && n < 64; k++)
        v[n++] = (mp_profile_count){e->devs[k].name, e->devs[k].count};
    mp_gpu_layout lay;
    char why[600];
    if (mp_gpu_layout_from_counts(m, v, n, &lay, why, sizeof(why)))
        return mp_diag_set(d, MP_ESCHEMA, path, e->devs_line, e->devs_col,
                           "GPU %d (%s) cannot hold these mig-devices: %s",
                           index, m->id, why);
    /* mig-parted's first attempt: largest first, the driver picking */
    mp_layout first = lay.gis, got;
    mp_geom_sort_largest_first(&first);
    int prof[MP_MAX_GIS];
    for (int q = 0; q < first.n; q++)
        prof[q] = first.gi[q].profile;
    const mp_layout *use = &lay.gis;
    if (mp_geom_simulate(m, prof, first.n, &got) == first.n)
        use = &got;
    for (int q = 0; q < use->n; q++) {
        const mp_gi_profile *p = &m->profiles[use->gi[q].profile];
        int line = line_of(e, m, p);
        int rc = mp_gpu_state_add(g, p->id, use->gi[q].start, p->memory_slices,
                                  -1, line, why, sizeof(why));
        if (rc < 0)
            return mp_diag_set(d, rc, path, line, 1, "%s", why);
        g->gi[rc].slot_assumed = true;
        st->n_unknown_ids++;
    }
    return 0;
}

/* The first error of f, or of a file mig-parted cannot read, into d. */
static int first_error(const mp_findings *f, const mp_mp_file *file,
                       const char *path, mp_diag *d)
{
    for (int i = 0; i < f->n; i++)
        if (f->v[i].sev == MP_SEV_ERROR)
            return mp_diag_set(d, MP_ESCHEMA, path, f->v[i].line, f->v[i].col,
                               "%s", f->v[i].message);
    if (!file->parsed)
        return mp_diag_set(d, MP_ESCHEMA, path, 1, 1,
                           "mig-parted cannot read this export: %s",
                           file->migparted_error);
    return 0;
}

/* Is the first error of f a YAML syntax error? */
static bool yaml_syntax(const mp_findings *f)
{
    for (int i = 0; i < f->n; i++)
        if (f->v[i].sev == MP_SEV_ERROR)
            return f->v[i].code && strcmp(f->v[i].code, "yaml-syntax") == 0;
    return false;
}

/* One GPU index an entry's `devices` names: the entry, and its order. */
typedef struct dev_at {
    long long x;
    int entry, order;
} dev_at;

static int cmp_dev(const void *a, const void *b)
{
    const dev_at *p = a, *q = b;
    if (p->x != q->x)
        return p->x < q->x ? -1 : 1;
    return (p->order > q->order) - (p->order < q->order);
}

/* Every GPU index cfg's entries name, sorted by index, then by order in
 * the file (*out is the caller's to free); MP_ENOMEM. A list sorted once
 * keeps the work and the memory to what the file lists, whatever indices
 * it names. */
static int sorted_devices(const mp_mp_config *cfg, dev_at **out, int *n)
{
    int total = 0;
    for (int i = 0; i < cfg->n_entries; i++)
        total += cfg->entries[i].n_devices;
    *n = 0;
    *out = malloc(((size_t)total + 1) * sizeof(**out));
    if (!*out)
        return MP_ENOMEM;
    for (int i = 0; i < cfg->n_entries; i++)
        for (int k = 0; k < cfg->entries[i].n_devices; k++, ++*n)
            (*out)[*n] = (dev_at){cfg->entries[i].devices[k], i, *n};
    qsort(*out, (size_t)*n, sizeof(**out), cmp_dev);
    return 0;
}

/* Count the GPUs the entries name by index that the caller gave no model
 * for; an export lists every GPU of the node by index. */
static int count_skipped(const mp_mp_config *cfg, const dev_at *v, int n,
                         const mp_model *const *models, int n_models,
                         mp_node_state *st)
{
    for (int i = 0; i < n; i++) {
        long long x = v[i].x;
        const mp_mp_entry *e = &cfg->entries[v[i].entry];
        if (x < 0 || x >= MP_STATE_MAX_GPUS) {
            mp_node_state_skip(st, x, e->devices_line, e->devices_col);
            continue;
        }
        if (i > 0 && v[i - 1].x == x)
            continue;
        if (x >= n_models || !models[x])
            mp_node_state_skip(st, x, e->devices_line, e->devices_col);
        st->has_gpu_table = true;
        if (mp_node_state_table_add(st, (int)x))
            return MP_ENOMEM;
    }
    return 0;
}

/* An export lists each GPU once: a GPU named by two entries (or `devices:
 * all` next to another entry) would leave its state to mig-parted's
 * last-wins rule, so say so at the second entry (the first in the file
 * that repeats a GPU). */
static int listed_twice(const mp_mp_config *cfg, const dev_at *v, int n,
                        const char *path, mp_diag *d)
{
    for (int i = 0; i < cfg->n_entries; i++) {
        const mp_mp_entry *e = &cfg->entries[i];
        if (e->devices_all && cfg->n_entries > 1)
            return mp_diag_set(d, MP_ESCHEMA, path, e->devices_line,
                               e->devices_col,
                               "`devices: all` next to other entries: an "
                               "export lists each GPU once; give the "
                               "node's export as nvidia-mig-parted wrote it");
    }
    int again = -1; /* the repeat earliest in the file, and its first */
    int first = -1;
    for (int i = 1; i < n; i++)
        if (v[i].x == v[i - 1].x && v[i].x >= 0 && v[i].x < MP_STATE_MAX_GPUS &&
            (again < 0 || v[i].order < v[again].order)) {
            again = i;
            first = i - 1;
            while (first > 0 && v[first - 1].x == v[i].x)
                first--;
        }
    if (again < 0)
        return 0;
    const mp_mp_entry *e = &cfg->entries[v[again].entry];
    const mp_mp_entry *f = &cfg->entries[v[first].entry];
    if (e != f && e->line == f->line && e->col == f->col) /* one node */
        return mp_diag_set(d, MP_ESCHEMA, path, e->line, e->col,
                           "GPU %lld is listed twice: a YAML alias (*NAME) "
                           "repeats this entry later in the list, but an "
                           "export lists each GPU once; give the node's "
                           "export as nvidia-mig-parted wrote it",
                           v[again].x);
    return mp_diag_set(d, MP_ESCHEMA, path, e->devices_line, e->devices_col,
                       "GPU %lld is listed again (first at line %d): an "
                       "export lists each GPU once; give the node's export "
                       "as nvidia-mig-parted wrote it",
                       v[again].x, f->devices_line ? f->devices_line : f->line);
}

/* No entry applied to any GPU the caller gave a model for, but one selects
 * such a GPU by index and its device-filter names another model: this is
 * almost surely another node's export (mig-parted would change nothing
 * with it), so refuse it at the filter rather than read an empty node. */
static int filter_names_other(const mp_mp_config *cfg,
                              const mp_model *const *models, int n_models,
                              const mp_node_state *st, const char *path,
                              mp_diag *d)
{
    for (int i = 0; i < n_models && st->n == 0; i++)
        for (int k = 0; models[i] && k < cfg->n_entries; k++) {
            const mp_mp_entry *e = &cfg->entries[k];
            mp_node_gpu g = {.index = i, .model = models[i]};
            if (!e->has_filter || !mp_mp_selects(e, i) ||
                mp_node_gpu_match(&g, e) != MP_MATCH_NO)
                continue;
            return mp_diag_set(
                d, MP_ESCHEMA, path, e->filter_line, e->filter_col,
                "no entry of this export applies to this node's GPUs: its "
                "device-filter %s names another GPU model than GPU %d's, "
                "%s; is it another node's export? Give this node's "
                "(`nvidia-mig-parted export` run on it)",
                e->n_filters ? e->filters[0].text : "", i, models[i]->id);
        }
    return 0;
}

int mp_state_read_migparted(const char *text, size_t len, const char *path,
                            const mp_model *const *models, int n_models,
                            mp_node_state *st, mp_diag *d)
{
    mp_node_state_init(st, MP_STATE_MIGPARTED);
    st->placements_assumed = true;
    mp_findings f = MP_FINDINGS_INIT;
    mp_mp_file file;
    int rc = mp_mp_parse(path, text, len, &f, &file);
    if (rc)
        rc = mp_diag_set(d, rc, path, 0, 0, "out of memory");
    else if ((rc = first_error(&f, &file, path, d)) &&
             mp_state_json_text(text, len) && yaml_syntax(&f))
        mp_state_json_check(text, len, path, d); /* say it as JSON */
    else if (!rc && file.doc.next_line)          /* text after the document */
        rc = mp_state_json_text(text, len)
                 ? mp_state_json_check(text, len, path, d)
                 : mp_diag_set(d, MP_ESYNTAX, path, file.doc.next_line,
                               file.doc.next_col,
                               "%s; an export is one document, the node's "
                               "state (were two files joined, e.g. with "
                               "`>>`?)",
                               file.doc.more_documents
                                   ? "a second YAML document"
                                   : "text after the end of the YAML "
                                     "document");
    if (!rc && file.n_configs != 1)
        rc = mp_diag_set(
            d, MP_ESCHEMA, path, file.n_configs ? file.configs[1].line : 1,
            file.n_configs ? file.configs[1].col : 1,
            "an `nvidia-mig-parted export` holds one config (the node's "
            "state); this file has %d, so it is a config to apply, not a "
            "state: give the export of the node",
            file.n_configs);
    const mp_mp_config *cfg = rc ? NULL : &file.configs[0];
    dev_at *devs = NULL;
    int n_devs = 0;
    if (cfg && sorted_devices(cfg, &devs, &n_devs))
        rc = mp_diag_set(d, MP_ENOMEM, path, 0, 0, "out of memory");
    if (cfg && !rc && (rc = listed_twice(cfg, devs, n_devs, path, d)) != 0)
        cfg = NULL;
    for (int i = 0; cfg && i < n_models && !rc; i++) {
        const mp_mp_entry *e = models[i] ? entry_for(cfg, i, models[i]) : NULL;
        if (e)
            rc = gpu_from_entry(st, path, e, i, models[i], d);
    }
    if (cfg && !rc)
        rc = filter_names_other(cfg, models, n_models, st, path, d);
    if (cfg && !rc && count_skipped(cfg, devs, n_devs, models, n_models, st))
        rc = mp_diag_set(d, MP_ENOMEM, path, 0, 0, "out of memory");
    free(devs);
    mp_mp_free(&file);
    mp_findings_free(&f);
    return rc;
}
