/* SPDX-License-Identifier: Apache-2.0 */
/* test_current_whole.c - GPUs with MIG disabled running a process named
 * like a whole-gpu: N tenant (N >= 2), planned from that state as a fleet
 * (opts.current) and as a node of a pool (opts.node_states): N of them
 * count as one replica, those left over stay as they are, nothing is
 * placed twice; and the reason when such processes block the request
 * names them (never an empty list) and says to stop them, not to add
 * --allow-disruption when it is given. */
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
#include "test_db.h"

/* nvidia-smi of an H100 node with MIG disabled everywhere, `train` on the
 * GPUs procs lists (a string of GPU digits), PIDs 4242, 4243, ... */
static void read_state(const char *procs, int n, mp_node_state *st)
{
    char text[4096];
    size_t k = (size_t)snprintf(
        text, sizeof(text),
        "No MIG-enabled devices found.\n"
        "+------------------------------------------------------------------"
        "-----------------------+\n"
        "| Processes:                                                       "
        "                       |\n"
        "|  GPU   GI   CI        PID   Type   Process name                  "
        "            GPU Memory |\n"
        "|        ID   ID                                                   "
        "            Usage      |\n"
        "|=================================================================="
        "=======================|\n");
    for (int i = 0; procs[i]; i++)
        k += (size_t)snprintf(text + k, sizeof(text) - k,
                              "|    %c  N/A  N/A       %d      C   train     "
                              "                                   1024MiB |\n",
                              procs[i], 4242 + i);
    snprintf(text + k, sizeof(text) - k,
             "+----------------------------------------------------------------"
             "-------------------------+\n");
    const mp_model *ms[8];
    for (int i = 0; i < n; i++)
        ms[i] = test_model("h100-sxm5-80gb");
    mp_diag d;
    mp_diag_clear(&d);
    if (mp_state_read_nvsmi(text, strlen(text), "s.txt", ms, n, st, &d))
        fail_msg("%d:%d: %s", d.line, d.col, d.msg);
}

/* p: text planned from st, as a fleet, or as node s-01 of its pool. */
static void plan(const char *text, const mp_node_state *st, bool nodes,
                 bool disrupt, mp_request *req, mp_plan *p)
{
    mp_diag d;
    assert_int_equal(
        mp_request_parse(db, text, strlen(text), "r.yaml", NULL, req, &d), 0);
    mp_node_current nc = {0, 0, st};
    mp_solve_opts o = {.current = nodes ? NULL : st,
                       .node_states = nodes,
                       .node_current = nodes ? &nc : NULL,
                       .n_node_current = nodes ? 1 : 0,
                       .allow_disruption = disrupt,
                       .time_limit = 2};
    assert_int_equal(mp_solve(db, req, &o, p, &d), 0);
}

#define FLEET4 "fleet:\n  - {model: h100, count: 4}\n"
#define NODE4                                                                  \
    "nodes:\n  - {pool: s, model: h100, gpus: 4, count: 2, "                   \
    "strategy: mixed}\n"
#define TENANTS                                                                \
    "tenants:\n  - {name: train, whole-gpu: 2, replicas: 1}\n"                 \
    "  - {name: llm, memory: 9GiB, replicas: 4}\n"

/* Running train on GPUs 0 and 1 is train#0: kept as it is, llm on one
 * more GPU, nothing else used (one node in the node form). */
static void test_running_pair(void **state)
{
    (void)state;
    for (int v = 0; v < 4; v++) {
        bool nodes = v & 1, disrupt = v & 2;
        mp_node_state st;
        read_state("01", 4, &st);
        mp_request req;
        mp_plan p;
        plan(nodes ? NODE4 TENANTS : FLEET4 TENANTS, &st, nodes, disrupt, &req,
             &p);
        if (!p.feasible)
            fail_msg("form %d: %s", v, p.reason);
        assert_int_equal(p.gpus_used, 3);
        if (nodes)
            assert_int_equal(p.nodes_used, 1);
        for (int g = 0; g < 2; g++) {
            mp_gpu_change ch;
            assert_int_equal(p.gpus[g].whole_tenant, 0);
            assert_int_equal(p.gpus[g].whole_replica, 0);
            assert_int_equal(mp_plan_gpu_change(&p, &p.gpus[g], &ch), 0);
            assert_true(mp_gpu_change_none(&ch));
        }
        int llm = p.gpus[2].used ? 2 : 3;
        assert_true(p.gpus[llm].used && !p.gpus[5 - llm].used);
        assert_int_equal(p.gpus[llm].layout.gis.n, 4);
        assert_int_equal(p.disruption.destroyed, 0);
        assert_int_equal(p.disruption.created, 4);
        assert_true(p.optimal);
        mp_plan_free(&p);
        mp_request_free(&req);
        mp_node_state_free(&st);
    }
}

/* Three GPUs run train, whole-gpu: 2 x2: two of them are train#0, the
 * third stays as it is serving nothing, train#1 goes to two other GPUs. */
static void test_left_over(void **state)
{
    (void)state;
    mp_node_state st;
    read_state("012", 5, &st);
    mp_request req;
    mp_plan p;
    plan("fleet:\n  - {model: h100, count: 5}\ntenants:\n"
         "  - {name: train, whole-gpu: 2, replicas: 2}\n",
         &st, false, false, &req, &p);
    if (!p.feasible)
        fail_msg("%s", p.reason);
    assert_int_equal(p.gpus_used, 4);
    assert_int_equal(p.gpus[0].whole_tenant, 0);
    assert_int_equal(p.gpus[1].whole_tenant, 0);
    assert_false(p.gpus[2].used);
    assert_false(p.gpus[2].layout.mig_enabled);
    assert_int_equal(p.gpus[3].whole_replica, 1);
    assert_int_equal(p.gpus[4].whole_replica, 1);
    assert_int_equal(p.disruption.gpus_touched, 0);
    mp_plan_free(&p);
    mp_request_free(&req);
    mp_node_state_free(&st);
}

/* train runs on GPUs 0 and 2: they are train#0 (numbered as one replica),
 * train#1 is GPUs 1 and 3. */
static void test_apart(void **state)
{
    (void)state;
    mp_node_state st;
    read_state("02", 4, &st);
    mp_request req;
    mp_plan p;
    plan("fleet:\n  - {model: h100, count: 4}\ntenants:\n"
         "  - {name: train, whole-gpu: 2, replicas: 2}\n",
         &st, false, false, &req, &p);
    if (!p.feasible)
        fail_msg("%s", p.reason);
    static const int rep[4] = {0, 1, 0, 1};
    for (int g = 0; g < 4; g++)
        assert_int_equal(p.gpus[g].whole_replica, rep[g]);
    assert_int_equal(p.disruption.gpus_touched, 0);
    mp_plan_free(&p);
    mp_request_free(&req);
    mp_node_state_free(&st);
}

/* train holds GPU 0 of 2 and llm needs both: the reason names GPU 0 with
 * its process and PID and says to stop it or add GPUs (nodes); it advises
 * --allow-disruption only as what it cannot do. */
static void test_blocked_advice(void **state)
{
    (void)state;
    static const char *const req_text[] = {
        "fleet:\n  - {model: h100, count: 2}\n",
        "nodes:\n  - {pool: s, model: h100, gpus: 2, count: 1, "
        "strategy: mixed}\n"};
    for (int v = 0; v < 4; v++) {
        bool nodes = v & 1, disrupt = v & 2;
        char text[512];
        snprintf(text, sizeof(text),
                 "%stenants:\n  - {name: llm, memory: 9GiB, replicas: 10}\n",
                 req_text[nodes]);
        mp_node_state st;
        read_state("0", 2, &st);
        mp_request req;
        mp_plan p;
        plan(text, &st, nodes, disrupt, &req, &p);
        assert_false(p.feasible);
        const char *want =
            nodes ? "in use: node s-01 GPU 0 (MIG disabled, whole GPU, "
                    "process train, pid 4242); still to place: llm (10 "
                    "replicas); stop the processes named above, or add "
                    "nodes to the pools"
                  : "in use: GPU 0 (MIG disabled, whole GPU, process train, "
                    "pid 4242); still to place: llm (10 replicas); stop the "
                    "processes named above, or add GPUs to the fleet";
        if (!strstr(p.reason, want) || strstr(p.reason, "in use:;") ||
            strstr(p.reason, "lets the plan destroy") ||
            (disrupt != !strstr(p.reason, "(--allow-disruption destroys")))
            fail_msg("form %d: %s", v, p.reason);
        mp_plan_free(&p);
        mp_request_free(&req);
        mp_node_state_free(&st);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_running_pair),
        cmocka_unit_test(test_left_over),
        cmocka_unit_test(test_apart),
        cmocka_unit_test(test_blocked_advice),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
