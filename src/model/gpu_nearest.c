// SPDX-License-Identifier: Apache-2.0
/* gpu_nearest.c - the layout of profile counts nearest to a GPU's state:
 * every subset of the existing instances tried as the kept set. */
#include "migplan/model/gpu_nearest.h"

#include <stdio.h>
#include <string.h>

#include "migplan/model/geometry.h"
#include "migplan/util/buf.h"
#include "migplan/util/error.h"

void mp_gpu_state_describe(const mp_gpu_state *g, int q, char *buf, size_t n)
{
    const mp_layout *l = &g->layout.gis;
    const mp_gi_state *s = &g->gi[q];
    const char *name = l->model->profiles[l->gi[q].profile].name;
    char id[24] = "GI ID unknown";
    if (s->gi_id >= 0)
        snprintf(id, sizeof(id), "GI %d", s->gi_id);
    if (s->n_processes > 0)
        snprintf(buf, n, "%s@%d (%s, in use by %s)", name, l->gi[q].start, id,
                 s->process ? s->process : "a process");
    else
        snprintf(buf, n, "%s@%d (%s)", name, l->gi[q].start, id);
}

typedef struct search {
    const mp_gpu_state *from;
    const int *count;
    int ne; /* existing instances */
    bool in_use[MP_MAX_GIS];
    int best_iu, best_destroyed; /* -1: none found yet */
    unsigned best_mask;
    mp_layout best; /* the placed target: kept first, then new ones */
    int n_kept;
} search;

/* Does keeping the instances of mask fit with the rest of the counts?
 * On success out holds the kept ones (pinned) first, then the new ones. */
static bool try_keep(const search *s, unsigned mask, mp_layout *out)
{
    const mp_layout *cur = &s->from->layout.gis;
    const mp_model *m = cur->model;
    int left[MP_MAX_PROFILES];
    for (int p = 0; p < m->n_profiles; p++)
        left[p] = s->count[p];
    int prof[MP_MAX_GIS * 2], pin[MP_MAX_GIS * 2], n = 0;
    for (int q = 0; q < s->ne; q++) {
        if (!(mask & (1u << q)))
            continue;
        if (--left[cur->gi[q].profile] < 0)
            return false; /* more kept than the counts ask for */
        prof[n] = cur->gi[q].profile;
        pin[n++] = cur->gi[q].start;
    }
    for (int p = 0; p < m->n_profiles; p++)
        for (int k = 0; k < left[p]; k++) {
            if (n >= MP_MAX_GIS)
                return false;
            prof[n] = p;
            pin[n++] = -1;
        }
    mp_fit_result res;
    return mp_geom_fit_best(m, prof, pin, n, out, &res) == 0;
}

/* Try every kept set that could beat the best so far. */
static void search_all(search *s, bool allow_in_use)
{
    s->best_iu = s->best_destroyed = -1;
    for (unsigned mask = (1u << s->ne); mask-- > 0;) {
        int iu = 0, destroyed = 0;
        for (int q = 0; q < s->ne; q++)
            if (!(mask & (1u << q))) {
                destroyed++;
                iu += s->in_use[q];
            }
        if (iu > 0 && !allow_in_use)
            continue;
        if (s->best_iu >= 0 &&
            (iu > s->best_iu ||
             (iu == s->best_iu && destroyed >= s->best_destroyed)))
            continue;
        mp_layout l;
        if (!try_keep(s, mask, &l))
            continue;
        s->best_iu = iu;
        s->best_destroyed = destroyed;
        s->best_mask = mask;
        s->best = l;
        s->n_kept = s->ne - destroyed;
    }
}

/* out: the kept instances in the state's order, then the new ones
 * largest first (then by start). */
static void build_layout(const search *s, mp_gpu_layout *out)
{
    const mp_model *m = s->from->layout.gis.model;
    mp_gpu_layout_init(out, m, true);
    for (int k = 0; k < s->n_kept; k++)
        mp_gpu_layout_add(out, s->best.gi[k].profile, s->best.gi[k].start);
    mp_gi fresh[MP_MAX_GIS];
    int nf = 0;
    for (int k = s->n_kept; k < s->best.n; k++)
        fresh[nf++] = s->best.gi[k];
    for (int i = 1; i < nf; i++)
        for (int j = i; j > 0; j--) {
            int a = m->profiles[fresh[j - 1].profile].memory_slices;
            int b = m->profiles[fresh[j].profile].memory_slices;
            if (a > b || (a == b && fresh[j - 1].start < fresh[j].start))
                break;
            mp_gi t = fresh[j];
            fresh[j] = fresh[j - 1];
            fresh[j - 1] = t;
        }
    for (int k = 0; k < nf; k++)
        mp_gpu_layout_add(out, fresh[k].profile, fresh[k].start);
    out->driver_order = out->driver_exact = false;
}

/* The counts cannot be met while keeping every instance in use: name the
 * ones the best disruptive layout destroys, or say they do not fit. */
static int explain(search *s, mp_nearest *res)
{
    const mp_gpu_state *g = s->from;
    const mp_model *m = g->layout.gis.model;
    search_all(s, true);
    if (s->best_iu < 0) {
        mp_layout l;
        mp_fit_result fr;
        int rc = mp_geom_fit_counts(m, s->count, &l, &fr);
        snprintf(res->why, sizeof(res->why), "%s",
                 rc == 0 ? "the instances asked for do not fit" : fr.reason);
        return MP_EINFEASIBLE;
    }
    size_t n = 0;
    mp_catf(res->why, sizeof(res->why), &n,
            "GPU %d: the instances asked for fit only if instance%s in use "
            "%s destroyed:",
            g->index, s->best_iu == 1 ? "" : "s",
            s->best_iu == 1 ? "is" : "are");
    for (int q = 0; q < s->ne; q++) {
        if ((s->best_mask & (1u << q)) || !s->in_use[q])
            continue;
        char d[160];
        mp_gpu_state_describe(g, q, d, sizeof(d));
        mp_catf(res->why, sizeof(res->why), &n, "%s %s",
                res->n_blockers ? "," : "", d);
        res->blocker[res->n_blockers++] = q;
    }
    return MP_EINFEASIBLE;
}

int mp_gpu_nearest(const mp_gpu_state *from, const int *count,
                   bool allow_disruption, mp_gpu_layout *out, mp_nearest *res)
{
    memset(res, 0, sizeof(*res));
    const mp_model *m = from->layout.gis.model;
    mp_gpu_layout_init(out, m, true);
    if (!m) {
        snprintf(res->why, sizeof(res->why), "GPU %d: its model is not known",
                 from->index);
        return MP_EUSAGE;
    }
    search s = {.from = from, .count = count};
    s.ne = from->layout.mig_enabled ? from->layout.gis.n : 0;
    for (int q = 0; q < s.ne; q++)
        s.in_use[q] = from->gi[q].n_processes > 0;
    search_all(&s, allow_disruption);
    if (s.best_iu < 0)
        return explain(&s, res);
    build_layout(&s, out);
    res->kept = s.n_kept;
    res->destroyed = s.best_destroyed;
    res->created = out->gis.n - s.n_kept;
    res->in_use_destroyed = s.best_iu;
    return 0;
}

/* Fit the instances of g in mask (pinned) and prof[0..n) together. */
static int fit_with(const mp_gpu_state *g, unsigned mask, const int *prof,
                    const int *pin, int n, mp_layout *out, mp_fit_result *res)
{
    const mp_layout *cur = &g->layout.gis;
    int p[MP_MAX_GIS * 2], s[MP_MAX_GIS * 2], k = 0;
    for (int q = 0; q < cur->n; q++)
        if (mask & (1u << q)) {
            p[k] = cur->gi[q].profile;
            s[k++] = cur->gi[q].start;
        }
    if (k + n > MP_MAX_GIS) {
        snprintf(res->reason, sizeof(res->reason),
                 "more GPU instances than the GPU has memory slices (%d)",
                 cur->model->units);
        return MP_EINFEASIBLE;
    }
    for (int i = 0; i < n; i++) {
        p[k] = prof[i];
        s[k++] = pin ? pin[i] : -1;
    }
    return mp_geom_fit_best(cur->model, p, s, k, out, res);
}

int mp_gpu_fit_beside(const mp_gpu_state *g, const int *prof, const int *pin,
                      int n, mp_layout *out, unsigned *must_go,
                      mp_fit_result *res)
{
    const mp_layout *cur = &g->layout.gis;
    int ne = g->layout.mig_enabled ? cur->n : 0;
    unsigned all = (1u << ne) - 1u;
    *must_go = 0;
    int rc = fit_with(g, all, prof, pin, n, out, res);
    if (rc != MP_EINFEASIBLE)
        return rc;
    int best_gone = -1, best_iu = 0;
    for (unsigned mask = all; mask-- > 0;) {
        int gone = 0, iu = 0;
        for (int q = 0; q < ne; q++)
            if (!(mask & (1u << q))) {
                gone++;
                iu += g->gi[q].n_processes > 0;
            }
        if (best_gone >= 0 &&
            (iu > best_iu || (iu == best_iu && gone >= best_gone)))
            continue;
        mp_layout l;
        mp_fit_result r;
        if (fit_with(g, mask, prof, pin, n, &l, &r) != 0)
            continue;
        best_gone = gone;
        best_iu = iu;
        *must_go = all & ~mask;
    }
    return MP_EINFEASIBLE;
}
