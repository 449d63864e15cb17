// SPDX-License-Identifier: Apache-2.0
/* current_spread.c - `spread: gpus` when planning from a running node:
 * among plans of the same GPUs and the same changes, a spread tenant's
 * replicas go over as many GPUs as replica swaps allow. */
#include "current_internal.h"

#include <stdlib.h>
#include <string.h>

/* Instance q of g: in use on the node (its replica never moves away, nor
 * does another come to it: the process names stay as they were)? */
static bool in_use(const mp_plan *p, const mp_plan_gpu *g, int q)
{
    const mp_gi_state *s = sv_current_gi(p, g, q);
    return s && s->n_processes > 0;
}

/* May the replica of instance q of GPU a (tenant t) trade places with
 * instance r of GPU b: the same profile of the same model on fleet entries
 * of the same kind (profile-limited or not: a single node's resource name
 * is another, and a pinned tenant keeps its kind), neither in use, and r
 * serving a tenant that is not spread, or nothing when q is an instance
 * the node has already (so that nothing more is created)? */
static bool may_swap(const mp_plan *p, const mp_plan_gpu *a, int q,
                     const mp_plan_gpu *b, int r)
{
    int u = b->tenant[r];
    const mp_request *rq = p->req;
    if (b->layout.gis.model != a->layout.gis.model ||
        (rq->fleet[a->fleet].profiles != 0) !=
            (rq->fleet[b->fleet].profiles != 0) ||
        b->layout.gis.gi[r].profile != a->layout.gis.gi[q].profile ||
        in_use(p, a, q) || in_use(p, b, r) || u == a->tenant[q])
        return false;
    if (u < 0)
        return sv_current_keeps(p, a, q);
    return !p->req->tenants[u].spread; /* spread: nodes sets it too */
}

/* Instance q of GPU a and instance r of GPU b trade replicas. */
static void swap(mp_plan_gpu *a, int q, mp_plan_gpu *b, int r)
{
    int t = a->tenant[q], i = a->replica[q];
    a->tenant[q] = b->tenant[r];
    a->replica[q] = b->replica[r];
    b->tenant[r] = t;
    b->replica[r] = i;
}

/* Move one replica of tenant t from a GPU holding cnt[a] of them to one
 * holding at most cnt[a] - 2 (by a swap): true when one moved. */
static bool spread_step(mp_plan *p, int t, int *cnt)
{
    for (int ka = 0; ka < p->n_gpus; ka++) {
        mp_plan_gpu *a = &p->gpus[ka];
        for (int q = 0; q < a->layout.gis.n; q++) {
            if (a->tenant[q] != t)
                continue;
            for (int kb = 0; kb < p->n_gpus; kb++) {
                mp_plan_gpu *b = &p->gpus[kb];
                if (!b->used || cnt[kb] + 1 >= cnt[ka])
                    continue;
                for (int r = 0; r < b->layout.gis.n; r++)
                    if (may_swap(p, a, q, b, r)) {
                        swap(a, q, b, r);
                        cnt[ka]--;
                        cnt[kb]++;
                        return true;
                    }
            }
        }
    }
    return false;
}

int cur_spread(mp_plan *p)
{
    const mp_request *r = p->req;
    int *cnt = calloc((size_t)p->n_gpus + 1, sizeof(*cnt));
    if (!cnt)
        return MP_ENOMEM;
    bool moved = false;
    for (int t = 0; t < r->n_tenants; t++) {
        if (!r->tenants[t].spread || cur_whole(&r->tenants[t]))
            continue;
        for (int k = 0; k < p->n_gpus; k++) {
            cnt[k] = 0;
            for (int q = 0; q < p->gpus[k].layout.gis.n; q++)
                cnt[k] += p->gpus[k].tenant[q] == t;
        }
        /* each step lowers the sum of the squares of cnt: it ends */
        while (spread_step(p, t, cnt))
            moved = true;
    }
    free(cnt);
    return moved ? sv_plan_number(r, p) : 0;
}
