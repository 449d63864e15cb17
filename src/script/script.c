/* script.c - the script model from a plan or from a mig-parted config. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migplan/util/buf.h"
#include "migplan/script/script.h"

/* ------------------------------------------------------------ helpers */

typedef struct builder {
    mp_script *s;
    int cap_layouts, cap_rules;
} builder;

static void *grow(void *v, int *cap, int need, size_t size)
{
    if (need <= *cap)
        return v;
    int nc = *cap ? *cap * 2 : 16;
    while (nc < need)
        nc *= 2;
    void *n = realloc(v, (size_t)nc * size);
    if (n)
        *cap = nc;
    return n;
}

static bool same_layout(const mp_script_layout *a, const mp_script_layout *b)
{
    if (a->model != b->model || a->mig_enabled != b->mig_enabled ||
        a->n != b->n)
        return false;
    for (int q = 0; q < a->n; q++) {
        if (a->gi[q].profile != b->gi[q].profile ||
            a->gi[q].start != b->gi[q].start ||
            a->ci_explicit[q] != b->ci_explicit[q] ||
            (a->ci_explicit[q] &&
             memcmp(a->ci_count[q], b->ci_count[q], sizeof(a->ci_count[q]))))
            return false;
        bool la = a->label[q] != NULL, lb = b->label[q] != NULL;
        if (la != lb || (la && strcmp(a->label[q], b->label[q])))
            return false;
    }
    bool na = a->note != NULL, nb = b->note != NULL;
    return na == nb && (!na || strcmp(a->note, b->note) == 0);
}

/* Add a layout (or find an identical one); returns its index or -1. */
static int add_layout(builder *b, const mp_script_layout *l)
{
    mp_script *s = b->s;
    for (int i = 0; i < s->n_layouts; i++)
        if (same_layout(&s->layouts[i], l))
            return i;
    mp_script_layout *n =
        grow(s->layouts, &b->cap_layouts, s->n_layouts + 1, sizeof(*n));
    if (!n)
        return -1;
    s->layouts = n;
    s->layouts[s->n_layouts] = *l;
    return s->n_layouts++;
}

static mp_script_rule *add_rule(builder *b)
{
    mp_script *s = b->s;
    mp_script_rule *n =
        grow(s->rules, &b->cap_rules, s->n_rules + 1, sizeof(*n));
    if (!n)
        return NULL;
    s->rules = n;
    mp_script_rule *r = &s->rules[s->n_rules++];
    memset(r, 0, sizeof(*r));
    return r;
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
    memset(sub, 0, (size_t)(m->n_pci_ids + 1) * sizeof(uint32_t));
    c->subsystems = sub;
    return 0;
}

static int fail_nomem(mp_script *s, mp_diag *d)
{
    mp_script_free(s);
    return mp_diag_set(d, MP_ENOMEM, NULL, 0, 0, "out of memory");
}

static int *required_list(mp_arena *a, const mp_script *s, int *n)
{
    int total = 0;
    for (int r = 0; r < s->n_rules; r++)
        if (s->rules[r].strict && !s->rules[r].all)
            total += s->rules[r].n_indices;
    int *v = mp_arena_alloc(a, (size_t)(total + 1) * sizeof(int));
    if (!v)
        return NULL;
    *n = 0;
    for (int r = 0; r < s->n_rules; r++) {
        const mp_script_rule *x = &s->rules[r];
        if (!x->strict || x->all)
            continue;
        for (int k = 0; k < x->n_indices; k++) {
            bool dup = false;
            for (int j = 0; j < *n && !dup; j++)
                dup = v[j] == x->indices[k];
            if (!dup)
                v[(*n)++] = x->indices[k];
        }
    }
    /* ascending, for messages */
    for (int i = 1; i < *n; i++)
        for (int j = i; j > 0 && v[j] < v[j - 1]; j--) {
            int t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
    return v;
}

void mp_script_free(mp_script *s)
{
    if (!s)
        return;
    free(s->layouts);
    free(s->rules);
    mp_arena_free(&s->arena);
    memset(s, 0, sizeof(*s));
}

/* --------------------------------------------------------------- plan */

int mp_script_from_plan(const mp_plan *p, mp_script *out, mp_diag *d)
{
    const mp_request *r = p->req;
    memset(out, 0, sizeof(*out));
    out->arena = (mp_arena)MP_ARENA_INIT;
    builder b = {.s = out};
    mp_arena *a = &out->arena;
    for (int k = 0; k < p->n_gpus; k++) {
        const mp_plan_gpu *pg = &p->gpus[k];
        mp_script_layout l;
        memset(&l, 0, sizeof(l));
        l.model = pg->model;
        l.mig_enabled = pg->used && pg->mig_enabled;
        if (!pg->used) {
            l.note = "unused by this plan";
        } else if (!pg->mig_enabled) {
            l.note = mp_arena_printf(a, "whole GPU for %s",
                                     r->tenants[pg->whole_tenant].name);
            if (!l.note)
                return fail_nomem(out, d);
        } else {
            l.n = pg->n;
            for (int q = 0; q < pg->n; q++) {
                l.gi[q].profile = pg->inst[q].profile;
                l.gi[q].start = pg->inst[q].start;
                l.label[q] = mp_arena_printf(
                    a, "%s#%d", r->tenants[pg->inst[q].tenant].name,
                    pg->inst[q].replica);
                if (!l.label[q])
                    return fail_nomem(out, d);
            }
        }
        int li = add_layout(&b, &l);
        mp_script_rule *rule = li < 0 ? NULL : add_rule(&b);
        int *idx = mp_arena_alloc(a, sizeof(int));
        mp_script_choice *c = mp_arena_alloc(a, sizeof(*c));
        if (!rule || !idx || !c || model_choice(a, pg->model, li, c))
            return fail_nomem(out, d);
        *idx = pg->index;
        rule->indices = idx;
        rule->n_indices = 1;
        rule->choices = c;
        rule->n_choices = 1;
        rule->strict = true;
        rule->origin = mp_arena_printf(a, "GPU %d of the plan", pg->index);
        if (!rule->origin)
            return fail_nomem(out, d);
    }
    out->required = required_list(a, out, &out->n_required);
    if (!out->required)
        return fail_nomem(out, d);
    return 0;
}

/* ------------------------------------------------------------- config */

/* The layout of entry e realised on model m (NULL for MIG disabled on any
 * GPU). Returns the layout index, -1 when m cannot realise e (reason in
 * why), or -2 when out of memory. */
static int entry_layout(builder *b, const mp_model *m, const mp_mp_entry *e,
                        char *why, size_t n)
{
    mp_script_layout l;
    memset(&l, 0, sizeof(l));
    l.model = e->mig_enabled ? m : NULL;
    l.mig_enabled = e->mig_enabled;
    if (e->mig_enabled) {
        mp_gpu_plan gp;
        if (mp_check_realise(m, e, &gp, why, n) != 0)
            return -1;
        l.n = gp.layout.n;
        memcpy(l.gi, gp.layout.gi, sizeof(l.gi));
        memcpy(l.ci_explicit, gp.ci_explicit, sizeof(l.ci_explicit));
        memcpy(l.ci_count, gp.ci_count, sizeof(l.ci_count));
    }
    int li = add_layout(b, &l);
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

/* mig-parted's rule for one GPU: the last entry that selects index `idx`
 * of a GPU with PCI IDs (dev, sub). */
static const mp_mp_entry *entry_for(const mp_mp_config *cfg, int idx,
                                    uint32_t dev, uint32_t sub)
{
    const mp_mp_entry *hit = NULL;
    for (int i = 0; i < cfg->n_entries; i++) {
        const mp_mp_entry *e = &cfg->entries[i];
        if (!mp_mp_selects(e, idx))
            continue;
        if (e->has_filter) {
            bool match = false;
            for (int k = 0; k < e->n_filters && !match; k++) {
                const mp_mp_filter *f = &e->filters[k];
                match = f->valid && f->device == dev &&
                        (!f->has_subsystem || f->subsystem == sub);
            }
            if (!match)
                continue;
        }
        hit = e;
    }
    return hit;
}

static int from_node(builder *b, const mp_mp_config *cfg, const mp_node *node,
                     mp_buf *skipped, mp_diag *d)
{
    mp_arena *a = &b->s->arena;
    for (int g = 0; g < node->n; g++) {
        const mp_node_gpu *ng = &node->gpus[g];
        const mp_model *m = ng->model;
        /* a node GPU matches a filter through any of its model's IDs */
        const mp_mp_entry *e = NULL;
        for (int p = 0; p < m->n_pci_ids && !e; p++)
            e = entry_for(cfg, ng->index, m->pci_ids[p], ng->subsystem);
        if (!e) {
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
        mp_script_rule *r = add_rule(b);
        int *idx = mp_arena_alloc(a, sizeof(int));
        mp_script_choice *c = mp_arena_alloc(a, sizeof(*c));
        if (!r || !idx || !c || model_choice(a, m, li, c))
            return MP_ENOMEM;
        *idx = ng->index;
        r->indices = idx;
        r->n_indices = 1;
        r->choices = c;
        r->n_choices = 1;
        r->strict = true;
        r->origin =
            mp_arena_printf(a,
                            "GPU %d (%s in %s), from config %s, "
                            "entry at line %d",
                            ng->index, m->id, node->path, cfg->name, e->line);
        if (!r->origin)
            return MP_ENOMEM;
    }
    return 0;
}

static int from_entries(builder *b, const mp_db *db, const mp_mp_config *cfg,
                        const mp_model *const *gpus, int n_gpus,
                        mp_buf *skipped, mp_diag *d)
{
    mp_arena *a = &b->s->arena;
    for (int i = 0; i < cfg->n_entries; i++) {
        const mp_mp_entry *e = &cfg->entries[i];
        mp_script_rule *r = add_rule(b);
        if (!r)
            return MP_ENOMEM;
        r->all = e->devices_all;
        if (!e->devices_all) {
            int *idx =
                mp_arena_alloc(a, (size_t)(e->n_devices + 1) * sizeof(int));
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
        int nc = 0;
        char why[600];
        if (e->has_filter) {
            /* one choice per filter: only those GPUs, as mig-parted */
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
                cs[nc] = (mp_script_choice){.devices = dev,
                                            .subsystems = sub,
                                            .n_ids = 1,
                                            .layout = li,
                                            .model_id = m ? m->id : NULL};
                nc++;
            }
            r->strict = false;
        } else if (!e->mig_enabled) {
            int li = entry_layout(b, NULL, e, why, sizeof(why));
            if (li < 0)
                return MP_ENOMEM;
            cs[nc++] = (mp_script_choice){.layout = li};
            r->strict = false;
        } else {
            /* no filter: the --gpu models, or every model realising it */
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
                if (model_choice(a, m, li, &cs[nc]))
                    return MP_ENOMEM;
                nc++;
            }
            if (nc == 0)
                return mp_diag_set(d, MP_EINFEASIBLE, NULL, e->line, e->col,
                                   "no GPU model can hold this entry's "
                                   "layout; give --gpu MODEL or a "
                                   "device-filter");
            r->strict = true;
        }
        if (nc > 64)
            return mp_diag_set(d, MP_EINFEASIBLE, NULL, e->line, e->col,
                               "more than 64 device IDs in one entry; split "
                               "it");
        r->n_choices = nc;
    }
    return 0;
}

int mp_script_from_config(const mp_db *db, const mp_mp_config *cfg,
                          const mp_model *const *gpus, int n_gpus,
                          const mp_node *node, mp_script *out, mp_buf *skipped,
                          mp_diag *d)
{
    memset(out, 0, sizeof(*out));
    out->arena = (mp_arena)MP_ARENA_INIT;
    builder b = {.s = out};
    mp_buf sink = MP_BUF_INIT;
    if (!skipped)
        skipped = &sink;
    int rc = node ? from_node(&b, cfg, node, skipped, d)
                  : from_entries(&b, db, cfg, gpus, n_gpus, skipped, d);
    mp_buf_free(&sink);
    if (rc == MP_ENOMEM)
        return fail_nomem(out, d);
    if (rc) {
        mp_script_free(out);
        return rc;
    }
    out->required = required_list(&out->arena, out, &out->n_required);
    if (!out->required)
        return fail_nomem(out, d);
    return 0;
}
