/* SPDX-License-Identifier: Apache-2.0 */
/* tenant.c - which profiles and GPUs may serve a tenant, and what one
 * placed unit of it needs (headroom, time-slicing). */
#include "migplan/model/tenant.h"

#include <stdio.h>
#include <string.h>

#include "migplan/model/sizing.h"

int mp_tenant_share(const mp_tenant *t)
{
    return t->share > 1 ? t->share : 1;
}

int mp_tenant_gpus(const mp_tenant *t)
{
    return t->gpus > 1 ? t->gpus : 1;
}

int mp_tenant_asked_replicas(const mp_tenant *t)
{
    return t->asked_replicas > 0 ? t->asked_replicas : t->replicas;
}

long long mp_tenant_asked_mib(const mp_tenant *t)
{
    return t->asked_replicas > 0 ? t->asked_mib : t->memory_mib;
}

void mp_tenant_derive(mp_tenant *t, int request_headroom_milli)
{
    int h = t->headroom_milli >= 0 ? t->headroom_milli : request_headroom_milli;
    int share = mp_tenant_share(t);
    t->memory_mib = t->asked_mib > 0
                        ? mp_add_headroom(t->asked_mib, h > 0 ? h : 0) * share
                        : 0;
    t->replicas = (t->asked_replicas + share - 1) / share;
}

int mp_tenant_first_replica(const mp_tenant *t, int unit)
{
    return unit * mp_tenant_share(t);
}

int mp_tenant_served(const mp_tenant *t, int unit)
{
    int left = mp_tenant_asked_replicas(t) - mp_tenant_first_replica(t, unit);
    int share = mp_tenant_share(t);
    return left < share ? left : share;
}

bool mp_tenant_allows(const mp_tenant *t, const mp_model *m)
{
    if (!t->models)
        return true;
    for (int i = 0; i < t->n_models; i++)
        if (t->models[i] == m)
            return true;
    return false;
}

static void gib(long long mib, char *buf, size_t n)
{
    snprintf(buf, n, "%.2f GiB", (double)mib / 1024.0);
}

/* The engines and features a profile lacks, in words; false when none. */
static bool lacks_engines(const mp_tenant *t, const mp_gi_profile *p, char *why,
                          size_t n)
{
    for (int e = 0; e < MP_ENG_COUNT; e++)
        if (p->engines[e] < t->engines[e]) {
            if (why)
                snprintf(why, n, "needs %d %s; %s has %d", t->engines[e],
                         mp_engine_name(e), p->name, p->engines[e]);
            return true;
        }
    if (t->media &&
        (p->engines[MP_ENG_NVDEC] < 1 || p->engines[MP_ENG_NVJPG] < 1 ||
         p->engines[MP_ENG_OFA] < 1)) {
        if (why)
            snprintf(why, n,
                     "needs media engines (NVDEC, NVJPG and OFA); %s "
                     "lacks %s",
                     p->name,
                     p->engines[MP_ENG_OFA] < 1     ? "an OFA"
                     : p->engines[MP_ENG_NVJPG] < 1 ? "an NVJPG"
                                                    : "an NVDEC");
        return true;
    }
    if (t->graphics && !(p->flags & MP_GI_GFX)) {
        if (why)
            snprintf(why, n, "needs graphics (a +gfx profile); %s has none",
                     p->name);
        return true;
    }
    return false;
}

bool mp_tenant_fits_profile(const mp_tenant *t, const mp_model *m,
                            const mp_gi_profile *p, char *why, size_t n)
{
    char a[32], b[32];
    if (t->whole_gpu)
        return false;
    if (p->memory_mib < t->memory_mib) {
        if (why) {
            gib(t->memory_mib, a, sizeof(a));
            gib(p->memory_mib, b, sizeof(b));
            snprintf(why, n, "needs %s; %s has %s", a, p->name, b);
        }
        return false;
    }
    if (p->compute_slices < t->compute) {
        if (why)
            snprintf(why, n, "needs %d compute slices; %s has %d", t->compute,
                     p->name, p->compute_slices);
        return false;
    }
    if (t->sms > 0 && (p->sms < 0 || p->sms < t->sms)) {
        if (why && p->sms < 0)
            snprintf(why, n,
                     "needs %d SMs; the SM count of %s on %s is "
                     "not known",
                     t->sms, p->name, m->id);
        else if (why)
            snprintf(why, n, "needs %d SMs; %s has %d", t->sms, p->name,
                     p->sms);
        return false;
    }
    return !lacks_engines(t, p, why, n);
}

bool mp_tenant_fits_whole(const mp_tenant *t, const mp_model *m, char *why,
                          size_t n)
{
    char a[32], b[32];
    if (m->memory_mib < t->memory_mib) {
        if (why) {
            gib(t->memory_mib, a, sizeof(a));
            gib(m->memory_mib, b, sizeof(b));
            snprintf(why, n, "needs %s; a whole %s has %s%s", a, m->id, b,
                     mp_prov_inferred(&m->prov, "memory-mib")
                         ? " (a lower bound)"
                         : "");
        }
        return false;
    }
    if (t->compute > m->compute_slices) {
        if (why)
            snprintf(why, n, "needs %d compute slices; a whole %s has %d",
                     t->compute, m->id, m->compute_slices);
        return false;
    }
    if (t->sms > 0 && m->sms >= 0 && m->sms < t->sms) {
        if (why)
            snprintf(why, n, "needs %d SMs; a whole %s has %d", t->sms, m->id,
                     m->sms);
        return false;
    }
    return true; /* with MIG off a GPU has every engine and graphics */
}

bool mp_tenant_fits_model(const mp_tenant *t, const mp_model *m)
{
    for (int p = 0; p < m->n_profiles; p++)
        if (mp_tenant_fits_profile(t, m, &m->profiles[p], NULL, 0))
            return true;
    return false;
}

/* A pinned tenant takes only profiles of its pin's name. */
static bool pinned_to(const mp_tenant *t, const mp_gi_profile *p)
{
    return !t->pin || strcmp(t->pin, p->name) == 0;
}

uint32_t mp_tenant_profile_mask(const mp_tenant *t, const mp_model *m)
{
    uint32_t mask = 0;
    if (!mp_tenant_allows(t, m))
        return 0;
    for (int p = 0; p < m->n_profiles; p++)
        if (pinned_to(t, &m->profiles[p]) &&
            mp_tenant_fits_profile(t, m, &m->profiles[p], NULL, 0))
            mask |= 1u << p;
    return mask;
}

bool mp_tenant_takes_profile(const mp_tenant *t, const mp_model *m, int p)
{
    return p >= 0 && p < m->n_profiles && mp_tenant_allows(t, m) &&
           pinned_to(t, &m->profiles[p]) &&
           mp_tenant_fits_profile(t, m, &m->profiles[p], NULL, 0);
}

bool mp_tenant_takes_whole(const mp_tenant *t, const mp_model *m)
{
    return t->whole_gpu && mp_tenant_allows(t, m) &&
           mp_tenant_fits_whole(t, m, NULL, 0);
}

bool mp_tenant_placeable(const mp_tenant *t, const mp_model *m)
{
    return t->whole_gpu ? mp_tenant_takes_whole(t, m)
                        : mp_tenant_profile_mask(t, m) != 0;
}
