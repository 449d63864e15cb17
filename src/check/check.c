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
#include "migplan/util/suggest.h"

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
    if (mp_grow(&c->memo, &c->capmemo, c->nmemo + 1, sizeof(*c->memo), 64))
        return;
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

/* Would larger profiles in place of l's instances use more compute (or
 * memory)? sd->upgrade names them when so; sd->single marks a layout of
 * one profile, whose stranding is by design. */
static void strand_upgrade(const mp_layout *l, bool by_memory, strand *sd)
{
    const mp_model *m = l->model;
    int count[MP_MAX_PROFILES] = {0}, to[MP_MAX_PROFILES][MP_MAX_PROFILES];
    int used = 0, kinds = 0;
    for (int i = 0; i < l->n; i++) {
        const mp_gi_profile *p = &m->profiles[l->gi[i].profile];
        kinds += count[l->gi[i].profile]++ == 0;
        used += by_memory ? p->memory_slices : p->compute_slices;
    }
    sd->single = kinds == 1;
    sd->upgrade[0] = '\0';
    if (sd->single || mp_geom_upgrade(m, count, by_memory, to) <= used)
        return;
    size_t k = 0;
    for (int q = 0; q < m->n_profiles; q++) {
        int n = 0;
        for (int p = 0; p < m->n_profiles; p++)
            n += to[p][q];
        if (n)
            mp_catf(sd->upgrade, sizeof(sd->upgrade), &k, "%s%d x %s",
                    k ? " + " : "", n, m->profiles[q].name);
    }
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
        strand_upgrade(&l->gis, sd->compute == 0, sd);
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

/* One candidate for "closest": a profile name and the first model that
 * has it. */
typedef struct near_name {
    const char *name;
    const mp_model *m;
    int dist;
} near_name;

/* Keep the 3 nearest distinct names in v (sorted by distance). */
static void keep_near(near_name *v, int *n, const char *name, const mp_model *m,
                      int dist)
{
    for (int i = 0; i < *n; i++)
        if (strcmp(v[i].name, name) == 0)
            return;
    int at = *n < 3 ? (*n)++ : 3;
    while (at > 0 && v[at - 1].dist > dist) {
        if (at < 3)
            v[at] = v[at - 1];
        at--;
    }
    if (at < 3)
        v[at] = (near_name){name, m, dist};
}

/* " (closest: 3g.93gb of gb200-186gb, ...)" for a name no model has: the
 * names of the same size and attributes nearest in memory, else the
 * nearest spellings. */
static void nearest_anywhere(const mp_db *db, const char *name, char *out,
                             size_t n)
{
    mp_profname pn, qn;
    char tmp[300];
    bool parsed = mp_profname_parse(name, strlen(name), &pn, tmp, sizeof(tmp));
    near_name v[3];
    int nv = 0;
    for (int i = 0; i < mp_db_count(db); i++) {
        const mp_model *m = mp_db_model(db, i);
        for (int k = 0; k < m->n_profiles; k++) {
            const mp_gi_profile *q = &m->profiles[k];
            if (!mp_profname_parse(q->name, strlen(q->name), &qn, tmp,
                                   sizeof(tmp)))
                continue;
            bool same = parsed && qn.g == pn.g && qn.sign == pn.sign &&
                        strcmp(qn.attrs, pn.attrs) == 0;
            int d = same ? abs_i(qn.gb - pn.gb)
                         : 1000 + mp_edit_distance(name, q->name);
            if (d < 1000 || mp_edit_distance(name, q->name) <= 2)
                keep_near(v, &nv, q->name, m, d);
        }
    }
    size_t k = 0;
    out[0] = '\0';
    for (int i = 0; i < nv; i++)
        mp_catf(out, n, &k, "%s%s%s of %s", i ? ", " : " (closest: ",
                parsed && pn.c != pn.g && v[i].dist < 1000 ? "Cc." : "",
                v[i].name, v[i].m->id);
    if (nv)
        mp_catf(out, n, &k, ")");
}

/* Names NVIDIA's own config-default.yaml (mig-parted bd7160f, also the GPU
 * Operator's default ConfigMap) ships for GPUs migplan has no table of
 * (3g.95gb is a pre-production GB200 name, mig-facts.md 3.11): not a typo
 * of the user's, so unchecked rather than wrong. */
static bool shipped_unknown(const char *name)
{
    static const char *const names[] = {"3g.95gb", "4g.95gb", "7g.189gb"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(names[i], name) == 0)
            return true;
    return false;
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
        char hint[300] = "";
        nearest_anywhere(c->db, d->name, hint, sizeof(hint));
        if (shipped_unknown(d->name))
            mp_ck_add(c, MP_SEV_NOTE, "not-checked", d->line, d->col, ei, NULL,
                      "no GPU migplan knows has a profile %s%s (NVIDIA's "
                      "default config ships it), so this entry could not be "
                      "checked; give the GPU with --gpu MODEL, --node FILE or "
                      "a device-filter, or add it with --profiles DIR",
                      d->name, hint);
        else
            mp_ck_add(c, MP_SEV_ERROR, "unknown-profile", d->line, d->col, ei,
                      NULL,
                      "no GPU migplan knows has a profile %s%s: on every GPU "
                      "mig-parted would wipe the MIG devices and still report "
                      "success; fix the name, or, for a GPU migplan does not "
                      "know, give its profiles with --profiles DIR",
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
                b->m->units != a->m->units || b->single != a->single ||
                strcmp(b->upgrade, a->upgrade) != 0)
                continue;
            done[j] = true;
            mp_catf(list, sizeof(list), &k, "%s%s", n ? ", " : "", b->m->id);
            n++;
        }
        const mp_model *m = n == 1 ? a->m : NULL;
        bool upgrade = a->upgrade[0] && !c->o->gpu_operator;
        mp_severity sev = upgrade ? MP_SEV_WARNING : MP_SEV_NOTE;
        char why[400];
        if (upgrade)
            snprintf(why, sizeof(why), "; larger profiles would use them: %s",
                     a->upgrade);
        else if (a->upgrade[0])
            snprintf(why, sizeof(why),
                     "; larger profiles would use them (%s), but under the "
                     "GPU Operator each is another resource name, which pods "
                     "requesting these would not get",
                     a->upgrade);
        else
            snprintf(why, sizeof(why), "%s",
                     a->single ? " (by design: a single-profile layout)"
                               : "; unavoidable: no larger profiles in "
                                 "place of these fit and use them");
        if (a->compute > 0)
            mp_ck_add(c, sev, "stranded-compute", e->devs_line, e->devs_col, ei,
                      m,
                      "this layout idles %d of %d compute slices on %s: no "
                      "memory is left for them%s",
                      a->compute, a->m->compute_slices, list, why);
        else
            mp_ck_add(c, sev, "stranded-memory", e->devs_line, e->devs_col, ei,
                      m,
                      "this layout leaves %d of %d memory slices unusable on "
                      "%s: no profile can be placed there%s",
                      a->memory, a->m->units, list, why);
    }
    c->nstrands = 0;
}

/* The models a filtered entry names (at most 64), warning about PCI IDs
 * migplan does not know; devs[i] is the one PCI ID naming models[i], 0
 * when several do. */
static int filter_models(ck *c, const mp_mp_entry *e, int ei,
                         const mp_model **models, uint32_t *devs)
{
    int n = 0;
    for (int k = 0; k < e->n_filters; k++) {
        const mp_mp_filter *f = &e->filters[k];
        if (!f->valid || (f->device & 0xFFFFu) != 0x10DEu)
            continue; /* reported by the reader */
        const mp_model *m = mp_db_find_pci(c->db, f->device);
        const mp_excluded_device *x =
            m ? NULL : mp_db_excluded_pci(c->db, f->device, NULL);
        if (x && e->mig_enabled && e->n_devs > 0) {
            /* known and deliberately without a table: nothing to fix in the
             * config, so a note */
            mp_ck_add(c, MP_SEV_NOTE, "unknown-device", f->line, f->col, ei,
                      NULL,
                      "PCI device 0x%08X (%s) has no profile table in "
                      "migplan: %s; entries for it are not checked",
                      f->device, x->name, x->reason);
            continue;
        }
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
        int at = -1;
        for (int i = 0; i < n; i++)
            at = models[i] == m ? i : at;
        if (at >= 0 && devs[at] != f->device)
            devs[at] = 0; /* several boards of m: name the model */
        if (at < 0 && n < 64) {
            devs[n] = f->device;
            models[n++] = m;
        }
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

bool mp_check_glob(const char *pattern, const char *name)
{
    for (; *pattern; pattern++, name++) {
        if (*pattern == '*') {
            for (const char *t = name;; t++) {
                if (mp_check_glob(pattern + 1, t))
                    return true;
                if (!*t)
                    return false;
            }
        }
        if (!*name || (*pattern != '?' && *pattern != *name))
            return false;
    }
    return !*name;
}

/* The models of every --config-gpu pattern the current config matches. */
static int pool_models(const ck *c, const mp_model **models)
{
    int n = 0;
    for (int i = 0; i < c->o->n_config_gpus && n < 64; i++) {
        const mp_config_gpu *p = &c->o->config_gpus[i];
        bool dup = false;
        for (int k = 0; k < n; k++)
            dup |= models[k] == p->model;
        if (!dup && mp_check_glob(p->pattern, c->cfg->name))
            models[n++] = p->model;
    }
    return n;
}

/* Entry e (no node inventory): on the models its filter names, else the
 * --config-gpu models of its config's pool, else the --gpu models, else
 * the models that have its names. */
static void check_entry_models(ck *c, const mp_mp_entry *e, int ei)
{
    const mp_model *models[64];
    uint32_t devs[64] = {0};
    int n = 0;
    bool inferred = false;
    if (e->has_filter) {
        n = filter_models(c, e, ei, models, devs);
    } else if ((n = pool_models(c, models)) > 0) {
        /* the node pools this config serves (--config-gpu) */
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
        mp_ck_name_board(c, notes_before, models[i], devs[i]);
        bool failed = false;
        for (int k = notes_before; k < c->f->n; k++)
            failed |= is_failure(&c->f->v[k]);
        ok_models += !failed;
    }
    mp_ck_report_strands(c, e, ei);
    if (inferred)
        settle_inferred(c, e, ei, models, n, ok_models, before);
}

void mp_ck_name_board(ck *c, int from, const mp_model *m, uint32_t id)
{
    const char *product = id ? mp_model_product(m, id) : m->name;
    if (strcmp(product, m->name) == 0)
        return;
    char was[200];
    snprintf(was, sizeof(was), " (%s)", m->name);
    for (int i = from; i < c->f->n; i++) {
        mp_finding *x = &c->f->v[i];
        const char *at = strstr(x->message, was);
        if (!at)
            continue;
        char *msg =
            mp_arena_printf(&c->f->arena, "%.*s (%s)%s", (int)(at - x->message),
                            x->message, product, at + strlen(was));
        if (!msg)
            c->f->oom = true;
        else
            x->message = msg;
    }
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

/* x's message with its model id (first occurrence) marked \x01 and the
 * model's product name in parentheses, if any, cut out, into key; false
 * when it does not name its model. */
static bool model_key(const ck *c, const mp_finding *x, char *key, size_t n)
{
    const char *at = x->model ? strstr(x->message, x->model) : NULL;
    if (!at)
        return false;
    const char *rest = at + strlen(x->model);
    const mp_model *m;
    mp_diag d;
    char paren[200] = "";
    if (mp_db_find(c->db, x->model, &m, &d) == 0)
        snprintf(paren, sizeof(paren), " (%s)", m->name);
    if (paren[0] && strncmp(rest, paren, strlen(paren)) == 0)
        rest += strlen(paren);
    snprintf(key, n, "%.*s\x01%s", (int)(at - x->message), x->message, rest);
    return true;
}

/* Findings from index `from` on that say the same of several models (an
 * entry whose filter names four boards gets four identical
 * count-too-large errors) become one naming every model. */
static void merge_models(ck *c, int from)
{
    mp_findings *f = c->f;
    char ki[1300], kj[1300];
    int k = from;
    for (int i = from; i < f->n; i++) {
        mp_finding *x = &f->v[i];
        if (!x->code)
            continue; /* merged into an earlier one */
        if (model_key(c, x, ki, sizeof(ki))) {
            mp_buf models = MP_BUF_INIT;
            mp_buf_puts(&models, x->model);
            int nm = 1, last = -1;
            for (int j = i + 1; j < f->n; j++) {
                mp_finding *y = &f->v[j];
                if (!y->code || y->sev != x->sev || y->line != x->line ||
                    y->col != x->col || strcmp(y->code, x->code) != 0 ||
                    !model_key(c, y, kj, sizeof(kj)) || strcmp(ki, kj) != 0)
                    continue;
                if (last >= 0)
                    mp_buf_printf(&models, ", %s", f->v[last].model);
                last = j;
                nm++;
            }
            if (last >= 0) {
                mp_buf_printf(&models, "%s%s", nm > 2 ? ", or " : " or ",
                              f->v[last].model);
                const char *cut = strchr(ki, '\x01');
                char *msg =
                    mp_arena_printf(&f->arena, "%.*s%s%s", (int)(cut - ki), ki,
                                    mp_buf_str(&models), cut + 1);
                if (!msg || models.failed)
                    f->oom = true;
                else
                    x->message = msg;
                x->model = NULL;
                for (int j = i + 1; j < f->n; j++)
                    if (f->v[j].code &&
                        model_key(c, &f->v[j], kj, sizeof(kj)) &&
                        strcmp(ki, kj) == 0 && f->v[j].sev == x->sev &&
                        f->v[j].line == x->line && f->v[j].col == x->col &&
                        strcmp(f->v[j].code, x->code) == 0)
                        f->v[j].code = NULL;
            }
            mp_buf_free(&models);
        }
        f->v[k++] = *x;
    }
    f->n = k;
}

/* A file mig-parted rejects fails as a whole: say so first, above the
 * findings that say why. */
static void headline(ck *c, const mp_mp_file *file)
{
    bool disabled = mp_mp_find(file, "all-disabled") != NULL;
    mp_ck_add(c, MP_SEV_ERROR, "file-rejected", 0, 0, -1, NULL,
              "mig-parted rejects this whole file, so no config in it can be "
              "applied%s: MIG Manager fails on every node that uses it (the "
              "errors below say why%s%s)",
              disabled ? ", not even all-disabled" : "",
              file->migparted_error[0] ? "; mig-parted: " : "",
              file->migparted_error);
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
    if (!file->parsed && !file->over_limit)
        headline(&c, file);
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
        int from = f->n;
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
        merge_models(&c, from);
        c.cfg = NULL;
    }
    for (int i = 0; i < c.nmemo; i++)
        free(c.memo[i].key);
    free(c.memo);
    return f->oom ? MP_ENOMEM : 0;
}
