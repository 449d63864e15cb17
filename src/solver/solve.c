/* SPDX-License-Identifier: Apache-2.0 */
/* solve.c - mp_solve: the solver's pipeline, phase by phase (the phases
 * are in the files solver_internal.h lists). */
#include "solver_internal.h"

#include <math.h>
#include <string.h>
#include <time.h>

#define DEFAULT_TIME_LIMIT 5.0

#define SV_DEADLINES_EVERY 0.002 /* seconds */

double sv_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* GPUs the fleet offers (an unlimited entry: as many as replicas). */
static double offered_gpus(const mp_request *r)
{
    double n = 0;
    for (int i = 0; i < r->n_fleet; i++)
        n += r->fleet[i].count >= 0 ? r->fleet[i].count
                                    : (double)r->total_replicas;
    return n;
}

/* Seconds the phases after the search need, estimated generously (about
 * twice what the bench fleets measure, tests/bench: bench_gen scale):
 * building the plan per replica, checking it and warning per GPU of the
 * plan, and, when the caller asks for an estimate, writing it. */
static void phase_costs(const mp_request *r, const mp_solve_opts *o,
                        double *build, double *check, double *output)
{
    double reps = (double)r->total_replicas, gpus = offered_gpus(r);
    *build = 0.005 + 3e-6 * reps + 0.3e-6 * gpus;
    *check = 0.002 + 0.5e-6 * reps + 0.1e-6 * gpus;
    *output =
        o->reserve >= 0 ? o->reserve : 0.002 + 1.5e-6 * reps + 0.3e-6 * gpus;
}

double sv_cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The deadlines from what the phases after the search need, times how
 * much slower than its CPU time the solve runs so far (a loaded machine:
 * other processes take turns), so that the whole run fits the limit. The
 * search's own is set once, before it starts (its heuristics share out
 * their time from it), and keeps a quarter of the limit whatever the
 * estimate: without its root bound and heuristics a plan can be far from
 * the optimum, and a run that overruns says so (the CLI's note). The
 * others only ever move earlier. */
static void set_deadlines(sv_solver *s)
{
    double wall = sv_now() - s->t0, cpu = sv_cpu_now() - s->cpu0;
    double slow = cpu > 0.02 && wall > cpu ? fmin(wall / cpu, 4) : 1;
    double build, check, output;
    phase_costs(s->req, s->o, &build, &check, &output);
    double limit = s->limit_end - s->t0;
    s->end = fmin(s->end, s->limit_end - slow * output);
    s->tidy_deadline = fmin(s->tidy_deadline, s->end - slow * check);
    double after =
        fmax(fmin(0.1 * limit, 0.25), slow * (build + check + output));
    if (!s->phase) /* before the search */
        s->deadline = s->limit_end - fmin(after, 0.75 * limit);
}

static void solver_init(sv_solver *s, const mp_db *db, const mp_request *req,
                        const mp_solve_opts *o, double t0)
{
    memset(s, 0, sizeof(*s));
    s->db = db;
    s->req = req;
    s->o = o;
    s->plan_best = s->plan_bound = s->search_bound = -1;
    /* the search stops early enough for every later phase to fit the
     * limit too: at least a tenth of it (at most 0.25 s), more when the
     * plan is big */
    double limit = o->time_limit > 0 ? o->time_limit : DEFAULT_TIME_LIMIT;
    s->t0 = t0;
    s->cpu0 = sv_cpu_now();
    s->limit_end = s->end = s->tidy_deadline = s->deadline = t0 + limit;
    set_deadlines(s);
}

void sv_progress(sv_solver *s, const char *phase, const sv_cand *c)
{
    if (phase)
        s->phase = phase;
    /* at every phase, and within one every few milliseconds: the CPU
     * clock is a system call, dearer than a small search node's LP */
    double now = sv_now();
    if (phase || now - s->deadlines_at >= SV_DEADLINES_EVERY) {
        s->deadlines_at = now;
        set_deadlines(s);
    }
    if (!s->o->progress)
        return;
    bool search = s->plan_best < 0; /* the plan's search is not over */
    mp_solve_progress p = {.phase = s->phase,
                           .nodes = s->nodes,
                           .best = !search        ? s->plan_best
                                   : c && c->have ? c->best_obj
                                                  : -1,
                           .bound = search ? s->search_bound : s->plan_bound,
                           .seconds = now - s->t0};
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

int sv_plan_finish(mp_plan *out, double t0, int rc, mp_diag *d)
{
    out->seconds = sv_now() - t0;
    if (!rc && out->feasible)
        rc = sv_self_check(out, d);
    if (!rc && out->feasible && mp_plan_warn(out, &out->warnings))
        rc = mp_diag_set(d, MP_ENOMEM, NULL, 0, 0, "out of memory");
    if (rc)
        mp_plan_free(out);
    return rc;
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

/* The plan of best: built (tidying cut at its deadline), then spread
 * while the rest still fits the limit. */
static int build_and_spread(sv_solver *s, const sv_cand *best, mp_plan *out)
{
    s->plan_best = best->best_obj;
    s->plan_bound = out->lower_bound;
    sv_progress(s, "plan", best);
    double t = sv_now();
    int rc = sv_plan_build(s, best, out);
    out->build_seconds = sv_now() - t;
    out->tidy_cut = s->tidy_cut;
    if (!rc) /* less when the build dropped GPUs that served nothing */
        s->plan_best = out->cost;
    if (rc || s->o->no_spread)
        return rc;
    /* each spread step is a search, and an improvement is a rebuild:
     * stop searching when one more rebuild would not fit */
    s->deadline = s->tidy_deadline - 1.5 * out->build_seconds;
    t = sv_now();
    sv_progress(s, "spread", best);
    rc = sv_spread(s, out, best->best_obj);
    out->spread_seconds = sv_now() - t;
    return rc;
}

int mp_solve(const mp_db *db, const mp_request *req, const mp_solve_opts *o,
             mp_plan *out, mp_diag *d)
{
    static const mp_solve_opts defaults = {0};
    if (o && o->current)
        return sv_current_solve(db, req, o, out, d);
    if (o && o->node_states && req->n_pools > 0)
        return sv_node_current_solve(db, req, o, out, d);
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
    out->search_seconds = sv_now() - t0;
    if (!rc && !best.have)
        rc = sv_explain_no_plan(&s, &best, out);
    if (!rc && best.have)
        rc = build_and_spread(&s, &best, out);
    out->feasible = !rc && best.have;
done:
    out->lp_solves = s.lp_solves;
    out->bb_nodes = s.nodes;
    out->lp_pivots = s.pivots;
    sv_cand_free(&best);
    double t = sv_now();
    if (!rc && out->feasible)
        sv_progress(&s, "check", NULL);
    solver_free(&s);
    if (rc)
        rc = solve_error(d, req, rc);
    else if (out->feasible)
        rc = sv_self_check(out, d);
    if (!rc && mp_plan_warn(out, &out->warnings))
        rc = mp_diag_set(d, MP_ENOMEM, NULL, 0, 0, "out of memory");
    out->check_seconds = sv_now() - t;
    out->seconds = sv_now() - t0;
    if (rc)
        mp_plan_free(out);
    return rc;
}
