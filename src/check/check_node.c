/* SPDX-License-Identifier: Apache-2.0 */
/* check_node.c - which entries of a config meet which GPUs: entries that
 * overlap (mig-parted applies each in turn and the last one wins), and a
 * config against a node inventory (--node). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_internal.h"
#include "migplan/util/buf.h"

/* ------------------------------------------------------------ overlaps */

/* Entries that can meet the same GPU are swept per PCI device ID (a GPU
 * has exactly one), so a 10,000-entry config stays linear. */
static bool applies_to_device(const mp_mp_entry *e, uint32_t dev)
{
    if (!e->has_filter)
        return true;
    for (int k = 0; k < e->n_filters; k++)
        if (e->filters[k].valid && e->filters[k].device == dev)
            return true;
    return false;
}

/* The devices that behave differently: each one a filter names, and (0,
 * matching no filter) every other GPU, which only unfiltered entries
 * select. targets has room for 256. Returns how many. */
static int overlap_targets(const mp_mp_config *cfg, uint32_t *targets)
{
    int nt = 0;
    bool unfiltered = false;
    for (int i = 0; i < cfg->n_entries; i++) {
        unfiltered |= !cfg->entries[i].has_filter;
        for (int k = 0; k < cfg->entries[i].n_filters; k++) {
            uint32_t d = cfg->entries[i].filters[k].device;
            bool have = !cfg->entries[i].filters[k].valid;
            for (int t = 0; t < nt && !have; t++)
                have = targets[t] == d;
            if (!have && nt < 255)
                targets[nt++] = d;
        }
    }
    if (unfiltered)
        targets[nt++] = 0;
    return nt;
}

/* The sweep over one device: the first entry that selects each GPU
 * index. */
typedef struct sweep {
    int *owner;   /* per GPU index, -1 when none yet */
    int *touched; /* indices whose owner is set */
    int ntouched;
    int all_owner; /* first entry with `devices: all` */
    int any_owner; /* first entry that selects anything */
    bool *reported;
} sweep;

/* Record entry i; returns an earlier entry it shares a GPU with, or -1. */
static int sweep_entry(sweep *s, const mp_mp_entry *e, int i)
{
    int other = -1;
    if (e->devices_all) {
        other = s->all_owner >= 0 ? s->all_owner : s->any_owner;
        if (s->all_owner < 0)
            s->all_owner = i;
        return other;
    }
    for (int k = 0; k < e->n_devices; k++) {
        long long d = e->devices[k];
        if (d < 0 || d >= MP_NODE_MAX_GPUS)
            continue;
        int o = s->all_owner >= 0 ? s->all_owner : s->owner[d];
        if (o >= 0 && other < 0)
            other = o;
        if (s->owner[d] < 0) {
            s->owner[d] = i;
            s->touched[s->ntouched++] = (int)d;
            if (s->any_owner < 0)
                s->any_owner = i;
        }
    }
    return other;
}

static void report_overlap(ck *c, int i, int other, uint32_t target)
{
    const mp_mp_entry *e = &c->cfg->entries[i];
    const mp_model *m = target ? mp_db_find_pci(c->db, target) : NULL;
    char which[64];
    if (target)
        snprintf(which, sizeof(which), " (0x%08X%s%s)", target, m ? ", " : "",
                 m ? m->id : "");
    else
        which[0] = '\0';
    mp_ck_add(c, MP_SEV_WARNING, "multiple-entries", e->line, e->col, i, m,
              "entries %d and %d of '%s' can both apply to the same "
              "GPU%s; mig-parted applies each in turn and the last one "
              "wins",
              other + 1, i + 1, c->cfg->name, which);
}

static void sweep_target(ck *c, sweep *s, uint32_t target)
{
    s->all_owner = -1;
    s->any_owner = -1;
    for (int k = 0; k < s->ntouched; k++)
        s->owner[s->touched[k]] = -1;
    s->ntouched = 0;
    for (int i = 0; i < c->cfg->n_entries; i++) {
        const mp_mp_entry *e = &c->cfg->entries[i];
        if (!e->ok || !applies_to_device(e, target))
            continue;
        int other = sweep_entry(s, e, i);
        if (other >= 0 && other != i && !s->reported[i]) {
            s->reported[i] = true;
            report_overlap(c, i, other, target);
        }
    }
}

void mp_ck_overlaps(ck *c)
{
    uint32_t targets[256];
    int nt = overlap_targets(c->cfg, targets);
    sweep s = {.reported = calloc((size_t)c->cfg->n_entries + 1, sizeof(bool)),
               .owner = malloc(MP_NODE_MAX_GPUS * sizeof(int)),
               .touched = malloc(MP_NODE_MAX_GPUS * sizeof(int))};
    if (!s.reported || !s.owner || !s.touched) {
        c->f->oom = true;
        goto out;
    }
    for (int g = 0; g < MP_NODE_MAX_GPUS; g++)
        s.owner[g] = -1;
    for (int t = 0; t < nt; t++)
        sweep_target(c, &s, targets[t]);
out:
    free(s.reported);
    free(s.owner);
    free(s.touched);
}

/* ---------------------------------------------------------------- node */

/* Does an entry's filter match model m (any of its PCI IDs)? With a
 * subsystem filter and an unknown subsystem, *needs_subsystem (may be
 * NULL) says so and the filter is taken to match. */
static bool filter_matches_model(const mp_mp_entry *e, const mp_model *m,
                                 uint32_t subsystem, bool *needs_subsystem)
{
    if (needs_subsystem)
        *needs_subsystem = false;
    if (!e->has_filter)
        return true;
    for (int k = 0; k < e->n_filters; k++) {
        const mp_mp_filter *f = &e->filters[k];
        if (!f->valid)
            continue;
        for (int p = 0; p < m->n_pci_ids; p++) {
            if (f->device != m->pci_ids[p])
                continue;
            if (f->has_subsystem && subsystem && f->subsystem != subsystem)
                continue;
            if (f->has_subsystem && !subsystem && needs_subsystem)
                *needs_subsystem = true;
            return true;
        }
    }
    return false;
}

/* The entries that select node GPU `gpu`, in order, into matched[];
 * marks them used. Returns how many. */
static int match_entries(ck *c, const mp_node *node, const mp_node_gpu *gpu,
                         int *matched, bool *entry_used)
{
    int nm = 0;
    for (int i = 0; i < c->cfg->n_entries; i++) {
        const mp_mp_entry *e = &c->cfg->entries[i];
        bool needs_sub;
        if (!mp_mp_selects(e, gpu->index) ||
            !filter_matches_model(e, gpu->model, gpu->subsystem, &needs_sub))
            continue;
        if (needs_sub)
            mp_ck_add(c, MP_SEV_NOTE, "subsystem-unknown", e->filter_line,
                      e->filter_col, i, gpu->model,
                      "this filter names a board subsystem; give "
                      "`subsystem:` for GPU %d in %s to check it (assumed to "
                      "match)",
                      gpu->index, node->path);
        matched[nm++] = i;
        entry_used[i] = true;
    }
    return nm;
}

/* A GPU that no entry, or several, select. */
static void report_matches(ck *c, const mp_node *node, const mp_node_gpu *gpu,
                           const int *matched, int nm)
{
    const mp_mp_config *cfg = c->cfg;
    if (nm == 0) {
        mp_ck_add(c, MP_SEV_WARNING, "uncovered-gpu", cfg->line, cfg->col, -1,
                  gpu->model,
                  "GPU %d (%s) of %s is matched by no entry of '%s': "
                  "mig-parted apply leaves it unchanged and a full `assert` "
                  "fails",
                  gpu->index, gpu->model->id, node->path, cfg->name);
        return;
    }
    if (nm == 1)
        return;
    char list[200] = "";
    size_t k = 0;
    for (int i = 0; i < nm && k < sizeof(list); i++)
        mp_catf(list, sizeof(list), &k, "%s%d", i ? ", " : "", matched[i] + 1);
    const mp_mp_entry *last = &cfg->entries[matched[nm - 1]];
    mp_ck_add(c, MP_SEV_WARNING, "multiple-entries", last->line, last->col,
              matched[nm - 1], gpu->model,
              "GPU %d (%s) is matched by entries %s of '%s'; mig-parted "
              "applies each in turn and the last one wins",
              gpu->index, gpu->model->id, list, cfg->name);
}

/* Was entry e already checked on the model of node GPU g (through an
 * earlier GPU of that model it selects)? */
static bool pair_seen(const mp_node *node, int g, const mp_mp_entry *e)
{
    const mp_model *m = node->gpus[g].model;
    for (int h = 0; h < g; h++)
        if (node->gpus[h].model == m && mp_mp_selects(e, node->gpus[h].index) &&
            filter_matches_model(e, m, node->gpus[h].subsystem, NULL))
            return true;
    return false;
}

/* GPU indices the entries list that the node lacks, and entries that
 * select no GPU of the node. */
static void report_unused(ck *c, const mp_node *node, const bool *entry_used)
{
    const mp_mp_config *cfg = c->cfg;
    for (int i = 0; i < cfg->n_entries; i++) {
        const mp_mp_entry *e = &cfg->entries[i];
        for (int k = 0; k < e->n_devices; k++) {
            bool present = false;
            for (int g = 0; g < node->n; g++)
                present |= node->gpus[g].index == e->devices[k];
            if (!present && e->devices[k] >= 0)
                mp_ck_add(c, MP_SEV_ERROR, "device-out-of-range",
                          e->devices_line, e->devices_col, i, NULL,
                          "GPU index %lld is not on this node (%s lists %d "
                          "GPUs, indices %d-%d)",
                          e->devices[k], node->path, node->n,
                          node->gpus[0].index, node->gpus[node->n - 1].index);
        }
        if (!entry_used[i] && e->ok)
            mp_ck_add(c, MP_SEV_WARNING, "entry-matches-nothing", e->line,
                      e->col, i, NULL,
                      "entry %d of '%s' applies to no GPU of %s", i + 1,
                      cfg->name, node->path);
    }
}

void mp_ck_node(ck *c, const mp_node *node)
{
    const mp_mp_config *cfg = c->cfg;
    bool *entry_used = calloc((size_t)cfg->n_entries + 1, sizeof(bool));
    int *matched = malloc(((size_t)cfg->n_entries + 1) * sizeof(int));
    if (!entry_used || !matched) {
        c->f->oom = true;
        goto out;
    }
    for (int g = 0; g < node->n; g++) {
        const mp_node_gpu *gpu = &node->gpus[g];
        int nm = match_entries(c, node, gpu, matched, entry_used);
        report_matches(c, node, gpu, matched, nm);
        for (int i = 0; i < nm; i++) {
            const mp_mp_entry *e = &cfg->entries[matched[i]];
            if (pair_seen(node, g, e))
                continue; /* each (entry, model) pair once */
            mp_ck_on_model(c, e, matched[i], gpu->model, false);
            mp_ck_report_strands(c, e, matched[i]);
        }
    }
    report_unused(c, node, entry_used);
out:
    free(entry_used);
    free(matched);
}
