// SPDX-License-Identifier: Apache-2.0
/* node_current_spread.c - `spread: nodes` in a node plan from the nodes'
 * states: a plan's spread key, and moves of replicas to other used nodes
 * that spread them better and change no more instances. */
#include <stdlib.h>
#include <string.h>

#include "node_current_internal.h"

/* The `spread: nodes` key of p: per tenant of that spread, the most of its
 * replicas on one node, then the sum of the squares of its replicas per
 * node (0 for the others); cnt has room for nodes x tenants. */
static void spread_key(const mp_plan *p, int *cnt, int *key)
{
    const mp_request *r = p->req;
    int nt = r->n_tenants;
    memset(cnt, 0, (size_t)(p->n_nodes * nt) * sizeof(*cnt));
    memset(key, 0, (size_t)(2 * nt) * sizeof(*key));
    for (int k = 0; k < p->n_gpus; k++)
        for (int q = 0; q < p->gpus[k].layout.gis.n; q++) {
            int t = p->gpus[k].tenant[q];
            if (t >= 0 && r->tenants[t].spread_nodes)
                cnt[p->gpus[k].node * nt + t]++;
        }
    for (int j = 0; j < p->n_nodes; j++)
        for (int t = 0; t < nt; t++) {
            int c = cnt[j * nt + t];
            key[2 * t] = c > key[2 * t] ? c : key[2 * t];
            key[2 * t + 1] += c * c;
        }
}

/* Is a[0..n) less than b[0..n), element by element? On keys of
 * spread_key (2 per tenant): does a spread better. */
static bool lex_less(const int *a, const int *b, int n)
{
    for (int i = 0; i < n; i++)
        if (a[i] != b[i])
            return a[i] < b[i];
    return false;
}

/* GPUs a and b's changes, summed: instances in use destroyed, destroyed,
 * created (*bad when one cannot be judged). */
static void pair_changes(const mp_plan *p, const mp_plan_gpu *a,
                         const mp_plan_gpu *b, int *v, bool *bad)
{
    const mp_plan_gpu *g[2] = {a, b};
    v[0] = v[1] = v[2] = 0;
    for (int i = 0; i < 2; i++) {
        mp_gpu_change ch;
        *bad |= mp_plan_gpu_change(p, g[i], &ch) != 0;
        v[0] += ch.in_use_destroyed;
        v[1] += ch.n_destroy;
        v[2] += ch.n_create;
    }
}

/* Does g serve a replica (else moving one away would free the GPU)? */
static bool serves(const mp_plan_gpu *g)
{
    for (int q = 0; q < g->layout.gis.n; q++)
        if (g->tenant[q] >= 0)
            return true;
    return false;
}

/* Move instance q of a (its replica with it) to b, at the first start
 * where it fits beside b's instances (sv_gpu_remove_gi); false when it
 * fits nowhere. */
static bool move_gi(mp_plan_gpu *a, int q, mp_plan_gpu *b)
{
    mp_gpu_layout *lb = &b->layout;
    int p = a->layout.gis.gi[q].profile, at = -1;
    for (int s0 = 0; s0 < MP_MAX_UNITS && at < 0; s0++) {
        at = mp_gpu_layout_add(lb, p, s0);
        if (at < 0)
            return false; /* b is full */
        if (mp_geom_validate(&lb->gis, NULL) != 0) {
            lb->gis.n--;
            at = -1;
        }
    }
    if (at < 0)
        return false;
    lb->ci_explicit[at] = a->layout.ci_explicit[q];
    memcpy(lb->ci_count[at], a->layout.ci_count[q], sizeof(lb->ci_count[at]));
    b->tenant[at] = a->tenant[q];
    b->replica[at] = a->replica[q];
    sv_gpu_remove_gi(a, q);
    lb->driver_order = lb->driver_exact = false;
    return true;
}

/* Where the respread is: the plan, its key and scratch. */
typedef struct nspread {
    mp_plan *p;
    int *cnt, *key; /* p's replicas per node and tenant, p's key */
    int *cnt2, *k2; /* the same for a move being tried */
} nspread;

/* Is GPU g on a node of a pool of the single strategy (one profile on
 * every GPU, its own resource name)? */
static bool single_node(const mp_plan *p, const mp_plan_gpu *g)
{
    const mp_request *r = p->req;
    return r->pools[p->nodes[g->node].pool].strategy == MP_STRATEGY_SINGLE;
}

/* Instance r of b may give its replica to a `spread: nodes` replica of
 * tenant t (r == n: none, the instance itself moves to b)? */
static bool swap_ok(const mp_plan *p, const mp_plan_gpu *a, int q,
                    const mp_plan_gpu *b, int r)
{
    int u = b->tenant[r];
    return b->layout.gis.gi[r].profile == a->layout.gis.gi[q].profile &&
           u >= 0 && u != a->tenant[q] && !p->req->tenants[u].spread &&
           !sv_gi_in_use(p, b, r);
}

/* Try each way of taking instance q of a's replica to GPU b: swapped with
 * a replica of another tenant on an instance of b's of the same profile,
 * or the instance moved to b (not onto a single node: its GPUs carry one
 * profile each); keep the first that spreads better with no
 * more changes on a and b. */
static bool try_gpu(nspread *w, mp_plan_gpu *a, int q, mp_plan_gpu *b)
{
    int nt = w->p->req->n_tenants, before[3], after[3];
    bool bad = false;
    pair_changes(w->p, a, b, before, &bad);
    mp_plan_gpu sa = *a, sb = *b;
    for (int r = 0; r <= sb.layout.gis.n && !bad; r++) {
        if (r < sb.layout.gis.n) {
            if (!swap_ok(w->p, a, q, b, r))
                continue;
            a->tenant[q] = sb.tenant[r];
            a->replica[q] = sb.replica[r];
            b->tenant[r] = sa.tenant[q];
            b->replica[r] = sa.replica[q];
        } else if (single_node(w->p, b) || !move_gi(a, q, b) || !serves(a)) {
            *a = sa;
            *b = sb;
            continue;
        }
        pair_changes(w->p, a, b, after, &bad);
        spread_key(w->p, w->cnt2, w->k2);
        if (!bad && !lex_less(before, after, 3) &&
            lex_less(w->k2, w->key, 2 * nt)) {
            memcpy(w->key, w->k2, (size_t)(2 * nt) * sizeof(*w->key));
            memcpy(w->cnt, w->cnt2,
                   (size_t)(w->p->n_nodes * nt) * sizeof(*w->cnt));
            return true;
        }
        *a = sa;
        *b = sb;
    }
    return false;
}

/* Take the replica of instance q of GPU ka to another node if that
 * spreads p better (see try_gpu). */
static bool respread_one(nspread *w, int ka, int q)
{
    mp_plan *p = w->p;
    mp_plan_gpu *a = &p->gpus[ka];
    int t = a->tenant[q], nt = p->req->n_tenants;
    if (t < 0 || !p->req->tenants[t].spread_nodes || sv_gi_in_use(p, a, q))
        return false;
    for (int kb = 0; kb < p->n_gpus; kb++) {
        mp_plan_gpu *b = &p->gpus[kb];
        /* one replica from x to y spreads t better only when y + 1 < x */
        if (b->node != a->node && b->used && b->layout.mig_enabled &&
            b->layout.gis.model == a->layout.gis.model &&
            single_node(p, a) == single_node(p, b) &&
            w->cnt[b->node * nt + t] + 1 < w->cnt[a->node * nt + t] &&
            try_gpu(w, a, q, b))
            return true;
    }
    return false;
}

/* Spread the `spread: nodes` replicas of p over its used nodes as far as
 * moves that change no more instances allow: a replica swapped with
 * another tenant's on an instance of the same profile, or a new instance
 * moved to a used GPU of another node (no GPU freed or added). Each move
 * improves the key, so this ends; the deadline cuts it. */
int sv_node_respread(double deadline, mp_plan *p)
{
    int nt = p->req->n_tenants;
    bool any = false;
    for (int t = 0; t < nt; t++)
        any |= p->req->tenants[t].spread_nodes;
    if (!any)
        return 0;
    size_t cells = (size_t)(p->n_nodes * nt);
    nspread w = {p, calloc(2 * cells + 4 * (size_t)nt, sizeof(int)), NULL, NULL,
                 NULL};
    if (!w.cnt)
        return MP_ENOMEM;
    w.cnt2 = w.cnt + cells;
    w.key = w.cnt2 + cells;
    w.k2 = w.key + 2 * nt;
    spread_key(p, w.cnt, w.key);
    for (bool moved = true; moved && sv_now() < deadline;) {
        moved = false;
        for (int ka = 0; ka < p->n_gpus && !moved; ka++)
            for (int q = 0; q < p->gpus[ka].layout.gis.n && !moved; q++)
                moved = respread_one(&w, ka, q);
    }
    free(w.cnt);
    return sv_plan_number(p->req, p);
}

/* Does plan a spread its `spread: nodes` tenants better than b? */
bool sv_spread_better(const mp_plan *a, const mp_plan *b)
{
    int nt = a->req->n_tenants;
    int nodes = a->n_nodes > b->n_nodes ? a->n_nodes : b->n_nodes;
    int *cnt = calloc((size_t)(nodes * nt + 4 * nt + 1), sizeof(int));
    if (!cnt)
        return false;
    int *ka = cnt + nodes * nt, *kb = ka + 2 * nt;
    spread_key(a, cnt, ka);
    spread_key(b, cnt, kb);
    bool less = lex_less(ka, kb, 2 * nt);
    free(cnt);
    return less;
}
