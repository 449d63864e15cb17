/* SPDX-License-Identifier: Apache-2.0 */
/* request.c - the plan request: its tenants' profiles per fleet entry, and
 * its release. */
#include "migplan/model/request.h"

#include <string.h>

void mp_request_profile_masks(const mp_request *r, const mp_tenant *t,
                              uint32_t out[MP_MAX_FLEET])
{
    memset(out, 0, MP_MAX_FLEET * sizeof(*out));
    for (int i = 0; i < r->n_fleet; i++)
        out[i] = r->fleet[i].whole_only
                     ? 0u
                     : mp_tenant_profile_mask(t, r->fleet[i].model) &
                           (r->fleet[i].profiles ? r->fleet[i].profiles : ~0u) &
                           (t->pin && t->pin_single >= 0 &&
                                    t->pin_single != (r->fleet[i].profiles != 0)
                                ? 0u
                                : ~0u);
}

int mp_request_classes(const mp_request *r, int *class_of,
                       uint32_t (*elig)[MP_MAX_FLEET], int max)
{
    int nc = 0;
    for (int t = 0; t < r->n_tenants; t++) {
        class_of[t] = -1;
        if (r->tenants[t].whole_gpu)
            continue;
        uint32_t e[MP_MAX_FLEET];
        mp_request_profile_masks(r, &r->tenants[t], e);
        int c = 0;
        while (c < nc && memcmp(elig[c], e, sizeof(e)) != 0)
            c++;
        if (c == nc) {
            if (nc == max)
                return -1;
            memcpy(elig[nc++], e, sizeof(e));
        }
        class_of[t] = c;
    }
    return nc;
}

bool mp_request_takes_whole(const mp_request *r, const mp_tenant *t, int i)
{
    const mp_fleet_item *it = &r->fleet[i];
    return !it->profiles && mp_tenant_takes_whole(t, it->model) &&
           (!it->node_gpus || mp_tenant_gpus(t) <= it->node_gpus);
}

int mp_request_headroom(const mp_request *r, const mp_tenant *t)
{
    return t->headroom_milli >= 0 ? t->headroom_milli : r->headroom_milli;
}

void mp_request_free(mp_request *r)
{
    if (r)
        mp_arena_release(&r->arena, r, sizeof(*r));
}
