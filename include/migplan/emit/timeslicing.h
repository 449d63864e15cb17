/* SPDX-License-Identifier: Apache-2.0 */
/* timeslicing.h - the NVIDIA Kubernetes device plugin's time-slicing
 * config for the shared tenants of a plan (`share: N`).
 *
 * Under the mixed MIG strategy every MIG profile is a resource,
 * nvidia.com/mig-<profile> with '+' written '.', and the device plugin
 * advertises each device of a time-sliced resource N times:
 *
 *   version: v1
 *   flags:
 *     migStrategy: mixed
 *   sharing:
 *     timeSlicing:
 *       resources:
 *         - name: nvidia.com/mig-1g.10gb
 *           replicas: 2
 *
 * The plugin slices every device of a resource on a node, so a resource
 * serving a shared tenant and an unshared one is noted, and two shared
 * tenants with different shares on one resource are an error.
 */
#ifndef MIGPLAN_TIMESLICING_H
#define MIGPLAN_TIMESLICING_H

#include "migplan/solver/solver.h"
#include "migplan/util/buf.h"
#include "migplan/util/error.h"

/* The `sharing:` section alone (at indent spaces), for a larger config
 * such as the k8s output: the plan's time-sliced resources in the order
 * the GPUs first use them, each with its replicas, after "# note:" lines
 * about resources unshared tenants use too. Writes nothing when no tenant
 * shares. MP_EINFEASIBLE (with d set) when the plan is infeasible or two
 * tenants share one resource differently; MP_ELIMIT past 256 resources. */
int mp_emit_timeslicing_sharing(const mp_plan *p, int indent, mp_buf *out,
                                mp_diag *d);

/* The `sharing:` section, as mp_emit_timeslicing_sharing, for the GPUs of
 * the nodes like node `node` of p (a node plan): under the mixed strategy
 * those of every mixed node (resources nvidia.com/mig-<profile>), under
 * single those of the single nodes of its profile, whose every device is
 * nvidia.com/gpu (the device plugin's single strategy). Nothing when none
 * of them holds a shared tenant. Errors as mp_emit_timeslicing_sharing. */
int mp_emit_timeslicing_node_sharing(const mp_plan *p, int node, int indent,
                                     mp_buf *out, mp_diag *d);

/* A whole device-plugin config file (`plan --format timeslicing`): a
 * comment naming the plan, version v1, the mixed strategy flag and the
 * sharing section; only a comment when no tenant shares. Errors as
 * mp_emit_timeslicing_sharing. */
int mp_emit_timeslicing(const mp_plan *p, mp_buf *out, mp_diag *d);

#endif
