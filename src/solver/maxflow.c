/* SPDX-License-Identifier: Apache-2.0 */
/* maxflow.c - Dinic's maximum flow: breadth-first levels, then blocking
 * flows along them by depth-first search. */
#include "migplan/solver/maxflow.h"

#include <stdbool.h>
#include <stdlib.h>

#include "migplan/util/arena.h"

typedef struct edge {
    int to;
    long long cap, flow;
    int next;
} edge;

struct mp_flow {
    int n;
    int *head, *level, *it, *queue; /* n each, one block that head owns */
    edge *e;
    int ne, cap;
};

mp_flow *mp_flow_new(int nodes)
{
    mp_flow *f = calloc(1, sizeof(*f));
    int *block = malloc(4 * (size_t)nodes * sizeof(int));
    if (!f || !block) {
        free(f);
        free(block);
        return NULL;
    }
    f->n = nodes;
    f->head = block;
    f->level = block + nodes;
    f->it = block + 2 * nodes;
    f->queue = block + 3 * nodes;
    for (int i = 0; i < nodes; i++)
        f->head[i] = -1;
    return f;
}

void mp_flow_free(mp_flow *f)
{
    if (!f)
        return;
    free(f->head);
    free(f->e);
    free(f);
}

int mp_flow_add_edge(mp_flow *f, int from, int to, long long cap)
{
    if (mp_grow(&f->e, &f->cap, f->ne + 2, sizeof(*f->e), 256))
        return -1;
    int id = f->ne;
    f->e[f->ne] = (edge){to, cap, 0, f->head[from]};
    f->head[from] = f->ne++;
    f->e[f->ne] = (edge){from, 0, 0, f->head[to]};
    f->head[to] = f->ne++;
    return id;
}

static bool bfs(mp_flow *f, int s, int t)
{
    for (int i = 0; i < f->n; i++)
        f->level[i] = -1;
    int qh = 0, qt = 0;
    f->queue[qt++] = s;
    f->level[s] = 0;
    while (qh < qt) {
        int v = f->queue[qh++];
        for (int k = f->head[v]; k >= 0; k = f->e[k].next)
            if (f->e[k].cap - f->e[k].flow > 0 && f->level[f->e[k].to] < 0) {
                f->level[f->e[k].to] = f->level[v] + 1;
                f->queue[qt++] = f->e[k].to;
            }
    }
    return f->level[t] >= 0;
}

static long long dfs(mp_flow *f, int v, int t, long long pushed)
{
    if (v == t)
        return pushed;
    for (; f->it[v] >= 0; f->it[v] = f->e[f->it[v]].next) {
        int k = f->it[v];
        edge *e = &f->e[k];
        if (e->cap - e->flow <= 0 || f->level[e->to] != f->level[v] + 1)
            continue;
        long long d = dfs(
            f, e->to, t, pushed < e->cap - e->flow ? pushed : e->cap - e->flow);
        if (d > 0) {
            e->flow += d;
            f->e[k ^ 1].flow -= d;
            return d;
        }
    }
    return 0;
}

long long mp_flow_max(mp_flow *f, int source, int sink)
{
    long long total = 0;
    while (bfs(f, source, sink)) {
        for (int i = 0; i < f->n; i++)
            f->it[i] = f->head[i];
        long long d;
        while ((d = dfs(f, source, sink, (long long)1 << 62)) > 0)
            total += d;
    }
    return total;
}

long long mp_flow_edge_flow(const mp_flow *f, int edge_id)
{
    return f->e[edge_id].flow;
}
