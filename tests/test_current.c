/* SPDX-License-Identifier: Apache-2.0 */
/* test_current.c - planning from a running node (mp_solve with
 * opts.current) against a brute force on small GPUs: random states of one
 * or two A100 40GB (instances in use among them) and small requests; the
 * brute force tries every target layout of every GPU that keeps the
 * instances in use, with a max-flow for the replicas, and finds the
 * fewest GPUs, then instances destroyed, then created; with
 * --allow-disruption, the fewest instances in use destroyed against the
 * same brute force; GPUs with MIG disabled; a 64-GPU node whose every
 * GPU is busy. Node pools of one-GPU nodes, each given its state
 * (opts.node_states), against the same brute force, and a pool of two-GPU
 * nodes with a busy node. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "migplan/readers/request_reader.h"
#include "migplan/readers/state_reader.h"
#include "migplan/solver/maxflow.h"
#include "migplan/solver/solver.h"
#include "state_expect.h"
#include "test_db.h"

static unsigned rng = 12345;

static int rnd(int n)
{
    rng = rng * 1103515245u + 12345u;
    return (int)((rng >> 16) % (unsigned)n);
}

static const char *const names[] = {"t0", "t1", "t2", "other"};

/* ------------------------------------------------------- brute force */

/* A target of one GPU: its profile counts and its changes. */
typedef struct option {
    int cnt[MP_MAX_PROFILES];
    int in_use, destroyed, created; /* in_use: instances in use destroyed */
    bool on;                        /* used by the plan */
} option;

typedef struct opts {
    option *v;
    int n, cap;
} opts;

typedef struct enum_ctx {
    const mp_gpu_state *s;
    bool disrupt; /* instances in use may go */
    mp_gi items[64];
    int nitems;
    opts *out;
} enum_ctx;

/* Add x, unless a target of the same counts changes less (then only the
 * better of the two stays: the brute force needs no other). */
static void push(opts *o, const option *x)
{
    for (int i = 0; i < o->n; i++) {
        option *y = &o->v[i];
        if (y->on != x->on || memcmp(y->cnt, x->cnt, sizeof(x->cnt)) != 0)
            continue;
        if (x->in_use != y->in_use         ? x->in_use < y->in_use
            : x->destroyed != y->destroyed ? x->destroyed < y->destroyed
                                           : x->created < y->created)
            *y = *x;
        return;
    }
    if (o->n == o->cap) {
        o->cap = o->cap ? 2 * o->cap : 256;
        o->v = realloc(o->v, (size_t)o->cap * sizeof(*o->v));
        assert_non_null(o->v);
    }
    o->v[o->n++] = *x;
}

static bool in_layout(const mp_layout *l, const mp_gi *gi)
{
    for (int q = 0; q < l->n; q++)
        if (l->gi[q].profile == gi->profile && l->gi[q].start == gi->start)
            return true;
    return false;
}

/* Every valid layout from items[i..], extending l. */
static void enum_layouts(enum_ctx *e, int i, mp_layout *l)
{
    if (i == e->nitems) {
        const mp_layout *s = &e->s->layout.gis;
        option x = {.on = true};
        for (int q = 0; q < s->n; q++) {
            bool kept = in_layout(l, &s->gi[q]);
            if (!kept && e->s->gi[q].n_processes > 0 && !e->disrupt)
                return; /* an instance in use goes: not allowed */
            x.in_use += !kept && e->s->gi[q].n_processes > 0;
            x.destroyed += !kept;
        }
        for (int q = 0; q < l->n; q++) {
            x.cnt[l->gi[q].profile]++;
            x.created += !in_layout(s, &l->gi[q]);
        }
        push(e->out, &x);
        return;
    }
    enum_layouts(e, i + 1, l);
    l->gi[l->n++] = e->items[i];
    if (mp_geom_validate(l, NULL) == 0)
        enum_layouts(e, i + 1, l);
    l->n--;
}

/* Does s hold an instance in use whose process is named like a tenant of
 * r that it fits (a replica of that tenant, wherever the plan puts the
 * others)? */
static bool named_in_use(const mp_request *r, const mp_gpu_state *s)
{
    const mp_layout *l = &s->layout.gis;
    for (int q = 0; q < l->n; q++)
        for (int t = 0; t < r->n_tenants && s->gi[q].n_processes > 0; t++)
            if (strcmp(s->gi[q].process, r->tenants[t].name) == 0 &&
                mp_tenant_takes_profile(&r->tenants[t], l->model,
                                        l->gi[q].profile))
                return true;
    return false;
}

/* The options of GPU s: off (left as it is, its processes running: it
 * serves nothing and costs nothing, busy or not, unless it runs a
 * replica by name: named), and on with every layout that keeps the
 * instances in use (disrupt: or not). useful[p]: some tenant takes
 * profile p. */
static void gpu_options(const mp_gpu_state *s, const bool *useful, bool disrupt,
                        bool named, opts *out)
{
    const mp_model *m = s->layout.gis.model;
    enum_ctx e = {.s = s, .out = out, .disrupt = disrupt};
    for (int p = 0; p < m->n_profiles; p++) {
        bool present = false;
        for (int q = 0; q < s->layout.gis.n; q++)
            present |= s->layout.gis.gi[q].profile == p;
        if (!useful[p] && !present)
            continue;
        for (int k = 0; k < m->profiles[p].n_placements; k++)
            e.items[e.nitems++] =
                (mp_gi){.profile = p, .start = m->profiles[p].placements[k]};
    }
    mp_layout l = {.model = m, .n = 0};
    enum_layouts(&e, 0, &l);
    if (!named)
        push(out, &(option){.on = false});
}

/* Can the profile counts serve every replica of r? */
static bool serves(const mp_request *r, const int *cnt, const mp_model *m)
{
    int np = m->n_profiles, nt = r->n_tenants;
    mp_flow *f = mp_flow_new(np + nt + 2);
    int src = np + nt, sink = src + 1;
    long long need = 0;
    for (int p = 0; p < np; p++) {
        mp_flow_add_edge(f, src, p, cnt[p]);
        for (int t = 0; t < nt; t++)
            if (mp_tenant_takes_profile(&r->tenants[t], m, p))
                mp_flow_add_edge(f, p, np + t, cnt[p]);
    }
    for (int t = 0; t < nt; t++) {
        mp_flow_add_edge(f, np + t, sink, r->tenants[t].replicas);
        need += r->tenants[t].replicas;
    }
    bool ok = mp_flow_max(f, src, sink) == need;
    mp_flow_free(f);
    return ok;
}

typedef struct best {
    bool have;
    int gpus, in_use, destroyed, created;
} best;

/* Is (gpus, x) worse than or as good as b? */
static bool no_better(const best *b, int gpus, const option *x)
{
    if (gpus != b->gpus)
        return gpus > b->gpus;
    if (x->in_use != b->in_use)
        return x->in_use > b->in_use;
    if (x->destroyed != b->destroyed)
        return x->destroyed > b->destroyed;
    return x->created >= b->created;
}

/* The fewest GPUs, then instances in use destroyed (disrupt), then
 * destroyed, then created. A GPU counts when it serves a replica, or runs
 * one by name; busy_used (node pools): when it holds an instance in use
 * that stays. */
static void brute(const mp_request *r, const mp_node_state *st, bool disrupt,
                  bool busy_used, best *b)
{
    const mp_model *m = st->gpu[0].layout.gis.model;
    bool useful[MP_MAX_PROFILES] = {false};
    for (int p = 0; p < m->n_profiles; p++)
        for (int t = 0; t < r->n_tenants; t++)
            useful[p] |= mp_tenant_takes_profile(&r->tenants[t], m, p);
    opts o[2] = {{0}};
    for (int g = 0; g < st->n; g++)
        gpu_options(&st->gpu[g], useful, disrupt,
                    busy_used ? mp_gpu_state_in_use(&st->gpu[g]) > 0 && !disrupt
                              : named_in_use(r, &st->gpu[g]),
                    &o[g]);
    int n1 = st->n > 1 ? o[1].n : 1;
    memset(b, 0, sizeof(*b));
    for (int i = 0; i < o[0].n; i++)
        for (int j = 0; j < n1; j++) {
            const option *x[2] = {&o[0].v[i], st->n > 1 ? &o[1].v[j] : NULL};
            int cnt[MP_MAX_PROFILES] = {0}, gpus = 0;
            option sum = {.on = true};
            for (int g = 0; g < st->n; g++) {
                if (!x[g]->on)
                    continue;
                gpus++;
                sum.in_use += x[g]->in_use;
                sum.destroyed += x[g]->destroyed;
                sum.created += x[g]->created;
                for (int p = 0; p < m->n_profiles; p++)
                    cnt[p] += x[g]->cnt[p];
            }
            if (b->have && no_better(b, gpus, &sum))
                continue;
            if (!serves(r, cnt, m))
                continue;
            *b = (best){.have = true,
                        .gpus = gpus,
                        .in_use = sum.in_use,
                        .destroyed = sum.destroyed,
                        .created = sum.created};
        }
    free(o[0].v);
    free(o[1].v);
}

/* --------------------------------------------------------- the cases */

static void random_state(const mp_model *m, int n, mp_node_state *st)
{
    test_state_gpus(st, n);
    for (int g = 0; g < n; g++) {
        mp_gpu_state *s = &st->gpu[g];
        mp_gpu_state_init(s, g, m);
        int tries = rnd(3) == 0 ? 0 : 1 + rnd(6);
        for (int k = 0; k < tries; k++) {
            int p = rnd(m->n_profiles);
            const mp_gi_profile *pr = &m->profiles[p];
            int start = pr->placements[rnd(pr->n_placements)];
            char why[200];
            int q = mp_gpu_state_add(s, pr->id, start, pr->memory_slices,
                                     s->layout.gis.n + 1, 1, why, sizeof(why));
            if (q >= 0 && rnd(3) == 0) {
                s->gi[q].n_processes = 1;
                s->gi[q].process = names[rnd(4)];
            }
        }
    }
}

static const char *const shapes[] = {
    "    memory: 4GiB\n    compute: 1g\n",
    "    memory: 8GiB\n    compute: 1g\n",
    "    memory: 8GiB\n    compute: 2g\n",
    "    memory: 16GiB\n    compute: 3g\n",
    "    memory: 18GiB\n    compute: 4g\n",
};

/* A request for `gpus` GPUs: a fleet, or with nodes a pool of one-GPU
 * nodes whose tenants have same-profile off (the brute force mixes
 * profiles), so that its GPUs are the nodes. */
static void random_request(int gpus, bool nodes, char *buf, size_t n)
{
    size_t k = 0;
    k += (size_t)snprintf(buf + k, n - k,
                          nodes ? "nodes:\n  - pool: p\n    model: a100-40gb\n"
                                  "    gpus: 1\n    count: %d\ntenants:\n"
                                : "fleet:\n  - model: a100-40gb\n    count: "
                                  "%d\ntenants:\n",
                          gpus);
    int nt = 1 + rnd(3);
    for (int t = 0; t < nt; t++)
        k += (size_t)snprintf(buf + k, n - k,
                              "  - name: %s\n%s    replicas: %d\n%s", names[t],
                              shapes[rnd(5)], 1 + rnd(3),
                              nodes ? "    same-profile: false\n" : "");
}

/* A random state of `gpus` GPUs of model m and a random request for it
 * (its text in text). */
static void random_case(const mp_model *m, int gpus, mp_node_state *st,
                        char *text, size_t n, mp_request *req)
{
    mp_diag d;
    random_state(m, gpus, st);
    random_request(gpus, false, text, n);
    assert_int_equal(
        mp_request_parse(db, text, strlen(text), "r.yaml", NULL, req, &d), 0);
}

/* The state, for a failure message. */
static const char *show(const mp_node_state *st)
{
    static char buf[2048];
    size_t k = 0;
    for (int g = 0; g < st->n; g++) {
        const mp_layout *l = &st->gpu[g].layout.gis;
        k += (size_t)snprintf(buf + k, sizeof(buf) - k, "GPU %d:", g);
        for (int q = 0; q < l->n; q++)
            k += (size_t)snprintf(
                buf + k, sizeof(buf) - k, " %s@%d%s%s",
                l->model->profiles[l->gi[q].profile].name, l->gi[q].start,
                st->gpu[g].gi[q].n_processes ? ":" : "",
                st->gpu[g].gi[q].n_processes ? st->gpu[g].gi[q].process : "");
        k += (size_t)snprintf(buf + k, sizeof(buf) - k, "\n");
    }
    return buf;
}

static void test_against_brute_force(void **state)
{
    (void)state;
    const mp_model *m;
    mp_diag d;
    assert_int_equal(mp_db_find(db, "a100-40gb", &m, &d), 0);
    int cases = 0, proven = 0, equal = 0, opt = 0;
    for (int it = 0; it < 300; it++) {
        int gpus = 1 + rnd(2);
        mp_node_state st;
        char text[2048];
        mp_request req;
        random_case(m, gpus, &st, text, sizeof(text), &req);
        best b;
        brute(&req, &st, false, false, &b);
        /* a limit no run reaches, even under valgrind: the exhaustive
         * search of a small state stops at the deadline */
        mp_solve_opts o = {.current = &st, .time_limit = 120};
        mp_plan p;
        assert_int_equal(mp_solve(db, &req, &o, &p, &d), 0);
        if (!b.have) {
            assert_false(p.feasible);
        } else {
            if (!p.feasible)
                fail_msg("case %d: no plan (%s), brute force has %d GPUs\n%s%s",
                         it, p.reason, b.gpus, text, show(&st));
            cases++;
            if (p.gpus_used != b.gpus)
                fail_msg("case %d: %d GPUs, brute force %d\n%s%s", it,
                         p.gpus_used, b.gpus, text, show(&st));
            opt += p.optimal;
            /* never better than the minimum: the brute force is exact */
            assert_true(p.disruption.destroyed > b.destroyed ||
                        (p.disruption.destroyed == b.destroyed &&
                         p.disruption.created >= b.created));
            bool same = p.disruption.destroyed == b.destroyed &&
                        p.disruption.created == b.created;
            equal += same;
            if (!same && getenv("CURRENT_VERBOSE"))
                printf("case %d: %d/%d, brute force %d/%d\n%s%s", it,
                       p.disruption.destroyed, p.disruption.created,
                       b.destroyed, b.created, text, show(&st));
            if (p.disruption.minimal) {
                proven++;
                if (!same)
                    fail_msg("case %d: proven %d/%d, brute force %d/%d", it,
                             p.disruption.destroyed, p.disruption.created,
                             b.destroyed, b.created);
            }
            assert_int_equal(p.disruption.in_use_destroyed, 0);
        }
        mp_plan_free(&p);
        mp_request_free(&req);
    }
    printf("current: %d feasible cases, %d with the fewest changes (%d "
           "proven), %d with the GPUs proven\n",
           cases, equal, proven, opt);
    assert_true(cases >= 100);
    /* a node of one or two GPUs is searched whole: every plan has the
     * fewest changes, proven */
    assert_int_equal(equal, cases);
    assert_int_equal(proven, cases);
}

/* With --allow-disruption, a request the instances in use block: the
 * fewest GPUs, then the fewest instances in use destroyed, as the brute
 * force finds them. */
static void test_disruption_brute_force(void **state)
{
    (void)state;
    const mp_model *m;
    mp_diag d;
    assert_int_equal(mp_db_find(db, "a100-40gb", &m, &d), 0);
    int cases = 0, bounded = 0;
    for (int it = 0; it < 1200 && cases < 40; it++) {
        int gpus = 1 + rnd(2);
        mp_node_state st;
        char text[2048];
        mp_request req;
        random_case(m, gpus, &st, text, sizeof(text), &req);
        best keep, b;
        brute(&req, &st, false, false, &keep);
        brute(&req, &st, true, false, &b);
        if (keep.have || !b.have) {
            mp_request_free(&req);
            continue;
        }
        cases++;
        mp_solve_opts o = {
            .current = &st, .time_limit = 120, .allow_disruption = true};
        mp_plan p;
        assert_int_equal(mp_solve(db, &req, &o, &p, &d), 0);
        if (!p.feasible)
            fail_msg("case %d: no plan (%s), brute force has %d GPUs\n%s%s", it,
                     p.reason, b.gpus, text, show(&st));
        if (p.gpus_used != b.gpus || p.disruption.in_use_destroyed != b.in_use)
            fail_msg("case %d: %d GPUs, %d in use destroyed; brute force "
                     "%d, %d\n%s%s",
                     it, p.gpus_used, p.disruption.in_use_destroyed, b.gpus,
                     b.in_use, text, show(&st));
        /* the slice count bound holds (never above the fewest) */
        if (p.disruption.in_use_bound > b.in_use)
            fail_msg("case %d: bound %d, brute force %d in use destroyed\n%s%s",
                     it, p.disruption.in_use_bound, b.in_use, text, show(&st));
        bounded += p.disruption.in_use_bound > 0;
        /* a small node is searched whole: the fewest changes, proven */
        if (p.disruption.destroyed != b.destroyed ||
            p.disruption.created != b.created || !p.disruption.minimal)
            fail_msg("case %d: %d destroyed, %d created (%s); brute force "
                     "%d, %d\n%s%s",
                     it, p.disruption.destroyed, p.disruption.created,
                     p.disruption.minimal ? "proven" : "not proven",
                     b.destroyed, b.created, text, show(&st));
        mp_plan_free(&p);
        mp_request_free(&req);
    }
    printf("disruption: %d cases blocked without it, %d with an in-use "
           "bound\n",
           cases, bounded);
    assert_true(cases >= 30);
}

/* ------------------------------------------- GPUs with MIG disabled */

/* Two H100s with MIG disabled: GPU 0 runs `train` on the whole GPU, GPU 1
 * is idle. */
static void disabled_node(const mp_model *m, mp_node_state *st)
{
    test_state_gpus(st, 2);
    for (int g = 0; g < 2; g++) {
        mp_gpu_state_init(&st->gpu[g], g, m);
        mp_gpu_layout_init(&st->gpu[g].layout, m, false);
    }
    st->gpu[0].whole.n_processes = 1;
    st->gpu[0].whole.process = "train";
}

static void plan_text(const char *text, const mp_node_state *st, mp_plan *p)
{
    static mp_request req; /* the plan's: freed by the next call */
    mp_diag d;
    mp_request_free(&req);
    memset(&req, 0, sizeof(req));
    if (!text)
        return;
    assert_int_equal(
        mp_request_parse(db, text, strlen(text), "r.yaml", NULL, &req, &d), 0);
    mp_solve_opts o = {.current = st, .time_limit = 2};
    assert_int_equal(mp_solve(db, &req, &o, p, &d), 0);
}

/* A GPU with MIG disabled serves a whole-GPU tenant as it is, or gets MIG
 * enabled; one with a process on it is never changed, and serves the
 * whole-GPU tenant named like the process. */
static void test_mig_disabled(void **state)
{
    (void)state;
    const mp_model *m;
    mp_diag d;
    assert_int_equal(mp_db_find(db, "h100-sxm5-80gb", &m, &d), 0);
    static mp_node_state st;
    disabled_node(m, &st);
    mp_plan p;
    mp_gpu_change ch;
    /* train keeps its GPU; two small replicas: MIG on GPU 1 */
    plan_text("fleet:\n  - model: h100\n    count: 2\ntenants:\n"
              "  - {name: train, whole-gpu: true}\n"
              "  - {name: s, memory: 8GiB, compute: 1g, replicas: 2}\n",
              &st, &p);
    assert_true(p.feasible);
    assert_int_equal(p.gpus_used, 2);
    assert_int_equal(mp_plan_gpu_change(&p, &p.gpus[0], &ch), 0);
    assert_true(mp_gpu_change_none(&ch));
    assert_false(p.gpus[0].layout.mig_enabled);
    assert_int_equal(p.gpus[0].whole_tenant, 0);
    assert_int_equal(mp_plan_gpu_change(&p, &p.gpus[1], &ch), 0);
    assert_true(ch.mig_enable);
    assert_int_equal(ch.n_create, 2);
    assert_int_equal(p.disruption.destroyed, 0);
    assert_int_equal(p.disruption.gpus_touched, 1);
    mp_plan_free(&p);
    /* a whole-GPU tenant not running yet: the idle GPU as it is */
    plan_text("fleet:\n  - model: h100\n    count: 2\ntenants:\n"
              "  - {name: web, whole-gpu: true}\n",
              &st, &p);
    assert_true(p.feasible);
    assert_int_equal(p.gpus_used, 1);
    assert_int_equal(p.gpus[1].whole_tenant, 0);
    assert_int_equal(p.disruption.gpus_touched, 0);
    mp_plan_free(&p);
    /* MIG on both GPUs would take train's: blocked, and it is named */
    plan_text("fleet:\n  - model: h100\n    count: 2\ntenants:\n"
              "  - {name: s, memory: 8GiB, compute: 1g, replicas: 8}\n",
              &st, &p);
    assert_false(p.feasible);
    if (!strstr(p.reason, "GPU 0 (MIG disabled, whole GPU, process train)"))
        fail_msg("reason: %s", p.reason);
    mp_plan_free(&p);
    plan_text(NULL, NULL, NULL); /* frees the request */
}

/* ------------------------------------------------- a large busy node */

/* 64 H100s of seven 1g.10gb each, two of each in use at random slots
 * (one sometimes twice: then one); the request asks for a 3g replica on
 * every GPU whose instances in use leave slots 0-3 or 4-7 free, and for
 * small replicas in every other slot: it fits only if each of those GPUs
 * makes room for its 3g.40gb, where it keeps most 1g.10gb. */
static void busy_node(const mp_model *m, mp_node_state *st, char *req, size_t n,
                      int *in_use)
{
    int p1 = -1, p3 = -1, small = 0, large = 0;
    for (int p = 0; p < m->n_profiles; p++) {
        if (strcmp(m->profiles[p].name, "1g.10gb") == 0)
            p1 = p;
        if (strcmp(m->profiles[p].name, "3g.40gb") == 0)
            p3 = p;
    }
    assert_true(p1 >= 0 && p3 >= 0);
    test_state_gpus(st, 64);
    *in_use = 0;
    for (int g = 0; g < 64; g++) {
        mp_gpu_state *s = &st->gpu[g];
        mp_gpu_state_init(s, g, m);
        bool busy[8] = {false};
        busy[rnd(7)] = busy[rnd(7)] = true;
        char why[200];
        for (int k = 0; k < 7; k++) {
            int at = mp_gpu_state_add(s, m->profiles[p1].id, k, 1, k + 7, 1,
                                      why, sizeof(why));
            assert_true(at >= 0);
            if (busy[k]) {
                s->gi[at].n_processes = 1;
                s->gi[at].process = "worker";
                (*in_use)++;
            }
        }
        bool low = !busy[0] && !busy[1] && !busy[2] && !busy[3];
        bool high = !busy[4] && !busy[5] && !busy[6];
        large += low || high;
        /* 3g.40gb at 4 leaves four 1g.10gb, at 0 three */
        small += high ? 4 : low ? 3 : 7;
    }
    snprintf(req, n,
             "fleet:\n  - model: %s\n    count: 64\ntenants:\n"
             "  - name: s\n    memory: 8GiB\n    replicas: %d\n"
             "  - name: m\n    memory: 30GiB\n    compute: 3g\n"
             "    replicas: %d\n",
             m->id, small, large);
}

/* Every GPU busy, and the request fits: it is planned, keeping every
 * instance in use (serving the GPUs one at a time refused it: the first
 * GPUs kept their 1g.10gb for the small replicas and no room was left
 * for the 3g ones). */
static void test_busy_node_64(void **state)
{
    (void)state;
    const mp_model *m;
    mp_diag d;
    assert_int_equal(mp_db_find(db, "h100-sxm5-80gb", &m, &d), 0);
    for (int it = 0; it < 3; it++) {
        static mp_node_state st;
        char text[1024];
        int in_use;
        busy_node(m, &st, text, sizeof(text), &in_use);
        assert_true(in_use >= 64);
        mp_request req;
        assert_int_equal(
            mp_request_parse(db, text, strlen(text), "r.yaml", NULL, &req, &d),
            0);
        mp_solve_opts o = {.current = &st, .time_limit = 10};
        mp_plan p;
        assert_int_equal(mp_solve(db, &req, &o, &p, &d), 0);
        if (!p.feasible)
            fail_msg("case %d (%d in use): no plan: %s\n%s", it, in_use,
                     p.reason, text);
        assert_int_equal(p.disruption.in_use_destroyed, 0);
        assert_int_equal(p.gpus_used, 64);
        mp_plan_free(&p);
        mp_request_free(&req);
    }
}

/* The whole of file path (len: its length); fails the test if unreadable. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *buf = malloc(1 << 20);
    assert_non_null(buf);
    *len = fread(buf, 1, (1 << 20) - 1, f);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

/* --allow-disruption on a 64-GPU node (tests/data/current/cur64-*): the
 * request needs 55 GPUs, 41 of which have nothing in use, so 14 of the 23
 * busy GPUs must be used. Four of them lose no instance in use (a
 * 7g.80gb in use serves a 70 GiB replica as it is; a 3g.40gb or 4g.40gb
 * in use serves a 30 GiB one beside a new 3g.40gb), every other busy GPU
 * at least one: 10 is the fewest. The old fallback (whole busy GPUs freed
 * in turn, their GPUs mapped blind to what is in use) destroyed 24. The
 * slice count bound (cur_in_use_bound) proves the 10: the plan stops
 * there, long before the time limit (60 s, so that the result does not
 * depend on how fast the machine runs: at 3 s the budgets of the busy GPUs
 * chosen together came first and a plan destroying 27 won when they were
 * fast enough). */
static void test_disruption_64(void **state)
{
    (void)state;
    const mp_model *m, *models[64];
    mp_diag d;
    assert_int_equal(mp_db_find(db, "h100-sxm5-80gb", &m, &d), 0);
    for (int g = 0; g < 64; g++)
        models[g] = m;
    size_t len, req_len;
    char *text =
        slurp(MIGPLAN_SOURCE_DIR "/tests/data/current/cur64-state.txt", &len);
    char *req_text = slurp(
        MIGPLAN_SOURCE_DIR "/tests/data/current/cur64-tight.yaml", &req_len);
    mp_node_state st;
    assert_int_equal(
        mp_state_read_nvsmi(text, len, "s.txt", models, 64, &st, &d), 0);
    mp_request req;
    assert_int_equal(
        mp_request_parse(db, req_text, req_len, "r.yaml", NULL, &req, &d), 0);
    mp_solve_opts o = {.current = &st, .time_limit = 3};
    mp_plan p;
    assert_int_equal(mp_solve(db, &req, &o, &p, &d), 0);
    assert_false(p.feasible); /* the instances in use block it */
    mp_plan_free(&p);
    o.allow_disruption = true;
    o.time_limit = 60;
    assert_int_equal(mp_solve(db, &req, &o, &p, &d), 0);
    assert_true(p.feasible);
    assert_int_equal(p.gpus_used, 55);
    assert_true(p.optimal);
    assert_int_equal(p.disruption.in_use_destroyed, 10);
    assert_int_equal(p.disruption.in_use_bound, 10);
    assert_true(p.disruption.in_use_minimal);
    assert_false(p.time_limit_hit);
    /* 20 GPUs keep their 7g.80gb; 35 change: at least 2 destroyed each */
    assert_true(p.disruption.destroyed <= 114);
    assert_int_equal(p.disruption.created, 35);
    mp_plan_free(&p);
    mp_request_free(&req);
    mp_node_state_free(&st);
    free(text);
    free(req_text);
}

/* tests/data/current/chain64-plan.json as *st and chain64.yaml as *req;
 * the texts (freed by the caller) in text[0] and text[1]. */
static void load_chain64(mp_node_state *st, mp_request *req, char *text[2])
{
    const mp_model *m, *models[64];
    mp_diag d;
    assert_int_equal(mp_db_find(db, "h100-sxm5-80gb", &m, &d), 0);
    for (int g = 0; g < 64; g++)
        models[g] = m;
    size_t len, req_len;
    text[0] =
        slurp(MIGPLAN_SOURCE_DIR "/tests/data/current/chain64-plan.json", &len);
    text[1] =
        slurp(MIGPLAN_SOURCE_DIR "/tests/data/current/chain64.yaml", &req_len);
    assert_int_equal(mp_state_read(text[0], len, "p.json", MP_STATE_AUTO,
                                   models, 64, st, &d),
                     0);
    assert_int_equal(
        mp_request_parse(db, text[1], req_len, "r.yaml", NULL, req, &d), 0);
}

/* What load_chain64 made, freed. */
static void free_chain64(mp_node_state *st, mp_request *req, char *text[2])
{
    mp_request_free(req);
    mp_node_state_free(st);
    free(text[0]);
    free(text[1]);
}

/* A state that already serves the request (tests/data/current/chain64-*:
 * the JSON plan of chain64.yaml from cur64-state.txt, 24 GPUs used, the
 * other 40 left with their idle instances), planned again from that plan
 * with a deadline of ~0: leaving every GPU as it is serves the request
 * with the 25 GPUs the kept GPUs' greedy cover takes, so the plan is never
 * worse than that (25 GPUs and no change, or fewer GPUs). Main planned 32 GPUs,
 * destroying 24 instances and creating 12 (the rest's plan from empty GPUs, cut
 * short, mapped). */
static void test_state_serves_at_deadline(void **state)
{
    (void)state;
    mp_diag d;
    char *text[2];
    mp_node_state st;
    mp_request req;
    load_chain64(&st, &req, text);
    mp_solve_opts o = {.current = &st, .time_limit = 0.001};
    mp_plan p;
    assert_int_equal(mp_solve(db, &req, &o, &p, &d), 0);
    assert_true(p.feasible);
    /* never worse than the 25 GPUs kept as they are: fewer GPUs (a rest's
     * plan fast enough to find 24), or as many and no change */
    if (p.gpus_used > 25 ||
        (p.gpus_used == 25 && (p.disruption.destroyed || p.disruption.created)))
        fail_msg("%d GPUs, %d destroyed, %d created", p.gpus_used,
                 p.disruption.destroyed, p.disruption.created);
    mp_plan_free(&p);
    free_chain64(&st, &req, text);
}

/* A deadline already passed (a limit of a microsecond) on a 64-GPU node:
 * the first attempt still runs to a valid plan (the solve checks it), and
 * no other starts: each would be a whole solve past the deadline, which
 * made a 4096-GPU fleet run 40% over its limit. With time to spare every
 * attempt runs, so that the counts are the attempts' and not constants. */
static void test_no_attempt_past_deadline(void **state)
{
    (void)state;
    mp_diag d;
    char *text[2];
    mp_node_state st;
    mp_request req;
    load_chain64(&st, &req, text);
    mp_solve_opts o = {.current = &st, .time_limit = 1e-6};
    mp_plan p;
    if (mp_solve(db, &req, &o, &p, &d))
        fail_msg("%d:%d: %s", d.line, d.col, d.msg);
    assert_true(p.feasible);
    assert_true(p.time_limit_hit);
    assert_int_equal(p.attempts, 1);
    assert_true(p.attempts_skipped >= 1);
    assert_true(p.late_phase[0] != '\0');
    assert_true(p.late_by > 0);
    mp_plan_free(&p);
    o.time_limit = 60;
    if (mp_solve(db, &req, &o, &p, &d))
        fail_msg("%d:%d: %s", d.line, d.col, d.msg);
    assert_true(p.feasible);
    assert_true(p.attempts > 1);
    assert_int_equal(p.attempts_skipped, 0);
    assert_string_equal(p.late_phase, "");
    mp_plan_free(&p);
    free_chain64(&st, &req, text);
}

/* Plan request text req_text from tests/data/current/bound5-state.txt
 * (five H100s) with --allow-disruption. */
static void plan_bound5(const char *req_text, mp_plan *p)
{
    const mp_model *m, *models[5];
    mp_diag d;
    assert_int_equal(mp_db_find(db, "h100-sxm5-80gb", &m, &d), 0);
    for (int g = 0; g < 5; g++)
        models[g] = m;
    size_t len;
    char *text =
        slurp(MIGPLAN_SOURCE_DIR "/tests/data/current/bound5-state.txt", &len);
    mp_node_state st;
    int rc = mp_state_read_nvsmi(text, len, "s.txt", models, 5, &st, &d);
    if (rc)
        fail_msg("%d:%d: %s", d.line, d.col, d.msg);
    mp_request req;
    if (mp_request_parse(db, req_text, strlen(req_text), "r.yaml", NULL, &req,
                         &d))
        fail_msg("%d:%d: %s", d.line, d.col, d.msg);
    mp_solve_opts o = {
        .current = &st, .time_limit = 60, .allow_disruption = true};
    assert_int_equal(mp_solve(db, &req, &o, p, &d), 0);
    assert_true(p->feasible);
    assert_true(p->optimal);
    assert_int_equal(p->gpus_used, 4);
    p->current = NULL; /* st goes */
    p->req = NULL;
    mp_request_free(&req);
    mp_node_state_free(&st);
    free(text);
}

/* tests/data/current/bound5.yaml: three 70 GiB and two 30 GiB replicas
 * fill the 8 memory slices of 4 GPUs; 2 GPUs are free and of the 3 busy
 * ones only GPU 2 (a 3g.40gb in use) serves without loss, so one instance
 * in use goes, which the bound proves (a 5-GPU node is not searched
 * whole). */
static void test_disruption_bound(void **state)
{
    (void)state;
    mp_plan p;
    plan_bound5("fleet:\n  - {model: h100, count: 5}\ntenants:\n"
                "  - {name: big, memory: 70GiB, compute: 7g, replicas: 3}\n"
                "  - {name: vllm, memory: 30GiB, compute: 3g, replicas: 2}\n",
                &p);
    assert_int_equal(p.disruption.in_use_destroyed, 1);
    assert_int_equal(p.disruption.in_use_bound, 1);
    assert_true(p.disruption.in_use_minimal);
    /* the one destroyed is the one in use; 4 created, as few as the
     * existing instances allow (only the 3g.40gb serves a replica) */
    assert_int_equal(p.disruption.destroyed, 1);
    assert_int_equal(p.disruption.created, 4);
    assert_true(p.disruption.minimal);
    mp_plan_free(&p);
}

/* ---------------------------------------------- node pools (nodes:) */

/* Has the fleet planner (opts.current) a plan for the same tenants on a
 * fleet of `gpus` GPUs from st? Each choice of nodes is planned by it, so
 * a case it misses (a busy GPU whose in-use instance should serve another
 * tenant than its process's name, e.g. a 7g.40gb run by `t1` that must
 * hold t0) is not the node planner's to find. */
static bool fleet_feasible(const mp_node_state *st, const char *node_text,
                           int gpus)
{
    char text[2048];
    size_t k = (size_t)snprintf(
        text, sizeof(text),
        "fleet:\n  - model: a100-40gb\n    count: %d\ntenants:\n", gpus);
    /* the node request's tenants, less same-profile (nodes: only) */
    for (const char *l = strstr(node_text, "tenants:\n") + 9; *l;) {
        const char *e = strchr(l, '\n') + 1;
        if (!strstr(l, "same-profile") || strstr(l, "same-profile") > e)
            k += (size_t)snprintf(text + k, sizeof(text) - k, "%.*s",
                                  (int)(e - l), l);
        l = e;
    }
    mp_request req;
    mp_diag d;
    assert_int_equal(
        mp_request_parse(db, text, strlen(text), "f.yaml", NULL, &req, &d), 0);
    mp_solve_opts o = {.current = st, .time_limit = 2};
    mp_plan p;
    assert_int_equal(mp_solve(db, &req, &o, &p, &d), 0);
    bool ok = p.feasible;
    mp_plan_free(&p);
    mp_request_free(&req);
    return ok;
}

static void test_nodes_against_brute_force(void **state)
{
    (void)state;
    const mp_model *m;
    mp_diag d;
    assert_int_equal(mp_db_find(db, "a100-40gb", &m, &d), 0);
    int cases = 0, equal = 0, skipped = 0;
    for (int it = 0; it < 120; it++) {
        int nodes = 1 + rnd(2);
        mp_node_state each[2], all;
        mp_gpu_state all_gpus[2];
        mp_node_current nc[2];
        test_state_gpus(&all, 0);
        all.gpu = all_gpus;
        for (int j = 0; j < nodes; j++) {
            random_state(m, 1, &each[j]);
            nc[j] = (mp_node_current){0, j, &each[j]};
            all.gpu[all.n] = each[j].gpu[0];
            all.gpu[all.n++].index = j;
        }
        char text[2048];
        random_request(nodes, true, text, sizeof(text));
        mp_request req;
        assert_int_equal(
            mp_request_parse(db, text, strlen(text), "r.yaml", NULL, &req, &d),
            0);
        best b;
        brute(&req, &all, false, true, &b);
        mp_solve_opts o = {.node_states = true,
                           .node_current = nc,
                           .n_node_current = nodes,
                           .time_limit = 120};
        mp_plan p;
        assert_int_equal(mp_solve(db, &req, &o, &p, &d), 0);
        if (!b.have) {
            assert_false(p.feasible);
        } else if (!p.feasible && !fleet_feasible(&all, text, nodes)) {
            skipped++; /* the fleet planner misses it too (see above) */
        } else {
            if (!p.feasible)
                fail_msg(
                    "case %d: no plan (%s), brute force has %d nodes\n%s%s", it,
                    p.reason, b.gpus, text, show(&all));
            cases++;
            if (p.nodes_used != b.gpus)
                fail_msg("case %d: %d nodes, brute force %d\n%s%s", it,
                         p.nodes_used, b.gpus, text, show(&all));
            assert_true(p.disruption.destroyed > b.destroyed ||
                        (p.disruption.destroyed == b.destroyed &&
                         p.disruption.created >= b.created));
            bool same = p.disruption.destroyed == b.destroyed &&
                        p.disruption.created == b.created;
            equal += same;
            if (p.disruption.minimal && !same)
                fail_msg("case %d: proven %d/%d, brute force %d/%d", it,
                         p.disruption.destroyed, p.disruption.created,
                         b.destroyed, b.created);
            assert_int_equal(p.disruption.in_use_destroyed, 0);
            /* every node's state is the plan's, at the plan's indices */
            for (int j = 0; j < p.n_nodes; j++)
                assert_ptr_equal(p.nodes[j].state, &each[p.nodes[j].k]);
        }
        mp_plan_free(&p);
        mp_request_free(&req);
    }
    printf("nodes from states: %d feasible cases, %d with the fewest "
           "changes, %d the fleet planner has no plan for either\n",
           cases, equal, skipped);
    assert_true(skipped * 10 <= cases);
    assert_true(cases >= 40);
    assert_true(equal * 100 >= cases * 90);
}

/* Add instance profile@start (in use by proc when not NULL) to s. */
static void add_gi(mp_gpu_state *s, const char *profile, int start, int id,
                   const char *proc)
{
    const mp_model *m = s->layout.gis.model;
    int p = 0;
    while (p < m->n_profiles && strcmp(m->profiles[p].name, profile) != 0)
        p++;
    assert_true(p < m->n_profiles);
    char why[200];
    int q =
        mp_gpu_state_add(s, m->profiles[p].id, start,
                         m->profiles[p].memory_slices, id, 1, why, sizeof(why));
    assert_true(q >= 0);
    s->gi[q].n_processes = proc ? 1 : 0;
    s->gi[q].process = proc;
}

/* Two nodes of two GPUs; the second runs `x` on GPU 1. Two small replicas
 * go there (it is in the plan whatever happens), the first node is left
 * alone, and with a request too large for the room left the reason names
 * the node, GPU and GI ID in use. */
static void test_nodes_busy_node(void **state)
{
    (void)state;
    const mp_model *m;
    mp_diag d;
    assert_int_equal(mp_db_find(db, "a100-40gb", &m, &d), 0);
    mp_node_state st;
    test_state_gpus(&st, 1);
    mp_gpu_state_init(&st.gpu[0], 1, m);
    add_gi(&st.gpu[0], "3g.20gb", 4, 2, "x");
    mp_node_current nc = {0, 1, &st};
    static const char small[] =
        "nodes:\n  - pool: p\n    model: a100-40gb\n    gpus: 2\n"
        "    count: 2\n    names: [n1, n2]\ntenants:\n  - name: t\n"
        "    memory: 4GiB\n    compute: 1g\n    replicas: 2\n";
    mp_request req;
    assert_int_equal(
        mp_request_parse(db, small, strlen(small), "r.yaml", NULL, &req, &d),
        0);
    mp_solve_opts o = {
        .node_states = true, .node_current = &nc, .n_node_current = 1};
    mp_plan p;
    assert_int_equal(mp_solve(db, &req, &o, &p, &d), 0);
    assert_true(p.feasible);
    assert_int_equal(p.nodes_used, 1);
    assert_int_equal(p.nodes[0].k, 1); /* n2, the busy one */
    assert_ptr_equal(p.nodes[0].state, &st);
    assert_int_equal(p.disruption.in_use_destroyed, 0);
    assert_int_equal(p.disruption.destroyed, 0);
    /* the instance in use serves one replica (it fits one) */
    assert_int_equal(p.disruption.created, 1);
    mp_plan_free(&p);
    mp_request_free(&req);
    static const char big[] =
        "nodes:\n  - pool: p\n    model: a100-40gb\n    gpus: 2\n"
        "    count: 2\n    names: [n1, n2]\ntenants:\n  - name: t\n"
        "    memory: 30GiB\n    replicas: 4\n";
    assert_int_equal(
        mp_request_parse(db, big, strlen(big), "r.yaml", NULL, &req, &d), 0);
    assert_int_equal(mp_solve(db, &req, &o, &p, &d), 0);
    assert_false(p.feasible);
    assert_non_null(strstr(p.reason, "node n2 GPU 1 GI 2 (3g.20gb at slot 4, "
                                     "process x)"));
    mp_plan_free(&p);
    o.allow_disruption = true;
    assert_int_equal(mp_solve(db, &req, &o, &p, &d), 0);
    assert_true(p.feasible);
    assert_int_equal(p.disruption.in_use_destroyed, 1);
    mp_plan_free(&p);
    mp_request_free(&req);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_against_brute_force),
        cmocka_unit_test(test_disruption_brute_force),
        cmocka_unit_test(test_mig_disabled),
        cmocka_unit_test(test_busy_node_64),
        cmocka_unit_test(test_disruption_64),
        cmocka_unit_test(test_state_serves_at_deadline),
        cmocka_unit_test(test_no_attempt_past_deadline),
        cmocka_unit_test(test_disruption_bound),
        cmocka_unit_test(test_nodes_against_brute_force),
        cmocka_unit_test(test_nodes_busy_node),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
