/* SPDX-License-Identifier: Apache-2.0 */
/* gpu_layout.c - what one GPU holds: building, checking and comparing
 * layouts, and turning a `mig-devices` list into one. */
#include "migplan/model/gpu_layout.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "migplan/model/profname.h"
#include "migplan/util/buf.h"

/* ------------------------------------------------------------- basics */

void mp_gpu_layout_init(mp_gpu_layout *l, const mp_model *m, bool mig_enabled)
{
    memset(l, 0, sizeof(*l));
    l->mig_enabled = mig_enabled;
    l->gis.model = m;
    l->driver_order = true;
    l->driver_exact = true;
}

int mp_gpu_layout_add(mp_gpu_layout *l, int profile, int start)
{
    const mp_model *m = l->gis.model;
    if (!l->mig_enabled || !m || profile < 0 || profile >= m->n_profiles)
        return MP_EUSAGE;
    if (l->gis.n >= MP_MAX_GIS)
        return MP_ELIMIT;
    int q = l->gis.n++;
    l->gis.gi[q].profile = profile;
    l->gis.gi[q].start = start;
    l->ci_explicit[q] = false;
    memset(l->ci_count[q], 0, sizeof(l->ci_count[q]));
    l->driver_order = false;
    l->driver_exact = false;
    return q;
}

bool mp_gpu_layout_equal(const mp_gpu_layout *a, const mp_gpu_layout *b)
{
    if (a->gis.model != b->gis.model || a->mig_enabled != b->mig_enabled ||
        a->gis.n != b->gis.n || a->driver_order != b->driver_order ||
        a->driver_exact != b->driver_exact)
        return false;
    for (int q = 0; q < a->gis.n; q++)
        if (a->gis.gi[q].profile != b->gis.gi[q].profile ||
            a->gis.gi[q].start != b->gis.gi[q].start ||
            a->ci_explicit[q] != b->ci_explicit[q] ||
            (a->ci_explicit[q] &&
             memcmp(a->ci_count[q], b->ci_count[q], sizeof(a->ci_count[q]))))
            return false;
    return true;
}

bool mp_gpu_layout_creation_order(const mp_gpu_layout *l, int *order)
{
    bool exact = false;
    if (l->gis.model &&
        mp_geom_creation_order(&l->gis, order, &exact, NULL) == 0)
        return true;
    for (int q = 0; q < l->gis.n; q++)
        order[q] = q;
    return false;
}

int mp_gpu_layout_ci_ids(const mp_gpu_layout *l, int q, int *ids, int max)
{
    const mp_gi_profile *p = &l->gis.model->profiles[l->gis.gi[q].profile];
    int n = 0;
    for (int c = 0; c < p->n_cis; c++) {
        int times = l->ci_explicit[q] ? l->ci_count[q][c]
                                      : (p->cis[c].is_default ? 1 : 0);
        for (int r = 0; r < times && n < max; r++)
            ids[n++] = p->cis[c].id;
    }
    return n;
}

long long mp_gpu_layout_max_count(const mp_gi_profile *gi, int ci)
{
    return ci < 0 ? gi->max_instances
                  : (long long)gi->max_instances * gi->cis[ci].max_per_gi;
}

/* ----------------------------------------------------------- validate */

/* The compute-instance split of GPU instance q, when explicit. */
static int validate_cis(const mp_gpu_layout *l, int q, char *why, size_t n)
{
    const mp_gi_profile *p = &l->gis.model->profiles[l->gis.gi[q].profile];
    int total = 0;
    for (int c = 0; c < MP_MAX_CI; c++) {
        if (l->ci_count[q][c] < 0 || (c >= p->n_cis && l->ci_count[q][c])) {
            snprintf(why, n,
                     "GPU instance %d (%s): compute instance %d is "
                     "out of range",
                     q, p->name, c);
            return MP_EINFEASIBLE;
        }
        total += l->ci_count[q][c];
    }
    char reason[300];
    if (total == 0) {
        snprintf(why, n,
                 "GPU instance %d (%s): an explicit split with no "
                 "compute instance",
                 q, p->name);
        return MP_EINFEASIBLE;
    }
    int count[MP_MAX_CI];
    for (int c = 0; c < MP_MAX_CI; c++)
        count[c] = l->ci_count[q][c];
    if (mp_geom_ci_fit(p, count, reason, sizeof(reason)) != 0) {
        snprintf(why, n, "GPU instance %d: %s", q, reason);
        return MP_EINFEASIBLE;
    }
    return 0;
}

/* What the driver does with the instances in order and no slots. */
static int validate_driver(const mp_gpu_layout *l, char *why, size_t n)
{
    if (l->driver_exact && !l->driver_order) {
        snprintf(why, n, "driver_exact without driver_order");
        return MP_EINFEASIBLE;
    }
    if (!l->driver_order)
        return 0;
    int prof[MP_MAX_GIS];
    for (int q = 0; q < l->gis.n; q++)
        prof[q] = l->gis.gi[q].profile;
    mp_layout got;
    int made = mp_geom_simulate(l->gis.model, prof, l->gis.n, &got);
    if (made < l->gis.n) {
        snprintf(why, n,
                 "driver_order is set, but the driver cannot create "
                 "GPU instance %d in this order",
                 made);
        return MP_EINFEASIBLE;
    }
    for (int q = 0; q < l->gis.n && l->driver_exact; q++)
        if (got.gi[q].start != l->gis.gi[q].start) {
            snprintf(why, n,
                     "driver_exact is set, but the driver puts GPU "
                     "instance %d at slot %d, not %d",
                     q, got.gi[q].start, l->gis.gi[q].start);
            return MP_EINFEASIBLE;
        }
    return 0;
}

int mp_gpu_layout_validate(const mp_gpu_layout *l, char *why, size_t n)
{
    if (n)
        why[0] = '\0';
    if (l->gis.n < 0 || l->gis.n > MP_MAX_GIS) {
        snprintf(why, n, "%d GPU instances", l->gis.n);
        return MP_EINFEASIBLE;
    }
    if (!l->mig_enabled && l->gis.n == 0)
        return 0;
    if (!l->mig_enabled || !l->gis.model) {
        snprintf(why, n, "%s",
                 l->mig_enabled ? "MIG enabled without a model"
                                : "GPU instances with MIG disabled");
        return MP_EINFEASIBLE;
    }
    for (int q = 0; q < l->gis.n; q++) {
        int p = l->gis.gi[q].profile;
        if (p < 0 || p >= l->gis.model->n_profiles) {
            snprintf(why, n, "GPU instance %d: no profile %d on %s", q, p,
                     l->gis.model->id);
            return MP_EINFEASIBLE;
        }
    }
    mp_fit_result res;
    if (mp_geom_validate(&l->gis, &res) != 0) {
        snprintf(why, n, "%s", res.reason);
        return MP_EINFEASIBLE;
    }
    for (int q = 0; q < l->gis.n; q++)
        if (l->ci_explicit[q] && validate_cis(l, q, why, n) != 0)
            return MP_EINFEASIBLE;
    return validate_driver(l, why, n);
}

/* ----------------------------------------------------- name resolution */

static int abs_i(int x)
{
    return x < 0 ? -x : x;
}

/* Why m has no GPU-instance profile for pn (written `name`): the profiles
 * it has with the same compute slices, and the one most likely meant (same
 * suffix, nearest memory). */
static void unknown_gi_why(const mp_model *m, const char *name,
                           const mp_profname *pn, char *why, size_t whylen)
{
    const mp_gi_profile *best = NULL;
    mp_profname bn;
    memset(&bn, 0, sizeof(bn));
    char tmp[300], list[400] = "";
    size_t k = 0;
    int nsame = 0;
    for (int i = 0; i < m->n_profiles; i++) {
        const mp_gi_profile *q = &m->profiles[i];
        if (q->compute_slices != pn->g)
            continue;
        mp_catf(list, sizeof(list), &k, "%s%s", nsame ? ", " : "", q->name);
        nsame++;
        mp_profname qn;
        mp_profname_parse(q->name, strlen(q->name), &qn, tmp, sizeof(tmp));
        if (qn.sign != pn->sign || strcmp(qn.attrs, pn->attrs) != 0)
            continue;
        if (!best || abs_i(qn.gb - pn->gb) < abs_i(bn.gb - pn->gb)) {
            best = q;
            bn = qn;
        }
    }
    char mean[160] = "";
    if (best && pn->c != pn->g)
        snprintf(mean, sizeof(mean), "; did you mean %dc.%s?", pn->c,
                 best->name);
    else if (best)
        snprintf(mean, sizeof(mean), "; did you mean %s?", best->name);
    if (nsame) {
        snprintf(why, whylen,
                 "%s is not a profile of %s (%s)%s Its %d-slice profiles "
                 "are %s",
                 name, m->id, m->name, best ? mean : ";", pn->g, list);
        return;
    }
    k = 0;
    for (int i = 0; i < m->n_profiles && k < sizeof(list); i++)
        mp_catf(list, sizeof(list), &k, "%s%s", i ? ", " : "",
                m->profiles[i].name);
    snprintf(why, whylen,
             "%s is not a profile of %s (%s), which has no %d-slice "
             "GPU instances; its profiles are %s",
             name, m->id, m->name, pn->g, list);
}

/* The compute-instance profile of p with pn->c compute slices. */
static bool resolve_ci(const mp_model *m, const char *name,
                       const mp_profname *pn, const mp_gi_profile *p, int *ci,
                       char *why, size_t whylen)
{
    if (pn->c > pn->g) {
        snprintf(why, whylen,
                 "%s: a compute instance cannot have more compute slices (%d) "
                 "than its GPU instance (%d)",
                 name, pn->c, pn->g);
        return false;
    }
    for (int i = 0; i < p->n_cis; i++)
        if (p->cis[i].compute_slices == pn->c) {
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

bool mp_gpu_layout_resolve_name(const mp_model *m, const char *name,
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
        unknown_gi_why(m, name, &pn, why, whylen);
        return false;
    }
    *gi = p;
    if (pn.c == pn.g)
        return true;
    return resolve_ci(m, name, &pn, p, ci, why, whylen);
}

/* ---------------------------------------------------------- realising */

/* What a mig-devices list asks of one model: whole GPU instances per
 * profile, compute instances per profile and CI profile, and the CIs
 * packed into GPU instances. */
typedef struct wanted {
    int full[MP_MAX_PROFILES];
    int cis[MP_MAX_PROFILES][MP_MAX_CI];
    int bins[MP_MAX_PROFILES][MP_MAX_GIS][MP_MAX_CI];
    int nbins[MP_MAX_PROFILES];
    int gis[MP_MAX_PROFILES]; /* GPU instances per profile */
} wanted;

/* Resolve and count every item of v. */
static int tally(const mp_model *m, const mp_profile_count *v, int n, wanted *w,
                 char *reason, size_t rlen)
{
    for (int i = 0; i < n; i++) {
        if (v[i].count <= 0)
            continue;
        const mp_gi_profile *gi;
        int ci;
        if (!mp_gpu_layout_resolve_name(m, v[i].name, &gi, &ci, reason, rlen))
            return MP_EINFEASIBLE;
        int p = mp_profile_index(m, gi);
        long long limit = mp_gpu_layout_max_count(gi, ci);
        if (v[i].count > limit) {
            snprintf(reason, rlen,
                     "%lld x %s cannot fit one %s: at most %lld fit",
                     v[i].count, v[i].name, m->id, limit);
            return MP_EINFEASIBLE;
        }
        if (ci < 0)
            w->full[p] += (int)v[i].count;
        else
            w->cis[p][ci] += (int)v[i].count;
    }
    return 0;
}

/* Pack each profile's compute instances into as few of its GPU instances
 * as they need, next to the whole ones. */
static int pack_cis(const mp_model *m, wanted *w, char *reason, size_t rlen)
{
    for (int p = 0; p < m->n_profiles; p++) {
        const mp_gi_profile *gi = &m->profiles[p];
        bool any = false;
        for (int k = 0; k < gi->n_cis; k++)
            any |= w->cis[p][k] > 0;
        int nb =
            any ? mp_geom_ci_pack(gi, w->cis[p], w->bins[p], MP_MAX_GIS) : 0;
        w->nbins[p] = nb;
        if (nb > gi->max_instances - w->full[p] && nb >= 0) {
            snprintf(reason, rlen,
                     "the compute instances of %s need %d %s GPU "
                     "instance%s%s, and one %s holds at most %d",
                     gi->name, nb, gi->name, nb > 1 ? "s" : "",
                     w->full[p] ? " besides the whole ones" : "", m->id,
                     gi->max_instances);
            return MP_EINFEASIBLE;
        }
        if (nb < 0) {
            snprintf(reason, rlen,
                     "the compute instances of %s do not fit in the %d "
                     "%s GPU instance%s one %s can hold",
                     gi->name, gi->max_instances, gi->name,
                     gi->max_instances > 1 ? "s" : "", m->id);
            return MP_EINFEASIBLE;
        }
        w->gis[p] = w->full[p] + nb;
    }
    return 0;
}

/* Place the GPU instances: the best placement, largest first, then, when
 * one exists, where the driver puts them in a creation order that works
 * without slots (a valid placement it reproduces). */
static int place(const mp_model *m, const wanted *w, mp_gpu_layout *out,
                 char *reason, size_t rlen)
{
    mp_layout witness;
    mp_fit_result res;
    if (mp_geom_fit_counts_best(m, w->gis, &witness, &res) != 0) {
        snprintf(reason, rlen, "does not fit one %s: %s", m->id, res.reason);
        return MP_EINFEASIBLE;
    }
    mp_geom_sort_largest_first(&witness);
    int order[MP_MAX_GIS];
    bool exact;
    mp_layout driver;
    out->driver_order =
        mp_geom_creation_order(&witness, order, &exact, &driver) == 0;
    out->driver_exact = out->driver_order;
    out->gis = out->driver_order ? driver : witness;
    return 0;
}

/* Hand out default compute instances first, then the packed splits, per
 * profile in layout order. */
static void assign_cis(const wanted *w, mp_gpu_layout *out)
{
    int used_full[MP_MAX_PROFILES] = {0}, used_bin[MP_MAX_PROFILES] = {0};
    for (int i = 0; i < out->gis.n; i++) {
        int p = out->gis.gi[i].profile;
        if (used_full[p] < w->full[p]) {
            used_full[p]++;
            out->ci_explicit[i] = false;
        } else {
            out->ci_explicit[i] = true;
            const int *bin = w->bins[p][used_bin[p]++];
            for (int c = 0; c < MP_MAX_CI; c++)
                out->ci_count[i][c] =
                    (signed char)(bin[c] > SCHAR_MAX ? SCHAR_MAX
                                  : bin[c] < 0       ? -1
                                                     : bin[c]);
        }
    }
}

int mp_gpu_layout_from_counts(const mp_model *m, const mp_profile_count *v,
                              int n, mp_gpu_layout *out, char *reason,
                              size_t rlen)
{
    if (rlen)
        reason[0] = '\0';
    mp_gpu_layout_init(out, m, true);
    wanted w;
    memset(&w, 0, sizeof(w));
    int rc = tally(m, v, n, &w, reason, rlen);
    if (rc == 0)
        rc = pack_cis(m, &w, reason, rlen);
    if (rc == 0)
        rc = place(m, &w, out, reason, rlen);
    if (rc == 0)
        assign_cis(&w, out);
    return rc;
}
