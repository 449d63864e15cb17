/* SPDX-License-Identifier: Apache-2.0 */
/* diagram.c - draw one GPU's layout as boxes over its memory slices. */
#include "migplan/emit/diagram.h"

#include <stdio.h>
#include <string.h>

#include "migplan/util/color.h"

typedef struct seg {
    int start, size;
    int gi; /* index into layout->gi, -1 for a free slice */
} seg;

static int segments(const mp_layout *l, seg *out)
{
    const mp_model *m = l->model;
    int owner[MP_MAX_UNITS];
    for (int s = 0; s < m->units; s++)
        owner[s] = -1;
    for (int i = 0; i < l->n; i++) {
        const mp_gi_profile *p = &m->profiles[l->gi[i].profile];
        for (int k = 0; k < p->memory_slices; k++)
            if (l->gi[i].start + k < m->units)
                owner[l->gi[i].start + k] = i;
    }
    int n = 0;
    for (int s = 0; s < m->units;) {
        int o = owner[s];
        int size = 1;
        if (o >= 0)
            size = m->profiles[l->gi[o].profile].memory_slices;
        out[n].start = s;
        out[n].size = size;
        out[n].gi = o;
        n++;
        s += size;
    }
    return n;
}

/* Put text of display width tw into w columns (ASCII text longer than w is
 * cut; callers shorten labels first). */
static void cell(mp_buf *b, const char *text, int tw, int w, bool center)
{
    if (tw > w) {
        mp_buf_add(b, text, (size_t)w);
        return;
    }
    int left = center ? (w - tw) / 2 : 0;
    for (int i = 0; i < left; i++)
        mp_buf_putc(b, ' ');
    mp_buf_puts(b, text);
    for (int i = left + tw; i < w; i++)
        mp_buf_putc(b, ' ');
}

static void border(mp_buf *b, const seg *sg, int n, int W, bool u, int row)
{
    /* row 0: top, 1: bottom */
    const char *left = u ? (row ? "└" : "┌") : "+";
    const char *mid = u ? (row ? "┴" : "┬") : "+";
    const char *right = u ? (row ? "┘" : "┐") : "+";
    const char *h = u ? "─" : "-";
    for (int i = 0; i < n; i++) {
        mp_buf_puts(b, i == 0 ? left : mid);
        for (int k = 0; k < sg[i].size * W - 1; k++)
            mp_buf_puts(b, h);
    }
    mp_buf_puts(b, right);
    mp_buf_putc(b, '\n');
}

void mp_diagram_capacity_line(const mp_layout *l, bool unicode, mp_buf *out)
{
    const mp_model *m = l->model;
    mp_capacity c;
    mp_geom_capacity(l, &c);
    const char *sep = unicode ? " · " : " - ";
    mp_buf_printf(out, "compute %d/%d used%smemory %d/%d slices%s",
                  c.compute_used, c.compute_total, sep, c.memory_used,
                  c.memory_total, sep);
    if (c.largest_addable >= 0)
        mp_buf_printf(out, "free: %s still fits",
                      m->profiles[c.largest_addable].name);
    else
        mp_buf_puts(out, "free: none placeable");
    if (c.stranded_compute > 0)
        mp_buf_printf(out,
                      "\n%sstranded: %d compute slice%s with no memory "
                      "left for %s",
                      "", c.stranded_compute, c.stranded_compute > 1 ? "s" : "",
                      c.stranded_compute > 1 ? "them" : "it");
    mp_buf_putc(out, '\n');
}

void mp_diagram(const mp_layout *l, const mp_diagram_opts *o, mp_buf *out)
{
    const mp_model *m = l->model;
    const char *ind = o->indent ? o->indent : "";
    bool u = o->unicode;
    int W = 72 / m->units;
    if (W > 12)
        W = 12;
    if (W < 5)
        W = 5;
    seg sg[MP_MAX_UNITS];
    int n = segments(l, sg);

    /* slot numbers over the start of each slice */
    mp_buf_printf(out, "%sslot", ind);
    size_t line_start = out->len - 4;
    for (int s = 0; s < m->units; s++) {
        mp_buf_pad_to(out, line_start, 4 + 1 + s * W);
        mp_buf_printf(out, "%d", s);
    }
    mp_buf_putc(out, '\n');

    mp_buf_printf(out, "%s    ", ind);
    border(out, sg, n, W, u, 0);
    bool any_sub = false;
    for (int i = 0; o->sublabels && i < l->n; i++)
        any_sub |= o->sublabels[i] && o->sublabels[i][0];
    for (int row = 0; row < (any_sub ? 2 : 1); row++) {
        mp_buf_printf(out, "%s    ", ind);
        for (int i = 0; i < n; i++) {
            int w = sg[i].size * W - 1;
            mp_buf_puts(out, u ? "│" : "|");
            if (sg[i].gi < 0) {
                const char *dot = row ? "" : (u ? "·" : ".");
                cell(out, dot, row ? 0 : 1, w, true);
                continue;
            }
            const mp_gi_profile *p = &m->profiles[l->gi[sg[i].gi].profile];
            char label[96];
            if (row == 0) {
                if ((int)strlen(p->name) <= w)
                    snprintf(label, sizeof(label), "%s", p->name);
                else
                    mp_profile_short(p->name, label, sizeof(label));
            } else {
                const char *sub = o->sublabels[sg[i].gi];
                snprintf(label, sizeof(label), "%s", sub ? sub : "");
                if ((int)strlen(label) > w && w >= 2) {
                    /* cut and mark: "team-b-llam~" */
                    label[w - 1] = '~';
                    label[w] = '\0';
                }
            }
            const char *sgr =
                row && o->sublabel_sgr ? o->sublabel_sgr[sg[i].gi] : NULL;
            if (sgr)
                mp_buf_puts(out, sgr);
            cell(out, label, (int)strlen(label), w, false);
            if (sgr)
                mp_buf_puts(out, MP_SGR_RESET);
        }
        mp_buf_puts(out, u ? "│" : "|");
        mp_buf_putc(out, '\n');
    }
    mp_buf_printf(out, "%s    ", ind);
    border(out, sg, n, W, u, 1);
    if (o->footer) {
        mp_buf b2 = MP_BUF_INIT;
        mp_diagram_capacity_line(l, u, &b2);
        /* indent every footer line like the boxes */
        const char *s = mp_buf_str(&b2);
        while (*s) {
            const char *nl = strchr(s, '\n');
            size_t len = nl ? (size_t)(nl - s) : strlen(s);
            mp_buf_printf(out, "%s    %.*s\n", ind, (int)len, s);
            s += len + (nl ? 1 : 0);
        }
        mp_buf_free(&b2);
    }
}
