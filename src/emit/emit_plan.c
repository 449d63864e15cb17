/* emit_plan.c - plans as a table with slot diagrams, and as JSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "migplan/emit/diagram.h"
#include "migplan/emit/emit_plan.h"
#include "migplan/util/json_out.h"

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
static void inferred_notes(const mp_plan *p, mp_buf *b)
{
    static const char *const fields[] = {"placements", "memory-mib", "sms",
                                         "max-instances", "id"};
    enum { NF = sizeof(fields) / sizeof(*fields) };
    const mp_model *seen_m[256];
    int seen_f[256], nseen = 0;
    for (int k = 0; k < p->n_gpus; k++) {
        const mp_plan_gpu *g = &p->gpus[k];
        for (int q = 0; q < g->n; q++) {
            const mp_gi_profile *pr = &g->model->profiles[g->inst[q].profile];
            for (int f = 0; f < NF; f++) {
                const char *why = mp_prov_inferred(&pr->prov, fields[f]);
                if (!why)
                    continue;
                bool dup = false;
                for (int s = 0; s < nseen && !dup; s++)
                    dup = seen_m[s] == g->model && seen_f[s] == f;
                if (dup || nseen == 256)
                    continue;
                seen_m[nseen] = g->model;
                seen_f[nseen++] = f;
                mp_buf_printf(b,
                              "note: %s %s (%s and others) %s inferred: %s\n",
                              g->model->id, fields[f], pr->name,
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
        if (g->whole_tenant >= 0)
            (*loc)[(*offset)[g->whole_tenant] + g->whole_replica] = k * 64 + 63;
        for (int q = 0; q < g->n; q++)
            (*loc)[(*offset)[g->inst[q].tenant] + g->inst[q].replica] =
                k * 64 + q;
    }
    return 0;
}

void mp_emit_plan_table(const mp_plan *p, bool unicode, mp_buf *b)
{
    const mp_request *r = p->req;
    mp_buf_printf(b, "Plan for %s\n", r->path);
    if (!p->feasible) {
        mp_buf_printf(b, "No plan: %s\n", p->reason);
        return;
    }
    mp_emit_plan_optimality(p, b);
    mp_buf_putc(b, '\n');
    for (int k = 0; k < p->n_gpus; k++) {
        const mp_plan_gpu *g = &p->gpus[k];
        if (!g->used) {
            int last = k;
            while (last + 1 < p->n_gpus && !p->gpus[last + 1].used &&
                   p->gpus[last + 1].model == g->model)
                last++;
            if (last > k)
                mp_buf_printf(b,
                              "GPU %d-%d  %s  unused (MIG stays disabled)\n\n",
                              g->index, p->gpus[last].index, g->model->id);
            else
                mp_buf_printf(b, "GPU %d  %s  unused (MIG stays disabled)\n\n",
                              g->index, g->model->id);
            k = last;
            continue;
        }
        if (!g->mig_enabled) {
            mp_buf_printf(b, "GPU %d  %s  whole GPU, MIG disabled: %s#%d\n\n",
                          g->index, g->model->id,
                          r->tenants[g->whole_tenant].name, g->whole_replica);
            continue;
        }
        mp_buf_printf(b, "GPU %d  %s\n", g->index, g->model->id);
        mp_layout l;
        l.model = g->model;
        l.n = g->n;
        char labels[MP_MAX_GIS][80];
        const char *subs[MP_MAX_GIS];
        for (int q = 0; q < g->n; q++) {
            l.gi[q].profile = g->inst[q].profile;
            l.gi[q].start = g->inst[q].start;
            snprintf(labels[q], sizeof(labels[q]), "%s#%d",
                     r->tenants[g->inst[q].tenant].name, g->inst[q].replica);
            subs[q] = labels[q];
        }
        mp_diagram_opts o = {.unicode = unicode,
                             .sublabels = subs,
                             .indent = "",
                             .footer = true};
        mp_diagram(&l, &o, b);
        mp_buf_putc(b, '\n');
    }
    /* the tenant summary: one line per replica */
    int wname = 6;
    for (int t = 0; t < r->n_tenants; t++) {
        int w = (int)strlen(r->tenants[t].name) + 4;
        if (w > wname)
            wname = w;
    }
    mp_buf_printf(b, "%-*s %4s  %-16s %11s %11s %11s\n", wname, "REPLICA",
                  "GPU", "INSTANCE", "GRANTED", "ASKED", "SPARE");
    long long granted_total = 0, asked_total = 0;
    int *offset, *loc;
    if (replica_index(p, &offset, &loc) != 0) {
        b->failed = true;
        return;
    }
    for (int t = 0; t < r->n_tenants; t++) {
        const mp_tenant *tn = &r->tenants[t];
        for (int rep = 0; rep < tn->replicas; rep++) {
            int at = loc[offset[t] + rep];
            if (at < 0)
                continue;
            const mp_plan_gpu *g = &p->gpus[at / 64];
            int q = at % 64;
            char name[96], inst[40], grant[24], ask[24], spare[24];
            long long gm;
            if (q == 63) {
                snprintf(inst, sizeof(inst), "whole GPU");
                gm = g->model->memory_mib;
            } else {
                const mp_gi_profile *pr =
                    &g->model->profiles[g->inst[q].profile];
                snprintf(inst, sizeof(inst), "%s @%d", pr->name,
                         g->inst[q].start);
                gm = pr->memory_mib;
            }
            snprintf(name, sizeof(name), "%s#%d", tn->name, rep);
            snprintf(grant, sizeof(grant), "%.2f GiB", gib(gm));
            if (tn->memory_mib > 0) {
                snprintf(ask, sizeof(ask), "%.2f GiB", gib(tn->memory_mib));
                snprintf(spare, sizeof(spare), "%.2f GiB",
                         gib(gm - tn->memory_mib));
            } else {
                snprintf(ask, sizeof(ask), "-");
                snprintf(spare, sizeof(spare), "-");
            }
            mp_buf_printf(b, "%-*s %4d  %-16s %11s %11s %11s\n", wname, name,
                          g->index, inst, grant, ask, spare);
            granted_total += gm;
            asked_total += tn->memory_mib;
        }
    }
    free(offset);
    free(loc);
    mp_buf_putc(b, '\n');
    for (int t = 0; t < r->n_tenants; t++) {
        const mp_tenant *tn = &r->tenants[t];
        if (!tn->spread || tn->replicas < 2)
            continue;
        int gpus = 0;
        for (int k = 0; k < p->n_gpus; k++) {
            bool has = p->gpus[k].whole_tenant == t;
            for (int q = 0; q < p->gpus[k].n; q++)
                has |= p->gpus[k].inst[q].tenant == t;
            gpus += has;
        }
        mp_buf_printf(b, "spread: %s over %d GPUs, at most %d per GPU\n",
                      tn->name, gpus, mp_plan_max_per_gpu(p, t));
    }
    mp_buf_printf(b,
                  "total: %d GPUs used of %d, %lld replicas; %.2f GiB "
                  "granted for %.2f GiB asked\n",
                  p->gpus_used, p->n_gpus, r->total_replicas,
                  gib(granted_total), gib(asked_total));
    inferred_notes(p, b);
    mp_emit_plan_optimality(p, b);
}

/* ---------------------------------------------------------------- json */

void mp_emit_plan_json(const mp_plan *p, mp_buf *b)
{
    const mp_request *r = p->req;
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "request", r->path);
    cJSON_AddBoolToObject(root, "feasible", p->feasible);
    if (!p->feasible) {
        cJSON_AddStringToObject(root, "reason", p->reason);
        mp_json_print(root, b);
        cJSON_Delete(root);
        return;
    }
    cJSON_AddNumberToObject(root, "gpus_used", p->gpus_used);
    cJSON_AddNumberToObject(root, "gpus_total", p->n_gpus);
    cJSON_AddNumberToObject(root, "cost", p->cost);
    cJSON_AddNumberToObject(root, "lower_bound", p->lower_bound);
    cJSON_AddBoolToObject(root, "optimal", p->optimal);
    cJSON *gpus = cJSON_AddArrayToObject(root, "gpus");
    for (int k = 0; k < p->n_gpus; k++) {
        const mp_plan_gpu *g = &p->gpus[k];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "index", g->index);
        cJSON_AddStringToObject(o, "model", g->model->id);
        cJSON_AddBoolToObject(o, "used", g->used);
        cJSON_AddBoolToObject(o, "mig_enabled", g->used && g->mig_enabled);
        if (g->whole_tenant >= 0) {
            cJSON_AddStringToObject(o, "tenant",
                                    r->tenants[g->whole_tenant].name);
            cJSON_AddNumberToObject(o, "replica", g->whole_replica);
        }
        cJSON *in = cJSON_AddArrayToObject(o, "instances");
        for (int q = 0; q < g->n; q++) {
            const mp_gi_profile *pr = &g->model->profiles[g->inst[q].profile];
            cJSON *io = cJSON_CreateObject();
            cJSON_AddStringToObject(io, "profile", pr->name);
            cJSON_AddNumberToObject(io, "profile_id", pr->id);
            cJSON_AddNumberToObject(io, "start", g->inst[q].start);
            cJSON_AddNumberToObject(io, "size", pr->memory_slices);
            cJSON_AddStringToObject(io, "tenant",
                                    r->tenants[g->inst[q].tenant].name);
            cJSON_AddNumberToObject(io, "replica", g->inst[q].replica);
            cJSON_AddItemToArray(in, io);
        }
        if (g->used && g->mig_enabled)
            cJSON_AddBoolToObject(o, "creation_order_works_without_placement",
                                  g->driver_order);
        cJSON_AddItemToArray(gpus, o);
    }
    int *offset, *loc;
    if (replica_index(p, &offset, &loc) != 0) {
        cJSON_Delete(root);
        b->failed = true;
        return;
    }
    cJSON *ts = cJSON_AddArrayToObject(root, "tenants");
    for (int t = 0; t < r->n_tenants; t++) {
        const mp_tenant *tn = &r->tenants[t];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", tn->name);
        cJSON_AddNumberToObject(o, "replicas", tn->replicas);
        cJSON_AddNumberToObject(o, "memory_mib", (double)tn->memory_mib);
        cJSON_AddNumberToObject(o, "compute_slices", tn->compute);
        cJSON_AddBoolToObject(o, "whole_gpu", tn->whole_gpu);
        cJSON_AddBoolToObject(o, "spread", tn->spread);
        cJSON_AddNumberToObject(o, "max_per_gpu", mp_plan_max_per_gpu(p, t));
        cJSON *pl = cJSON_AddArrayToObject(o, "placements");
        for (int rep = 0; rep < tn->replicas; rep++) {
            int at = loc[offset[t] + rep];
            if (at < 0)
                continue;
            const mp_plan_gpu *g = &p->gpus[at / 64];
            int q = at % 64;
            cJSON *po = cJSON_CreateObject();
            cJSON_AddNumberToObject(po, "replica", rep);
            cJSON_AddNumberToObject(po, "gpu", g->index);
            if (q == 63) {
                cJSON_AddStringToObject(po, "profile", "whole-gpu");
                cJSON_AddNumberToObject(po, "memory_mib", g->model->memory_mib);
            } else {
                const mp_gi_profile *pr =
                    &g->model->profiles[g->inst[q].profile];
                cJSON_AddStringToObject(po, "profile", pr->name);
                cJSON_AddNumberToObject(po, "start", g->inst[q].start);
                cJSON_AddNumberToObject(po, "memory_mib", pr->memory_mib);
            }
            cJSON_AddItemToArray(pl, po);
        }
        cJSON_AddItemToArray(ts, o);
    }
    free(offset);
    free(loc);
    mp_json_print(root, b);
    cJSON_Delete(root);
}
