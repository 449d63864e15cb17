/* SPDX-License-Identifier: Apache-2.0 */
/* node_pool_reader.h - the `nodes:` part of a plan request and the tenant
 * keys that only mean something with node pools:
 *
 *   nodes:
 *     - pool: dgx-h100        # pool name ([A-Za-z0-9._-]+, unique)
 *       model: h100           # any model name migplan accepts
 *       gpus: 8               # GPUs per node
 *       count: 4              # nodes; omitted: as many as needed
 *       cost: 8.0             # per node, default 1
 *       strategy: mixed       # GPU Operator mig.strategy: mixed or single
 *       names: [a, b, c, d]   # node names (count of them); default <pool>-NN
 *   tenants:
 *     - ...
 *       spread: nodes         # replicas on distinct nodes (gpus: on GPUs)
 *       same-profile: true    # one profile for every replica (default with
 *                             # nodes:, false without)
 *
 * Internal to the readers (request_reader.c uses it).
 */
#ifndef MIGPLAN_NODE_POOL_READER_H
#define MIGPLAN_NODE_POOL_READER_H

#include "migplan/model/profile_db.h"
#include "migplan/model/request.h"
#include "migplan/yaml/schema.h"

/* Read the `nodes:` sequence n into r->pools, and fill r->fleet with one
 * entry per pool (model, count * gpus GPUs, cost per GPU). */
int mp_read_node_pools(const mp_db *db, const mp_schema_ctx *c,
                       const mp_ynode *n, mp_request *r);

/* `spread:` of a tenant: true or gpus (spread over GPUs), nodes (over
 * nodes, and over GPUs as far as that allows), false. */
int mp_read_spread(const mp_schema_ctx *c, const mp_ynode *n, mp_tenant *t);

/* After every tenant is read (tn is the `tenants:` sequence): same-profile
 * per tenant (default: true when r has pools), and `spread: nodes` refused
 * without pools. */
int mp_read_node_keys(const mp_schema_ctx *c, const mp_ynode *tn,
                      mp_request *r);

#endif
