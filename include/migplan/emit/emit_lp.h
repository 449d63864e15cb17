/* SPDX-License-Identifier: Apache-2.0 */
/* emit_lp.h - a plan's request as a CPLEX-LP integer program. */
#ifndef MIGPLAN_EMIT_LP_H
#define MIGPLAN_EMIT_LP_H

#include "migplan/solver/solver.h"
#include "migplan/util/buf.h"
#include "migplan/util/error.h"

/* The request as a CPLEX-LP integer program over explicit placements (not
 * migplan's geometry enumeration), so GLPK or CBC can confirm the optimum
 * independently. */
int mp_emit_plan_lp(const mp_plan *p, mp_buf *out, mp_diag *d);

#endif
