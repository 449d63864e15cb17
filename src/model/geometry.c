/* SPDX-License-Identifier: Apache-2.0 */
/* geometry.c - whether a set of GPU instances fits one GPU, exactly, and
 * which constraint binds when it does not: counts and sums first, then an
 * exact search over start slots, then a minimal conflicting set to name. */
#include "migplan/model/geometry.h"
#include "migplan/util/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "geom_internal.h"

static void set_reason(mp_fit_result *r, mp_fit_why why, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* A reason buffer starting with QUIET is the engine's own scratch: the
 * caller asked only whether it fits, so no text is formatted (solvers ask
 * millions of times). */
#define QUIET '\x01'

static void set_reason(mp_fit_result *r, mp_fit_why why, const char *fmt, ...)
{
    r->why = why;
    if (r->reason[0] == QUIET)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
    va_end(ap);
}

static void starts_text(const mp_gi_profile *p, char *buf, size_t n)
{
    size_t k = 0;
    if (p->n_placements == 1) {
        snprintf(buf, n, "slot %d", p->placements[0]);
        return;
    }
    mp_catf(buf, n, &k, "slots {");
    for (int i = 0; i < p->n_placements && k < n; i++)
        mp_catf(buf, n, &k, "%s%d", i ? "," : "", p->placements[i]);
    if (k < n)
        snprintf(buf + k, n - k, "}");
}

/* ------------------------------------------------------------- search */

typedef struct search {
    const mp_model *m;
    const int *prof;
    int *start;
    int order[MP_MAX_GIS];
    int nu;
} search;

static bool place(search *s, int k, unsigned occ)
{
    if (k == s->nu)
        return true;
    int i = s->order[k];
    const mp_gi_profile *p = &s->m->profiles[s->prof[i]];
    /* identical instances are interchangeable: take their starts in order */
    int min_start = -1;
    if (k > 0 && s->prof[s->order[k - 1]] == s->prof[i])
        min_start = s->start[s->order[k - 1]];
    for (int j = 0, st; (st = next_free(p, occ, min_start, &j)) >= 0;) {
        s->start[i] = st;
        if (place(s, k + 1, occ | pmask(p, st)))
            return true;
    }
    s->start[i] = -1;
    return false;
}

/* Place the instances selected by `use` (bit i = instance i); pinned ones
 * keep their start. Returns true and fills start[] on success. */
static bool search_subset(const mp_model *m, const int *prof, const int *pinned,
                          int n, unsigned use, int *start)
{
    search s = {.m = m, .prof = prof, .start = start};
    unsigned occ = 0;
    for (int i = 0; i < n; i++) {
        start[i] = -1;
        if (!(use & (1u << i)))
            continue;
        if (pinned && pinned[i] >= 0) {
            unsigned mk = pmask(&m->profiles[prof[i]], pinned[i]);
            if (occ & mk)
                return false;
            occ |= mk;
            start[i] = pinned[i];
        } else {
            s.order[s.nu++] = i;
        }
    }
    /* most constrained first: fewest placements, then largest, then by
     * profile so identical instances stay adjacent */
    for (int a = 1; a < s.nu; a++) {
        int x = s.order[a], b = a - 1;
        const mp_gi_profile *px = &m->profiles[prof[x]];
        while (b >= 0) {
            const mp_gi_profile *pb = &m->profiles[prof[s.order[b]]];
            int c = pb->n_placements - px->n_placements;
            if (!c)
                c = px->memory_slices - pb->memory_slices;
            if (!c)
                c = prof[s.order[b]] - prof[x];
            if (c <= 0)
                break;
            s.order[b + 1] = s.order[b];
            b--;
        }
        s.order[b + 1] = x;
    }
    return place(&s, 0, occ);
}

/* Explain a placement failure from a minimal set of instances that cannot
 * be placed together (deletion filter). */
static void explain_placement(const mp_model *m, const int *prof,
                              const int *pinned, int n, mp_fit_result *res)
{
    int start[MP_MAX_GIS];
    unsigned core = (n >= 32) ? ~0u : ((1u << n) - 1u);
    for (int i = 0; i < n; i++) {
        unsigned without = core & ~(1u << i);
        if (!search_subset(m, prof, pinned, n, without, start))
            core = without;
    }
    int unp[MP_MAX_GIS], nunp = 0, pin[MP_MAX_GIS], npin = 0;
    for (int i = 0; i < n; i++) {
        if (!(core & (1u << i)))
            continue;
        if (pinned && pinned[i] >= 0)
            pin[npin++] = i;
        else
            unp[nunp++] = i;
    }
    char pins[200] = "";
    size_t k = 0;
    for (int j = 0; j < npin && k < sizeof(pins); j++)
        mp_catf(pins, sizeof(pins), &k, "%s%s (at slot %d)",
                j == 0 ? "" : (j == npin - 1 ? " and " : ", "),
                m->profiles[prof[pin[j]]].name, pinned[pin[j]]);
    if (nunp == 1 && npin > 0) {
        const mp_gi_profile *p = &m->profiles[prof[unp[0]]];
        char st[80];
        starts_text(p, st, sizeof(st));
        set_reason(res, MP_FIT_PLACEMENT,
                   "%s can only start at %s, which %s already use%s", p->name,
                   st, pins, npin == 1 ? "s" : "");
        return;
    }
    char list[300] = "";
    k = 0;
    for (int j = 0; j < nunp && k < sizeof(list); j++) {
        const mp_gi_profile *p = &m->profiles[prof[unp[j]]];
        char st[80];
        starts_text(p, st, sizeof(st));
        mp_catf(list, sizeof(list), &k, "%s%s at %s", j ? ", " : "", p->name,
                st);
    }
    if (npin)
        set_reason(res, MP_FIT_PLACEMENT,
                   "no placement fits these together: %s, with %s pinned; "
                   "every choice overlaps",
                   list, pins);
    else
        set_reason(res, MP_FIT_PLACEMENT,
                   "no placement fits these together: %s; every choice "
                   "overlaps",
                   list);
}

/* Per-profile maximum counts, the single media-extended instance, and the
 * memory and compute sums, in that order. */
static int check_sums(const mp_model *m, const int *profiles, int n,
                      mp_fit_result *res)
{
    int count[MP_MAX_PROFILES] = {0};
    int mem = 0, comp = 0, media = 0, first_media = -1, second_media = -1;
    for (int i = 0; i < n; i++) {
        if (profiles[i] < 0 || profiles[i] >= m->n_profiles)
            return MP_EINTERNAL;
        const mp_gi_profile *p = &m->profiles[profiles[i]];
        count[profiles[i]]++;
        mem += p->memory_slices;
        comp += p->compute_slices;
        if (is_media(p)) {
            if (media == 0)
                first_media = profiles[i];
            else if (profiles[i] != first_media)
                second_media = profiles[i];
            media++;
        }
    }
    for (int p = 0; p < m->n_profiles; p++) {
        const mp_gi_profile *pp = &m->profiles[p];
        if (count[p] <= pp->max_instances)
            continue;
        if (pp->max_instances == 1)
            set_reason(res, MP_FIT_MAX_COUNT,
                       "%s may appear once per GPU (asked for %d)", pp->name,
                       count[p]);
        else
            set_reason(res, MP_FIT_MAX_COUNT,
                       "%s may appear at most %d times per GPU (asked for %d)",
                       pp->name, pp->max_instances, count[p]);
        return MP_EINFEASIBLE;
    }
    if (media > 1) {
        set_reason(
            res, MP_FIT_MEDIA,
            "only one media-extended instance (+me, +me.all) fits a "
            "GPU; asked for %s and %s",
            m->profiles[first_media].name,
            m->profiles[second_media >= 0 ? second_media : first_media].name);
        return MP_EINFEASIBLE;
    }
    if (mem > m->units) {
        set_reason(res, MP_FIT_MEMORY, "needs %d memory slices, the GPU has %d",
                   mem, m->units);
        return MP_EINFEASIBLE;
    }
    if (comp > m->compute_slices) {
        set_reason(res, MP_FIT_COMPUTE, "exceeds compute: %d of %d slices",
                   comp, m->compute_slices);
        return MP_EINFEASIBLE;
    }
    return 0;
}

/* Every pinned start is one of its profile's placements, and no two pinned
 * instances overlap. */
static int check_pins(const mp_model *m, const int *profiles, const int *pinned,
                      int n, mp_fit_result *res)
{
    for (int i = 0; i < n; i++) {
        if (pinned[i] < 0)
            continue;
        const mp_gi_profile *p = &m->profiles[profiles[i]];
        if (!mp_gi_can_start(p, pinned[i])) {
            char st[80];
            starts_text(p, st, sizeof(st));
            set_reason(res, MP_FIT_BAD_START,
                       "%s cannot start at slot %d; it can start at %s",
                       p->name, pinned[i], st);
            return MP_EINFEASIBLE;
        }
        for (int j = 0; j < i; j++) {
            if (pinned[j] < 0)
                continue;
            const mp_gi_profile *q = &m->profiles[profiles[j]];
            if (pmask(p, pinned[i]) & pmask(q, pinned[j])) {
                set_reason(res, MP_FIT_PIN_OVERLAP,
                           "%s at slot %d and %s at slot %d overlap", q->name,
                           pinned[j], p->name, pinned[i]);
                return MP_EINFEASIBLE;
            }
        }
    }
    return 0;
}

int mp_geom_fit(const mp_model *m, const int *profiles, const int *pinned,
                int n, mp_layout *out, mp_fit_result *res)
{
    mp_fit_result local;
    bool quiet = !res;
    if (!res)
        res = &local;
    res->why = MP_FIT_OK;
    res->reason[0] = quiet ? QUIET : '\0';
    if (n < 0 || n > m->units || n > MP_MAX_GIS) {
        set_reason(res, MP_FIT_TOO_MANY,
                   "%d instances cannot share a GPU with %d memory slices", n,
                   m->units);
        return MP_EINFEASIBLE;
    }
    int rc = check_sums(m, profiles, n, res);
    if (!rc && pinned)
        rc = check_pins(m, profiles, pinned, n, res);
    if (rc)
        return rc;
    int start[MP_MAX_GIS];
    unsigned all = (1u << n) - 1u;
    if (!search_subset(m, profiles, pinned, n, all, start)) {
        if (quiet)
            res->why = MP_FIT_PLACEMENT;
        else
            explain_placement(m, profiles, pinned, n, res);
        return MP_EINFEASIBLE;
    }
    if (out) {
        out->model = m;
        out->n = n;
        for (int i = 0; i < n; i++) {
            out->gi[i].profile = profiles[i];
            out->gi[i].start = start[i];
        }
    }
    return 0;
}

/* Expand per-profile counts into a list of profile indices prof[0..*n)
 * (prof has room for MP_MAX_GIS). Returns 0, or MP_EINFEASIBLE with res
 * (may be NULL) saying the GPU cannot hold that many. */
static int expand_counts(const mp_model *m, const int *count, int *prof, int *n,
                         mp_fit_result *res)
{
    *n = 0;
    for (int p = 0; p < m->n_profiles; p++) {
        for (int c = 0; c < count[p]; c++) {
            if (*n > m->units || *n >= MP_MAX_GIS) {
                if (res) {
                    res->reason[0] = '\0';
                    set_reason(res, MP_FIT_TOO_MANY,
                               "more instances than a GPU with %d memory "
                               "slices can hold",
                               m->units);
                }
                return MP_EINFEASIBLE;
            }
            prof[(*n)++] = p;
        }
    }
    return 0;
}

int mp_geom_fit_counts_by(geom_fit_fn *fit, const mp_model *m, const int *count,
                          mp_layout *out, mp_fit_result *res)
{
    int prof[MP_MAX_GIS], n;
    int rc = expand_counts(m, count, prof, &n, res);
    return rc ? rc : fit(m, prof, NULL, n, out, res);
}

int mp_geom_fit_counts(const mp_model *m, const int *count, mp_layout *out,
                       mp_fit_result *res)
{
    return mp_geom_fit_counts_by(mp_geom_fit, m, count, out, res);
}

int mp_geom_validate(const mp_layout *l, mp_fit_result *res)
{
    int prof[MP_MAX_GIS], pin[MP_MAX_GIS];
    for (int i = 0; i < l->n; i++) {
        prof[i] = l->gi[i].profile;
        pin[i] = l->gi[i].start;
        if (pin[i] < 0) {
            if (res)
                set_reason(res, MP_FIT_BAD_START, "instance %d has no start",
                           i);
            return MP_EINFEASIBLE;
        }
    }
    return mp_geom_fit(l->model, prof, pin, l->n, NULL, res);
}
