/* SPDX-License-Identifier: Apache-2.0 */
/* emit_plan.c - plans as a table with slot diagrams, and as JSON. */
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

/* Notes about inferred profile data the plan relies on, once per model
 * and kind of value. */
/* Compute a plan GPU idles with no memory left for it. The planner hands
 * idle compute to tenants (larger profiles) wherever it can, so what is
 * left no larger profile for its tenants would use; say so, since
 * `check` reports it (as a note). */
static int stranded_compute(const mp_plan_gpu *g)
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
        int n = stranded_compute(&p->gpus[k]);
        if (n > 0)
            mp_buf_printf(b,
                          "note: GPU %d idles %d compute slice%s with no "
                          "memory left: unavoidable, no larger profiles for "
                          "its tenants fit and use %s\n",
                          p->gpus[k].index, n, n == 1 ? "" : "s",
                          n == 1 ? "it" : "them");
    }
}

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
static int replica_index(const mp_plan *p, int **offset, int **loc)
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
        mp_buf_printf(b, "GPU %d  %s  unused, %s\n", g->index, m->id,
                      p->reset_unused ? "MIG disabled" : "left as it is");
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
    if (last > k)
        mp_buf_printf(b, "GPU %d-%d  %s  unused (MIG stays disabled)\n\n",
                      g->index, p->gpus[last].index, m->id);
    else
        mp_buf_printf(b, "GPU %d  %s  unused (MIG stays disabled)\n\n",
                      g->index, m->id);
    return last;
}

int mp_plan_gpu_section(const mp_plan *p, int k, const mp_plan_view *v,
                        mp_buf *b)
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
        int pos = 1; /* which GPU of a whole-gpu: N replica */
        for (int j = 0; j < k; j++)
            pos += p->gpus[j].whole_tenant == g->whole_tenant &&
                   p->gpus[j].whole_replica == g->whole_replica;
        if (mp_tenant_gpus(tn) > 1)
            mp_buf_printf(b, ", GPU %d of %d", pos, mp_tenant_gpus(tn));
        mp_buf_puts(b, "\n\n");
        return k;
    }
    mp_buf_printf(b, "GPU %d  %s\n", g->index, l->model->id);
    mp_plan_diagram(p, g, true, v, b);
    return k;
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

/* Where replica rep of tenant t is (at from replica_index): GPU, and
 * instance (NULL for a whole GPU) with the memory it grants. */
static const mp_plan_gpu *replica_at(const mp_plan *p, int at, const mp_gi **gi,
                                     long long *mib)
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
    const mp_plan_gpu *g = replica_at(p, at, &gi, granted);
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
    if (replica_index(p, &offset, &loc) != 0)
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
        if (mp_plan_totals(p, v, b, &granted, &asked) != 0)
            b->failed = true;
        else
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
    mp_plan_node_changes_lines(p, b);
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
    for (int k = 0; k < p->n_gpus; k++)
        k = mp_plan_gpu_section(p, k, v, b);
    return replica_rows(p, v, b, granted, asked);
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
                  p->gpus_used, p->gpus_used == 1 ? "" : "s", p->n_gpus,
                  replicas, replicas == 1 ? "" : "s", gib(granted), gib(asked));
    inferred_notes(p, b);
    stranded_notes(p, b);
    warning_lines(p, b);
    mp_plan_changes_lines(p, v->summary, b);
    mp_emit_plan_optimality(p, b);
}

/* ---------------------------------------------------------------- json */

/* "replica": the first replica unit `unit` of t serves; for a shared
 * tenant also "shared_by" and every replica it serves. */
static void unit_json(const mp_tenant *t, int unit, cJSON *o)
{
    int first = mp_tenant_first_replica(t, unit);
    cJSON_AddNumberToObject(o, "replica", first);
    if (mp_tenant_share(t) < 2)
        return;
    cJSON_AddNumberToObject(o, "shared_by", mp_tenant_share(t));
    cJSON *rs = cJSON_AddArrayToObject(o, "replicas");
    for (int i = 0; i < mp_tenant_served(t, unit); i++)
        cJSON_AddItemToArray(rs, cJSON_CreateNumber(first + i));
}

static cJSON *gpu_json(const mp_plan *p, const mp_plan_gpu *g)
{
    const mp_request *r = p->req;
    const mp_layout *l = &g->layout.gis;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "index", g->index);
    cJSON_AddStringToObject(o, "model", l->model->id);
    cJSON_AddBoolToObject(o, "used", g->used);
    cJSON_AddBoolToObject(o, "mig_enabled", g->layout.mig_enabled);
    if (g->whole_tenant >= 0) {
        cJSON_AddStringToObject(o, "tenant", r->tenants[g->whole_tenant].name);
        cJSON_AddNumberToObject(o, "replica", g->whole_replica);
    }
    cJSON *in = cJSON_AddArrayToObject(o, "instances");
    for (int q = 0; q < l->n; q++) {
        const mp_gi_profile *pr = &l->model->profiles[l->gi[q].profile];
        cJSON *io = cJSON_CreateObject();
        cJSON_AddStringToObject(io, "profile", pr->name);
        cJSON_AddNumberToObject(io, "profile_id", pr->id);
        cJSON_AddNumberToObject(io, "start", l->gi[q].start);
        cJSON_AddNumberToObject(io, "size", pr->memory_slices);
        if (g->tenant[q] >= 0) { /* else free, on a single node */
            cJSON_AddStringToObject(io, "tenant",
                                    r->tenants[g->tenant[q]].name);
            unit_json(&r->tenants[g->tenant[q]], g->replica[q], io);
        }
        cJSON_AddItemToArray(in, io);
    }
    if (g->layout.mig_enabled)
        cJSON_AddBoolToObject(o, "creation_order_works_without_placement",
                              g->layout.driver_order);
    /* only when some is stranded: the planner avoids it where it can */
    int stranded = stranded_compute(g);
    if (stranded > 0)
        cJSON_AddNumberToObject(o, "stranded_compute_slices", stranded);
    mp_plan_changes_json(p, g, o);
    if (r->n_pools) {
        char name[300];
        const mp_plan_node *nd = &p->nodes[g->node];
        mp_node_pool_node_name(&r->pools[nd->pool], nd->k, name, sizeof(name));
        cJSON_AddStringToObject(o, "node", name);
        cJSON_AddNumberToObject(o, "node_index", g->node_index);
    }
    return o;
}

static cJSON *placement_json(const mp_plan *p, int t, int rep, int at)
{
    const mp_tenant *tn = &p->req->tenants[t];
    const mp_gi *gi;
    long long mib;
    const mp_plan_gpu *g = replica_at(p, at, &gi, &mib);
    cJSON *po = cJSON_CreateObject();
    unit_json(tn, rep, po);
    cJSON_AddNumberToObject(po, "gpu", g->index);
    if (!gi && mp_tenant_gpus(tn) > 1) { /* every GPU of the replica */
        /* from the first (at), not from GPU 0: a replica's GPUs are in
         * a row, so this costs the replica's GPUs, not the plan's */
        cJSON *gs = cJSON_AddArrayToObject(po, "gpus");
        int left = mp_tenant_gpus(tn);
        for (int k = at / 64; k < p->n_gpus && left > 0; k++)
            if (p->gpus[k].whole_tenant == t &&
                p->gpus[k].whole_replica == rep) {
                cJSON_AddItemToArray(gs, cJSON_CreateNumber(p->gpus[k].index));
                left--;
            }
    }
    cJSON_AddStringToObject(po, "profile",
                            gi ? g->layout.gis.model->profiles[gi->profile].name
                               : "whole-gpu");
    if (gi)
        cJSON_AddNumberToObject(po, "start", gi->start);
    cJSON_AddNumberToObject(po, "memory_mib", (double)mib);
    return po;
}

/* A placement as placement_json's tree prints at depth 4, written
 * directly where the tree is plain (one instance or GPU, not shared):
 * a plan of a million replicas has a million of them. */
static void placement_text(const mp_plan *p, int t, int rep, int at,
                           mp_buf *out)
{
    const mp_tenant *tn = &p->req->tenants[t];
    const mp_gi *gi;
    long long mib;
    const mp_plan_gpu *g = replica_at(p, at, &gi, &mib);
    if (mp_tenant_share(tn) >= 2 || (!gi && mp_tenant_gpus(tn) > 1)) {
        cJSON *po = placement_json(p, t, rep, at);
        if (po)
            mp_json_print_at(po, out, 4);
        out->failed = out->failed || !po;
        cJSON_Delete(po);
        return;
    }
#define MEMBER ",\n          \"" /* a member after the first, at depth 5 */
    mp_buf_puts(out, "{\n          \"replica\": ");
    mp_json_number(out, mp_tenant_first_replica(tn, rep));
    mp_buf_puts(out, MEMBER "gpu\": ");
    mp_json_number(out, g->index);
    mp_buf_puts(out, MEMBER "profile\": ");
    mp_json_string(out, gi ? g->layout.gis.model->profiles[gi->profile].name
                           : "whole-gpu");
    if (gi) {
        mp_buf_puts(out, MEMBER "start\": ");
        mp_json_number(out, gi->start);
    }
    mp_buf_puts(out, MEMBER "memory_mib\": ");
    mp_json_number(out, (double)mib);
    mp_buf_puts(out, "\n        }");
#undef MEMBER
}

/* Tenant t with its "placements" (the last member) left out, or empty. */
static cJSON *tenant_json(const mp_plan *p, int t, const int *offset,
                          const int *loc, const int *most, bool placements)
{
    const mp_tenant *tn = &p->req->tenants[t];
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", tn->name);
    cJSON_AddNumberToObject(o, "replicas", mp_tenant_asked_replicas(tn));
    cJSON_AddNumberToObject(o, "memory_mib", (double)mp_tenant_asked_mib(tn));
    if (tn->memory_mib != mp_tenant_asked_mib(tn)) /* headroom, sharing */
        cJSON_AddNumberToObject(o, "instance_memory_mib",
                                (double)tn->memory_mib);
    if (mp_tenant_share(tn) > 1) {
        cJSON_AddNumberToObject(o, "share", mp_tenant_share(tn));
        cJSON_AddNumberToObject(o, "instances", tn->replicas);
    }
    if (mp_tenant_gpus(tn) > 1)
        cJSON_AddNumberToObject(o, "gpus_per_replica", mp_tenant_gpus(tn));
    cJSON_AddNumberToObject(o, "compute_slices", tn->compute);
    cJSON_AddBoolToObject(o, "whole_gpu", tn->whole_gpu);
    cJSON_AddBoolToObject(o, "spread", tn->spread);
    cJSON_AddNumberToObject(o, "max_per_gpu", most[t]);
    if (p->req->n_pools) {
        char res[96];
        const char *prof;
        bool media;
        if (mp_tenant_resource(p, t, res, sizeof(res), &prof, &media)) {
            if (prof)
                cJSON_AddStringToObject(o, "profile", prof);
            else
                cJSON_AddStringToObject(o, "profile", "whole-gpu");
            cJSON *ro = cJSON_AddObjectToObject(o, "resource");
            cJSON_AddStringToObject(ro, "name", res);
            cJSON_AddNumberToObject(ro, "per_pod", 1);
        } else {
            cJSON_AddNullToObject(o, "profile");
            cJSON_AddNullToObject(o, "resource");
        }
    }
    cJSON *pl = cJSON_AddArrayToObject(o, "placements");
    for (int rep = 0; rep < tn->replicas && placements; rep++) {
        int at = loc[offset[t] + rep];
        if (at >= 0)
            cJSON_AddItemToArray(pl, placement_json(p, t, rep, at));
    }
    return o;
}

/* "nodes_used" and "nodes" of a plan with node pools. */
static int nodes_json(const mp_plan *p, const char *base, cJSON *root)
{
    const mp_request *r = p->req;
    mp_node_configs c;
    mp_diag d;
    int rc = mp_node_configs_build(p, base, &c, &d);
    cJSON_AddNumberToObject(root, "nodes_used", p->nodes_used);
    cJSON *ns = cJSON_AddArrayToObject(root, "nodes");
    for (int j = 0; j < p->n_nodes && !rc; j++) {
        char name[300];
        const mp_plan_node *nd = &p->nodes[j];
        const mp_node_pool *pl = &r->pools[nd->pool];
        mp_node_pool_node_name(pl, nd->k, name, sizeof(name));
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", name);
        cJSON_AddStringToObject(o, "pool", pl->name);
        cJSON_AddStringToObject(o, "model", pl->model->id);
        cJSON_AddStringToObject(o, "strategy", mp_strategy_name(pl->strategy));
        if (c.config_of[j] >= 0)
            cJSON_AddStringToObject(o, "config", c.names[c.config_of[j]]);
        else /* left as it is: its label must not change */
            cJSON_AddNullToObject(o, "config");
        if (c.config_of[j] < 0)
            cJSON_AddBoolToObject(o, "left_as_is", true);
        cJSON_AddBoolToObject(o, "used", nd->used);
        if (p->own_state) /* planned from node states: was this one's? */
            cJSON_AddBoolToObject(o, "from_state", nd->state != NULL);
        cJSON_AddItemToArray(ns, o);
    }
    mp_node_configs_free(&c);
    return rc;
}

void mp_emit_plan_json(const mp_plan *p, mp_buf *b)
{
    mp_emit_plan_json_named(p, "migplan", b);
}

/* The members before "gpus": the answer, its proof, and the nodes. */
static cJSON *head_json(const mp_plan *p, const char *base)
{
    const mp_request *r = p->req;
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "request", r->path);
    cJSON_AddBoolToObject(root, "feasible", p->feasible);
    if (!p->feasible) {
        cJSON_AddStringToObject(root, "reason", p->reason);
        return root;
    }
    cJSON_AddNumberToObject(root, "gpus_used", p->gpus_used);
    cJSON_AddNumberToObject(root, "gpus_total", p->n_gpus);
    cJSON_AddNumberToObject(root, "cost", p->cost);
    cJSON_AddNumberToObject(root, "lower_bound", p->lower_bound);
    cJSON_AddBoolToObject(root, "optimal", p->optimal);
    mp_plan_disruption_json(p, root);
    if (p->spread_cut)
        cJSON_AddBoolToObject(root, "spread_cut_by_time_limit", true);
    if (p->tidy_cut)
        cJSON_AddBoolToObject(root, "tidy_cut_by_time_limit", true);
    if (r->n_pools && nodes_json(p, base, root) != 0) {
        cJSON_Delete(root);
        return NULL;
    }
    return root;
}

static void warnings_json(const mp_plan *p, mp_json_stream *s)
{
    if (!p->warnings.n)
        return;
    mp_json_stream_open(s, "warnings");
    for (int i = 0; i < p->warnings.n; i++) {
        const mp_finding *x = &p->warnings.v[i];
        cJSON *w = cJSON_CreateObject();
        cJSON_AddStringToObject(w, "code", x->code);
        cJSON_AddNumberToObject(w, "line", x->line);
        cJSON_AddNumberToObject(w, "column", x->col);
        cJSON_AddStringToObject(w, "message", x->message);
        mp_json_stream_item(s, w);
    }
    mp_json_stream_close(s);
}

/* An unused GPU's text, for the GPUs like it (all but the index the
 * same): most of a large fleet can be unused, and building and printing
 * a tree for each would cost more than the rest of the output. */
typedef struct gpu_text {
    mp_plan_gpu g;  /* the GPU it was printed from */
    mp_buf text;    /* printed at depth 2 */
    size_t at, end; /* the index's digits in text */
    bool have;
} gpu_text;

/* g written from t when they differ in the index only (t remade from g
 * when they differ more): false when g must be written as a tree. */
static bool unused_gpu_text(const mp_plan *p, const mp_plan_gpu *g, gpu_text *t,
                            mp_json_stream *s)
{
    if (g->used || p->current || p->req->n_pools || s->whole)
        return false;
    mp_plan_gpu same = *g;
    same.index = t->g.index;
    if (!t->have || memcmp(&same, &t->g, sizeof(same)) != 0) {
        t->have = false;
        t->g = *g;
        mp_buf_reset(&t->text);
        cJSON *o = gpu_json(p, g);
        if (!o)
            return false; /* the tree's way says it failed */
        mp_json_print_at(o, &t->text, 2);
        cJSON_Delete(o);
        const char *key = "{\n      \"index\": ";
        size_t n = strlen(key);
        if (t->text.failed || strncmp(t->text.data, key, n) != 0)
            return false;
        t->at = t->end = n;
        while (t->text.data[t->end] >= '0' && t->text.data[t->end] <= '9')
            t->end++;
        t->have = true;
    }
    mp_buf *out = mp_json_stream_text_begin(s);
    if (!out)
        return true;
    mp_buf_add(out, t->text.data, t->at);
    mp_json_number(out, g->index);
    mp_buf_add(out, t->text.data + t->end, t->text.len - t->end);
    mp_json_stream_text_end(s);
    return true;
}

/* Tenant t written as text, its placements one at a time (false: write
 * its tree instead): the tree of a tenant of many replicas would hold
 * an object per replica. */
static bool tenant_text(const mp_plan *p, int t, const int *offset,
                        const int *loc, const int *most, mp_json_stream *s)
{
    static const char tail[] = "[]\n    }"; /* empty placements, the end */
    if (s->whole)
        return false;
    cJSON *o = tenant_json(p, t, offset, loc, most, false);
    mp_buf head = MP_BUF_INIT;
    if (o)
        mp_json_print_at(o, &head, 2);
    cJSON_Delete(o);
    size_t n = sizeof(tail) - 1;
    if (!o || head.failed || head.len < n ||
        memcmp(head.data + head.len - n, tail, n) != 0) {
        mp_buf_free(&head);
        return false;
    }
    mp_buf *out = mp_json_stream_text_begin(s);
    int written = 0;
    if (out)
        mp_buf_add(out, head.data, head.len - n + 1); /* up to the '[' */
    mp_buf_free(&head);
    for (int rep = 0; out && rep < p->req->tenants[t].replicas; rep++) {
        int at = loc[offset[t] + rep];
        if (at < 0)
            continue;
        mp_buf_puts(out, written++ ? ",\n        " : "\n        ");
        placement_text(p, t, rep, at, out);
        mp_json_stream_text_end(s); /* written out as it grows */
    }
    if (out) {
        mp_buf_puts(out, written ? "\n      ]\n    }" : "]\n    }");
        mp_json_stream_text_end(s);
    }
    return true;
}

/* "gpus", "tenants" and "warnings", one GPU or tenant at a time. */
static int body_json(const mp_plan *p, mp_json_stream *s)
{
    const mp_request *r = p->req;
    int *offset, *loc;
    int *most = malloc(((size_t)r->n_tenants + 1) * sizeof(int));
    if (!most || replica_index(p, &offset, &loc) != 0) {
        free(most);
        return -1;
    }
    gpu_text txt = {.text = MP_BUF_INIT};
    mp_json_stream_open(s, "gpus");
    for (int k = 0; k < p->n_gpus && !s->rc; k++)
        if (!unused_gpu_text(p, &p->gpus[k], &txt, s))
            mp_json_stream_item(s, gpu_json(p, &p->gpus[k]));
    mp_json_stream_close(s);
    mp_buf_free(&txt.text);
    mp_plan_tenant_spread(p, NULL, most);
    mp_json_stream_open(s, "tenants");
    for (int t = 0; t < r->n_tenants && !s->rc; t++)
        if (!tenant_text(p, t, offset, loc, most, s))
            mp_json_stream_item(s, tenant_json(p, t, offset, loc, most, true));
    mp_json_stream_close(s);
    warnings_json(p, s);
    free(offset);
    free(loc);
    free(most);
    return 0;
}

int mp_emit_plan_json_stream(const mp_plan *p, const char *base, bool whole,
                             int (*flush)(void *ctx, mp_buf *out), void *ctx,
                             mp_buf *b)
{
    mp_json_stream s;
    mp_json_stream_begin(&s, b, whole, flush, ctx);
    cJSON *head = head_json(p, base);
    if (!head)
        s.failed = true;
    else
        mp_json_stream_members(&s, head);
    if (p->feasible && !s.failed && body_json(p, &s) != 0)
        s.failed = true;
    return mp_json_stream_end(&s);
}

void mp_emit_plan_json_named(const mp_plan *p, const char *base, mp_buf *b)
{
    mp_emit_plan_json_stream(p, base, false, NULL, NULL, b);
}
