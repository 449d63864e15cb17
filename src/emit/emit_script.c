/* SPDX-License-Identifier: Apache-2.0 */
/* emit_script.c - nvidia-smi scripts that create MIG layouts safely.
 *
 * The script is data-driven: the logic (listing the GPUs, picking each
 * one's layout, checking every GPU before the first change, the "already
 * done?" test, clearing, creating in a safe order, verifying) is written
 * once, in src/script_runtime.sh, embedded at build time; the layouts and
 * rules follow as data. Every dynamic string is shell-quoted; names only
 * ever appear in comments, made printable. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migplan/util/buf.h"
#include "migplan/emit/diagram.h"
#include "migplan/emit/emit_script.h"
#include "migplan/model/gpu_layout.h"
#include "migplan/script/script.h"
#include "script_runtime.h"

/* Append s single-quoted for the shell. */
static void sq(mp_buf *b, const char *s)
{
    mp_buf_putc(b, '\'');
    for (; *s; s++) {
        if (*s == '\'')
            mp_buf_puts(b, "'\\''");
        else
            mp_buf_putc(b, *s);
    }
    mp_buf_putc(b, '\'');
}

/* Append s for a comment: printable ASCII only, so nothing can end the
 * comment line. */
static void comment_text(mp_buf *b, const char *s)
{
    for (; *s; s++)
        mp_buf_putc(b, (*s >= 0x20 && *s < 0x7f) ? *s : '?');
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The layout signature the script compares against what `nvidia-smi mig
 * -lgi`/`-lci` report: per GI "PROFILE:START:SIZE=CI,CI" (without START
 * when the driver places), CI profile IDs sorted, GIs sorted as C strings. */
static void signature(const mp_gpu_layout *g, bool with_start, mp_buf *b)
{
    char *items[MP_MAX_GIS];
    for (int k = 0; k < g->gis.n; k++) {
        const mp_gi_profile *p = &g->gis.model->profiles[g->gis.gi[k].profile];
        int ids[64];
        int nid = mp_gpu_layout_ci_ids(g, k, ids, 64);
        for (int a = 1; a < nid; a++)
            for (int x = a; x > 0 && ids[x] < ids[x - 1]; x--) {
                int t = ids[x];
                ids[x] = ids[x - 1];
                ids[x - 1] = t;
            }
        char buf[400];
        size_t n = with_start
                       ? (size_t)snprintf(buf, sizeof(buf), "%d:%d:%d=", p->id,
                                          g->gis.gi[k].start, p->memory_slices)
                       : (size_t)snprintf(buf, sizeof(buf), "%d:%d=", p->id,
                                          p->memory_slices);
        for (int i = 0; i < nid && n < sizeof(buf); i++)
            mp_catf(buf, sizeof(buf), &n, "%s%d", i ? "," : "", ids[i]);
        items[k] = strdup(buf);
    }
    qsort(items, (size_t)g->gis.n, sizeof(*items), cmp_str);
    for (int k = 0; k < g->gis.n; k++) {
        mp_buf_printf(b, "%s%s", k ? " " : "", items[k] ? items[k] : "");
        free(items[k]);
    }
}

/* The compute instances to create, per GI in creation order:
 * "PROFILE[:START]=CI,CI ..." (nothing after '=' for the default one), or
 * "-C" when every GI gets its default compute instance. */
static void ci_spec(const mp_gpu_layout *g, const int *order, bool placed,
                    mp_buf *out)
{
    bool all_default = true;
    for (int q = 0; q < g->gis.n; q++)
        all_default &= !g->ci_explicit[q];
    if (all_default) {
        mp_buf_puts(out, "-C");
        return;
    }
    for (int q = 0; q < g->gis.n; q++) {
        int i = order[q];
        const mp_gi_profile *p = &g->gis.model->profiles[g->gis.gi[i].profile];
        mp_buf_printf(out, "%s%d", q ? " " : "", p->id);
        if (placed)
            mp_buf_printf(out, ":%d", g->gis.gi[i].start);
        mp_buf_putc(out, '=');
        if (!g->ci_explicit[i])
            continue;
        int ids[64];
        int nid = mp_gpu_layout_ci_ids(g, i, ids, 64);
        for (int k = 0; k < nid; k++)
            mp_buf_printf(out, "%s%d", k ? "," : "", ids[k]);
    }
}

/* "mig|-cgi list|CI spec|expected layout|placed" for layout_data. */
static void layout_record(const mp_gpu_layout *g, bool placed, mp_buf *out)
{
    if (!g->mig_enabled) {
        mp_buf_puts(out, "off||||0");
        return;
    }
    int order[MP_MAX_GIS];
    mp_gpu_layout_creation_order(g, order);
    mp_buf_puts(out, "mig|");
    for (int q = 0; q < g->gis.n; q++) {
        const mp_gi *gi = &g->gis.gi[order[q]];
        mp_buf_printf(out, "%s%d", q ? "," : "",
                      g->gis.model->profiles[gi->profile].id);
        if (placed)
            mp_buf_printf(out, ":%d", gi->start);
    }
    mp_buf_putc(out, '|');
    ci_spec(g, order, placed, out);
    mp_buf_putc(out, '|');
    signature(g, placed, out);
    mp_buf_printf(out, "|%d", placed ? 1 : 0);
}

/* The slot diagram of a MIG layout, with its labels, as comment lines. */
static void layout_diagram(const mp_gpu_layout *g, const mp_script_labels *lab,
                           mp_buf *out)
{
    char labels[MP_MAX_GIS][96];
    const char *subs[MP_MAX_GIS];
    bool any = false;
    for (int q = 0; q < g->gis.n; q++) {
        labels[q][0] = '\0';
        if (lab->gi[q]) {
            mp_buf tmp = MP_BUF_INIT;
            comment_text(&tmp, lab->gi[q]);
            snprintf(labels[q], sizeof(labels[q]), "%s", mp_buf_str(&tmp));
            mp_buf_free(&tmp);
            any = true;
        }
        subs[q] = labels[q];
    }
    mp_diagram_opts dopt = {.unicode = false,
                            .sublabels = any ? subs : NULL,
                            .indent = "#   ",
                            .footer = false};
    mp_diagram(&g->gis, &dopt, out);
}

/* "#   compute instances: 3g.40gb@0 default; ..." when a GI is split. */
static void ci_comment(const mp_gpu_layout *g, mp_buf *out)
{
    bool explicit_cis = false;
    for (int q = 0; q < g->gis.n; q++)
        explicit_cis |= g->ci_explicit[q];
    if (!explicit_cis)
        return;
    mp_buf_puts(out, "#   compute instances:");
    for (int q = 0; q < g->gis.n; q++) {
        const mp_gi_profile *p = &g->gis.model->profiles[g->gis.gi[q].profile];
        mp_buf_printf(out, "%s %s@%d ", q ? ";" : "", p->name,
                      g->gis.gi[q].start);
        if (!g->ci_explicit[q]) {
            mp_buf_puts(out, "default");
            continue;
        }
        bool first = true;
        for (int c = 0; c < p->n_cis; c++)
            if (g->ci_count[q][c]) {
                mp_buf_printf(out, "%s%d x %s", first ? "" : " + ",
                              g->ci_count[q][c], p->cis[c].name);
                first = false;
            }
    }
    mp_buf_putc(out, '\n');
}

static void layout_comment(const mp_script *s, int li, mp_buf *out)
{
    const mp_gpu_layout *g = &s->layouts[li];
    const mp_script_labels *lab = &s->labels[li];
    mp_buf_printf(out, "#\n# Layout %d: ", li + 1);
    if (!g->mig_enabled) {
        mp_buf_puts(out, "MIG disabled");
        if (g->gis.model)
            mp_buf_printf(out, " (%s)", g->gis.model->id);
    } else {
        mp_buf_puts(out, g->gis.model->id);
    }
    if (lab->note) {
        mp_buf_puts(out, ", ");
        comment_text(out, lab->note);
    }
    mp_buf_putc(out, '\n');
    if (!g->mig_enabled)
        return;
    if (g->gis.n == 0) {
        mp_buf_puts(out, "#   MIG enabled, no instances\n");
        return;
    }
    layout_diagram(g, lab, out);
    ci_comment(g, out);
}

/* A case pattern: "0x233010DE/" then "*" (any subsystem) or the
 * subsystem ID; a lone "*" for any GPU. */
static void choice_pattern(const mp_script_choice *c, mp_buf *out)
{
    if (c->n_ids == 0) {
        mp_buf_putc(out, '*');
        return;
    }
    for (int k = 0; k < c->n_ids; k++) {
        mp_buf_printf(out, "%s0x%08X/", k ? " | " : "", c->devices[k]);
        if (c->subsystems && c->subsystems[k])
            mp_buf_printf(out, "0x%08X", c->subsystems[k]);
        else
            mp_buf_putc(out, '*');
    }
}

/* Choices of a rule that share a layout are shown and matched together;
 * first[c] tells whether choice c is the first with its layout. */
static void first_of_layout(const mp_script_rule *r, bool *first)
{
    for (int c = 0; c < r->n_choices; c++) {
        first[c] = true;
        for (int p = 0; p < c && first[c]; p++)
            first[c] = r->choices[p].layout != r->choices[c].layout;
    }
}

static void rule_comment(const mp_script_rule *r, mp_buf *out)
{
    mp_buf_puts(out, "#   ");
    comment_text(out, r->origin ? r->origin : "(rule)");
    mp_buf_puts(out, ":");
    bool first[64];
    first_of_layout(r, first);
    int shown = 0;
    for (int c = 0; c < r->n_choices && c < 64; c++) {
        if (!first[c])
            continue;
        const mp_script_choice *ch = &r->choices[c];
        mp_buf_printf(out, "%s ", shown++ ? "," : "");
        if (ch->model_id)
            mp_buf_printf(out, "%s ", ch->model_id);
        else if (ch->n_ids)
            mp_buf_printf(out, "0x%08X ", ch->devices[0]);
        else
            mp_buf_puts(out, "any GPU ");
        mp_buf_printf(out, "-> layout %d", ch->layout + 1);
    }
    if (r->n_choices == 0)
        mp_buf_puts(out, " nothing migplan can set up");
    mp_buf_putc(out, '\n');
}

/* "'h100-sxm5-80gb (0x233010DE)' or ..." for wrong_model */
static void expected_text(const mp_script_rule *r, mp_buf *out)
{
    for (int c = 0; c < r->n_choices; c++) {
        const mp_script_choice *ch = &r->choices[c];
        if (c)
            mp_buf_puts(out, c == r->n_choices - 1 ? " or " : ", ");
        mp_buf_printf(out, "%s (", ch->model_id ? ch->model_id : "a GPU");
        for (int k = 0; k < ch->n_ids; k++)
            mp_buf_printf(out, "%s0x%08X", k ? ", " : "", ch->devices[k]);
        mp_buf_putc(out, ')');
    }
}

static void rule_code(const mp_script_rule *r, mp_buf *out)
{
    mp_buf_puts(out, "    # ");
    comment_text(out, r->origin ? r->origin : "(rule)");
    mp_buf_putc(out, '\n');
    const char *in = "    ";
    if (!r->all) {
        mp_buf_puts(out, "    case $idx in\n    ");
        for (int k = 0; k < r->n_indices; k++)
            mp_buf_printf(out, "%s%d", k ? " | " : "", r->indices[k]);
        mp_buf_puts(out, ")\n");
        in = "        ";
    }
    mp_buf_printf(out, "%scase $id in\n", in);
    bool any_catch = false, first[64];
    first_of_layout(r, first);
    for (int c = 0; c < r->n_choices && c < 64; c++) {
        if (!first[c])
            continue;
        mp_buf_puts(out, in);
        for (int k = c; k < r->n_choices; k++)
            if (r->choices[k].layout == r->choices[c].layout) {
                if (k != c)
                    mp_buf_puts(out, " | ");
                choice_pattern(&r->choices[k], out);
                any_catch |= r->choices[k].n_ids == 0;
            }
        mp_buf_printf(out, ") pick=%d ;;\n", r->choices[c].layout + 1);
    }
    if (r->strict && !any_catch) {
        mp_buf_printf(out, "%s*) wrong_model \"$idx\" \"${id%%%%/*}\" ", in);
        sq(out, r->origin ? r->origin : "this script");
        mp_buf_putc(out, ' ');
        mp_buf tmp = MP_BUF_INIT;
        expected_text(r, &tmp);
        sq(out, mp_buf_str(&tmp));
        mp_buf_free(&tmp);
        mp_buf_puts(out, " ;;\n");
    } else if (!any_catch) {
        mp_buf_printf(out, "%s*) ;;\n", in);
    }
    mp_buf_printf(out, "%sesac\n", in);
    if (!r->all)
        mp_buf_puts(out, "        ;;\n    esac\n");
}

/* The comments that open the script: where it came from, what it does,
 * each layout and each rule. */
static void head_comment(const mp_script *s, const mp_script_opts *o,
                         bool placed, mp_buf *out)
{
    mp_buf_puts(out, "#!/usr/bin/env bash\n");
    mp_buf_printf(out, "# Written by migplan %s from ", MIGPLAN_VERSION);
    comment_text(out, o->source ? o->source : "(unknown)");
    mp_buf_puts(out, ".\n#\n");
    mp_buf_puts(
        out,
        "# Gives each GPU below its MIG layout with nvidia-smi. It lists the "
        "GPUs, picks\n# each one's layout by the rules below, and checks "
        "them all (model, running\n# processes) before the first change. A "
        "GPU that already has its layout is\n# left alone, so the script is "
        "safe to run twice. Run it as root.\n# DRY_RUN=1 prints the "
        "commands that change GPUs instead of running them.\n");
    if (placed)
        mp_buf_puts(out, "# GPU instances are created at explicit start "
                         "slots (nvidia-smi mig -cgi ID:START),\n# largest "
                         "first, and checked with nvidia-smi mig -lgi.\n");
    else
        mp_buf_puts(out,
                    "# GPU instances are created without start slots, in "
                    "an order that works when the\n# driver picks the slots "
                    "itself (drivers without the ID:START form).\n");
    for (int li = 0; li < s->n_layouts; li++)
        layout_comment(s, li, out);
    mp_buf_puts(out, "#\n# Rules, in order; a GPU takes the layout of the "
                     "last rule that selects it:\n");
    for (int r = 0; r < s->n_rules; r++)
        rule_comment(&s->rules[r], out);
    if (s->n_rules == 0)
        mp_buf_puts(out, "#   (none: this script changes nothing)\n");
    mp_buf_puts(out, "\n");
}

/* layout_data and pick_layout: the layouts and rules as shell data. */
static void data_functions(const mp_script *s, bool placed, mp_buf *out)
{
    mp_buf_puts(out, "\n# ---- data: the layouts and rules above ----\n\n");
    mp_buf_puts(out, "# kind|nvidia-smi -cgi list|compute instances|layout "
                     "to verify|placed\n");
    mp_buf_puts(out, "layout_data() {\n    case $1 in\n");
    for (int li = 0; li < s->n_layouts; li++) {
        mp_buf tmp = MP_BUF_INIT;
        layout_record(&s->layouts[li], placed, &tmp);
        mp_buf_printf(out, "    %d) echo ", li + 1);
        sq(out, mp_buf_str(&tmp));
        mp_buf_puts(out, " ;;\n");
        mp_buf_free(&tmp);
    }
    mp_buf_puts(out, "    *) die \"internal error: no layout $1\" ;;\n"
                     "    esac\n}\n\n");
    mp_buf_puts(out, "# The layout of GPU $1 with PCI IDs $2 "
                     "(DEVICE/SUBSYSTEM), or nothing.\n");
    mp_buf_puts(out, "pick_layout() {\n"
                     "    local idx=$1 id=$2 pick=\n");
    for (int r = 0; r < s->n_rules; r++)
        rule_code(&s->rules[r], out);
    mp_buf_puts(out, "    printf '%s\\n' \"$pick\"\n}\n\n");
}

/* required_gpus, and offline_gpus: what a preview without nvidia-smi
 * assumes (the required GPUs, each the first model its rule expects). */
static int gpu_lists(const mp_script *s, mp_buf *out, mp_diag *d)
{
    /* per required GPU index, the last strict rule naming it with a PCI
     * ID (in one pass over the rules: a plan has a rule per GPU) */
    int top = -1;
    for (int k = 0; k < s->n_required; k++)
        top = s->required[k] > top ? s->required[k] : top;
    const mp_script_rule **hit_of = calloc((size_t)top + 1, sizeof(*hit_of));
    if (!hit_of)
        return mp_diag_set(d, MP_ENOMEM, NULL, 0, 0, "out of memory");
    for (int r = 0; r < s->n_rules; r++) {
        const mp_script_rule *x = &s->rules[r];
        if (!x->strict || x->all || x->n_choices == 0 ||
            x->choices[0].n_ids == 0)
            continue;
        for (int i = 0; i < x->n_indices; i++)
            if (x->indices[i] >= 0 && x->indices[i] <= top)
                hit_of[x->indices[i]] = x;
    }
    mp_buf_puts(out, "required_gpus='");
    for (int k = 0; k < s->n_required; k++)
        mp_buf_printf(out, "%s%d", k ? " " : "", s->required[k]);
    mp_buf_puts(out, "'\n");
    mp_buf_puts(out, "offline_gpus='");
    bool first = true;
    for (int k = 0; k < s->n_required; k++) {
        const mp_script_rule *hit =
            s->required[k] >= 0 ? hit_of[s->required[k]] : NULL;
        if (!hit)
            continue;
        mp_buf_printf(out, "%s%d 0x%08X/0x00000000", first ? "" : "\n",
                      s->required[k], hit->choices[0].devices[0]);
        first = false;
    }
    mp_buf_puts(out, "'\n");
    free(hit_of);
    return 0;
}

/* Runtime rt, with the functions both runtimes share (their file's
 * leading comment lines left out) where it says @COMMON@. */
static void put_runtime(mp_buf *out, const char *rt, size_t len)
{
    static const char mark[] = "# @COMMON@\n";
    const char *at = strstr(rt, mark);
    if (!at) {
        mp_buf_add(out, rt, len);
        return;
    }
    mp_buf_add(out, rt, (size_t)(at - rt));
    const char *c = mp_script_common;
    for (const char *nl; *c == '#' && (nl = strchr(c, '\n'));)
        c = nl + 1;
    mp_buf_add(out, c, mp_script_common_len - (size_t)(c - mp_script_common));
    const char *rest = at + sizeof(mark) - 1;
    mp_buf_add(out, rest, len - (size_t)(rest - rt));
}

int mp_emit_script(const mp_script *s, const mp_script_opts *o, mp_buf *out,
                   mp_diag *d)
{
    bool placed = !o->no_placement;
    for (int li = 0; li < s->n_layouts && !placed; li++) {
        const mp_gpu_layout *g = &s->layouts[li];
        int order[MP_MAX_GIS];
        if (g->mig_enabled && !mp_gpu_layout_creation_order(g, order))
            return mp_diag_set(
                d, MP_EINFEASIBLE, NULL, 0, 0,
                "layout %d (%s) has no creation order that works when the "
                "driver picks the slots; drop --no-placement",
                li + 1, g->gis.model->id);
    }
    head_comment(s, o, placed, out);
    put_runtime(out, mp_script_runtime, mp_script_runtime_len);
    data_functions(s, placed, out);
    if (gpu_lists(s, out, d))
        return MP_ENOMEM;
    mp_buf_puts(out, "\nmain \"$@\"\n");
    return 0;
}

/* ------------------------------------------------------ change scripts */

/* Words joined sorted as C strings (the runtime sorts what it reads with
 * LC_ALL=C sort), freed here. */
static void put_sorted(char **items, int n, mp_buf *out)
{
    qsort(items, (size_t)n, sizeof(*items), cmp_str);
    for (int k = 0; k < n; k++) {
        mp_buf_printf(out, "%s%s", k ? " " : "", items[k] ? items[k] : "");
        free(items[k]);
    }
}

/* A GPU instance ID in a change script's data: "?" when the state did not
 * give it (the runtime finds it on the node by profile and start). */
static const char *id_word(int gi_id, char *buf, size_t n)
{
    if (gi_id < 0)
        return "?";
    snprintf(buf, n, "%d", gi_id);
    return buf;
}

/* "ID:PROFILE-ID:START" of a change entry. */
static void change_word(const mp_model *m, const mp_gi_change *c, mp_buf *out,
                        const char *sep)
{
    char id[16];
    mp_buf_printf(out, "%s%s:%d:%d", sep, id_word(c->gi_id, id, sizeof(id)),
                  m->profiles[c->profile].id, c->start);
}

/* The fields gpu_data gives for GPU g (see change_runtime.sh). */
static void change_record(const mp_change_gpu *g, mp_buf *out)
{
    const mp_gpu_change *c = &g->change;
    const mp_layout *from = &g->from.layout.gis, *to = &g->to.gis;
    const mp_model *m = from->model;
    mp_buf_printf(out, "%s|", m->id);
    for (int k = 0; k < m->n_pci_ids; k++)
        mp_buf_printf(out, "%s0x%08X", k ? " " : "", m->pci_ids[k]);
    /* the MIG mode when planned and the one planned, both spelled as
     * nvidia-smi's mig.mode.current: the runtime checks the first */
    mp_buf_printf(out, "|%s|%s|",
                  g->from.layout.mig_enabled ? "Enabled" : "Disabled",
                  g->to.mig_enabled ? "Enabled" : "Disabled");
    char *items[MP_MAX_GIS];
    char w[64];
    int n = g->from.layout.mig_enabled ? from->n : 0;
    for (int q = 0; q < n; q++) {
        char id[16];
        snprintf(w, sizeof(w), "%s:%d:%d",
                 id_word(g->from.gi[q].gi_id, id, sizeof(id)),
                 m->profiles[from->gi[q].profile].id, from->gi[q].start);
        items[q] = strdup(w);
    }
    put_sorted(items, n, out);
    mp_buf_putc(out, '|');
    n = g->to.mig_enabled ? to->n : 0;
    for (int q = 0; q < n; q++) {
        snprintf(w, sizeof(w), "%d:%d", m->profiles[to->gi[q].profile].id,
                 to->gi[q].start);
        items[q] = strdup(w);
    }
    put_sorted(items, n, out);
    mp_buf_putc(out, '|');
    for (int k = 0; k < c->n_keep; k++)
        change_word(m, &c->keep[k], out, k ? " " : "");
    mp_buf_putc(out, '|');
    for (int k = 0; k < c->n_destroy; k++)
        change_word(m, &c->destroy[k], out, k ? " " : "");
    mp_buf_putc(out, '|');
    for (int k = 0; k < c->n_create; k++) {
        const mp_gi_change *x = &c->create[k];
        mp_buf_printf(out, "%s%d:%d=", k ? " " : "", m->profiles[x->profile].id,
                      x->start);
        int ids[64];
        int nid = g->to.ci_explicit[x->to]
                      ? mp_gpu_layout_ci_ids(&g->to, x->to, ids, 64)
                      : 0;
        for (int i = 0; i < nid; i++)
            mp_buf_printf(out, "%s%d", i ? "," : "", ids[i]);
    }
    mp_buf_putc(out, '|');
    bool named[MP_MAX_PROFILES] = {false};
    for (int q = 0; q < from->n + to->n; q++) {
        int p = q < from->n ? from->gi[q].profile : to->gi[q - from->n].profile;
        if (!named[p])
            mp_buf_printf(out, "%s%d=%s", q ? " " : "", m->profiles[p].id,
                          m->profiles[p].name);
        named[p] = true;
    }
}

/* The comment block of GPU g: what it keeps, destroys and creates, and
 * the target's diagram. */
static void change_comment(const mp_change_gpu *g, mp_buf *out)
{
    const mp_gpu_change *c = &g->change;
    const mp_model *m = g->from.layout.gis.model;
    mp_buf_printf(out, "#\n# GPU %d (%s)", g->from.index, m->id);
    if (g->note) {
        mp_buf_puts(out, ", ");
        comment_text(out, g->note);
    }
    mp_buf_printf(out, ": keep %d, destroy %d, create %d%s\n", c->n_keep,
                  c->n_destroy, c->n_create,
                  mp_gpu_change_none(c) ? " (no change)" : "");
    for (int k = 0; k < c->n_destroy; k++) {
        const mp_gi_change *x = &c->destroy[k];
        char id[16];
        mp_buf_printf(out, "#   destroy GI %s (%s@%d)%s\n",
                      id_word(x->gi_id, id, sizeof(id)),
                      m->profiles[x->profile].name, x->start,
                      x->in_use ? ", IN USE when planned" : "");
    }
    if (!g->to.mig_enabled) {
        mp_buf_puts(out, "#   then MIG disabled\n");
        return;
    }
    mp_script_labels lab;
    memset(&lab, 0, sizeof(lab));
    char text[MP_MAX_GIS][32];
    bool any_busy = false;
    for (int k = 0; k < c->n_keep; k++) {
        const mp_gi_change *x = &c->keep[k];
        char id[16];
        snprintf(text[x->to], sizeof(text[0]), "%sGI %s", x->in_use ? "*" : "",
                 id_word(x->gi_id, id, sizeof(id)));
        any_busy |= x->in_use;
        lab.gi[x->to] = text[x->to];
    }
    for (int k = 0; k < c->n_create; k++)
        lab.gi[c->create[k].to] = "new";
    if (g->to.gis.n > 0)
        layout_diagram(&g->to, &lab, out);
    if (any_busy)
        mp_buf_puts(out, "#   (*: in use when planned; kept)\n");
}

/* What the state did not say: GPU instance IDs ("GI ?"), placements. */
static void unknown_ids_comment(const mp_change_script *s, mp_buf *out)
{
    bool unknown = false;
    for (int k = 0; k < s->n; k++)
        for (int q = 0; q < s->gpus[k].from.layout.gis.n; q++)
            unknown |= s->gpus[k].from.gi[q].gi_id < 0;
    if (!s->placements_known)
        mp_buf_puts(out, "#\n# The state was a mig-parted export: counts, no "
                         "placements. The start slots\n# below are where "
                         "mig-parted creates them; if the node holds its "
                         "instances\n# elsewhere, the check stops the script "
                         "before any change.\n");
    if (unknown)
        mp_buf_puts(out,
                    "#\n# GI ?: an ID the state did not give; the script "
                    "finds it on the node by\n# profile and start slot.\n");
}

int mp_emit_change_script(const mp_change_script *s, const mp_script_opts *o,
                          mp_buf *out, mp_diag *d)
{
    if (o->no_placement)
        return mp_diag_set(d, MP_EUSAGE, NULL, 0, 0,
                           "--no-placement does not apply to a change: the "
                           "instances kept stay where they are, so the new "
                           "ones need their start slots");
    mp_buf_puts(out, "#!/usr/bin/env bash\n");
    mp_buf_printf(out, "# Written by migplan %s from ", MIGPLAN_VERSION);
    comment_text(out, o->source ? o->source : "(unknown)");
    mp_buf_puts(
        out,
        ".\n#\n# Changes the GPUs below from the state they were planned "
        "from, without a\n# rebuild: it keeps the GPU instances listed as "
        "kept, destroys only the listed\n# GPU instance IDs and creates the "
        "new instances at their start slots. It\n# first checks that every "
        "GPU still holds what it held when planned (else it\n# stops and "
        "says what differs) and that no instance it destroys is in use. A\n"
        "# GPU already changed is left alone, so the script is safe to run "
        "twice; GPUs\n# not listed are not touched. Run it as root. "
        "DRY_RUN=1 previews every GPU's\n# commands, then lists what "
        "blocks the change.\n");
    unknown_ids_comment(s, out);
    for (int k = 0; k < s->n; k++)
        change_comment(&s->gpus[k], out);
    mp_buf_puts(out, "\n");
    put_runtime(out, mp_change_runtime, mp_change_runtime_len);
    mp_buf_puts(out, "\n# ---- data: the changes above ----\n\n");
    mp_buf_puts(out,
                "# gpu_data N sets g_row to GPU N's model|PCI IDs|MIG mode "
                "when planned|MIG\n# mode planned|GIs when planned "
                "(ID:PROFILE:START)|target (PROFILE:START)|\n"
                "# kept|destroyed|created (PROFILE:START=CIs)|profile "
                "names\n");
    mp_buf_puts(out, "gpu_data() {\n    case $1 in\n");
    for (int k = 0; k < s->n; k++) {
        mp_buf tmp = MP_BUF_INIT;
        change_record(&s->gpus[k], &tmp);
        mp_buf_printf(out, "    %d) g_row=", s->gpus[k].from.index);
        sq(out, mp_buf_str(&tmp));
        mp_buf_puts(out, " ;;\n");
        mp_buf_free(&tmp);
    }
    mp_buf_puts(out, "    *) die \"internal error: no GPU $1\" ;;\n"
                     "    esac\n}\n\nchange_gpus='");
    for (int k = 0; k < s->n; k++)
        mp_buf_printf(out, "%s%d", k ? " " : "", s->gpus[k].from.index);
    mp_buf_puts(out, "'\n\nmain \"$@\"\n");
    return out->failed ? mp_diag_set(d, MP_ENOMEM, NULL, 0, 0, "out of memory")
                       : 0;
}
