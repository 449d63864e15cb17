/* SPDX-License-Identifier: Apache-2.0 */
/* advice.c - slices of MIG instances, matched to tenants, judged by the
 * busy, memory and share rules (see advice.h). */
#include "migplan/model/advice.h"

#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "migplan/model/sizing.h"

/* ------------------------------------------------------------ the set */

int mp_slice_set_get(mp_slice_set *s, const char *key, size_t len,
                     size_t *index, bool *is_new)
{
    size_t before = s->keys.n;
    if (mp_intern_add(&s->keys, key, len, index, NULL))
        return MP_ENOMEM;
    *is_new = s->keys.n > before;
    if (!*is_new)
        return 0;
    if (s->n == s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 16;
        mp_slice_obs *nv = realloc(s->v, ncap * sizeof(*nv));
        if (!nv)
            return MP_ENOMEM; /* the key stays; the caller gives up */
        s->v = nv;
        s->cap = ncap;
    }
    memset(&s->v[s->n], 0, sizeof(s->v[s->n]));
    s->n++;
    return 0;
}

/* Make room for one more element in a growable array of elem bytes. */
static int room(void **v, size_t n, size_t *cap, size_t elem)
{
    if (n < *cap)
        return 0;
    size_t ncap = *cap ? *cap * 2 : 16;
    void *nv = realloc(*v, ncap * elem);
    if (!nv)
        return MP_ENOMEM;
    *v = nv;
    *cap = ncap;
    return 0;
}

int mp_slice_add_active(mp_slice_set *s, size_t i, double ratio)
{
    mp_slice_obs *o = &s->v[i];
    if (s->n_samples >= MP_ADVICE_MAX_SAMPLES)
        return MP_ELIMIT;
    if (room((void **)&o->active, o->n_active, &o->cap_active,
             sizeof(*o->active)))
        return MP_ENOMEM;
    o->active[o->n_active++] = ratio;
    s->n_samples++;
    return 0;
}

int mp_slice_seen(mp_slice_set *s, size_t i, bool fb, long long ts_ms,
                  double value, bool *dup)
{
    struct {
        unsigned long long slice;
        long long ts;
        unsigned long long fb;
    } key = {i, ts_ms, fb}; /* no padding: three 8-byte fields */
    size_t id, before = s->seen.n;
    if (mp_intern_add(&s->seen, (const char *)&key, sizeof(key), &id, NULL))
        return MP_ENOMEM;
    *dup = id < before;
    if (!*dup) {
        if (room((void **)&s->seen_value, id, &s->seen_cap, sizeof(double)))
            return MP_ENOMEM;
        s->seen_value[id] = value;
        return 0;
    }
    s->n_duplicate++;
    return s->seen_value[id] == value ? 0 : MP_ESCHEMA;
}

int mp_slice_add_fb(mp_slice_set *s, size_t i, long long mib)
{
    mp_slice_obs *o = &s->v[i];
    if (s->n_samples >= MP_ADVICE_MAX_SAMPLES)
        return MP_ELIMIT;
    if (room((void **)&o->fb_mib, o->n_fb, &o->cap_fb, sizeof(*o->fb_mib)))
        return MP_ENOMEM;
    o->fb_mib[o->n_fb++] = mib;
    s->n_samples++;
    return 0;
}

void mp_slice_set_free(mp_slice_set *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++) {
        free(s->v[i].active);
        free(s->v[i].fb_mib);
    }
    free(s->v);
    mp_intern_free(&s->keys);
    mp_intern_free(&s->strings);
    mp_intern_free(&s->seen);
    free(s->seen_value);
    memset(s, 0, sizeof(*s));
}

/* ------------------------------------------------------------ matching */

static bool alnum_lower(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!(islower((unsigned char)s[i]) || isdigit((unsigned char)s[i])))
            return false;
    return n > 0;
}

bool mp_pod_is_replica_of(const char *pod, const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || strncmp(pod, name, n) != 0)
        return false;
    const char *rest = pod + n;
    if (!*rest)
        return true;
    if (*rest++ != '-')
        return false;
    size_t len = strlen(rest);
    bool digits = len > 0;
    for (size_t i = 0; i < len; i++)
        digits &= isdigit((unsigned char)rest[i]) != 0;
    if (digits) /* StatefulSet ordinal */
        return true;
    if (len == 5) /* ReplicaSet, DaemonSet or Job suffix */
        return alnum_lower(rest, 5);
    /* Deployment: pod-template-hash (up to 10) and the suffix */
    const char *dash = strchr(rest, '-');
    return dash && dash - rest <= 10 &&
           alnum_lower(rest, (size_t)(dash - rest)) && strlen(dash + 1) == 5 &&
           alnum_lower(dash + 1, 5);
}

int mp_advice_match(const mp_slice_obs *o, const mp_advice_tenant *t, int nt,
                    bool *by_container)
{
    *by_container = false;
    if (o->container[0])
        for (int i = 0; i < nt; i++)
            if (strcmp(o->container, t[i].name) == 0) {
                *by_container = true;
                return i;
            }
    int best = -1;
    size_t best_len = 0;
    if (o->pod[0])
        for (int i = 0; i < nt; i++) {
            size_t len = strlen(t[i].name);
            if (len > best_len && mp_pod_is_replica_of(o->pod, t[i].name)) {
                best = i;
                best_len = len;
            }
        }
    return best;
}

/* ------------------------------------------------------------ rules */

static void eval_slice(mp_slice_obs *o, const mp_advice_opts *opt,
                       mp_slice_eval *e)
{
    if (o->n_active) {
        e->has_active = true;
        e->median_active = mp_percentile_d(o->active, o->n_active, 50000);
        e->busy = e->median_active > opt->busy;
    }
    if (o->n_fb) {
        e->has_fb = true;
        e->p_fb = mp_percentile_ll(o->fb_mib, o->n_fb, opt->p_milli);
        e->max_fb = o->fb_mib[o->n_fb - 1];
    }
    e->slice_mib = o->gi ? o->gi->memory_mib : 0;
    e->low_memory = e->has_fb && !e->busy && o->gi &&
                    o->gi->compute_slices == 1 && opt->share_below > 0 &&
                    (double)e->p_fb < opt->share_below * (double)e->slice_mib;
}

/* The memory of the smallest memory size of m that holds mib with at least
 * `compute` compute slices. */
static long long level(const mp_model *m, long long mib, int compute)
{
    long long best = LLONG_MAX;
    for (int i = 0; i < m->n_profiles; i++)
        if (m->profiles[i].memory_mib >= mib &&
            m->profiles[i].compute_slices >= compute &&
            m->profiles[i].memory_mib < best)
            best = m->profiles[i].memory_mib;
    if (best == LLONG_MAX && m->memory_mib >= mib)
        best = m->memory_mib;
    return best;
}

/* The next larger compute size of m than c; 0 when c is the largest. */
static int next_compute(const mp_model *m, int c)
{
    int best = 0;
    for (int i = 0; i < m->n_profiles; i++) {
        int k = m->profiles[i].compute_slices;
        if (k > c && (best == 0 || k < best))
            best = k;
    }
    return best;
}

static void advise_busy(const mp_slice_set *s, const mp_advice_tenant *t,
                        const mp_advice_opts *o, mp_tenant_advice *ta)
{
    if (!ta->n_busy)
        return;
    bool grow = o->busy_action == MP_BUSY_GROW ||
                (o->busy_action == MP_BUSY_AUTO && t->replicas < 2);
    if (grow) {
        const mp_slice_obs *ob = &s->v[ta->busiest];
        int have = ob->gi ? ob->gi->compute_slices : t->compute;
        int next = ob->model ? next_compute(ob->model, have) : 0;
        if (next) {
            ta->compute = next;
            return;
        }
        ta->at_top = true;
    }
    ta->replicas = t->replicas + 1;
}

static void advise_memory(const mp_slice_set *s, const mp_advice_tenant *t,
                          const mp_advice_opts *o, mp_tenant_advice *ta,
                          const mp_slice_eval *full)
{
    ta->need_mib = mp_add_headroom(full->p_fb, o->headroom_milli);
    if (ta->need_mib < 1)
        ta->need_mib = 1;
    if (ta->n_low == ta->n_slices && !ta->n_busy && t->replicas >= 2) {
        ta->share = 2;
        ta->mem = MP_MEM_SHARE;
        ta->memory_mib = ta->need_mib;
        return;
    }
    const mp_model *m = s->v[ta->fullest].model;
    int c = ta->compute ? ta->compute : t->compute;
    if (ta->need_mib > t->memory_mib) {
        ta->mem = MP_MEM_RAISE;
        ta->memory_mib = ta->need_mib;
    } else if (m && ta->need_mib < t->memory_mib &&
               level(m, ta->need_mib, c) < level(m, t->memory_mib, c)) {
        ta->mem = MP_MEM_LOWER;
        ta->memory_mib = ta->need_mib;
    }
}

static void advise_tenant(const mp_slice_set *s, const mp_advice *a, int ti,
                          const mp_advice_tenant *t, const mp_advice_opts *o)
{
    mp_tenant_advice *ta = &a->tenants[ti];
    ta->busiest = ta->fullest = -1;
    for (size_t i = 0; i < a->n_slices; i++) {
        const mp_slice_eval *e = &a->slices[i];
        if (e->tenant != ti)
            continue;
        ta->n_slices++;
        ta->n_busy += e->busy;
        ta->n_low += e->low_memory;
        if (e->has_active &&
            (ta->busiest < 0 ||
             e->median_active > a->slices[ta->busiest].median_active))
            ta->busiest = (int)i;
        if (e->has_fb &&
            (ta->fullest < 0 || e->p_fb > a->slices[ta->fullest].p_fb))
            ta->fullest = (int)i;
    }
    if (!ta->n_slices || t->whole_gpu || t->share > 1)
        return;
    advise_busy(s, t, o, ta);
    if (ta->fullest >= 0)
        advise_memory(s, t, o, ta, &a->slices[ta->fullest]);
}

int mp_advise(mp_slice_set *s, const mp_advice_tenant *t, int nt,
              const mp_advice_opts *o, mp_advice *out, mp_diag *d)
{
    memset(out, 0, sizeof(*out));
    out->slices = mp_arena_alloc(&out->arena, s->n * sizeof(*out->slices));
    out->tenants =
        mp_arena_alloc(&out->arena, (size_t)nt * sizeof(*out->tenants));
    if (!out->slices || !out->tenants) {
        mp_advice_free(out);
        return mp_diag_set(d, MP_ENOMEM, NULL, 0, 0, "out of memory");
    }
    out->n_slices = s->n;
    out->n_tenants = nt;
    for (size_t i = 0; i < s->n; i++) {
        mp_slice_eval *e = &out->slices[i];
        e->tenant = mp_advice_match(&s->v[i], t, nt, &e->by_container);
        out->n_unmapped += e->tenant < 0;
        eval_slice(&s->v[i], o, e);
    }
    for (int i = 0; i < nt; i++)
        advise_tenant(s, out, i, &t[i], o);
    return 0;
}

bool mp_advice_changes(const mp_advice *a, int i)
{
    const mp_tenant_advice *ta = &a->tenants[i];
    return ta->compute || ta->replicas || ta->mem != MP_MEM_KEEP || ta->share;
}

void mp_advice_free(mp_advice *a)
{
    if (a)
        mp_arena_release(&a->arena, a, sizeof(*a));
}
