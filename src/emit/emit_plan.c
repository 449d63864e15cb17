/* SPDX-License-Identifier: Apache-2.0 */
/* emit_plan.c - plans as a table with slot diagrams (JSON: plan_json.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "migplan/emit/diagram.h"
#include "migplan/emit/emit_plan.h"
#include "migplan/util/color.h"
#include "migplan/emit/k8s_writer.h"
#include "migplan/emit/migparted_writer.h"
#include "migplan/util/json_out.h"
#include "plan_internal.h"

static double gib(long long mib)
{
    return (double)mib / 1024.0;
}

void mp_emit_plan_optimality(const mp_plan *p, mp_buf *b)
{
    bool unit = true;
    for (int i = 0; i < p->req->n_fleet; i++)
        unit &= p->req->fleet[i].cost == 1.0;
    mp_buf_printf(b, "%d GPU%s", p->gpus_used, p->gpus_used == 1 ? "" : "s");
    if (!unit)
        mp_buf_printf(b, ", cost %.2f", p->cost);
    if (p->optimal) {
        if (unit)
            mp_buf_printf(b, ", optimal (lower bound %.0f)\n", p->lower_bound);
        else
            mp_buf_printf(b, ", optimal (lower bound %.2f)\n", p->lower_bound);
        return;
    }
    if (unit)
        mp_buf_printf(b, ", not proven optimal: lower bound %.0f, gap %.0f",
                      p->lower_bound, p->cost - p->lower_bound);
    else
        mp_buf_printf(b, ", not proven optimal: lower bound %.2f, gap %.2f",
                      p->lower_bound, p->cost - p->lower_bound);
    mp_buf_printf(b, "%s\n",
                  p->time_limit_hit ? " (the time limit stopped the proof; "
                                      "raise --time-limit)"
                                    : "");
}

/* Compute a plan GPU idles with no memory left for it. The planner hands
 * idle compute to tenants (larger profiles) wherever it can, so what is
 * left no larger profile for its tenants would use; say so, since
 * `check` reports it (as a note). */
int mp_plan_stranded_compute(const mp_plan_gpu *g)
{
    if (!g->layout.mig_enabled || g->layout.gis.n == 0)
        return 0;
    mp_capacity c;
    mp_geom_capacity(&g->layout.gis, &c);
    return c.stranded_compute;
}

static void stranded_notes(const mp_plan *p, mp_buf *b)
{
    for (int k = 0; k < p->n_gpus; k++) {
        int n = mp_plan_stranded_compute(&p->gpus[k]);
        if (n > 0)
            mp_buf_printf(b,
                          "note: GPU %d idles %d compute slice%s with no "
                          "memory left: unavoidable, no larger profiles for "
                          "its tenants fit and use %s\n",
                          p->gpus[k].index, n, n == 1 ? "" : "s",
                          n == 1 ? "it" : "them");
    }
}

/* Notes about inferred profile data the plan relies on, once per model
 * and kind of value. */
static void inferred_notes(const mp_plan *p, mp_buf *b)
{
    static const char *const fields[] = {"placements", "memory-mib", "sms",
                                         "max-instances", "id"};
    enum { NF = sizeof(fields) / sizeof(*fields) };
    const mp_model *seen_m[256];
    int seen_f[256], nseen = 0;
    for (int k = 0; k < p->n_gpus; k++) {
        const mp_layout *l = &p->gpus[k].layout.gis;
        for (int q = 0; q < l->n; q++) {
            const mp_gi_profile *pr = &l->model->profiles[l->gi[q].profile];
            for (int f = 0; f < NF; f++) {
                const char *why = mp_prov_inferred(&pr->prov, fields[f]);
                if (!why)
                    continue;
                bool dup = false;
                for (int s = 0; s < nseen && !dup; s++)
                    dup = seen_m[s] == l->model && seen_f[s] == f;
                if (dup || nseen == 256)
                    continue;
                seen_m[nseen] = l->model;
                seen_f[nseen++] = f;
                mp_buf_printf(b,
                              "note: %s %s (%s and others) %s inferred: %s\n",
                              l->model->id, fields[f], pr->name,
                              f == 0 ? "are" : "is", why);
            }
        }
    }
}

/* Where each replica is: loc[offset[t] + replica] = gpu * 64 + instance,
 * with instance 63 for a whole GPU. Caller frees both. */
int mp_plan_replica_index(const mp_plan *p, int **offset, int **loc)
{
    const mp_request *r = p->req;
    *offset = malloc(((size_t)r->n_tenants + 1) * sizeof(int));
    *loc = malloc(((size_t)r->total_replicas + 1) * sizeof(int));
    if (!*offset || !*loc) {
        free(*offset);
        free(*loc);
        return -1;
    }
    int o = 0;
    for (int t = 0; t < r->n_tenants; t++) {
        (*offset)[t] = o;
        o += r->tenants[t].replicas;
    }
    for (int i = 0; i < o; i++)
        (*loc)[i] = -1;
    for (int k = 0; k < p->n_gpus; k++) {
        const mp_plan_gpu *g = &p->gpus[k];
        int *w = g->whole_tenant >= 0
                     ? &(*loc)[(*offset)[g->whole_tenant] + g->whole_replica]
                     : NULL;
        if (w && *w < 0) /* a replica of N whole GPUs: the first */
            *w = k * 64 + 63;
        for (int q = 0; q < g->layout.gis.n; q++)
            if (g->tenant[q] >= 0) /* else free, on a single node */
                (*loc)[(*offset)[g->tenant[q]] + g->replica[q]] = k * 64 + q;
    }
    return 0;
}

/* A run of unused GPUs of one model from k: returns its last position. */
static int unused_run(const mp_plan *p, int k, mp_buf *b)
{
    const mp_plan_gpu *g = &p->gpus[k];
    const mp_model *m = g->layout.gis.model;
    if (p->current) {
        char what[160];
        mp_plan_unused_what(p, g, what, sizeof(what));
        mp_buf_printf(b, "GPU %d  %s  unused, %s\n", g->index, m->id, what);
        if (g->layout.mig_enabled && g->layout.gis.n > 0)
            mp_plan_diagram(p, g, true, &(mp_plan_view){0}, b);
        else
            mp_buf_putc(b, '\n');
        return k;
    }
    int last = k;
    while (last + 1 < p->n_gpus && !p->gpus[last + 1].used &&
           p->gpus[last + 1].layout.gis.model == m)
        last++;
    if (mp_plan_gpu_last(&p->gpus[last]) > g->index)
        mp_buf_printf(b, "GPU %d-%d  %s  unused (MIG stays disabled)\n\n",
                      g->index, mp_plan_gpu_last(&p->gpus[last]), m->id);
    else
        mp_buf_printf(b, "GPU %d  %s  unused (MIG stays disabled)\n\n",
                      g->index, m->id);
    return last;
}

/* Which GPU of its whole-gpu: N replica the GPU at position k is (1..N):
 * pos[k] when given (whole_positions), else counted over the GPUs before. */
static int whole_pos(const mp_plan *p, int k, const int *pos)
{
    if (pos && pos[k] > 0)
        return pos[k];
    const mp_plan_gpu *g = &p->gpus[k];
    int n = 1;
    for (int j = 0; j < k; j++)
        n += p->gpus[j].whole_tenant == g->whole_tenant &&
             p->gpus[j].whole_replica == g->whole_replica;
    return n;
}

/* whole_pos of every GPU in one pass (a count per replica; 0 where there
 * is none to count), where counting over the GPUs before each is
 * quadratic on a tenant of many whole GPUs: NULL when no tenant has
 * whole-gpu: N > 1, and NULL with *rc -1 when out of memory. Caller
 * frees. */
static int *whole_positions(const mp_plan *p, int *rc)
{
    const mp_request *r = p->req;
    bool multi = false;
    for (int t = 0; t < r->n_tenants; t++)
        multi |= r->tenants[t].whole_gpu && mp_tenant_gpus(&r->tenants[t]) > 1;
    *rc = 0;
    if (!multi)
        return NULL;
    int *pos = malloc((size_t)(p->n_gpus ? p->n_gpus : 1) * sizeof(int));
    int *offset = malloc(((size_t)r->n_tenants + 1) * sizeof(int));
    int *seen = calloc((size_t)r->total_replicas + 1, sizeof(int));
    *rc = pos && offset && seen ? 0 : -1;
    for (int t = 0, o = 0; t < r->n_tenants && !*rc; t++) {
        offset[t] = o;
        o += r->tenants[t].replicas;
    }
    for (int k = 0; k < p->n_gpus && !*rc; k++) {
        const mp_plan_gpu *g = &p->gpus[k];
        int t = g->whole_tenant, rep = g->whole_replica;
        pos[k] = t < 0 || rep < 0 || rep >= r->tenants[t].replicas
                     ? 0
                     : ++seen[offset[t] + rep];
    }
    free(offset);
    free(seen);
    if (*rc) {
        free(pos);
        return NULL;
    }
    return pos;
}

static int gpu_section(const mp_plan *p, int k, const mp_plan_view *v,
                       const int *pos, mp_buf *b)
{
    const mp_plan_gpu *g = &p->gpus[k];
    const mp_layout *l = &g->layout.gis;
    if (!g->used)
        return unused_run(p, k, b);
    if (!g->layout.mig_enabled) {
        const mp_tenant *tn = &p->req->tenants[g->whole_tenant];
        char label[96];
        mp_plan_unit_label(tn, g->whole_replica, label, sizeof(label));
        mp_buf_printf(b, "GPU %d  %s  whole GPU, MIG disabled: ", g->index,
                      l->model->id);
        mp_plan_tenant_name(p, v, g->whole_tenant, label + strlen(tn->name), 0,
                            b);
        if (mp_tenant_gpus(tn) > 1)
            mp_buf_printf(b, ", GPU %d of %d", whole_pos(p, k, pos),
                          mp_tenant_gpus(tn));
        /* planned from a state where it runs: kept as it is */
        mp_gpu_state empty;
        const mp_gi_state *w = &mp_plan_gpu_state(p, g, &empty)->whole;
        if (w->n_processes > 0)
            mp_buf_printf(b, ", in use (%s)", w->process ? w->process : "?");
        mp_buf_puts(b, "\n\n");
        return k;
    }
    mp_buf_printf(b, "GPU %d  %s\n", g->index, l->model->id);
    mp_plan_diagram(p, g, true, v, b);
    return k;
}

int mp_plan_gpu_section(const mp_plan *p, int k, const mp_plan_view *v,
                        mp_buf *b)
{
    return gpu_section(p, k, v, NULL, b);
}

void mp_plan_diagram(const mp_plan *p, const mp_plan_gpu *g, bool replicas,
                     const mp_plan_view *v, mp_buf *b)
{
    const mp_layout *l = &g->layout.gis;
    char labels[MP_MAX_GIS][80];
    const char *subs[MP_MAX_GIS], *sgr[MP_MAX_GIS];
    for (int q = 0; q < l->n; q++) {
        const char *mark = mp_plan_change_mark(p, g, q);
        size_t ml = strlen(mark);
        snprintf(labels[q], sizeof(labels[q]), "%s", mark);
        if (g->tenant[q] < 0) /* free on a single node, or kept */
            snprintf(labels[q] + ml, sizeof(labels[q]) - ml, "%s",
                     mp_plan_kept_label(p, g, q));
        else if (replicas)
            mp_plan_unit_label(&p->req->tenants[g->tenant[q]], g->replica[q],
                               labels[q] + ml, sizeof(labels[q]) - ml);
        else
            snprintf(labels[q] + ml, sizeof(labels[q]) - ml, "%s",
                     p->req->tenants[g->tenant[q]].name);
        subs[q] = labels[q];
        sgr[q] =
            v->color && g->tenant[q] >= 0 ? mp_tenant_sgr(g->tenant[q]) : NULL;
    }
    mp_diagram_opts o = {.unicode = v->unicode,
                         .sublabels = subs,
                         .indent = "",
                         .footer = true,
                         .sublabel_sgr = sgr};
    mp_diagram(l, &o, b);
    mp_buf_putc(b, '\n');
}

/* Where replica rep of tenant t is (at from mp_plan_replica_index): GPU, and
 * instance (NULL for a whole GPU) with the memory it grants. */
const mp_plan_gpu *mp_plan_replica_at(const mp_plan *p, int at,
                                      const mp_gi **gi, long long *mib)
{
    const mp_plan_gpu *g = &p->gpus[at / 64];
    const mp_layout *l = &g->layout.gis;
    int q = at % 64;
    *gi = q == 63 ? NULL : &l->gi[q];
    *mib = *gi ? l->model->profiles[(*gi)->profile].memory_mib
               : l->model->memory_mib;
    return g;
}

/* The table's line for replica rep of tenant tn at `at`. */
static void replica_row(const mp_plan *p, const mp_plan_view *v, int t, int rep,
                        int at, int wname, mp_buf *b, long long *granted)
{
    const mp_tenant *tn = &p->req->tenants[t];
    const mp_gi *gi;
    const mp_plan_gpu *g = mp_plan_replica_at(p, at, &gi, granted);
    char label[96], inst[40], grant[24], ask[24], spare[24];
    long long asked = mp_plan_unit_asked(tn, rep);
    if (gi)
        snprintf(inst, sizeof(inst), "%s @%d",
                 g->layout.gis.model->profiles[gi->profile].name, gi->start);
    else if (mp_tenant_gpus(tn) > 1)
        snprintf(inst, sizeof(inst), "%dx whole GPU", mp_tenant_gpus(tn));
    else
        snprintf(inst, sizeof(inst), "whole GPU");
    mp_plan_unit_label(tn, rep, label, sizeof(label));
    snprintf(grant, sizeof(grant), "%.2f GiB", gib(*granted));
    if (asked > 0) {
        snprintf(ask, sizeof(ask), "%.2f GiB", gib(asked));
        snprintf(spare, sizeof(spare), "%.2f GiB", gib(*granted - asked));
    } else {
        snprintf(ask, sizeof(ask), "-");
        snprintf(spare, sizeof(spare), "-");
    }
    mp_plan_tenant_name(p, v, t, label + strlen(tn->name), wname, b);
    mp_buf_printf(b, " %4d  %-16s %11s %11s %11s\n", g->index, inst, grant, ask,
                  spare);
}

/* The tenant summary: one line per replica, then the totals of memory
 * granted and asked. Returns 0, or -1 when out of memory. */
static int replica_rows(const mp_plan *p, const mp_plan_view *v, mp_buf *b,
                        long long *granted, long long *asked)
{
    const mp_request *r = p->req;
    int wname = 6;
    for (int t = 0; t < r->n_tenants; t++) {
        int w = (int)strlen(r->tenants[t].name) +
                (mp_tenant_share(&r->tenants[t]) > 1 ? 8 : 4);
        if (w > wname)
            wname = w;
    }
    mp_buf_printf(b, "%-*s %4s  %-16s %11s %11s %11s\n", wname, "REPLICA",
                  "GPU", "INSTANCE", "GRANTED", "ASKED", "SPARE");
    int *offset, *loc;
    if (mp_plan_replica_index(p, &offset, &loc) != 0)
        return -1;
    for (int t = 0; t < r->n_tenants; t++) {
        const mp_tenant *tn = &r->tenants[t];
        for (int rep = 0; rep < tn->replicas; rep++) {
            int at = loc[offset[t] + rep];
            if (at < 0)
                continue;
            long long gm;
            replica_row(p, v, t, rep, at, wname, b, &gm);
            *granted += gm * mp_tenant_gpus(tn);
            *asked += mp_plan_unit_asked(tn, rep) * mp_tenant_gpus(tn);
        }
    }
    free(offset);
    free(loc);
    return 0;
}

/* How every spread tenant ended up: over how many GPUs, at most how many
 * on one; and whether a limit stopped the spreading short. */
static void spread_lines(const mp_plan *p, mp_buf *b)
{
    const mp_request *r = p->req;
    bool any = false;
    int *gpus = NULL, *most = NULL;
    for (int t = 0; t < r->n_tenants; t++) {
        const mp_tenant *tn = &r->tenants[t];
        if (!tn->spread)
            continue;
        if (!gpus) { /* every tenant's in one pass over the GPUs */
            gpus = malloc(2 * (size_t)r->n_tenants * sizeof(int));
            if (!gpus) {
                b->failed = true;
                return;
            }
            most = gpus + r->n_tenants;
            mp_plan_tenant_spread(p, gpus, most);
        }
        mp_buf_printf(b, "spread: %s over %d GPU%s, at most %d per GPU\n",
                      tn->name, gpus[t], gpus[t] == 1 ? "" : "s", most[t]);
        any = true;
    }
    free(gpus);
    if (any && p->spread_cut)
        mp_buf_puts(b, "spread: the time limit stopped spreading before it "
                       "was proven as far as the optimum allows; raise "
                       "--time-limit\n");
    if (p->tidy_cut)
        mp_buf_puts(b, "tidy: the time limit stopped tidying: some GPUs keep "
                       "the solver's profiles (valid, but maybe less free "
                       "capacity usable); raise --time-limit\n");
}

/* The memory each replica was sized for, where headroom changed it. */
static void headroom_lines(const mp_plan *p, mp_buf *b)
{
    const mp_request *r = p->req;
    for (int t = 0; t < r->n_tenants; t++) {
        const mp_tenant *tn = &r->tenants[t];
        int h = mp_request_headroom(r, tn);
        long long asked = mp_tenant_asked_mib(tn);
        if (h <= 0 || asked <= 0)
            continue;
        mp_buf_printf(b,
                      "headroom: %s %.2f GiB + %g%% = %.2f GiB per replica\n",
                      tn->name, gib(asked), h / 1000.0,
                      gib(tn->memory_mib / mp_tenant_share(tn)));
    }
}

/* How shared tenants time-slice their instances. */
static void share_lines(const mp_plan *p, mp_buf *b)
{
    const mp_request *r = p->req;
    for (int t = 0; t < r->n_tenants; t++) {
        const mp_tenant *tn = &r->tenants[t];
        int share = mp_tenant_share(tn);
        if (share < 2)
            continue;
        int last = mp_tenant_served(tn, tn->replicas - 1);
        mp_buf_printf(b,
                      "share: %s time-slices %d instance%s, %d replicas "
                      "each (memory is not isolated: each instance holds "
                      "%dx %.2f GiB)",
                      tn->name, tn->replicas, tn->replicas == 1 ? "" : "s",
                      share, share, gib(tn->memory_mib / share));
        if (last < share)
            mp_buf_printf(b, "; the last serves %d", last);
        mp_buf_putc(b, '\n');
    }
}

/* ---------------------------------------------------- node pools */

/* Do nodes i and j hold the same: config, and per GPU the same tenants in
 * the same instances (replica numbers aside)? */
static bool same_node(const mp_plan *p, const mp_node_configs *c, int i, int j)
{
    if (c->config_of[i] != c->config_of[j] ||
        p->nodes[i].pool != p->nodes[j].pool)
        return false;
    if (i != j && (p->nodes[i].state || p->nodes[j].state))
        return false; /* a node with a state has its own changes */
    int n = p->req->pools[p->nodes[i].pool].gpus;
    for (int x = 0; x < n; x++) {
        const mp_plan_gpu *a = &p->gpus[p->nodes[i].first_gpu + x];
        const mp_plan_gpu *b = &p->gpus[p->nodes[j].first_gpu + x];
        if (a->whole_tenant != b->whole_tenant ||
            !mp_gpu_layout_equal(&a->layout, &b->layout) ||
            memcmp(a->tenant, b->tenant, sizeof(a->tenant)) != 0)
            return false;
    }
    return true;
}

/* The heading of a group of identical nodes (first node i). */
static void node_heading(const mp_plan *p, const mp_node_configs *c, int i,
                         const bool *shown, mp_buf *b)
{
    const mp_node_pool *pl = &p->req->pools[p->nodes[i].pool];
    char name[300];
    int n = 0;
    mp_buf_puts(b, "Node");
    for (int j = i; j < p->n_nodes; j++) {
        if (shown[j] || !same_node(p, c, i, j))
            continue;
        mp_node_pool_node_name(pl, p->nodes[j].k, name, sizeof(name));
        mp_buf_printf(b, "%s %s", n++ ? "," : "", name);
    }
    if (n > 1)
        mp_buf_printf(b, " (%d alike)", n);
    mp_buf_printf(b, "  pool %s, %d x %s, %s strategy%s\n", pl->name, pl->gpus,
                  pl->model->id, mp_strategy_name(pl->strategy),
                  !p->own_state       ? ""
                  : p->nodes[i].state ? ", from its state"
                                      : ", no state given (empty)");
    if (c->config_of[i] < 0) /* left as it is */
        mp_buf_puts(b, "label: unchanged (unused, left as it is)\n\n");
    else
        mp_buf_printf(b, "label: nvidia.com/mig.config=%s\n\n",
                      c->names[c->config_of[i]]);
}

static void warning_lines(const mp_plan *p, mp_buf *b)
{
    for (int i = 0; i < p->warnings.n; i++)
        mp_buf_printf(b, "warning: %s [%s]\n", p->warnings.v[i].message,
                      p->warnings.v[i].code);
}

/* Each group of identical nodes: its heading and its GPUs' diagrams, GPU
 * indices the node's own. Returns 0 or MP_ENOMEM. */
static int node_sections(const mp_plan *p, const mp_node_configs *c,
                         const mp_plan_view *pv, mp_buf *b)
{
    bool *shown = calloc((size_t)p->n_nodes + 1, sizeof(bool));
    if (!shown)
        return MP_ENOMEM;
    for (int i = 0; i < p->n_nodes; i++) {
        if (shown[i])
            continue;
        node_heading(p, c, i, shown, b);
        for (int j = i; j < p->n_nodes; j++)
            shown[j] |= same_node(p, c, i, j);
        mp_plan v;
        if (mp_plan_node_view(p, i, &v) != 0) {
            free(shown);
            return MP_ENOMEM;
        }
        for (int k = 0; k < v.n_gpus; k++)
            k = mp_plan_gpu_section(&v, k, pv, b);
        free(v.gpus);
    }
    free(shown);
    return 0;
}

/* Per tenant: the resource its pods request and where its replicas are. */
static void node_tenants(const mp_plan *p, mp_buf *b)
{
    const mp_request *r = p->req;
    mp_buf_puts(b, "TENANT: RESOURCE PER POD x PODS; REPLICAS (node/GPU)\n");
    for (int t = 0; t < r->n_tenants; t++) {
        char res[96], name[300];
        const char *prof;
        bool media;
        if (!mp_tenant_resource(p, t, res, sizeof(res), &prof, &media))
            snprintf(res, sizeof(res), "several profiles, no one resource");
        mp_buf_printf(b, "%s: %s", r->tenants[t].name, res);
        if (mp_tenant_gpus(&r->tenants[t]) > 1) /* whole-gpu: N */
            mp_buf_printf(b, " (%d per pod)", mp_tenant_gpus(&r->tenants[t]));
        mp_buf_printf(b, " x %d;", r->tenants[t].replicas);
        for (int k = 0; k < p->n_gpus; k++) {
            int n = mp_plan_gpu_replicas(&p->gpus[k], t);
            if (!n)
                continue;
            const mp_plan_node *nd = &p->nodes[p->gpus[k].node];
            mp_node_pool_node_name(&r->pools[nd->pool], nd->k, name,
                                   sizeof(name));
            mp_buf_printf(b, " %s/%d", name, p->gpus[k].node_index);
            if (n > 1)
                mp_buf_printf(b, " x%d", n);
        }
        mp_buf_printf(b, "%s\n",
                      media ? " (a +me instance: see the k8s output's note)"
                            : "");
    }
}

/* The node optimality line: nodes, their cost, the bound. */
static void node_optimality(const mp_plan *p, mp_buf *b)
{
    mp_buf_printf(b, "%d node%s (%d GPU%s), cost %.2f", p->nodes_used,
                  p->nodes_used == 1 ? "" : "s", p->gpus_used,
                  p->gpus_used == 1 ? "" : "s", p->cost);
    if (p->optimal)
        mp_buf_printf(b, ", optimal (lower bound %.2f)\n", p->lower_bound);
    else
        mp_buf_printf(b, ", not proven optimal: lower bound %.2f, gap %.2f%s\n",
                      p->lower_bound, p->cost - p->lower_bound,
                      p->time_limit_hit ? " (time limit)" : "");
}

/* How `spread: nodes` tenants ended up. */
static void node_spread_lines(const mp_plan *p, mp_buf *b)
{
    const mp_request *r = p->req;
    for (int t = 0; t < r->n_tenants; t++) {
        if (!r->tenants[t].spread_nodes || r->tenants[t].replicas < 2)
            continue;
        int nodes = 0, most = 0;
        for (int j = 0; j < p->n_nodes; j++) {
            int n = 0;
            int gpus = r->pools[p->nodes[j].pool].gpus;
            for (int x = 0; x < gpus; x++)
                n += mp_plan_gpu_replicas(&p->gpus[p->nodes[j].first_gpu + x],
                                          t);
            nodes += n > 0;
            most = n > most ? n : most;
        }
        mp_buf_printf(b, "spread: %s over %d node%s, at most %d per node\n",
                      r->tenants[t].name, nodes, nodes == 1 ? "" : "s", most);
    }
}

static void nodes_table(const mp_plan *p, const mp_plan_view *v, mp_buf *b)
{
    mp_node_configs c;
    mp_diag d;
    node_optimality(p, b);
    mp_buf_putc(b, '\n');
    if (v->summary) { /* totals only, as for GPU plans */
        long long granted = 0, asked = 0;
        if (mp_plan_totals(p, v, b, &granted, &asked) != 0) {
            b->failed = true;
            return;
        }
        mp_buf_putc(b, '\n');
        mp_plan_node_changes_lines(p, true, b);
        warning_lines(p, b);
        node_optimality(p, b);
        return;
    }
    if (mp_node_configs_build(p, v->config_name ? v->config_name : "migplan",
                              &c, &d) != 0 ||
        node_sections(p, &c, v, b) != 0) {
        mp_node_configs_free(&c);
        b->failed = true;
        return;
    }
    mp_node_configs_free(&c);
    mp_plan_node_changes_lines(p, false, b);
    node_tenants(p, b);
    mp_buf_putc(b, '\n');
    node_spread_lines(p, b);
    spread_lines(p, b);
    headroom_lines(p, b);
    share_lines(p, b);
    inferred_notes(p, b);
    warning_lines(p, b);
    node_optimality(p, b);
}

void mp_emit_plan_table(const mp_plan *p, bool unicode, mp_buf *b)
{
    mp_plan_view v = {.unicode = unicode};
    mp_emit_plan_view(p, &v, b);
}

void mp_plan_tenant_name(const mp_plan *p, const mp_plan_view *v, int t,
                         const char *suffix, int width, mp_buf *b)
{
    if (v->color)
        mp_buf_puts(b, mp_tenant_sgr(t));
    mp_buf_printf(b, "%s%s", p->req->tenants[t].name, suffix);
    if (v->color)
        mp_buf_puts(b, MP_SGR_RESET);
    size_t shown = strlen(p->req->tenants[t].name) + strlen(suffix);
    for (size_t k = shown; (int)k < width; k++)
        mp_buf_putc(b, ' ');
}

/* The GPUs and the replica list, or, for a large plan, the GPUs grouped
 * and a line per tenant; only the totals for a summary. */
static int body(const mp_plan *p, const mp_plan_view *v, mp_buf *b,
                long long *granted, long long *asked)
{
    bool group = !v->all_gpus && p->gpus_used > MP_PLAN_GROUP_ABOVE;
    if (v->summary || group) {
        if (!v->summary && mp_plan_grouped_gpus(p, v, b) != 0)
            return -1;
        return mp_plan_totals(p, v, b, granted, asked);
    }
    int rc;
    int *pos = whole_positions(p, &rc);
    for (int k = 0; k < p->n_gpus && !rc; k++)
        k = gpu_section(p, k, v, pos, b);
    free(pos);
    return rc ? rc : replica_rows(p, v, b, granted, asked);
}

void mp_emit_plan_view(const mp_plan *p, const mp_plan_view *v, mp_buf *b)
{
    const mp_request *r = p->req;
    mp_buf_printf(b, "Plan for %s\n", r->path);
    if (!p->feasible) {
        mp_buf_printf(b, "No plan: %s\n", p->reason);
        return;
    }
    if (r->n_pools) {
        nodes_table(p, v, b);
        return;
    }
    mp_emit_plan_optimality(p, b);
    mp_buf_putc(b, '\n');
    long long granted = 0, asked = 0;
    if (body(p, v, b, &granted, &asked) != 0) {
        b->failed = true;
        return;
    }
    mp_buf_putc(b, '\n');
    spread_lines(p, b);
    headroom_lines(p, b);
    share_lines(p, b);
    long long replicas = 0;
    for (int t = 0; t < r->n_tenants; t++)
        replicas += mp_tenant_asked_replicas(&r->tenants[t]);
    mp_buf_printf(b,
                  "total: %d GPU%s used of %d, %lld replica%s; %.2f GiB "
                  "granted for %.2f GiB asked\n",
                  p->gpus_used, p->gpus_used == 1 ? "" : "s",
                  mp_plan_gpus_total(p), replicas, replicas == 1 ? "" : "s",
                  gib(granted), gib(asked));
    inferred_notes(p, b);
    stranded_notes(p, b);
    warning_lines(p, b);
    mp_plan_changes_lines(p, v->summary, b);
    mp_emit_plan_optimality(p, b);
}
