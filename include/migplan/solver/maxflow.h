/* SPDX-License-Identifier: Apache-2.0 */
/* maxflow.h - maximum flow (Dinic) on integer capacities.
 *
 * The plan solver turns an integral choice of GPU layouts into an exact
 * assignment of replicas to instances with a max-flow: integral
 * capacities give an integral flow, so no rounding is ever involved.
 */
#ifndef MIGPLAN_MAXFLOW_H
#define MIGPLAN_MAXFLOW_H

typedef struct mp_flow mp_flow;

/* A network of nodes 0..nodes-1 without edges. NULL on allocation failure.
 * Free with mp_flow_free. */
mp_flow *mp_flow_new(int nodes);
/* Accepts NULL. */
void mp_flow_free(mp_flow *f);

/* Add an edge from -> to with capacity cap >= 0. Returns its id (for
 * mp_flow_edge_flow), or -1 on allocation failure (the network is
 * unchanged). */
int mp_flow_add_edge(mp_flow *f, int from, int to, long long cap);

/* Push the maximum flow from source to sink (source != sink) on top of
 * any flow already pushed, and return the amount pushed now. */
long long mp_flow_max(mp_flow *f, int source, int sink);

/* The flow on edge id after mp_flow_max. */
long long mp_flow_edge_flow(const mp_flow *f, int edge);

#endif
