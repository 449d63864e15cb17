/* SPDX-License-Identifier: Apache-2.0 */
/* profile_diff.h - how two descriptions of one GPU model differ.
 *
 * Compares the values of a shipped model with those of another file of the
 * same GPU (typically one `migplan import-profiles` wrote from a real
 * nvidia-smi): whole-GPU facts, devices, and per profile its ID, sizes,
 * memory, SMs, engines, count, placements and compute instances. A value
 * equal in both that the shipped model marks inferred and the other does
 * not is reported as confirmed: that is how a capture from a real GPU
 * settles what the database could only assume.
 */
#ifndef MIGPLAN_PROFILE_DIFF_H
#define MIGPLAN_PROFILE_DIFF_H

#include "migplan/model/profile_db.h"
#include "migplan/util/buf.h"

typedef struct mp_diff_count {
    int differ;    /* values that differ, profiles only in one */
    int confirmed; /* inferred values the other model shows as seen */
} mp_diff_count;

/* Append one line per difference ("profile 1g.10gb: memory 9.75 GiB ->
 * 9.62 GiB") and per confirmation to out; a is the shipped model, b the
 * other. */
mp_diff_count mp_model_diff(const mp_model *a, const mp_model *b, mp_buf *out);

#endif
