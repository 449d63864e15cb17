/* SPDX-License-Identifier: Apache-2.0 */
/* geometry_out.c - geometries, compute-instance layouts and fit answers
 * for one GPU, as text with slot diagrams or as JSON. */
#include "migplan/emit/geometry_out.h"

#include <stdio.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "migplan/emit/diagram.h"
#include "migplan/emit/svg.h"
#include "migplan/util/error.h"
#include "migplan/util/json_out.h"

/* "3g.40gb + 2g.20gb + 1g.10gb x2": largest profiles first, as the layouts
 * read. */
static void geometry_text(const mp_model *m, const mp_geometry *g, char *buf,
                          size_t n)
{
    size_t k = 0;
    buf[0] = '\0';
    for (int c = m->compute_slices; c >= 1; c--)
        for (int p = 0; p < m->n_profiles; p++) {
            if (m->profiles[p].compute_slices != c || !g->count[p] || k >= n)
                continue;
            if (g->count[p] == 1)
                mp_catf(buf, n, &k, "%s%s", k ? " + " : "",
                        m->profiles[p].name);
            else
                mp_catf(buf, n, &k, "%s%s x%d", k ? " + " : "",
                        m->profiles[p].name, g->count[p]);
        }
}

/* A placement that realises geometry g, largest first; false if none. */
static bool realise(const mp_model *m, const mp_geometry *g, mp_layout *l)
{
    int cnt[MP_MAX_PROFILES];
    for (int k = 0; k < m->n_profiles; k++)
        cnt[k] = g->count[k];
    if (mp_geom_fit_counts_best(m, cnt, l, NULL) != 0)
        return false;
    mp_geom_sort_largest_first(l);
    return true;
}

/* "h100-sxm5-80gb: 19 maximal geometries without 1g.20gb", no newline */
static void geometries_title(const mp_geom_view *v, mp_buf *out)
{
    const mp_geom_list *list = v->list;
    mp_buf_printf(out, "%s: %d %sgeometr%s", v->model->id, list->n,
                  v->maximal ? "maximal " : "", list->n == 1 ? "y" : "ies");
    if (v->n_without || v->no_media) {
        mp_buf_puts(out, " without");
        for (int w = 0; w < v->n_without; w++)
            mp_buf_printf(out, " %s", v->without[w]);
        if (v->no_media)
            mp_buf_puts(out, " +me profiles");
    }
}

void mp_emit_geometries_table(const mp_geom_view *v, mp_buf *out)
{
    const mp_model *m = v->model;
    const mp_geom_list *list = v->list;
    geometries_title(v, out);
    mp_buf_puts(out, "\n\n");
    mp_diagram_opts dopt = {
        .unicode = v->unicode, .indent = "  ", .footer = true};
    for (int i = 0; i < list->n; i++) {
        const mp_geometry *g = &list->v[i];
        char text[400];
        geometry_text(m, g, text, sizeof(text));
        mp_buf_printf(out, "%3d. %s%s\n", i + 1, text,
                      g->maximal && !v->maximal ? "  (maximal)" : "");
        if (!v->diagrams)
            continue;
        mp_layout l;
        if (realise(m, g, &l))
            mp_diagram(&l, &dopt, out);
        mp_buf_putc(out, '\n');
    }
}

int mp_emit_geometries_svg(const mp_geom_view *v, mp_buf *out)
{
    const mp_model *m = v->model;
    const mp_geom_list *list = v->list;
    size_t n = (size_t)list->n + 1;
    mp_layout *lay = malloc(n * sizeof(*lay));
    mp_svg_item *items = malloc(n * sizeof(*items));
    char(*caps)[440] = malloc(n * sizeof(*caps));
    mp_buf title = MP_BUF_INIT;
    int rc = lay && items && caps ? 0 : MP_ENOMEM;
    for (int i = 0; !rc && i < list->n; i++) {
        const mp_geometry *g = &list->v[i];
        char text[400];
        geometry_text(m, g, text, sizeof(text));
        snprintf(caps[i], sizeof(caps[i]), "%d. %s%s", i + 1, text,
                 g->maximal && !v->maximal ? "  (maximal)" : "");
        items[i].caption = caps[i];
        items[i].layout = realise(m, g, &lay[i]) ? &lay[i] : NULL;
    }
    if (!rc) {
        geometries_title(v, &title);
        mp_svg_geometries(m, mp_buf_str(&title), items, list->n, out);
    }
    mp_buf_free(&title);
    free(lay);
    free(items);
    free(caps);
    return rc;
}

/* [{"profile", "profile_id", "start", "size"}] in layout order */
static cJSON *placements_json(const mp_layout *l)
{
    cJSON *pl = cJSON_CreateArray();
    for (int k = 0; k < l->n; k++) {
        cJSON *po = cJSON_CreateObject();
        const mp_gi_profile *gp = &l->model->profiles[l->gi[k].profile];
        cJSON_AddStringToObject(po, "profile", gp->name);
        cJSON_AddNumberToObject(po, "profile_id", gp->id);
        cJSON_AddNumberToObject(po, "start", l->gi[k].start);
        cJSON_AddNumberToObject(po, "size", gp->memory_slices);
        cJSON_AddItemToArray(pl, po);
    }
    return pl;
}

static cJSON *geometry_json(const mp_model *m, const mp_geometry *g)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *pr = cJSON_AddObjectToObject(o, "profiles");
    for (int k = 0; k < m->n_profiles; k++)
        if (g->count[k])
            cJSON_AddNumberToObject(pr, m->profiles[k].name, g->count[k]);
    cJSON_AddNumberToObject(o, "instances", g->instances);
    cJSON_AddNumberToObject(o, "compute_slices_used", g->compute_used);
    cJSON_AddNumberToObject(o, "memory_slices_used", g->memory_used);
    cJSON_AddBoolToObject(o, "maximal", g->maximal);
    mp_layout l;
    if (realise(m, g, &l)) {
        mp_capacity cap;
        mp_geom_capacity(&l, &cap);
        cJSON_AddNumberToObject(o, "stranded_compute_slices",
                                cap.stranded_compute);
        cJSON_AddNumberToObject(o, "stranded_memory_slices",
                                cap.stranded_memory);
        cJSON_AddItemToObject(o, "placements", placements_json(&l));
    }
    return o;
}

void mp_emit_geometries_json(const mp_geom_view *v, mp_buf *out)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "model", v->model->id);
    cJSON_AddNumberToObject(root, "count", v->list->n);
    cJSON_AddBoolToObject(root, "maximal_only", v->maximal);
    cJSON *arr = cJSON_AddArrayToObject(root, "geometries");
    for (int i = 0; i < v->list->n; i++)
        cJSON_AddItemToArray(arr, geometry_json(v->model, &v->list->v[i]));
    mp_json_print(root, out);
    cJSON_Delete(root);
}

void mp_emit_ci_combos_table(const mp_model *m, const mp_gi_profile *gi,
                             const int (*combos)[MP_MAX_CI], int n, mp_buf *out)
{
    mp_buf_printf(out,
                  "%s %s GPU instance (%d compute slices): %d maximal "
                  "compute-instance layouts\n",
                  m->id, gi->name, gi->compute_slices, n);
    for (int i = 0; i < n; i++) {
        mp_buf_puts(out, "  ");
        bool first = true;
        for (int k = gi->n_cis - 1; k >= 0; k--) {
            if (!combos[i][k])
                continue;
            mp_buf_printf(out, "%s%s", first ? "" : " + ", gi->cis[k].name);
            if (combos[i][k] > 1)
                mp_buf_printf(out, " x%d", combos[i][k]);
            first = false;
        }
        mp_buf_putc(out, '\n');
    }
    bool inferred = false;
    for (int k = 0; k < gi->n_cis; k++)
        inferred |= gi->cis[k].inferred != NULL;
    if (inferred)
        mp_buf_puts(out, "(some of these compute-instance profiles are "
                         "inferred; `migplan profiles` says which)\n");
    mp_buf_puts(out, "Compute instances share the GI's memory and engines; "
                     "create them with\nnvidia-smi mig -cci <CI profile IDs> "
                     "-gi <GI ID>.\n");
}

void mp_emit_ci_combos_json(const mp_model *m, const mp_gi_profile *gi,
                            const int (*combos)[MP_MAX_CI], int n, mp_buf *out)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "model", m->id);
    cJSON_AddStringToObject(root, "gpu_instance", gi->name);
    cJSON_AddNumberToObject(root, "count", n);
    cJSON *arr = cJSON_AddArrayToObject(root, "combinations");
    for (int i = 0; i < n; i++) {
        cJSON *o = cJSON_CreateObject();
        for (int k = 0; k < gi->n_cis; k++)
            if (combos[i][k])
                cJSON_AddNumberToObject(o, gi->cis[k].name, combos[i][k]);
        cJSON_AddItemToArray(arr, o);
    }
    mp_json_print(root, out);
    cJSON_Delete(root);
}

/* "nvidia-smi mig -i 0 -cgi 9:4,14:0 -C" in the given order */
static void cgi_line(const mp_layout *l, const int *order, bool placed,
                     mp_buf *b)
{
    mp_buf_puts(b, "nvidia-smi mig -i 0 -cgi ");
    for (int k = 0; k < l->n; k++) {
        const mp_gi *g = &l->gi[order[k]];
        mp_buf_printf(b, "%s%d", k ? "," : "",
                      l->model->profiles[g->profile].id);
        if (placed)
            mp_buf_printf(b, ":%d", g->start);
    }
    mp_buf_puts(b, " -C\n");
}

/* The nvidia-smi commands that create the layout of v: with placements,
 * and in an order that works where the driver picks the slots. */
static void creation_text(const mp_fit_view *v, mp_buf *out)
{
    const mp_layout *l = v->layout;
    int ident[MP_MAX_GIS];
    for (int i = 0; i < l->n; i++)
        ident[i] = i;
    mp_buf_puts(out, "create with explicit placements:\n  ");
    cgi_line(l, v->order ? v->order : ident, true, out);
    if (!v->order) {
        mp_buf_puts(out, "no creation order works when the driver picks the "
                         "slots: use the explicit placements\n");
        return;
    }
    mp_buf_puts(out, "or, where the driver picks the slots, in this "
                     "order:\n  ");
    cgi_line(l, v->order, false, out);
    if (!v->exact)
        mp_buf_puts(out, "  (the driver then uses other slots for the same "
                         "instances)\n");
}

void mp_emit_fit_table(const mp_fit_view *v, mp_buf *out)
{
    if (!v->fits) {
        mp_buf_printf(out, "does not fit one %s: %s\n", v->model->id,
                      v->reason);
        return;
    }
    const mp_layout *l = v->layout;
    mp_buf_printf(out, "fits one %s:\n\n", v->model->id);
    mp_diagram_opts d = {.unicode = v->unicode, .indent = "", .footer = true};
    mp_diagram(l, &d, out);
    mp_buf_putc(out, '\n');
    creation_text(v, out);
}

void mp_emit_fit_svg(const mp_fit_view *v, mp_buf *out)
{
    mp_buf notes = MP_BUF_INIT;
    if (v->fits)
        creation_text(v, &notes);
    mp_svg_fit(v->model, v->fits ? v->layout : NULL, v->reason,
               mp_buf_str(&notes), out);
    mp_buf_free(&notes);
}

static cJSON *capacity_json(const mp_layout *l)
{
    mp_capacity cap;
    mp_geom_capacity(l, &cap);
    cJSON *co = cJSON_CreateObject();
    cJSON_AddNumberToObject(co, "compute_used", cap.compute_used);
    cJSON_AddNumberToObject(co, "compute_total", cap.compute_total);
    cJSON_AddNumberToObject(co, "memory_used", cap.memory_used);
    cJSON_AddNumberToObject(co, "memory_total", cap.memory_total);
    cJSON_AddNumberToObject(co, "stranded_compute_slices",
                            cap.stranded_compute);
    cJSON_AddNumberToObject(co, "stranded_memory_slices", cap.stranded_memory);
    if (cap.largest_addable >= 0)
        cJSON_AddStringToObject(co, "largest_addable",
                                l->model->profiles[cap.largest_addable].name);
    else
        cJSON_AddNullToObject(co, "largest_addable");
    return co;
}

void mp_emit_fit_json(const mp_fit_view *v, mp_buf *out)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "model", v->model->id);
    cJSON_AddBoolToObject(root, "fits", v->fits);
    if (!v->fits) {
        cJSON_AddStringToObject(root, "reason", v->reason);
    } else {
        cJSON_AddItemToObject(root, "placements", placements_json(v->layout));
        cJSON_AddItemToObject(root, "capacity", capacity_json(v->layout));
        if (v->order) {
            cJSON *ord = cJSON_AddArrayToObject(root, "creation_order");
            for (int k = 0; k < v->layout->n; k++)
                cJSON_AddItemToArray(ord, cJSON_CreateNumber(v->order[k]));
            cJSON_AddBoolToObject(root, "driver_reproduces_placements",
                                  v->exact);
        } else {
            cJSON_AddNullToObject(root, "creation_order");
        }
    }
    mp_json_print(root, out);
    cJSON_Delete(root);
}
