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
    long long memory_mib; /* at least this much; 0 when not asked */
    int compute;          /* compute slices, at least 1 */
    int sms;              /* at least this many SMs; 0 when not asked */
    int replicas;
    bool media, graphics, whole_gpu, spread;
    int engines[MP_ENG_COUNT]; /* minimum of each engine */
    const mp_model **models;   /* allowed models; NULL: any */
    int n_models;
    int line, col; /* where the tenant is in the request, 1-based */
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
