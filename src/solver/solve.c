/* SPDX-License-Identifier: Apache-2.0 */
/* solve.c - mp_solve: the solver's pipeline, phase by phase (the phases
 * are in the files solver_internal.h lists). */
#include "solver_internal.h"

#include <math.h>
#include <string.h>
#include <time.h>

#define DEFAULT_TIME_LIMIT 5.0

double sv_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void solver_init(sv_solver *s, const mp_db *db, const mp_request *req,
                        const mp_solve_opts *o, double t0)
{
    memset(s, 0, sizeof(*s));
    s->db = db;
    s->req = req;
    s->o = o;
    /* the search stops a little early, so that building the plan (a few
     * tens of milliseconds for thousands of GPUs) fits the limit too */
    double limit = o->time_limit > 0 ? o->time_limit : DEFAULT_TIME_LIMIT;
    s->deadline = t0 + limit - fmin(0.1 * limit, 0.25);
    s->t0 = t0;
}

void sv_progress(sv_solver *s, const char *phase, const sv_cand *c)
{
    if (phase)
        s->phase = phase;
    if (!s->o->progress)
        return;
    mp_solve_progress p = {.phase = s->phase,
                           .nodes = s->nodes,
                           .best = c && c->have ? c->best_obj : -1,
                           .seconds = sv_now() - s->t0};
    s->o->progress(s->o->progress_ctx, &p);
}

static void solver_free(sv_solver *s)
{
    sv_classes_free(s);
    sv_tidy_free(s);
}

/* The fleet and the tenant classes. */
static int setup(sv_solver *s, mp_plan *out)
{
    int rc = sv_classes_setup(s);
    out->integral_costs = s->integral_costs;
    out->classes = s->nclasses;
    for (int i = 0; i < s->nitems; i++)
        out->patterns += s->items[i].geoms.n;
    return rc;
}

/* The optimum: the best plan and what the search proved about it. */
static int optimise(sv_solver *s, sv_cand *best, mp_plan *out)
{
    int rc = sv_candidate(s, -1, false, best);
    if (rc || !best->md.lp)
        return rc;
    out->columns = best->md.nv;
    out->rows = mp_lp_nrows(best->md.lp);
    if (!best->have)
        return 0;
    double lb = sv_proven_bound(s, best);
    out->lower_bound = round(lb * 1e6) / 1e6;
    out->optimal = !best->timeout || lb >= best->best_obj - 1e-9;
    out->time_limit_hit = best->timeout;
    return 0;
}

int sv_self_check(const mp_plan *out, mp_diag *d)
{
    char why[512];
    int rc = mp_plan_validate(out, why, sizeof(why));
    if (rc == MP_ENOMEM)
        return mp_diag_set(d, rc, out->req->path, 0, 0, "out of memory");
    if (rc)
        return mp_diag_set(d, MP_EINTERNAL, out->req->path, 0, 0,
                           "internal error: the plan failed its own "
                           "validation (%s); please report it",
                           why);
    return 0;
}

static int solve_error(mp_diag *d, const mp_request *req, int rc)
{
    if (rc == MP_ELIMIT)
        return mp_diag_set(d, rc, req->path, 0, 0,
                           "more than %d distinct tenant kinds (limit); give "
                           "fewer tenants different needs",
                           SV_MAX_CLASSES);
    return mp_diag_set(d, rc, req->path, 0, 0,
                       rc == MP_ENOMEM ? "out of memory while solving"
                                       : "internal error while solving; "
                                         "please report it");
}

int mp_solve(const mp_db *db, const mp_request *req, const mp_solve_opts *o,
             mp_plan *out, mp_diag *d)
{
    static const mp_solve_opts defaults = {0};
    if (o && o->current)
        return sv_current_solve(db, req, o, out, d);
    if (req->n_pools > 0)
        return sv_nodes_solve(db, req, o ? o : &defaults, out, d);
    double t0 = sv_now();
    sv_solver s;
    sv_cand best;
    memset(out, 0, sizeof(*out));
    memset(&best, 0, sizeof(best));
    out->req = req;
    solver_init(&s, db, req, o ? o : &defaults, t0);
    sv_progress(&s, "setup", NULL);
    int rc = setup(&s, out);
    if (rc || sv_explain_unplaceable(&s, out))
        goto done;
    sv_progress(&s, "search", NULL);
    rc = optimise(&s, &best, out);
    sv_progress(&s, "plan", &best);
    if (!rc && !best.have)
        rc = sv_explain_no_plan(&s, &best, out);
    if (!rc && best.have)
        rc = sv_plan_build(&s, &best, out);
    if (!rc && best.have && !s.o->no_spread) {
        sv_progress(&s, "spread", &best);
        rc = sv_spread(&s, out, best.best_obj);
    }
    out->feasible = !rc && best.have;
done:
    out->lp_solves = s.lp_solves;
    out->bb_nodes = s.nodes;
    out->lp_pivots = s.pivots;
    out->seconds = sv_now() - t0;
    sv_cand_free(&best);
    solver_free(&s);
    if (rc)
        rc = solve_error(d, req, rc);
    else if (out->feasible)
        rc = sv_self_check(out, d);
    if (!rc && mp_plan_warn(out, &out->warnings))
        rc = mp_diag_set(d, MP_ENOMEM, NULL, 0, 0, "out of memory");
    if (rc)
        mp_plan_free(out);
    return rc;
}
