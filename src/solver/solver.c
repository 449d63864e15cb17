/* solver.c - pack tenant replicas onto the fewest (cheapest) GPUs, exactly.
 *
 * The model: for every fleet entry i and every maximal geometry g of its
 * GPU model (over the profiles some tenant can use), an integer x[i][g]
 * counts the GPUs laid out as g; w[i][t] counts whole GPUs given to tenant
 * t; continuous y[c][i][p] sends replicas of tenant class c (tenants that
 * can use the same profiles) to profile p slots. Restricting to maximal
 * geometries loses nothing: unused instances are trimmed afterwards. For
 * integer x the y part is a transportation problem, so integral
 * assignments exist and come from a max-flow, never from floating point.
 *
 * Branch and bound over x and w on the LP relaxation gives the optimum and
 * a lower bound. Then, among optimal plans, spread tenants get per-GPU caps
 * (a disaggregated model, tenant by tenant, by bisection), and every GPU's
 * profiles and placements are chosen to leave the most usable capacity.
 */
#include "migplan/util/buf.h"
#include "migplan/solver/solver.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "migplan/solver/lp.h"

#define MAX_CLASSES 4096

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ------------------------------------------------------------- setup */

typedef struct item {
    const mp_model *m;
    int count; /* -1: unlimited */
    double cost;
    bool useful[MP_MAX_PROFILES];
    mp_geom_list geoms; /* maximal over the useful profiles */
} item;

typedef struct cls {
    uint32_t elig[MP_MAX_FLEET]; /* eligible profiles per fleet entry */
    long long demand;
    int *tenants; /* members, in request order */
    int ntenants;
    int capped_tenant; /* >= 0: a spread tenant alone, capped per GPU */
    int cap;
} cls;

typedef struct var {
    char kind; /* x, w, y (class/item/profile), v (class/item/geom/profile) */
    int cls, item, geom, prof, tenant;
} var;

typedef struct model {
    mp_lp *lp;
    var *v;
    int nv, cap;
    double *cost;
    bool *is_int;
    double cost_cap; /* < 0: none; plans must cost at most this */
} model;

typedef struct solver {
    const mp_db *db;
    const mp_request *req;
    const mp_solve_opts *o;
    mp_plan *plan;
    item items[MP_MAX_FLEET];
    int nitems;
    cls *classes;
    int nclasses;
    int *class_of; /* per tenant, -1 for whole-GPU tenants */
    double deadline;
    bool integral_costs;
    double cost_step; /* every plan's cost is a multiple of this (0: none) */
    long lp_solves, nodes, pivots;
    struct tidy_memo *memo; /* finished GPUs by what they hold */
    int nmemo, capmemo;
} solver;

static bool is_whole(const mp_tenant *t)
{
    return t->whole_gpu;
}

static void free_solver(solver *s)
{
    for (int i = 0; i < s->nitems; i++)
        mp_geom_list_free(&s->items[i].geoms);
    for (int c = 0; c < s->nclasses; c++)
        free(s->classes[c].tenants);
    free(s->classes);
    free(s->class_of);
    free(s->memo);
}

static uint32_t eligible_mask(const mp_tenant *t, const item *it)
{
    uint32_t mask = 0;
    if (!mp_tenant_allows(t, it->m))
        return 0;
    for (int p = 0; p < it->m->n_profiles; p++)
        if (mp_tenant_fits_profile(t, it->m, &it->m->profiles[p], NULL, 0))
            mask |= 1u << p;
    return mask;
}

/* Why tenant t fits no GPU of the fleet, in words a person can act on. */
static void explain_tenant(const solver *s, const mp_tenant *t, char *out,
                           size_t n)
{
    size_t k = (size_t)snprintf(out, n,
                                "tenant %s (line %d) cannot be "
                                "placed: ",
                                t->name, t->line);
    int shown = 0;
    for (int i = 0; i < s->nitems && k < n; i++) {
        const mp_model *m = s->items[i].m;
        char why[300] = "";
        if (!mp_tenant_allows(t, m)) {
            if (t->n_models == 0)
                continue;
            snprintf(why, sizeof(why), "its models list excludes %s", m->id);
        } else if (t->whole_gpu) {
            mp_tenant_fits_whole(t, m, why, sizeof(why));
        } else {
            /* the largest profile by memory tells the binding constraint */
            const mp_gi_profile *big = &m->profiles[0];
            for (int p = 1; p < m->n_profiles; p++)
                if (m->profiles[p].memory_mib > big->memory_mib)
                    big = &m->profiles[p];
            if (big->memory_mib < t->memory_mib)
                snprintf(why, sizeof(why),
                         "needs %.2f GiB; the largest profile of %s has %.2f "
                         "GiB",
                         (double)t->memory_mib / 1024.0, m->id,
                         big->memory_mib / 1024.0);
            else
                for (int p = 0; p < m->n_profiles; p++) {
                    char w[240];
                    if (!mp_tenant_fits_profile(t, m, &m->profiles[p], w,
                                                sizeof(w))) {
                        snprintf(why, sizeof(why), "on %s: %.240s", m->id, w);
                        if (m->profiles[p].memory_mib >= t->memory_mib &&
                            m->profiles[p].compute_slices >= t->compute)
                            break; /* the first that is big enough */
                    }
                }
        }
        mp_catf(out, n, &k, "%s%s", shown ? "; " : "", why);
        shown++;
    }
    if (!shown && k < n)
        mp_catf(out, n, &k, "no GPU of the fleet is in its models list");
    /* suggest what would work */
    if (!t->whole_gpu && k < n) {
        bool whole_ok = false;
        for (int i = 0; i < s->nitems; i++)
            whole_ok |=
                mp_tenant_allows(t, s->items[i].m) &&
                s->items[i].m->memory_mib >= t->memory_mib &&
                t->compute <= s->items[i].m->compute_slices &&
                (s->items[i].m->sms < 0 || t->sms <= s->items[i].m->sms);
        /* the models elsewhere in the database that would do, smallest
         * GPU memory first */
        const mp_model *cand[8];
        int cmem[8], nb = 0;
        for (int i = 0; s->db && i < mp_db_count(s->db); i++) {
            const mp_model *m = mp_db_model(s->db, i);
            bool fleet = false;
            for (int j = 0; j < s->nitems; j++)
                fleet |= s->items[j].m == m;
            int need = -1;
            for (int p = 0; !fleet && p < m->n_profiles; p++)
                if (mp_tenant_fits_profile(t, m, &m->profiles[p], NULL, 0) &&
                    (need < 0 || m->profiles[p].memory_mib < need))
                    need = m->profiles[p].memory_mib;
            if (need < 0)
                continue;
            need = m->memory_mib; /* smallest GPUs first */
            /* keep the 8 smallest, sorted */
            int at;
            if (nb < 8)
                at = nb++;
            else if (need >= cmem[7])
                continue;
            else
                at = 7;
            cand[at] = m;
            cmem[at] = need;
            for (int q = at; q > 0 && cmem[q] < cmem[q - 1]; q--) {
                const mp_model *tm = cand[q];
                int tmem = cmem[q];
                cand[q] = cand[q - 1];
                cmem[q] = cmem[q - 1];
                cand[q - 1] = tm;
                cmem[q - 1] = tmem;
            }
        }
        char bigger[200] = "";
        size_t bk = 0;
        for (int q = 0; q < nb && q < 3; q++)
            mp_catf(bigger, sizeof(bigger), &bk, "%s%s", q ? ", " : "",
                    cand[q]->id);
        if (whole_ok && nb)
            snprintf(out + k, n - k, "; use whole-gpu or a larger model (%s)",
                     bigger);
        else if (whole_ok)
            snprintf(out + k, n - k, "; use whole-gpu");
        else if (nb)
            snprintf(out + k, n - k, "; use a larger model (%s)", bigger);
    }
}

static int setup(solver *s)
{
    const mp_request *r = s->req;
    s->nitems = r->n_fleet;
    s->integral_costs = true;
    for (int i = 0; i < r->n_fleet; i++) {
        item *it = &s->items[i];
        it->m = r->fleet[i].model;
        it->count = r->fleet[i].count;
        it->cost = r->fleet[i].cost;
        s->integral_costs &= it->cost == floor(it->cost);
    }
    s->class_of =
        malloc((size_t)(r->n_tenants ? r->n_tenants : 1) * sizeof(int));
    s->classes = calloc(MAX_CLASSES, sizeof(cls));
    if (!s->class_of || !s->classes)
        return MP_ENOMEM;
    for (int t = 0; t < r->n_tenants; t++) {
        const mp_tenant *tn = &r->tenants[t];
        s->class_of[t] = -1;
        if (is_whole(tn))
            continue;
        uint32_t elig[MP_MAX_FLEET] = {0};
        for (int i = 0; i < s->nitems; i++)
            elig[i] = eligible_mask(tn, &s->items[i]);
        int c;
        for (c = 0; c < s->nclasses; c++)
            if (memcmp(s->classes[c].elig, elig, sizeof(elig)) == 0)
                break;
        if (c == s->nclasses) {
            if (s->nclasses == MAX_CLASSES)
                return MP_EINTERNAL;
            memcpy(s->classes[c].elig, elig, sizeof(elig));
            s->classes[c].capped_tenant = -1;
            s->nclasses++;
        }
        cls *cl = &s->classes[c];
        int *nt =
            realloc(cl->tenants, (size_t)(cl->ntenants + 1) * sizeof(int));
        if (!nt)
            return MP_ENOMEM;
        cl->tenants = nt;
        cl->tenants[cl->ntenants++] = t;
        cl->demand += tn->replicas;
        s->class_of[t] = c;
        for (int i = 0; i < s->nitems; i++)
            for (int p = 0; p < s->items[i].m->n_profiles; p++)
                if (elig[i] & (1u << p))
                    s->items[i].useful[p] = true;
    }
    for (int i = 0; i < s->nitems; i++) {
        bool any = false;
        for (int p = 0; p < s->items[i].m->n_profiles; p++)
            any |= s->items[i].useful[p];
        if (!any)
            continue;
        if (mp_geom_enumerate(s->items[i].m, s->items[i].useful, true,
                              &s->items[i].geoms) != 0)
            return MP_ENOMEM;
    }
    return 0;
}

/* ------------------------------------------------------------- model */

static int add_var(model *md, var v, double cost, bool is_int)
{
    if (md->nv == md->cap) {
        int ncap = md->cap ? md->cap * 2 : 256;
        var *nv = realloc(md->v, (size_t)ncap * sizeof(*nv));
        double *nc = realloc(md->cost, (size_t)ncap * sizeof(*nc));
        bool *ni = realloc(md->is_int, (size_t)ncap * sizeof(*ni));
        if (nv)
            md->v = nv;
        if (nc)
            md->cost = nc;
        if (ni)
            md->is_int = ni;
        if (!nv || !nc || !ni)
            return -1;
        md->cap = ncap;
    }
    md->v[md->nv] = v;
    md->cost[md->nv] = cost;
    md->is_int[md->nv] = is_int;
    return md->nv++;
}

static void free_model(model *md)
{
    mp_lp_free(md->lp);
    free(md->v);
    free(md->cost);
    free(md->is_int);
    memset(md, 0, sizeof(*md));
}

/* row builder */
typedef struct rowb {
    int *idx;
    double *val;
    int n, cap;
} rowb;

static int rb_add(rowb *r, int j, double v)
{
    if (r->n == r->cap) {
        int ncap = r->cap ? r->cap * 2 : 64;
        int *ni = realloc(r->idx, (size_t)ncap * sizeof(int));
        double *nv = realloc(r->val, (size_t)ncap * sizeof(double));
        if (ni)
            r->idx = ni;
        if (nv)
            r->val = nv;
        if (!ni || !nv)
            return -1;
        r->cap = ncap;
    }
    r->idx[r->n] = j;
    r->val[r->n] = v;
    r->n++;
    return 0;
}

static int cnt(const item *it, int g, int p)
{
    return it->geoms.v[g].count[p];
}

/* Build the LP. caps (per class, 0 = none) come from the spread phase;
 * cost_cap >= 0 bounds the total cost. */
static int build(solver *s, model *md, double cost_cap)
{
    const mp_request *r = s->req;
    memset(md, 0, sizeof(*md));
    md->cost_cap = cost_cap;
    /* columns */
    for (int i = 0; i < s->nitems; i++) {
        const item *it = &s->items[i];
        for (int g = 0; g < it->geoms.n; g++)
            if (add_var(md, (var){'x', -1, i, g, -1, -1}, it->cost, true) < 0)
                return MP_ENOMEM;
        for (int t = 0; t < r->n_tenants; t++)
            if (is_whole(&r->tenants[t]) &&
                mp_tenant_allows(&r->tenants[t], it->m) &&
                mp_tenant_fits_whole(&r->tenants[t], it->m, NULL, 0))
                if (add_var(md, (var){'w', -1, i, -1, -1, t}, it->cost, true) <
                    0)
                    return MP_ENOMEM;
    }
    for (int c = 0; c < s->nclasses; c++) {
        const cls *cl = &s->classes[c];
        for (int i = 0; i < s->nitems; i++) {
            const item *it = &s->items[i];
            for (int p = 0; p < it->m->n_profiles; p++) {
                if (!(cl->elig[i] & (1u << p)))
                    continue;
                if (cl->cap <= 0) {
                    if (add_var(md, (var){'y', c, i, -1, p, -1}, 0, false) < 0)
                        return MP_ENOMEM;
                    continue;
                }
                for (int g = 0; g < it->geoms.n; g++)
                    if (cnt(it, g, p) > 0 &&
                        add_var(md, (var){'v', c, i, g, p, -1}, 0, false) < 0)
                        return MP_ENOMEM;
            }
        }
    }
    md->lp = mp_lp_new(md->nv);
    if (!md->lp)
        return MP_ENOMEM;
    for (int j = 0; j < md->nv; j++)
        mp_lp_set_cost(md->lp, j, md->cost[j]);
    rowb rb = {0};
    int rc = 0;
#define ROW(sense, rhs)                                                        \
    do {                                                                       \
        if (rb.n &&                                                            \
            mp_lp_add_row(md->lp, rb.idx, rb.val, rb.n, (sense), (rhs)) < 0)   \
            rc = MP_ENOMEM;                                                    \
        rb.n = 0;                                                              \
    } while (0)
    /* supply per (item, profile), and per (item, geom, profile) for capped
     * classes */
    for (int i = 0; i < s->nitems && !rc; i++) {
        const item *it = &s->items[i];
        for (int p = 0; p < it->m->n_profiles && !rc; p++) {
            if (!it->useful[p])
                continue;
            bool any_user = false;
            for (int j = 0; j < md->nv; j++) {
                const var *v = &md->v[j];
                if ((v->kind == 'y' || v->kind == 'v') && v->item == i &&
                    v->prof == p) {
                    rb_add(&rb, j, 1.0);
                    any_user = true;
                }
            }
            if (!any_user) {
                rb.n = 0;
                continue;
            }
            for (int j = 0; j < md->nv; j++)
                if (md->v[j].kind == 'x' && md->v[j].item == i &&
                    cnt(it, md->v[j].geom, p) > 0)
                    rb_add(&rb, j, -cnt(it, md->v[j].geom, p));
            ROW('L', 0.0);
            for (int g = 0; g < it->geoms.n && !rc; g++) {
                if (cnt(it, g, p) == 0)
                    continue;
                bool any_v = false;
                for (int j = 0; j < md->nv; j++) {
                    const var *v = &md->v[j];
                    if (v->kind == 'v' && v->item == i && v->geom == g &&
                        v->prof == p) {
                        rb_add(&rb, j, 1.0);
                        any_v = true;
                    }
                }
                if (!any_v) {
                    rb.n = 0;
                    continue;
                }
                for (int j = 0; j < md->nv; j++)
                    if (md->v[j].kind == 'x' && md->v[j].item == i &&
                        md->v[j].geom == g)
                        rb_add(&rb, j, -cnt(it, g, p));
                ROW('L', 0.0);
            }
        }
    }
    /* per-GPU caps of spread tenants */
    for (int c = 0; c < s->nclasses && !rc; c++) {
        const cls *cl = &s->classes[c];
        if (cl->cap <= 0)
            continue;
        for (int i = 0; i < s->nitems; i++)
            for (int g = 0; g < s->items[i].geoms.n; g++) {
                bool any = false;
                for (int j = 0; j < md->nv; j++) {
                    const var *v = &md->v[j];
                    if (v->kind == 'v' && v->cls == c && v->item == i &&
                        v->geom == g) {
                        rb_add(&rb, j, 1.0);
                        any = true;
                    }
                }
                if (!any) {
                    rb.n = 0;
                    continue;
                }
                for (int j = 0; j < md->nv; j++)
                    if (md->v[j].kind == 'x' && md->v[j].item == i &&
                        md->v[j].geom == g)
                        rb_add(&rb, j, -cl->cap);
                ROW('L', 0.0);
            }
    }
    /* demand */
    for (int c = 0; c < s->nclasses && !rc; c++) {
        for (int j = 0; j < md->nv; j++)
            if ((md->v[j].kind == 'y' || md->v[j].kind == 'v') &&
                md->v[j].cls == c)
                rb_add(&rb, j, 1.0);
        if (rb.n == 0) {
            rc = MP_EINFEASIBLE;
            break;
        }
        ROW('E', (double)s->classes[c].demand);
    }
    for (int t = 0; t < r->n_tenants && !rc; t++) {
        if (!is_whole(&r->tenants[t]))
            continue;
        for (int j = 0; j < md->nv; j++)
            if (md->v[j].kind == 'w' && md->v[j].tenant == t)
                rb_add(&rb, j, 1.0);
        if (rb.n == 0) {
            rc = MP_EINFEASIBLE;
            break;
        }
        ROW('E', (double)r->tenants[t].replicas);
    }
    /* fleet counts */
    for (int i = 0; i < s->nitems && !rc; i++) {
        if (s->items[i].count < 0)
            continue;
        for (int j = 0; j < md->nv; j++)
            if ((md->v[j].kind == 'x' || md->v[j].kind == 'w') &&
                md->v[j].item == i)
                rb_add(&rb, j, 1.0);
        if (rb.n)
            ROW('L', (double)s->items[i].count);
    }
    if (cost_cap >= 0 && !rc) {
        for (int j = 0; j < md->nv; j++)
            if (md->cost[j] != 0.0)
                rb_add(&rb, j, md->cost[j]);
        ROW('L', cost_cap + 1e-6);
    }
#undef ROW
    free(rb.idx);
    free(rb.val);
    return rc;
}

/* ----------------------------------------------- integral assignment */

/* The exact assignment for integral x and w: a max-flow from classes to
 * profile slots (capped classes through per-pattern caps). alloc receives
 * per variable index the integral amount of y / v (NULL: just check). */
static int assign_flow(solver *s, const model *md, const double *x,
                       long long *alloc, bool *ok)
{
    /* nodes: S, T, classes, (i,p), (i,g,p), (c,i,g) for capped */
    int P = MP_MAX_PROFILES;
    int G = 0;
    for (int i = 0; i < s->nitems; i++)
        if (s->items[i].geoms.n > G)
            G = s->items[i].geoms.n;
    int base_cls = 2, base_ip = base_cls + s->nclasses;
    int base_igp = base_ip + s->nitems * P;
    int base_cig = base_igp + s->nitems * (G ? G : 1) * P;
    int ncapped = 0;
    for (int c = 0; c < s->nclasses; c++)
        ncapped += s->classes[c].cap > 0;
    int nodes = base_cig + ncapped * s->nitems * (G ? G : 1) + 1;
    mp_flow *f = mp_flow_new(nodes);
    int *edge = malloc((size_t)(md->nv ? md->nv : 1) * sizeof(int));
    if (!f || !edge) {
        mp_flow_free(f);
        free(edge);
        return MP_ENOMEM;
    }
    long long want = 0;
    for (int c = 0; c < s->nclasses; c++) {
        mp_flow_add_edge(f, 0, base_cls + c, s->classes[c].demand);
        want += s->classes[c].demand;
    }
    /* pattern-profile supply */
    for (int i = 0; i < s->nitems; i++) {
        const item *it = &s->items[i];
        for (int g = 0; g < it->geoms.n; g++) {
            long long ng = 0;
            for (int j = 0; j < md->nv; j++)
                if (md->v[j].kind == 'x' && md->v[j].item == i &&
                    md->v[j].geom == g)
                    ng = llround(x[j]);
            if (ng == 0)
                continue;
            for (int p = 0; p < it->m->n_profiles; p++) {
                if (!cnt(it, g, p))
                    continue;
                int node = base_igp + (i * G + g) * P + p;
                mp_flow_add_edge(f, node, 1, ng * cnt(it, g, p));
                mp_flow_add_edge(f, base_ip + i * P + p, node,
                                 ng * cnt(it, g, p));
            }
        }
    }
    int ci = 0;
    for (int c = 0; c < s->nclasses; c++) {
        const cls *cl = &s->classes[c];
        if (cl->cap <= 0)
            continue;
        for (int i = 0; i < s->nitems; i++)
            for (int g = 0; g < s->items[i].geoms.n; g++) {
                long long ng = 0;
                for (int j = 0; j < md->nv; j++)
                    if (md->v[j].kind == 'x' && md->v[j].item == i &&
                        md->v[j].geom == g)
                        ng = llround(x[j]);
                mp_flow_add_edge(f, base_cls + c,
                                 base_cig + (ci * s->nitems + i) * G + g,
                                 ng * cl->cap);
            }
        ci++;
    }
    ci = 0;
    int capped_index[MAX_CLASSES];
    for (int c = 0; c < s->nclasses; c++)
        capped_index[c] = s->classes[c].cap > 0 ? ci++ : -1;
    for (int j = 0; j < md->nv; j++) {
        const var *v = &md->v[j];
        edge[j] = -1;
        if (v->kind == 'y')
            edge[j] = mp_flow_add_edge(f, base_cls + v->cls,
                                       base_ip + v->item * P + v->prof,
                                       (long long)1 << 40);
        else if (v->kind == 'v')
            edge[j] = mp_flow_add_edge(
                f,
                base_cig + (capped_index[v->cls] * s->nitems + v->item) * G +
                    v->geom,
                base_igp + (v->item * G + v->geom) * P + v->prof,
                (long long)1 << 40);
    }
    long long got = mp_flow_max(f, 0, 1);
    *ok = got == want;
    if (alloc)
        for (int j = 0; j < md->nv; j++)
            alloc[j] = edge[j] >= 0 ? mp_flow_edge_flow(f, edge[j]) : 0;
    mp_flow_free(f);
    free(edge);
    return 0;
}

/* ------------------------------------------------- branch and bound */

typedef struct bb {
    solver *s;
    model *md;
    double *x;
    double *best;
    double best_obj;
    bool have;
    bool first_only; /* stop at the first feasible solution */
    bool timeout;
    double open_bound; /* smallest bound among nodes left unexplored */
    double root_bound;
    bool root_infeasible;
    double deadline; /* this search's own deadline (<= the solver's) */
    long node_limit; /* 0: none */
    long nodes;
} bb;

/* Plan costs are sums of fleet costs, so they lie on a lattice: round a
 * relaxation bound up to it. */
static double bound_of(const bb *b, double obj)
{
    double st = b->s->cost_step;
    if (st <= 0)
        return obj;
    return ceil((obj - 1e-6) / st) * st;
}

static long long gcd_ll(long long a, long long b)
{
    while (b) {
        long long t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* The lattice step of the fleet's costs, when they have few decimals. */
static double cost_lattice(const solver *s)
{
    for (double scale = 1; scale <= 1e6; scale *= 10) {
        long long g = 0;
        bool ok = true;
        for (int i = 0; i < s->nitems && ok; i++) {
            double v = s->items[i].cost * scale;
            ok = fabs(v - llround(v)) < 1e-6 && v < 1e12;
            if (ok)
                g = gcd_ll(g, llround(v));
        }
        if (ok && g > 0)
            return (double)g / scale;
    }
    return 0;
}

static int bb_node(bb *b, int depth, double parent_bound)
{
    solver *s = b->s;
    if (b->have && b->first_only)
        return 0;
    if (now_s() > b->deadline || depth > 400 ||
        (b->node_limit && b->nodes >= b->node_limit)) {
        b->timeout = true;
        if (parent_bound < b->open_bound)
            b->open_bound = parent_bound;
        return 0;
    }
    s->nodes++;
    b->nodes++;
    s->lp_solves++;
    double obj;
    int rc = mp_lp_solve(b->md->lp, b->x, &obj);
    if (rc == MP_LP_NOMEM)
        return MP_ENOMEM;
    if (rc == MP_LP_INFEASIBLE) {
        if (depth == 0)
            b->root_infeasible = true;
        return 0;
    }
    if (rc != MP_LP_OPTIMAL) {
        /* cannot trust this node: leave it open */
        b->timeout = true;
        if (parent_bound < b->open_bound)
            b->open_bound = parent_bound;
        return 0;
    }
    double bound = bound_of(b, obj);
    if (depth == 0)
        b->root_bound = bound;
    if (b->have && bound >= b->best_obj - 1e-9)
        return 0;
    /* branch on the most fractional integer variable */
    int j = -1;
    double frac_best = 1e-6;
    for (int k = 0; k < b->md->nv; k++) {
        if (!b->md->is_int[k])
            continue;
        double fr = b->x[k] - floor(b->x[k]);
        double d = fr < 0.5 ? fr : 1.0 - fr;
        if (d > frac_best + 1e-12) {
            frac_best = d;
            j = k;
        }
    }
    if (j < 0) {
        bool ok;
        if (assign_flow(s, b->md, b->x, NULL, &ok))
            return MP_ENOMEM;
        if (!ok)
            return 0; /* LP said yes, integers say no: discard */
        double cost = 0;
        for (int k = 0; k < b->md->nv; k++)
            cost += b->md->cost[k] * round(b->x[k]);
        if (!b->have || cost < b->best_obj - 1e-9) {
            b->have = true;
            b->best_obj = cost;
            for (int k = 0; k < b->md->nv; k++)
                b->best[k] = b->md->is_int[k] ? round(b->x[k]) : b->x[k];
        }
        return 0;
    }
    double xv = b->x[j], lo, hi;
    mp_lp_get_bounds(b->md->lp, j, &lo, &hi);
    /* up first: covering problems find feasible plans there */
    mp_lp_set_bounds(b->md->lp, j, ceil(xv), hi);
    rc = bb_node(b, depth + 1, bound);
    mp_lp_set_bounds(b->md->lp, j, lo, hi);
    if (rc)
        return rc;
    if (floor(xv) >= lo) {
        mp_lp_set_bounds(b->md->lp, j, lo, floor(xv));
        rc = bb_node(b, depth + 1, bound);
        mp_lp_set_bounds(b->md->lp, j, lo, hi);
    }
    return rc;
}

/* ---------------------------------------------------------- greedy */

/* First fit on replicas sorted large to small: a quick incumbent and the
 * answer of last resort when the time limit stops the search. */
static bool greedy(solver *s, model *md, double *xout)
{
    const mp_request *r = s->req;
    typedef struct ggpu {
        int item;
        int count[MP_MAX_PROFILES];
    } ggpu;
    int used[MP_MAX_FLEET] = {0};
    for (int j = 0; j < md->nv; j++)
        xout[j] = 0;
    /* whole GPUs */
    for (int t = 0; t < r->n_tenants; t++) {
        if (!is_whole(&r->tenants[t]))
            continue;
        for (int k = 0; k < r->tenants[t].replicas; k++) {
            int best = -1;
            for (int j = 0; j < md->nv; j++) {
                const var *v = &md->v[j];
                if (v->kind != 'w' || v->tenant != t)
                    continue;
                const item *it = &s->items[v->item];
                if (it->count >= 0 && used[v->item] >= it->count)
                    continue;
                if (best < 0 || it->cost < s->items[md->v[best].item].cost)
                    best = j;
            }
            if (best < 0)
                return false;
            xout[best] += 1;
            used[md->v[best].item]++;
        }
    }
    /* replicas, largest classes first */
    int *order = malloc((size_t)(s->nclasses ? s->nclasses : 1) * sizeof(int));
    ggpu *gp = NULL;
    int ng = 0, gcap = 0;
    bool ok = order != NULL;
    for (int c = 0; ok && c < s->nclasses; c++)
        order[c] = c;
    for (int a = 1; ok && a < s->nclasses; a++) {
        int x = order[a], b = a - 1;
        /* key: slices of the smallest profile the class can use */
        int kx = 99, kb;
        for (int i = 0; i < s->nitems; i++)
            for (int p = 0; p < s->items[i].m->n_profiles; p++)
                if (s->classes[x].elig[i] & (1u << p)) {
                    int sz = s->items[i].m->profiles[p].memory_slices * 16 +
                             s->items[i].m->profiles[p].compute_slices;
                    if (sz < kx)
                        kx = sz;
                }
        while (b >= 0) {
            kb = 99;
            int cb = order[b];
            for (int i = 0; i < s->nitems; i++)
                for (int p = 0; p < s->items[i].m->n_profiles; p++)
                    if (s->classes[cb].elig[i] & (1u << p)) {
                        int sz = s->items[i].m->profiles[p].memory_slices * 16 +
                                 s->items[i].m->profiles[p].compute_slices;
                        if (sz < kb)
                            kb = sz;
                    }
            if (kb >= kx)
                break;
            order[b + 1] = order[b];
            b--;
        }
        order[b + 1] = x;
    }
    for (int oc = 0; ok && oc < s->nclasses; oc++) {
        const cls *cl = &s->classes[order[oc]];
        for (long long k = 0; ok && k < cl->demand; k++) {
            bool placed = false;
            /* the newest GPUs are the ones with room: look back a little */
            for (int gi = ng - 1; gi >= 0 && gi >= ng - 24 && !placed; gi--) {
                const mp_model *m = s->items[gp[gi].item].m;
                for (int p = 0; p < m->n_profiles && !placed; p++) {
                    if (!(cl->elig[gp[gi].item] & (1u << p)))
                        continue;
                    gp[gi].count[p]++;
                    if (mp_geom_fit_counts(m, gp[gi].count, NULL, NULL) == 0)
                        placed = true;
                    else
                        gp[gi].count[p]--;
                }
            }
            if (placed)
                continue;
            int bi = -1;
            for (int i = 0; i < s->nitems; i++) {
                if (!cl->elig[i])
                    continue;
                if (s->items[i].count >= 0 && used[i] >= s->items[i].count)
                    continue;
                if (bi < 0 || s->items[i].cost < s->items[bi].cost)
                    bi = i;
            }
            if (bi < 0) {
                ok = false;
                break;
            }
            if (ng == gcap) {
                gcap = gcap ? gcap * 2 : 64;
                ggpu *n2 = realloc(gp, (size_t)gcap * sizeof(*gp));
                if (!n2) {
                    ok = false;
                    break;
                }
                gp = n2;
            }
            memset(&gp[ng], 0, sizeof(gp[ng]));
            gp[ng].item = bi;
            used[bi]++;
            const mp_model *m = s->items[bi].m;
            for (int p = 0; p < m->n_profiles; p++)
                if (cl->elig[bi] & (1u << p)) {
                    gp[ng].count[p] = 1;
                    break;
                }
            ng++;
        }
    }
    /* each GPU's geometry extended to a maximal one of the model */
    for (int gi = 0; ok && gi < ng; gi++) {
        item *it = &s->items[gp[gi].item];
        const mp_model *m = it->m;
        bool grew = true;
        while (grew) {
            grew = false;
            for (int p = 0; p < m->n_profiles; p++) {
                if (!it->useful[p])
                    continue;
                gp[gi].count[p]++;
                if (mp_geom_fit_counts(m, gp[gi].count, NULL, NULL) == 0) {
                    grew = true;
                    break;
                }
                gp[gi].count[p]--;
            }
        }
        int found = -1;
        for (int g = 0; g < it->geoms.n && found < 0; g++) {
            bool same = true;
            for (int p = 0; p < m->n_profiles && same; p++)
                same = it->geoms.v[g].count[p] == gp[gi].count[p];
            if (same)
                found = g;
        }
        if (found < 0) {
            ok = false;
            break;
        }
        for (int j = 0; j < md->nv; j++)
            if (md->v[j].kind == 'x' && md->v[j].item == gp[gi].item &&
                md->v[j].geom == found)
                xout[j] += 1;
    }
    free(order);
    free(gp);
    if (!ok)
        return false;
    bool fl;
    if (assign_flow(s, md, xout, NULL, &fl))
        return false;
    return fl;
}

/* Search md within the bounds the caller set, for a plan cheaper than
 * main's, with a node and time budget; main takes what it finds. */
static int sub_search(solver *s, model *md, bb *main, long nodes,
                      double deadline)
{
    bb d;
    memset(&d, 0, sizeof(d));
    d.s = s;
    d.md = md;
    d.open_bound = INFINITY;
    d.node_limit = nodes;
    d.deadline = deadline < s->deadline ? deadline : s->deadline;
    d.x = malloc((size_t)md->nv * sizeof(double));
    d.best = malloc((size_t)md->nv * sizeof(double));
    int rc = 0;
    if (!d.x || !d.best) {
        rc = MP_ENOMEM;
    } else {
        if (main->have) {
            d.have = true;
            d.best_obj = main->best_obj;
            memcpy(d.best, main->best, (size_t)md->nv * sizeof(double));
        }
        rc = bb_node(&d, 0, -INFINITY);
        if (!rc && d.have &&
            (!main->have || d.best_obj < main->best_obj - 1e-9)) {
            main->have = true;
            main->best_obj = d.best_obj;
            memcpy(main->best, d.best, (size_t)md->nv * sizeof(double));
        }
    }
    free(d.x);
    free(d.best);
    return rc;
}

/* Below this many replicas plain branch and bound proves the optimum in
 * milliseconds and heuristics only cost time. */
#define HEURISTICS_FROM 400

/* Primal heuristics for big instances, within a quarter of the time left:
 *   - a dive: keep every pattern the root LP uses whole times
 *     (x >= floor(x*)) and search only what is left;
 *   - large neighbourhoods: per fleet entry, let its GPUs change freely
 *     while every other entry may only give GPUs up (so demand can move
 *     to cheaper models), again while that improves the plan.
 * Plain branch and bound then starts from the best plan found. */
static int heuristics(solver *s, model *md, const double *xlp, bb *main)
{
    double *lo = malloc((size_t)md->nv * sizeof(double));
    double *hi = malloc((size_t)md->nv * sizeof(double));
    if (!lo || !hi) {
        free(lo);
        free(hi);
        return MP_ENOMEM;
    }
    for (int j = 0; j < md->nv; j++)
        mp_lp_get_bounds(md->lp, j, &lo[j], &hi[j]);
    double t0 = now_s(), end = t0 + (s->deadline - t0) / 4;
    for (int j = 0; j < md->nv; j++) {
        double f = floor(xlp[j] + 1e-9);
        if (md->is_int[j] && f > lo[j] && (hi[j] < 0 || f <= hi[j]))
            mp_lp_set_bounds(md->lp, j, f, hi[j]);
    }
    int rc = sub_search(s, md, main, 2000, t0 + (end - t0) / 3);
    for (int j = 0; j < md->nv; j++)
        mp_lp_set_bounds(md->lp, j, lo[j], hi[j]);
    for (bool better = true;
         !rc && better && main->have && s->nitems > 1 && now_s() < end;) {
        better = false;
        for (int i = 0; i < s->nitems && !rc && now_s() < end; i++) {
            double before = main->best_obj;
            for (int j = 0; j < md->nv; j++)
                if (md->is_int[j] && md->v[j].item != i)
                    mp_lp_set_bounds(md->lp, j, lo[j],
                                     fmax(lo[j], main->best[j]));
            rc = sub_search(s, md, main, 400, end);
            for (int j = 0; j < md->nv; j++)
                mp_lp_set_bounds(md->lp, j, lo[j], hi[j]);
            better |= main->best_obj < before - 1e-9;
        }
    }
    free(lo);
    free(hi);
    return rc;
}

/* Solve a model: greedy start, heuristics from the root LP, then branch
 * and bound. */
static int solve_model(solver *s, model *md, bool first_only, bb *out)
{
    memset(out, 0, sizeof(*out));
    out->s = s;
    out->md = md;
    out->first_only = first_only;
    out->open_bound = INFINITY;
    out->deadline = s->deadline;
    out->x = malloc((size_t)md->nv * sizeof(double));
    out->best = malloc((size_t)md->nv * sizeof(double));
    if (!out->x || !out->best)
        return MP_ENOMEM;
    double *g = malloc((size_t)md->nv * sizeof(double));
    if (!g)
        return MP_ENOMEM;
    if (greedy(s, md, g)) {
        double cost = 0;
        for (int j = 0; j < md->nv; j++)
            cost += md->cost[j] * g[j];
        /* the greedy plan ignores the cost row: keep it only within it */
        if (md->cost_cap < 0 || cost <= md->cost_cap + 1e-6) {
            out->have = true;
            out->best_obj = cost;
            memcpy(out->best, g, (size_t)md->nv * sizeof(double));
        }
    }
    if (out->have && first_only) {
        free(g);
        return 0;
    }
    long pivots_before = mp_lp_pivots(md->lp);
    int rc = 0;
    /* the root LP, and a dive from it unless the greedy plan already meets
     * the bound */
    double obj;
    int lrc = mp_lp_solve(md->lp, g, &obj);
    s->lp_solves++;
    if (lrc == MP_LP_NOMEM)
        rc = MP_ENOMEM;
    else if (lrc == MP_LP_OPTIMAL && !first_only &&
             s->req->total_replicas >= HEURISTICS_FROM &&
             (!out->have || out->best_obj > bound_of(out, obj) + 1e-9))
        rc = heuristics(s, md, g, out);
    free(g);
    if (!rc)
        rc = bb_node(out, 0, -INFINITY);
    s->pivots += mp_lp_pivots(md->lp) - pivots_before;
    return rc;
}

/* --------------------------------------------------- building a plan */

typedef struct slot {
    int profile;
    int tenant; /* -1 free */
} slot;

typedef struct wgpu {
    int item;
    int geom; /* -1 for a whole GPU */
    int whole_tenant;
    slot slots[MP_MAX_GIS];
    int nslots;
} wgpu;

/* Count of tenant t on a GPU. */
static int on_gpu(const wgpu *g, int t)
{
    int n = 0;
    for (int k = 0; k < g->nslots; k++)
        n += g->slots[k].tenant == t;
    return n;
}

/* Place one replica of t into a free slot of profile p on one of the GPUs
 * [lo, hi) of item i (pattern geom when >= 0), choosing for a spread
 * tenant the GPU where it has the fewest replicas, else the first. */
static bool put(wgpu *gpus, int ng, int item_i, int geom, int p, int t,
                bool spread)
{
    int best = -1, best_n = 1 << 30;
    for (int k = 0; k < ng; k++) {
        wgpu *g = &gpus[k];
        if (g->item != item_i || g->geom < 0 || (geom >= 0 && g->geom != geom))
            continue;
        bool free_slot = false;
        for (int q = 0; q < g->nslots && !free_slot; q++)
            free_slot = g->slots[q].profile == p && g->slots[q].tenant < 0;
        if (!free_slot)
            continue;
        int n = spread ? on_gpu(g, t) : 0;
        if (n < best_n) {
            best = k;
            best_n = n;
            if (!spread)
                break;
        }
    }
    if (best < 0)
        return false;
    for (int q = 0; q < gpus[best].nslots; q++)
        if (gpus[best].slots[q].profile == p &&
            gpus[best].slots[q].tenant < 0) {
            gpus[best].slots[q].tenant = t;
            return true;
        }
    return false;
}

/* Expand an integral solution into GPUs and hand every replica a slot. */
static int expand(solver *s, const model *md, const double *x,
                  const long long *alloc, wgpu **out, int *nout)
{
    const mp_request *r = s->req;
    int ng = 0;
    for (int j = 0; j < md->nv; j++)
        if (md->v[j].kind == 'x' || md->v[j].kind == 'w')
            ng += (int)llround(x[j]);
    wgpu *gpus = calloc((size_t)(ng ? ng : 1), sizeof(*gpus));
    if (!gpus)
        return MP_ENOMEM;
    int k = 0;
    for (int j = 0; j < md->nv; j++) {
        const var *v = &md->v[j];
        int n = (int)llround(x[j]);
        for (int c = 0; c < n && (v->kind == 'x' || v->kind == 'w'); c++) {
            wgpu *g = &gpus[k++];
            g->item = v->item;
            g->whole_tenant = -1;
            g->geom = -1;
            if (v->kind == 'w') {
                g->whole_tenant = v->tenant;
                continue;
            }
            g->geom = v->geom;
            const item *it = &s->items[v->item];
            for (int p = 0; p < it->m->n_profiles; p++)
                for (int q = 0; q < cnt(it, v->geom, p); q++)
                    g->slots[g->nslots++] = (slot){p, -1};
        }
    }
    /* quotas per variable from the flow; share each class's quota among its
     * tenants, spread tenants first */
    long long *left = malloc((size_t)(md->nv ? md->nv : 1) * sizeof(long long));
    if (!left) {
        free(gpus);
        return MP_ENOMEM;
    }
    memcpy(left, alloc, (size_t)md->nv * sizeof(long long));
    for (int pass = 0; pass < 2; pass++) {
        for (int c = 0; c < s->nclasses; c++) {
            const cls *cl = &s->classes[c];
            for (int m = 0; m < cl->ntenants; m++) {
                int t = cl->tenants[m];
                const mp_tenant *tn = &r->tenants[t];
                if (tn->spread != (pass == 0))
                    continue;
                for (int rep = 0; rep < tn->replicas; rep++) {
                    bool placed = false;
                    /* a spread tenant takes the quota whose GPUs hold the
                     * fewest of it; others take quotas in order */
                    int pick = -1, pick_n = 1 << 30;
                    for (int j = 0; j < md->nv; j++) {
                        const var *v = &md->v[j];
                        if ((v->kind != 'y' && v->kind != 'v') || v->cls != c ||
                            left[j] <= 0)
                            continue;
                        if (!tn->spread) {
                            pick = j;
                            break;
                        }
                        int least = 1 << 30;
                        for (int gi = 0; gi < ng; gi++) {
                            const wgpu *g = &gpus[gi];
                            if (g->item != v->item || g->geom < 0 ||
                                (v->kind == 'v' && g->geom != v->geom))
                                continue;
                            bool fs = false;
                            for (int q = 0; q < g->nslots && !fs; q++)
                                fs = g->slots[q].profile == v->prof &&
                                     g->slots[q].tenant < 0;
                            int n = on_gpu(g, t);
                            if (fs && n < least)
                                least = n;
                        }
                        if (least < pick_n) {
                            pick_n = least;
                            pick = j;
                        }
                    }
                    if (pick >= 0) {
                        const var *v = &md->v[pick];
                        placed = put(gpus, ng, v->item,
                                     v->kind == 'v' ? v->geom : -1, v->prof, t,
                                     tn->spread);
                        if (placed)
                            left[pick]--;
                    }
                    if (!placed) {
                        free(left);
                        free(gpus);
                        return MP_EINTERNAL;
                    }
                }
            }
        }
    }
    free(left);
    *out = gpus;
    *nout = ng;
    return 0;
}

/* ---- per GPU: re-choose profiles for its tenants to leave the most
 * usable capacity, then place them ---- */

typedef struct tidy_ctx {
    const mp_model *m;
    int groups; /* distinct tenants on the GPU */
    int tenant[MP_MAX_GIS];
    int need[MP_MAX_GIS]; /* replicas of each */
    uint32_t elig[MP_MAX_GIS];
    int choice[MP_MAX_GIS][MP_MAX_PROFILES];
    int best_choice[MP_MAX_GIS][MP_MAX_PROFILES];
    long best_score[5];
    bool have;
    int count[MP_MAX_PROFILES];
    int mem, comp; /* memory and compute slices of count */
    long budget;
    /* many choices give the same profile counts: each is placed and
     * scored once (open addressing on the counts) */
    struct tidy_leaf {
        unsigned char count[MP_MAX_PROFILES];
        bool used, fits;
        long score[5];
    } leaf[512];
} tidy_ctx;

/* The cached leaf for t->count, or NULL when the cache is full. */
static struct tidy_leaf *tidy_leaf_of(tidy_ctx *t, bool *fresh)
{
    unsigned char key[MP_MAX_PROFILES];
    uint32_t h = 2166136261u;
    for (int p = 0; p < MP_MAX_PROFILES; p++) {
        key[p] = (unsigned char)t->count[p];
        h = (h ^ key[p]) * 16777619u;
    }
    for (int probe = 0; probe < 512; probe++) {
        struct tidy_leaf *e = &t->leaf[(h + (uint32_t)probe) & 511u];
        if (!e->used) {
            e->used = true;
            memcpy(e->count, key, sizeof(key));
            *fresh = true;
            return e;
        }
        if (memcmp(e->count, key, sizeof(key)) == 0) {
            *fresh = false;
            return e;
        }
    }
    return NULL;
}

static void score(const mp_layout *l, long *sc)
{
    mp_capacity c;
    mp_geom_capacity(l, &c);
    const mp_model *m = l->model;
    mp_geom_room(l, &c, sc);
    /* keep media-extended profiles free for tenants that need them */
    int media = 0;
    for (int i = 0; i < l->n; i++)
        media += (m->profiles[l->gi[i].profile].flags & MP_GI_MEDIA) != 0;
    sc[2] = -media;
    /* memory nobody else could use is better given to a tenant */
    sc[3] = -c.stranded_memory;
    sc[4] = -(c.memory_used * 100 + c.compute_used);
}

static bool score_better(const long *a, const long *b)
{
    for (int i = 0; i < 5; i++)
        if (a[i] != b[i])
            return a[i] > b[i];
    return false;
}

static void tidy_rec(tidy_ctx *t, int gi, int p, int left)
{
    if (--t->budget < 0)
        return;
    const mp_model *m = t->m;
    if (gi == t->groups) {
        bool fresh = true;
        struct tidy_leaf *e = tidy_leaf_of(t, &fresh);
        long sc[5];
        if (e && !fresh) {
            if (!e->fits)
                return;
            memcpy(sc, e->score, sizeof(sc));
        } else {
            mp_layout l;
            bool fits = mp_geom_fit_counts(m, t->count, &l, NULL) == 0;
            if (fits)
                score(&l, sc);
            if (e) {
                e->fits = fits;
                if (fits)
                    memcpy(e->score, sc, sizeof(sc));
            }
            if (!fits)
                return;
        }
        if (!t->have || score_better(sc, t->best_score)) {
            t->have = true;
            memcpy(t->best_score, sc, sizeof(sc));
            memcpy(t->best_choice, t->choice, sizeof(t->choice));
        }
        return;
    }
    if (left == 0) {
        tidy_rec(t, gi + 1, 0, gi + 1 < t->groups ? t->need[gi + 1] : 0);
        return;
    }
    for (int q = p; q < m->n_profiles; q++) {
        if (!(t->elig[gi] & (1u << q)))
            continue;
        /* prune on memory and compute sums */
        int mem = t->mem + m->profiles[q].memory_slices;
        int comp = t->comp + m->profiles[q].compute_slices;
        if (mem > m->units || comp > m->compute_slices)
            continue;
        t->count[q]++;
        t->choice[gi][q]++;
        t->mem = mem;
        t->comp = comp;
        tidy_rec(t, gi, q, left - 1);
        t->mem -= m->profiles[q].memory_slices;
        t->comp -= m->profiles[q].compute_slices;
        t->count[q]--;
        t->choice[gi][q]--;
    }
}

/* Identical GPUs (same model, same tenants' needs) are common in racks and
 * fleets; each distinct one is tidied and placed once. Tenants enter the
 * key by what they can use, so GPUs of different tenants with the same
 * needs share an entry. */
typedef struct tidy_memo {
    int item, groups;
    uint32_t elig[MP_MAX_GIS];
    int need[MP_MAX_GIS];
    int n;
    mp_plan_inst inst[MP_MAX_GIS]; /* tenant = group index */
    bool driver_order, driver_exact;
} tidy_memo;

static const tidy_memo *memo_find(const solver *s, const tidy_memo *key)
{
    for (int i = 0; i < s->nmemo; i++) {
        const tidy_memo *e = &s->memo[i];
        if (e->item == key->item && e->groups == key->groups &&
            memcmp(e->elig, key->elig, sizeof(e->elig)) == 0 &&
            memcmp(e->need, key->need, sizeof(e->need)) == 0)
            return e;
    }
    return NULL;
}

static void memo_add(solver *s, const tidy_memo *e)
{
    if (s->nmemo == s->capmemo) {
        int nc = s->capmemo ? s->capmemo * 2 : 32;
        tidy_memo *n = realloc(s->memo, (size_t)nc * sizeof(*n));
        if (!n)
            return; /* the cache is an optimisation only */
        s->memo = n;
        s->capmemo = nc;
    }
    s->memo[s->nmemo++] = *e;
}

static int finish_gpu(solver *s, const wgpu *g, mp_plan_gpu *pg)
{
    const mp_request *r = s->req;
    const item *it = &s->items[g->item];
    const mp_model *m = it->m;
    pg->fleet = g->item;
    pg->model = m;
    pg->used = true;
    pg->whole_tenant = g->whole_tenant;
    pg->whole_replica = -1;
    pg->mig_enabled = g->whole_tenant < 0;
    if (!pg->mig_enabled)
        return 0;
    tidy_ctx t;
    memset(&t, 0, sizeof(t));
    t.m = m;
    t.budget = 20000;
    int keep[MP_MAX_PROFILES] = {0}; /* the solver's own choice */
    for (int q = 0; q < g->nslots; q++) {
        int tn = g->slots[q].tenant;
        if (tn < 0)
            continue;
        keep[g->slots[q].profile]++;
        int k;
        for (k = 0; k < t.groups; k++)
            if (t.tenant[k] == tn)
                break;
        if (k == t.groups) {
            t.tenant[k] = tn;
            t.elig[k] = eligible_mask(&r->tenants[tn], it);
            t.groups++;
        }
        t.need[k]++;
    }
    tidy_memo key;
    memset(&key, 0, sizeof(key));
    key.item = g->item;
    key.groups = t.groups;
    memcpy(key.elig, t.elig, sizeof(key.elig));
    memcpy(key.need, t.need, sizeof(key.need));
    const tidy_memo *hit = s->o->no_tidy ? NULL : memo_find(s, &key);
    if (hit) {
        pg->n = hit->n;
        pg->driver_order = hit->driver_order;
        pg->driver_exact = hit->driver_exact;
        for (int q = 0; q < hit->n; q++) {
            pg->inst[q] = hit->inst[q];
            pg->inst[q].tenant = t.tenant[hit->inst[q].tenant];
        }
        return 0;
    }
    int counts[MP_MAX_PROFILES];
    int per_tenant[MP_MAX_GIS][MP_MAX_PROFILES];
    memset(per_tenant, 0, sizeof(per_tenant));
    if (!s->o->no_tidy && t.groups > 0)
        tidy_rec(&t, 0, 0, t.need[0]);
    if (t.have) {
        memset(counts, 0, sizeof(counts));
        for (int k = 0; k < t.groups; k++)
            for (int p = 0; p < m->n_profiles; p++) {
                per_tenant[k][p] = t.best_choice[k][p];
                counts[p] += t.best_choice[k][p];
            }
    } else {
        memcpy(counts, keep, sizeof(counts));
        for (int q = 0; q < g->nslots; q++) {
            int tn = g->slots[q].tenant;
            for (int k = 0; tn >= 0 && k < t.groups; k++)
                if (t.tenant[k] == tn)
                    per_tenant[k][g->slots[q].profile]++;
        }
    }
    mp_layout l;
    if (mp_geom_fit_counts_best(m, counts, &l, NULL) != 0)
        return MP_EINTERNAL;
    mp_geom_sort_largest_first(&l);
    int order[MP_MAX_GIS];
    bool exact = false;
    mp_layout drv;
    pg->driver_order = mp_geom_creation_order(&l, order, &exact, &drv) == 0;
    pg->driver_exact = pg->driver_order && exact;
    pg->n = l.n;
    for (int k = 0; k < l.n; k++) {
        const mp_gi *gi = &l.gi[pg->driver_order ? order[k] : k];
        pg->inst[k].profile = gi->profile;
        pg->inst[k].start = gi->start;
        pg->inst[k].tenant = -1;
        pg->inst[k].replica = -1;
    }
    /* hand instances to tenants: each tenant's profiles, in tenant order */
    key.n = pg->n;
    key.driver_order = pg->driver_order;
    key.driver_exact = pg->driver_exact;
    for (int k = 0; k < t.groups; k++)
        for (int p = 0; p < m->n_profiles; p++)
            for (int c = 0; c < per_tenant[k][p]; c++)
                for (int q = 0; q < pg->n; q++)
                    if (pg->inst[q].profile == p && pg->inst[q].tenant < 0) {
                        pg->inst[q].tenant = t.tenant[k];
                        key.inst[q] = pg->inst[q];
                        key.inst[q].tenant = k;
                        break;
                    }
    if (!s->o->no_tidy && t.have)
        memo_add(s, &key);
    return 0;
}

static int cmp_int(const void *a, const void *b)
{
    return *(const int *)a - *(const int *)b;
}

/* A key that orders GPUs of one fleet entry: whole GPUs first, then by the
 * tenants they hold. */
static int gpu_cmp(const mp_plan_gpu *a, const mp_plan_gpu *b)
{
    if (a->fleet != b->fleet)
        return a->fleet - b->fleet;
    if (a->used != b->used)
        return a->used ? -1 : 1;
    if (a->mig_enabled != b->mig_enabled)
        return a->mig_enabled ? 1 : -1;
    if (!a->mig_enabled)
        return a->whole_tenant - b->whole_tenant;
    int ta[MP_MAX_GIS], tb[MP_MAX_GIS];
    for (int k = 0; k < a->n; k++)
        ta[k] = a->inst[k].tenant;
    for (int k = 0; k < b->n; k++)
        tb[k] = b->inst[k].tenant;
    qsort(ta, (size_t)a->n, sizeof(int), cmp_int);
    qsort(tb, (size_t)b->n, sizeof(int), cmp_int);
    for (int k = 0; k < a->n && k < b->n; k++)
        if (ta[k] != tb[k])
            return ta[k] - tb[k];
    if (a->n != b->n)
        return b->n - a->n;
    for (int k = 0; k < a->n; k++) {
        if (a->inst[k].profile != b->inst[k].profile)
            return a->inst[k].profile - b->inst[k].profile;
        if (a->inst[k].start != b->inst[k].start)
            return a->inst[k].start - b->inst[k].start;
    }
    return 0;
}

static void sort_gpus(mp_plan_gpu *g, int n)
{
    for (int a = 1; a < n; a++) {
        mp_plan_gpu x = g[a];
        int b = a - 1;
        while (b >= 0 && gpu_cmp(&g[b], &x) > 0) {
            g[b + 1] = g[b];
            b--;
        }
        g[b + 1] = x;
    }
}

static int build_plan(solver *s, const model *md, const double *x,
                      const long long *alloc)
{
    const mp_request *r = s->req;
    mp_plan *plan = s->plan;
    wgpu *gpus;
    int ng;
    int rc = expand(s, md, x, alloc, &gpus, &ng);
    if (rc)
        return rc;
    int total = ng;
    for (int i = 0; i < s->nitems; i++) {
        int used = 0;
        for (int k = 0; k < ng; k++)
            used += gpus[k].item == i;
        if (s->items[i].count > used)
            total += s->items[i].count - used;
    }
    plan->gpus = calloc((size_t)(total ? total : 1), sizeof(mp_plan_gpu));
    if (!plan->gpus) {
        free(gpus);
        return MP_ENOMEM;
    }
    for (int k = 0; k < ng && !rc; k++)
        rc = finish_gpu(s, &gpus[k], &plan->gpus[k]);
    free(gpus);
    if (rc)
        return rc;
    int n = ng;
    for (int i = 0; i < s->nitems; i++) {
        int used = 0;
        for (int k = 0; k < ng; k++)
            used += plan->gpus[k].fleet == i;
        for (int k = used; k < s->items[i].count; k++) {
            mp_plan_gpu *pg = &plan->gpus[n++];
            pg->fleet = i;
            pg->model = s->items[i].m;
            pg->used = false;
            pg->whole_tenant = -1;
            pg->whole_replica = -1;
        }
    }
    sort_gpus(plan->gpus, n);
    /* indices in fleet order; replicas numbered in GPU order */
    int *next = calloc((size_t)(r->n_tenants ? r->n_tenants : 1), sizeof(int));
    if (!next)
        return MP_ENOMEM;
    plan->cost = 0;
    plan->gpus_used = 0;
    for (int k = 0; k < n; k++) {
        mp_plan_gpu *pg = &plan->gpus[k];
        pg->index = k;
        if (pg->used) {
            plan->gpus_used++;
            plan->cost += s->items[pg->fleet].cost;
        }
        if (pg->whole_tenant >= 0)
            pg->whole_replica = next[pg->whole_tenant]++;
        /* within a GPU, number replicas by start slot */
        for (int s0 = 0; s0 < MP_MAX_UNITS; s0++)
            for (int q = 0; q < pg->n; q++)
                if (pg->inst[q].start == s0 && pg->inst[q].tenant >= 0)
                    pg->inst[q].replica = next[pg->inst[q].tenant]++;
    }
    /* sums of decimal costs: show 5.8, not 5.799999999999999 */
    plan->cost = round(plan->cost * 1e6) / 1e6;
    free(next);
    plan->n_gpus = n;
    return 0;
}

/* ------------------------------------------------------------ spread */

int mp_plan_max_per_gpu(const mp_plan *p, int t)
{
    int best = 0;
    for (int k = 0; k < p->n_gpus; k++) {
        int n = p->gpus[k].whole_tenant == t;
        for (int q = 0; q < p->gpus[k].n; q++)
            n += p->gpus[k].inst[q].tenant == t;
        if (n > best)
            best = n;
    }
    return best;
}

/* Give spread tenant t its own class (out of its eligibility class). */
static int split_tenant(solver *s, int t, int cap)
{
    int c = s->class_of[t];
    cls *old = &s->classes[c];
    if (old->ntenants == 1) {
        old->capped_tenant = t;
        old->cap = cap;
        return 0;
    }
    if (s->nclasses == MAX_CLASSES)
        return MP_EINTERNAL;
    cls *nc = &s->classes[s->nclasses];
    memset(nc, 0, sizeof(*nc));
    memcpy(nc->elig, old->elig, sizeof(nc->elig));
    nc->tenants = malloc(sizeof(int));
    if (!nc->tenants)
        return MP_ENOMEM;
    nc->tenants[0] = t;
    nc->ntenants = 1;
    nc->demand = s->req->tenants[t].replicas;
    nc->capped_tenant = t;
    nc->cap = cap;
    int k = 0;
    for (int m = 0; m < old->ntenants; m++)
        if (old->tenants[m] != t)
            old->tenants[k++] = old->tenants[m];
    old->ntenants = k;
    old->demand -= nc->demand;
    s->class_of[t] = s->nclasses;
    s->nclasses++;
    return 0;
}

/* Feasible with tenant t capped at `cap` per GPU and cost <= best? On
 * success the model and solution are returned for the plan. */
static int try_cap(solver *s, int t, int cap, double cost, model *md_out,
                   bb *b_out, bool *ok)
{
    *ok = false;
    s->classes[s->class_of[t]].cap = cap;
    model md;
    bb b;
    memset(&b, 0, sizeof(b));
    int rc = build(s, &md, cost);
    if (rc == MP_EINFEASIBLE) {
        free_model(&md);
        return 0;
    }
    if (!rc)
        rc = solve_model(s, &md, true, &b);
    if (!rc && b.have) {
        *ok = true;
        *md_out = md;
        *b_out = b;
        return 0;
    }
    free(b.x);
    free(b.best);
    free_model(&md);
    return rc;
}

/* --------------------------------------------------- the entry point */

static void fleet_too_small(solver *s)
{
    /* solve again with unlimited fleet entries: how many would it take? */
    int saved[MP_MAX_FLEET];
    for (int i = 0; i < s->nitems; i++) {
        saved[i] = s->items[i].count;
        s->items[i].count = -1;
    }
    model md;
    bb b;
    memset(&b, 0, sizeof(b));
    char *reason = s->plan->reason;
    size_t n = sizeof(s->plan->reason);
    if (build(s, &md, -1) == 0 && solve_model(s, &md, false, &b) == 0 &&
        b.have) {
        int need[MP_MAX_FLEET] = {0}, have_total = 0, need_total = 0;
        for (int j = 0; j < md.nv; j++)
            if (md.v[j].kind == 'x' || md.v[j].kind == 'w')
                need[md.v[j].item] += (int)llround(b.best[j]);
        size_t k = (size_t)snprintf(reason, n,
                                    "the fleet is too small: this request "
                                    "needs at least");
        bool first = true;
        for (int i = 0; i < s->nitems; i++) {
            need_total += need[i];
            if (saved[i] >= 0)
                have_total += saved[i];
            if (!need[i])
                continue;
            mp_catf(reason, n, &k, "%s %d x %s", first ? "" : " +", need[i],
                    s->items[i].m->id);
            first = false;
        }
        mp_catf(reason, n, &k, ", %d GPU%s%s", need_total,
                need_total == 1 ? "" : "s",
                b.timeout ? " (not proven minimal)" : "");
        mp_catf(reason, n, &k, "; the fleet has");
        first = true;
        for (int i = 0; i < s->nitems; i++) {
            if (saved[i] < 0)
                continue;
            mp_catf(reason, n, &k, "%s %d x %s", first ? "" : " +", saved[i],
                    s->items[i].m->id);
            first = false;
        }
        if (have_total < need_total && k < n)
            snprintf(reason + k, n - k, "; add at least %d GPU%s",
                     need_total - have_total,
                     need_total - have_total == 1 ? "" : "s");
        else if (k < n)
            snprintf(reason + k, n - k,
                     "; enough GPUs in all, but not of the models the tenants "
                     "need: add GPUs of the models above");
    } else {
        snprintf(reason, n,
                 "no plan exists: the tenants' needs cannot be met together on "
                 "these GPU models (check media, graphics and models "
                 "constraints)");
    }
    free(b.x);
    free(b.best);
    free_model(&md);
    for (int i = 0; i < s->nitems; i++)
        s->items[i].count = saved[i];
}

int mp_solve(const mp_db *db, const mp_request *req, const mp_solve_opts *o,
             mp_plan *out, mp_diag *d)
{
    mp_solve_opts defaults = {0};
    if (!o)
        o = &defaults;
    memset(out, 0, sizeof(*out));
    out->req = req;
    double t0 = now_s();
    solver s;
    memset(&s, 0, sizeof(s));
    s.db = db;
    s.req = req;
    s.o = o;
    s.plan = out;
    /* the search stops a little early, so that building the plan (a few
     * tens of milliseconds for thousands of GPUs) fits the limit too */
    double limit = o->time_limit > 0 ? o->time_limit : 5.0;
    s.deadline = t0 + limit - fmin(0.1 * limit, 0.25);
    int rc = setup(&s);
    if (rc) {
        free_solver(&s);
        return mp_diag_set(d, rc, req->path, 0, 0,
                           rc == MP_ENOMEM ? "out of memory"
                                           : "too many distinct tenant kinds");
    }
    out->integral_costs = s.integral_costs;
    s.cost_step = cost_lattice(&s);
    out->classes = s.nclasses;
    for (int i = 0; i < s.nitems; i++)
        out->patterns += s.items[i].geoms.n;
    /* tenants that fit nowhere */
    for (int t = 0; t < req->n_tenants; t++) {
        const mp_tenant *tn = &req->tenants[t];
        bool any = false;
        for (int i = 0; i < s.nitems; i++)
            any |= is_whole(tn)
                       ? (mp_tenant_allows(tn, s.items[i].m) &&
                          mp_tenant_fits_whole(tn, s.items[i].m, NULL, 0))
                       : eligible_mask(tn, &s.items[i]) != 0;
        if (!any) {
            explain_tenant(&s, tn, out->reason, sizeof(out->reason));
            out->seconds = now_s() - t0;
            free_solver(&s);
            return 0;
        }
    }
    model md;
    rc = build(&s, &md, -1);
    if (rc == MP_EINFEASIBLE)
        rc = 0;
    bb b;
    memset(&b, 0, sizeof(b));
    if (!rc)
        rc = solve_model(&s, &md, false, &b);
    if (rc)
        goto fail;
    out->columns = md.nv;
    out->rows = mp_lp_nrows(md.lp);
    if (!b.have) {
        if (b.timeout)
            snprintf(out->reason, sizeof(out->reason),
                     "no plan found within the time limit of %.1f s; raise "
                     "--time-limit",
                     o->time_limit > 0 ? o->time_limit : 5.0);
        else
            fleet_too_small(&s);
        goto done;
    }
    double best_cost = b.best_obj;
    double lb = b.root_infeasible ? best_cost : b.root_bound;
    if (b.timeout) {
        double open = bound_of(&b, b.open_bound);
        if (open < best_cost && open > lb)
            lb = open;
        if (lb > best_cost)
            lb = best_cost;
    } else {
        lb = best_cost; /* the search finished: proven */
    }
    out->lower_bound = round(lb * 1e6) / 1e6;
    out->optimal = !b.timeout || lb >= best_cost - 1e-9;
    out->time_limit_hit = b.timeout;
    /* spread: tenant by tenant, the smallest per-GPU cap the optimum
     * allows (bisection on feasibility with cost <= the optimum) */
    model final_md = md;
    bb final_b = b;
    long long *alloc = malloc((size_t)md.nv * sizeof(long long));
    bool ok;
    if (!alloc || assign_flow(&s, &md, b.best, alloc, &ok) || !ok) {
        free(alloc);
        rc = alloc ? MP_EINTERNAL : MP_ENOMEM;
        goto fail;
    }
    rc = build_plan(&s, &md, b.best, alloc);
    free(alloc);
    if (rc)
        goto fail;
    for (int t = 0; !o->no_spread && t < req->n_tenants; t++) {
        const mp_tenant *tn = &req->tenants[t];
        if (!tn->spread || tn->whole_gpu || tn->replicas < 2 ||
            now_s() > s.deadline)
            continue;
        int cur = mp_plan_max_per_gpu(out, t);
        int gpus = out->gpus_used;
        int lo = (tn->replicas + gpus - 1) / gpus;
        if (!s.integral_costs)
            lo = 1;
        if (cur <= lo)
            continue;
        if (split_tenant(&s, t, cur) != 0)
            break;
        int hi = cur; /* known feasible */
        model best_md = {0};
        bb best_b;
        memset(&best_b, 0, sizeof(best_b));
        bool improved = false;
        while (lo < hi && now_s() < s.deadline) {
            int mid = (lo + hi) / 2;
            model tmd;
            bb tb;
            bool feas;
            rc = try_cap(&s, t, mid, best_cost, &tmd, &tb, &feas);
            if (rc)
                goto fail;
            if (feas) {
                if (improved) {
                    free(best_b.x);
                    free(best_b.best);
                    free_model(&best_md);
                }
                best_md = tmd;
                best_b = tb;
                improved = true;
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        s.classes[s.class_of[t]].cap = hi;
        if (!improved)
            continue;
        /* rebuild the plan from the capped solution */
        long long *al = malloc((size_t)best_md.nv * sizeof(long long));
        if (!al || assign_flow(&s, &best_md, best_b.best, al, &ok) || !ok) {
            free(al);
            free(best_b.x);
            free(best_b.best);
            free_model(&best_md);
            continue;
        }
        mp_plan_gpu *old = out->gpus;
        int old_n = out->n_gpus;
        double old_cost = out->cost;
        int old_used = out->gpus_used;
        out->gpus = NULL;
        rc = build_plan(&s, &best_md, best_b.best, al);
        free(al);
        if (rc || mp_plan_max_per_gpu(out, t) > cur ||
            out->cost > best_cost + 1e-6) {
            /* keep the previous plan if the new one is not better */
            free(out->gpus);
            out->gpus = old;
            out->n_gpus = old_n;
            out->cost = old_cost;
            out->gpus_used = old_used;
            rc = 0;
        } else {
            free(old);
        }
        if (final_md.lp != md.lp) {
            free(final_b.x);
            free(final_b.best);
            free_model(&final_md);
        }
        final_md = best_md;
        final_b = best_b;
    }
    if (final_md.lp != md.lp) {
        free(final_b.x);
        free(final_b.best);
        free_model(&final_md);
    }
    out->feasible = true;
done:
    out->lp_solves = s.lp_solves;
    out->bb_nodes = s.nodes;
    out->lp_pivots = s.pivots;
    out->seconds = now_s() - t0;
    free(b.x);
    free(b.best);
    free_model(&md);
    free_solver(&s);
    if (out->feasible) {
        char why[512];
        if (mp_plan_validate(out, why, sizeof(why)) != 0)
            return mp_diag_set(d, MP_EINTERNAL, req->path, 0, 0,
                               "internal error: the plan failed its own "
                               "validation (%s); please report it",
                               why);
    }
    return 0;
fail:
    free(b.x);
    free(b.best);
    free_model(&md);
    free_solver(&s);
    mp_plan_free(out);
    return mp_diag_set(d, rc, req->path, 0, 0,
                       rc == MP_ENOMEM ? "out of memory while solving"
                                       : "internal error while solving; "
                                         "please report it");
}

void mp_plan_free(mp_plan *p)
{
    if (!p)
        return;
    free(p->gpus);
    p->gpus = NULL;
    p->n_gpus = 0;
}

/* ------------------------------------------------------- validation */

int mp_plan_validate(const mp_plan *p, char *why, size_t n)
{
    const mp_request *r = p->req;
    int *got = calloc((size_t)(r->n_tenants ? r->n_tenants : 1), sizeof(int));
    int used[MP_MAX_FLEET] = {0};
    double cost = 0;
    if (!got) {
        snprintf(why, n, "out of memory");
        return MP_ENOMEM;
    }
    int rc = 0;
    for (int k = 0; k < p->n_gpus && !rc; k++) {
        const mp_plan_gpu *g = &p->gpus[k];
        if (!g->used)
            continue;
        used[g->fleet]++;
        cost += r->fleet[g->fleet].cost;
        if (!g->mig_enabled) {
            if (g->whole_tenant < 0 || g->n) {
                snprintf(why, n, "GPU %d is MIG-disabled without one tenant",
                         g->index);
                rc = MP_EINTERNAL;
                break;
            }
            const mp_tenant *t = &r->tenants[g->whole_tenant];
            if (!t->whole_gpu || !mp_tenant_fits_whole(t, g->model, NULL, 0) ||
                !mp_tenant_allows(t, g->model)) {
                snprintf(why, n, "GPU %d does not suit %s", g->index, t->name);
                rc = MP_EINTERNAL;
                break;
            }
            got[g->whole_tenant]++;
            continue;
        }
        mp_layout l;
        l.model = g->model;
        l.n = g->n;
        for (int q = 0; q < g->n; q++) {
            l.gi[q].profile = g->inst[q].profile;
            l.gi[q].start = g->inst[q].start;
        }
        mp_fit_result res;
        if (mp_geom_validate(&l, &res) != 0) {
            snprintf(why, n, "GPU %d: %s", g->index, res.reason);
            rc = MP_EINTERNAL;
            break;
        }
        for (int q = 0; q < g->n; q++) {
            int t = g->inst[q].tenant;
            if (t < 0) {
                snprintf(why, n, "GPU %d has an instance with no tenant",
                         g->index);
                rc = MP_EINTERNAL;
                break;
            }
            const mp_tenant *tn = &r->tenants[t];
            if (!mp_tenant_allows(tn, g->model) ||
                !mp_tenant_fits_profile(tn, g->model,
                                        &g->model->profiles[g->inst[q].profile],
                                        NULL, 0)) {
                snprintf(why, n, "GPU %d gives %s a profile it cannot use",
                         g->index, tn->name);
                rc = MP_EINTERNAL;
                break;
            }
            got[t]++;
        }
    }
    for (int t = 0; t < r->n_tenants && !rc; t++)
        if (got[t] != r->tenants[t].replicas) {
            snprintf(why, n, "tenant %s has %d of %d replicas",
                     r->tenants[t].name, got[t], r->tenants[t].replicas);
            rc = MP_EINTERNAL;
        }
    for (int i = 0; i < r->n_fleet && !rc; i++)
        if (r->fleet[i].count >= 0 && used[i] > r->fleet[i].count) {
            snprintf(why, n, "%d GPUs of %s used, the fleet has %d", used[i],
                     r->fleet[i].model->id, r->fleet[i].count);
            rc = MP_EINTERNAL;
        }
    if (!rc && fabs(cost - p->cost) > 1e-6) {
        snprintf(why, n, "cost %.3f does not add up to %.3f", p->cost, cost);
        rc = MP_EINTERNAL;
    }
    free(got);
    return rc;
}
