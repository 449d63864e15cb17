// SPDX-License-Identifier: Apache-2.0
/* fit_current.c - `fit --current` as text and JSON. */
#include "migplan/emit/fit_current.h"

#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "migplan/emit/diagram.h"
#include "migplan/model/gpu_nearest.h"
#include "migplan/util/json_out.h"

/* The added instances of l (those after the GPU's own) largest first,
 * then by start: the order to create them in, at their starts. */
static int added_order(const mp_fit_current_view *v, const mp_layout *l,
                       int *order)
{
    int first = v->gpu->layout.gis.n, n = 0;
    for (int q = first; q < l->n; q++)
        order[n++] = q;
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0; j--) {
            const mp_gi *a = &l->gi[order[j - 1]], *b = &l->gi[order[j]];
            int sa = l->model->profiles[a->profile].memory_slices;
            int sb = l->model->profiles[b->profile].memory_slices;
            if (sa > sb || (sa == sb && a->start < b->start))
                break;
            int t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    return n;
}

static void holds_text(const mp_gpu_state *g, mp_buf *out)
{
    const mp_layout *l = &g->layout.gis;
    mp_buf_printf(out, "GPU %d (%s) holds ", g->index, l->model->id);
    if (l->n == 0)
        mp_buf_puts(out, "no GPU instances");
    for (int q = 0; q < l->n; q++) {
        char d[200];
        mp_gpu_state_describe(g, q, d, sizeof(d));
        mp_buf_printf(out, "%s%s", q ? ", " : "", d);
    }
    mp_buf_puts(out, ".\n");
}

static void placed_list(const mp_layout *l, const int *order, int n,
                        mp_buf *out)
{
    for (int k = 0; k < n; k++) {
        const mp_gi *gi = &l->gi[order[k]];
        mp_buf_printf(out, "%s%s@%d", k ? ", " : "",
                      l->model->profiles[gi->profile].name, gi->start);
    }
}

/* The instances of mask, those in use last, as "a, b". */
static void list_mask(const mp_gpu_state *g, unsigned mask, mp_buf *out)
{
    bool first = true;
    for (int pass = 0; pass < 2; pass++)
        for (int q = 0; q < g->layout.gis.n; q++)
            if ((mask & (1u << q)) && (g->gi[q].n_processes > 0) == pass) {
                char d[200];
                mp_gpu_state_describe(g, q, d, sizeof(d));
                mp_buf_printf(out, "%s%s", first ? "" : ", ", d);
                first = false;
            }
}

/* Per profile left out: what must go for it alone. */
static void alone_text(const mp_fit_current_view *v, mp_buf *out)
{
    const mp_model *m = v->gpu->layout.gis.model;
    for (int k = 0; k < v->n_alone; k++) {
        char at[16] = "";
        if (v->alone[k].pin >= 0)
            snprintf(at, sizeof(at), "@%d", v->alone[k].pin);
        mp_buf_printf(out, "%s%s: ", m->profiles[v->alone[k].profile].name, at);
        if (v->alone[k].fits)
            mp_buf_puts(out, "fits alone beside them, not with the rest "
                             "asked\n");
        else if (!v->alone[k].must_go)
            mp_buf_puts(out, "does not fit even on the empty GPU\n");
        else {
            mp_buf_puts(out, "alone it fits if these are destroyed: ");
            list_mask(v->gpu, v->alone[k].must_go, out);
            mp_buf_puts(out, "\n");
        }
    }
}

void mp_emit_fit_current_table(const mp_fit_current_view *v, mp_buf *out)
{
    const mp_gpu_state *g = v->gpu;
    holds_text(g, out);
    int order[MP_MAX_GIS];
    if (!v->fits) {
        mp_buf_printf(out, "Does not fit beside them: %s\n", v->reason);
        if (v->must_go) {
            mp_buf_puts(out, "It would fit if these were destroyed: ");
            list_mask(g, v->must_go, out);
            mp_buf_puts(out, ".\n");
        } else {
            mp_buf_puts(out, "It would not fit even on the empty GPU.\n");
        }
        int n = v->instead ? added_order(v, v->instead, order) : 0;
        mp_buf_puts(out, "Fits instead, of what was asked: ");
        if (n == 0)
            mp_buf_puts(out, "nothing");
        placed_list(v->instead, order, n, out);
        mp_buf_puts(out, "\n");
        alone_text(v, out);
        return;
    }
    const mp_layout *l = v->layout;
    int n = added_order(v, l, order);
    if (v->whole_busy)
        mp_buf_printf(out,
                      "Does not fit now: MIG is disabled and %s runs on the "
                      "whole GPU; enabling MIG needs the GPU idle\n"
                      "Fits once %s has stopped: ",
                      v->whole_busy, v->whole_busy);
    else
        mp_buf_puts(out, "Fits beside them: ");
    placed_list(l, order, n, out);
    mp_buf_puts(out, "\n\n");
    char text[MP_MAX_GIS][32];
    const char *subs[MP_MAX_GIS];
    for (int q = 0; q < l->n; q++) {
        if (q < g->layout.gis.n && g->gi[q].gi_id < 0)
            snprintf(text[q], sizeof(text[q]), "%sGI ?",
                     g->gi[q].n_processes > 0 ? "*" : "");
        else if (q < g->layout.gis.n)
            snprintf(text[q], sizeof(text[q]), "%sGI %d",
                     g->gi[q].n_processes > 0 ? "*" : "", g->gi[q].gi_id);
        else
            snprintf(text[q], sizeof(text[q]), "new");
        subs[q] = text[q];
    }
    mp_diagram_opts d = {
        .unicode = v->unicode, .sublabels = subs, .indent = "", .footer = true};
    mp_diagram(l, &d, out);
    if (v->whole_busy)
        mp_buf_printf(out,
                      "\nOnce %s has stopped, create them in this order:\n",
                      v->whole_busy);
    else
        mp_buf_puts(out, "\nCreate them in this order (the instances there "
                         "stay as they are):\n");
    if (v->enable_mig)
        mp_buf_printf(out, "  nvidia-smi -i %d -mig 1   # enable MIG mode\n",
                      g->index);
    for (int k = 0; k < n; k++) {
        const mp_gi *gi = &l->gi[order[k]];
        mp_buf_printf(out, "  nvidia-smi mig -i %d -cgi %d:%d -C   # %s@%d\n",
                      g->index, l->model->profiles[gi->profile].id, gi->start,
                      l->model->profiles[gi->profile].name, gi->start);
    }
}

static cJSON *existing_json(const mp_fit_current_view *v, int q)
{
    const mp_gpu_state *g = v->gpu;
    const mp_layout *l = &g->layout.gis;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "profile",
                            l->model->profiles[l->gi[q].profile].name);
    cJSON_AddNumberToObject(o, "start", l->gi[q].start);
    if (g->gi[q].gi_id >= 0)
        cJSON_AddNumberToObject(o, "gi_id", g->gi[q].gi_id);
    else
        cJSON_AddNullToObject(o, "gi_id"); /* a plan or export: unknown */
    cJSON_AddBoolToObject(o, "in_use", g->gi[q].n_processes > 0);
    if (g->gi[q].process)
        cJSON_AddStringToObject(o, "process", g->gi[q].process);
    else
        cJSON_AddNullToObject(o, "process");
    if (v->assumed) /* a mig-parted export: counts, no placements */
        cJSON_AddBoolToObject(o, "assumed", true);
    return o;
}

static cJSON *added_json(const mp_layout *l, const int *order, int n)
{
    cJSON *a = cJSON_CreateArray();
    for (int k = 0; k < n; k++) {
        const mp_gi *gi = &l->gi[order[k]];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "profile",
                                l->model->profiles[gi->profile].name);
        cJSON_AddNumberToObject(o, "start", gi->start);
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

/* The existing entries of mask, those in use last. */
static cJSON *mask_json(const mp_fit_current_view *v, unsigned mask)
{
    const mp_gpu_state *g = v->gpu;
    cJSON *a = cJSON_CreateArray();
    for (int pass = 0; pass < 2; pass++)
        for (int q = 0; q < g->layout.gis.n; q++)
            if ((mask & (1u << q)) && (g->gi[q].n_processes > 0) == pass)
                cJSON_AddItemToArray(a, existing_json(v, q));
    return a;
}

static cJSON *alone_json(const mp_fit_current_view *v)
{
    const mp_model *m = v->gpu->layout.gis.model;
    cJSON *a = cJSON_CreateArray();
    for (int k = 0; k < v->n_alone; k++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "profile",
                                m->profiles[v->alone[k].profile].name);
        if (v->alone[k].pin >= 0)
            cJSON_AddNumberToObject(o, "start", v->alone[k].pin);
        else
            cJSON_AddNullToObject(o, "start");
        cJSON_AddBoolToObject(o, "fits_alone", v->alone[k].fits);
        if (v->alone[k].fits || v->alone[k].must_go)
            cJSON_AddItemToObject(o, "fits_if_destroyed",
                                  mask_json(v, v->alone[k].must_go));
        else
            cJSON_AddNullToObject(o, "fits_if_destroyed");
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

/* Why what fits does not fit now: the process on the whole GPU. */
static void whole_busy_json(const mp_fit_current_view *v, cJSON *root)
{
    char why[200];
    snprintf(why, sizeof(why),
             "MIG is disabled and %s runs on the whole GPU; enabling MIG "
             "needs the GPU idle",
             v->whole_busy);
    cJSON_AddStringToObject(root, "reason", why);
    cJSON *b = cJSON_AddArrayToObject(root, "blocked_by");
    cJSON *o = cJSON_CreateObject();
    cJSON_AddBoolToObject(o, "whole_gpu", true);
    cJSON_AddBoolToObject(o, "in_use", true);
    cJSON_AddStringToObject(o, "process", v->whole_busy);
    cJSON_AddItemToArray(b, o);
}

void mp_emit_fit_current_json(const mp_fit_current_view *v, mp_buf *out)
{
    const mp_gpu_state *g = v->gpu;
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "model", g->layout.gis.model->id);
    cJSON_AddNumberToObject(root, "gpu_index", g->index);
    cJSON_AddBoolToObject(root, "fits", v->fits && !v->whole_busy);
    if (v->enable_mig)
        cJSON_AddBoolToObject(root, "fits_when_idle", v->fits);
    if (v->fits && v->whole_busy)
        whole_busy_json(v, root);
    cJSON *ex = cJSON_AddArrayToObject(root, "existing");
    for (int q = 0; q < g->layout.gis.n; q++)
        cJSON_AddItemToArray(ex, existing_json(v, q));
    int order[MP_MAX_GIS];
    if (v->fits) {
        int n = added_order(v, v->layout, order);
        cJSON_AddItemToObject(root, "added", added_json(v->layout, order, n));
        cJSON *cmds = cJSON_AddArrayToObject(root, "commands");
        char cmd[96];
        if (v->enable_mig) {
            snprintf(cmd, sizeof(cmd), "nvidia-smi -i %d -mig 1", g->index);
            cJSON_AddItemToArray(cmds, cJSON_CreateString(cmd));
        }
        for (int k = 0; k < n; k++) {
            const mp_gi *gi = &v->layout->gi[order[k]];
            snprintf(cmd, sizeof(cmd), "nvidia-smi mig -i %d -cgi %d:%d -C",
                     g->index, v->layout->model->profiles[gi->profile].id,
                     gi->start);
            cJSON_AddItemToArray(cmds, cJSON_CreateString(cmd));
        }
    } else {
        cJSON_AddStringToObject(root, "reason", v->reason);
        cJSON_AddItemToObject(root, "blocked_by", mask_json(v, v->must_go));
        int n = v->instead ? added_order(v, v->instead, order) : 0;
        cJSON_AddItemToObject(root, "fits_instead",
                              added_json(v->instead, order, n));
        cJSON_AddItemToObject(root, "alone", alone_json(v));
    }
    mp_json_print(root, out);
    cJSON_Delete(root);
}
