/* SPDX-License-Identifier: Apache-2.0 */
/* node_current.c - node pools planned from the state of their nodes
 * (mp_solve_opts.node_states).
 *
 * A choice of nodes is a set of the nodes given a state (those with an
 * instance in use always in it) and a number of the other, empty, nodes
 * per pool: those are alike, so which of them does not matter. Each
 * choice is planned as a fleet from a running node (sv_current_solve:
 * the busy GPUs kept, fewest destroyed and created) on its nodes' GPUs;
 * the nodes outside it are left as they are (or MIG disabled with
 * reset_unused). Choices are tried cheapest first (node cost, then GPUs),
 * from the bound of the same request on empty nodes, and every choice of
 * the cheapest cost that has a plan is compared: fewest nodes' cost, then
 * GPUs, then instances in use destroyed, then destroyed, then created,
 * then `spread: nodes` (each choice's plan first moves such replicas to
 * other used nodes where that changes no more instances). Too many
 * choices: only those up to a lower cost are enumerated, or the first
 * ones of the cheapest cost, and the plan's changes are then not proven
 * (nor its cost, past the bound).
 * With a tenant of several GPUs of one node (whole-gpu: N) each node is a
 * fleet entry of its own, so that its replicas' GPUs share a node.
 * When even every node together has no plan, the reason names the
 * instances in use by node, GPU and GI ID.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node_current_internal.h"

#define NC_MAX_CHOICES 65536 /* choices of nodes enumerated */
#define NC_MAX_PINS 16       /* profile pin sets of same-profile tenants */
#define NC_MAX_ASSIGN 256    /* profiles of a choice's single nodes */

/* (a0, a1) against (b0, b1), for qsort: the first, then the second. */
static int cmp_pairs(int a0, int a1, int b0, int b1)
{
    if (a0 != b0)
        return a0 < b0 ? -1 : 1;
    return (a1 > b1) - (a1 < b1);
}

static int cmp_stated(const void *a, const void *b)
{
    const nstated *x = a, *y = b;
    return cmp_pairs(x->pool, x->k, y->pool, y->k);
}

/* With a fleet entry per node (per_node), a choice holds at most
 * MP_MAX_FLEET nodes: past that, each pool offers no more empty nodes than
 * the plan on empty nodes uses of it (that plan fits in them; the choices
 * left out are then not tried: truncated). */
static int fit_entries(ncur *n, const mp_plan *base, mp_diag *d)
{
    const mp_request *r = n->ns.req;
    int total = n->nsn;
    for (int i = 0; i < r->n_pools; i++)
        total += n->max_empty[i];
    if (total <= MP_MAX_FLEET)
        return 0;
    total = n->nsn;
    for (int i = 0; i < r->n_pools; i++) {
        int used = 0;
        for (int j = 0; j < base->n_nodes; j++)
            used += base->nodes[j].used && base->nodes[j].pool == i;
        n->max_empty[i] = used < n->max_empty[i] ? used : n->max_empty[i];
        total += n->max_empty[i];
    }
    n->truncated = true;
    if (total <= MP_MAX_FLEET)
        return 0;
    return mp_diag_set(d, MP_ELIMIT, r->path, 0, 0,
                       "planning from node states with a tenant of several "
                       "GPUs (whole-gpu: N) takes at most %d nodes: %d "
                       "given a state and %d more the plan needs",
                       MP_MAX_FLEET, n->nsn, total - n->nsn);
}

/* The stated nodes, sorted, and how many empty nodes each pool offers
 * (an unlimited pool: as many as the plan on empty nodes uses). */
static int setup(ncur *n, const mp_plan *base, mp_diag *d)
{
    const mp_request *r = n->ns.req;
    const mp_solve_opts *o = n->ns.o;
    n->sn = calloc((size_t)(o->n_node_current + 1), sizeof(*n->sn));
    if (!n->sn)
        return mp_diag_set(d, MP_ENOMEM, NULL, 0, 0, "out of memory");
    int listed = 0;
    for (int j = 0; j < o->n_node_current; j++) {
        const mp_node_current *nc = &o->node_current[j];
        n->sn[j] = (nstated){nc->pool, nc->k, nc->st, false};
        for (int g = 0; g < nc->st->n; g++) {
            const mp_gpu_state *gs = &nc->st->gpu[g];
            int in_use = mp_gpu_state_in_use(gs);
            n->sn[j].busy |= in_use > 0;
            /* a plan lists every GPU: count those holding something */
            listed += gs->layout.gis.n > 0 || in_use > 0;
        }
    }
    n->nsn = o->n_node_current;
    if (listed > NODE_STATES_MAX_GPUS)
        return mp_diag_set(d, MP_ELIMIT, r->path, 0, 0,
                           "the node states given with --current list %d "
                           "GPUs with instances over %d nodes; planning from "
                           "node states takes at most %d: give fewer nodes a "
                           "state (a node given none is planned as empty)",
                           listed, n->nsn, NODE_STATES_MAX_GPUS);
    qsort(n->sn, (size_t)n->nsn, sizeof(*n->sn), cmp_stated);
    for (int i = 0, j = 0; i <= r->n_pools; i++) {
        n->first[i] = j;
        while (i < r->n_pools && j < n->nsn && n->sn[j].pool == i)
            j++;
    }
    for (int i = 0; i < r->n_pools; i++) {
        int stated = n->first[i + 1] - n->first[i];
        if (stated > 64)
            return mp_diag_set(d, MP_ELIMIT, NULL, 0, 0,
                               "pool %s: %d nodes given a state; planning "
                               "from node states takes at most 64 per pool",
                               r->pools[i].name, stated);
        n->max_empty[i] = r->pools[i].count >= 0 ? r->pools[i].count - stated
                                                 : base->nodes_used;
    }
    return n->per_node ? fit_entries(n, base, d) : 0;
}

/* Every choice that costs at most n->ceiling, from choice c's pools < i
 * and pool i's stated nodes < b on: with and without stated node b (with
 * only, when it is busy and no disruption is allowed), then pool i's
 * empty counts. */
static int enumerate(ncur *n, const nchoice *c, int i, int b)
{
    const mp_request *r = n->ns.req;
    if (c->cost > n->ceiling + 1e-9)
        return 0; /* more nodes only cost more */
    if (++n->steps % 4096 == 0 && sv_now() > n->enum_end)
        return MP_ETIMEOUT; /* choices() keeps those found */
    if (i == r->n_pools) {
        if (n->nch == NC_MAX_CHOICES)
            return MP_ELIMIT;
        n->ch[n->nch++] = *c;
        return 0;
    }
    const mp_node_pool *pl = &r->pools[i];
    int lo = n->first[i];
    if (b < n->first[i + 1] - lo) {
        nchoice x = *c;
        x.mask[i] |= (uint64_t)1 << b;
        x.cost += pl->cost;
        x.gpus += pl->gpus;
        int rc = enumerate(n, &x, i, b + 1);
        /* --allow-disruption: a busy node may be left as it is too */
        bool in = n->sn[lo + b].busy && !n->ns.o->allow_disruption;
        return rc || in ? rc : enumerate(n, c, i, b + 1);
    }
    for (int e = 0; e <= n->max_empty[i]; e++) {
        nchoice x = *c;
        x.empty[i] = e;
        x.cost += e * pl->cost;
        x.gpus += e * pl->gpus;
        int rc = enumerate(n, &x, i + 1, 0);
        if (rc)
            return rc;
    }
    return 0;
}

static int cmp_choice(const void *a, const void *b)
{
    const nchoice *x = a, *y = b;
    if (fabs(x->cost - y->cost) > 1e-9)
        return x->cost < y->cost ? -1 : 1;
    return (x->gpus > y->gpus) - (x->gpus < y->gpus);
}

/* Pool i's next fleet entry of choice c from its node at, of a profile
 * (a single pool: a's; -1 mixed): how many of its nodes it takes (nodes:
 * c's nodes of the pool). A mixed pool is one entry, a single one an
 * entry per run of nodes of one profile, and with n->per_node each node
 * is an entry (the planner keeps a whole-gpu: N replica's GPUs in one
 * entry). */
static int entry_run(const ncur *n, const nslots *a, int i, int nodes, int at,
                     int *prof)
{
    const int *pp = a->off[i] >= 0 ? a->prof + a->off[i] : NULL;
    int run = 1;
    *prof = !pp ? -1 : nodes ? pp[at] : n->npc[i] ? n->pc[i][0] : NT_WHOLE;
    if (n->per_node)
        return run;
    if (!pp)
        return nodes ? nodes : 1;
    while (at + run < nodes && pp[at + run] == *prof)
        run++;
    return run;
}

/* How many fleet entries choice c has with the profiles of a. */
static int fleet_entries(const ncur *n, const nchoice *c, const nslots *a)
{
    int k = 0;
    for (int i = 0; i < n->ns.req->n_pools; i++) {
        int nodes = __builtin_popcountll(c->mask[i]) + c->empty[i], prof;
        for (int e = 0; e < (n->per_node ? nodes : nodes ? nodes : 1); k++)
            e += entry_run(n, a, i, nodes, e, &prof);
    }
    return k;
}

/* The fleet of choice c (the request's pools as GPUs, only c's nodes,
 * those of single pools of a's profiles) and its state, stated nodes
 * first in each pool, GPU indices in that order (entry_run). */
static int choice_fleet(const ncur *n, const nchoice *c, const nslots *a,
                        mp_request *f, mp_node_state *ms)
{
    const mp_request *r = n->ns.req;
    *f = n->ns.sub;
    f->n_pools = 0;
    f->n_fleet = 0;
    memset(ms, 0, sizeof(*ms));
    int base = 0;
    for (int i = 0; i < r->n_pools; i++) {
        int gpus = r->pools[i].gpus, pos = 0;
        for (int b = 0; b < n->first[i + 1] - n->first[i]; b++) {
            if (!(c->mask[i] & (uint64_t)1 << b))
                continue;
            const mp_node_state *st = n->sn[n->first[i] + b].st;
            for (int g = 0; g < st->n; g++) {
                if (mp_node_state_reserve(ms, ms->n + 1))
                    return MP_ENOMEM;
                ms->gpu[ms->n] = st->gpu[g];
                if (a->off[i] >= 0)
                    sv_single_strip(&ms->gpu[ms->n], a->prof[a->off[i] + pos],
                                    n->ns.o->allow_disruption);
                ms->gpu[ms->n++].index = base + pos * gpus + st->gpu[g].index;
            }
            pos++;
        }
        int nodes = pos + c->empty[i];
        for (int e = 0; e < (n->per_node ? nodes : nodes ? nodes : 1);) {
            int prof, run = entry_run(n, a, i, nodes, e, &prof);
            if (f->n_fleet == MP_MAX_FLEET)
                return MP_ELIMIT;
            f->fleet[f->n_fleet] = r->fleet[i];
            if (a->off[i] >= 0) { /* single: that profile only */
                f->fleet[f->n_fleet].profiles = prof < 0 ? 0 : 1u << prof;
                f->fleet[f->n_fleet].whole_only = prof == NT_WHOLE;
            }
            f->fleet[f->n_fleet++].count = nodes ? run * gpus : 0;
            e += run;
        }
        base += nodes * gpus;
    }
    return 0;
}

/* A node of the plan being assembled: its number, state, and position in
 * the choice's fleet (-1: not in the choice). */
typedef struct nentry {
    int k;
    const mp_node_state *st;
    int fpos;
    bool used;
} nentry;

static int cmp_entry(const void *a, const void *b)
{
    const nentry *x = a, *y = b;
    return cmp_pairs(!x->used, x->k, !y->used, y->k); /* used ones first */
}

/* Node e of pool i into out: its GPUs from fp (the choice's plan, pool
 * i's GPUs from fbase) or idle, its state at the plan's GPU indices. */
static void put_node(const ncur *n, int i, const nentry *e, const mp_plan *fp,
                     int fbase, mp_plan *out)
{
    const mp_node_pool *pl = &n->ns.req->pools[i];
    int j = out->n_nodes++;
    out->nodes[j] = (mp_plan_node){i, e->k, e->used, -1, out->n_gpus, e->st};
    mp_node_state *own = out->own_state;
    for (int x = 0; x < pl->gpus; x++) {
        mp_plan_gpu *g = &out->gpus[out->n_gpus + x];
        const mp_gpu_state *s = e->st ? mp_node_state_gpu(e->st, x) : NULL;
        /* a single node the choice's plan does not use: its state, not
         * the fleet planner's view of it (sv_single_strip) */
        if (e->fpos >= 0 && (e->used || pl->strategy != MP_STRATEGY_SINGLE ||
                             !n->ns.o->allow_disruption))
            *g = fp->gpus[fbase + e->fpos * pl->gpus + x];
        else
            sv_node_idle_gpu(g, i, pl->model, s, n->ns.o->reset_unused);
        g->fleet = i;
        g->node = j;
        g->node_index = x;
        if (s) { /* assemble reserved room for every GPU */
            own->gpu[own->n] = *s;
            own->gpu[own->n++].index = out->n_gpus + x;
        }
    }
    out->n_gpus += pl->gpus;
}

/* Is a node k of pool i given a state? */
static bool stated(const ncur *n, int i, int k)
{
    for (int j = n->first[i]; j < n->first[i + 1]; j++)
        if (n->sn[j].k == k)
            return true;
    return false;
}

/* Pool i's nodes for choice c: the stated ones (in the choice or not),
 * the choice's empty ones (the lowest numbers no state has) and, for a
 * pool of a fixed count, the rest; used ones first. Returns how many. */
static int pool_entries(const ncur *n, const nchoice *c, int i,
                        const mp_plan *fp, int fbase, nentry *e)
{
    const mp_node_pool *pl = &n->ns.req->pools[i];
    int m = 0, pos = 0;
    for (int b = 0; b < n->first[i + 1] - n->first[i]; b++) {
        const nstated *s = &n->sn[n->first[i] + b];
        bool in = c->mask[i] & (uint64_t)1 << b;
        e[m++] = (nentry){s->k, s->st, in ? pos++ : -1, false};
    }
    int empties = c->empty[i];
    for (int k = 0; pl->count < 0 ? empties > 0 : k < pl->count; k++) {
        if (stated(n, i, k))
            continue;
        e[m++] = (nentry){k, NULL, empties > 0 ? pos++ : -1, false};
        empties--;
    }
    for (int a = 0; a < m; a++)
        for (int x = 0; e[a].fpos >= 0 && x < pl->gpus; x++)
            e[a].used |= fp->gpus[fbase + e[a].fpos * pl->gpus + x].used;
    qsort(e, (size_t)m, sizeof(*e), cmp_entry);
    return m;
}

/* The node plan of choice c, its single nodes of as's profiles, from fp,
 * its plan as a fleet. */
static int assemble(const ncur *n, const nchoice *c, const nslots *as,
                    const mp_plan *fp, mp_plan *out)
{
    const mp_request *r = n->ns.req;
    memset(out, 0, sizeof(*out));
    out->req = r;
    out->reset_unused = n->ns.o->reset_unused;
    int nodes = 0, gpus = 0, most = 1;
    for (int i = 0; i < r->n_pools; i++) {
        int stated_i = n->first[i + 1] - n->first[i];
        int nn =
            r->pools[i].count >= 0 ? r->pools[i].count : stated_i + c->empty[i];
        nodes += nn;
        gpus += nn * r->pools[i].gpus;
        most = nn > most ? nn : most;
    }
    out->nodes = calloc((size_t)(nodes ? nodes : 1), sizeof(*out->nodes));
    out->gpus = calloc((size_t)(gpus ? gpus : 1), sizeof(*out->gpus));
    out->own_state = calloc(1, sizeof(*out->own_state));
    nentry *e = malloc((size_t)most * sizeof(*e));
    int rc = out->nodes && out->gpus && out->own_state && e &&
                     !mp_node_state_reserve(out->own_state, gpus)
                 ? 0
                 : MP_ENOMEM;
    for (int i = 0, fbase = 0; i < r->n_pools && !rc; i++) {
        int m = pool_entries(n, c, i, fp, fbase, e);
        for (int a = 0; a < m; a++) {
            put_node(n, i, &e[a], fp, fbase, out);
            if (as->off[i] >= 0 && e[a].fpos >= 0)
                out->nodes[out->n_nodes - 1].profile =
                    as->prof[as->off[i] + e[a].fpos];
        }
        fbase +=
            (__builtin_popcountll(c->mask[i]) + c->empty[i]) * r->pools[i].gpus;
    }
    free(e);
    out->current = out->own_state;
    bool fits = true;
    int filled = 0, emptied = 0;
    if (!rc)
        sv_single_fill(r, n->ns.o->allow_disruption, out, &fits, &filled);
    if (!rc)
        emptied = sv_single_empty(r, n->ns.o, out);
    if (!rc)
        rc = sv_plan_number(r, out);
    if (!rc)
        rc = sv_node_respread(n->ns.deadline, out);
    if (!rc)
        sv_plan_node_cost(r, out);
    for (int k = 0; k < out->n_gpus && !rc; k++) {
        mp_gpu_change ch;
        rc = mp_plan_gpu_change(out, &out->gpus[k], &ch);
        out->disruption.destroyed += ch.n_destroy;
        out->disruption.created += ch.n_create;
        out->disruption.in_use_destroyed += ch.in_use_destroyed;
        out->disruption.gpus_touched += !mp_gpu_change_none(&ch);
    }
    /* instances added to fill single nodes, or destroyed on the GPUs of
     * all-disabled ones: not among those proven */
    out->disruption.minimal =
        fp->disruption.minimal && filled == 0 && emptied == 0;
    out->feasible = !rc && fits;
    if (!fits)
        snprintf(out->reason, sizeof(out->reason),
                 "a node of a single pool cannot carry its profile on every "
                 "GPU beside the instances kept");
    return rc;
}

/* Is plan a better than b: cheaper nodes, then fewer GPUs, then fewer
 * instances in use destroyed, then fewer destroyed, then created, then
 * a better `spread: nodes`? */
static bool better(const mp_plan *a, const mp_plan *b)
{
    if (fabs(a->cost - b->cost) > 1e-9)
        return a->cost < b->cost;
    if (a->gpus_used != b->gpus_used)
        return a->gpus_used < b->gpus_used;
    int c = sv_plan_changes_cmp(a, b);
    return c ? c < 0 : sv_spread_better(a, b);
}

/* *out, a choice's feasible plan, made infeasible when it fails its own
 * validation (*bad), so that the search goes on with the next choice
 * instead of returning a plan it would reject at the end. */
static int discard_invalid(mp_plan *out, bool *bad, mp_diag *d)
{
    char why[256];
    int rc = mp_plan_validate(out, why, sizeof(why));
    if (rc == MP_ENOMEM)
        return mp_diag_set(d, rc, NULL, 0, 0, "out of memory");
    if (!rc)
        return 0;
    const mp_request *req = out->req;
    mp_plan_free(out);
    memset(out, 0, sizeof(*out));
    out->req = req;
    *bad = true;
    snprintf(out->reason, sizeof(out->reason),
             "the plan failed its own validation (%s); please report it", why);
    return 0;
}

/* Choice c planned, its single nodes of a's profiles, the fleet planner
 * given the time left over share, at least min_secs seconds: *out feasible, or
 * not with the fleet planner's reason in out->reason (*bad: a plan was found
 * but failed validation). */
static int eval_one(const ncur *n, const nchoice *c, const nslots *a, int share,
                    double min_secs, mp_plan *out, bool *bad, mp_diag *d)
{
    *bad = false;
    memset(out, 0, sizeof(*out));
    out->req = n->ns.req;
    mp_request *f = malloc(sizeof(*f));
    mp_node_state *ms = calloc(1, sizeof(*ms));
    int rc = f && ms ? choice_fleet(n, c, a, f, ms) : MP_ENOMEM;
    if (rc) {
        free(f);
        mp_node_state_free(ms);
        free(ms);
        return mp_diag_set(d, rc, NULL, 0, 0,
                           rc == MP_ENOMEM ? "out of memory"
                                           : "the chosen nodes list more "
                                             "GPUs with instances than a "
                                             "state holds, or more nodes "
                                             "than a fleet has entries");
    }
    mp_solve_opts o2 = *n->ns.o;
    o2.node_states = false;
    o2.node_current = NULL;
    o2.current = ms;
    o2.busy_used = true;
    o2.progress = NULL;
    double left = n->ns.deadline - sv_now();
    o2.time_limit = fmax(left / share, min_secs);
    mp_plan fp;
    rc = sv_current_solve(n->ns.db, f, &o2, &fp, d);
    if (rc == MP_EINTERNAL) { /* this choice's plan failed validation */
        *bad = true;
        const char *m = strstr(d->msg, "the plan failed");
        snprintf(out->reason, sizeof(out->reason), "%s", m ? m : d->msg);
        mp_diag_clear(d);
        rc = 0;
        memset(&fp, 0, sizeof(fp));
    }
    double t = sv_now();
    if (!rc && fp.feasible && assemble(n, c, a, &fp, out))
        rc = mp_diag_set(d, MP_ENOMEM, NULL, 0, 0, "out of memory");
    else if (!rc && !fp.feasible && !*bad)
        snprintf(out->reason, sizeof(out->reason), "%s", fp.reason);
    else if (!rc && out->feasible) /* not when assemble found it cannot be */
        rc = discard_invalid(out, bad, d);
    /* -v: the node plan's assembly (with its `spread: nodes`) and check,
     * and the fleet plan's spreading and check */
    out->build_seconds = sv_now() - t;
    out->spread_seconds = fp.spread_seconds;
    out->check_seconds = fp.check_seconds;
    mp_plan_free(&fp);
    free(f);
    mp_node_state_free(ms);
    free(ms);
    return rc;
}

/* Slot for a node of single pool i in the choice (st: its state, NULL:
 * none given), tied to the last before it in the pool of the same state
 * (from: the pool's first slot). */
static void add_slot(const ncur *n, nslots *s, int i, int from,
                     const mp_node_state *st)
{
    int k = s->n++;
    s->st[k] = st;
    s->ncand[k] = sv_single_node_candidates(st, n->ns.o->allow_disruption,
                                            n->pc[i], n->npc[i], s->cand[k]);
    s->tie[k] = -1;
    for (int j = k - 1; j >= from && s->tie[k] < 0; j--)
        if (sv_node_state_same(s->st[j], st))
            s->tie[k] = j;
}

/* The slots of choice c: its nodes of single pools in fleet order (the
 * stated ones in the choice, then the empty ones). MP_ENOMEM. */
static int choice_slots(const ncur *n, const nchoice *c, nslots *s)
{
    const mp_request *r = n->ns.req;
    int total = 0;
    for (int i = 0; i < r->n_pools; i++)
        if (r->pools[i].strategy == MP_STRATEGY_SINGLE)
            total += __builtin_popcountll(c->mask[i]) + c->empty[i];
    if (sv_slots_alloc(s, total))
        return MP_ENOMEM;
    for (int i = 0; i < r->n_pools; i++) {
        s->off[i] = -1;
        if (r->pools[i].strategy != MP_STRATEGY_SINGLE)
            continue;
        int from = s->off[i] = s->n;
        for (int b = 0; b < n->first[i + 1] - n->first[i]; b++)
            if (c->mask[i] & (uint64_t)1 << b)
                add_slot(n, s, i, from, n->sn[n->first[i] + b].st);
        for (int e = 0; e < c->empty[i]; e++)
            add_slot(n, s, i, from, NULL);
    }
    return 0;
}

/* Choice c planned (eval_one) with every assignment of profiles to its
 * nodes of single pools that they may carry (sv_slots_*), the best kept;
 * its changes not proven when some assignment was not tried (over
 * NC_MAX_ASSIGN, the deadline, more fleet entries than a fleet has). */
static int eval(const ncur *n, const nchoice *c, mp_plan *out, bool *bad,
                mp_diag *d)
{
    nslots s;
    *bad = false;
    memset(out, 0, sizeof(*out));
    out->req = n->ns.req;
    if (choice_slots(n, c, &s))
        return mp_diag_set(d, MP_ENOMEM, NULL, 0, 0, "out of memory");
    bool more = sv_slots_first(&s), cut = false;
    double unproven = INFINITY; /* as ncur's, over the assignments */
    double secs[3] = {0, 0, 0}; /* build, spread, check */
    if (!more)
        snprintf(out->reason, sizeof(out->reason),
                 "no profile a tenant takes suits every chosen node of the "
                 "single pools");
    int rc = 0;
    for (int tried = 0; more && !rc; more = sv_slots_next(&s)) {
        if (tried == NC_MAX_ASSIGN || (tried && sv_now() > n->ns.deadline)) {
            cut = true;
            break;
        }
        if (fleet_entries(n, c, &s) > MP_MAX_FLEET) {
            cut = true;
            continue;
        }
        mp_plan p;
        bool b;
        /* the first assignment gets the floor of the choice (larger for
         * the cheap and the full choice when late), the others 0.05 s */
        rc = eval_one(n, c, &s, tried ? 8 : 4, tried ? 0.05 : n->min_limit, &p,
                      &b, d);
        tried++;
        secs[0] += p.build_seconds;
        secs[1] += p.spread_seconds;
        secs[2] += p.check_seconds;
        if (!rc && p.feasible && !p.disruption.minimal && p.cost < unproven)
            unproven = p.cost;
        if (!rc && p.feasible && (!out->feasible || better(&p, out))) {
            mp_plan_free(out);
            *out = p;
            *bad = false;
        } else if (!rc && !out->feasible && (tried == 1 || (b && !*bad))) {
            snprintf(out->reason, sizeof(out->reason), "%s", p.reason);
            *bad = b;
            mp_plan_free(&p);
        } else {
            mp_plan_free(&p);
        }
    }
    if (!rc && !out->feasible && cut && n->base) {
        /* the time ran out first: base's profiles, a plan if base's nodes
         * are in the choice (the cheap one), however late */
        mp_plan p;
        bool b;
        sv_slots_base(&s, n->ns.req, n->base);
        rc = eval_one(n, c, &s, 4, n->min_limit, &p, &b, d);
        secs[0] += p.build_seconds;
        secs[1] += p.spread_seconds;
        secs[2] += p.check_seconds;
        if (!rc && p.feasible) {
            mp_plan_free(out);
            *out = p;
            *bad = false;
        } else {
            mp_plan_free(&p);
        }
    }
    if (!rc && out->feasible && (cut || unproven < out->cost + 1e-9))
        out->disruption.minimal = false;
    /* -v: the times of every assignment tried */
    out->build_seconds = secs[0];
    out->spread_seconds = secs[1];
    out->check_seconds = secs[2];
    sv_slots_free(&s);
    return rc;
}

/* Note p, a choice's plan (feasible or not), for the proof of changes;
 * bad: its plan failed its own validation (for --verbose). */
static void note(ncur *n, const mp_plan *p, bool bad)
{
    if (p->feasible && !p->disruption.minimal && p->cost < n->unproven)
        n->unproven = p->cost;
    if (bad && n->discarded++ == 0)
        snprintf(n->discard_why, sizeof(n->discard_why), "%.200s", p->reason);
}

/* The nodes n chooses from, for node_current_choice.c. */
static nc_nodes nodes_of(const ncur *n)
{
    return (nc_nodes){n->ns.req, n->sn, n->first, n->max_empty, n->need};
}

/* Choice c planned and noted, kept in *best when better (or the first,
 * or the full choice while there is no plan); *bad: its plan failed its
 * own validation. */
static int try_choice(ncur *n, const nchoice *c, mp_plan *best, bool *bad,
                      mp_diag *d)
{
    mp_plan p;
    int rc = eval(n, c, &p, bad, d);
    note(n, &p, *bad);
    n->phase[0] += p.build_seconds;
    n->phase[1] += p.spread_seconds;
    n->phase[2] += p.check_seconds;
    /* no plan anywhere: the full choice's reason (every node together) */
    nc_nodes x = nodes_of(n);
    nchoice full = sv_full_choice(&x);
    bool take =
        !best->req || (!best->feasible && sv_same_nodes(n->ns.req, c, &full));
    if (!rc &&
        (take || (p.feasible && (!best->feasible || better(&p, best))))) {
        mp_plan_free(best);
        *best = p;
    } else {
        mp_plan_free(&p);
    }
    return rc;
}

/* Good plans first, so that a run the time limit cuts still has one: the
 * cheap choice, then the steps up to the full choice until one has a
 * plan (the full choice right after the cheap ones: when even every node
 * has none, the reason names the instances in use). tried[] gets the
 * choices planned; returns how many, or -1 on an error (*rc). */
static int first_plans(ncur *n, mp_plan *best, nchoice *tried, bool *cut,
                       int *rc, mp_diag *d)
{
    static const int order[] = {0, 1, NC_STEPS, 2, 3};
    nc_nodes x = nodes_of(n);
    nchoice full = sv_full_choice(&x);
    int nt = 0;
    bool resort = false;
    for (size_t k = 0; k < sizeof(order) / sizeof(*order); k++) {
        nchoice c = sv_step_choice(&x, order[k]);
        bool dup = false, bad = false;
        for (int j = 0; j < nt && !dup; j++)
            dup = sv_same_nodes(n->ns.req, &c, &tried[j]);
        if (dup)
            continue;
        if (best->feasible)
            break;
        if (order[k] > 1 && order[k] < NC_STEPS && sv_now() > n->ns.deadline) {
            *cut = true;
            break;
        }
        if (!resort && k > 0 && sv_now() > n->ns.deadline) {
            /* late: the choice of last resort first, however late */
            nchoice r = sv_resort_choice(&x);
            resort = true;
            tried[nt++] = r;
            n->min_limit = fmax(0.1, n->limit / 4);
            *rc = try_choice(n, &r, best, &bad, d);
            n->min_limit = 0.05;
            if (*rc)
                return -1;
            if (best->feasible || sv_same_nodes(n->ns.req, &c, &r))
                continue; /* the dup check above, or the break */
        }
        tried[nt++] = c;
        /* the cheap choice and the full one (the plan of last resort)
         * may take a quarter of the limit however late; the others keep
         * a blocked request quick */
        if (order[k] == 0 || order[k] == NC_STEPS)
            n->min_limit = fmax(0.1, n->limit / 4);
        *rc = try_choice(n, &c, best, &bad, d);
        n->min_limit = 0.05;
        if (*rc)
            return -1;
        if (sv_same_nodes(n->ns.req, &c, &full) && !best->feasible && !bad &&
            !n->unfit) {
            char why[sizeof(best->reason)];
            snprintf(why, sizeof(why), "%s", best->reason);
            sv_nc_blocked_reason(n, why, best);
            return -1;
        }
    }
    return nt;
}

/* The best plan of the choices: good ones first (first_plans), then
 * cheapest first from lb; *cut when the time ran out before every choice
 * of the best plan's cost was tried. */
static int search(ncur *n, double lb, mp_plan *best, bool *cut, mp_diag *d)
{
    nchoice tried[NC_STEPS + 2]; /* first_plans' and the last resort */
    memset(best, 0, sizeof(*best));
    int rc = 0;
    int nt = first_plans(n, best, tried, cut, &rc, d);
    if (nt < 0)
        return rc;
    for (int j = 0; j < n->nch && !rc; j++) {
        const nchoice *c = &n->ch[j];
        bool dup = c->cost < lb - 1e-9, bad;
        for (int k = 0; k < nt && !dup; k++)
            dup = sv_same_nodes(n->ns.req, c, &tried[k]);
        if (dup)
            continue;
        if (best->feasible && c->cost > best->cost + 1e-9)
            break;
        if (sv_now() > n->ns.deadline) {
            *cut = true;
            break;
        }
        rc = try_choice(n, c, best, &bad, d);
    }
    /* choices as cheap as the best left out of the enumeration */
    n->left_out |= !rc && (n->truncated || best->cost > n->ceiling + 1e-9);
    return rc;
}

/* The best plan over the pin sets (the first's reason when none has one). */
static int search_pins(ncur *n, const mp_plan *base, double lb, mp_plan *best,
                       bool *cut, mp_diag *d)
{
    const mp_request *r = n->ns.req;
    if (!n->ns.tenants)
        n->ns.tenants = malloc((size_t)(r->n_tenants ? r->n_tenants : 1) *
                               sizeof(*n->ns.tenants));
    if (!n->ns.tenants)
        return mp_diag_set(d, MP_ENOMEM, NULL, 0, 0, "out of memory");
    memcpy(n->ns.tenants, r->tenants,
           (size_t)r->n_tenants * sizeof(*n->ns.tenants));
    n->ns.sub = *r;
    n->ns.sub.tenants = n->ns.tenants;
    int rc = 0;
    /* the pins of an instance named after a tenant may cost more than
     * base's (or have no plan): they get half the time left, base's the
     * rest */
    double end = n->ns.deadline;
    if (sv_nc_pin_base_differs(n, base))
        n->ns.deadline = sv_now() + (end - sv_now()) / 2;
    for (int v = 0; v < NC_MAX_PINS && !rc && sv_nc_pin_set(n, base, v); v++) {
        if (v > 0 && sv_now() > end) {
            *cut = true;
            break;
        }
        mp_plan p;
        rc = search(n, lb, &p, cut, d);
        n->ns.deadline = end;
        if (!rc &&
            (v == 0 || (p.feasible && (!best->feasible || better(&p, best))))) {
            mp_plan_free(best);
            *best = p;
        } else {
            mp_plan_free(&p);
        }
    }
    return rc;
}

/* The best plan with each node of a single pool its own profile: the
 * profiles each pool's nodes may carry (sv_single_candidates), every
 * assignment of them weighed per choice of nodes (eval). A node whose
 * instances in use allow none (of several profiles, or of one no tenant
 * takes) blocks the plan: out infeasible, its reason naming them. */
static int search_single(ncur *n, const mp_plan *base, double lb, mp_plan *best,
                         bool *cut, mp_diag *d)
{
    const mp_request *r = n->ns.req;
    memset(best, 0, sizeof(*best));
    best->req = r;
    for (int i = 0; i < r->n_pools; i++) {
        n->npc[i] = 0;
        if (r->pools[i].strategy != MP_STRATEGY_SINGLE)
            continue;
        n->npc[i] = sv_single_candidates(r, base, i, n->pc[i]);
        for (int j = n->first[i]; j < n->first[i + 1]; j++) {
            int cand[MP_MAX_PROFILES + 1];
            bool none = sv_single_node_candidates(
                            n->sn[j].st, n->ns.o->allow_disruption, n->pc[i],
                            n->npc[i], cand) == 0;
            n->unfit |= none;
            /* --allow-disruption: such a node may be left as it is */
            if (n->sn[j].busy && !n->ns.o->allow_disruption && none) {
                sv_single_blocked(r, n->sn, n->nsn, i, n->pc[i], n->npc[i],
                                  best->reason, sizeof(best->reason));
                return 0;
            }
        }
    }
    int rc = search_pins(n, base, lb, best, cut, d);
    if (!rc && !best->feasible)
        sv_single_reason(n, *cut, best);
    return rc;
}

/* The choices, cheapest first: those of cost at most the full choice's
 * (every stated node and the most empty ones: no plan needs more), or when
 * they are too many, those up to a lower ceiling (bisected between lb and
 * that cost); when even the cheapest cost has too many, the first ones
 * found of it (n->truncated). */
static int choices(ncur *n, double lb, mp_diag *d)
{
    n->ch = malloc(NC_MAX_CHOICES * sizeof(*n->ch));
    if (!n->ch)
        return mp_diag_set(d, MP_ENOMEM, NULL, 0, 0, "out of memory");
    nchoice none;
    memset(&none, 0, sizeof(none));
    double lo = lb, hi = 0;
    for (int i = 0; i < n->ns.req->n_pools; i++)
        hi += (n->first[i + 1] - n->first[i] + n->max_empty[i]) *
              n->ns.req->pools[i].cost;
    n->ceiling = hi + 1e-6;
    /* half the time left: the choices must still be planned */
    n->enum_end = sv_now() + (n->ns.deadline - sv_now()) / 2;
    for (int it = 0; it < 60; it++) {
        n->nch = 0;
        int rc = enumerate(n, &none, 0, 0);
        if (rc == 0)
            break;
        if (hi - lo < 1e-6 || it == 59 || rc == MP_ETIMEOUT) {
            n->truncated = true;
            break;
        }
        hi = n->ceiling;
        n->ceiling = lo + (hi - lo) / 2;
    }
    qsort(n->ch, (size_t)n->nch, sizeof(*n->ch), cmp_choice);
    return 0;
}

/* out, no plan from the search (most often cut by the time limit): the
 * plan of last resort built without the fleet planner, so that a request
 * with a plan has one at any limit: base (the plan on empty nodes) beside
 * the busy nodes left as they are. Not with a single pool (sv_slots_base
 * gives the search that plan there). *cut: the search did not finish. */
static int last_resort(const ncur *n, const mp_plan *base, bool *cut,
                       mp_plan *out, mp_diag *d)
{
    const mp_request *r = n->ns.req;
    for (int i = 0; i < r->n_pools; i++)
        if (r->pools[i].strategy == MP_STRATEGY_SINGLE)
            return 0;
    nc_nodes x = nodes_of(n);
    nchoice c = sv_resort_choice(&x);
    mp_plan fp, p;
    nslots s;
    int rc = sv_resort_fleet_plan(&x, &c, base, &fp);
    if (rc)
        return rc == MP_ENOMEM ? mp_diag_set(d, rc, NULL, 0, 0, "out of memory")
                               : 0;
    bool bad = false;
    memset(&p, 0, sizeof(p));
    rc = choice_slots(n, &c, &s) ? MP_ENOMEM : assemble(n, &c, &s, &fp, &p);
    if (rc)
        rc = mp_diag_set(d, rc, NULL, 0, 0, "out of memory");
    else if (p.feasible)
        rc = discard_invalid(&p, &bad, d);
    if (!rc && p.feasible) {
        mp_plan_free(out);
        *out = p;
        *cut = true;
    } else {
        mp_plan_free(&p);
    }
    mp_plan_free(&fp);
    sv_slots_free(&s);
    return rc;
}

/* The bound: the request on empty nodes, and the nodes in use. */
static double bound(const ncur *n, const mp_plan *base)
{
    double busy = 0;
    for (int j = 0; j < n->nsn && !n->ns.o->allow_disruption; j++)
        busy += n->sn[j].busy ? n->ns.req->pools[n->sn[j].pool].cost : 0;
    return fmax(base->lower_bound, busy);
}

int sv_node_current_solve(const mp_db *db, const mp_request *req,
                          const mp_solve_opts *o, mp_plan *out, mp_diag *d)
{
    double t0 = sv_now();
    memset(out, 0, sizeof(*out));
    double limit = o->time_limit > 0 ? o->time_limit : 5;
    mp_solve_opts bo = *o;
    bo.node_states = false;
    bo.node_current = NULL;
    bo.time_limit = limit / 3;
    mp_plan base;
    int rc = mp_solve(db, req, &bo, &base, d);
    if (rc || !base.feasible) {
        *out = base; /* no plan even on empty nodes: its reason */
        return rc;
    }
    ncur n = {.ns = {.db = db, .req = req, .o = o, .deadline = t0 + limit},
              .base = &base,
              .unproven = INFINITY,
              .limit = limit,
              .min_limit = 0.05};
    for (int t = 0; t < req->n_tenants; t++)
        n.per_node |= mp_tenant_gpus(&req->tenants[t]) > 1;
    for (int j = 0; j < base.n_nodes; j++)
        n.need[base.nodes[j].pool] += base.nodes[j].used;
    bool cut = false;
    rc = setup(&n, &base, d);
    double lb = rc ? 0 : bound(&n, &base);
    if (!rc)
        rc = choices(&n, lb, d);
    if (!rc)
        rc = search_single(&n, &base, lb, out, &cut, d);
    if (!rc && !out->feasible)
        rc = last_resort(&n, &base, &cut, out, d);
    /* a choice's fleet planner names its own share of the time */
    if (!rc && !out->feasible && strstr(out->reason, "within the time limit"))
        snprintf(out->reason, sizeof(out->reason),
                 "no plan found within --time-limit %g s; raise it", limit);
    if (!rc && out->feasible) {
        out->lower_bound = round(lb * 1e6) / 1e6;
        out->optimal = out->cost <= lb + 1e-9;
        out->time_limit_hit = cut;
        /* each choice's changes are proven against its own nodes' instances
         * only: fewest over all choices when every choice as cheap proved
         * its own */
        out->disruption.minimal &= out->optimal && !cut && !n.left_out &&
                                   n.unproven > out->cost + 1e-9;
        /* nothing destroyed or created: no plan changes less */
        out->disruption.minimal |=
            out->disruption.destroyed == 0 && out->disruption.created == 0;
        out->integral_costs = base.integral_costs;
        out->classes = base.classes;
        out->patterns = base.patterns;
    }
    out->discarded = n.discarded;
    snprintf(out->discard_why, sizeof(out->discard_why), "%s", n.discard_why);
    mp_plan_free(&base);
    free(n.sn);
    free(n.ch);
    free(n.ns.tenants);
    double t = sv_now();
    /* -v: the rest, with the plan on empty nodes, is the search */
    out->search_seconds = t - t0 - n.phase[0] - n.phase[1] - n.phase[2];
    out->build_seconds = n.phase[0];
    out->spread_seconds = n.phase[1];
    rc = sv_plan_finish(out, t0, rc, d);
    if (!rc && out->feasible && sv_node_counts_as_warn(out) != 0) {
        mp_plan_free(out);
        rc = mp_diag_set(d, MP_ENOMEM, NULL, 0, 0, "out of memory");
    }
    if (!rc)
        out->check_seconds = n.phase[2] + sv_now() - t;
    return rc;
}
