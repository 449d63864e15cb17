/* SPDX-License-Identifier: Apache-2.0 */
/* script.c - the script model from a plan or from a mig-parted config. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migplan/util/buf.h"
#include "migplan/util/hashidx.h"
#include "migplan/script/script.h"

/* ------------------------------------------------------------ helpers */

typedef struct builder {
    mp_script *s;
    int cap_layouts, cap_labels, cap_rules;
    mp_hashidx layout_ix; /* positions in s->layouts, by layout_hash */
} builder;

static bool same_text(const char *a, const char *b)
{
    return (a == NULL) == (b == NULL) && (!a || strcmp(a, b) == 0);
}

static bool same_labels(const mp_script_labels *a, const mp_script_labels *b,
                        int n)
{
    for (int q = 0; q < n; q++)
        if (!same_text(a->gi[q], b->gi[q]))
            return false;
    return same_text(a->note, b->note);
}

static uint32_t text_hash(uint32_t h, const char *t)
{
    for (; t && *t; t++)
        h = mp_hash32_add(h, (unsigned char)*t);
    return mp_hash32_add(h, t ? 1 : 0);
}

/* A hash of what add_layout compares (mp_gpu_layout_equal, same_labels):
 * layouts it finds alike have the same hash. */
static uint32_t layout_hash(const mp_gpu_layout *l, const mp_script_labels *lab)
{
    uint32_t h = mp_hash32_add(MP_HASH32_INIT, (uint32_t)l->gis.n);
    h = mp_hash32_add(h, (uint32_t)l->mig_enabled);
    for (int q = 0; q < l->gis.n; q++) {
        h = mp_hash32_add(h, (uint32_t)l->gis.gi[q].profile);
        h = mp_hash32_add(h, (uint32_t)l->gis.gi[q].start);
        h = text_hash(h, lab->gi[q]);
    }
    return text_hash(h, lab->note);
}

typedef struct layout_key {
    const mp_gpu_layout *l;
    const mp_script_labels *lab;
} layout_key;

static bool same_layout_at(const void *arr, int pos, const void *key)
{
    const mp_script *s = arr;
    const layout_key *k = key;
    return mp_gpu_layout_equal(&s->layouts[pos], k->l) &&
           same_labels(&s->labels[pos], k->lab, k->l->gis.n);
}

/* Add a layout with its labels (or find an identical one, by hash: a plan
 * of many GPUs has as many labelled layouts); returns its index or -1
 * when out of memory. */
static int add_layout(builder *b, const mp_gpu_layout *l,
                      const mp_script_labels *lab)
{
    mp_script *s = b->s;
    uint32_t h = layout_hash(l, lab);
    layout_key key = {l, lab};
    int at = mp_hashidx_find(&b->layout_ix, h, same_layout_at, s, &key);
    if (at >= 0)
        return at;
    if (mp_hashidx_add(&b->layout_ix, h) != s->n_layouts)
        return -1;
    int need = s->n_layouts + 1;
    if (mp_arena_grow(&s->arena, &s->layouts, &b->cap_layouts, need,
                      sizeof(*s->layouts), 16) ||
        mp_arena_grow(&s->arena, &s->labels, &b->cap_labels, need,
                      sizeof(*s->labels), 16))
        return -1;
    s->layouts[s->n_layouts] = *l;
    s->labels[s->n_layouts] = *lab;
    return s->n_layouts++;
}

static mp_script_rule *add_rule(builder *b)
{
    mp_script *s = b->s;
    if (mp_arena_grow(&s->arena, &s->rules, &b->cap_rules, s->n_rules + 1,
                      sizeof(*s->rules), 16))
        return NULL;
    return &s->rules[s->n_rules++]; /* zeroed by the arena */
}

/* A choice for every PCI ID of model m (or any GPU when m is NULL). */
static int model_choice(mp_arena *a, const mp_model *m, int layout,
                        mp_script_choice *c)
{
    memset(c, 0, sizeof(*c));
    c->layout = layout;
    if (!m)
        return 0;
    c->model_id = m->id;
    c->devices = m->pci_ids;
    c->n_ids = m->n_pci_ids;
    uint32_t *sub =
        mp_arena_alloc(a, (size_t)(m->n_pci_ids + 1) * sizeof(uint32_t));
    if (!sub)
        return MP_ENOMEM;
    c->subsystems = sub;
    return 0;
}

/* A strict rule for one GPU index: a GPU of model m gets layout li, any
 * other GPU there stops the script. origin is owned by the arena. *cout
 * (cout may be NULL) is the rule's choice, for a caller to narrow. */
static int add_strict_rule(builder *b, int index, const mp_model *m, int li,
                           const char *origin, mp_script_choice **cout)
{
    mp_arena *a = &b->s->arena;
    mp_script_rule *r = add_rule(b);
    int *idx = mp_arena_alloc(a, sizeof(int));
    mp_script_choice *c = mp_arena_alloc(a, sizeof(*c));
    if (!r || !idx || !c || !origin || model_choice(a, m, li, c))
        return MP_ENOMEM;
    *idx = index;
    r->indices = idx;
    r->n_indices = 1;
    r->choices = c;
    r->n_choices = 1;
    r->strict = true;
    r->origin = origin;
    if (cout)
        *cout = c;
    return 0;
}

static int fail_nomem(mp_script *s, mp_diag *d)
{
    mp_script_free(s);
    return mp_diag_set(d, MP_ENOMEM, NULL, 0, 0, "out of memory");
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* The GPU indices strict rules name, once each, ascending (for
 * messages). */
static int *required_list(mp_arena *a, const mp_script *s, int *n)
{
    int total = 0;
    for (int r = 0; r < s->n_rules; r++)
        if (s->rules[r].strict && !s->rules[r].all)
            total += s->rules[r].n_indices;
    int *v = mp_arena_alloc(a, (size_t)(total + 1) * sizeof(int));
    if (!v)
        return NULL;
    int k = 0;
    for (int r = 0; r < s->n_rules; r++) {
        const mp_script_rule *x = &s->rules[r];
        for (int i = 0; i < x->n_indices && x->strict && !x->all; i++)
            v[k++] = x->indices[i];
    }
    qsort(v, (size_t)k, sizeof(*v), cmp_int);
    *n = 0;
    for (int i = 0; i < k; i++)
        if (*n == 0 || v[*n - 1] != v[i])
            v[(*n)++] = v[i];
    return v;
}

/* Start a script in out. */
static void script_init(mp_script *out, builder *b)
{
    memset(out, 0, sizeof(*out));
    out->arena = (mp_arena)MP_ARENA_INIT;
    *b = (builder){.s = out};
}

/* Finish a script whose rules are built: the GPUs that must exist. */
static int script_finish(mp_script *out, mp_diag *d)
{
    out->required = required_list(&out->arena, out, &out->n_required);
    if (!out->required)
        return fail_nomem(out, d);
    return 0;
}

void mp_script_free(mp_script *s)
{
    if (s)
        mp_arena_release(&s->arena, s, sizeof(*s));
}

/* --------------------------------------------------------------- plan */

/* Who uses plan GPU pg, for the script's comments: a note for unused and
 * whole GPUs, "tenant#replica" per GPU instance. Returns 0 or MP_ENOMEM. */
static int plan_gpu_labels(mp_arena *a, const mp_plan *p, const mp_plan_gpu *pg,
                           mp_script_labels *out)
{
    const mp_request *r = p->req;
    memset(out, 0, sizeof(*out));
    if (!pg->used) {
        out->note = "unused by this plan";
        return 0;
    }
    if (!pg->layout.mig_enabled) {
        out->note = mp_arena_printf(a, "whole GPU for %s",
                                    r->tenants[pg->whole_tenant].name);
        return out->note ? 0 : MP_ENOMEM;
    }
    for (int q = 0; q < pg->layout.gis.n; q++) {
        char label[96];        /* embed#2, or embed#4-5 on a shared instance */
        if (pg->tenant[q] < 0) /* free, on a single-strategy node */
            snprintf(label, sizeof(label), "free");
        else
            mp_plan_unit_label(&r->tenants[pg->tenant[q]], pg->replica[q],
                               label, sizeof(label));
        out->gi[q] = mp_arena_printf(a, "%s", label);
        if (!out->gi[q])
            return MP_ENOMEM;
    }
    return 0;
}

static int from_plan(const mp_plan *p, builder *bp, mp_script *out, mp_diag *d)
{
    mp_arena *a = &out->arena;
    mp_plan_walk w = MP_PLAN_WALK(p);
    for (const mp_plan_gpu *pg; (pg = mp_plan_next_gpu(&w));) {
        mp_script_labels lab;
        if (plan_gpu_labels(a, p, pg, &lab) != 0)
            return fail_nomem(out, d);
        int li = add_layout(bp, &pg->layout, &lab);
        if (li < 0 ||
            add_strict_rule(bp, pg->index, pg->layout.gis.model, li,
                            mp_arena_printf(a, "GPU %d of the plan", pg->index),
                            NULL) != 0)
            return fail_nomem(out, d);
    }
    return script_finish(out, d);
}

int mp_script_from_plan(const mp_plan *p, mp_script *out, mp_diag *d)
{
    builder b;
    script_init(out, &b);
    int rc = from_plan(p, &b, out, d);
    mp_hashidx_free(&b.layout_ix);
    return rc;
}

/* ------------------------------------------------------------- config */

/* The layout of entry e realised on model m (NULL for MIG disabled on any
 * GPU): e's mig-devices as a {name, count} list for the model layer.
 * Returns the layout index, -1 when m cannot realise e (reason in why), or
 * -2 when out of memory. */
static int entry_layout(builder *b, const mp_model *m, const mp_mp_entry *e,
                        char *why, size_t n)
{
    mp_gpu_layout l;
    mp_gpu_layout_init(&l, e->mig_enabled ? m : NULL, e->mig_enabled);
    if (e->mig_enabled) {
        mp_profile_count *v =
            mp_arena_alloc(&b->s->arena, ((size_t)e->n_devs + 1) * sizeof(*v));
        if (!v)
            return -2;
        for (int i = 0; i < e->n_devs; i++) {
            v[i].name = e->devs[i].name;
            v[i].count = e->devs[i].count_ok ? e->devs[i].count : 0;
        }
        int rc = mp_gpu_layout_from_counts(m, v, e->n_devs, &l, why, n);
        if (rc != 0)
            return rc == MP_ENOMEM ? -2 : -1;
    }
    mp_script_labels none;
    memset(&none, 0, sizeof(none));
    int li = add_layout(b, &l, &none);
    return li < 0 ? -2 : li;
}

static const char *entry_origin(mp_arena *a, const mp_mp_config *cfg,
                                const mp_mp_entry *e)
{
    mp_buf t = MP_BUF_INIT;
    mp_buf_printf(&t, "config %s, entry at line %d: devices ", cfg->name,
                  e->line);
    if (e->devices_all) {
        mp_buf_puts(&t, "all");
    } else {
        mp_buf_putc(&t, '[');
        for (int k = 0; k < e->n_devices; k++)
            mp_buf_printf(&t, "%s%lld", k ? ", " : "", e->devices[k]);
        mp_buf_putc(&t, ']');
    }
    if (e->has_filter) {
        mp_buf_puts(&t, ", device-filter");
        for (int k = 0; k < e->n_filters; k++)
            mp_buf_printf(&t, " %s", e->filters[k].text);
    }
    char *s = t.failed ? NULL : mp_arena_printf(a, "%s", mp_buf_str(&t));
    mp_buf_free(&t);
    return s;
}

/* mig-parted's rule for node GPU g (script.h): the last entry that selects its
 * index and whose device-filter matches its PCI IDs (mp_node_gpu_match; an
 * entry the inventory cannot settle counts, and the script checks the IDs
 * when it runs). */
const mp_mp_entry *mp_script_entry_for(const mp_mp_config *cfg,
                                       const mp_node_gpu *g)
{
    const mp_mp_entry *hit = NULL;
    for (int i = 0; i < cfg->n_entries; i++) {
        const mp_mp_entry *e = &cfg->entries[i];
        if (mp_mp_selects(e, g->index) &&
            mp_node_gpu_match(g, e) != MP_MATCH_NO)
            hit = e;
    }
    return hit;
}

/* The PCI IDs a script --node rule accepts at GPU g for entry e: g's own
 * when the inventory gives them, else those of e's filters on g's model
 * (all of the model's for an unfiltered entry). Fills c; 0 or MP_ENOMEM. */
static int node_choice(mp_arena *a, const mp_node_gpu *g, const mp_mp_entry *e,
                       int li, mp_script_choice *c)
{
    if (model_choice(a, g->model, li, c))
        return MP_ENOMEM;
    int cap = g->model->n_pci_ids + (e->has_filter ? e->n_filters : 0) + 1;
    uint32_t *dev = mp_arena_alloc(a, (size_t)cap * sizeof(uint32_t));
    uint32_t *sub = mp_arena_alloc(a, (size_t)cap * sizeof(uint32_t));
    if (!dev || !sub)
        return MP_ENOMEM;
    int n = 0;
    for (int k = 0; e->has_filter && k < e->n_filters; k++) {
        const mp_mp_filter *f = &e->filters[k];
        mp_node_gpu one = *g;
        one.device = f->valid ? f->device : 0;
        if (!one.device || (g->device && g->device != one.device) ||
            !mp_model_device(g->model, one.device) ||
            mp_node_gpu_match(&one, e) == MP_MATCH_NO)
            continue;
        dev[n] = f->device;
        sub[n++] = f->has_subsystem ? f->subsystem : g->subsystem;
    }
    if (!e->has_filter) {
        for (int p = 0; p < g->model->n_pci_ids; p++) {
            if (g->device && g->model->pci_ids[p] != g->device)
                continue;
            dev[n] = g->model->pci_ids[p];
            sub[n++] = g->subsystem;
        }
    }
    c->devices = dev;
    c->subsystems = sub;
    c->n_ids = n;
    return 0;
}

static int from_node(builder *b, const mp_mp_config *cfg, const mp_node *node,
                     mp_buf *skipped, mp_diag *d)
{
    mp_arena *a = &b->s->arena;
    for (int g = 0; g < node->n; g++) {
        const mp_node_gpu *ng = &node->gpus[g];
        const mp_model *m = ng->model;
        const mp_mp_entry *e = mp_script_entry_for(cfg, ng);
        if (!e) {
            uint32_t id = mp_node_gpu_id(ng);
            if (id)
                mp_buf_printf(skipped,
                              "GPU %d (%s, 0x%08X): no entry of config %s "
                              "selects it (mig-parted matches device-filter "
                              "to the exact PCI ID); the script leaves it as "
                              "it is\n",
                              ng->index, mp_model_product(m, id), id,
                              cfg->name);
            else
                mp_buf_printf(skipped,
                              "GPU %d (%s): no entry of config %s selects it; "
                              "the script leaves it as it is\n",
                              ng->index, m->id, cfg->name);
            continue;
        }
        char why[600];
        int li = entry_layout(b, m, e, why, sizeof(why));
        if (li == -2)
            return MP_ENOMEM;
        if (li < 0)
            return mp_diag_set(d, MP_EINFEASIBLE, NULL, e->line, e->col,
                               "GPU %d (%s): %s", ng->index, m->id, why);
        const char *origin =
            mp_arena_printf(a,
                            "GPU %d (%s in %s), from config %s, "
                            "entry at line %d",
                            ng->index, m->id, node->path, cfg->name, e->line);
        mp_script_choice *c;
        if (add_strict_rule(b, ng->index, m, li, origin, &c) != 0 ||
            node_choice(a, ng, e, li, c) != 0)
            return MP_ENOMEM;
    }
    if (b->s->n_rules == 0)
        return mp_diag_set(d, MP_EINFEASIBLE, NULL, 0, 0,
                           "config %s selects no GPU of %s (notes above), so "
                           "a script would change nothing; no script",
                           cfg->name, node->path);
    return 0;
}

/* One choice per filter of e: only those GPUs, as mig-parted. Returns the
 * number of choices written to cs, or a negative MP_E* code. */
static int filter_choices(builder *b, const mp_db *db, const mp_mp_entry *e,
                          mp_script_choice *cs, mp_buf *skipped, mp_diag *d)
{
    mp_arena *a = &b->s->arena;
    int nc = 0;
    char why[600];
    for (int k = 0; k < e->n_filters; k++) {
        const mp_mp_filter *f = &e->filters[k];
        if (!f->valid)
            continue;
        const mp_model *m = mp_db_find_pci(db, f->device);
        if (!m && e->mig_enabled) {
            mp_buf_printf(skipped,
                          "line %d: device-filter %s: no GPU migplan "
                          "knows has this PCI ID; those GPUs are left "
                          "as they are\n",
                          f->line, f->text);
            continue;
        }
        int li = entry_layout(b, m, e, why, sizeof(why));
        if (li == -2)
            return MP_ENOMEM;
        if (li < 0)
            return mp_diag_set(d, MP_EINFEASIBLE, NULL, e->line, e->col,
                               "%s: %s", m->id, why);
        uint32_t *dev = mp_arena_alloc(a, sizeof(uint32_t));
        uint32_t *sub = mp_arena_alloc(a, sizeof(uint32_t));
        if (!dev || !sub)
            return MP_ENOMEM;
        *dev = f->device;
        *sub = f->has_subsystem ? f->subsystem : 0;
        cs[nc++] = (mp_script_choice){.devices = dev,
                                      .subsystems = sub,
                                      .n_ids = 1,
                                      .layout = li,
                                      .model_id = m ? m->id : NULL};
    }
    return nc;
}

/* No filter, MIG on: a choice for each of the --gpu models, or for every
 * model that realises e. Returns the number of choices or a negative
 * MP_E* code. */
static int model_choices(builder *b, const mp_db *db, const mp_mp_entry *e,
                         const mp_model *const *gpus, int n_gpus,
                         mp_script_choice *cs, mp_diag *d)
{
    int nc = 0;
    char why[600];
    int n = n_gpus ? n_gpus : mp_db_count(db);
    for (int k = 0; k < n; k++) {
        const mp_model *m = n_gpus ? gpus[k] : mp_db_model(db, k);
        int li = entry_layout(b, m, e, why, sizeof(why));
        if (li == -2)
            return MP_ENOMEM;
        if (li == -1 && n_gpus)
            return mp_diag_set(d, MP_EINFEASIBLE, NULL, e->line, e->col,
                               "%s: %s", m->id, why);
        if (li < 0)
            continue;
        if (model_choice(&b->s->arena, m, li, &cs[nc]))
            return MP_ENOMEM;
        nc++;
    }
    if (nc == 0)
        return mp_diag_set(d, MP_EINFEASIBLE, NULL, e->line, e->col,
                           "no GPU model can hold this entry's layout; give "
                           "--gpu MODEL or a device-filter");
    return nc;
}

/* The rule of entry e: the GPU indices it selects and its choices. */
static int entry_rule(builder *b, const mp_db *db, const mp_mp_config *cfg,
                      const mp_mp_entry *e, const mp_model *const *gpus,
                      int n_gpus, mp_buf *skipped, mp_diag *d)
{
    mp_arena *a = &b->s->arena;
    mp_script_rule *r = add_rule(b);
    if (!r)
        return MP_ENOMEM;
    r->all = e->devices_all;
    if (!e->devices_all) {
        int *idx = mp_arena_alloc(a, (size_t)(e->n_devices + 1) * sizeof(int));
        if (!idx)
            return MP_ENOMEM;
        for (int k = 0; k < e->n_devices; k++)
            idx[k] = (int)e->devices[k];
        r->indices = idx;
        r->n_indices = e->n_devices;
    }
    r->origin = entry_origin(a, cfg, e);
    int cap = (e->has_filter ? e->n_filters : mp_db_count(db)) + 1;
    mp_script_choice *cs = mp_arena_alloc(a, (size_t)cap * sizeof(*cs));
    if (!r->origin || !cs)
        return MP_ENOMEM;
    r->choices = cs;
    int nc;
    if (e->has_filter) {
        nc = filter_choices(b, db, e, cs, skipped, d);
    } else if (!e->mig_enabled) {
        char why[8];
        int li = entry_layout(b, NULL, e, why, sizeof(why));
        if (li < 0)
            return MP_ENOMEM;
        cs[0] = (mp_script_choice){.layout = li};
        nc = 1;
    } else {
        nc = model_choices(b, db, e, gpus, n_gpus, cs, d);
    }
    if (nc < 0)
        return nc;
    r->strict = !e->has_filter && e->mig_enabled;
    if (nc > 64)
        return mp_diag_set(d, MP_EINFEASIBLE, NULL, e->line, e->col,
                           "more than 64 device IDs in one entry; split it");
    r->n_choices = nc;
    return 0;
}

int mp_script_from_config(const mp_db *db, const mp_mp_config *cfg,
                          const mp_model *const *gpus, int n_gpus,
                          const mp_node *node, mp_script *out, mp_buf *skipped,
                          mp_diag *d)
{
    builder b;
    script_init(out, &b);
    mp_buf sink = MP_BUF_INIT;
    if (!skipped)
        skipped = &sink;
    int rc = 0;
    if (node) {
        rc = from_node(&b, cfg, node, skipped, d);
    } else {
        for (int i = 0; i < cfg->n_entries && rc == 0; i++)
            rc = entry_rule(&b, db, cfg, &cfg->entries[i], gpus, n_gpus,
                            skipped, d);
    }
    mp_buf_free(&sink);
    mp_hashidx_free(&b.layout_ix);
    if (rc == MP_ENOMEM)
        return fail_nomem(out, d);
    if (rc) {
        mp_script_free(out);
        return rc;
    }
    return script_finish(out, d);
}
