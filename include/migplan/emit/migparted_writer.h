/* SPDX-License-Identifier: Apache-2.0 */
/* migparted_writer.h - a finished plan as a mig-parted config. */
#ifndef MIGPLAN_MIGPARTED_WRITER_H
#define MIGPLAN_MIGPARTED_WRITER_H

#include "migplan/solver/solver.h"
#include "migplan/util/buf.h"
#include "migplan/util/error.h"

/* A mig-parted config (version v1) with one config named config_name that
 * covers every GPU index of the plan, written the way mig-parted exports
 * configs. Fails when the plan is infeasible or the name is not a valid
 * Kubernetes label value. */
int mp_emit_plan_migparted(const mp_plan *p, const char *config_name,
                           mp_buf *out, mp_diag *d);

/* The same, for a config written to path (NULL or "-": standard output),
 * which its "Apply:" comment then names. */
int mp_emit_plan_migparted_to(const mp_plan *p, const char *config_name,
                              const char *path, mp_buf *out, mp_diag *d);

#endif
