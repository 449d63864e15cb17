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
