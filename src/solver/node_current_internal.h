/* SPDX-License-Identifier: Apache-2.0 */
/* node_current_internal.h - what the planner of node pools from their
 * nodes' states (node_current.c) shares with its helpers. Private to
 * src/solver/. */
#ifndef MIGPLAN_NODE_CURRENT_INTERNAL_H
#define MIGPLAN_NODE_CURRENT_INTERNAL_H

#include "nodes_internal.h"

/* node_current_warn.c. A `counts-as-other-resource` warning into
 * p->warnings for each instance in use whose process is named otherwise
 * than the tenant it now counts as, when that tenant's pods (one resource
 * name) cannot use it: on a mixed node, the tenant has another replica on
 * another profile or a whole GPU. MP_ENOMEM. */
int sv_node_counts_as_warn(mp_plan *p);

#endif
