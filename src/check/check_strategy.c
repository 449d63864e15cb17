/* SPDX-License-Identifier: Apache-2.0 */
/* check_strategy.c - a config against the GPU Operator's mig.strategy.
 * Under `single` the device plugin advertises every instance of a node as
 * nvidia.com/gpu, so a node must carry one profile on every GPU (or have
 * MIG disabled everywhere); a config that mixes is an error. */
#include <string.h>

#include "check_internal.h"

/* The first profile of a MIG-enabled entry, and the first entries with
 * MIG enabled and disabled. */
typedef struct first_seen {
    const char *name;
    const mp_mp_entry *enabled, *disabled;
} first_seen;

static void mixed_profiles(ck *c, const first_seen *s, const mp_mp_device *d,
                           int ei)
{
    mp_ck_add(c, MP_SEV_ERROR, "single-strategy", d->line, d->col, ei, NULL,
              "under mig.strategy single a node carries one profile, but "
              "this config has %s and %s: give the node one profile (as "
              "all-%s does), or use mig.strategy mixed",
              s->name, d->name, s->name);
}

static void mixed_modes(ck *c, const first_seen *s, int ei)
{
    const mp_mp_entry *e = s->disabled;
    mp_ck_add(c, MP_SEV_ERROR, "single-strategy", e->line, e->col, ei, NULL,
              "under mig.strategy single every GPU of a node is MIG-enabled "
              "or none is, but this entry disables MIG and another enables "
              "it: enable MIG with the same profile here, or use mig.strategy "
              "mixed");
}

void mp_ck_strategy(ck *c, const mp_mp_config *cfg)
{
    if (!c->o->has_strategy || c->o->strategy != MP_STRATEGY_SINGLE)
        return;
    first_seen s = {0};
    int mode_entry = -1;
    for (int i = 0; i < cfg->n_entries; i++) {
        const mp_mp_entry *e = &cfg->entries[i];
        if (!e->ok)
            continue;
        if (!e->mig_enabled) {
            if (!s.disabled)
                mode_entry = i;
            s.disabled = s.disabled ? s.disabled : e;
            continue;
        }
        s.enabled = s.enabled ? s.enabled : e;
        for (int k = 0; k < e->n_devs; k++) {
            const mp_mp_device *d = &e->devs[k];
            if (!d->count_ok || d->count == 0)
                continue;
            if (!s.name)
                s.name = d->name;
            else if (strcmp(s.name, d->name) != 0) {
                mixed_profiles(c, &s, d, i);
                return;
            }
        }
    }
    if (s.enabled && s.disabled)
        mixed_modes(c, &s, mode_entry);
}
