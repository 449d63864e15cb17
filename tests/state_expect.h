/* SPDX-License-Identifier: Apache-2.0 */
/* state_expect.h - a check the state tests share (include after cmocka). */
#ifndef MIGPLAN_STATE_EXPECT_H
#define MIGPLAN_STATE_EXPECT_H

#include <string.h>

#include "migplan/model/gpu_state.h"
#include "migplan/readers/state_reader.h"

/* GPU instance q of g is name@start with GPU instance ID gi_id. */
static inline void expect_gi(const mp_gpu_state *g, int q, const char *name,
                             int start, int gi_id)
{
    const mp_layout *l = &g->layout.gis;
    assert_true(q < l->n);
    assert_string_equal(l->model->profiles[l->gi[q].profile].name, name);
    assert_int_equal(l->gi[q].start, start);
    assert_int_equal(g->gi[q].gi_id, gi_id);
}

/* st zeroed, with room for n GPUs (st->n = n) in storage of the tests'
 * own (cap 0: mp_node_state_free leaves it): a ring that the states of
 * one test case share, enough for a few states of up to 64 GPUs each. */
static inline void test_state_gpus(mp_node_state *st, int n)
{
    static mp_gpu_state ring[1024];
    static int next;
    assert_true(n <= 256);
    if (next + n > 1024)
        next = 0;
    memset(st, 0, sizeof(*st));
    st->gpu = &ring[next];
    st->n = n;
    next += n;
}

#endif
