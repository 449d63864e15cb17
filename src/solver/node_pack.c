// SPDX-License-Identifier: Apache-2.0
/* node_pack.c - how many nodes of one type hold a GPU plan's GPUs of that
 * type when each tensor-parallel replica (whole-gpu: N, N > 1) keeps its N
 * GPUs on one node.
 *
 * The replicas are bins-packing items of size N in nodes of `gpus` GPUs;
 * every other GPU fills any hole, so the nodes needed are the larger of
 * the replicas' bin count and ceil(all GPUs / gpus). The bin count comes
 * from first fit decreasing, which is optimal when it meets the simple
 * bound ceil(sum of sizes / gpus) (always so when every size divides the
 * node, as 2, 4 and 8 do on 8-GPU nodes); else a depth-first search over
 * placements, largest first, proves or improves it within a step budget. */
#include "nodes_internal.h"

#include <stdlib.h>
#include <string.h>

#define PACK_STEPS 200000L /* search steps before the packing is unproven */

typedef struct bpack {
    const int *size; /* by decreasing size */
    int n, cap;
    int *fill, *at, *best_at; /* per bin, per item, per item */
    int best;
    long steps;
    bool aborted;
} bpack;

static void bp_rec(bpack *b, int i, int nb, int left)
{
    if (b->aborted || nb >= b->best)
        return;
    if (++b->steps > PACK_STEPS) {
        b->aborted = true;
        return;
    }
    if (i == b->n) {
        b->best = nb;
        memcpy(b->best_at, b->at, (size_t)b->n * sizeof(int));
        return;
    }
    int room = 0; /* a bound: the open bins' room, then new bins */
    for (int j = 0; j < nb; j++)
        room += b->cap - b->fill[j];
    if (left > room && nb + (left - room + b->cap - 1) / b->cap >= b->best)
        return;
    for (int j = 0; j <= nb && j < b->n; j++) {
        bool seen = false; /* bins of equal fill are interchangeable */
        for (int q = 0; q < j && !seen; q++)
            seen = b->fill[q] == b->fill[j];
        if (seen || b->fill[j] + b->size[i] > b->cap)
            continue;
        b->fill[j] += b->size[i];
        b->at[i] = j;
        bp_rec(b, i + 1, j == nb ? nb + 1 : nb, left - b->size[i]);
        b->fill[j] -= b->size[i];
    }
}

/* First fit decreasing into b->best_at; the bins it uses. */
static int first_fit(bpack *b)
{
    int nb = 0;
    for (int i = 0; i < b->n; i++) {
        int j = 0;
        while (j < nb && b->fill[j] + b->size[i] > b->cap)
            j++;
        nb += j == nb;
        b->fill[j] += b->size[i];
        b->best_at[i] = j;
    }
    memset(b->fill, 0, (size_t)(b->n ? b->n : 1) * sizeof(int));
    return nb;
}

int sv_bin_pack(const int *size, int n, int cap, int *bin, bool *exact)
{
    int *mem = calloc((size_t)(3 * n + 1), sizeof(int));
    if (!mem)
        return -1;
    bpack b = {size, n, cap, mem, mem + n, mem + 2 * n, 0, 0, false};
    long sum = 0;
    for (int i = 0; i < n; i++)
        sum += size[i];
    int lb = (int)((sum + cap - 1) / cap);
    b.best = first_fit(&b);
    if (b.best > lb)
        bp_rec(&b, 0, 0, (int)sum);
    *exact = b.best == lb || !b.aborted;
    if (bin)
        memcpy(bin, b.best_at, (size_t)n * sizeof(int));
    int nb = b.best;
    free(mem);
    return nb;
}

/* ---------------------------------------------------- groups of a type */

int sv_type_groups(const nsolve *ns, const mp_plan *p, int k, int *size)
{
    const mp_request *r = ns->req;
    int n = 0;
    for (int t = 0; t < r->n_tenants; t++) {
        int g = mp_tenant_gpus(&r->tenants[t]), cnt = 0;
        if (!r->tenants[t].whole_gpu || g <= 1)
            continue;
        for (int s = 0; s < p->n_gpus; s++)
            cnt += p->gpus[s].used && p->gpus[s].fleet == k &&
                   p->gpus[s].whole_tenant == t;
        for (int q = 0; q < cnt / g; q++) {
            if (size)
                size[n] = g;
            n++;
        }
    }
    return n;
}

/* Items by decreasing size: the permutation into ord. */
static void by_size(const int *size, int n, int *ord)
{
    for (int i = 0; i < n; i++) {
        int j = i;
        while (j > 0 && size[ord[j - 1]] < size[i]) {
            ord[j] = ord[j - 1];
            j--;
        }
        ord[j] = i;
    }
}

int sv_type_nodes(const nsolve *ns, const mp_plan *p, int k, int *bin,
                  bool *exact)
{
    int gpus = 0, cap = ns->req->pools[ns->types[k].pool].gpus;
    for (int s = 0; s < p->n_gpus; s++)
        gpus += p->gpus[s].used && p->gpus[s].fleet == k;
    int nodes = (gpus + cap - 1) / cap;
    int n = sv_type_groups(ns, p, k, NULL);
    *exact = true;
    if (n == 0)
        return nodes;
    int *mem = malloc((size_t)(4 * n) * sizeof(int));
    if (!mem)
        return -1;
    int *size = mem, *ord = mem + n, *sorted = mem + 2 * n, *at = mem + 3 * n;
    sv_type_groups(ns, p, k, size);
    by_size(size, n, ord);
    for (int i = 0; i < n; i++)
        sorted[i] = size[ord[i]];
    int nb = sv_bin_pack(sorted, n, cap, at, exact);
    for (int i = 0; i < n && bin && nb >= 0; i++)
        bin[ord[i]] = at[i];
    free(mem);
    return nb < 0 ? -1 : nb > nodes ? nb : nodes;
}
