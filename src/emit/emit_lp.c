/* SPDX-License-Identifier: Apache-2.0 */
/* emit_lp.c - a plan request as a CPLEX-LP integer program.
 *
 * Independent of migplan's solver: no enumerated geometries, only the rules
 * themselves, per GPU: binary u (GPU used), z (an instance of profile p at
 * start s), h (the GPU given whole to a tenant), and integer a (replicas of
 * a tenant class in profile p). Memory units may hold at most one instance
 * or a whole-GPU tenant; compute, max counts and the one +me instance are
 * bounded; every replica is served. Which profiles may serve a tenant is
 * the tenant module's rule, as for the solver. GLPK (glpsol --lp) and CBC
 * read it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migplan/emit/emit_lp.h"

/* The program being written. */
typedef struct lpw {
    const mp_request *r;
    mp_buf *out;
    int n_per[MP_MAX_FLEET]; /* GPUs per fleet entry */
    /* tenant classes (mp_request_classes): profiles per fleet entry and
     * replicas of each */
    uint32_t (*elig)[MP_MAX_FLEET];
    long long *demand;
    int *cls_of; /* per tenant, -1 for whole-GPU tenants */
    int nc;
} lpw;

/* GPUs per fleet entry: its count, or as many as a plan costing no more
 * than ours could use. */
static int fleet_sizes(const mp_plan *p, lpw *w, mp_diag *d)
{
    const mp_request *r = p->req;
    for (int i = 0; i < r->n_fleet; i++) {
        if (r->fleet[i].count >= 0) {
            w->n_per[i] = r->fleet[i].count;
            continue;
        }
        if (!p->feasible)
            return mp_diag_set(d, MP_EUSAGE, r->path, r->fleet[i].line,
                               r->fleet[i].col,
                               "no plan was found and %s has no count, so the "
                               "LP has no size; give the fleet entry a count",
                               r->fleet[i].model->id);
        w->n_per[i] = (int)(p->cost / r->fleet[i].cost + 1e-9);
    }
    return 0;
}

static int group_classes(lpw *w, mp_diag *d)
{
    const mp_request *r = w->r;
    size_t n = (size_t)(r->n_tenants ? r->n_tenants : 1);
    w->elig = malloc(n * sizeof(*w->elig));
    w->demand = calloc(n, sizeof(*w->demand));
    w->cls_of = malloc(n * sizeof(int));
    if (!w->elig || !w->demand || !w->cls_of)
        return mp_diag_set(d, MP_ENOMEM, NULL, 0, 0, "out of memory");
    w->nc = mp_request_classes(r, w->cls_of, w->elig, r->n_tenants);
    for (int t = 0; t < r->n_tenants; t++)
        if (w->cls_of[t] >= 0)
            w->demand[w->cls_of[t]] += r->tenants[t].replicas;
    return 0;
}

static void write_header(const lpw *w)
{
    const mp_request *r = w->r;
    mp_buf *out = w->out;
    mp_buf_printf(out, "\\ migplan %s: the request %s as an integer program.\n",
                  MIGPLAN_VERSION, r->path);
    mp_buf_puts(out,
                "\\ Minimise the cost of the GPUs used. u_I_J: GPU J of fleet "
                "entry I is used;\n\\ z_I_J_P_S: an instance of profile P "
                "at start S; h_I_J_T: whole GPU for\n\\ tenant T; "
                "a_I_J_C_P: replicas of tenant class C in profile P.\n");
    for (int i = 0; i < r->n_fleet; i++)
        mp_buf_printf(out, "\\ fleet %d: %s, up to %d GPU%s, cost %g each\n", i,
                      r->fleet[i].model->id, w->n_per[i],
                      w->n_per[i] == 1 ? "" : "s", r->fleet[i].cost);
    for (int c = 0; c < w->nc; c++) {
        mp_buf_printf(out, "\\ class %d (%lld replicas):", c, w->demand[c]);
        for (int t = 0; t < r->n_tenants; t++)
            if (w->cls_of[t] == c)
                mp_buf_printf(out, " %s", r->tenants[t].name);
        mp_buf_putc(out, '\n');
    }
    mp_buf_puts(out, "Minimize\n obj:");
    for (int i = 0; i < r->n_fleet; i++)
        for (int j = 0; j < w->n_per[i]; j++)
            mp_buf_printf(out, " + %g u_%d_%d", r->fleet[i].cost, i, j);
    mp_buf_puts(out, "\nSubject To\n");
}

/* Each memory unit of GPU (i, j) holds at most one instance or a whole-GPU
 * tenant, and only when the GPU is used. */
static void memory_rows(const lpw *w, int i, int j)
{
    const mp_model *m = w->r->fleet[i].model;
    for (int k = 0; k < m->units; k++) {
        mp_buf_printf(w->out, " mem_%d_%d_%d:", i, j, k);
        for (int q = 0; q < m->n_profiles; q++) {
            const mp_gi_profile *pr = &m->profiles[q];
            for (int s = 0; s < pr->n_placements; s++)
                if (pr->placements[s] <= k &&
                    k < pr->placements[s] + pr->memory_slices)
                    mp_buf_printf(w->out, " + z_%d_%d_%d_%d", i, j, q,
                                  pr->placements[s]);
        }
        for (int t = 0; t < w->r->n_tenants; t++)
            if (mp_tenant_takes_whole(&w->r->tenants[t], m))
                mp_buf_printf(w->out, " + h_%d_%d_%d", i, j, t);
        mp_buf_printf(w->out, " - u_%d_%d <= 0\n", i, j);
    }
}

/* Compute slices, max counts and the one +me instance of GPU (i, j). */
static void limit_rows(const lpw *w, int i, int j)
{
    const mp_model *m = w->r->fleet[i].model;
    mp_buf *out = w->out;
    mp_buf_printf(out, " cmp_%d_%d:", i, j);
    for (int q = 0; q < m->n_profiles; q++)
        for (int s = 0; s < m->profiles[q].n_placements; s++)
            mp_buf_printf(out, " + %d z_%d_%d_%d_%d",
                          m->profiles[q].compute_slices, i, j, q,
                          m->profiles[q].placements[s]);
    mp_buf_printf(out, " - %d u_%d_%d <= 0\n", m->compute_slices, i, j);
    bool any_media = false;
    for (int q = 0; q < m->n_profiles; q++) {
        const mp_gi_profile *pr = &m->profiles[q];
        any_media |= (pr->flags & MP_GI_MEDIA) != 0;
        if (pr->max_instances >= pr->n_placements)
            continue; /* the memory rows already bound it */
        mp_buf_printf(out, " max_%d_%d_%d:", i, j, q);
        for (int s = 0; s < pr->n_placements; s++)
            mp_buf_printf(out, " + z_%d_%d_%d_%d", i, j, q, pr->placements[s]);
        mp_buf_printf(out, " <= %d\n", pr->max_instances);
    }
    if (!any_media)
        return;
    mp_buf_printf(out, " me_%d_%d:", i, j);
    for (int q = 0; q < m->n_profiles; q++)
        if (m->profiles[q].flags & MP_GI_MEDIA)
            for (int s = 0; s < m->profiles[q].n_placements; s++)
                mp_buf_printf(out, " + z_%d_%d_%d_%d", i, j, q,
                              m->profiles[q].placements[s]);
    mp_buf_puts(out, " <= 1\n");
}

/* Replicas in profile q of GPU (i, j) at most its instances of q; GPUs of
 * an entry used in order (symmetry). */
static void supply_rows(const lpw *w, int i, int j)
{
    const mp_model *m = w->r->fleet[i].model;
    mp_buf *out = w->out;
    for (int q = 0; q < m->n_profiles; q++) {
        bool used = false;
        for (int c = 0; c < w->nc; c++)
            used |= (w->elig[c][i] & (1u << q)) != 0;
        if (!used)
            continue;
        mp_buf_printf(out, " sup_%d_%d_%d:", i, j, q);
        for (int c = 0; c < w->nc; c++)
            if (w->elig[c][i] & (1u << q))
                mp_buf_printf(out, " + a_%d_%d_%d_%d", i, j, c, q);
        for (int s = 0; s < m->profiles[q].n_placements; s++)
            mp_buf_printf(out, " - z_%d_%d_%d_%d", i, j, q,
                          m->profiles[q].placements[s]);
        mp_buf_puts(out, " <= 0\n");
    }
    if (j > 0)
        mp_buf_printf(out, " sym_%d_%d: u_%d_%d - u_%d_%d <= 0\n", i, j, i, j,
                      i, j - 1);
}

/* A whole-gpu: N tenant t takes its GPUs of each entry i in groups of N
 * (n_I_T replicas there), so every replica is N GPUs of one model. */
static void whole_groups(const lpw *w, int t)
{
    const mp_request *r = w->r;
    const mp_tenant *tn = &r->tenants[t];
    if (mp_tenant_gpus(tn) < 2)
        return;
    for (int i = 0; i < r->n_fleet; i++) {
        if (!mp_tenant_takes_whole(tn, r->fleet[i].model))
            continue;
        mp_buf_printf(w->out, " group_%d_%d:", i, t);
        for (int j = 0; j < w->n_per[i]; j++)
            mp_buf_printf(w->out, " + h_%d_%d_%d", i, j, t);
        mp_buf_printf(w->out, " - %d n_%d_%d = 0\n", mp_tenant_gpus(tn), i, t);
    }
}

/* Every replica of every class and whole-GPU tenant is served. */
static void demand_rows(const lpw *w)
{
    const mp_request *r = w->r;
    mp_buf *out = w->out;
    for (int c = 0; c < w->nc; c++) {
        mp_buf_printf(out, " dem_%d:", c);
        bool any = false;
        for (int i = 0; i < r->n_fleet; i++)
            for (int j = 0; j < w->n_per[i]; j++)
                for (int q = 0; q < r->fleet[i].model->n_profiles; q++)
                    if (w->elig[c][i] & (1u << q)) {
                        mp_buf_printf(out, " + a_%d_%d_%d_%d", i, j, c, q);
                        any = true;
                    }
        if (!any)
            mp_buf_puts(out, " 0 u_0_0");
        mp_buf_printf(out, " = %lld\n", w->demand[c]);
    }
    for (int t = 0; t < r->n_tenants; t++) {
        const mp_tenant *tn = &r->tenants[t];
        if (!tn->whole_gpu)
            continue;
        mp_buf_printf(out, " whole_%d:", t);
        bool any = false;
        for (int i = 0; i < r->n_fleet; i++)
            if (mp_tenant_takes_whole(tn, r->fleet[i].model))
                for (int j = 0; j < w->n_per[i]; j++) {
                    mp_buf_printf(out, " + h_%d_%d_%d", i, j, t);
                    any = true;
                }
        if (!any)
            mp_buf_puts(out, " 0 u_0_0");
        mp_buf_printf(out, " = %d\n", tn->replicas * mp_tenant_gpus(tn));
        whole_groups(w, t);
    }
}

static void write_integers(const lpw *w)
{
    const mp_request *r = w->r;
    mp_buf *out = w->out;
    mp_buf_puts(out, "General\n");
    for (int i = 0; i < r->n_fleet; i++)
        for (int j = 0; j < w->n_per[i]; j++)
            for (int c = 0; c < w->nc; c++)
                for (int q = 0; q < r->fleet[i].model->n_profiles; q++)
                    if (w->elig[c][i] & (1u << q))
                        mp_buf_printf(out, " a_%d_%d_%d_%d\n", i, j, c, q);
    for (int t = 0; t < r->n_tenants; t++)
        for (int i = 0; i < r->n_fleet; i++)
            if (mp_tenant_gpus(&r->tenants[t]) > 1 &&
                mp_tenant_takes_whole(&r->tenants[t], r->fleet[i].model))
                mp_buf_printf(out, " n_%d_%d\n", i, t);
    mp_buf_puts(out, "Binary\n");
    for (int i = 0; i < r->n_fleet; i++) {
        const mp_model *m = r->fleet[i].model;
        for (int j = 0; j < w->n_per[i]; j++) {
            mp_buf_printf(out, " u_%d_%d\n", i, j);
            for (int q = 0; q < m->n_profiles; q++)
                for (int s = 0; s < m->profiles[q].n_placements; s++)
                    mp_buf_printf(out, " z_%d_%d_%d_%d\n", i, j, q,
                                  m->profiles[q].placements[s]);
            for (int t = 0; t < r->n_tenants; t++)
                if (mp_tenant_takes_whole(&r->tenants[t], m))
                    mp_buf_printf(out, " h_%d_%d_%d\n", i, j, t);
        }
    }
    mp_buf_puts(out, "End\n");
}

int mp_emit_plan_lp(const mp_plan *p, mp_buf *out, mp_diag *d)
{
    lpw w;
    if (p->req->n_pools)
        return mp_diag_set(d, MP_EUSAGE, p->req->path, 0, 0,
                           "the LP export models GPUs, not node pools "
                           "(nodes:); write the request with fleet: for it");
    memset(&w, 0, sizeof(w));
    w.r = p->req;
    w.out = out;
    int rc = fleet_sizes(p, &w, d);
    if (!rc)
        rc = group_classes(&w, d);
    if (!rc) {
        write_header(&w);
        for (int i = 0; i < w.r->n_fleet; i++)
            for (int j = 0; j < w.n_per[i]; j++) {
                memory_rows(&w, i, j);
                limit_rows(&w, i, j);
                supply_rows(&w, i, j);
            }
        demand_rows(&w);
        write_integers(&w);
    }
    free(w.elig);
    free(w.demand);
    free(w.cls_of);
    return rc;
}
