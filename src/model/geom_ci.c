/* SPDX-License-Identifier: Apache-2.0 */
/* geom_ci.c - compute instances inside one GPU instance: whether a split
 * fits, the maximal combinations, and the fewest GIs that hold a set of
 * CIs (a memoised search over the remaining counts). */
#include "migplan/model/geom_ci.h"
#include "migplan/model/geometry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int mp_geom_ci_fit(const mp_gi_profile *gi, const int *count, char *reason,
                   size_t rlen)
{
    int slices = 0;
    for (int i = 0; i < gi->n_cis; i++) {
        if (count[i] > gi->cis[i].max_per_gi) {
            if (gi->cis[i].max_per_gi == 1)
                snprintf(reason, rlen, "%s fits once in a %s GPU instance",
                         gi->cis[i].name, gi->name);
            else
                snprintf(reason, rlen,
                         "%s fits at most %d times in a %s GPU instance",
                         gi->cis[i].name, gi->cis[i].max_per_gi, gi->name);
            return MP_EINFEASIBLE;
        }
        slices += count[i] * gi->cis[i].compute_slices;
    }
    if (slices > gi->compute_slices) {
        snprintf(reason, rlen,
                 "compute instances need %d compute slices; a %s GPU instance "
                 "has %d",
                 slices, gi->name, gi->compute_slices);
        return MP_EINFEASIBLE;
    }
    return 0;
}

static void ci_combo_rec(const mp_gi_profile *gi, int i, int *cur, int left,
                         int (*out)[MP_MAX_CI], int max, int *n)
{
    if (i == gi->n_cis) {
        /* keep maximal combinations only */
        for (int k = 0; k < gi->n_cis; k++)
            if (cur[k] < gi->cis[k].max_per_gi &&
                gi->cis[k].compute_slices <= left)
                return;
        bool any = false;
        for (int k = 0; k < gi->n_cis; k++)
            any |= cur[k] > 0;
        if (any && *n < max) {
            memcpy(out[*n], cur, sizeof(out[0]));
            (*n)++;
        }
        return;
    }
    for (int c = gi->cis[i].max_per_gi; c >= 0; c--) {
        int need = c * gi->cis[i].compute_slices;
        if (need > left)
            continue;
        cur[i] = c;
        ci_combo_rec(gi, i + 1, cur, left - need, out, max, n);
    }
    cur[i] = 0;
}

int mp_geom_ci_combos(const mp_gi_profile *gi, int (*out)[MP_MAX_CI], int max)
{
    int cur[MP_MAX_CI] = {0}, n = 0;
    ci_combo_rec(gi, 0, cur, gi->compute_slices, out, max, &n);
    return n;
}

/* Minimal GIs by memoised search over remaining count vectors. */
typedef struct bins_ctx {
    const mp_gi_profile *gi;
    int combos[256][MP_MAX_CI];
    int ncombos;
    int radix[MP_MAX_CI];
    signed char *memo;
    long states;
} bins_ctx;

static long state_index(const bins_ctx *b, const int *v)
{
    long idx = 0;
    for (int i = b->gi->n_cis - 1; i >= 0; i--)
        idx = idx * b->radix[i] + v[i];
    return idx;
}

static int bins_rec(bins_ctx *b, int *v)
{
    bool empty = true;
    for (int i = 0; i < b->gi->n_cis; i++)
        empty &= v[i] == 0;
    if (empty)
        return 0;
    long idx = state_index(b, v);
    if (b->memo[idx] >= 0)
        return b->memo[idx];
    int best = 127;
    for (int c = 0; c < b->ncombos; c++) {
        int take[MP_MAX_CI], any = 0;
        for (int i = 0; i < b->gi->n_cis; i++) {
            take[i] = b->combos[c][i] < v[i] ? b->combos[c][i] : v[i];
            any |= take[i];
        }
        if (!any)
            continue;
        for (int i = 0; i < b->gi->n_cis; i++)
            v[i] -= take[i];
        int r = 1 + bins_rec(b, v);
        for (int i = 0; i < b->gi->n_cis; i++)
            v[i] += take[i];
        if (r < best)
            best = r;
    }
    b->memo[idx] = (signed char)(best > 126 ? 126 : best);
    return b->memo[idx];
}

int mp_geom_ci_pack(const mp_gi_profile *gi, const int *count,
                    int (*bins)[MP_MAX_CI], int max_bins)
{
    bins_ctx b;
    memset(&b, 0, sizeof(b));
    b.gi = gi;
    b.states = 1;
    for (int i = 0; i < gi->n_cis; i++) {
        if (count[i] < 0)
            return -1;
        /* more than max_instances GIs could ever hold cannot fit */
        if (count[i] > gi->max_instances * gi->cis[i].max_per_gi)
            return -1;
        b.radix[i] = count[i] + 1;
        b.states *= b.radix[i];
    }
    if (b.states > 1000000)
        return -1;
    b.ncombos = mp_geom_ci_combos(gi, b.combos, 256);
    b.memo = malloc((size_t)b.states);
    if (!b.memo)
        return -1;
    memset(b.memo, -1, (size_t)b.states);
    int v[MP_MAX_CI] = {0};
    memcpy(v, count, (size_t)gi->n_cis * sizeof(*v));
    int best = bins_rec(&b, v);
    /* walk the memo back to the bins */
    int nb = 0;
    for (int left = best; left > 0 && nb < max_bins; left--) {
        for (int c = 0; c < b.ncombos; c++) {
            int take[MP_MAX_CI] = {0}, any = 0;
            for (int i = 0; i < gi->n_cis; i++) {
                take[i] = b.combos[c][i] < v[i] ? b.combos[c][i] : v[i];
                any |= take[i];
            }
            if (!any)
                continue;
            for (int i = 0; i < gi->n_cis; i++)
                v[i] -= take[i];
            if (bins_rec(&b, v) == left - 1) {
                memset(bins[nb], 0, sizeof(bins[nb]));
                memcpy(bins[nb], take, (size_t)gi->n_cis * sizeof(int));
                nb++;
                break;
            }
            for (int i = 0; i < gi->n_cis; i++)
                v[i] += take[i];
        }
    }
    free(b.memo);
    return best > 126 ? -1 : best;
}

int mp_geom_ci_min_gis(const mp_gi_profile *gi, const int *count)
{
    int bins[MP_MAX_GIS][MP_MAX_CI];
    return mp_geom_ci_pack(gi, count, bins, MP_MAX_GIS);
}
