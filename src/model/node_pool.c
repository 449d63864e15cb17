/* SPDX-License-Identifier: Apache-2.0 */
/* node_pool.c - node pools: strategy names and node names. */
#include "migplan/model/node_pool.h"

#include <stdio.h>
#include <string.h>

const char *mp_strategy_name(mp_strategy s)
{
    return s == MP_STRATEGY_SINGLE ? "single" : "mixed";
}

bool mp_strategy_parse(const char *s, mp_strategy *out)
{
    if (strcmp(s, "mixed") == 0)
        *out = MP_STRATEGY_MIXED;
    else if (strcmp(s, "single") == 0)
        *out = MP_STRATEGY_SINGLE;
    else
        return false;
    return true;
}

void mp_node_pool_node_name(const mp_node_pool *p, int k, char *buf, size_t n)
{
    if (p->names && k < p->n_names)
        snprintf(buf, n, "%s", p->names[k]);
    else
        snprintf(buf, n, "%s-%02d", p->name, k + 1);
}
