/* SPDX-License-Identifier: Apache-2.0 */
/* tenant.h - a tenant of a plan request, and which GPUs may serve it.
 *
 * A tenant asks for a number of replicas, each with at least some memory,
 * compute slices (or SMs) and engines, optionally media or graphics, or a
 * whole GPU with MIG disabled, and may limit itself to some GPU models. The
 * rules that decide whether a GPU-instance profile (or a whole GPU) of a
 * model may serve it live here, once: the solver, the LP writer and plan
 * validation all ask this module.
 */
#ifndef MIGPLAN_TENANT_H
#define MIGPLAN_TENANT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "migplan/model/profile_db.h"

typedef struct mp_tenant {
    const char *name;
    /* What one placed unit (an instance, or each GPU of a whole-GPU
     * replica) needs: memory_mib is the memory asked per replica plus
     * headroom, times share; replicas the units to place, the replicas
     * asked divided by share and rounded up. mp_tenant_derive sets both
     * from the fields below. */
    long long memory_mib; /* at least this much; 0 when not asked */
    int compute;          /* compute slices, at least 1 */
    int sms;              /* at least this many SMs; 0 when not asked */
    int replicas;
    bool media, graphics, whole_gpu, spread;
    int engines[MP_ENG_COUNT]; /* minimum of each engine */
    const mp_model **models;   /* allowed models; NULL: any */
    int n_models;
    int line, col; /* where the tenant is in the request, 1-based */
    /* As the request asks. asked_replicas 0: a tenant built in code, whose
     * memory_mib and replicas are as asked (no headroom, no sharing). */
    long long asked_mib; /* memory of one replica; 0 when not asked */
    int asked_replicas;
    int share;          /* replicas time-slicing one instance; <= 1: none */
    int headroom_milli; /* margin on asked_mib, thousandths of a percent;
                           -1: the request's */
    int gpus;           /* whole GPUs per replica (whole-gpu: N); <= 1: one */
    /* node pools: replicas on distinct nodes as far as the optimum allows
     * (`spread: nodes`), every replica with one profile (`same-profile`) */
    bool spread_nodes, same_profile;
    /* the solver's choice for a same-profile tenant: only profiles of this
     * name may serve it; NULL: any */
    const char *pin;
    /* with a pin: 1 only on profile-limited fleet entries (single-strategy
     * nodes), 0 only on the others, -1 either (request.h) */
    int pin_single;
} mp_tenant;

#define MP_MAX_SHARE 64     /* replicas on one instance (share: N) */
#define MP_MAX_WHOLE_GPUS 8 /* GPUs of one tensor-parallel replica */

/* Set t's memory_mib and replicas from what it asks: asked_mib plus the
 * headroom (t's own, else request_headroom_milli), times share; the asked
 * replicas divided by share, rounded up. */
void mp_tenant_derive(mp_tenant *t, int request_headroom_milli);

/* Replicas time-slicing one instance of t (1 when not shared). */
int mp_tenant_share(const mp_tenant *t);

/* Whole GPUs one replica of t takes (1 unless whole-gpu: N). */
int mp_tenant_gpus(const mp_tenant *t);

/* The replicas and memory per replica t asks for (its memory_mib and
 * replicas for a tenant built in code). */
int mp_tenant_asked_replicas(const mp_tenant *t);
long long mp_tenant_asked_mib(const mp_tenant *t);

/* The first replica placed unit `unit` of t serves, and how many it serves:
 * share of them, fewer on the last instance when share does not divide
 * the replicas. */
int mp_tenant_first_replica(const mp_tenant *t, int unit);
int mp_tenant_served(const mp_tenant *t, int unit);

/* Is model m allowed for tenant t (its `models:` list; any without one)? */
bool mp_tenant_allows(const mp_tenant *t, const mp_model *m);

/* Does profile p of model m meet the needs of tenant t (memory, compute,
 * SMs, engines, media, graphics)? Ignores the models list; false for a
 * whole-GPU tenant. When it does not and why is not NULL, why (n bytes)
 * gets the first failing requirement in words, e.g. "needs 9.00 GiB;
 * 1g.10gb has 9.75 GiB". */
bool mp_tenant_fits_profile(const mp_tenant *t, const mp_model *m,
                            const mp_gi_profile *p, char *why, size_t n);

/* Would a whole GPU of model m (MIG disabled: every engine, graphics and
 * all compute) meet the needs of tenant t? Ignores the models list and
 * whether t asked for a whole GPU. why as for mp_tenant_fits_profile. */
bool mp_tenant_fits_whole(const mp_tenant *t, const mp_model *m, char *why,
                          size_t n);

/* Does some profile of model m meet the needs of tenant t, whatever its
 * models list says? (To suggest models in reasons.) */
bool mp_tenant_fits_model(const mp_tenant *t, const mp_model *m);

/* The profiles of model m that may serve tenant t: bit p set for
 * m->profiles[p]. 0 when m is not allowed or t asks for a whole GPU. */
uint32_t mp_tenant_profile_mask(const mp_tenant *t, const mp_model *m);

/* May an instance of m->profiles[p] serve tenant t (allowed and fits)? */
bool mp_tenant_takes_profile(const mp_tenant *t, const mp_model *m, int p);

/* May a whole GPU of model m serve tenant t (a whole-GPU tenant, the model
 * allowed, and big enough)? */
bool mp_tenant_takes_whole(const mp_tenant *t, const mp_model *m);

/* May some GPU of model m serve tenant t, whole or with one of its
 * profiles, as the tenant asks? */
bool mp_tenant_placeable(const mp_tenant *t, const mp_model *m);

#endif
