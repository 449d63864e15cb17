/* emit_lp.c - a plan request as a CPLEX-LP integer program.
 *
 * Independent of migplan's solver: no enumerated geometries, only the rules
 * themselves, per GPU: binary u (GPU used), z (an instance of profile p at
 * start s), h (the GPU given whole to a tenant), and integer a (replicas of
 * a tenant class in profile p). Memory units may hold at most one instance
 * or a whole-GPU tenant; compute, max counts and the one +me instance are
 * bounded; every replica is served. GLPK (glpsol --lp) and CBC read it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migplan/emit/emit_lp.h"

typedef struct lpcls {
    uint32_t elig[MP_MAX_FLEET];
    long long demand;
    const char *first; /* a tenant name, for the comment */
} lpcls;

int mp_emit_plan_lp(const mp_plan *p, mp_buf *out, mp_diag *d)
{
    const mp_request *r = p->req;
    int n_per[MP_MAX_FLEET];
    for (int i = 0; i < r->n_fleet; i++) {
        if (r->fleet[i].count >= 0) {
            n_per[i] = r->fleet[i].count;
            continue;
        }
        if (!p->feasible)
            return mp_diag_set(d, MP_EUSAGE, r->path, r->fleet[i].line,
                               r->fleet[i].col,
                               "no plan was found and %s has no count, so the "
                               "LP has no size; give the fleet entry a count",
                               r->fleet[i].model->id);
        /* a plan that costs no more than ours uses at most this many */
        n_per[i] = (int)(p->cost / r->fleet[i].cost + 1e-9);
    }
    lpcls *cl = calloc((size_t)(r->n_tenants ? r->n_tenants : 1), sizeof(*cl));
    int *cls_of =
        malloc((size_t)(r->n_tenants ? r->n_tenants : 1) * sizeof(int));
    if (!cl || !cls_of) {
        free(cl);
        free(cls_of);
        return mp_diag_set(d, MP_ENOMEM, NULL, 0, 0, "out of memory");
    }
    int nc = 0;
    for (int t = 0; t < r->n_tenants; t++) {
        const mp_tenant *tn = &r->tenants[t];
        cls_of[t] = -1;
        if (tn->whole_gpu)
            continue;
        uint32_t e[MP_MAX_FLEET];
        mp_request_profile_masks(r, tn, e);
        int c;
        for (c = 0; c < nc; c++)
            if (memcmp(cl[c].elig, e, sizeof(e)) == 0)
                break;
        if (c == nc) {
            memcpy(cl[nc].elig, e, sizeof(e));
            cl[nc].first = tn->name;
            nc++;
        }
        cl[c].demand += tn->replicas;
        cls_of[t] = c;
    }
    mp_buf_printf(out, "\\ migplan %s: the request %s as an integer program.\n",
                  MIGPLAN_VERSION, r->path);
    mp_buf_puts(out,
                "\\ Minimise the cost of the GPUs used. u_I_J: GPU J of fleet "
                "entry I is used;\n\\ z_I_J_P_S: an instance of profile P "
                "at start S; h_I_J_T: whole GPU for\n\\ tenant T; "
                "a_I_J_C_P: replicas of tenant class C in profile P.\n");
    for (int i = 0; i < r->n_fleet; i++)
        mp_buf_printf(out, "\\ fleet %d: %s, up to %d GPUs, cost %g each\n", i,
                      r->fleet[i].model->id, n_per[i], r->fleet[i].cost);
    for (int c = 0; c < nc; c++) {
        mp_buf_printf(out, "\\ class %d (%lld replicas):", c, cl[c].demand);
        for (int t = 0; t < r->n_tenants; t++)
            if (cls_of[t] == c)
                mp_buf_printf(out, " %s", r->tenants[t].name);
        mp_buf_putc(out, '\n');
    }
    mp_buf_puts(out, "Minimize\n obj:");
    for (int i = 0; i < r->n_fleet; i++)
        for (int j = 0; j < n_per[i]; j++)
            mp_buf_printf(out, " + %g u_%d_%d", r->fleet[i].cost, i, j);
    mp_buf_puts(out, "\nSubject To\n");
    for (int i = 0; i < r->n_fleet; i++) {
        const mp_model *m = r->fleet[i].model;
        bool any_media = false;
        for (int q = 0; q < m->n_profiles; q++)
            any_media |= (m->profiles[q].flags & MP_GI_MEDIA) != 0;
        for (int j = 0; j < n_per[i]; j++) {
            for (int k = 0; k < m->units; k++) {
                mp_buf_printf(out, " mem_%d_%d_%d:", i, j, k);
                for (int q = 0; q < m->n_profiles; q++) {
                    const mp_gi_profile *pr = &m->profiles[q];
                    for (int s = 0; s < pr->n_placements; s++)
                        if (pr->placements[s] <= k &&
                            k < pr->placements[s] + pr->memory_slices)
                            mp_buf_printf(out, " + z_%d_%d_%d_%d", i, j, q,
                                          pr->placements[s]);
                }
                for (int t = 0; t < r->n_tenants; t++)
                    if (mp_tenant_takes_whole(&r->tenants[t], m))
                        mp_buf_printf(out, " + h_%d_%d_%d", i, j, t);
                mp_buf_printf(out, " - u_%d_%d <= 0\n", i, j);
            }
            mp_buf_printf(out, " cmp_%d_%d:", i, j);
            for (int q = 0; q < m->n_profiles; q++)
                for (int s = 0; s < m->profiles[q].n_placements; s++)
                    mp_buf_printf(out, " + %d z_%d_%d_%d_%d",
                                  m->profiles[q].compute_slices, i, j, q,
                                  m->profiles[q].placements[s]);
            mp_buf_printf(out, " - %d u_%d_%d <= 0\n", m->compute_slices, i, j);
            for (int q = 0; q < m->n_profiles; q++) {
                const mp_gi_profile *pr = &m->profiles[q];
                if (pr->max_instances >= pr->n_placements)
                    continue; /* the memory rows already bound it */
                mp_buf_printf(out, " max_%d_%d_%d:", i, j, q);
                for (int s = 0; s < pr->n_placements; s++)
                    mp_buf_printf(out, " + z_%d_%d_%d_%d", i, j, q,
                                  pr->placements[s]);
                mp_buf_printf(out, " <= %d\n", pr->max_instances);
            }
            if (any_media) {
                mp_buf_printf(out, " me_%d_%d:", i, j);
                for (int q = 0; q < m->n_profiles; q++)
                    if (m->profiles[q].flags & MP_GI_MEDIA)
                        for (int s = 0; s < m->profiles[q].n_placements; s++)
                            mp_buf_printf(out, " + z_%d_%d_%d_%d", i, j, q,
                                          m->profiles[q].placements[s]);
                mp_buf_puts(out, " <= 1\n");
            }
            for (int q = 0; q < m->n_profiles; q++) {
                bool used = false;
                for (int c = 0; c < nc; c++)
                    used |= (cl[c].elig[i] & (1u << q)) != 0;
                if (!used)
                    continue;
                mp_buf_printf(out, " sup_%d_%d_%d:", i, j, q);
                for (int c = 0; c < nc; c++)
                    if (cl[c].elig[i] & (1u << q))
                        mp_buf_printf(out, " + a_%d_%d_%d_%d", i, j, c, q);
                for (int s = 0; s < m->profiles[q].n_placements; s++)
                    mp_buf_printf(out, " - z_%d_%d_%d_%d", i, j, q,
                                  m->profiles[q].placements[s]);
                mp_buf_puts(out, " <= 0\n");
            }
            if (j > 0)
                mp_buf_printf(out, " sym_%d_%d: u_%d_%d - u_%d_%d <= 0\n", i, j,
                              i, j, i, j - 1);
        }
    }
    for (int c = 0; c < nc; c++) {
        mp_buf_printf(out, " dem_%d:", c);
        bool any = false;
        for (int i = 0; i < r->n_fleet; i++)
            for (int j = 0; j < n_per[i]; j++)
                for (int q = 0; q < r->fleet[i].model->n_profiles; q++)
                    if (cl[c].elig[i] & (1u << q)) {
                        mp_buf_printf(out, " + a_%d_%d_%d_%d", i, j, c, q);
                        any = true;
                    }
        if (!any)
            mp_buf_puts(out, " 0 u_0_0");
        mp_buf_printf(out, " = %lld\n", cl[c].demand);
    }
    for (int t = 0; t < r->n_tenants; t++) {
        const mp_tenant *tn = &r->tenants[t];
        if (!tn->whole_gpu)
            continue;
        mp_buf_printf(out, " whole_%d:", t);
        bool any = false;
        for (int i = 0; i < r->n_fleet; i++)
            if (mp_tenant_takes_whole(tn, r->fleet[i].model))
                for (int j = 0; j < n_per[i]; j++) {
                    mp_buf_printf(out, " + h_%d_%d_%d", i, j, t);
                    any = true;
                }
        if (!any)
            mp_buf_puts(out, " 0 u_0_0");
        mp_buf_printf(out, " = %d\n", tn->replicas);
    }
    mp_buf_puts(out, "General\n");
    for (int i = 0; i < r->n_fleet; i++)
        for (int j = 0; j < n_per[i]; j++)
            for (int c = 0; c < nc; c++)
                for (int q = 0; q < r->fleet[i].model->n_profiles; q++)
                    if (cl[c].elig[i] & (1u << q))
                        mp_buf_printf(out, " a_%d_%d_%d_%d\n", i, j, c, q);
    mp_buf_puts(out, "Binary\n");
    for (int i = 0; i < r->n_fleet; i++) {
        const mp_model *m = r->fleet[i].model;
        for (int j = 0; j < n_per[i]; j++) {
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
    free(cl);
    free(cls_of);
    return 0;
}
