/* SPDX-License-Identifier: Apache-2.0 */
/* check.c - check mig-parted configs against the profile database and the
 * geometry engine: what mig-parted only finds out on the node. This file
 * checks each entry on the GPU models it meets; check_node.c works out
 * which entries meet which GPUs. */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_internal.h"
#include "migplan/model/profname.h"
#include "migplan/util/buf.h"

mp_finding *mp_ck_add(ck *c, mp_severity sev, const char *code, int line,
                      int col, int entry, const mp_model *m, const char *fmt,
                      ...)
{
    char msg[1100];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    mp_finding *x =
        mp_findings_add(c->f, sev, code, c->file->path, line, col, "%s", msg);
    mp_finding_set_scope(c->f, x, c->cfg ? c->cfg->name : NULL, entry,
                         m ? m->id : NULL);
    return x;
}

/* ------------------------------------------------------------ realising */

int mp_check_realise(const mp_model *m, const mp_mp_entry *e,
                     mp_gpu_layout *out, char *reason, size_t rlen)
{
    if (rlen)
        reason[0] = '\0';
    if (!e->mig_enabled) {
        mp_gpu_layout_init(out, m, false);
        return 0;
    }
    mp_profile_count *v = malloc(((size_t)e->n_devs + 1) * sizeof(*v));
    if (!v) {
        snprintf(reason, rlen, "out of memory");
        return MP_ENOMEM;
    }
    for (int i = 0; i < e->n_devs; i++)
        v[i] = (mp_profile_count){e->devs[i].name,
                                  e->devs[i].count_ok ? e->devs[i].count : 0};
    int rc = mp_gpu_layout_from_counts(m, v, e->n_devs, out, reason, rlen);
    free(v);
    return rc;
}

/* The memo key of entry e: "name=count;..." and its FNV-1a hash. */
static uint64_t memo_key(const mp_mp_entry *e, mp_buf *key)
{
    for (int i = 0; i < e->n_devs; i++)
        mp_buf_printf(key, "%s=%lld;", e->devs[i].name,
                      e->devs[i].count_ok ? e->devs[i].count : -1);
    uint64_t h = 1469598103934665603ULL;
    for (const char *p = mp_buf_str(key); *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    return h;
}

/* Keep a result (best effort: the memo is an optimisation only). */
static void memo_store(ck *c, const mp_model *m, uint64_t h, const char *key,
                       int rc, const char *why, const mp_gpu_layout *l)
{
    if (c->nmemo >= 4096)
        return;
    if (c->nmemo == c->capmemo) {
        int nc = c->capmemo ? c->capmemo * 2 : 64;
        realised *nm = realloc(c->memo, (size_t)nc * sizeof(*nm));
        if (!nm)
            return;
        c->memo = nm;
        c->capmemo = nc;
    }
    char *kd = strdup(key);
    if (!kd)
        return;
    realised *r = &c->memo[c->nmemo++];
    r->m = m;
    r->hash = h;
    r->key = kd;
    r->rc = rc;
    snprintf(r->why, sizeof(r->why), "%s", why);
    r->layout = *l;
}

/* mp_check_realise, remembered per model and mig-devices. */
static int realise_cached(ck *c, const mp_model *m, const mp_mp_entry *e,
                          mp_gpu_layout *out, char *why, size_t n)
{
    mp_buf key = MP_BUF_INIT;
    uint64_t h = memo_key(e, &key);
    const char *k = mp_buf_str(&key);
    for (int i = 0; i < c->nmemo && !key.failed; i++) {
        const realised *r = &c->memo[i];
        if (r->m == m && r->hash == h && strcmp(r->key, k) == 0) {
            mp_buf_free(&key);
            *out = r->layout;
            snprintf(why, n, "%s", r->why);
            return r->rc;
        }
    }
    int rc = mp_check_realise(m, e, out, why, n);
    if (!key.failed && rc != MP_ENOMEM)
        memo_store(c, m, h, k, rc, why, out);
    mp_buf_free(&key);
    return rc;
}

/* ------------------------------------------------------------- entries */

static int model_index(const mp_db *db, const mp_model *m)
{
    for (int i = 0; i < mp_db_count(db); i++)
        if (mp_db_model(db, i) == m)
            return i;
    return -1;
}

/* Each name of e on m, at its own key: known, count within its maximum.
 * Returns whether every name passed. */
static bool check_names(ck *c, const mp_mp_entry *e, int ei, const mp_model *m,
                        bool inferred_model)
{
    mp_severity sev = inferred_model ? MP_SEV_NOTE : MP_SEV_ERROR;
    bool names_ok = true;
    char why[1000];
    for (int i = 0; i < e->n_devs; i++) {
        const mp_mp_device *d = &e->devs[i];
        const mp_gi_profile *gi;
        int ci;
        if (!mp_gpu_layout_resolve_name(m, d->name, &gi, &ci, why,
                                        sizeof(why))) {
            mp_ck_add(c, sev,
                      strstr(why, "compute instance")
                          ? "unknown-compute-instance"
                          : "unknown-profile",
                      d->line, d->col, ei, m, "%s%s", why,
                      inferred_model ? ""
                                     : "; mig-parted would wipe the GPU and "
                                       "still report success");
            names_ok = false;
            continue;
        }
        long long limit = mp_gpu_layout_max_count(gi, ci);
        if (d->count_ok && d->count > limit) {
            mp_ck_add(c, sev, "count-too-large", d->vline, d->vcol, ei, m,
                      "%lld x %s cannot fit one %s: at most %lld fit%s",
                      d->count, d->name, m->id, limit,
                      d->count > 1000000 ? " (did a count overflow?)" : "");
            names_ok = false;
        }
        if (gi->min_driver && d->count > 0)
            mp_ck_add(c, MP_SEV_NOTE, "min-driver", d->line, d->col, ei, m,
                      "%s on %s needs driver %s or newer", gi->name, m->id,
                      gi->min_driver);
    }
    return names_ok;
}

/* Keep the capacity a realised layout strands, for mp_ck_report_strands. */
static void keep_strand(ck *c, const mp_gpu_layout *l)
{
    mp_capacity cap;
    mp_geom_capacity(&l->gis, &cap);
    if (c->nstrands < 64 &&
        (cap.stranded_compute > 0 ||
         (cap.stranded_memory > 0 && cap.largest_addable < 0))) {
        strand *sd = &c->strands[c->nstrands++];
        sd->m = l->gis.model;
        sd->compute = cap.stranded_compute;
        sd->memory = cap.largest_addable < 0 ? cap.stranded_memory : 0;
    }
}

/* Once per model: a note when its layouts rest on inferred data. */
static void note_inferred(ck *c, const mp_gpu_layout *l)
{
    const mp_model *m = l->gis.model;
    int mi = model_index(c->db, m);
    if (mi < 0 || mi >= 64 || c->inferred_noted[mi])
        return;
    for (int i = 0; i < l->gis.n; i++) {
        const mp_gi_profile *p = &m->profiles[l->gis.gi[i].profile];
        const char *t = mp_prov_inferred(&p->prov, "placements");
        if (!t)
            t = mp_prov_inferred(&p->prov, "max-instances");
        if (t) {
            mp_ck_add(c, MP_SEV_NOTE, "inferred-data", 0, 0, -1, m,
                      "%s is checked with inferred data (%s)", m->id, t);
            c->inferred_noted[mi] = true;
            return;
        }
    }
}

void mp_ck_on_model(ck *c, const mp_mp_entry *e, int ei, const mp_model *m,
                    bool inferred_model)
{
    if (!e->mig_enabled || e->n_devs == 0)
        return;
    c->st->checked++;
    if (!check_names(c, e, ei, m, inferred_model))
        return;
    char why[1000];
    mp_gpu_layout l;
    int rc = realise_cached(c, m, e, &l, why, sizeof(why));
    if (rc == MP_ENOMEM) {
        c->f->oom = true;
        return;
    }
    if (rc != 0) {
        mp_ck_add(c, inferred_model ? MP_SEV_NOTE : MP_SEV_ERROR,
                  strstr(why, "compute instances")
                      ? "compute-instances-do-not-fit"
                      : "does-not-fit",
                  e->devs_line, e->devs_col, ei, m, "%s%s", why,
                  inferred_model ? ""
                                 : "; mig-parted would try every creation "
                                   "order on the node and fail");
        return;
    }
    if (!l.driver_order)
        mp_ck_add(c, MP_SEV_WARNING, "no-creation-order", e->devs_line,
                  e->devs_col, ei, m,
                  "this layout fits %s only with explicit placements: with "
                  "the driver picking slots (as mig-parted does) no creation "
                  "order reaches it; create it with `migplan script`",
                  m->id);
    keep_strand(c, &l);
    note_inferred(c, &l);
}

/* Does some model migplan knows have the mig-devices name `name`? */
static bool known_anywhere(const mp_db *db, const char *name)
{
    for (int i = 0; i < mp_db_count(db); i++) {
        const mp_gi_profile *gi;
        int ci;
        char why[600];
        if (mp_gpu_layout_resolve_name(mp_db_model(db, i), name, &gi, &ci, why,
                                       sizeof(why)))
            return true;
    }
    return false;
}

/* Models that hold every profile name of an entry (for unfiltered entries
 * when no --gpu or --node says which GPUs they meet). */
static int infer_models(ck *c, const mp_mp_entry *e, const mp_model **out)
{
    int n = 0;
    for (int i = 0; i < mp_db_count(c->db); i++) {
        const mp_model *m = mp_db_model(c->db, i);
        bool all = true;
        for (int k = 0; k < e->n_devs && all; k++) {
            const mp_gi_profile *gi;
            int ci;
            char why[600];
            if (e->devs[k].count_ok && e->devs[k].count == 0)
                continue;
            all = mp_gpu_layout_resolve_name(m, e->devs[k].name, &gi, &ci, why,
                                             sizeof(why));
        }
        if (all)
            out[n++] = m;
    }
    return n;
}

static int abs_i(int x)
{
    return x < 0 ? -x : x;
}

/* " (closest: 3g.93gb of gb200-186gb)" for a name no model has */
static void nearest_anywhere(const mp_db *db, const char *name, char *out,
                             size_t n)
{
    mp_profname pn, qn;
    char tmp[300];
    if (!mp_profname_parse(name, strlen(name), &pn, tmp, sizeof(tmp)))
        return;
    int best = INT_MAX;
    const mp_model *bm = NULL;
    const mp_gi_profile *bp = NULL;
    for (int i = 0; i < mp_db_count(db); i++) {
        const mp_model *m = mp_db_model(db, i);
        for (int k = 0; k < m->n_profiles; k++) {
            const mp_gi_profile *q = &m->profiles[k];
            if (!mp_profname_parse(q->name, strlen(q->name), &qn, tmp,
                                   sizeof(tmp)) ||
                qn.g != pn.g || qn.sign != pn.sign ||
                strcmp(qn.attrs, pn.attrs) != 0)
                continue;
            int dd = abs_i(qn.gb - pn.gb);
            if (dd < best) {
                best = dd;
                bm = m;
                bp = q;
            }
        }
    }
    if (bp && best <= 4)
        snprintf(out, n, " (closest: %s%s of %s)", pn.c != pn.g ? "Cc." : "",
                 bp->name, bm->id);
}

/* An entry no model holds: which names no known GPU has, or, when each
 * name is known somewhere, that they come from different models. */
static void unknown_everywhere(ck *c, const mp_mp_entry *e, int ei)
{
    bool all_known = true;
    for (int k = 0; k < e->n_devs; k++) {
        const mp_mp_device *d = &e->devs[k];
        if (known_anywhere(c->db, d->name))
            continue;
        all_known = false;
        char hint[200] = "";
        nearest_anywhere(c->db, d->name, hint, sizeof(hint));
        mp_ck_add(c, MP_SEV_WARNING, "not-checked", d->line, d->col, ei, NULL,
                  "no GPU migplan knows has a profile %s%s, so this entry "
                  "could not be checked; give the GPU with --gpu MODEL, "
                  "--node FILE or a device-filter, or add it with --profiles "
                  "DIR",
                  d->name, hint);
    }
    if (all_known)
        mp_ck_add(c, MP_SEV_ERROR, "mixed-models", e->devs_line, e->devs_col,
                  ei, NULL,
                  "no single GPU has all of these profiles: they come from "
                  "different GPU models (see `migplan gpus`); split the entry "
                  "with a device-filter per model");
}

void mp_ck_report_strands(ck *c, const mp_mp_entry *e, int ei)
{
    bool done[64] = {false};
    for (int i = 0; i < c->nstrands; i++) {
        if (done[i])
            continue;
        const strand *a = &c->strands[i];
        char list[600] = "";
        size_t k = 0;
        int n = 0;
        for (int j = i; j < c->nstrands; j++) {
            const strand *b = &c->strands[j];
            if (done[j] || b->compute != a->compute || b->memory != a->memory ||
                b->m->compute_slices != a->m->compute_slices ||
                b->m->units != a->m->units)
                continue;
            done[j] = true;
            mp_catf(list, sizeof(list), &k, "%s%s", n ? ", " : "", b->m->id);
            n++;
        }
        const mp_model *m = n == 1 ? a->m : NULL;
        if (a->compute > 0)
            mp_ck_add(c, MP_SEV_WARNING, "stranded-compute", e->devs_line,
                      e->devs_col, ei, m,
                      "this layout idles %d of %d compute slices on %s: no "
                      "memory is left for them",
                      a->compute, a->m->compute_slices, list);
        else
            mp_ck_add(c, MP_SEV_WARNING, "stranded-memory", e->devs_line,
                      e->devs_col, ei, m,
                      "this layout leaves %d of %d memory slices unusable on "
                      "%s: no profile can be placed there",
                      a->memory, a->m->units, list);
    }
    c->nstrands = 0;
}

/* The models a filtered entry names (at most 64), warning about PCI IDs
 * migplan does not know. */
static int filter_models(ck *c, const mp_mp_entry *e, int ei,
                         const mp_model **models)
{
    int n = 0;
    for (int k = 0; k < e->n_filters; k++) {
        const mp_mp_filter *f = &e->filters[k];
        if (!f->valid || (f->device & 0xFFFFu) != 0x10DEu)
            continue; /* reported by the reader */
        const mp_model *m = mp_db_find_pci(c->db, f->device);
        if (!m && e->mig_enabled && e->n_devs > 0) {
            mp_ck_add(c, MP_SEV_WARNING, "unknown-device", f->line, f->col, ei,
                      NULL,
                      "no GPU migplan knows has PCI device 0x%08X; entries "
                      "for it are not checked (add its profiles with "
                      "--profiles DIR)",
                      f->device);
            continue;
        }
        if (!m)
            continue; /* a non-MIG GPU left disabled: nothing to check */
        bool dup = false;
        for (int i = 0; i < n; i++)
            dup |= models[i] == m;
        if (!dup && n < 64)
            models[n++] = m;
    }
    return n;
}

/* A finding that says an entry failed on a model (not a note about data
 * or drivers). */
static bool is_failure(const mp_finding *x)
{
    return x->sev == MP_SEV_ERROR ||
           (x->sev == MP_SEV_NOTE && strcmp(x->code, "min-driver") != 0 &&
            strcmp(x->code, "inferred-data") != 0);
}

/* Entry e on models guessed from its names: fitting none of them is an
 * error; fitting some keeps the misfits as notes, and says which models
 * were tried. */
static void settle_inferred(ck *c, const mp_mp_entry *e, int ei,
                            const mp_model **models, int n, int ok_models,
                            int before)
{
    if (ok_models == 0) {
        for (int k = before; k < c->f->n; k++)
            if (c->f->v[k].sev == MP_SEV_NOTE && is_failure(&c->f->v[k]))
                c->f->v[k].sev = MP_SEV_ERROR;
        return;
    }
    char list[400] = "";
    size_t k = 0;
    for (int i = 0; i < n && k < sizeof(list); i++)
        mp_catf(list, sizeof(list), &k, "%s%s", i ? ", " : "", models[i]->id);
    mp_ck_add(c, MP_SEV_NOTE, "models-inferred", e->line, e->col, ei, NULL,
              "no device-filter, --gpu or --node: checked against the GPUs "
              "that have these profile names (%s)",
              list);
}

/* Entry e (no node inventory): on the models its filter names, else the
 * --gpu models, else the models that have its names. */
static void check_entry_models(ck *c, const mp_mp_entry *e, int ei)
{
    const mp_model *models[64];
    int n = 0;
    bool inferred = false;
    if (e->has_filter) {
        n = filter_models(c, e, ei, models);
    } else if (c->o->n_gpus > 0) {
        for (int i = 0; i < c->o->n_gpus && n < 64; i++)
            models[n++] = c->o->gpus[i];
    } else if (e->mig_enabled && e->n_devs > 0) {
        n = infer_models(c, e, models);
        inferred = true;
        if (n == 0) {
            unknown_everywhere(c, e, ei);
            return;
        }
    }
    if (!e->mig_enabled || e->n_devs == 0)
        return;
    int ok_models = 0;
    int before = c->f->n;
    for (int i = 0; i < n; i++) {
        int notes_before = c->f->n;
        mp_ck_on_model(c, e, ei, models[i], inferred);
        bool failed = false;
        for (int k = notes_before; k < c->f->n; k++)
            failed |= is_failure(&c->f->v[k]);
        ok_models += !failed;
    }
    mp_ck_report_strands(c, e, ei);
    if (inferred)
        settle_inferred(c, e, ei, models, n, ok_models, before);
}

/* ---------------------------------------------------------------- file */

static void no_such_config(ck *c, const mp_mp_file *file, const char *name)
{
    char list[600] = "";
    size_t k = 0;
    for (int i = 0; i < file->n_configs && k < sizeof(list); i++)
        mp_catf(list, sizeof(list), &k, "%s%s", i ? ", " : "",
                file->configs[i].name);
    mp_ck_add(c, MP_SEV_ERROR, "no-such-config", 0, 0, -1, NULL,
              "no config named '%s' in this file%s%s (mig-parted: selected "
              "mig-config not present: %s)",
              name, file->n_configs ? "; it has " : "", list, name);
}

int mp_check_file(const mp_db *db, const mp_mp_file *file,
                  const mp_check_opts *opts, mp_findings *f,
                  mp_check_stats *stats)
{
    ck c = {.db = db, .file = file, .o = opts, .f = f, .st = stats};
    if (opts->config && !mp_mp_find(file, opts->config)) {
        no_such_config(&c, file, opts->config);
        return MP_ENOTFOUND;
    }
    if (file->parsed && file->n_configs == 0)
        mp_ck_add(&c, MP_SEV_ERROR, "no-configs", 1, 1, -1, NULL,
                  "the file defines no mig-configs: mig-parted parses it, "
                  "but selecting any config fails (selected mig-config not "
                  "present)");
    for (int ci = 0; ci < file->n_configs; ci++) {
        const mp_mp_config *cfg = &file->configs[ci];
        if (opts->config && strcmp(cfg->name, opts->config) != 0)
            continue;
        c.cfg = cfg;
        stats->configs++;
        stats->entries += cfg->n_entries;
        if (opts->node) {
            mp_ck_node(&c, opts->node);
        } else {
            for (int i = 0; i < cfg->n_entries; i++)
                if (cfg->entries[i].ok)
                    check_entry_models(&c, &cfg->entries[i], i);
            mp_ck_overlaps(&c);
        }
        mp_ck_strategy(&c, cfg);
        c.cfg = NULL;
    }
    for (int i = 0; i < c.nmemo; i++)
        free(c.memo[i].key);
    free(c.memo);
    return f->oom ? MP_ENOMEM : 0;
}
