/* geometry.c - exact feasibility, placement, enumeration and capacity for
 * one GPU. Occupancy is a bit mask over placement units (bit s = unit s). */
#include "migplan/util/buf.h"
#include "migplan/model/geometry.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned pmask(const mp_gi_profile *p, int start)
{
    return ((1u << p->memory_slices) - 1u) << start;
}

static bool is_media(const mp_gi_profile *p)
{
    return (p->flags & MP_GI_MEDIA) != 0;
}

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
    for (int j = 0; j < p->n_placements; j++) {
        int st = p->placements[j];
        if (st <= min_start)
            continue;
        unsigned mk = pmask(p, st);
        if (occ & mk)
            continue;
        s->start[i] = st;
        if (place(s, k + 1, occ | mk))
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
    int count[MP_MAX_PROFILES] = {0};
    int mem = 0, comp = 0, media = 0, first_media = -1;
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
            media++;
        }
    }
    for (int p = 0; p < m->n_profiles; p++) {
        const mp_gi_profile *pp = &m->profiles[p];
        if (count[p] > pp->max_instances) {
            if (pp->max_instances == 1)
                set_reason(res, MP_FIT_MAX_COUNT,
                           "%s may appear once per GPU (asked for %d)",
                           pp->name, count[p]);
            else
                set_reason(res, MP_FIT_MAX_COUNT,
                           "%s may appear at most %d times per GPU (asked for "
                           "%d)",
                           pp->name, pp->max_instances, count[p]);
            return MP_EINFEASIBLE;
        }
    }
    if (media > 1) {
        int second = -1;
        for (int i = 0; i < n; i++)
            if (is_media(&m->profiles[profiles[i]]) &&
                profiles[i] != first_media)
                second = profiles[i];
        set_reason(res, MP_FIT_MEDIA,
                   "only one media-extended instance (+me, +me.all) fits a "
                   "GPU; asked for %s and %s",
                   m->profiles[first_media].name,
                   m->profiles[second >= 0 ? second : first_media].name);
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
    for (int i = 0; pinned && i < n; i++) {
        if (pinned[i] < 0)
            continue;
        const mp_gi_profile *p = &m->profiles[profiles[i]];
        bool ok = false;
        for (int j = 0; j < p->n_placements; j++)
            ok |= p->placements[j] == pinned[i];
        if (!ok) {
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

static int fit_counts(const mp_model *m, const int *count, mp_layout *out,
                      mp_fit_result *res, bool best)
{
    int prof[MP_MAX_GIS + 1], n = 0;
    for (int p = 0; p < m->n_profiles; p++) {
        for (int c = 0; c < count[p]; c++) {
            if (n > m->units || n >= MP_MAX_GIS) {
                mp_fit_result local;
                if (!res) {
                    res = &local;
                    local.reason[0] = QUIET;
                }
                set_reason(res, MP_FIT_TOO_MANY,
                           "more instances than a GPU with %d memory slices "
                           "can hold",
                           m->units);
                return MP_EINFEASIBLE;
            }
            prof[n++] = p;
        }
    }
    return best ? mp_geom_fit_best(m, prof, NULL, n, out, res)
                : mp_geom_fit(m, prof, NULL, n, out, res);
}

int mp_geom_fit_counts(const mp_model *m, const int *count, mp_layout *out,
                       mp_fit_result *res)
{
    return fit_counts(m, count, out, res, false);
}

int mp_geom_fit_counts_best(const mp_model *m, const int *count, mp_layout *out,
                            mp_fit_result *res)
{
    return fit_counts(m, count, out, res, true);
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

/* ------------------------------------------------------ best placement */

typedef struct best_ctx {
    const mp_model *m;
    int n;
    const int *prof;
    const int *pinned;
    int order[MP_MAX_GIS];
    int start[MP_MAX_GIS];
    mp_layout best;
    long score[4];
    bool have;
    long budget;
} best_ctx;

void mp_geom_room(const mp_layout *l, const mp_capacity *c, long out[2])
{
    const mp_model *m = l->model;
    out[0] = c->largest_addable < 0
                 ? 0
                 : 1 + m->profiles[c->largest_addable].compute_slices * 100 +
                       m->profiles[c->largest_addable].memory_slices;
    out[1] = (c->compute_total - c->compute_used - c->stranded_compute) * 100 +
             (c->memory_total - c->memory_used - c->stranded_memory);
}

static void score_layout(const mp_layout *l, long *sc)
{
    mp_capacity c;
    mp_geom_capacity(l, &c);
    mp_geom_room(l, &c, sc);
    /* 2: the plain largest-first order reproduces it; 1: some order does */
    mp_layout sorted = *l;
    mp_geom_sort_largest_first(&sorted);
    int prof[MP_MAX_GIS];
    for (int i = 0; i < sorted.n; i++)
        prof[i] = sorted.gi[i].profile;
    mp_layout sim;
    sc[2] = 0;
    if (mp_geom_simulate(l->model, prof, sorted.n, &sim) == sorted.n) {
        bool same = true;
        for (int i = 0; i < sim.n && same; i++) {
            bool found = false;
            for (int k = 0; k < sorted.n && !found; k++)
                found = sorted.gi[k].profile == sim.gi[i].profile &&
                        sorted.gi[k].start == sim.gi[i].start;
            same = found;
        }
        if (same)
            sc[2] = 2;
    }
    if (!sc[2]) {
        int ord[MP_MAX_GIS];
        bool exact = false;
        sc[2] =
            mp_geom_creation_order(&sorted, ord, &exact, NULL) == 0 && exact;
    }
    /* lower starts for earlier (larger) instances: a stable tie-break */
    long lex = 0;
    for (int i = 0; i < sorted.n; i++)
        lex = lex * 17 + (16 - sorted.gi[i].start);
    sc[3] = lex;
}

static bool better(const long *a, const long *b)
{
    for (int i = 0; i < 4; i++)
        if (a[i] != b[i])
            return a[i] > b[i];
    return false;
}

static void best_rec(best_ctx *b, int k, unsigned occ)
{
    if (--b->budget < 0)
        return;
    if (k == b->n) {
        mp_layout l;
        l.model = b->m;
        l.n = b->n;
        for (int i = 0; i < b->n; i++) {
            l.gi[i].profile = b->prof[i];
            l.gi[i].start = b->start[i];
        }
        long sc[4];
        score_layout(&l, sc);
        if (!b->have || better(sc, b->score)) {
            b->have = true;
            b->best = l;
            memcpy(b->score, sc, sizeof(sc));
        }
        return;
    }
    int i = b->order[k];
    const mp_gi_profile *p = &b->m->profiles[b->prof[i]];
    if (b->pinned && b->pinned[i] >= 0) {
        unsigned mk = pmask(p, b->pinned[i]);
        if (!(occ & mk)) {
            b->start[i] = b->pinned[i];
            best_rec(b, k + 1, occ | mk);
        }
        return;
    }
    int min_start = -1;
    if (k > 0 && b->prof[b->order[k - 1]] == b->prof[i] &&
        !(b->pinned && b->pinned[b->order[k - 1]] >= 0))
        min_start = b->start[b->order[k - 1]];
    for (int j = 0; j < p->n_placements; j++) {
        int st = p->placements[j];
        if (st <= min_start)
            continue;
        unsigned mk = pmask(p, st);
        if (occ & mk)
            continue;
        b->start[i] = st;
        best_rec(b, k + 1, occ | mk);
    }
}

int mp_geom_fit_best(const mp_model *m, const int *profiles, const int *pinned,
                     int n, mp_layout *out, mp_fit_result *res)
{
    mp_layout first;
    int rc = mp_geom_fit(m, profiles, pinned, n, &first, res);
    if (rc || !out)
        return rc;
    best_ctx b;
    memset(&b, 0, sizeof(b));
    b.m = m;
    b.n = n;
    b.prof = profiles;
    b.pinned = pinned;
    b.budget = 20000; /* far above any real layout's placement count */
    for (int i = 0; i < n; i++)
        b.order[i] = i;
    /* group identical profiles so their starts can be taken in order */
    for (int a = 1; a < n; a++) {
        int x = b.order[a], c = a - 1;
        while (c >= 0 && profiles[b.order[c]] > profiles[x]) {
            b.order[c + 1] = b.order[c];
            c--;
        }
        b.order[c + 1] = x;
    }
    best_rec(&b, 0, 0);
    *out = b.have ? b.best : first;
    return 0;
}

/* ------------------------------------------------------ driver model */

int mp_geom_driver_pick(const mp_model *m, int p, unsigned occupied)
{
    const mp_gi_profile *pp = &m->profiles[p];
    int best = -1, best_cost = 1 << 30;
    for (int j = 0; j < pp->n_placements; j++) {
        int st = pp->placements[j];
        unsigned mk = pmask(pp, st);
        if (occupied & mk)
            continue;
        /* how many still-free placements of any profile this one kills */
        int cost = 0;
        for (int q = 0; q < m->n_profiles; q++) {
            const mp_gi_profile *pq = &m->profiles[q];
            for (int t = 0; t < pq->n_placements; t++) {
                unsigned qm = pmask(pq, pq->placements[t]);
                if (!(qm & occupied) && (qm & mk))
                    cost++;
            }
        }
        if (cost < best_cost) {
            best_cost = cost;
            best = st;
        }
    }
    return best;
}

int mp_geom_simulate(const mp_model *m, const int *profiles, int n,
                     mp_layout *out)
{
    unsigned occ = 0;
    int comp = 0, made = 0, media = 0;
    int count[MP_MAX_PROFILES] = {0};
    if (out) {
        out->model = m;
        out->n = 0;
    }
    for (int i = 0; i < n; i++) {
        const mp_gi_profile *p = &m->profiles[profiles[i]];
        if (count[profiles[i]] >= p->max_instances ||
            comp + p->compute_slices > m->compute_slices ||
            (is_media(p) && media))
            break;
        int st = mp_geom_driver_pick(m, profiles[i], occ);
        if (st < 0)
            break;
        occ |= pmask(p, st);
        comp += p->compute_slices;
        media += is_media(p);
        count[profiles[i]]++;
        if (out) {
            out->gi[out->n].profile = profiles[i];
            out->gi[out->n].start = st;
            out->n++;
        }
        made++;
    }
    return made;
}

/* larger GI first (G, then C via compute slices, then memory), then
 * fewer placements; the order mig-parted and NVIDIA's guide use */
static int cmp_largest(const mp_model *m, int a, int b)
{
    const mp_gi_profile *pa = &m->profiles[a], *pb = &m->profiles[b];
    if (pa->compute_slices != pb->compute_slices)
        return pb->compute_slices - pa->compute_slices;
    if (pa->memory_slices != pb->memory_slices)
        return pb->memory_slices - pa->memory_slices;
    if (pa->n_placements != pb->n_placements)
        return pa->n_placements - pb->n_placements;
    int c = strcmp(pb->name, pa->name); /* "+me" sorts before plain */
    return c ? c : a - b;
}

void mp_geom_sort_largest_first(mp_layout *l)
{
    for (int a = 1; a < l->n; a++) {
        mp_gi x = l->gi[a];
        int b = a - 1;
        while (b >= 0 &&
               (cmp_largest(l->model, l->gi[b].profile, x.profile) > 0 ||
                (l->gi[b].profile == x.profile && l->gi[b].start > x.start))) {
            l->gi[b + 1] = l->gi[b];
            b--;
        }
        l->gi[b + 1] = x;
    }
}

typedef struct order_ctx {
    const mp_layout *l;
    bool exact;
    bool used[MP_MAX_GIS];
    int order[MP_MAX_GIS];
    int cand[MP_MAX_GIS]; /* instances sorted largest first */
    mp_layout got;
    long budget;
} order_ctx;

static bool order_dfs(order_ctx *c, int k, unsigned occ, int comp, int media)
{
    const mp_layout *l = c->l;
    const mp_model *m = l->model;
    if (k == l->n)
        return true;
    if (--c->budget < 0)
        return false;
    for (int ci = 0; ci < l->n; ci++) {
        int i = c->cand[ci];
        if (c->used[i])
            continue;
        /* skip an instance whose profile was already tried at this step */
        bool dup = false;
        for (int cj = 0; cj < ci && !dup; cj++) {
            int j = c->cand[cj];
            dup = !c->used[j] && l->gi[j].profile == l->gi[i].profile;
        }
        if (dup)
            continue;
        const mp_gi_profile *p = &m->profiles[l->gi[i].profile];
        if (comp + p->compute_slices > m->compute_slices ||
            (is_media(p) && media))
            continue;
        int st = mp_geom_driver_pick(m, l->gi[i].profile, occ);
        if (st < 0)
            continue;
        int target = i;
        if (c->exact) {
            /* the driver must land where some unused same-profile
             * instance is meant to be */
            target = -1;
            for (int j = 0; j < l->n; j++)
                if (!c->used[j] && l->gi[j].profile == l->gi[i].profile &&
                    l->gi[j].start == st)
                    target = j;
            if (target < 0)
                continue;
        }
        c->used[target] = true;
        c->order[k] = target;
        c->got.gi[k].profile = l->gi[target].profile;
        c->got.gi[k].start = st;
        if (order_dfs(c, k + 1, occ | pmask(p, st), comp + p->compute_slices,
                      media + is_media(p)))
            return true;
        c->used[target] = false;
    }
    return false;
}

int mp_geom_creation_order(const mp_layout *l, int *order, bool *exact,
                           mp_layout *driver)
{
    order_ctx c;
    memset(&c, 0, sizeof(c));
    c.l = l;
    for (int i = 0; i < l->n; i++)
        c.cand[i] = i;
    for (int a = 1; a < l->n; a++) {
        int x = c.cand[a], b = a - 1;
        while (b >= 0 && cmp_largest(l->model, l->gi[c.cand[b]].profile,
                                     l->gi[x].profile) > 0) {
            c.cand[b + 1] = c.cand[b];
            b--;
        }
        c.cand[b + 1] = x;
    }
    for (int pass = 0; pass < 2; pass++) {
        c.exact = pass == 0;
        c.budget = 200000;
        memset(c.used, 0, sizeof(c.used));
        c.got.model = l->model;
        c.got.n = l->n;
        if (order_dfs(&c, 0, 0, 0, 0)) {
            memcpy(order, c.order, (size_t)l->n * sizeof(*order));
            if (exact)
                *exact = c.exact;
            if (driver)
                *driver = c.got;
            return 0;
        }
    }
    return MP_EINFEASIBLE;
}

/* ------------------------------------------------------- enumeration */

typedef struct enum_ctx {
    const mp_model *m;
    const bool *allowed;
    bool maximal_only;
    int count[MP_MAX_PROFILES];
    mp_geom_list *out;
    int cap;
    int err;
} enum_ctx;

static bool counts_fit(const mp_model *m, const int *count)
{
    return mp_geom_fit_counts(m, count, NULL, NULL) == 0;
}

static bool allowed_p(const enum_ctx *e, int p)
{
    return !e->allowed || e->allowed[p];
}

static void record(enum_ctx *e)
{
    const mp_model *m = e->m;
    bool maximal = true;
    for (int q = 0; q < m->n_profiles && maximal; q++) {
        if (!allowed_p(e, q))
            continue;
        e->count[q]++;
        if (counts_fit(m, e->count))
            maximal = false;
        e->count[q]--;
    }
    if (e->maximal_only && !maximal)
        return;
    if (e->out->n == e->cap) {
        int ncap = e->cap ? e->cap * 2 : 64;
        mp_geometry *nv = realloc(e->out->v, (size_t)ncap * sizeof(*nv));
        if (!nv) {
            e->err = MP_ENOMEM;
            return;
        }
        e->out->v = nv;
        e->cap = ncap;
    }
    mp_geometry *g = &e->out->v[e->out->n++];
    memset(g, 0, sizeof(*g));
    for (int p = 0; p < m->n_profiles; p++) {
        g->count[p] = (unsigned char)e->count[p];
        g->instances += e->count[p];
        g->compute_used += e->count[p] * m->profiles[p].compute_slices;
        g->memory_used += e->count[p] * m->profiles[p].memory_slices;
    }
    g->maximal = maximal;
}

static void enum_rec(enum_ctx *e, int from)
{
    for (int p = from; p < e->m->n_profiles && !e->err; p++) {
        if (!allowed_p(e, p))
            continue;
        e->count[p]++;
        if (counts_fit(e->m, e->count)) {
            record(e);
            enum_rec(e, p);
        }
        e->count[p]--;
    }
}

static const mp_model *sort_model;
static int size_rank[MP_MAX_PROFILES];

static int cmp_geom(const void *a, const void *b)
{
    const mp_geometry *ga = a, *gb = b;
    const mp_model *m = sort_model;
    /* bigger instances first, profile by profile from the largest */
    for (int r = 0; r < m->n_profiles; r++) {
        int p = size_rank[r];
        if (ga->count[p] != gb->count[p])
            return gb->count[p] - ga->count[p];
    }
    return 0;
}

int mp_geom_enumerate(const mp_model *m, const bool *allowed, bool maximal_only,
                      mp_geom_list *out)
{
    enum_ctx e;
    memset(&e, 0, sizeof(e));
    e.m = m;
    e.allowed = allowed;
    e.maximal_only = maximal_only;
    e.out = out;
    out->v = NULL;
    out->n = 0;
    enum_rec(&e, 0);
    if (e.err) {
        mp_geom_list_free(out);
        return e.err;
    }
    for (int i = 0; i < m->n_profiles; i++)
        size_rank[i] = i;
    for (int a = 1; a < m->n_profiles; a++) {
        int x = size_rank[a], b = a - 1;
        while (b >= 0 && cmp_largest(m, size_rank[b], x) > 0) {
            size_rank[b + 1] = size_rank[b];
            b--;
        }
        size_rank[b + 1] = x;
    }
    sort_model = m;
    if (out->n > 1)
        qsort(out->v, (size_t)out->n, sizeof(*out->v), cmp_geom);
    return 0;
}

void mp_geom_list_free(mp_geom_list *l)
{
    if (!l)
        return;
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

/* ---------------------------------------------------------- capacity */

typedef struct ext_ctx {
    const mp_model *m;
    int count[MP_MAX_PROFILES];
    bool want_memory;
} ext_ctx;

/* Most compute (or memory) slices that further instances could add. */
static int max_extension(ext_ctx *x, unsigned occ, int comp, int media,
                         int from, int min_start)
{
    const mp_model *m = x->m;
    int best = 0;
    for (int p = from; p < m->n_profiles; p++) {
        const mp_gi_profile *pp = &m->profiles[p];
        if (x->count[p] >= pp->max_instances ||
            comp + pp->compute_slices > m->compute_slices ||
            (is_media(pp) && media))
            continue;
        for (int j = 0; j < pp->n_placements; j++) {
            int st = pp->placements[j];
            if (p == from && st <= min_start)
                continue;
            unsigned mk = pmask(pp, st);
            if (occ & mk)
                continue;
            x->count[p]++;
            int gain =
                (x->want_memory ? pp->memory_slices : pp->compute_slices) +
                max_extension(x, occ | mk, comp + pp->compute_slices,
                              media + is_media(pp), p, st);
            x->count[p]--;
            if (gain > best)
                best = gain;
        }
    }
    return best;
}

/* Is p a better "largest profile still placeable" than q? More compute,
 * then more memory; a plain profile over its +me/+gfx twin. */
static bool bigger_for_report(const mp_model *m, int p, int q)
{
    const mp_gi_profile *a = &m->profiles[p], *b = &m->profiles[q];
    if (a->compute_slices != b->compute_slices)
        return a->compute_slices > b->compute_slices;
    if (a->memory_slices != b->memory_slices)
        return a->memory_slices > b->memory_slices;
    if (a->memory_mib != b->memory_mib)
        return a->memory_mib > b->memory_mib;
    if ((a->flags == 0) != (b->flags == 0))
        return a->flags == 0;
    return p < q;
}

void mp_geom_capacity(const mp_layout *l, mp_capacity *out)
{
    const mp_model *m = l->model;
    memset(out, 0, sizeof(*out));
    out->compute_total = m->compute_slices;
    out->memory_total = m->units;
    ext_ctx x;
    memset(&x, 0, sizeof(x));
    x.m = m;
    unsigned occ = 0;
    int media = 0;
    for (int i = 0; i < l->n; i++) {
        const mp_gi_profile *p = &m->profiles[l->gi[i].profile];
        out->compute_used += p->compute_slices;
        out->memory_used += p->memory_slices;
        occ |= pmask(p, l->gi[i].start);
        x.count[l->gi[i].profile]++;
        media += is_media(p);
    }
    x.want_memory = false;
    int add_c = max_extension(&x, occ, out->compute_used, media, 0, -1);
    x.want_memory = true;
    int add_m = max_extension(&x, occ, out->compute_used, media, 0, -1);
    out->stranded_compute = out->compute_total - out->compute_used - add_c;
    out->stranded_memory = out->memory_total - out->memory_used - add_m;
    out->largest_addable = -1;
    for (int p = 0; p < m->n_profiles; p++) {
        const mp_gi_profile *pp = &m->profiles[p];
        if (x.count[p] >= pp->max_instances ||
            out->compute_used + pp->compute_slices > m->compute_slices ||
            (is_media(pp) && media))
            continue;
        bool free_spot = false;
        for (int j = 0; j < pp->n_placements && !free_spot; j++)
            free_spot = !(occ & pmask(pp, pp->placements[j]));
        if (!free_spot)
            continue;
        out->addable[out->n_addable++] = p;
        if (out->largest_addable < 0 ||
            bigger_for_report(m, p, out->largest_addable))
            out->largest_addable = p;
    }
}

/* ------------------------------------------------- compute instances */

int mp_geom_ci_fit(const mp_gi_profile *gi, const int *count, char *reason,
                   size_t rlen)
{
    int slices = 0;
    for (int i = 0; i < gi->n_cis; i++) {
        if (count[i] > gi->cis[i].max_per_gi) {
            if (gi->cis[i].max_per_gi == 1)
                snprintf(reason, rlen, "%s fits once in a %s GPU instance",
                         gi->cis[i].name, gi->name);
            else
                snprintf(reason, rlen,
                         "%s fits at most %d times in a %s GPU instance",
                         gi->cis[i].name, gi->cis[i].max_per_gi, gi->name);
            return MP_EINFEASIBLE;
        }
        slices += count[i] * gi->cis[i].compute_slices;
    }
    if (slices > gi->compute_slices) {
        snprintf(reason, rlen,
                 "compute instances need %d compute slices; a %s GPU instance "
                 "has %d",
                 slices, gi->name, gi->compute_slices);
        return MP_EINFEASIBLE;
    }
    return 0;
}

static void ci_combo_rec(const mp_gi_profile *gi, int i, int *cur, int left,
                         int (*out)[MP_MAX_CI], int max, int *n)
{
    if (i == gi->n_cis) {
        /* keep maximal combinations only */
        for (int k = 0; k < gi->n_cis; k++)
            if (cur[k] < gi->cis[k].max_per_gi &&
                gi->cis[k].compute_slices <= left)
                return;
        bool any = false;
        for (int k = 0; k < gi->n_cis; k++)
            any |= cur[k] > 0;
        if (any && *n < max) {
            memcpy(out[*n], cur, sizeof(out[0]));
            (*n)++;
        }
        return;
    }
    for (int c = gi->cis[i].max_per_gi; c >= 0; c--) {
        int need = c * gi->cis[i].compute_slices;
        if (need > left)
            continue;
        cur[i] = c;
        ci_combo_rec(gi, i + 1, cur, left - need, out, max, n);
    }
    cur[i] = 0;
}

int mp_geom_ci_combos(const mp_gi_profile *gi, int (*out)[MP_MAX_CI], int max)
{
    int cur[MP_MAX_CI] = {0}, n = 0;
    ci_combo_rec(gi, 0, cur, gi->compute_slices, out, max, &n);
    return n;
}

/* Minimal GIs by memoised search over remaining count vectors. */
typedef struct bins_ctx {
    const mp_gi_profile *gi;
    int combos[256][MP_MAX_CI];
    int ncombos;
    int radix[MP_MAX_CI];
    signed char *memo;
    long states;
} bins_ctx;

static long state_index(const bins_ctx *b, const int *v)
{
    long idx = 0;
    for (int i = b->gi->n_cis - 1; i >= 0; i--)
        idx = idx * b->radix[i] + v[i];
    return idx;
}

static int bins_rec(bins_ctx *b, int *v)
{
    bool empty = true;
    for (int i = 0; i < b->gi->n_cis; i++)
        empty &= v[i] == 0;
    if (empty)
        return 0;
    long idx = state_index(b, v);
    if (b->memo[idx] >= 0)
        return b->memo[idx];
    int best = 127;
    for (int c = 0; c < b->ncombos; c++) {
        int take[MP_MAX_CI], any = 0;
        for (int i = 0; i < b->gi->n_cis; i++) {
            take[i] = b->combos[c][i] < v[i] ? b->combos[c][i] : v[i];
            any |= take[i];
        }
        if (!any)
            continue;
        for (int i = 0; i < b->gi->n_cis; i++)
            v[i] -= take[i];
        int r = 1 + bins_rec(b, v);
        for (int i = 0; i < b->gi->n_cis; i++)
            v[i] += take[i];
        if (r < best)
            best = r;
    }
    b->memo[idx] = (signed char)(best > 126 ? 126 : best);
    return b->memo[idx];
}

int mp_geom_ci_pack(const mp_gi_profile *gi, const int *count,
                    int (*bins)[MP_MAX_CI], int max_bins)
{
    bins_ctx b;
    memset(&b, 0, sizeof(b));
    b.gi = gi;
    b.states = 1;
    for (int i = 0; i < gi->n_cis; i++) {
        if (count[i] < 0)
            return -1;
        /* more than max_instances GIs could ever hold cannot fit */
        if (count[i] > gi->max_instances * gi->cis[i].max_per_gi)
            return -1;
        b.radix[i] = count[i] + 1;
        b.states *= b.radix[i];
    }
    if (b.states > 1000000)
        return -1;
    b.ncombos = mp_geom_ci_combos(gi, b.combos, 256);
    b.memo = malloc((size_t)b.states);
    if (!b.memo)
        return -1;
    memset(b.memo, -1, (size_t)b.states);
    int v[MP_MAX_CI] = {0};
    memcpy(v, count, (size_t)gi->n_cis * sizeof(*v));
    int best = bins_rec(&b, v);
    /* walk the memo back to the bins */
    int nb = 0;
    for (int left = best; left > 0 && nb < max_bins; left--) {
        for (int c = 0; c < b.ncombos; c++) {
            int take[MP_MAX_CI] = {0}, any = 0;
            for (int i = 0; i < gi->n_cis; i++) {
                take[i] = b.combos[c][i] < v[i] ? b.combos[c][i] : v[i];
                any |= take[i];
            }
            if (!any)
                continue;
            for (int i = 0; i < gi->n_cis; i++)
                v[i] -= take[i];
            if (bins_rec(&b, v) == left - 1) {
                memset(bins[nb], 0, sizeof(bins[nb]));
                memcpy(bins[nb], take, (size_t)gi->n_cis * sizeof(int));
                nb++;
                break;
            }
            for (int i = 0; i < gi->n_cis; i++)
                v[i] += take[i];
        }
    }
    free(b.memo);
    return best > 126 ? -1 : best;
}

int mp_geom_ci_min_gis(const mp_gi_profile *gi, const int *count)
{
    int bins[MP_MAX_GIS][MP_MAX_CI];
    return mp_geom_ci_pack(gi, count, bins, MP_MAX_GIS);
}

void mp_profile_short(const char *name, char *buf, size_t n)
{
    /* drop the ".NNgb" part: 1g.10gb+me -> 1g+me, 1c.3g.40gb -> 1c.3g */
    const char *gb = strstr(name, "gb");
    const char *dot = NULL;
    for (const char *p = name; gb && p < gb; p++)
        if (*p == '.')
            dot = p;
    if (!gb || !dot) {
        snprintf(buf, n, "%s", name);
        return;
    }
    snprintf(buf, n, "%.*s%s", (int)(dot - name), name, gb + 2);
}
