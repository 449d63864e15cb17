/* SPDX-License-Identifier: Apache-2.0 */
/* formulate.c - the pattern LP of a request.
 *
 * For every fleet entry i and every maximal geometry g of its GPU model
 * (over the profiles some tenant can use), an integer x[i][g] counts the
 * GPUs laid out as g; w[i][t] counts whole GPUs given to tenant t; and
 * continuous y[c][i][p] sends replicas of tenant class c to profile p
 * slots. Restricting to maximal geometries loses nothing: unused instances
 * are trimmed afterwards. A w column of a tenant with whole-gpu: N counts
 * replicas, each N GPUs of entry i (cost and fleet count N times). For integral
 * x the y part is a transportation problem, so integral assignments exist
 * (assign.c finds them by max-flow). A spread tenant capped at k per GPU has
 * its replicas per geometry instead, v[c][i][g][p], with at most k x[i][g] of
 * them.
 *
 * When the fleet entries cost differently, an integer n[i] counts the GPUs
 * of entry i (a row ties it to its x and w columns): the search branches on
 * how many GPUs of each model a plan uses before it branches on layouts.
 *
 * Rows: supply (replicas in profile p of entry i at most the slots the
 * chosen geometries offer), caps, demand (every replica of every class and
 * whole-GPU tenant served), fleet counts, GPU counts, and optionally a cost
 * cap.
 */
#include "solver_internal.h"

#include <stdlib.h>
#include <string.h>

static int add_var(sv_model *md, sv_var v)
{
    if (mp_grow(&md->v, &md->cap, md->nv + 1, sizeof(*md->v), 256))
        return MP_ENOMEM;
    md->v[md->nv++] = v;
    return 0;
}

void sv_model_free(sv_model *md)
{
    if (!md)
        return;
    mp_lp_free(md->lp);
    free(md->v);
    memset(md, 0, sizeof(*md));
}

/* Fleet entries of different costs: the plan's cost depends on how many
 * GPUs of each it uses, not only on how many GPUs in all. */
static bool costs_differ(const sv_solver *s)
{
    for (int i = 1; i < s->nitems; i++)
        if (s->items[i].cost != s->items[0].cost)
            return true;
    return false;
}

void sv_fill_counts(const sv_solver *s, const sv_model *md, double *x)
{
    int first = md->nv - md->ncount;
    for (int j = first; j < md->nv; j++)
        x[j] = 0;
    for (int j = 0; j < first && md->ncount; j++)
        x[first + md->v[j].item] += sv_var_gpus(s->req, &md->v[j]) * x[j];
}

static int add_columns(sv_solver *s, sv_model *md)
{
    const mp_request *r = s->req;
    int rc = 0;
    for (int i = 0; i < s->nitems && !rc; i++) {
        const sv_item *it = &s->items[i];
        for (int g = 0; g < it->geoms.n && !rc; g++)
            rc = add_var(md, (sv_var){'x', -1, i, g, -1, -1, it->cost, true});
        for (int t = 0; t < r->n_tenants && !rc; t++)
            if (mp_request_takes_whole(r, &r->tenants[t], it->fleet))
                rc = add_var(md,
                             (sv_var){'w', -1, i, -1, -1, t,
                                      it->cost * mp_tenant_gpus(&r->tenants[t]),
                                      true});
    }
    for (int c = 0; c < s->nclasses && !rc; c++) {
        const sv_class *cl = &s->classes[c];
        for (int i = 0; i < s->nitems && !rc; i++) {
            const sv_item *it = &s->items[i];
            for (int p = 0; p < it->m->n_profiles && !rc; p++) {
                if (!(cl->elig[i] & (1u << p)))
                    continue;
                if (cl->cap <= 0) {
                    rc = add_var(md, (sv_var){'y', c, i, -1, p, -1, 0, false});
                    continue;
                }
                for (int g = 0; g < it->geoms.n && !rc; g++)
                    if (sv_cnt(it, g, p) > 0)
                        rc = add_var(md,
                                     (sv_var){'v', c, i, g, p, -1, 0, false});
            }
        }
    }
    int first = md->nv;
    for (int i = 0; i < s->nitems && !rc && costs_differ(s); i++)
        rc = add_var(md, (sv_var){'n', -1, i, -1, -1, -1, 0, true});
    md->ncount = md->nv - first;
    return rc;
}

/* ---------------------------------------------------------------- rows */

/* A row being built. A failed rb_add marks the row failed, and the row's
 * end (row_end, row_drop, row_need) reports it as MP_ENOMEM: every
 * coefficient is checked, and an incomplete row never reaches the LP. */
typedef struct rowb {
    int *idx;
    double *val;
    int n, cap;
    bool failed;
} rowb;

static void rb_add(rowb *r, int j, double v)
{
    if (r->n == r->cap) {
        int ncap = r->cap ? r->cap * 2 : 64;
        int *ni = realloc(r->idx, (size_t)ncap * sizeof(int));
        if (ni)
            r->idx = ni;
        double *nv = realloc(r->val, (size_t)ncap * sizeof(double));
        if (nv)
            r->val = nv;
        if (!ni || !nv) {
            r->failed = true;
            return;
        }
        r->cap = ncap;
    }
    r->idx[r->n] = j;
    r->val[r->n] = v;
    r->n++;
}

/* Add the row to the LP (an empty row is left out) and start the next. */
static int row_end(sv_model *md, rowb *rb, char sense, double rhs)
{
    int rc = rb->failed ? MP_ENOMEM : 0;
    if (!rc && rb->n &&
        mp_lp_add_row(md->lp, rb->idx, rb->val, rb->n, sense, rhs) < 0)
        rc = MP_ENOMEM;
    rb->n = 0;
    return rc;
}

/* Drop the row. */
static int row_drop(rowb *rb)
{
    rb->n = 0;
    return rb->failed ? MP_ENOMEM : 0;
}

/* A demand row must have a column: MP_EINFEASIBLE when it has none. */
static int row_need(const rowb *rb)
{
    return rb->failed ? MP_ENOMEM : rb->n ? 0 : MP_EINFEASIBLE;
}

/* The v columns of GPUs of (i, g) (of class c and profile p, each -1 for
 * any) at most k per such GPU; no row without such columns. */
static int geom_row(sv_model *md, rowb *rb, int i, int g, int c, int p,
                    double k)
{
    for (int j = 0; j < md->nv; j++) {
        const sv_var *v = &md->v[j];
        if (v->kind == 'v' && v->item == i && v->geom == g &&
            (c < 0 || v->cls == c) && (p < 0 || v->prof == p))
            rb_add(rb, j, 1.0);
    }
    if (rb->n == 0)
        return row_drop(rb);
    for (int j = 0; j < md->nv; j++)
        if (md->v[j].kind == 'x' && md->v[j].item == i && md->v[j].geom == g)
            rb_add(rb, j, -k);
    return row_end(md, rb, 'L', 0.0);
}

/* Replicas in (i, p) at most the slots of p the chosen geometries of i
 * offer; for capped classes the same per geometry. */
static int supply_rows(sv_model *md, const sv_item *it, int i, int p, rowb *rb)
{
    for (int j = 0; j < md->nv; j++) {
        const sv_var *v = &md->v[j];
        if ((v->kind == 'y' || v->kind == 'v') && v->item == i && v->prof == p)
            rb_add(rb, j, 1.0);
    }
    if (rb->n == 0)
        return row_drop(rb); /* nobody uses the profile */
    for (int j = 0; j < md->nv; j++)
        if (md->v[j].kind == 'x' && md->v[j].item == i &&
            sv_cnt(it, md->v[j].geom, p) > 0)
            rb_add(rb, j, -sv_cnt(it, md->v[j].geom, p));
    int rc = row_end(md, rb, 'L', 0.0);
    for (int g = 0; g < it->geoms.n && !rc; g++)
        if (sv_cnt(it, g, p) > 0)
            rc = geom_row(md, rb, i, g, -1, p, sv_cnt(it, g, p));
    return rc;
}

/* A capped class has at most cap replicas per GPU of each geometry. */
static int cap_rows(sv_solver *s, sv_model *md, int c, rowb *rb)
{
    int rc = 0;
    for (int i = 0; i < s->nitems && !rc; i++)
        for (int g = 0; g < s->items[i].geoms.n && !rc; g++)
            rc = geom_row(md, rb, i, g, c, -1, s->classes[c].cap);
    return rc;
}

/* Every replica of every class and whole-GPU tenant is served. */
static int demand_rows(sv_solver *s, sv_model *md, rowb *rb)
{
    const mp_request *r = s->req;
    int rc = 0;
    for (int c = 0; c < s->nclasses && !rc; c++) {
        for (int j = 0; j < md->nv; j++)
            if ((md->v[j].kind == 'y' || md->v[j].kind == 'v') &&
                md->v[j].cls == c)
                rb_add(rb, j, 1.0);
        rc = row_need(rb);
        if (!rc)
            rc = row_end(md, rb, 'E', (double)s->classes[c].demand);
    }
    for (int t = 0; t < r->n_tenants && !rc; t++) {
        if (!r->tenants[t].whole_gpu)
            continue;
        for (int j = 0; j < md->nv; j++)
            if (md->v[j].kind == 'w' && md->v[j].tenant == t)
                rb_add(rb, j, 1.0);
        rc = row_need(rb);
        if (!rc)
            rc = row_end(md, rb, 'E', (double)r->tenants[t].replicas);
    }
    return rc;
}

/* The n column of each fleet entry: the GPUs of its x and w columns. */
static int count_rows(sv_solver *s, sv_model *md, rowb *rb)
{
    int first = md->nv - md->ncount, rc = 0;
    for (int i = 0; i < md->ncount && !rc; i++) {
        for (int j = 0; j < first; j++)
            if (sv_var_gpus(s->req, &md->v[j]) && md->v[j].item == i)
                rb_add(rb, j, sv_var_gpus(s->req, &md->v[j]));
        rb_add(rb, first + i, -1.0);
        rc = row_end(md, rb, 'E', 0.0);
    }
    return rc;
}

/* Fleet counts, GPU counts and the cost cap. */
static int limit_rows(sv_solver *s, sv_model *md, rowb *rb)
{
    int rc = count_rows(s, md, rb);
    for (int i = 0; i < s->nitems && !rc; i++) {
        if (s->items[i].count < 0)
            continue;
        if (md->ncount) { /* the n column's bound */
            mp_lp_set_bounds(md->lp, md->nv - md->ncount + i, 0,
                             s->items[i].count);
            continue;
        }
        for (int j = 0; j < md->nv; j++)
            if (sv_var_gpus(s->req, &md->v[j]) && md->v[j].item == i)
                rb_add(rb, j, sv_var_gpus(s->req, &md->v[j]));
        rc = row_end(md, rb, 'L', (double)s->items[i].count);
    }
    if (md->cost_cap >= 0 && !rc) {
        for (int j = 0; j < md->nv; j++)
            if (md->v[j].cost != 0.0)
                rb_add(rb, j, md->v[j].cost);
        rc = row_end(md, rb, 'L', md->cost_cap + 1e-6);
    }
    return rc;
}

static int add_rows(sv_solver *s, sv_model *md)
{
    rowb rb = {0};
    int rc = 0;
    for (int i = 0; i < s->nitems && !rc; i++)
        for (int p = 0; p < s->items[i].m->n_profiles && !rc; p++)
            if (s->items[i].useful[p])
                rc = supply_rows(md, &s->items[i], i, p, &rb);
    for (int c = 0; c < s->nclasses && !rc; c++)
        if (s->classes[c].cap > 0)
            rc = cap_rows(s, md, c, &rb);
    if (!rc)
        rc = demand_rows(s, md, &rb);
    if (!rc)
        rc = limit_rows(s, md, &rb);
    free(rb.idx);
    free(rb.val);
    return rc;
}

int sv_formulate(sv_solver *s, double cost_cap, sv_model *md)
{
    memset(md, 0, sizeof(*md));
    md->cost_cap = cost_cap;
    int rc = add_columns(s, md);
    if (rc)
        return rc;
    md->lp = mp_lp_new(md->nv);
    if (!md->lp)
        return MP_ENOMEM;
    /* an LP solve is cut at the solver's deadline of the moment (the
     * search's, then the spreading's): the model lives within s */
    mp_lp_set_deadline(md->lp, &s->deadline);
    for (int j = 0; j < md->nv; j++)
        mp_lp_set_cost(md->lp, j, md->v[j].cost);
    return add_rows(s, md);
}
