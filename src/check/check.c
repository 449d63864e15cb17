/* check.c - check mig-parted configs against the profile database and the
 * geometry engine: what mig-parted only finds out on the node. */
#include "migplan/check/check.h"
#include "migplan/util/buf.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migplan/model/profname.h"

/* ------------------------------------------------------ name resolution */

static int abs_i(int x)
{
    return x < 0 ? -x : x;
}

bool mp_check_resolve_name(const mp_model *m, const char *name,
                           const mp_gi_profile **gi, int *ci, char *why,
                           size_t whylen)
{
    mp_profname pn;
    char tmp[300];
    *gi = NULL;
    *ci = -1;
    if (!mp_profname_parse(name, strlen(name), &pn, tmp, sizeof(tmp))) {
        snprintf(why, whylen, "'%s' is not a profile name: %s", name, tmp);
        return false;
    }
    char gname[96];
    mp_profname_gi(&pn, gname, sizeof(gname));
    const mp_gi_profile *p = mp_model_profile(m, gname);
    if (!p) {
        /* the most likely meant: same slices and suffix, nearest memory */
        const mp_gi_profile *best = NULL;
        char list[400] = "";
        size_t k = 0;
        int nsame = 0;
        for (int i = 0; i < m->n_profiles; i++) {
            const mp_gi_profile *q = &m->profiles[i];
            if (q->compute_slices != pn.g)
                continue;
            mp_catf(list, sizeof(list), &k, "%s%s", nsame ? ", " : "", q->name);
            nsame++;
            mp_profname qn;
            mp_profname_parse(q->name, strlen(q->name), &qn, tmp, sizeof(tmp));
            bool same_suffix =
                qn.sign == pn.sign && strcmp(qn.attrs, pn.attrs) == 0;
            if (!same_suffix)
                continue;
            if (!best) {
                best = q;
                continue;
            }
            mp_profname bn;
            mp_profname_parse(best->name, strlen(best->name), &bn, tmp,
                              sizeof(tmp));
            if (abs_i(qn.gb - pn.gb) < abs_i(bn.gb - pn.gb))
                best = q;
        }
        char mean[160] = "";
        if (best) {
            if (pn.c != pn.g)
                snprintf(mean, sizeof(mean), "; did you mean %dc.%s?", pn.c,
                         best->name);
            else
                snprintf(mean, sizeof(mean), "; did you mean %s?", best->name);
        }
        if (nsame)
            snprintf(why, whylen,
                     "%s is not a profile of %s (%s)%s Its %d-slice profiles "
                     "are %s",
                     name, m->id, m->name, best ? mean : ";", pn.g, list);
        else {
            k = 0;
            for (int i = 0; i < m->n_profiles && k < sizeof(list); i++)
                mp_catf(list, sizeof(list), &k, "%s%s", i ? ", " : "",
                        m->profiles[i].name);
            snprintf(why, whylen,
                     "%s is not a profile of %s (%s), which has no %d-slice "
                     "GPU instances; its profiles are %s",
                     name, m->id, m->name, pn.g, list);
        }
        return false;
    }
    *gi = p;
    if (pn.c == pn.g)
        return true;
    if (pn.c > pn.g) {
        snprintf(why, whylen,
                 "%s: a compute instance cannot have more compute slices (%d) "
                 "than its GPU instance (%d)",
                 name, pn.c, pn.g);
        return false;
    }
    for (int i = 0; i < p->n_cis; i++)
        if (p->cis[i].compute_slices == pn.c) {
            *ci = i;
            return true;
        }
    char list[300] = "";
    size_t k = 0;
    for (int i = 0; i < p->n_cis; i++)
        mp_catf(list, sizeof(list), &k, "%s%s",
                i == 0 ? "" : (i == p->n_cis - 1 ? " and " : ", "),
                p->cis[i].name);
    snprintf(why, whylen,
             "%s is not a compute instance of %s on %s; a %s GPU instance "
             "offers %s",
             name, p->name, m->id, p->name, list);
    return false;
}

/* ---------------------------------------------------------- realising */

int mp_check_realise(const mp_model *m, const mp_mp_entry *e, mp_gpu_plan *out,
                     char *reason, size_t rlen)
{
    if (rlen)
        reason[0] = '\0';
    memset(out, 0, sizeof(*out));
    out->model = m;
    out->layout.model = m;
    out->mig_enabled = e->mig_enabled;
    if (!e->mig_enabled)
        return 0;
    int full[MP_MAX_PROFILES] = {0};
    int cis[MP_MAX_PROFILES][MP_MAX_CI];
    memset(cis, 0, sizeof(cis));
    for (int i = 0; i < e->n_devs; i++) {
        const mp_mp_device *d = &e->devs[i];
        if (!d->count_ok || d->count == 0)
            continue;
        const mp_gi_profile *gi;
        int ci;
        if (!mp_check_resolve_name(m, d->name, &gi, &ci, reason, rlen))
            return MP_EINFEASIBLE;
        int p = mp_profile_index(m, gi);
        long long limit =
            ci < 0 ? gi->max_instances
                   : (long long)gi->max_instances * gi->cis[ci].max_per_gi;
        if (d->count > limit) {
            snprintf(reason, rlen,
                     "%lld x %s cannot fit one %s: at most %lld fit", d->count,
                     d->name, m->id, limit);
            return MP_EINFEASIBLE;
        }
        if (ci < 0)
            full[p] += (int)d->count;
        else
            cis[p][ci] += (int)d->count;
    }
    int gis[MP_MAX_PROFILES];
    int bins[MP_MAX_PROFILES][MP_MAX_GIS][MP_MAX_CI];
    int nbins[MP_MAX_PROFILES];
    for (int p = 0; p < m->n_profiles; p++) {
        const mp_gi_profile *gi = &m->profiles[p];
        bool any = false;
        for (int k = 0; k < gi->n_cis; k++)
            any |= cis[p][k] > 0;
        nbins[p] = 0;
        if (any) {
            nbins[p] = mp_geom_ci_pack(gi, cis[p], bins[p], MP_MAX_GIS);
            if (nbins[p] > gi->max_instances - full[p] && nbins[p] >= 0) {
                snprintf(reason, rlen,
                         "the compute instances of %s need %d %s GPU "
                         "instance%s%s, and one %s holds at most %d",
                         gi->name, nbins[p], gi->name, nbins[p] > 1 ? "s" : "",
                         full[p] ? " besides the whole ones" : "", m->id,
                         gi->max_instances);
                return MP_EINFEASIBLE;
            }
            if (nbins[p] < 0) {
                snprintf(reason, rlen,
                         "the compute instances of %s do not fit in the %d "
                         "%s GPU instance%s one %s can hold",
                         gi->name, gi->max_instances, gi->name,
                         gi->max_instances > 1 ? "s" : "", m->id);
                return MP_EINFEASIBLE;
            }
        }
        gis[p] = full[p] + nbins[p];
    }
    mp_layout witness;
    mp_fit_result res;
    if (mp_geom_fit_counts_best(m, gis, &witness, &res) != 0) {
        snprintf(reason, rlen, "does not fit one %s: %s", m->id, res.reason);
        return MP_EINFEASIBLE;
    }
    mp_geom_sort_largest_first(&witness);
    int order[MP_MAX_GIS];
    bool exact;
    mp_layout driver;
    if (mp_geom_creation_order(&witness, order, &exact, &driver) == 0) {
        /* the driver's own result is a valid placement it reproduces */
        out->layout = driver;
        out->driver_order = true;
        out->driver_exact = true;
    } else {
        out->layout = witness;
    }
    /* hand out default CIs first, then the packed CI bins, per profile */
    int used_full[MP_MAX_PROFILES] = {0}, used_bin[MP_MAX_PROFILES] = {0};
    for (int i = 0; i < out->layout.n; i++) {
        int p = out->layout.gi[i].profile;
        if (used_full[p] < full[p]) {
            used_full[p]++;
            out->ci_explicit[i] = false;
        } else {
            out->ci_explicit[i] = true;
            memcpy(out->ci_count[i], bins[p][used_bin[p]++],
                   sizeof(out->ci_count[i]));
        }
    }
    return 0;
}

/* ---------------------------------------------------------- checking */

/* stranded capacity of one entry across models, reported once per entry */
typedef struct strand {
    const mp_model *m;
    int compute, memory;
} strand;

/* Realised layouts by model and mig-devices: big configs repeat a few
 * layouts thousands of times. */
typedef struct realised {
    const mp_model *m;
    uint64_t hash;
    char *key; /* "name=count;..." */
    int rc;
    char why[1000];
    mp_gpu_plan plan;
} realised;

typedef struct ck {
    realised *memo;
    int nmemo, capmemo;
    strand strands[64];
    int nstrands;
    const mp_db *db;
    const mp_mp_file *file;
    const mp_check_opts *o;
    mp_findings *f;
    mp_check_stats *st;
    const mp_mp_config *cfg;
    bool inferred_noted[64];
} ck;

static mp_finding *add(ck *c, mp_severity sev, const char *code, int line,
                       int col, int entry, const mp_model *m, const char *fmt,
                       ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 8, 9)))
#endif
    ;

static mp_finding *add(ck *c, mp_severity sev, const char *code, int line,
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

static int model_index(const mp_db *db, const mp_model *m)
{
    for (int i = 0; i < mp_db_count(db); i++)
        if (mp_db_model(db, i) == m)
            return i;
    return -1;
}

/* Does an entry's filter match model m (any of its PCI IDs)? */
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

static int realise_cached(ck *c, const mp_model *m, const mp_mp_entry *e,
                          mp_gpu_plan *out, char *why, size_t n)
{
    mp_buf key = MP_BUF_INIT;
    for (int i = 0; i < e->n_devs; i++)
        mp_buf_printf(&key, "%s=%lld;", e->devs[i].name,
                      e->devs[i].count_ok ? e->devs[i].count : -1);
    const char *k = mp_buf_str(&key);
    uint64_t h = 1469598103934665603ULL;
    for (const char *p = k; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    for (int i = 0; i < c->nmemo && !key.failed; i++) {
        const realised *r = &c->memo[i];
        if (r->m == m && r->hash == h && strcmp(r->key, k) == 0) {
            mp_buf_free(&key);
            *out = r->plan;
            snprintf(why, n, "%s", r->why);
            return r->rc;
        }
    }
    why[0] = '\0';
    int rc = mp_check_realise(m, e, out, why, n);
    if (!key.failed && c->nmemo < 4096) {
        if (c->nmemo == c->capmemo) {
            int nc = c->capmemo ? c->capmemo * 2 : 64;
            realised *nm = realloc(c->memo, (size_t)nc * sizeof(*nm));
            if (nm) {
                c->memo = nm;
                c->capmemo = nc;
            }
        }
        char *kd = c->nmemo < c->capmemo ? strdup(k) : NULL;
        if (kd) {
            realised *r = &c->memo[c->nmemo++];
            r->m = m;
            r->hash = h;
            r->key = kd;
            r->rc = rc;
            snprintf(r->why, sizeof(r->why), "%s", why);
            r->plan = *out;
        }
    }
    mp_buf_free(&key);
    return rc;
}

/* Check one entry on one model: names, counts, CIs, geometry, stranded
 * capacity and whether mig-parted's placement-less creation can work. */
static void check_on_model(ck *c, const mp_mp_entry *e, int ei,
                           const mp_model *m, bool inferred_model)
{
    if (!e->mig_enabled || e->n_devs == 0)
        return;
    c->st->checked++;
    char why[1000];
    /* names first, each at its own key */
    bool names_ok = true;
    for (int i = 0; i < e->n_devs; i++) {
        const mp_mp_device *d = &e->devs[i];
        const mp_gi_profile *gi;
        int ci;
        if (!mp_check_resolve_name(m, d->name, &gi, &ci, why, sizeof(why))) {
            add(c, inferred_model ? MP_SEV_NOTE : MP_SEV_ERROR,
                strstr(why, "compute instance") ? "unknown-compute-instance"
                                                : "unknown-profile",
                d->line, d->col, ei, m, "%s%s", why,
                inferred_model ? ""
                               : "; mig-parted would wipe the GPU and "
                                 "still report success");
            names_ok = false;
            continue;
        }
        long long limit =
            ci < 0 ? gi->max_instances
                   : (long long)gi->max_instances * gi->cis[ci].max_per_gi;
        if (d->count_ok && d->count > limit) {
            add(c, inferred_model ? MP_SEV_NOTE : MP_SEV_ERROR,
                "count-too-large", d->vline, d->vcol, ei, m,
                "%lld x %s cannot fit one %s: at most %lld fit%s", d->count,
                d->name, m->id, limit,
                d->count > 1000000 ? " (did a count overflow?)" : "");
            names_ok = false;
        }
        if (gi->min_driver && d->count > 0)
            add(c, MP_SEV_NOTE, "min-driver", d->line, d->col, ei, m,
                "%s on %s needs driver %s or newer", gi->name, m->id,
                gi->min_driver);
    }
    if (!names_ok)
        return;
    mp_gpu_plan plan;
    if (realise_cached(c, m, e, &plan, why, sizeof(why)) != 0) {
        add(c, inferred_model ? MP_SEV_NOTE : MP_SEV_ERROR,
            strstr(why, "compute instances") ? "compute-instances-do-not-fit"
                                             : "does-not-fit",
            e->devs_line, e->devs_col, ei, m, "%s%s", why,
            inferred_model ? ""
                           : "; mig-parted would try every creation "
                             "order on the node and fail");
        return;
    }
    if (!plan.driver_order)
        add(c, MP_SEV_WARNING, "no-creation-order", e->devs_line, e->devs_col,
            ei, m,
            "this layout fits %s only with explicit placements: with the "
            "driver picking slots (as mig-parted does) no creation order "
            "reaches it; create it with `migplan script`",
            m->id);
    mp_capacity cap;
    mp_geom_capacity(&plan.layout, &cap);
    if (c->nstrands < 64 &&
        (cap.stranded_compute > 0 ||
         (cap.stranded_memory > 0 && cap.largest_addable < 0))) {
        strand *sd = &c->strands[c->nstrands++];
        sd->m = m;
        sd->compute = cap.stranded_compute;
        sd->memory = cap.largest_addable < 0 ? cap.stranded_memory : 0;
    }
    int mi = model_index(c->db, m);
    if (mi >= 0 && mi < 64 && !c->inferred_noted[mi]) {
        for (int i = 0; i < plan.layout.n; i++) {
            const mp_gi_profile *p = &m->profiles[plan.layout.gi[i].profile];
            const char *t = mp_prov_inferred(&p->prov, "placements");
            if (!t)
                t = mp_prov_inferred(&p->prov, "max-instances");
            if (t) {
                add(c, MP_SEV_NOTE, "inferred-data", 0, 0, -1, m,
                    "%s is checked with inferred data (%s)", m->id, t);
                c->inferred_noted[mi] = true;
                break;
            }
        }
    }
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
            all = mp_check_resolve_name(m, e->devs[k].name, &gi, &ci, why,
                                        sizeof(why));
        }
        if (all)
            out[n++] = m;
    }
    return n;
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

static void unknown_everywhere(ck *c, const mp_mp_entry *e, int ei)
{
    /* which names no known GPU has, and which GPUs have the others */
    for (int k = 0; k < e->n_devs; k++) {
        const mp_mp_device *d = &e->devs[k];
        bool somewhere = false;
        for (int i = 0; i < mp_db_count(c->db) && !somewhere; i++) {
            const mp_gi_profile *gi;
            int ci;
            char why[600];
            somewhere = mp_check_resolve_name(mp_db_model(c->db, i), d->name,
                                              &gi, &ci, why, sizeof(why));
        }
        if (!somewhere) {
            char hint[200] = "";
            nearest_anywhere(c->db, d->name, hint, sizeof(hint));
            add(c, MP_SEV_WARNING, "not-checked", d->line, d->col, ei, NULL,
                "no GPU migplan knows has a profile %s%s, so this entry could "
                "not be checked; give the GPU with --gpu MODEL, --node FILE "
                "or a device-filter, or add it with --profiles DIR",
                d->name, hint);
        }
    }
    bool all_known = true;
    for (int k = 0; k < e->n_devs && all_known; k++) {
        bool somewhere = false;
        for (int i = 0; i < mp_db_count(c->db) && !somewhere; i++) {
            const mp_gi_profile *gi;
            int ci;
            char why[600];
            somewhere =
                mp_check_resolve_name(mp_db_model(c->db, i), e->devs[k].name,
                                      &gi, &ci, why, sizeof(why));
        }
        all_known = somewhere;
    }
    if (all_known)
        add(c, MP_SEV_ERROR, "mixed-models", e->devs_line, e->devs_col, ei,
            NULL,
            "no single GPU has all of these profiles: they come from "
            "different GPU models (see `migplan gpus`); split the entry with "
            "a device-filter per model");
}

/* One warning per distinct stranded amount, naming every model. */
static void report_strands(ck *c, const mp_mp_entry *e, int ei)
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
            add(c, MP_SEV_WARNING, "stranded-compute", e->devs_line,
                e->devs_col, ei, m,
                "this layout idles %d of %d compute slices on %s: no memory "
                "is left for them",
                a->compute, a->m->compute_slices, list);
        else
            add(c, MP_SEV_WARNING, "stranded-memory", e->devs_line, e->devs_col,
                ei, m,
                "this layout leaves %d of %d memory slices unusable on %s: no "
                "profile can be placed there",
                a->memory, a->m->units, list);
    }
    c->nstrands = 0;
}

static void check_entry_models(ck *c, const mp_mp_entry *e, int ei)
{
    const mp_model *models[64];
    int n = 0;
    bool inferred = false;
    if (e->has_filter) {
        for (int k = 0; k < e->n_filters; k++) {
            const mp_mp_filter *f = &e->filters[k];
            if (!f->valid || (f->device & 0xFFFFu) != 0x10DEu)
                continue; /* reported by the reader */
            const mp_model *m = mp_db_find_pci(c->db, f->device);
            if (!m && e->mig_enabled && e->n_devs > 0) {
                add(c, MP_SEV_WARNING, "unknown-device", f->line, f->col, ei,
                    NULL,
                    "no GPU migplan knows has PCI device 0x%08X; entries for "
                    "it are not checked (add its profiles with --profiles "
                    "DIR)",
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
        check_on_model(c, e, ei, models[i], inferred);
        bool failed = false;
        for (int k = notes_before; k < c->f->n; k++)
            failed |= c->f->v[k].sev == MP_SEV_ERROR ||
                      (c->f->v[k].sev == MP_SEV_NOTE &&
                       strcmp(c->f->v[k].code, "min-driver") != 0 &&
                       strcmp(c->f->v[k].code, "inferred-data") != 0);
        ok_models += !failed;
    }
    report_strands(c, e, ei);
    if (inferred && ok_models == 0) {
        /* fits none of the GPUs that have its names: promote to an error */
        for (int k = before; k < c->f->n; k++)
            if (c->f->v[k].sev == MP_SEV_NOTE &&
                strcmp(c->f->v[k].code, "min-driver") != 0 &&
                strcmp(c->f->v[k].code, "inferred-data") != 0)
                c->f->v[k].sev = MP_SEV_ERROR;
    } else if (inferred) {
        /* fits some: keep the misfits as notes, but drop their mig-parted
         * consequence wording, which only holds on those GPUs */
        char list[400] = "";
        size_t k = 0;
        for (int i = 0; i < n && k < sizeof(list); i++)
            mp_catf(list, sizeof(list), &k, "%s%s", i ? ", " : "",
                    models[i]->id);
        add(c, MP_SEV_NOTE, "models-inferred", e->line, e->col, ei, NULL,
            "no device-filter, --gpu or --node: checked against the GPUs "
            "that have these profile names (%s)",
            list);
    }
}

/* Entries that can meet the same GPU: mig-parted applies each in turn and
 * the last wins. Swept per PCI device ID (a GPU has exactly one), so a
 * 10,000-entry config stays linear. */
static bool applies_to_device(const mp_mp_entry *e, uint32_t dev)
{
    if (!e->has_filter)
        return true;
    for (int k = 0; k < e->n_filters; k++)
        if (e->filters[k].valid && e->filters[k].device == dev)
            return true;
    return false;
}

static void check_overlaps(ck *c)
{
    const mp_mp_config *cfg = c->cfg;
    /* the devices that behave differently: each one a filter names, and
     * (0, matching no filter) every other GPU, which only unfiltered
     * entries select */
    uint32_t targets[256];
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
    bool *reported = calloc((size_t)cfg->n_entries + 1, sizeof(bool));
    int *owner = malloc(MP_NODE_MAX_GPUS * sizeof(int));
    if (!reported || !owner) {
        c->f->oom = true;
        free(reported);
        free(owner);
        return;
    }
    for (int g = 0; g < MP_NODE_MAX_GPUS; g++)
        owner[g] = -1;
    int *touched = malloc(MP_NODE_MAX_GPUS * sizeof(int)), ntouched = 0;
    if (!touched) {
        c->f->oom = true;
        free(reported);
        free(owner);
        return;
    }
    for (int t = 0; t < nt; t++) {
        int all_owner = -1, any_owner = -1;
        for (int k = 0; k < ntouched; k++)
            owner[touched[k]] = -1;
        ntouched = 0;
        for (int i = 0; i < cfg->n_entries; i++) {
            const mp_mp_entry *e = &cfg->entries[i];
            if (!e->ok || !applies_to_device(e, targets[t]))
                continue;
            int other = -1;
            if (e->devices_all) {
                other = all_owner >= 0 ? all_owner : any_owner;
                if (all_owner < 0)
                    all_owner = i;
            } else {
                for (int k = 0; k < e->n_devices; k++) {
                    long long d = e->devices[k];
                    if (d < 0 || d >= MP_NODE_MAX_GPUS)
                        continue;
                    int o = all_owner >= 0 ? all_owner : owner[d];
                    if (o >= 0 && other < 0)
                        other = o;
                    if (owner[d] < 0) {
                        owner[d] = i;
                        touched[ntouched++] = (int)d;
                        if (any_owner < 0)
                            any_owner = i;
                    }
                }
            }
            if (other >= 0 && other != i && !reported[i]) {
                reported[i] = true;
                const mp_model *m =
                    targets[t] ? mp_db_find_pci(c->db, targets[t]) : NULL;
                char which[64];
                if (targets[t])
                    snprintf(which, sizeof(which), " (0x%08X%s%s)", targets[t],
                             m ? ", " : "", m ? m->id : "");
                else
                    which[0] = '\0';
                add(c, MP_SEV_WARNING, "multiple-entries", e->line, e->col, i,
                    m,
                    "entries %d and %d of '%s' can both apply to the same "
                    "GPU%s; mig-parted applies each in turn and the last one "
                    "wins",
                    other + 1, i + 1, cfg->name, which);
            }
        }
    }
    free(reported);
    free(owner);
    free(touched);
}

static void check_node(ck *c, const mp_node *node)
{
    const mp_mp_config *cfg = c->cfg;
    int maxe = cfg->n_entries;
    bool *entry_used = calloc((size_t)maxe + 1, sizeof(bool));
    int *matched = malloc(((size_t)maxe + 1) * sizeof(int));
    if (!entry_used || !matched) {
        c->f->oom = true;
        free(entry_used);
        free(matched);
        return;
    }
    for (int g = 0; g < node->n; g++) {
        const mp_node_gpu *gpu = &node->gpus[g];
        int nm = 0;
        for (int i = 0; i < maxe; i++) {
            const mp_mp_entry *e = &cfg->entries[i];
            bool needs_sub;
            if (!mp_mp_selects(e, gpu->index) ||
                !filter_matches_model(e, gpu->model, gpu->subsystem,
                                      &needs_sub))
                continue;
            if (needs_sub)
                add(c, MP_SEV_NOTE, "subsystem-unknown", e->filter_line,
                    e->filter_col, i, gpu->model,
                    "this filter names a board subsystem; give `subsystem:` "
                    "for GPU %d in %s to check it (assumed to match)",
                    gpu->index, node->path);
            matched[nm++] = i;
            entry_used[i] = true;
        }
        if (nm == 0) {
            add(c, MP_SEV_WARNING, "uncovered-gpu", cfg->line, cfg->col, -1,
                gpu->model,
                "GPU %d (%s) of %s is matched by no entry of '%s': mig-parted "
                "apply leaves it unchanged and a full `assert` fails",
                gpu->index, gpu->model->id, node->path, cfg->name);
            continue;
        }
        if (nm > 1) {
            char list[200] = "";
            size_t k = 0;
            for (int i = 0; i < nm && k < sizeof(list); i++)
                mp_catf(list, sizeof(list), &k, "%s%d", i ? ", " : "",
                        matched[i] + 1);
            const mp_mp_entry *last = &cfg->entries[matched[nm - 1]];
            add(c, MP_SEV_WARNING, "multiple-entries", last->line, last->col,
                matched[nm - 1], gpu->model,
                "GPU %d (%s) is matched by entries %s of '%s'; mig-parted "
                "applies each in turn and the last one wins",
                gpu->index, gpu->model->id, list, cfg->name);
        }
        for (int i = 0; i < nm; i++) {
            /* each (entry, model) pair once */
            bool seen = false;
            for (int h = 0; h < g && !seen; h++) {
                if (node->gpus[h].model != gpu->model)
                    continue;
                const mp_mp_entry *e = &cfg->entries[matched[i]];
                seen = mp_mp_selects(e, node->gpus[h].index) &&
                       filter_matches_model(e, gpu->model,
                                            node->gpus[h].subsystem, NULL);
            }
            if (!seen) {
                check_on_model(c, &cfg->entries[matched[i]], matched[i],
                               gpu->model, false);
                report_strands(c, &cfg->entries[matched[i]], matched[i]);
            }
        }
    }
    for (int i = 0; i < maxe; i++) {
        const mp_mp_entry *e = &cfg->entries[i];
        for (int k = 0; k < e->n_devices; k++) {
            bool present = false;
            for (int g = 0; g < node->n; g++)
                present |= node->gpus[g].index == e->devices[k];
            if (!present && e->devices[k] >= 0)
                add(c, MP_SEV_ERROR, "device-out-of-range", e->devices_line,
                    e->devices_col, i, NULL,
                    "GPU index %lld is not on this node (%s lists %d GPUs, "
                    "indices %d-%d)",
                    e->devices[k], node->path, node->n, node->gpus[0].index,
                    node->gpus[node->n - 1].index);
        }
        if (!entry_used[i] && e->ok)
            add(c, MP_SEV_WARNING, "entry-matches-nothing", e->line, e->col, i,
                NULL, "entry %d of '%s' applies to no GPU of %s", i + 1,
                cfg->name, node->path);
    }
    free(entry_used);
    free(matched);
}

int mp_check_file(const mp_db *db, const mp_mp_file *file,
                  const mp_check_opts *opts, mp_findings *f,
                  mp_check_stats *stats)
{
    ck c = {.db = db, .file = file, .o = opts, .f = f, .st = stats};
    if (opts->config && !mp_mp_find(file, opts->config)) {
        char list[600] = "";
        size_t k = 0;
        for (int i = 0; i < file->n_configs && k < sizeof(list); i++)
            mp_catf(list, sizeof(list), &k, "%s%s", i ? ", " : "",
                    file->configs[i].name);
        add(&c, MP_SEV_ERROR, "no-such-config", 0, 0, -1, NULL,
            "no config named '%s' in this file%s%s (mig-parted: selected "
            "mig-config not present: %s)",
            opts->config, file->n_configs ? "; it has " : "", list,
            opts->config);
        return MP_ENOTFOUND;
    }
    if (file->parsed && file->n_configs == 0)
        add(&c, MP_SEV_ERROR, "no-configs", 1, 1, -1, NULL,
            "the file defines no mig-configs: mig-parted parses it, but "
            "selecting any config fails (selected mig-config not present)");
    for (int ci = 0; ci < file->n_configs; ci++) {
        const mp_mp_config *cfg = &file->configs[ci];
        if (opts->config && strcmp(cfg->name, opts->config) != 0)
            continue;
        c.cfg = cfg;
        stats->configs++;
        stats->entries += cfg->n_entries;
        if (opts->node) {
            check_node(&c, opts->node);
        } else {
            for (int i = 0; i < cfg->n_entries; i++)
                if (cfg->entries[i].ok)
                    check_entry_models(&c, &cfg->entries[i], i);
            check_overlaps(&c);
        }
        c.cfg = NULL;
    }
    for (int i = 0; i < c.nmemo; i++)
        free(c.memo[i].key);
    free(c.memo);
    return f->oom ? MP_ENOMEM : 0;
}
