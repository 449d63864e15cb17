/* SPDX-License-Identifier: Apache-2.0 */
/* current.c - plan from a running node (mp_solve_opts.current).
 *
 * The GPUs of the node are taken by index (fleet order). A GPU with an
 * instance in use is busy: it is in the plan, its instances in use stay
 * where they are, and of the layouts that keep them it gets one that
 * serves the most of the request, then destroys and creates the fewest
 * instances: each busy GPU in turn (current_busy.c, several orders of
 * preference), and all of them chosen together (current_joint.c); the
 * better plan wins. A GPU with MIG disabled and a process on it is held:
 * left as it is, serving the whole-GPU tenant named like the process. The
 * rest of the request is solved exactly on the other GPUs (current_map.c)
 * and mapped onto them so that as many existing instances as possible are
 * kept. With --allow-disruption, a request the instances in use block is
 * planned with every busy GPU freed, then given back in turn; unless that
 * meets the bound on instances in use destroyed (current_bound.c), with at
 * most k of them destroyed, k from the bound up.
 *
 * The cost is proven optimal when it reaches the lower bound of the same
 * request from empty GPUs (a relaxation). Instances in use destroyed are
 * proven fewest when they meet cur_in_use_bound. Instances destroyed and
 * created are proven fewest when only those instances in use are
 * destroyed and no fewer could be created than the replicas the existing
 * instances cannot serve (a max-flow); otherwise the plan says they are
 * not proven.
 */
#include "current_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migplan/solver/maxflow.h"

bool cur_whole(const mp_tenant *t)
{
    return t->whole_gpu || mp_tenant_gpus(t) > 1;
}

bool cur_counts_busy(const cur *c, const cur_gpu *g)
{
    const mp_gpu_state *s = g->st;
    if (!s || !s->layout.mig_enabled || mp_gpu_state_in_use(s) == 0)
        return false;
    if (c->o->busy_used)
        return true;
    const mp_layout *l = &s->layout.gis;
    for (int q = 0; q < l->n; q++)
        for (int t = 0; t < c->req->n_tenants && s->gi[q].n_processes > 0 &&
                        s->gi[q].process;
             t++)
            if (!cur_whole(&c->req->tenants[t]) &&
                strcmp(s->gi[q].process, c->req->tenants[t].name) == 0 &&
                mp_tenant_takes_profile(&c->req->tenants[t], l->model,
                                        l->gi[q].profile))
                return true;
    return false;
}

int cur_append(cur *c, int fleet)
{
    if (c->n == c->cap) {
        int cap = c->cap ? 2 * c->cap : 8;
        cur_gpu *g = realloc(c->g, (size_t)cap * sizeof(*g));
        if (!g)
            return MP_ENOMEM;
        c->g = g;
        c->cap = cap;
    }
    cur_gpu *g = &c->g[c->n];
    memset(g, 0, sizeof(*g));
    g->index = c->n;
    g->fleet = fleet;
    return c->n++;
}

/* The fleet entry of GPU index k (-1: beyond the fleet). */
static int entry_of(const mp_request *r, int k)
{
    for (int i = 0; i < r->n_fleet; i++) {
        if (r->fleet[i].count < 0)
            return i;
        if (k < r->fleet[i].count)
            return i;
        k -= r->fleet[i].count;
    }
    return -1;
}

/* The node's GPUs: the fleet's, each with its state. */
static int cur_setup(cur *c, mp_diag *d)
{
    const mp_request *r = c->req;
    int total = 0;
    for (int i = 0; i < r->n_fleet; i++) {
        if (r->fleet[i].count < 0 && i != r->n_fleet - 1)
            return mp_diag_set(d, MP_EUSAGE, r->path, r->fleet[i].line,
                               r->fleet[i].col,
                               "with --current, GPU indices follow the "
                               "fleet's order: only its last entry may have "
                               "no count");
        total += r->fleet[i].count < 0 ? 0 : r->fleet[i].count;
    }
    for (int j = 0; j < c->st->n; j++) {
        const mp_gpu_state *s = &c->st->gpu[j];
        int i = entry_of(r, s->index);
        if (i < 0)
            return mp_diag_set(d, MP_EUSAGE, r->path, 0, 0,
                               "the state lists GPU %d, but the request's "
                               "fleet has %d GPU%s (indices 0-%d)",
                               s->index, total, total == 1 ? "" : "s",
                               total - 1);
        if (s->layout.gis.model != r->fleet[i].model)
            return mp_diag_set(
                d, MP_EUSAGE, r->path, r->fleet[i].line, r->fleet[i].col,
                "the state's GPU %d is a %s, the fleet has a "
                "%s there",
                s->index, s->layout.gis.model->id, r->fleet[i].model->id);
        if (s->index + 1 > total)
            total = s->index + 1;
    }
    for (int k = 0; k < total; k++) {
        int at = cur_append(c, entry_of(r, k));
        if (at < 0)
            return mp_diag_set(d, MP_ENOMEM, NULL, 0, 0, "out of memory");
        c->g[at].st = mp_node_state_gpu(c->st, k);
    }
    return 0;
}

/* Forget an attempt: every GPU as the state has it, nothing placed. */
static void cur_reset(cur *c)
{
    for (int k = 0; k < c->n; k++) {
        cur_gpu *g = &c->g[k];
        g->taken = false;
        int in_use = g->st ? mp_gpu_state_in_use(g->st) : 0;
        g->kind = !g->st ? CUR_EMPTY
                  : !g->st->layout.mig_enabled
                      ? (in_use > 0 ? CUR_HELD : CUR_EMPTY)
                  : g->st->layout.gis.n == 0  ? CUR_EMPTY
                  : in_use > 0 && !g->relaxed ? CUR_BUSY
                                              : CUR_IDLE;
    }
    for (int t = 0; t < c->req->n_tenants; t++)
        c->left[t] = c->req->tenants[t].replicas;
}

/* The busy GPUs, in index order, each serving what it can. */
static int place_busy(cur *c)
{
    cur_place_held(c);
    if (c->mode & CUR_KEEP)
        return cur_place_keep(c);
    if (c->mode & CUR_SMALL)
        return cur_place_small(c);
    if (c->mode & CUR_JOINT)
        return cur_place_busy_joint(c);
    /* CUR_ASIDE: only the busy GPUs that count anyway serve */
    for (int k = 0; k < c->n && (c->mode & CUR_ASIDE); k++)
        c->g[k].aside =
            c->g[k].kind == CUR_BUSY && !cur_counts_busy(c, &c->g[k]);
    int rc = 0, busy = 0;
    for (int k = 0; k < c->n; k++)
        busy += c->g[k].kind == CUR_BUSY;
    for (int k = 0; k < c->n && !rc && !c->stopped; k++) {
        /* past the deadline with a plan in hand, a large node's attempt
         * stops (checked every 64 GPUs) */
        c->stopped =
            c->have_plan && c->n > 16 && k % 64 == 63 && sv_now() > c->deadline;
        if (c->g[k].kind == CUR_BUSY && !c->g[k].aside && !c->stopped)
            rc = cur_place_busy_gpu(c, &c->g[k], busy--);
    }
    for (int k = 0; k < c->n && (c->mode & CUR_ASIDE); k++)
        c->g[k].aside = false;
    return rc;
}

/* The plan's GPUs, by index: taken ones as placed, the others as they are
 * (or MIG disabled with reset_unused). */
static int assemble(cur *c, mp_plan *out)
{
    out->gpus = calloc((size_t)(c->n ? c->n : 1), sizeof(*out->gpus));
    if (!out->gpus)
        return MP_ENOMEM;
    out->n_gpus = c->n;
    for (int k = 0; k < c->n; k++) {
        const cur_gpu *g = &c->g[k];
        mp_plan_gpu *pg = &out->gpus[k];
        if (g->taken) {
            *pg = g->pg;
            continue;
        }
        sv_plan_gpu_init(pg, g->fleet, c->req->fleet[g->fleet].model, false,
                         -1);
        /* a GPU -lgi does not list holds no GPU instance: MIG on and
         * empty, as the change script takes it, unless reset */
        pg->layout.mig_enabled = !g->st && !c->o->reset_unused;
        /* --reset-unused never touches an instance in use */
        if (g->st && (!c->o->reset_unused || mp_gpu_state_in_use(g->st) > 0)) {
            pg->layout = g->st->layout;
            pg->layout.driver_order = pg->layout.driver_exact = false;
        }
    }
    return sv_plan_number(c->req, out);
}

/* A GPU counts when it serves a replica: one whose layout serves none
 * is left exactly as it is (its instances in use running) and costs
 * nothing, whether it is busy or not. */
static void leave_unserving(cur *c)
{
    for (int k = 0; k < c->n; k++) {
        cur_gpu *g = &c->g[k];
        bool serves = !g->pg.layout.mig_enabled || g->pg.whole_tenant >= 0;
        for (int q = 0; q < g->pg.layout.gis.n; q++)
            serves = serves || g->pg.tenant[q] >= 0;
        if (g->taken && !serves && !cur_counts_busy(c, g))
            g->taken = false;
    }
}

/* One plan from the GPUs' kinds: *blocked when the rest does not fit. */
static int attempt(cur *c, bool *blocked, mp_plan *out, mp_diag *d)
{
    cur_reset(c);
    int rc = place_busy(c);
    leave_unserving(c);
    if (rc)
        return mp_diag_set(d, rc, NULL, 0, 0,
                           rc == MP_ENOMEM ? "out of memory"
                                           : "internal error: a busy GPU's "
                                             "layout; please report it");
    if (c->small_blocked || c->stopped) {
        *blocked = true;
        return 0;
    }
    rc = cur_place_rest(c, blocked, out, d);
    if (rc || *blocked)
        return rc;
    leave_unserving(c);
    double t = sv_now();
    rc = assemble(c, out);
    c->build_seconds += sv_now() - t;
    return rc ? mp_diag_set(d, rc, NULL, 0, 0, "out of memory") : 0;
}

/* Why nothing fits without touching instances in use: each of them (with
 * --allow-disruption only the whole GPUs in use when there are any: the
 * plan may destroy the others), the tenants still to place, and what to
 * do. */
static void blocking_reason(const cur *c, mp_plan *out)
{
    size_t k = 0;
    char *b = out->reason;
    size_t n = sizeof(out->reason);
    bool held = false, busy = false;
    for (int j = 0; j < c->n; j++) {
        held |= c->g[j].kind == CUR_HELD && !c->g[j].taken;
        busy |= c->g[j].kind == CUR_BUSY;
    }
    /* the plan may destroy instances in use: only processes block */
    busy &= !(held && c->o->allow_disruption);
    bool pid = !busy || c->o->allow_disruption; /* to stop them */
    mp_catf(b, n, &k, "the request needs the room of instances in use:");
    const char *sep = " ";
    for (int j = 0; j < c->n; j++) {
        const cur_gpu *g = &c->g[j];
        if (g->kind == CUR_HELD && !g->taken) {
            mp_catf(b, n, &k, "%sGPU %d (MIG disabled, whole GPU, ", sep,
                    g->index);
            sv_proc_name(&g->st->whole, pid, b, n, &k);
            mp_catf(b, n, &k, ")");
            sep = ", ";
        }
        if (g->kind != CUR_BUSY || !busy)
            continue;
        const mp_layout *l = &g->st->layout.gis;
        for (int q = 0; q < l->n; q++) {
            const mp_gi_state *s = &g->st->gi[q];
            if (s->n_processes == 0)
                continue;
            mp_catf(b, n, &k, "%sGPU %d GI %d (%s at slot %d, ", sep, g->index,
                    s->gi_id, l->model->profiles[l->gi[q].profile].name,
                    l->gi[q].start);
            sv_proc_name(s, pid, b, n, &k);
            mp_catf(b, n, &k, ")");
            sep = ", ";
        }
    }
    mp_catf(b, n, &k, "; still to place:");
    sep = " ";
    for (int t = 0; t < c->req->n_tenants; t++)
        if (c->left[t] > 0) {
            mp_catf(b, n, &k, "%s%s (%lld replica%s)", sep,
                    c->req->tenants[t].name, c->left[t],
                    c->left[t] == 1 ? "" : "s");
            sep = ", ";
        }
    sv_blocked_advice(c->o, busy, held, false, b, n, &k);
}

/* The existing instances by class: one model's count per profile. */
typedef struct inst_class {
    const mp_model *m;
    long long n[MP_MAX_PROFILES];
} inst_class;

/* The existing instances counted by model and profile into cls (room for
 * r->n_fleet models: a GPU's state is of its fleet entry's model); the
 * number of models, or -1 when one does not fit (no bound then). */
static int count_classes(const cur *c, inst_class *cls)
{
    int nm = 0, j = 0;
    for (int k = 0; k < c->n; k++) {
        const mp_layout *l = c->g[k].st ? &c->g[k].st->layout.gis : NULL;
        if (!l || l->n == 0)
            continue;
        if (j >= nm || cls[j].m != l->model) {
            for (j = 0; j < nm && cls[j].m != l->model; j++)
                ;
            if (j == c->req->n_fleet)
                return -1;
            if (j == nm)
                cls[nm++].m = l->model;
        }
        for (int q = 0; q < l->n; q++)
            cls[j].n[l->gi[q].profile]++;
    }
    return nm;
}

/* Fewest instances any plan creates: the instance replicas less those the
 * existing instances can serve (a max-flow); -1 when a tenant may also
 * take a whole GPU (no bound then). Whether an instance may serve a tenant
 * depends only on its model and profile, so the instances of one model
 * and profile are one node whose capacity is their count: its flow, one
 * unit to each of them, is a flow over single instances, so the maximum is
 * the same, and the network has the size of the classes, not the fleet. */
static long long created_bound(const cur *c)
{
    const mp_request *r = c->req;
    inst_class *cls =
        calloc((size_t)(r->n_fleet ? r->n_fleet : 1), sizeof(*cls));
    int nm = cls ? count_classes(c, cls) : -1;
    mp_flow *f =
        nm >= 0 ? mp_flow_new(nm * MP_MAX_PROFILES + r->n_tenants + 2) : NULL;
    int tn = nm * MP_MAX_PROFILES; /* tenant t is node tn + t */
    int src = tn + r->n_tenants, sink = src + 1;
    long long need = 0;
    bool ok = f != NULL;
    for (int t = 0; t < r->n_tenants && ok; t++) {
        for (int i = 0; i < r->n_fleet; i++)
            ok = ok && (cur_whole(&r->tenants[t]) ||
                        !mp_request_takes_whole(r, &r->tenants[t], i));
        if (!cur_whole(&r->tenants[t])) {
            need += r->tenants[t].replicas;
            ok = ok &&
                 mp_flow_add_edge(f, tn + t, sink, r->tenants[t].replicas) >= 0;
        }
    }
    for (int v = 0; v < nm * MP_MAX_PROFILES && ok; v++) {
        const mp_model *m = cls[v / MP_MAX_PROFILES].m;
        long long n = cls[v / MP_MAX_PROFILES].n[v % MP_MAX_PROFILES];
        if (n == 0)
            continue;
        ok = mp_flow_add_edge(f, src, v, n) >= 0;
        for (int t = 0; t < r->n_tenants && ok; t++)
            if (!cur_whole(&r->tenants[t]) &&
                mp_tenant_takes_profile(&r->tenants[t], m, v % MP_MAX_PROFILES))
                ok = mp_flow_add_edge(f, v, tn + t, n) >= 0;
    }
    long long bound = ok ? need - mp_flow_max(f, src, sink) : -1;
    mp_flow_free(f);
    free(cls);
    return bound;
}

/* The changes summed, and whether they are proven fewest. */
static int disruption(const cur *c, mp_plan *out)
{
    int reset = 0; /* destroyed on unused GPUs, as --reset-unused asks */
    for (int k = 0; k < out->n_gpus; k++) {
        mp_gpu_change ch;
        if (mp_plan_gpu_change(out, &out->gpus[k], &ch))
            return MP_EINTERNAL;
        reset += out->gpus[k].used ? 0 : ch.n_destroy;
        out->disruption.destroyed += ch.n_destroy;
        out->disruption.created += ch.n_create;
        out->disruption.in_use_destroyed += ch.in_use_destroyed;
        out->disruption.gpus_touched += !mp_gpu_change_none(&ch);
    }
    long long bound = created_bound(c);
    /* no plan changes less than one that creates nothing and destroys only
     * what --reset-unused asks, whatever its cost; of the lowest cost, none
     * destroys fewer than the instances in use it must (in_use_lb: every
     * instance it destroys is one of them) */
    int lost = out->disruption.in_use_destroyed;
    int in_use_lb = out->optimal ? cur_in_use_bound(c, out->gpus_used) : 0;
    bool none =
        out->disruption.destroyed == reset && out->disruption.created == 0;
    out->disruption.minimal =
        none ||
        (out->optimal && out->disruption.destroyed == reset + lost &&
         lost <= in_use_lb && bound >= 0 && out->disruption.created == bound);
    out->disruption.in_use_bound = in_use_lb;
    out->disruption.in_use_minimal = lost == 0 || out->disruption.minimal ||
                                     (out->optimal && lost <= in_use_lb);
    return 0;
}

const mp_gi_state *sv_current_gi(const mp_plan *p, const mp_plan_gpu *g, int q)
{
    const mp_gpu_state *s =
        p->current ? mp_node_state_gpu(p->current, g->index) : NULL;
    const mp_gi *gi = &g->layout.gis.gi[q];
    for (int k = 0; s && k < s->layout.gis.n; k++)
        if (s->layout.gis.gi[k].profile == gi->profile &&
            s->layout.gis.gi[k].start == gi->start)
            return &s->gi[k];
    return NULL;
}

bool sv_current_keeps(const mp_plan *p, const mp_plan_gpu *g, int q)
{
    return sv_current_gi(p, g, q) != NULL;
}

const mp_gpu_state *mp_plan_gpu_state(const mp_plan *p, const mp_plan_gpu *g,
                                      mp_gpu_state *empty)
{
    const mp_gpu_state *s =
        p->current ? mp_node_state_gpu(p->current, g->index) : NULL;
    if (s)
        return s;
    mp_gpu_state_init(empty, g->index, p->req->fleet[g->fleet].model);
    return empty;
}

int mp_plan_gpu_change(const mp_plan *p, const mp_plan_gpu *g,
                       mp_gpu_change *out)
{
    memset(out, 0, sizeof(*out));
    if (!g->used && !g->emptied && !p->reset_unused)
        return 0;
    mp_gpu_state empty;
    const mp_gpu_state *s = mp_plan_gpu_state(p, g, &empty);
    char why[256];
    return mp_gpu_change_diff(s, &g->layout, out, why, sizeof(why))
               ? MP_EINTERNAL
               : 0;
}

/* The plan's bound and proof: the same request from empty GPUs costs no
 * more (the GPUs serving a replica serve it all; a GPU left as it is,
 * busy or not, costs nothing), and with o->busy_used the busy GPUs are
 * used whatever happens. */
static void prove(const cur *c, const mp_plan *base, mp_plan *out)
{
    double busy = 0;
    for (int k = 0; k < c->n && c->o->busy_used; k++)
        if (c->g[k].kind == CUR_BUSY)
            busy += c->req->fleet[c->g[k].fleet].cost;
    double lb = fmax(base->lower_bound, busy);
    out->lower_bound = round(lb * 1e6) / 1e6;
    out->optimal = out->cost <= lb + 1e-9;
    out->time_limit_hit = base->time_limit_hit || c->time_limit_hit;
    out->integral_costs = base->integral_costs;
    out->classes = base->classes;
    out->patterns = base->patterns;
}

/* Instances in use that plan p keeps serving a tenant named other than
 * their process. */
static int renamed(const mp_plan *p)
{
    int n = 0;
    for (int k = 0; k < p->n_gpus; k++) {
        const mp_plan_gpu *g = &p->gpus[k];
        const mp_gpu_state *s =
            g->used ? mp_node_state_gpu(p->current, g->index) : NULL;
        for (int q = 0; s && q < g->layout.gis.n; q++) {
            const mp_gi *gi = &g->layout.gis.gi[q];
            for (int i = 0; g->tenant[q] >= 0 && i < s->layout.gis.n; i++)
                n += s->layout.gis.gi[i].profile == gi->profile &&
                     s->layout.gis.gi[i].start == gi->start &&
                     s->gi[i].n_processes > 0 && s->gi[i].process &&
                     strcmp(s->gi[i].process,
                            p->req->tenants[g->tenant[q]].name) != 0;
        }
    }
    return n;
}

/* Is plan a better than b: cheaper, then fewer instances in use
 * destroyed, then fewer destroyed, then fewer created, then fewer
 * instances in use serving a tenant of another name? */
static bool better(const mp_plan *a, const mp_plan *b)
{
    if (fabs(a->cost - b->cost) > 1e-9)
        return a->cost < b->cost;
    int d = sv_plan_changes_cmp(a, b);
    return d ? d < 0 : renamed(a) < renamed(b);
}

/* Phase `what` has ended: the first to end past the deadline is the one
 * the deadline passed in (-v says which and by how much). */
static void phase_done(cur *c, const char *what)
{
    double late = sv_now() - c->deadline;
    if (!c->late[0] && late > 0) {
        snprintf(c->late, sizeof(c->late), "%s", what);
        c->late_by = late;
    }
}

/* The kind of an attempt in mode `mode` (CUR_KINDS of them): keeping
 * every GPU, the busy GPUs one by one, chosen together, the whole node
 * searched, the busy GPUs left aside. Attempts of a kind take alike. */
static int mode_kind(int mode)
{
    if (mode == CUR_KEEP)
        return 0;
    if (mode & CUR_SMALL)
        return 3;
    if (mode == CUR_ASIDE)
        return 4;
    return mode & CUR_JOINT ? 2 : 1;
}

/* What an attempt in mode `mode` is called in -v. */
static const char *mode_name(int mode)
{
    static const char *const names[CUR_KINDS] = {
        "the attempt keeping every GPU as it is",
        "an attempt placing the busy GPUs one by one",
        "an attempt choosing the busy GPUs together",
        "the search of the whole node",
        "the attempt leaving the busy GPUs aside"};
    return names[mode_kind(mode)];
}

/* May an attempt in mode `mode` start? Always while no attempt has found
 * a plan, and on a small node (16 GPUs at most: each attempt is quick,
 * and its plan does not depend on how fast the machine runs); else only
 * when it can end before the deadline: the longest time an attempt of its
 * kind took besides its solve of the rest (which the deadline cuts) is
 * left (a kind not run yet: the busy GPUs one by one). */
static bool may_start(cur *c, int mode)
{
    int k = mode_kind(mode);
    if (!(c->fixed_known & (1 << k)))
        k = 1;
    double need = c->fixed_known & (1 << k) ? c->fixed_seconds[k] : 0;
    if (!c->have_plan || c->n <= 16 || sv_now() + need <= c->deadline)
        return true;
    c->time_limit_hit = true;
    c->skipped++;
    return false;
}

/* The plan with the busy GPUs searched in mode `mode`: *blocked, or
 * feasible with its bound and its changes. */
static int one_plan(cur *c, int mode, const mp_plan *base, bool *blocked,
                    mp_plan *out, mp_diag *d)
{
    memset(out, 0, sizeof(*out));
    out->req = c->req;
    out->current = c->st;
    out->reset_unused = c->o->reset_unused;
    c->mode = mode;
    c->exact = c->small_blocked = false;
    int rc = attempt(c, blocked, out, d);
    if (rc || *blocked)
        return rc;
    out->feasible = true;
    double t = sv_now();
    prove(c, base, out);
    rc = disruption(c, out);
    c->build_seconds += sv_now() - t;
    if (rc)
        return mp_diag_set(d, MP_EINTERNAL, NULL, 0, 0,
                           "internal error: a GPU's changes; please report it");
    if (c->exact) { /* every plan weighed: none is cheaper or changes less */
        c->have_proven = true;
        c->proven_cost = out->cost;
        c->proven_ch[0] = out->disruption.in_use_destroyed;
        c->proven_ch[1] = out->disruption.destroyed;
        c->proven_ch[2] = out->disruption.created;
    }
    return 0;
}

/* one_plan, counted, its end checked against the deadline (-v). */
static int one(cur *c, int mode, const mp_plan *base, bool *blocked,
               mp_plan *out, mp_diag *d)
{
    c->attempts++;
    double t = sv_now(), rest = c->rest_seconds;
    int rc = one_plan(c, mode, base, blocked, out, d);
    int k = mode_kind(mode);
    c->fixed_seconds[k] =
        fmax(c->fixed_seconds[k], sv_now() - t - (c->rest_seconds - rest));
    c->fixed_known |= 1 << k;
    c->have_plan = c->have_plan || (!rc && !*blocked);
    char what[64];
    snprintf(what, sizeof(what), "%s%s", mode_name(mode),
             c->stopped ? " (stopped)" : "");
    phase_done(c, what);
    c->time_limit_hit |= c->stopped;
    c->stopped = false;
    return rc;
}

/* Keep alt in *out when it is better (or *out is blocked); alt is
 * consumed. */
static void keep_better(mp_plan *alt, bool alt_blocked, mp_plan *out,
                        bool *blocked)
{
    if (!alt_blocked && (*blocked || better(alt, out))) {
        mp_plan_free(out);
        *out = *alt;
        *blocked = false;
    } else {
        mp_plan_free(alt);
    }
}

/* Does plan p (not blocked) meet both bounds: its cost the lowest, its
 * instances in use destroyed the fewest (cur_in_use_bound)? */
static bool met(const mp_plan *p, bool blocked)
{
    return !blocked && p->optimal && p->disruption.in_use_minimal;
}

/* --allow-disruption, blocked: the busy GPUs chosen together, destroying
 * at most k instances in use for k = first, first + 1, ... (first: the
 * bound, below which no plan has the lowest cost): a plan of the lowest
 * cost at k destroys the fewest this way. Only the k that would destroy
 * fewer than *out (when its cost is the lowest) are tried, until `until`
 * (sv_now() seconds). */
static int disrupt_joint(cur *c, const mp_plan *base, int first, double until,
                         bool *blocked, mp_plan *out, mp_diag *d)
{
    int total = 0, rc = 0;
    for (int k = 0; k < c->n; k++)
        total += c->g[k].kind == CUR_BUSY ? mp_gpu_state_in_use(c->g[k].st) : 0;
    for (int k = first; k <= total && !rc; k++) {
        if (!*blocked && out->optimal &&
            (k >= out->disruption.in_use_destroyed || met(out, *blocked)))
            break;
        if (k > first && sv_now() > until) {
            c->time_limit_hit = true;
            break;
        }
        c->disrupt_budget = k;
        mp_plan alt;
        bool alt_blocked;
        rc = one(c, CUR_JOINT, base, &alt_blocked, &alt, d);
        if (!rc)
            keep_better(&alt, alt_blocked, out, blocked);
    }
    c->disrupt_budget = 0;
    return rc;
}

/* Every busy GPU may give up its instances in use (on), or none may;
 * the kinds follow. */
static void relax_all(cur *c, bool on)
{
    for (int k = 0; k < c->n; k++) {
        const mp_gpu_state *s = c->g[k].st;
        c->g[k].relaxed = on && s && s->layout.mig_enabled &&
                          s->layout.gis.n > 0 && mp_gpu_state_in_use(s) > 0;
    }
    cur_reset(c);
}

/* --allow-disruption on a small node: every busy GPU may give up its
 * instances in use, every combination weighed (CUR_SMALL). */
static int disrupt_small(cur *c, const mp_plan *base, bool *blocked,
                         mp_plan *out, mp_diag *d)
{
    relax_all(c, true);
    mp_plan alt;
    bool alt_blocked;
    int rc = one(c, CUR_SMALL | 2, base, &alt_blocked, &alt, d);
    if (!rc)
        keep_better(&alt, alt_blocked, out, blocked);
    relax_all(c, false);
    return rc;
}

/* Instances in use that plan p destroys on GPU k. */
static int in_use_lost(const mp_plan *p, int k)
{
    mp_gpu_change ch;
    if (k >= p->n_gpus || mp_plan_gpu_change(p, &p->gpus[k], &ch))
        return 0;
    return ch.in_use_destroyed;
}

/* --allow-disruption, the busy GPUs chosen together not enough: every
 * busy GPU may give up its instances in use, and the rest's GPUs are put
 * where they destroy the fewest of them (a GPU the plan does not need is
 * left as it is, processes and all). Then each GPU that still loses some,
 * most first, is given them back (busy again) when the plan stays as
 * good: no single GPU's instances in use can then all be restored
 * (1-minimal by GPU), unless the deadline stopped the restoring. */
static int disrupt_free(cur *c, const mp_plan *base, double until,
                        bool *blocked, mp_plan *out, mp_diag *d)
{
    bool *tried = calloc((size_t)c->n + 1, sizeof(*tried));
    if (!tried)
        return mp_diag_set(d, MP_ENOMEM, NULL, 0, 0, "out of memory");
    relax_all(c, true);
    mp_plan alt;
    bool alt_blocked;
    int rc = one(c, 0, base, &alt_blocked, &alt, d);
    if (!rc)
        keep_better(&alt, alt_blocked, out, blocked);
    /* the restoring stops when the plan meets the bound: no GPU's
     * instances in use can come back at the same cost */
    while (!rc && !*blocked && !met(out, *blocked)) {
        int pick = -1, most = 0;
        for (int k = 0; k < c->n; k++) {
            int lost = c->g[k].relaxed && !tried[k] ? in_use_lost(out, k) : 0;
            if (lost > most)
                pick = k, most = lost;
        }
        if (pick < 0)
            break;
        if (sv_now() > until) {
            c->time_limit_hit = true;
            break;
        }
        tried[pick] = true;
        c->g[pick].relaxed = false;
        bool kept = false;
        /* busy again, serving what it can; else left as it is, serving
         * nothing (the plan's GPUs elsewhere) */
        int tries = cur_counts_busy(c, &c->g[pick]) ? 1 : 2;
        for (int aside = 0; aside < tries && !rc && !kept; aside++) {
            c->g[pick].aside = aside;
            rc = one(c, CUR_JOINT, base, &alt_blocked, &alt, d);
            kept = !rc && !alt_blocked && better(&alt, out);
            if (!rc)
                keep_better(&alt, alt_blocked, out, blocked);
            c->g[pick].aside = kept && aside;
        }
        c->g[pick].relaxed = !kept;
    }
    free(tried);
    return rc;
}

/* A plan as cheap and changing as little as the one every combination
 * proved the best is proven too. */
static void mark_proven(const cur *c, mp_plan *out)
{
    if (!c->have_proven || !out->feasible ||
        fabs(out->cost - c->proven_cost) > 1e-9 ||
        out->disruption.in_use_destroyed != c->proven_ch[0] ||
        out->disruption.destroyed != c->proven_ch[1] ||
        out->disruption.created != c->proven_ch[2])
        return;
    out->optimal = true;
    out->lower_bound = out->cost;
    out->disruption.minimal = out->disruption.in_use_minimal = true;
}

static int current_run(cur *c, const mp_plan *base, mp_plan *out, mp_diag *d)
{
    bool blocked = true;
    int rc = cur_setup(c, d);
    phase_done(c, "setting up");
    /* every GPU as it is, only what its instances cannot serve placed
     * elsewhere, first: cheap, and when the state already serves the
     * request it is the plan changing nothing, so that no plan the
     * deadline cuts short is worse than leaving the node as it is. Then
     * mode 0 (unless the first plan ended past the deadline), kept unless
     * the first is better: the plan mode 0 then the first would give. */
    if (!rc)
        rc = one(c, CUR_KEEP, base, &blocked, out, d);
    if (!rc && may_start(c, 0)) {
        mp_plan alt;
        bool alt_blocked;
        rc = one(c, 0, base, &alt_blocked, &alt, d);
        if (!rc && (alt_blocked || (!blocked && better(out, &alt)))) {
            mp_plan_free(&alt);
        } else if (!rc) {
            mp_plan_free(out);
            *out = alt;
            blocked = alt_blocked;
        }
    }
    /* the process names are a preference: modes 2 and 3 drop them; 4 to
     * 7 (shares) only when the others block; then the busy GPUs chosen
     * together, and a small node searched whole */
    static const int modes[] = {
        1,        2, 3, 4, 5, 6, 7, CUR_JOINT, CUR_JOINT | 2, CUR_SMALL | 2,
        CUR_ASIDE};
    for (size_t i = 0; !rc && i < sizeof(modes) / sizeof(*modes); i++) {
        if (((modes[i] & 4) && !blocked) ||
            (modes[i] == CUR_ASIDE && c->o->busy_used))
            continue;
        if (!may_start(c, modes[i]))
            continue;
        mp_plan alt;
        bool alt_blocked;
        rc = one(c, modes[i], base, &alt_blocked, &alt, d);
        if (!rc)
            keep_better(&alt, alt_blocked, out, &blocked);
    }
    /* also when the plan is not the cheapest: destroying an instance in
     * use may save a GPU, so that a larger fleet never plans worse */
    if (!rc && (blocked || (!out->optimal && !c->o->busy_used)) &&
        c->o->allow_disruption && may_start(c, 0)) {
        /* fewest instances in use destroyed: a small node searched
         * whole; else every busy GPU freed and given back one by one
         * (half the time left), then, unless that met the bound, at most
         * k of them destroyed on the busy GPUs chosen together */
        rc = disrupt_small(c, base, &blocked, out, d);
        if (!rc && !c->have_proven) {
            double until = sv_now() + (c->deadline - sv_now()) / 2;
            rc = disrupt_free(c, base, until, &blocked, out, d);
        }
        if (!rc && !c->have_proven && !met(out, blocked)) {
            int lb = base->optimal ? cur_in_use_bound(c, base->gpus_used) : 0;
            rc = disrupt_joint(c, base, lb > 1 ? lb : 1, c->deadline, &blocked,
                               out, d);
        }
    }
    mark_proven(c, out);
    double t = sv_now();
    if (!rc && !blocked)
        rc = cur_spread(out);
    c->spread_seconds = sv_now() - t;
    phase_done(c, "spreading");
    if (rc || !blocked)
        return rc;
    bool busy = false;
    for (int k = 0; k < c->n; k++)
        busy = busy || c->g[k].kind == CUR_BUSY ||
               (c->g[k].kind == CUR_HELD && !c->g[k].taken);
    if (busy)
        blocking_reason(c, out);
    return 0;
}

int sv_current_solve(const mp_db *db, const mp_request *req,
                     const mp_solve_opts *o, mp_plan *out, mp_diag *d)
{
    double t0 = sv_now();
    memset(out, 0, sizeof(*out));
    if (req->n_pools)
        return mp_diag_set(d, MP_EUSAGE, req->path, 0, 0,
                           "--current plans a fleet: give the node's GPUs "
                           "as `fleet:` (node pools are not supported "
                           "with --current yet)");
    /* the same request from empty GPUs: the bound, or why nothing fits */
    mp_solve_opts bo = *o;
    bo.current = NULL;
    bo.time_limit = (o->time_limit > 0 ? o->time_limit : 5) / 2;
    mp_plan base;
    int rc = mp_solve(db, req, &bo, &base, d);
    if (rc)
        return rc;
    if (!base.feasible) {
        *out = base;
        out->current = o->current;
        return 0;
    }
    cur c = {.db = db,
             .req = req,
             .o = o,
             .st = o->current,
             .deadline = t0 + (o->time_limit > 0 ? o->time_limit : 5)};
    phase_done(&c, "the bound (the request on empty GPUs)");
    c.left =
        calloc((size_t)(req->n_tenants ? req->n_tenants : 1), sizeof(*c.left));
    if (!c.left)
        rc = mp_diag_set(d, MP_ENOMEM, NULL, 0, 0, "out of memory");
    else
        rc = current_run(&c, &base, out, d);
    /* -v books every attempt's mapping, not only the kept plan's, and
     * every attempt's building (the rest, with the bound, is search) */
    out->map_seconds = c.map_seconds;
    out->build_seconds = c.build_seconds;
    out->spread_seconds = c.spread_seconds;
    out->attempts = c.attempts;
    out->attempts_skipped = c.skipped;
    out->time_limit_hit |= c.skipped > 0;
    memcpy(out->late_phase, c.late, sizeof(out->late_phase));
    out->late_by = c.late_by;
    out->search_seconds = sv_now() - t0 - c.build_seconds - c.spread_seconds;
    free(c.left);
    free(c.g);
    mp_plan_free(&base);
    double t = sv_now();
    rc = sv_plan_finish(out, t0, rc, d);
    if (!rc)
        out->check_seconds = sv_now() - t;
    return rc;
}
