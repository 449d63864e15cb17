/* SPDX-License-Identifier: Apache-2.0 */
/* search.c - branch and bound over the integer columns of the pattern LP.
 *
 * Depth first, up branch first (covering problems find feasible plans
 * there), on the most fractional integer column. A node whose LP bound,
 * rounded up to the lattice of plan costs, cannot beat the incumbent is
 * cut. An integral LP solution is a plan only if the max-flow assigns
 * every replica (assign.c). A node left unexplored when the time or node
 * limit stops the search keeps its parent's bound, so the search still
 * proves a lower bound.
 */
#include "solver_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Below this many replicas plain branch and bound proves the optimum in
 * milliseconds and heuristics only cost time. */
#define HEURISTICS_FROM 400
#define GREEDY_LAST_FROM 500000
#define MAX_DEPTH 400

/* One branch-and-bound run on a candidate's model, improving its plan. */
typedef struct search {
    sv_solver *s;
    sv_cand *c;
    double *x;       /* the LP solution at the current node */
    bool first_only; /* stop at the first plan */
    bool timeout;
    bool root_infeasible;
    double root_bound;
    double open_bound; /* smallest bound among nodes left unexplored */
    double deadline;   /* this run's own (<= the solver's) */
    long node_limit;   /* 0: none */
    long nodes;
} search;

double sv_bound_of(const sv_solver *s, double obj)
{
    double st = s->cost_step;
    if (st <= 0)
        return obj;
    return ceil((obj - 1e-6) / st) * st;
}

void sv_cand_free(sv_cand *c)
{
    if (!c)
        return;
    sv_model_free(&c->md);
    free(c->best);
    memset(c, 0, sizeof(*c));
}

static void leave_open(search *b, double bound)
{
    b->timeout = true;
    if (bound < b->open_bound)
        b->open_bound = bound;
}

/* The most fractional integer column among [from, to), or -1. */
static int most_fractional(const search *b, int from, int to)
{
    const sv_model *md = &b->c->md;
    int j = -1;
    double frac_best = 1e-6;
    for (int k = from; k < to; k++) {
        if (!md->v[k].is_int)
            continue;
        double fr = b->x[k] - floor(b->x[k]);
        double d = fr < 0.5 ? fr : 1.0 - fr;
        if (d > frac_best + 1e-12) {
            frac_best = d;
            j = k;
        }
    }
    return j;
}

/* The column to branch on: a fractional GPU count first (how many GPUs
 * of each model decides the cost), then the most fractional layout; -1
 * when all are integral. */
static int branch_column(const search *b)
{
    const sv_model *md = &b->c->md;
    int j = most_fractional(b, md->nv - md->ncount, md->nv);
    return j >= 0 ? j : most_fractional(b, 0, md->nv - md->ncount);
}

/* An integral LP solution: the incumbent if the replicas can be assigned
 * and it is cheaper. */
static int leaf(search *b)
{
    sv_cand *c = b->c;
    const sv_model *md = &c->md;
    bool ok;
    int rc = sv_assign(b->s, md, b->x, NULL, &ok);
    if (rc || !ok)
        return rc; /* LP said yes, integers say no: discard */
    double cost = 0;
    for (int k = 0; k < md->nv; k++)
        cost += md->v[k].cost * round(b->x[k]);
    if (!c->have || cost < c->best_obj - 1e-9) {
        c->have = true;
        c->best_obj = cost;
        for (int k = 0; k < md->nv; k++)
            c->best[k] = md->v[k].is_int ? round(b->x[k]) : b->x[k];
    }
    return 0;
}

static int node(search *b, int depth, double parent_bound);

/* Branch on column j at value xv: up first, then down. */
static int branch(search *b, int depth, int j, double xv, double bound)
{
    mp_lp *lp = b->c->md.lp;
    double lo, hi;
    mp_lp_get_bounds(lp, j, &lo, &hi);
    mp_lp_set_bounds(lp, j, ceil(xv), hi);
    int rc = node(b, depth + 1, bound);
    mp_lp_set_bounds(lp, j, lo, hi);
    if (rc || floor(xv) < lo)
        return rc;
    mp_lp_set_bounds(lp, j, lo, floor(xv));
    rc = node(b, depth + 1, bound);
    mp_lp_set_bounds(lp, j, lo, hi);
    return rc;
}

static int node(search *b, int depth, double parent_bound)
{
    sv_solver *s = b->s;
    if (b->c->have && b->first_only)
        return 0;
    if (sv_now() > fmin(b->deadline, s->deadline) || depth > MAX_DEPTH ||
        (b->node_limit && b->nodes >= b->node_limit)) {
        leave_open(b, parent_bound);
        return 0;
    }
    s->nodes++;
    b->nodes++;
    sv_progress(s, NULL, b->c); /* the callback throttles itself */
    s->lp_solves++;
    double obj;
    int rc = mp_lp_solve(b->c->md.lp, b->x, &obj);
    if (rc == MP_LP_NOMEM)
        return MP_ENOMEM;
    if (rc == MP_LP_INFEASIBLE) {
        b->root_infeasible |= depth == 0;
        return 0;
    }
    if (rc != MP_LP_OPTIMAL) {
        leave_open(b, parent_bound); /* cannot trust this node */
        return 0;
    }
    double bound = sv_bound_of(s, obj);
    if (depth == 0)
        b->root_bound = s->search_bound = bound; /* for progress */
    if (b->c->have && bound >= b->c->best_obj - 1e-9)
        return 0;
    int j = branch_column(b);
    if (j < 0)
        return leaf(b);
    return branch(b, depth, j, b->x[j], bound);
}

static void search_init(search *b, sv_solver *s, sv_cand *c, double deadline)
{
    memset(b, 0, sizeof(*b));
    b->s = s;
    b->c = c;
    b->open_bound = INFINITY;
    b->deadline = deadline < s->deadline ? deadline : s->deadline;
}

int sv_subsearch(sv_solver *s, sv_cand *c, long nodes, double deadline)
{
    search b;
    search_init(&b, s, c, deadline);
    b.node_limit = nodes;
    b.x = malloc((size_t)(c->md.nv ? c->md.nv : 1) * sizeof(double));
    int rc = b.x ? node(&b, 0, -INFINITY) : MP_ENOMEM;
    free(b.x);
    return rc;
}

/* The greedy plan as the first incumbent, if it keeps to the cost cap. */
static int greedy_start(sv_solver *s, sv_cand *c, double *g)
{
    const sv_model *md = &c->md;
    bool found;
    int rc = sv_greedy(s, md, g, &found);
    if (rc || !found)
        return rc;
    double cost = 0;
    for (int j = 0; j < md->nv; j++)
        cost += md->v[j].cost * g[j];
    sv_fill_counts(s, md, g);
    if (md->cost_cap < 0 || cost <= md->cost_cap + 1e-6) {
        c->have = true;
        c->best_obj = cost;
        memcpy(c->best, g, (size_t)md->nv * sizeof(double));
    }
    return 0;
}

/* The root LP, and unless first_only the heuristics from it for big
 * requests whose incumbent does not meet its bound yet. g is scratch
 * (md.nv values). */
static int root(sv_solver *s, sv_cand *c, bool first_only, double *g)
{
    double obj;
    int lrc = mp_lp_solve(c->md.lp, g, &obj);
    s->lp_solves++;
    if (lrc == MP_LP_NOMEM)
        return MP_ENOMEM;
    if (lrc == MP_LP_OPTIMAL && !first_only &&
        s->req->total_replicas >= HEURISTICS_FROM &&
        (!c->have || c->best_obj > sv_bound_of(s, obj) + 1e-9))
        return sv_heuristics(s, c, g);
    return 0;
}

/* Search c's model: a greedy start, heuristics from the root LP, then
 * branch and bound; c gets the plan and what the search proved. */
static int search_model(sv_solver *s, sv_cand *c, bool first_only)
{
    size_t n = (size_t)(c->md.nv ? c->md.nv : 1);
    search b;
    search_init(&b, s, c, s->deadline);
    b.first_only = first_only;
    c->best = malloc(n * sizeof(double));
    b.x = malloc(n * sizeof(double));
    if (!c->best || !b.x) {
        free(b.x);
        return MP_ENOMEM;
    }
    long pivots_before = mp_lp_pivots(c->md.lp);
    /* the greedy start costs time in proportion to the replicas, the LP
     * search does not: past GREEDY_LAST_FROM replicas the greedy plan is
     * only the answer of last resort, when the search found none */
    bool greedy_last = s->req->total_replicas >= GREEDY_LAST_FROM;
    int rc = greedy_last ? 0 : greedy_start(s, c, b.x);
    if (!rc && !(c->have && first_only)) {
        rc = root(s, c, first_only, b.x);
        if (!rc)
            rc = node(&b, 0, -INFINITY);
    }
    if (!rc && greedy_last && !c->have)
        rc = greedy_start(s, c, b.x);
    s->pivots += mp_lp_pivots(c->md.lp) - pivots_before;
    c->timeout = b.timeout;
    c->root_infeasible = b.root_infeasible;
    c->root_bound = b.root_bound;
    c->open_bound = b.open_bound;
    free(b.x);
    return rc;
}

int sv_candidate(sv_solver *s, double cost_cap, bool first_only, sv_cand *out)
{
    memset(out, 0, sizeof(*out));
    int rc = sv_formulate(s, cost_cap, &out->md);
    if (rc == MP_EINFEASIBLE)
        return 0; /* a class without columns: no plan */
    if (rc)
        return rc;
    return search_model(s, out, first_only);
}

/* The cheapest share of one GPU of item i that a replica of class c can
 * take, by compute (dim 0) or by memory slices (dim 1), times the GPU's
 * cost; -1 when no profile of i serves c. */
static double share_cost(const sv_solver *s, const sv_class *c, int i, int dim)
{
    const sv_item *it = &s->items[i];
    const mp_model *m = it->m;
    double best = -1;
    for (int p = 0; p < m->n_profiles; p++) {
        if (!(c->elig[i] >> p & 1u))
            continue;
        const mp_gi_profile *g = &m->profiles[p];
        double f = dim ? (double)g->memory_slices / m->units
                       : (double)g->compute_slices / m->compute_slices;
        if (best < 0 || f * it->cost < best)
            best = f * it->cost;
    }
    return best;
}

/* A bound that needs no LP, for when the search stops before its root
 * relaxation is solved: every GPU of cost k holds instances of at most its
 * compute (and, apart, its memory slices), so a plan costs at least the
 * sum over replicas of their cheapest share of a GPU, by either measure;
 * a whole-GPU replica takes its GPUs at the cheapest entry that gives
 * them. */
static double capacity_bound(const sv_solver *s)
{
    double dims[2] = {0, 0};
    for (int d = 0; d < 2; d++)
        for (int k = 0; k < s->nclasses; k++) {
            double best = -1;
            for (int i = 0; i < s->nitems; i++) {
                double v = share_cost(s, &s->classes[k], i, d);
                if (v >= 0 && (best < 0 || v < best))
                    best = v;
            }
            dims[d] += best > 0 ? best * (double)s->classes[k].demand : 0;
        }
    double whole = 0;
    for (int t = 0; t < s->req->n_tenants; t++) {
        const mp_tenant *tn = &s->req->tenants[t];
        double best = -1;
        for (int i = 0; i < s->nitems && tn->whole_gpu; i++)
            if (mp_request_takes_whole(s->req, tn, s->items[i].fleet) &&
                (best < 0 || s->items[i].cost < best))
                best = s->items[i].cost;
        whole += best > 0 ? best * mp_tenant_gpus(tn) * tn->replicas : 0;
    }
    return whole + (dims[0] > dims[1] ? dims[0] : dims[1]);
}

double sv_proven_bound(const sv_solver *s, const sv_cand *c)
{
    double best = c->best_obj;
    if (!c->timeout)
        return best; /* the search finished */
    double lb = c->root_infeasible ? best : c->root_bound;
    double cheap = sv_bound_of(s, capacity_bound(s) * (1 - 1e-9));
    if (cheap > lb)
        lb = cheap;
    double open = sv_bound_of(s, c->open_bound);
    if (open < best && open > lb)
        lb = open;
    return lb > best ? best : lb;
}
