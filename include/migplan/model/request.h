/* SPDX-License-Identifier: Apache-2.0 */
/* request.h - a plan request: the fleet of GPUs and the tenants to place.
 *
 * The request reader (readers/request_reader.h) fills one from YAML; the
 * solver, the emitters and plan validation read it. Which profiles may
 * serve a tenant is the tenant module's rule (tenant.h).
 */
#ifndef MIGPLAN_REQUEST_H
#define MIGPLAN_REQUEST_H

#include <stdint.h>

#include "migplan/model/node_pool.h"
#include "migplan/model/profile_db.h"
#include "migplan/model/tenant.h"
#include "migplan/util/arena.h"

#define MP_MAX_FLEET 64
#define MP_MAX_TENANTS 100000
#define MP_MAX_REPLICAS 1000000  /* in one request */
#define MP_MAX_GPU_COUNT 1000000 /* of one fleet entry */
/* of the whole fleet: a plan holds every GPU offered (about 0.5 KB each) */
#define MP_MAX_FLEET_GPUS 4000000
#define MP_DEFAULT_MIN_SPARE_MIB 512 /* a CUDA context and some */

typedef struct mp_fleet_item {
    const mp_model *model;
    int count; /* -1: as many as needed */
    double cost;
    int line, col;
    /* not 0: only these profiles (bit p for model->profiles[p]) and no
     * whole GPU, as on a single-strategy node carrying one profile */
    uint32_t profiles;
    /* true: no MIG profile, only whole GPUs (a single-strategy node
     * labelled all-disabled, where the device plugin offers nvidia.com/gpu
     * for the full GPUs) */
    bool whole_only;
    /* not 0: GPUs per node (node pools); a whole-GPU replica of more GPUs
     * (whole-gpu: N) cannot use the entry, as its GPUs share one node */
    int node_gpus;
} mp_fleet_item;

typedef struct mp_request {
    const char *path;
    mp_fleet_item fleet[MP_MAX_FLEET];
    int n_fleet;
    /* `nodes:` pools, exclusive with `fleet:`. With pools, fleet[i] is pool
     * i seen as GPUs: its model, count * gpus GPUs (-1: unlimited) and the
     * node cost shared by its GPUs. */
    mp_node_pool pools[MP_MAX_FLEET];
    int n_pools;
    mp_tenant *tenants;
    int n_tenants;
    long long total_replicas;
    int headroom_milli;      /* `headroom:` on every tenant without its own */
    long long min_spare_mib; /* warn when an instance leaves a replica less;
                                0: never */
    mp_arena arena;          /* owns the path, names and lists */
} mp_request;

/* The profiles of each fleet entry that may serve tenant t:
 * out[i] = mp_tenant_profile_mask(t, r->fleet[i].model), i < r->n_fleet.
 * Tenants with equal masks are interchangeable to a planner. */
void mp_request_profile_masks(const mp_request *r, const mp_tenant *t,
                              uint32_t out[MP_MAX_FLEET]);

/* Tenant classes: the tenants that are not whole_gpu, grouped by equal
 * masks (mp_request_profile_masks) in the order of their first member.
 * class_of[t] (n_tenants entries) gets tenant t's class, -1 for a whole-GPU
 * tenant; elig[c] (room for min(n_tenants, max) classes) the masks of class
 * c. Returns the number of classes, or -1 when there would be more than
 * max. */
int mp_request_classes(const mp_request *r, int *class_of,
                       uint32_t (*elig)[MP_MAX_FLEET], int max);

/* The headroom on tenant t's memory, thousandths of a percent: its own,
 * else the request's. */
int mp_request_headroom(const mp_request *r, const mp_tenant *t);
/* May fleet entry i give tenant t a whole GPU (mp_tenant_takes_whole, the
 * entry not limited to profiles, and a replica's GPUs within its nodes)? */
bool mp_request_takes_whole(const mp_request *r, const mp_tenant *t, int i);

/* Release everything the request owns (its arena); accepts NULL. The
 * request may be filled again afterwards. */
void mp_request_free(mp_request *r);

#endif
