/* SPDX-License-Identifier: Apache-2.0 */
/* plan_json.c - plans as JSON: the whole document (cJSON) and the stream
 * that writes one GPU and one tenant at a time (same bytes). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "migplan/emit/emit_plan.h"
#include "migplan/emit/k8s_writer.h"
#include "migplan/emit/migparted_writer.h"
#include "migplan/util/json_out.h"
#include "plan_internal.h"

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
    if (g->emptied) /* unused, MIG disabled with its all-disabled node */
        cJSON_AddBoolToObject(o, "emptied", true);
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
    int stranded = mp_plan_stranded_compute(g);
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
    const mp_plan_gpu *g = mp_plan_replica_at(p, at, &gi, &mib);
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
    const mp_plan_gpu *g = mp_plan_replica_at(p, at, &gi, &mib);
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
    cJSON_AddNumberToObject(root, "gpus_total", mp_plan_gpus_total(p));
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
    if (!most || mp_plan_replica_index(p, &offset, &loc) != 0) {
        free(most);
        return -1;
    }
    gpu_text txt = {.text = MP_BUF_INIT};
    mp_json_stream_open(s, "gpus");
    mp_plan_walk w = MP_PLAN_WALK(p);
    for (const mp_plan_gpu *g; !s->rc && (g = mp_plan_next_gpu(&w));)
        if (!unused_gpu_text(p, g, &txt, s))
            mp_json_stream_item(s, gpu_json(p, g));
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
