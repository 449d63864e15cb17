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

/* Entries that can meet the same GPU are swept per kind of board (a GPU
 * has exactly one device ID and one subsystem ID), so a 10,000-entry
 * config stays linear. A board is a device ID with a subsystem a filter
 * names, or with any other subsystem (has_sub false: only filters without
 * a subsystem part select it); device 0 is a GPU no filter names. */
typedef struct board {
    uint32_t device, subsystem;
    bool has_sub;
} board;

/* mig-parted's rule (types.DeviceID.Matches) for entry e on board b. */
static bool applies_to_board(const mp_mp_entry *e, const board *b)
{
    if (b->has_sub)
        return mp_mp_filter_matches(e, b->device, b->subsystem);
    if (!e->has_filter)
        return true;
    for (int k = 0; k < e->n_filters; k++)
        if (e->filters[k].valid && !e->filters[k].has_subsystem &&
            e->filters[k].device == b->device)
            return true;
    return false;
}

static void add_board(board *v, int *n, board b)
{
    for (int t = 0; t < *n; t++)
        if (v[t].device == b.device && v[t].has_sub == b.has_sub &&
            v[t].subsystem == b.subsystem)
            return;
    if (*n < 255)
        v[(*n)++] = b;
}

/* The boards that behave differently: each device ID a filter names with
 * any subsystem, each (device, subsystem) a filter names, and (device 0)
 * every other GPU, which only unfiltered entries select. targets has room
 * for 256. Returns how many. */
static int overlap_targets(const mp_mp_config *cfg, board *targets)
{
    int nt = 0;
    bool unfiltered = false;
    for (int i = 0; i < cfg->n_entries; i++) {
        unfiltered |= !cfg->entries[i].has_filter;
        for (int k = 0; k < cfg->entries[i].n_filters; k++) {
            const mp_mp_filter *f = &cfg->entries[i].filters[k];
            if (!f->valid)
                continue;
            add_board(targets, &nt, (board){f->device, 0, false});
            if (f->has_subsystem)
                add_board(targets, &nt, (board){f->device, f->subsystem, true});
        }
    }
    if (unfiltered)
        targets[nt++] = (board){0, 0, false};
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

static void report_overlap(ck *c, int i, int other, const board *target)
{
    const mp_mp_entry *e = &c->cfg->entries[i];
    uint32_t dev = target->device;
    const mp_model *m = dev ? mp_db_find_pci(c->db, dev) : NULL;
    char which[200], sub[24] = "";
    if (target->has_sub)
        snprintf(sub, sizeof(sub), ":0x%08X", target->subsystem);
    if (dev)
        snprintf(which, sizeof(which), " (0x%08X%s%s%s)", dev, sub,
                 m ? ", " : "", m ? mp_model_product(m, dev) : "");
    else
        which[0] = '\0';
    mp_ck_add(c, MP_SEV_WARNING, "multiple-entries", e->line, e->col, i, m,
              "entries %d and %d of '%s' can both apply to the same "
              "GPU%s; mig-parted applies each in turn and the last one "
              "wins",
              other + 1, i + 1, c->cfg->name, which);
}

static void sweep_target(ck *c, sweep *s, const board *target)
{
    s->all_owner = -1;
    s->any_owner = -1;
    for (int k = 0; k < s->ntouched; k++)
        s->owner[s->touched[k]] = -1;
    s->ntouched = 0;
    for (int i = 0; i < c->cfg->n_entries; i++) {
        const mp_mp_entry *e = &c->cfg->entries[i];
        if (!e->ok || !applies_to_board(e, target))
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
    board targets[256];
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
        sweep_target(c, &s, &targets[t]);
out:
    free(s.reported);
    free(s.owner);
    free(s.touched);
}

/* ---------------------------------------------------------------- node */

/* "NVIDIA H100 80GB HBM3 (0x233010DE)" or the model's name: what GPU g
 * is, for messages. */
static void gpu_name(const mp_node_gpu *g, char *buf, size_t n)
{
    uint32_t id = mp_node_gpu_id(g);
    char sub[16] = "";
    if (g->subsystem)
        snprintf(sub, sizeof(sub), ":0x%08X", g->subsystem);
    if (id)
        snprintf(buf, n, "%s, 0x%08X%s", mp_model_product(g->model, id), id,
                 sub);
    else
        snprintf(buf, n, "%s", g->model->name);
}

/* The IDs a filter names, "0x2BB510DE, 0x233010DE:0x16C010DE". */
static void filter_list(const mp_mp_entry *e, char *buf, size_t n)
{
    size_t k = 0;
    buf[0] = '\0';
    for (int i = 0; i < e->n_filters && k < n; i++)
        mp_catf(buf, n, &k, "%s%s", i ? ", " : "", e->filters[i].text);
}

/* An entry whose filter may or may not select gpu: say which ID of the
 * inventory would settle it (mig-parted is assumed to apply it). */
static void note_open_match(ck *c, const mp_node *node, const mp_node_gpu *gpu,
                            int i, mp_node_match r)
{
    const mp_mp_entry *e = &c->cfg->entries[i];
    char filters[300];
    filter_list(e, filters, sizeof(filters));
    if (r == MP_MATCH_IF_SUBSYSTEM)
        mp_ck_add(c, MP_SEV_NOTE, "subsystem-unknown", e->filter_line,
                  e->filter_col, i, gpu->model,
                  "this filter names a board subsystem; give "
                  "`subsystem:` for GPU %d in %s to check it (assumed to "
                  "match)",
                  gpu->index, node->path);
    else
        mp_ck_add(c, MP_SEV_NOTE, "device-unknown", e->filter_line,
                  e->filter_col, i, gpu->model,
                  "this filter (%s) names only some boards of %s; give GPU "
                  "%d's PCI device ID as its model in %s (e.g. model: "
                  "\"0x%08X\") to check it (assumed to match)",
                  filters, gpu->model->id, gpu->index, node->path,
                  gpu->model->pci_ids[0]);
}

/* The entries that select node GPU `gpu`, in order, into matched[];
 * marks them used. Returns how many. */
static int match_entries(ck *c, const mp_node *node, const mp_node_gpu *gpu,
                         int *matched, bool *entry_used)
{
    int nm = 0;
    for (int i = 0; i < c->cfg->n_entries; i++) {
        const mp_mp_entry *e = &c->cfg->entries[i];
        if (!mp_mp_selects(e, gpu->index))
            continue;
        mp_node_match r = mp_node_gpu_match(gpu, e);
        if (r == MP_MATCH_NO)
            continue;
        if (r != MP_MATCH_YES)
            note_open_match(c, node, gpu, i, r);
        matched[nm++] = i;
        entry_used[i] = true;
    }
    return nm;
}

/* No entry selects gpu: name the filters that would have but for its ID. */
static void report_uncovered(ck *c, const mp_node *node, const mp_node_gpu *gpu)
{
    const mp_mp_config *cfg = c->cfg;
    char what[200], why[400] = "";
    gpu_name(gpu, what, sizeof(what));
    uint32_t id = mp_node_gpu_id(gpu);
    char hw[32];
    if (gpu->subsystem)
        snprintf(hw, sizeof(hw), "0x%08X:0x%08X", id, gpu->subsystem);
    else
        snprintf(hw, sizeof(hw), "0x%08X", id);
    size_t k = 0;
    int named = 0;
    for (int i = 0; i < cfg->n_entries && named < 3; i++) {
        const mp_mp_entry *e = &cfg->entries[i];
        if (!e->ok || !e->has_filter || !mp_mp_selects(e, gpu->index))
            continue;
        char filters[300];
        filter_list(e, filters, sizeof(filters));
        if (id)
            mp_catf(why, sizeof(why), &k,
                    "%sthe device-filter of entry %d (%s) lacks %s",
                    named ? "; " : ": ", i + 1, filters, hw);
        else
            mp_catf(why, sizeof(why), &k,
                    "%sthe device-filter of entry %d (%s) names no ID of %s",
                    named ? "; " : ": ", i + 1, filters, gpu->model->id);
        named++;
    }
    mp_ck_add(c, MP_SEV_WARNING, "uncovered-gpu", cfg->line, cfg->col, -1,
              gpu->model,
              "GPU %d (%s) of %s is matched by no entry of '%s'%s; "
              "mig-parted apply leaves it unchanged and a full `assert` "
              "fails",
              gpu->index, what, node->path, cfg->name, why);
}

/* The largest set of entries among matched[] that one board gpu may be
 * applies together, into co[]: an inventory that leaves the device or
 * subsystem ID open lets filters on different IDs match it, but never
 * at once. Returns how many. */
static int co_applying(const ck *c, const mp_node_gpu *gpu, const int *matched,
                       int nm, int *co)
{
    board cand[256];
    int nb = 0;
    const mp_model *m = gpu->model;
    for (int p = 0; p < m->n_pci_ids; p++) {
        uint32_t d = m->pci_ids[p];
        if (gpu->device && d != gpu->device)
            continue;
        if (gpu->subsystem) {
            add_board(cand, &nb, (board){d, gpu->subsystem, true});
            continue;
        }
        add_board(cand, &nb, (board){d, 0, false});
        for (int i = 0; i < nm; i++) {
            const mp_mp_entry *e = &c->cfg->entries[matched[i]];
            for (int k = 0; k < e->n_filters; k++)
                if (e->filters[k].valid && e->filters[k].has_subsystem &&
                    e->filters[k].device == d)
                    add_board(cand, &nb,
                              (board){d, e->filters[k].subsystem, true});
        }
    }
    int best = 0;
    for (int b = 0; b < nb; b++) {
        int n = 0;
        for (int i = 0; i < nm; i++)
            n += applies_to_board(&c->cfg->entries[matched[i]], &cand[b]);
        if (n <= best)
            continue;
        best = 0;
        for (int i = 0; i < nm; i++)
            if (applies_to_board(&c->cfg->entries[matched[i]], &cand[b]))
                co[best++] = matched[i];
    }
    return best;
}

/* A GPU that no entry, or several, select. */
static void report_matches(ck *c, const mp_node *node, const mp_node_gpu *gpu,
                           const int *matched, int nm)
{
    const mp_mp_config *cfg = c->cfg;
    if (nm == 0) {
        report_uncovered(c, node, gpu);
        return;
    }
    int *co = malloc((size_t)nm * sizeof(int));
    if (!co) {
        c->f->oom = true;
        return;
    }
    nm = co_applying(c, gpu, matched, nm, co);
    char what[200];
    gpu_name(gpu, what, sizeof(what));
    char list[200] = "";
    size_t k = 0;
    for (int i = 0; i < nm && k < sizeof(list); i++)
        mp_catf(list, sizeof(list), &k, "%s%d", i ? ", " : "", co[i] + 1);
    int lasti = nm > 0 ? co[nm - 1] : -1;
    free(co);
    if (nm < 2)
        return;
    const mp_mp_entry *last = &cfg->entries[lasti];
    mp_ck_add(c, MP_SEV_WARNING, "multiple-entries", last->line, last->col,
              matched[nm - 1], gpu->model,
              "GPU %d (%s) is matched by entries %s of '%s'; mig-parted "
              "applies each in turn and the last one wins",
              gpu->index, what, list, cfg->name);
}

/* Was entry e already checked on the model of node GPU g (through an
 * earlier GPU of that model it selects)? */
static bool pair_seen(const mp_node *node, int g, const mp_mp_entry *e)
{
    const mp_model *m = node->gpus[g].model;
    for (int h = 0; h < g; h++)
        if (node->gpus[h].model == m && mp_mp_selects(e, node->gpus[h].index) &&
            mp_node_gpu_match(&node->gpus[h], e) != MP_MATCH_NO)
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
                          "GPU%s, indices %d-%d)",
                          e->devices[k], node->path, node->n,
                          node->n == 1 ? "" : "s", node->gpus[0].index,
                          node->gpus[node->n - 1].index);
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
            int from = c->f->n;
            mp_ck_on_model(c, e, matched[i], gpu->model, false);
            mp_ck_name_board(c, from, gpu->model, mp_node_gpu_id(gpu));
            mp_ck_report_strands(c, e, matched[i]);
        }
    }
    report_unused(c, node, entry_used);
out:
    free(entry_used);
    free(matched);
}
