// SPDX-License-Identifier: Apache-2.0
/* plan_groups.c - large plans in a screenful: GPUs that look the same drawn
 * once, and totals per model, profile and tenant instead of a line per
 * replica. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migplan/emit/diagram.h"
#include "migplan/util/color.h"
#include "plan_internal.h"

static double gib(long long mib)
{
    return (double)mib / 1024.0;
}

/* Whether a and b look the same in the table: model, MIG mode, whole-GPU
 * tenant, and the same instances (profile, start) serving the same
 * tenants, whatever the replica numbers and the creation order. */
static bool same_gpu(const mp_plan_gpu *a, const mp_plan_gpu *b)
{
    const mp_layout *x = &a->layout.gis, *y = &b->layout.gis;
    if (x->model != y->model || a->used != b->used ||
        a->layout.mig_enabled != b->layout.mig_enabled ||
        a->whole_tenant != b->whole_tenant || x->n != y->n)
        return false;
    for (int q = 0; q < x->n; q++) {
        int r = 0;
        while (r < y->n && y->gi[r].start != x->gi[q].start)
            r++;
        if (r == y->n || y->gi[r].profile != x->gi[q].profile ||
            b->tenant[r] != a->tenant[q])
            return false;
    }
    return true;
}

/* "12-340, 345" from ascending GPU indices; at most 8 ranges, then "...". */
static void ranges(const int *idx, int n, mp_buf *b)
{
    int shown = 0;
    for (int i = 0; i < n;) {
        int j = i;
        while (j + 1 < n && idx[j + 1] == idx[j] + 1)
            j++;
        if (shown == 8) {
            mp_buf_puts(b, ", ...");
            return;
        }
        mp_buf_printf(b, "%s%d", shown ? ", " : "", idx[i]);
        if (j > i)
            mp_buf_printf(b, "-%d", idx[j]);
        shown++;
        i = j + 1;
    }
}

/* One group of n > 1 GPUs like the one at position k. */
static void group_section(const mp_plan *p, int k, const int *idx, int n,
                          const mp_plan_view *v, mp_buf *b)
{
    const mp_plan_gpu *g = &p->gpus[k];
    const mp_layout *l = &g->layout.gis;
    mp_buf_puts(b, "GPU ");
    ranges(idx, n, b);
    mp_buf_printf(b, " (%d GPUs)  %s  ", n, l->model->id);
    if (!g->used) {
        mp_buf_puts(b, "unused (MIG stays disabled)\n\n");
        return;
    }
    if (!g->layout.mig_enabled) {
        mp_buf_puts(b, "whole GPU each, MIG disabled: ");
        mp_plan_tenant_name(p, v, g->whole_tenant, "", 0, b);
        mp_buf_puts(b, "\n\n");
        return;
    }
    mp_buf_puts(b, "same layout\n");
    mp_plan_diagram(p, g, false, v, b);
}

/* A hash of what same_gpu compares, independent of instance order: GPUs
 * with different hashes never look the same. */
static unsigned gpu_hash(const mp_plan_gpu *g)
{
    const mp_layout *l = &g->layout.gis;
    unsigned h = (unsigned)(size_t)l->model * 2654435761u;
    h ^= (unsigned)g->used * 3u + (unsigned)g->layout.mig_enabled * 5u +
         (unsigned)(g->whole_tenant + 1) * 7919u + (unsigned)l->n * 131u;
    for (int q = 0; q < l->n; q++)
        h += ((unsigned)l->gi[q].start * 64u + (unsigned)l->gi[q].profile) *
             (2654435761u ^ (unsigned)(g->tenant[q] + 1) * 40503u);
    return h;
}

/* Every GPU's group, in one pass: a hash table (slot, cap a power of two)
 * of each group's first GPU, and each group's GPUs chained in position
 * order (next[k], -1 at the end; tail[k] the last of the group whose first
 * GPU is k, -1 when k is not a first). Comparing each GPU with the first
 * of every group before it was O(GPUs x groups): quadratic on a plan of
 * GPUs that all differ. */
static void find_groups(const mp_plan *p, int *next, int *tail, unsigned *hash,
                        int *slot, size_t cap)
{
    for (size_t i = 0; i < cap; i++)
        slot[i] = -1;
    for (int k = 0; k < p->n_gpus; k++) {
        hash[k] = gpu_hash(&p->gpus[k]);
        size_t i = hash[k] & (cap - 1);
        int r = slot[i];
        while (r >= 0 &&
               !(hash[r] == hash[k] && same_gpu(&p->gpus[r], &p->gpus[k]))) {
            i = (i + 1) & (cap - 1);
            r = slot[i];
        }
        next[k] = -1;
        tail[k] = -1;
        if (r < 0) {
            slot[i] = tail[k] = k; /* the first of a new group */
        } else {
            next[tail[r]] = k;
            tail[r] = k;
        }
    }
}

int mp_plan_grouped_gpus(const mp_plan *p, const mp_plan_view *v, mp_buf *b)
{
    int n = p->n_gpus;
    size_t cnt = (size_t)(n ? n : 1), cap = 64;
    while (cap < 2 * cnt)
        cap *= 2; /* at most half full: short probes */
    int *next = malloc(cnt * sizeof(int));
    int *tail = malloc(cnt * sizeof(int));
    int *idx = malloc((size_t)(mp_plan_gpus_total(p) + 1) * sizeof(int));
    unsigned *hash = malloc(cnt * sizeof(unsigned));
    int *slot = malloc(cap * sizeof(int));
    int rc = next && tail && idx && hash && slot ? 0 : -1;
    if (!rc)
        find_groups(p, next, tail, hash, slot, cap);
    for (int k = 0; k < n && !rc; k++) {
        if (tail[k] < 0)
            continue; /* drawn with the first of its group */
        int m = 0;
        for (int j = k; j >= 0; j = next[j])
            for (int i = p->gpus[j].index; i <= mp_plan_gpu_last(&p->gpus[j]);
                 i++)
                idx[m++] = i;
        if (m == 1)
            mp_plan_gpu_section(p, k, v, b);
        else
            group_section(p, k, idx, m, v, b);
    }
    free(next);
    free(tail);
    free(idx);
    free(hash);
    free(slot);
    return rc;
}

/* ------------------------------------------------------------- totals */

/* A count of instances (or whole GPUs) by model and profile, profile -1
 * meaning a whole GPU. */
typedef struct tally {
    const mp_model *model;
    int profile;
    int n;
} tally;

typedef struct tallies {
    tally *v;
    int n, cap;
} tallies;

static int count(tallies *t, const mp_model *m, int profile)
{
    for (int i = 0; i < t->n; i++)
        if (t->v[i].model == m && t->v[i].profile == profile) {
            t->v[i].n++;
            return 0;
        }
    if (t->n == t->cap) {
        int cap = t->cap ? 2 * t->cap : 16;
        tally *nv = realloc(t->v, (size_t)cap * sizeof(*nv));
        if (!nv)
            return -1;
        t->v = nv;
        t->cap = cap;
    }
    t->v[t->n++] = (tally){m, profile, 1};
    return 0;
}

static const char *tally_name(const tally *t)
{
    return t->profile < 0 ? "whole GPU" : t->model->profiles[t->profile].name;
}

static void model_lines(const mp_plan *p, mp_buf *b)
{
    mp_buf_printf(b, "%-20s %6s %6s %6s %6s\n", "MODEL", "USED", "OF", "MIG",
                  "WHOLE");
    /* the models in order of first use, counted in one pass (a fleet
     * has at most MP_MAX_FLEET entries, so as many models) */
    const mp_model *m[MP_MAX_FLEET];
    int n = 0, used[MP_MAX_FLEET] = {0}, total[MP_MAX_FLEET] = {0},
        mig[MP_MAX_FLEET] = {0};
    for (int k = 0; k < p->n_gpus; k++) {
        const mp_plan_gpu *g = &p->gpus[k];
        int i = 0;
        while (i < n && m[i] != g->layout.gis.model)
            i++;
        if (i == n && n == MP_MAX_FLEET)
            continue; /* cannot happen: GPUs come from fleet entries */
        if (i == n)
            m[n++] = g->layout.gis.model;
        total[i] += 1 + g->repeat;
        used[i] += g->used;
        mig[i] += g->used && g->layout.mig_enabled;
    }
    for (int i = 0; i < n; i++)
        mp_buf_printf(b, "%-20s %6d %6d %6d %6d\n", m[i]->id, used[i], total[i],
                      mig[i], used[i] - mig[i]);
    mp_buf_putc(b, '\n');
}

static int profile_lines(const mp_plan *p, mp_buf *b)
{
    tallies t = {0};
    int rc = 0;
    for (int k = 0; k < p->n_gpus && !rc; k++) {
        const mp_layout *l = &p->gpus[k].layout.gis;
        /* an unused GPU's instances (left as they are) are no plan's */
        for (int q = 0; q < l->n && p->gpus[k].used && !rc; q++)
            rc = count(&t, l->model, l->gi[q].profile);
    }
    if (!rc && t.n) {
        mp_buf_printf(b, "%-20s %-14s %9s\n", "MODEL", "PROFILE", "INSTANCES");
        for (int i = 0; i < t.n; i++)
            mp_buf_printf(b, "%-20s %-14s %9d\n", t.v[i].model->id,
                          tally_name(&t.v[i]), t.v[i].n);
        mp_buf_putc(b, '\n');
    }
    free(t.v);
    return rc;
}

/* What serves each tenant, in one pass over the GPUs: per tenant how many
 * instances of each profile (or whole GPUs), and the memory granted. */
static int tenant_tallies(const mp_plan *p, tallies *per, long long *mib)
{
    for (int k = 0; k < p->n_gpus; k++) {
        const mp_plan_gpu *g = &p->gpus[k];
        const mp_layout *l = &g->layout.gis;
        if (g->whole_tenant >= 0) {
            mib[g->whole_tenant] += l->model->memory_mib;
            if (count(&per[g->whole_tenant], l->model, -1) != 0)
                return -1;
        }
        for (int q = 0; q < l->n; q++) {
            int t = g->tenant[q];
            if (t < 0)
                continue; /* free, on a single-strategy node */
            mib[t] += l->model->profiles[l->gi[q].profile].memory_mib;
            if (count(&per[t], l->model, l->gi[q].profile) != 0)
                return -1;
        }
    }
    return 0;
}

/* The memory tenant tn asked for in all: per replica (before headroom),
 * times its replicas, times the GPUs of a whole-gpu: N replica. */
static long long asked_total(const mp_tenant *tn)
{
    return mp_tenant_asked_mib(tn) * mp_tenant_asked_replicas(tn) *
           mp_tenant_gpus(tn);
}

static void tenant_line(const mp_plan *p, const mp_plan_view *v, int t,
                        const tallies *tt, long long mib, int wname, mp_buf *b)
{
    const mp_tenant *tn = &p->req->tenants[t];
    char grant[24], ask[24];
    snprintf(grant, sizeof(grant), "%.2f GiB", gib(mib));
    if (asked_total(tn) > 0)
        snprintf(ask, sizeof(ask), "%.2f GiB", gib(asked_total(tn)));
    else
        snprintf(ask, sizeof(ask), "-");
    mp_plan_tenant_name(p, v, t, "", wname, b);
    mp_buf_printf(b, " %8d %11s %11s  ", mp_tenant_asked_replicas(tn), grant,
                  ask);
    for (int i = 0; i < tt->n; i++)
        mp_buf_printf(b, "%s%d x %s", i ? ", " : "", tt->v[i].n,
                      tally_name(&tt->v[i]));
    mp_buf_putc(b, '\n');
}

static int tenant_lines(const mp_plan *p, const mp_plan_view *v, mp_buf *b,
                        long long *granted, long long *asked)
{
    const mp_request *r = p->req;
    size_t nt = (size_t)(r->n_tenants ? r->n_tenants : 1);
    tallies *per = calloc(nt, sizeof(*per));
    long long *mib = calloc(nt, sizeof(*mib));
    int rc = per && mib ? tenant_tallies(p, per, mib) : -1;
    int wname = 6;
    for (int t = 0; t < r->n_tenants; t++)
        if ((int)strlen(r->tenants[t].name) > wname)
            wname = (int)strlen(r->tenants[t].name);
    if (!rc)
        mp_buf_printf(b, "%-*s %8s %11s %11s  %s\n", wname, "TENANT",
                      "REPLICAS", "GRANTED", "ASKED", "SERVED BY");
    for (int t = 0; !rc && t < r->n_tenants; t++) {
        tenant_line(p, v, t, &per[t], mib[t], wname, b);
        *granted += mib[t];
        *asked += asked_total(&r->tenants[t]);
    }
    for (int t = 0; per && t < r->n_tenants; t++)
        free(per[t].v);
    free(per);
    free(mib);
    return rc;
}

int mp_plan_totals(const mp_plan *p, const mp_plan_view *v, mp_buf *b,
                   long long *granted, long long *asked)
{
    if (v->summary) {
        model_lines(p, b);
        if (profile_lines(p, b) != 0)
            return -1;
    }
    return tenant_lines(p, v, b, granted, asked);
}
