/* SPDX-License-Identifier: Apache-2.0 */
/* test_node_current.c - node pools planned from node states
 * (opts.node_states): tenants of several GPUs of one node (whole-gpu: N)
 * on random idle states against the node planner on empty nodes (idle
 * instances can all go, so the fewest nodes are the same), and
 * `spread: nodes` among plans that change the same instances, more
 * stated nodes and choices of nodes than are enumerated, a run the
 * time limit cuts, and a same-profile tenant running in another profile
 * than its plan on empty nodes, and a run cut before any choice's first
 * assignment of profiles had a plan (the choice of last resort). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "migplan/readers/request_reader.h"
#include "migplan/solver/solver.h"
#include "state_expect.h"
#include "test_db.h"

static unsigned seed = 4242;

static int pick(int n)
{
    seed = seed * 1103515245u + 12345u;
    return (int)((seed >> 16) % (unsigned)n);
}

/* Node state st of n GPUs of m: on each, instances of random profiles at
 * random placements (those that fit), none in use, or with proc set the
 * first of GPU 0 in use by proc. */
static void idle_node(const mp_model *m, int n, mp_node_state *st,
                      const char *proc)
{
    test_state_gpus(st, n);
    for (int g = 0; g < n; g++) {
        mp_gpu_state *s = &st->gpu[g];
        mp_gpu_state_init(s, g, m);
        for (int k = pick(5); k > 0; k--) {
            const mp_gi_profile *pr = &m->profiles[pick(m->n_profiles)];
            char why[200];
            (void)mp_gpu_state_add(
                s, pr->id, pr->placements[pick(pr->n_placements)],
                pr->memory_slices, s->layout.gis.n + 1, 1, why, sizeof(why));
        }
    }
    if (proc && st->gpu[0].layout.gis.n > 0) {
        st->gpu[0].gi[0].n_processes = 1;
        st->gpu[0].gi[0].process = proc;
    }
}

static void parse(const char *text, mp_request *req)
{
    mp_diag d;
    assert_int_equal(
        mp_request_parse(db, text, strlen(text), "r.yaml", NULL, req, &d), 0);
}

/* p: req planned from the states st[0..n) of its pool's first n nodes
 * (n 0: on empty nodes), with --allow-disruption when disrupt. */
static void plan_states_d(const mp_request *req, const mp_node_state *st, int n,
                          double limit, bool disrupt, mp_plan *p)
{
    mp_node_current nc[32];
    assert_true(n <= 32);
    for (int j = 0; j < n; j++)
        nc[j] = (mp_node_current){0, j, &st[j]};
    mp_solve_opts o = {.node_states = n > 0,
                       .node_current = n > 0 ? nc : NULL,
                       .n_node_current = n,
                       .allow_disruption = disrupt,
                       .time_limit = limit};
    mp_diag d;
    assert_int_equal(mp_solve(db, req, &o, p, &d), 0);
}

static void plan_states(const mp_request *req, const mp_node_state *st, int n,
                        double limit, mp_plan *p)
{
    plan_states_d(req, st, n, limit, false, p);
}

/* Every whole-GPU replica of p has its GPUs on one node. */
static void groups_on_one_node(const mp_plan *p)
{
    for (int a = 0; a < p->n_gpus; a++)
        for (int b = 0; b < p->n_gpus; b++) {
            const mp_plan_gpu *x = &p->gpus[a], *y = &p->gpus[b];
            if (x->whole_tenant >= 0 && x->whole_tenant == y->whole_tenant &&
                x->whole_replica == y->whole_replica)
                assert_int_equal(x->node, y->node);
        }
}

/* whole-gpu: 2 and 3 replicas beside small ones, three nodes of 2-4 A100s
 * with random idle states: a plan exactly when one exists on empty nodes,
 * of as many nodes, each replica's GPUs on one node, nothing in use
 * destroyed. */
static void test_whole_n_random(void **state)
{
    (void)state;
    const mp_model *m = test_model("a100-40gb");
    int compared = 0;
    for (int it = 0; it < 40; it++) {
        int gpus = 2 + pick(3), tp = 2 + pick(gpus - 1);
        char text[1024];
        snprintf(text, sizeof(text),
                 "nodes:\n  - pool: p\n    model: a100-40gb\n    gpus: %d\n"
                 "    count: 3\ntenants:\n  - name: tp\n    whole-gpu: %d\n"
                 "    replicas: %d\n  - name: s\n    memory: 4GiB\n"
                 "    compute: 1g\n    replicas: %d\n",
                 gpus, tp, 1 + pick(2), 1 + pick(8));
        mp_request req;
        parse(text, &req);
        mp_node_state st[3];
        for (int j = 0; j < 3; j++)
            idle_node(m, gpus, &st[j], NULL);
        mp_solve_opts eo = {.time_limit = 2};
        mp_plan e, p;
        mp_diag d;
        assert_int_equal(mp_solve(db, &req, &eo, &e, &d), 0);
        plan_states(&req, st, 3, 2, &p);
        if (p.feasible != e.feasible)
            fail_msg("case %d: from states %s, on empty nodes %s\n%s", it,
                     p.feasible ? "a plan" : p.reason,
                     e.feasible ? "a plan" : e.reason, text);
        if (p.feasible && e.optimal) {
            compared++;
            if (p.nodes_used != e.nodes_used)
                fail_msg("case %d: %d nodes from states, %d on empty nodes\n%s",
                         it, p.nodes_used, e.nodes_used, text);
        }
        if (p.feasible) {
            groups_on_one_node(&p);
            assert_int_equal(p.disruption.in_use_destroyed, 0);
        }
        mp_plan_free(&e);
        mp_plan_free(&p);
        mp_request_free(&req);
    }
    printf("whole-gpu: N from idle states: %d plans compared\n", compared);
    assert_true(compared >= 20);
}

/* The most replicas of tenant t on one node of p. */
static int most_per_node(const mp_plan *p, int t)
{
    int most = 0;
    for (int j = 0; j < p->n_nodes; j++) {
        int c = 0;
        for (int k = 0; k < p->n_gpus; k++)
            for (int q = 0; p->gpus[k].node == j && q < p->gpus[k].layout.gis.n;
                 q++)
                c += p->gpus[k].tenant[q] == t;
        most = c > most ? c : most;
    }
    return most;
}

/* Add an instance of profile name at start to GPU 0 of st, in use by proc
 * (NULL: idle). */
static void add_gi0(mp_node_state *st, const char *name, int start,
                    const char *proc)
{
    const mp_model *m = st->gpu[0].layout.gis.model;
    int p = 0;
    while (p < m->n_profiles && strcmp(m->profiles[p].name, name) != 0)
        p++;
    assert_true(p < m->n_profiles);
    char why[200];
    int q = mp_gpu_state_add(&st->gpu[0], m->profiles[p].id, start,
                             m->profiles[p].memory_slices,
                             st->gpu[0].layout.gis.n + 1, 1, why, sizeof(why));
    assert_true(q >= 0);
    st->gpu[0].gi[q].n_processes = proc ? 1 : 0;
    st->gpu[0].gi[q].process = proc;
}

/* Two one-GPU nodes, each busy and each holding two idle 1g.5gb: the four
 * replicas of `web` (spread: nodes) and `api` keep all four instances
 * whichever serves which, and spread puts one web on each node. With new
 * instances only (no idle ones), the same. */
static void test_spread_nodes(void **state)
{
    (void)state;
    const mp_model *m = test_model("a100-40gb");
    static const char text[] =
        "nodes:\n  - pool: p\n    model: a100-40gb\n    gpus: 1\n"
        "    count: 2\ntenants:\n  - name: x\n    memory: 8GiB\n"
        "    compute: 2g\n    replicas: 2\n  - name: api\n    memory: 4GiB\n"
        "    compute: 1g\n    replicas: 2\n  - name: web\n    memory: 4GiB\n"
        "    compute: 1g\n    replicas: 2\n    spread: nodes\n";
    mp_request req;
    parse(text, &req);
    for (int idle = 0; idle < 2; idle++) {
        mp_node_state st[2];
        for (int j = 0; j < 2; j++) {
            test_state_gpus(&st[j], 1);
            mp_gpu_state_init(&st[j].gpu[0], 0, m);
            add_gi0(&st[j], "2g.10gb", 0, "x");
            if (idle) {
                add_gi0(&st[j], "1g.5gb", 4, NULL);
                add_gi0(&st[j], "1g.5gb", 5, NULL);
            }
        }
        mp_plan p;
        plan_states(&req, st, 2, 2, &p);
        assert_true(p.feasible);
        assert_int_equal(p.nodes_used, 2);
        assert_int_equal(p.disruption.destroyed, 0);
        assert_int_equal(p.disruption.created, idle ? 0 : 4);
        assert_int_equal(most_per_node(&p, 2), 1); /* web */
        mp_plan_free(&p);
    }
    mp_request_free(&req);
}

/* Twenty one-GPU nodes, all given idle states, and a request for ten
 * whole GPUs: more than 16 stated nodes in a pool, and more choices of ten
 * nodes (184756) than are enumerated. The plan has the fewest nodes
 * (proven by the bound) and says that its changes are not proven. */
static void test_many_stated_nodes(void **state)
{
    (void)state;
    const mp_model *m = test_model("a100-40gb");
    static const char text[] =
        "nodes:\n  - pool: p\n    model: a100-40gb\n    gpus: 1\n"
        "    count: 20\ntenants:\n  - name: big\n    memory: 30GiB\n"
        "    replicas: 10\n";
    mp_request req;
    parse(text, &req);
    static mp_node_state st[20];
    for (int j = 0; j < 20; j++)
        idle_node(m, 1, &st[j], NULL);
    mp_plan p;
    plan_states(&req, st, 20, 1, &p);
    assert_true(p.feasible);
    assert_int_equal(p.nodes_used, 10);
    assert_true(p.optimal);
    assert_false(p.disruption.minimal);
    mp_plan_free(&p);
    mp_request_free(&req);
}

/* A single pool's node of three GPUs made all-disabled for one whole-GPU
 * replica (fresh7 N0b): GPU 1 holds an idle 1g.10gb, GPU 2 a 3g.40gb in
 * use (--allow-disruption). The GPUs serving nothing are emptied: not
 * used, MIG disabled, their instances destroyed and counted; the
 * validator accepts exactly that, and refuses them unmarked or used. */
static void test_all_disabled_emptied(void **state)
{
    (void)state;
    const mp_model *m = test_model("h100-sxm5-80gb");
    static const char text[] =
        "nodes:\n  - {pool: s, model: h100, gpus: 3, count: 1, strategy: "
        "single}\ntenants:\n  - {name: llm, whole-gpu: true, replicas: 1}\n";
    mp_request req;
    parse(text, &req);
    mp_node_state st;
    test_state_gpus(&st, 2);
    for (int g = 0; g < 2; g++) {
        mp_node_state one = st;
        one.gpu = &st.gpu[g];
        mp_gpu_state_init(&st.gpu[g], g + 1, m);
        add_gi0(&one, g ? "3g.40gb" : "1g.10gb", 0, g ? "x" : NULL);
    }
    st.n = 2;
    mp_node_current nc = {0, 0, &st};
    mp_solve_opts o = {.node_states = true,
                       .node_current = &nc,
                       .n_node_current = 1,
                       .allow_disruption = true,
                       .time_limit = 2};
    mp_plan p;
    mp_diag d;
    assert_int_equal(mp_solve(db, &req, &o, &p, &d), 0);
    assert_true(p.feasible);
    assert_int_equal(p.gpus_used, 1);
    int whole = -1;
    for (int k = 0; k < 3; k++)
        if (p.gpus[k].whole_tenant == 0)
            whole = k;
    assert_true(whole >= 0);
    for (int k = 0; k < 3; k++) {
        assert_int_equal(p.gpus[k].emptied, k != whole);
        assert_false(p.gpus[k].layout.mig_enabled);
        assert_int_equal(p.gpus[k].layout.gis.n, 0);
    }
    /* all-disabled: both instances go, whichever GPU llm takes */
    assert_int_equal(p.disruption.destroyed, 2);
    assert_int_equal(p.disruption.in_use_destroyed, 1);
    assert_int_equal(p.disruption.gpus_touched, 3);
    char why[256];
    assert_int_equal(mp_plan_validate(&p, why, sizeof(why)), 0);
    int other = whole == 1 ? 2 : 1;
    p.gpus[other].emptied = false; /* its change would go unsaid */
    assert_int_not_equal(mp_plan_validate(&p, why, sizeof(why)), 0);
    p.gpus[other].used = true; /* used, MIG off, no tenant */
    assert_int_not_equal(mp_plan_validate(&p, why, sizeof(why)), 0);
    assert_non_null(strstr(why, "MIG-disabled without one tenant"));
    p.gpus[other].used = false;
    p.gpus[other].emptied = true;
    p.nodes[0].profile = 0; /* emptied, but the node is not all-disabled */
    assert_int_not_equal(mp_plan_validate(&p, why, sizeof(why)), 0);
    assert_non_null(strstr(why, "not on an all-disabled node"));
    mp_plan_free(&p);
    mp_request_free(&req);
}

/* Thirty 8-GPU H100 nodes, all given a state: ten run `llm` on a
 * 3g.40gb (with an idle 1g.10gb beside it), twenty hold two idle 2g.20gb
 * (README's dgx30, tests/data/nodecur/dgx30.yaml). The ten busy nodes are
 * in every plan and hold the request. Cut by the time limit before the
 * search starts, the plan is still those ten nodes (it was all thirty when
 * the first choice planned was every node), with an honest bound. */
static void test_time_cut_busy_nodes(void **state)
{
    (void)state;
    const mp_model *m = test_model("h100-sxm5-80gb");
    static const char text[] =
        "nodes:\n  - pool: dgx\n    model: h100\n    gpus: 8\n"
        "    count: 30\n    cost: 8\ntenants:\n  - name: llm\n"
        "    memory: 35GiB\n    compute: 3g\n    replicas: 10\n"
        "  - name: web\n    memory: 8GiB\n    compute: 1g\n"
        "    replicas: 40\n  - name: batch\n    memory: 18GiB\n"
        "    compute: 2g\n    replicas: 60\n";
    mp_request req;
    parse(text, &req);
    static mp_node_state st[30];
    for (int j = 0; j < 30; j++) {
        test_state_gpus(&st[j], 8);
        for (int g = 0; g < 8; g++)
            mp_gpu_state_init(&st[j].gpu[g], g, m);
        if (j < 10) {
            add_gi0(&st[j], "3g.40gb", 0, "llm");
            add_gi0(&st[j], "1g.10gb", 6, NULL);
        } else {
            add_gi0(&st[j], "2g.20gb", 0, NULL);
            add_gi0(&st[j], "2g.20gb", 2, NULL);
        }
    }
    for (int run = 0; run < 2; run++) {
        mp_plan p;
        plan_states(&req, st, 30, run ? 1e-3 : 30, &p);
        assert_true(p.feasible);
        assert_int_equal(p.nodes_used, 10);
        assert_true(p.cost <= 80 + 1e-9);
        assert_true(p.lower_bound <= p.cost + 1e-9);
        assert_true(p.optimal || p.time_limit_hit);
        assert_int_equal(p.disruption.in_use_destroyed, 0);
        for (int k = 0; k < p.n_gpus; k++) /* only busy nodes used */
            assert_true(!p.gpus[k].used || p.nodes[p.gpus[k].node].k < 10);
        mp_plan_free(&p);
    }
    mp_request_free(&req);
}

/* The plan's cost (INFINITY: no plan), within the time limit. */
static double cost_of(mp_plan *p)
{
    assert_false(p->time_limit_hit);
    double c = p->feasible ? p->cost : INFINITY;
    mp_plan_free(p);
    return c;
}

/* A same-profile tenant `llm` running in an instance of another profile
 * than the plan on empty nodes gives it (fresh8 D1) is free to use that
 * profile: the instance named after it is a preference, never a
 * constraint. fresh8's m2 (one node of 2 H100, llm 9GiB x4 beside a
 * 4g.40gb running llm) plans on its one node (it was "the fleet is too
 * small"), m4 (four nodes of 1 H100) on 2 nodes, 1 with
 * --allow-disruption (it was 4). Then random pools, strategies, requests
 * and profiles of the running instance: the plan costs no more than with
 * the process named `x` (no tenant; none only when neither has one), nor
 * under --allow-disruption than on empty nodes. */
static void test_named_instance_no_pin(void **state)
{
    (void)state;
    const mp_model *m = test_model("h100-sxm5-80gb");
    static const char *const mem[] = {"5GiB", "9GiB", "18GiB", "35GiB"};
    for (int it = 0; it < 14; it++) {
        int gpus = it < 2 ? 2 - it : 1 + pick(2),
            count = it < 2 ? it * 3 + 1 : 2 + pick(2);
        char text[300];
        snprintf(text, sizeof(text),
                 "nodes:\n  - {pool: p, model: h100, gpus: %d, count: %d, "
                 "strategy: %s}\ntenants:\n  - {name: llm, memory: %s, "
                 "replicas: %d}\n",
                 gpus, count, it < 2 || pick(2) ? "mixed" : "single",
                 it < 2 ? "9GiB" : mem[pick(4)], it < 2 ? 4 : 2 + pick(6));
        mp_request req;
        parse(text, &req);
        int prof = 0; /* m2 and m4: 4g.40gb; then any profile llm takes */
        while (it < 2 && strcmp(m->profiles[prof].name, "4g.40gb") != 0)
            prof++;
        while (it >= 2 && !mp_tenant_takes_profile(&req.tenants[0], m,
                                                   prof = pick(m->n_profiles)))
            ;
        const mp_gi_profile *pr = &m->profiles[prof];
        mp_node_state st;
        test_state_gpus(&st, gpus);
        for (int g = 0; g < gpus; g++)
            mp_gpu_state_init(&st.gpu[g], g, m);
        add_gi0(&st, pr->name, pr->placements[pick(pr->n_placements)], "llm");
        mp_plan p;
        plan_states_d(&req, NULL, 0, 30, false, &p);
        double empty = cost_of(&p);
        if (empty == INFINITY) { /* a request too large for the pool */
            mp_request_free(&req);
            continue;
        }
        double cost[2], renamed[2];
        for (int disrupt = 0; disrupt < 2; disrupt++) {
            st.gpu[0].gi[0].process = "llm";
            plan_states_d(&req, &st, 1, 30, disrupt, &p);
            if (it < 2)
                assert_int_equal(p.nodes_used, it == 0 ? 1 : 2 - disrupt);
            cost[disrupt] = cost_of(&p);
            st.gpu[0].gi[0].process = "x";
            plan_states_d(&req, &st, 1, 30, disrupt, &p);
            renamed[disrupt] = cost_of(&p);
            assert_true(cost[disrupt] <= renamed[disrupt] + 1e-9);
        }
        assert_true(cost[1] <= empty + 1e-9);
        mp_request_free(&req);
    }
}

/* Each GPU of st[0..n) set up (a node of 8 H100s each). */
static void h100_nodes(mp_node_state *st, int n)
{
    const mp_model *m = test_model("h100-sxm5-80gb");
    for (int j = 0; j < n; j++) {
        test_state_gpus(&st[j], 8);
        for (int g = 0; g < 8; g++)
            mp_gpu_state_init(&st[j].gpu[g], g, m);
    }
}

/* p: a plan that validates, of cost at most most, with nothing in use
 * destroyed unless disrupt; freed. */
static void valid_plan(mp_plan *p, double most, bool disrupt)
{
    char why[256];
    assert_true(p->feasible);
    assert_int_equal(mp_plan_validate(p, why, sizeof(why)), 0);
    assert_true(p->cost <= most + 1e-9);
    assert_true(p->lower_bound <= p->cost + 1e-9);
    assert_true(p->optimal || p->time_limit_hit);
    if (!disrupt)
        assert_int_equal(p->disruption.in_use_destroyed, 0);
    mp_plan_free(p);
}

/* fresh8 D11: a mixed pool's node running `x` beside a single pool whose
 * plan on empty nodes gives its nodes several profiles. Cut by the time
 * limit before a choice's first assignment of profiles (all one profile,
 * which has no plan) was followed by another, the search still returns a
 * plan (it said "No plan ... within the time limit"), valid; with
 * --allow-disruption too. */
static void test_time_cut_plan_of_last_resort(void **state)
{
    (void)state;
    static const char text[] =
        "nodes:\n  - {pool: p2, model: h100, gpus: 8, count: 8, strategy: "
        "single, cost: 7}\n  - {pool: p0, model: h100, gpus: 8, count: 4, "
        "strategy: mixed, cost: 8}\ntenants:\n  - {name: llm, memory: "
        "35GiB, replicas: 6}\n  - {name: web, memory: 8GiB, replicas: 20}\n"
        "  - {name: embed, memory: 18GiB, replicas: 8}\n  - {name: big, "
        "whole-gpu: true, replicas: 4}\n";
    mp_request req;
    parse(text, &req);
    mp_plan p;
    static mp_node_state st[1];
    h100_nodes(st, 1);
    add_gi0(&st[0], "3g.40gb", 0, "x");
    add_gi0(&st[0], "1g.10gb", 4, NULL);
    mp_node_current nc = {1, 0, &st[0]}; /* p0-01 */
    for (int disrupt = 0; disrupt < 2; disrupt++) {
        mp_solve_opts o = {.node_states = true,
                           .node_current = &nc,
                           .n_node_current = 1,
                           .allow_disruption = disrupt,
                           .time_limit = 1e-3};
        mp_diag d;
        assert_int_equal(mp_solve(db, &req, &o, &p, &d), 0);
        /* at most every node: the plan on empty nodes is cut too */
        valid_plan(&p, 8 * 7 + 4 * 8, disrupt);
    }
    mp_request_free(&req);
}

/* fresh9 D8: 100,000 replicas on a pool of no count (unlimited) beside a
 * busy node (and an idle stated one), cut by the time limit: every
 * choice's fleet plan timed out, and the search said "No plan ... within
 * the time limit of 0.1 s" (a share of the limit the user did not give).
 * The plan of last resort is there at any limit: the plan on empty nodes
 * beside the busy node as it is, valid, its instance in use kept. */
static void test_unlimited_pool_cut_has_plan(void **state)
{
    (void)state;
    static const char text[] =
        "nodes:\n  - {pool: dgx, model: h100, gpus: 8, cost: 8}\n"
        "tenants:\n  - {name: a, memory: 8GiB, replicas: 70000}\n"
        "  - {name: b, memory: 18GiB, compute: 2g, replicas: 30000}\n";
    mp_request req;
    parse(text, &req);
    static mp_node_state st[2];
    h100_nodes(st, 2);
    add_gi0(&st[0], "3g.40gb", 0, "llm");
    add_gi0(&st[1], "1g.10gb", 6, NULL);
    mp_plan empty;
    plan_states(&req, st, 0, 30, &empty);
    assert_true(empty.feasible);
    for (int n = 1; n <= 2; n++) {
        mp_plan p;
        plan_states(&req, st, n, 1e-3, &p);
        /* at most the plan on empty nodes and the busy node */
        valid_plan(&p, empty.cost + 8, false);
    }
    mp_plan_free(&empty);
    mp_request_free(&req);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_whole_n_random),
        cmocka_unit_test(test_spread_nodes),
        cmocka_unit_test(test_many_stated_nodes),
        cmocka_unit_test(test_time_cut_busy_nodes),
        cmocka_unit_test(test_all_disabled_emptied),
        cmocka_unit_test(test_named_instance_no_pin),
        cmocka_unit_test(test_time_cut_plan_of_last_resort),
        cmocka_unit_test(test_unlimited_pool_cut_has_plan),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
