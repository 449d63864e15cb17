/* SPDX-License-Identifier: Apache-2.0 */
/* test_current_fleet.c - planning from a running node counts a GPU when it
 * serves a replica: a GPU the plan does not need, busy or not, is left as
 * it is and costs nothing. So a larger fleet never plans worse (fewer or
 * as many GPUs, then as few instances in use destroyed, then destroyed,
 * then created), with or without --allow-disruption, and the bound says
 * "optimal" of the plans that are. Checked on the x4 node of the fresh-user
 * test (four H100s each running `x`, no tenant of that name, in a 1g.10gb)
 * from 4 to 8 GPUs, on bound5-state.txt with one more GPU, and on random
 * states of two A100 40GB against the same states with a third, empty GPU
 * (each node of up to three GPUs is searched whole, so both answers are
 * exact and must be monotone). */
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
#include "migplan/solver/solver.h"
#include "state_expect.h"
#include "test_db.h"

/* What a plan is ranked by: cost, instances in use destroyed, destroyed,
 * created; feasible first. */
typedef struct rank {
    bool feasible, optimal;
    double cost;
    int in_use, destroyed, created;
} rank;

/* Plan request text `text` from st: its rank. */
static rank plan_rank(const char *text, const mp_node_state *st, bool disrupt)
{
    mp_diag d;
    mp_request req;
    if (mp_request_parse(db, text, strlen(text), "r.yaml", NULL, &req, &d))
        fail_msg("%d:%d: %s\n%s", d.line, d.col, d.msg, text);
    mp_solve_opts o = {
        .current = st, .time_limit = 120, .allow_disruption = disrupt};
    mp_plan p;
    assert_int_equal(mp_solve(db, &req, &o, &p, &d), 0);
    rank r = {.feasible = p.feasible,
              .optimal = p.optimal,
              .cost = p.cost,
              .in_use = p.disruption.in_use_destroyed,
              .destroyed = p.disruption.destroyed,
              .created = p.disruption.created};
    mp_plan_free(&p);
    mp_request_free(&req);
    return r;
}

/* Is a no worse than b? */
static bool no_worse(const rank *a, const rank *b)
{
    if (!b->feasible || !a->feasible)
        return a->feasible || !b->feasible;
    if (a->cost != b->cost)
        return a->cost < b->cost;
    if (a->in_use != b->in_use)
        return a->in_use < b->in_use;
    if (a->destroyed != b->destroyed)
        return a->destroyed < b->destroyed;
    return a->created <= b->created;
}

/* Instance `profile`@start on s, GPU instance ID id, in use by proc (NULL:
 * idle); false when the geometry refuses it. */
static bool put(mp_gpu_state *s, const char *profile, int start, int id,
                const char *proc)
{
    const mp_model *m = s->layout.gis.model;
    for (int p = 0; p < m->n_profiles; p++) {
        const mp_gi_profile *pr = &m->profiles[p];
        if (strcmp(pr->name, profile) != 0)
            continue;
        char why[200];
        int q = mp_gpu_state_add(s, pr->id, start, pr->memory_slices, id, 1,
                                 why, sizeof(why));
        if (q < 0)
            return false;
        s->gi[q].n_processes = proc ? 1 : 0;
        s->gi[q].process = proc;
        return true;
    }
    fail_msg("no profile %s", profile);
    return false;
}

/* x4: four H100s, each running `x` in a 1g.10gb at slot 0; the request
 * (two whole-GPU replicas) needs two GPUs. With 4 or 5 GPUs the plan must
 * destroy 2 or 1 of the instances in use (and stops without
 * --allow-disruption); with 6 to 8 it uses two empty GPUs and leaves the
 * busy ones as they are, destroying nothing. The busy GPUs are never
 * counted: 2 GPUs, optimal, every time. */
static void test_fleet_size_x4(void **state)
{
    (void)state;
    const mp_model *m = test_model("h100-sxm5-80gb");
    mp_node_state st;
    test_state_gpus(&st, 4);
    for (int g = 0; g < 4; g++) {
        mp_gpu_state_init(&st.gpu[g], g, m);
        assert_true(put(&st.gpu[g], "1g.10gb", 0, 7, "x"));
    }
    rank prev[2] = {{0}};
    for (int count = 4; count <= 8; count++) {
        char text[256];
        snprintf(text, sizeof(text),
                 "fleet:\n  - {model: h100, count: %d}\ntenants:\n"
                 "  - {name: big, memory: 70GiB, compute: 7g, replicas: 2}\n",
                 count);
        for (int dis = 0; dis < 2; dis++) {
            rank r = plan_rank(text, &st, dis);
            int lost = count >= 6 ? 0 : 6 - count;
            if (!dis && lost > 0) {
                assert_false(r.feasible);
            } else {
                if (!r.feasible || !r.optimal || r.cost != 2 ||
                    r.in_use != lost || r.destroyed != lost || r.created != 2)
                    fail_msg("%d GPUs%s: %s%.0f GPUs, %d in use destroyed, "
                             "%d destroyed, %d created",
                             count, dis ? " (disruption)" : "",
                             r.optimal ? "" : "not optimal, ", r.cost, r.in_use,
                             r.destroyed, r.created);
            }
            if (count > 4)
                assert_true(no_worse(&r, &prev[dis]));
            prev[dis] = r;
        }
    }
}

/* bound5-state.txt (GPUs 0 and 1 run `a` and `b` in a 1g.10gb, GPU 2
 * `vllm` in a 3g.40gb) on 5 GPUs: 4 GPUs, one instance in use destroyed;
 * on 6: 4 GPUs, none destroyed (the third whole-GPU replica goes to the
 * new GPU; GPUs 0 and 1 are left as they are). The same on a fleet of 3
 * H100 SXM and 2 H100 PCIe of equal cost (the empty GPUs are PCIe): one
 * destroyed, not two. */
static void test_fleet_size_bound5(void **state)
{
    (void)state;
    const mp_model *models[6];
    for (int g = 0; g < 6; g++)
        models[g] = test_model(g < 3 ? "h100-sxm5-80gb" : "h100-pcie-80gb");
    const char *path =
        MIGPLAN_SOURCE_DIR "/tests/data/current/bound5-state.txt";
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char buf[8192];
    size_t len = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    mp_diag d;
    mp_node_state st;
    if (mp_state_read_nvsmi(buf, len, "s.txt", models, 3, &st, &d))
        fail_msg("%d:%d: %s", d.line, d.col, d.msg);
    static const char *const fleets[] = {
        "  - {model: h100, count: 5}\n", "  - {model: h100, count: 6}\n",
        "  - {model: h100, count: 3}\n  - {model: h100-pcie, count: 2}\n"};
    static const int lost[] = {1, 0, 1};
    for (int k = 0; k < 3; k++) {
        char text[512];
        snprintf(text, sizeof(text),
                 "fleet:\n%stenants:\n"
                 "  - {name: big, memory: 70GiB, compute: 7g, replicas: 3}\n"
                 "  - {name: vllm, memory: 30GiB, compute: 3g, replicas: 2}\n",
                 fleets[k]);
        rank r = plan_rank(text, &st, true);
        if (!r.feasible || !r.optimal || r.cost != 4 || r.in_use != lost[k])
            fail_msg("fleet %d: %.0f GPUs%s, %d in use destroyed (want 4, "
                     "%d)",
                     k, r.cost, r.optimal ? "" : " not optimal", r.in_use,
                     lost[k]);
    }
    mp_node_state_free(&st);
}

static unsigned seed = 777;

static int roll(int n)
{
    seed = seed * 1103515245u + 12345u;
    return (int)((seed >> 16) % (unsigned)n);
}

/* Random states of two A100 40GB (up to two instances each, half of them
 * in use by `t0` or `z`) and requests of one or two tenants: the plan on
 * a fleet of 3 (a third GPU, empty) is never worse than on 2. */
static void test_fleet_size_random(void **state)
{
    (void)state;
    const mp_model *m = test_model("a100-40gb");
    static const char *const gis[][2] = {{"1g.5gb", "0"},  {"1g.5gb", "6"},
                                         {"2g.10gb", "2"}, {"3g.20gb", "4"},
                                         {"4g.20gb", "0"}, {"1g.10gb", "4"}};
    static const char *const kinds[] = {"memory: 4GiB, compute: 1g",
                                        "memory: 9GiB, compute: 2g",
                                        "memory: 18GiB, compute: 3g"};
    int compared = 0, better = 0;
    for (int it = 0; it < 80; it++) {
        mp_node_state st;
        test_state_gpus(&st, 2);
        for (int g = 0; g < 2; g++) {
            mp_gpu_state_init(&st.gpu[g], g, m);
            for (int k = roll(3), id = 1; k > 0; k--, id++) {
                const char *const *gi = gis[roll(6)];
                const char *proc = roll(2) ? NULL : roll(2) ? "t0" : "z";
                put(&st.gpu[g], gi[0], atoi(gi[1]), id, proc);
            }
        }
        char tenants[256];
        int nt = 1 + roll(2);
        size_t n = 0;
        for (int t = 0; t < nt; t++)
            n += (size_t)snprintf(tenants + n, sizeof(tenants) - n,
                                  "  - {name: t%d, %s, replicas: %d}\n", t,
                                  kinds[roll(3)], 1 + roll(4));
        for (int dis = 0; dis < 2; dis++) {
            rank r[2];
            for (int extra = 0; extra < 2; extra++) {
                char text[512];
                snprintf(text, sizeof(text),
                         "fleet:\n  - {model: a100-40gb, count: %d}\n"
                         "tenants:\n%s",
                         2 + extra, tenants);
                r[extra] = plan_rank(text, &st, dis);
            }
            if (!no_worse(&r[1], &r[0]))
                fail_msg("case %d%s: 3 GPUs worse than 2: %.0f/%d/%d/%d "
                         "against %.0f/%d/%d/%d\n%s",
                         it, dis ? " (disruption)" : "", r[1].cost, r[1].in_use,
                         r[1].destroyed, r[1].created, r[0].cost, r[0].in_use,
                         r[0].destroyed, r[0].created, tenants);
            compared += r[0].feasible;
            better += r[0].feasible && !no_worse(&r[0], &r[1]);
        }
    }
    printf("fleet size: %d plans compared, %d better with a third GPU\n",
           compared, better);
    assert_true(compared >= 100);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fleet_size_x4),
        cmocka_unit_test(test_fleet_size_bound5),
        cmocka_unit_test(test_fleet_size_random),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
