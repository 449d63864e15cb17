/* SPDX-License-Identifier: Apache-2.0 */
/* state_expect.h - a check the state tests share (include after cmocka). */
#ifndef MIGPLAN_STATE_EXPECT_H
#define MIGPLAN_STATE_EXPECT_H

#include "migplan/model/gpu_state.h"

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

#endif
