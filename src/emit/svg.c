/* SPDX-License-Identifier: Apache-2.0 */
/* svg.c - layouts as SVG: one renderer draws rows of boxes over memory
 * slices (a document is a title, rows, a legend and notes); the plan, fit
 * and geometries pictures only say what the rows hold. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migplan/emit/diagram.h"
#include "migplan/emit/emit_plan.h"
#include "migplan/emit/svg.h"

/* Paul Tol's "light" qualitative scheme (Tol, "Colour Schemes", SRON
 * technical note: distinct for colour-blind readers, for labelled cells),
 * without its pale grey #DDDDDD, which marks unused GPUs here. */
static const char *const palette[] = {"#77AADD", "#EE8866", "#EEDD88",
                                      "#FFAABB", "#99DDFF", "#44BB99",
                                      "#BBCC33", "#AAAA00"};
enum { NPAL = 8, NOVERLAY = 4, FREE = -1, UNUSED = -2 };

/* Sizes in px. Text is monospace so that widths can be known here: a
 * character is 0.6 em wide in DejaVu Sans Mono, Menlo and Consolas. */
enum {
    MARGIN = 20,
    LINE = 15,       /* a line of box text */
    MIN_SLICE = 72,  /* width of one memory slice */
    MAX_SLICE = 150, /* longer names wrap inside their box */
    HEAD_CHARS = 110 /* title-area and note lines wrap here */
};

static int text_w(int chars, int font_px)
{
    return (chars * font_px * 6 + 9) / 10;
}

/* ------------------------------------------------------------ text */

/* Length of the UTF-8 sequence at s if it encodes a character XML allows,
 * else 0. */
static int xml_char(const unsigned char *s)
{
    unsigned c = s[0], cp, min;
    int n;
    if (c < 0x80)
        return c >= 0x20 ? 1 : 0;
    if ((c & 0xE0) == 0xC0) {
        n = 2, cp = c & 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        n = 3, cp = c & 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
        n = 4, cp = c & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    for (int i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) ||
        cp == 0xFFFE || cp == 0xFFFF)
        return 0;
    return n;
}

/* XML's escapes, in character data and in attribute values alike */
static const char *const xml_escapes[128] = {
    ['&'] = "&amp;",  ['<'] = "&lt;",    ['>'] = "&gt;",
    ['"'] = "&quot;", ['\''] = "&apos;",
};

/* s[0..len) as XML character data (also safe inside attribute values):
 * each run of valid characters escaped at once, each invalid byte a '?'.
 * Nothing to do into a buffer that takes nothing (render's measuring). */
static void xml_text(mp_buf *b, const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t from = 0; /* the run of valid characters so far */
    for (size_t i = 0; i < len && !b->failed;) {
        int n = xml_char(u + i);
        if (n > 0 && i + (size_t)n <= len) {
            i += (size_t)n;
            continue;
        }
        mp_buf_escape(b, s + from, i - from, xml_escapes);
        mp_buf_putc(b, '?');
        from = ++i;
    }
    if (!b->failed)
        mp_buf_escape(b, s + from, len - from, xml_escapes);
}

/* Split s into at most max lines of at most maxc bytes (off[k], len[k]),
 * at each '\n' and, for long lines, after a separator in the second half
 * of the line when there is one; never inside a UTF-8 sequence. */
static int wrap(const char *s, int maxc, int *off, int *len, int max)
{
    size_t L = strlen(s), i = 0;
    int n = 0;
    if (maxc < 1)
        maxc = 1;
    while (i < L && n < max) {
        const char *nl = memchr(s + i, '\n', L - i);
        size_t hard = nl ? (size_t)(nl - s) : L, cut = hard;
        if (hard - i > (size_t)maxc) {
            cut = i + (size_t)maxc;
            while (cut > i + 1 && ((unsigned char)s[cut] & 0xC0) == 0x80)
                cut--;
            for (size_t k = cut; k > i + (size_t)maxc / 2; k--)
                if (strchr("-_.#/, ", s[k - 1])) {
                    cut = k;
                    break;
                }
        }
        off[n] = (int)i;
        len[n] = (int)(cut - i);
        n++;
        i = cut + (cut == hard && nl);
    }
    return n;
}

/* One <text> element; cls may be NULL. */
static void text_el(mp_buf *b, int x, int y, const char *cls, const char *s,
                    size_t len)
{
    mp_buf_printf(b, "<text x=\"%d\" y=\"%d\"", x, y);
    if (cls)
        mp_buf_printf(b, " class=\"%s\"", cls);
    mp_buf_putc(b, '>');
    xml_text(b, s, len);
    mp_buf_puts(b, "</text>\n");
}

/* Wrapped lines of s from (x, y), step px apart; returns the lines drawn. */
static int text_lines(mp_buf *b, int x, int y, int step, const char *cls,
                      const char *s, int maxc)
{
    int off[64], len[64];
    int n = wrap(s, maxc, off, len, 64);
    for (int k = 0; k < n; k++)
        text_el(b, x, y + k * step, cls, s + off[k], (size_t)len[k]);
    return n;
}

/* ------------------------------------------------------------ renderer */

typedef struct box {
    int start, size; /* memory slices */
    int colour;      /* palette index (overlay colour / NPAL), FREE, UNUSED */
    char title[96];  /* bold, wrapped to the box */
    char sub[48];    /* the profile */
    char where[32];  /* the slots */
    char tip[240];   /* tooltip */
} box;

typedef struct row {
    char id[32];      /* element id, unique in the document */
    const char *kind; /* element class: "gpu" or "layout" */
    char caption[240];
    int units; /* memory slices of the bar; 0: no bar */
    int n;
    box b[MP_MAX_UNITS];
    char footer[400]; /* lines under the bar */
} row;

typedef struct doc {
    const char *title;
    const char *head; /* lines under the title, may be NULL */
    int n_rows;
    void (*row)(const void *ctx, int i, row *out);
    const void *ctx;
    const char *legend_title;
    int n_legend;
    void (*legend)(const void *ctx, int i, int *colour, char *text, size_t n);
    const char *notes; /* lines after the rows, may be NULL */
} doc;

typedef struct metrics {
    int slice; /* px per memory slice */
    int units; /* widest bar */
    int width; /* of the picture */
    bool free, unused;
} metrics;

static int box_chars(const metrics *m, const box *bx)
{
    return (bx->size * m->slice - 10) * 10 / 72;
}

static int widest_line(const char *s, int font_px)
{
    int off[64], len[64], w = 0;
    int n = wrap(s, HEAD_CHARS, off, len, 64);
    for (int k = 0; k < n; k++)
        if (text_w(len[k], font_px) > w)
            w = text_w(len[k], font_px);
    return w;
}

/* The slice width that fits most labels on one line, and the width of the
 * picture. */
static void measure(const doc *d, row *r, metrics *m)
{
    memset(m, 0, sizeof(*m));
    m->slice = MIN_SLICE;
    int text = widest_line(d->title, 16);
    if (d->head && widest_line(d->head, 12) > text)
        text = widest_line(d->head, 12);
    if (d->notes && widest_line(d->notes, 12) > text)
        text = widest_line(d->notes, 12);
    for (int i = 0; i < d->n_rows; i++) {
        d->row(d->ctx, i, r);
        if (r->units > m->units)
            m->units = r->units;
        for (int k = 0; k < r->n; k++) {
            const box *bx = &r->b[k];
            size_t c = strlen(bx->title);
            if (strlen(bx->sub) > c)
                c = strlen(bx->sub);
            if (strlen(bx->where) > c)
                c = strlen(bx->where);
            int need = (text_w((int)c, 12) + 14 + bx->size - 1) / bx->size;
            if (need > m->slice)
                m->slice = need < MAX_SLICE ? need : MAX_SLICE;
        }
        if (widest_line(r->caption, 13) > text)
            text = widest_line(r->caption, 13);
        if (widest_line(r->footer, 11) > text)
            text = widest_line(r->footer, 11);
    }
    m->width = m->units * m->slice;
    if (text > m->width)
        m->width = text;
    m->width += 2 * MARGIN;
}

static void swatch(mp_buf *b, int x, int y, int w, int h, int colour)
{
    if (colour == FREE || colour == UNUSED) {
        mp_buf_printf(b,
                      "<rect class=\"%s\" x=\"%d\" y=\"%d\" width=\"%d\" "
                      "height=\"%d\" rx=\"3\"/>\n",
                      colour == FREE ? "free" : "unused", x, y, w, h);
        return;
    }
    mp_buf_printf(b,
                  "<rect class=\"box c%d\" x=\"%d\" y=\"%d\" width=\"%d\" "
                  "height=\"%d\" rx=\"3\"/>\n",
                  colour % NPAL, x, y, w, h);
    int overlay = colour / NPAL % NOVERLAY;
    if (overlay)
        mp_buf_printf(b,
                      "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
                      "rx=\"3\" fill=\"url(#p%d)\"/>\n",
                      x, y, w, h, overlay);
}

static void draw_box(mp_buf *b, const metrics *m, const box *bx, int x0, int y,
                     int h)
{
    int x = x0 + bx->start * m->slice + 1, w = bx->size * m->slice - 2;
    mp_buf_puts(b, "<g><title>");
    xml_text(b, bx->tip, strlen(bx->tip));
    mp_buf_puts(b, "</title>\n");
    swatch(b, x, y, w, h, bx->colour);
    int maxc = box_chars(m, bx);
    int n = text_lines(b, x + 5, y + 16, LINE, "name", bx->title, maxc);
    int ty = y + 16 + n * LINE;
    text_lines(b, x + 5, ty, LINE, NULL, bx->sub, maxc);
    text_lines(b, x + 5, ty + LINE, LINE, "slot", bx->where, maxc);
    mp_buf_puts(b, "</g>\n");
}

/* Draw row r at y; returns the y below it. */
static int draw_row(mp_buf *b, metrics *m, const row *r, int y)
{
    mp_buf_printf(b, "<g class=\"%s\" id=\"%s\">\n", r->kind, r->id);
    y += 14;
    y += 16 * (text_lines(b, MARGIN, y, 16, "cap", r->caption, HEAD_CHARS) - 1);
    if (r->units > 0) {
        for (int s = 0; s < r->units; s++) {
            char num[16];
            int len = snprintf(num, sizeof(num), "%d", s);
            text_el(b, MARGIN + s * m->slice + 3, y + 16, "slot", num,
                    (size_t)len);
        }
        int lines = 1;
        for (int k = 0; k < r->n; k++) {
            int off[16], len[16];
            int n = wrap(r->b[k].title, box_chars(m, &r->b[k]), off, len, 16);
            lines = n > lines ? n : lines;
        }
        int h = 10 + LINE * (lines + 2);
        for (int k = 0; k < r->n; k++) {
            draw_box(b, m, &r->b[k], MARGIN, y + 21, h);
            m->free |= r->b[k].colour == FREE;
            m->unused |= r->b[k].colour == UNUSED;
        }
        y += 21 + h;
    }
    if (r->footer[0])
        y += 15 *
             text_lines(b, MARGIN, y + 15, 15, "foot", r->footer, HEAD_CHARS);
    mp_buf_puts(b, "</g>\n");
    return y + 16;
}

/* The legend as a grid of swatches; returns the y below it. */
static int draw_legend(mp_buf *b, const doc *d, const metrics *m, int y)
{
    int n = d->n_legend + m->free + m->unused;
    if (n == 0)
        return y;
    char text[200];
    int colour, colw = 0;
    for (int i = 0; i < n; i++) {
        if (i < d->n_legend)
            d->legend(d->ctx, i, &colour, text, sizeof(text));
        else
            snprintf(text, sizeof(text), "%s",
                     i == d->n_legend && m->free ? "free memory slice"
                                                 : "unused GPU");
        int w = 22 + text_w((int)strlen(text), 12) + 24;
        colw = w > colw ? w : colw;
    }
    int cols = (m->width - 2 * MARGIN) / colw;
    cols = cols < 1 ? 1 : cols;
    mp_buf_puts(b, "<g class=\"legend\">\n");
    text_el(b, MARGIN, y + 14, "cap", d->legend_title, strlen(d->legend_title));
    y += 24;
    for (int i = 0; i < n; i++) {
        if (i < d->n_legend) {
            d->legend(d->ctx, i, &colour, text, sizeof(text));
        } else {
            colour = i == d->n_legend && m->free ? FREE : UNUSED;
            snprintf(text, sizeof(text), "%s",
                     colour == FREE ? "free memory slice" : "unused GPU");
        }
        int x = MARGIN + i % cols * colw, ly = y + i / cols * 20;
        swatch(b, x, ly, 16, 16, colour);
        text_el(b, x + 22, ly + 13, NULL, text, strlen(text));
    }
    mp_buf_puts(b, "</g>\n");
    return y + (n + cols - 1) / cols * 20 + 8;
}

static void prologue(mp_buf *b, const doc *d, int width, int height)
{
    mp_buf_printf(b,
                  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                  "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
                  "height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" "
                  "aria-labelledby=\"title\">\n<title id=\"title\">",
                  width, height, width, height);
    xml_text(b, d->title, strlen(d->title));
    mp_buf_puts(b, "</title>\n<style>\n"
                   "text{font-family:'DejaVu Sans Mono',Menlo,Consolas,"
                   "monospace;font-size:12px;fill:#222}\n"
                   ".title{font-size:16px;font-weight:bold}\n"
                   ".cap{font-size:13px;font-weight:bold}\n"
                   ".name{font-weight:bold}\n"
                   ".slot,.foot{font-size:11px;fill:#555}\n"
                   "rect.box{stroke:#333;stroke-width:1}\n"
                   "rect.free{fill:#fff;stroke:#999;stroke-dasharray:4 3}\n"
                   "rect.unused{fill:#DDDDDD;stroke:#999}\n");
    for (int i = 0; i < NPAL; i++)
        mp_buf_printf(b, ".c%d{fill:%s}\n", i, palette[i]);
    /* overlays for colours past the palette: light hatch, dots, light
     * cross-hatch, so that dark text stays readable on them */
    mp_buf_puts(
        b, "</style>\n<defs>\n"
           "<pattern id=\"p1\" width=\"8\" height=\"8\" "
           "patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
           "<rect width=\"3\" height=\"8\" fill=\"#fff\" "
           "fill-opacity=\"0.5\"/></pattern>\n"
           "<pattern id=\"p2\" width=\"8\" height=\"8\" "
           "patternUnits=\"userSpaceOnUse\"><circle cx=\"4\" cy=\"4\" "
           "r=\"1.6\" fill=\"#000\" fill-opacity=\"0.25\"/></pattern>\n"
           "<pattern id=\"p3\" width=\"8\" height=\"8\" "
           "patternUnits=\"userSpaceOnUse\"><path d=\"M0 0L8 8M8 0L0 8\" "
           "stroke=\"#fff\" stroke-width=\"2\" stroke-opacity=\"0.6\"/>"
           "</pattern>\n"
           "</defs>\n<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n");
}

/* Where render writes: out, handed to flush (which writes and empties it)
 * whenever it holds more than a chunk; flush NULL keeps it all in out. */
typedef struct sink {
    mp_buf *out;
    int (*flush)(void *ctx, mp_buf *out);
    void *ctx;
    int err; /* flush's first non-zero result */
} sink;

#define SVG_CHUNK ((size_t)1 << 16)

static void sink_flush(sink *k, bool always)
{
    if (k->flush && !k->err && !k->out->failed &&
        (always || k->out->len >= SVG_CHUNK))
        k->err = k->flush(k->ctx, k->out);
}

/* Everything under the prologue into b; returns the y below it. A buffer
 * marked failed takes nothing: drawn into one, this measures the picture
 * (and learns which legend entries it needs) without holding it. */
static int draw_body(const doc *d, metrics *m, row *r, sink *k, mp_buf *b)
{
    int y = MARGIN + 16;
    y += 22 * (text_lines(b, MARGIN, y, 22, "title", d->title, HEAD_CHARS) - 1);
    if (d->head)
        y += 17 * text_lines(b, MARGIN, y + 22, 17, NULL, d->head, HEAD_CHARS);
    y += 22;
    for (int i = 0; i < d->n_rows; i++) {
        d->row(d->ctx, i, r);
        y = draw_row(b, m, r, y);
        if (k)
            sink_flush(k, false);
    }
    y = draw_legend(b, d, m, y);
    if (d->notes)
        y += 16 * text_lines(b, MARGIN, y + 14, 16, NULL, d->notes, HEAD_CHARS);
    return y;
}

/* The picture, in two passes over the rows: the first measures its height
 * (which the prologue states), the second writes it, so that a plan of a
 * million replicas is never held as one text when flush writes it out as
 * it goes. */
static int render_to(const doc *d, sink *k)
{
    row *r = malloc(sizeof(*r));
    if (!r) {
        k->out->failed = true;
        return -1;
    }
    metrics m;
    measure(d, r, &m);
    mp_buf none = {.failed = true};
    int height = draw_body(d, &m, r, NULL, &none) + MARGIN;
    prologue(k->out, d, m.width, height);
    draw_body(d, &m, r, k, k->out);
    mp_buf_puts(k->out, "</svg>\n");
    free(r);
    sink_flush(k, true);
    return k->err ? k->err : k->out->failed ? -1 : 0;
}

static void render(const doc *d, mp_buf *out)
{
    sink k = {.out = out};
    (void)render_to(d, &k);
}

/* ------------------------------------------------------------ layouts */

static void slots(char *buf, size_t n, int start, int size)
{
    if (size == 1)
        snprintf(buf, n, "slot %d", start);
    else
        snprintf(buf, n, "slots %d-%d", start, start + size - 1);
}

/* Boxes for the instances of l (labels[i] names instance i, NULL: its
 * profile) and for each run of free slices; the capacity line below. */
static void layout_row(const mp_layout *l, const char *const *labels,
                       const int *colours, row *r)
{
    const mp_model *m = l->model;
    int owner[MP_MAX_UNITS];
    for (int s = 0; s < m->units; s++)
        owner[s] = -1;
    for (int i = 0; i < l->n; i++)
        for (int k = 0; k < m->profiles[l->gi[i].profile].memory_slices; k++)
            if (l->gi[i].start + k < m->units)
                owner[l->gi[i].start + k] = i;
    r->units = m->units;
    r->n = 0;
    for (int s = 0; s < m->units;) {
        box *bx = &r->b[r->n++];
        int o = owner[s], size = 1;
        if (o < 0) {
            while (s + size < m->units && owner[s + size] < 0)
                size++;
            bx->colour = FREE;
            snprintf(bx->title, sizeof(bx->title), "free");
            bx->sub[0] = '\0';
            slots(bx->where, sizeof(bx->where), s, size);
            snprintf(bx->tip, sizeof(bx->tip), "free: slots %d-%d", s,
                     s + size - 1);
        } else {
            const mp_gi_profile *p = &m->profiles[l->gi[o].profile];
            size = p->memory_slices;
            bx->colour = colours[o];
            snprintf(bx->title, sizeof(bx->title), "%s",
                     labels && labels[o] ? labels[o] : p->name);
            if (labels && labels[o])
                snprintf(bx->sub, sizeof(bx->sub), "%s", p->name);
            else
                snprintf(bx->sub, sizeof(bx->sub), "%.2f GiB",
                         p->memory_mib / 1024.0);
            slots(bx->where, sizeof(bx->where), s, size);
            snprintf(bx->tip, sizeof(bx->tip),
                     "%s: %s (profile ID %d) at placement %d:%d, %.2f GiB",
                     labels && labels[o] ? labels[o] : p->name, p->name, p->id,
                     s, size, p->memory_mib / 1024.0);
        }
        bx->start = s;
        bx->size = size;
        s += size;
    }
    mp_buf cap = MP_BUF_INIT;
    mp_diagram_capacity_line(l, true, &cap);
    snprintf(r->footer, sizeof(r->footer), "%s", mp_buf_str(&cap));
    mp_buf_free(&cap);
}

/* One box over a whole GPU (MIG disabled or unused). */
static void whole_row(const mp_model *m, int colour, const char *title,
                      const char *sub, row *r)
{
    r->units = m->units;
    r->n = 1;
    box *bx = &r->b[0];
    bx->start = 0;
    bx->size = m->units;
    bx->colour = colour;
    snprintf(bx->title, sizeof(bx->title), "%s", title);
    snprintf(bx->sub, sizeof(bx->sub), "%s", sub);
    bx->where[0] = '\0';
    snprintf(bx->tip, sizeof(bx->tip), "%s: %s", title, sub);
    r->footer[0] = '\0';
}

/* ------------------------------------------------------------ plan */

/* What the picture needs of one GPU of a plan. plan_gpu is the only code
 * here that reads mp_plan_gpu. */
typedef struct gpu_view {
    int index;
    int node, node_index; /* node plans: the node and the node's own index;
                             node -1 otherwise */
    const mp_model *model;
    bool used, mig;
    int whole_tenant, whole_replica; /* -1 when none */
    mp_layout layout;                /* MIG instances */
    int tenant[MP_MAX_GIS], replica[MP_MAX_GIS];
} gpu_view;

static void plan_gpu(const mp_plan *p, int k, gpu_view *v)
{
    const mp_plan_gpu *g = &p->gpus[k];
    v->index = g->index;
    v->node = p->n_nodes > 0 ? g->node : -1;
    v->node_index = g->node_index;
    v->model = g->layout.gis.model;
    v->used = g->used;
    v->mig = g->layout.mig_enabled;
    v->whole_tenant = g->whole_tenant;
    v->whole_replica = g->whole_replica;
    v->layout = g->layout.gis;
    for (int q = 0; q < g->layout.gis.n; q++) {
        v->tenant[q] = g->tenant[q];
        v->replica[q] = g->replica[q];
    }
}

typedef struct plan_ctx {
    const mp_plan *p;
    int *first, *last; /* GPUs of each row: runs of unused GPUs share one */
} plan_ctx;

/* "GPU 3 · model", "GPU 3-5 · model" for a run of unused GPUs; on node
 * plans the node's name and its own indices, "gpu-node-01 GPU 3 · ...". */
static void gpu_caption(const mp_plan *p, const gpu_view *v,
                        const gpu_view *last, char *buf, size_t n)
{
    char node[300] = "";
    int a = v->index, b = last->index;
    if (v->node >= 0) {
        const mp_plan_node *nd = &p->nodes[v->node];
        mp_node_pool_node_name(&p->req->pools[nd->pool], nd->k, node,
                               sizeof(node) - 1);
        strcat(node, " ");
        a = v->node_index;
        b = last->node_index;
    }
    if (a != b)
        snprintf(buf, n, "%sGPU %d-%d · %s", node, a, b, v->model->id);
    else
        snprintf(buf, n, "%sGPU %d · %s", node, a, v->model->id);
}

static void plan_row(const void *ctx, int i, row *r)
{
    const plan_ctx *c = ctx;
    const mp_request *req = c->p->req;
    gpu_view v, last;
    plan_gpu(c->p, c->first[i], &v);
    plan_gpu(c->p, c->last[i], &last);
    last.index = mp_plan_gpu_last(&c->p->gpus[c->last[i]]); /* a run's */
    r->kind = "gpu";
    snprintf(r->id, sizeof(r->id), "gpu-%d", v.index);
    gpu_caption(c->p, &v, &last, r->caption, sizeof(r->caption));
    if (!v.used) {
        whole_row(v.model, UNUSED, "unused", "MIG stays disabled", r);
        return;
    }
    if (!v.mig) {
        char name[96];
        snprintf(name, sizeof(name), "%s#%d", req->tenants[v.whole_tenant].name,
                 v.whole_replica);
        whole_row(v.model, v.whole_tenant, name, "whole GPU, MIG disabled", r);
        return;
    }
    char names[MP_MAX_GIS][96];
    const char *labels[MP_MAX_GIS];
    for (int q = 0; q < v.layout.n; q++) {
        if (v.tenant[q] < 0) /* free, on a single-strategy node */
            snprintf(names[q], sizeof(names[q]), "free");
        else
            mp_plan_unit_label(&req->tenants[v.tenant[q]], v.replica[q],
                               names[q], sizeof(names[q]));
        labels[q] = names[q];
    }
    layout_row(&v.layout, labels, v.tenant, r);
}

static void plan_legend(const void *ctx, int i, int *colour, char *text,
                        size_t n)
{
    const mp_tenant *t = &((const plan_ctx *)ctx)->p->req->tenants[i];
    *colour = i;
    size_t k = 0;
    text[0] = '\0';
    int replicas = mp_tenant_asked_replicas(t);
    mp_catf(text, n, &k, "%s: %d replica%s", t->name, replicas,
            replicas == 1 ? "" : "s");
    if (t->whole_gpu && mp_tenant_gpus(t) > 1)
        mp_catf(text, n, &k, ", %d whole GPUs each", mp_tenant_gpus(t));
    else if (t->whole_gpu)
        mp_catf(text, n, &k, ", whole GPU");
    else if (mp_tenant_asked_mib(t) > 0)
        mp_catf(text, n, &k, ", %.2f GiB asked",
                mp_tenant_asked_mib(t) / 1024.0);
    if (mp_tenant_share(t) > 1)
        mp_catf(text, n, &k, ", %d per instance (time-sliced)",
                mp_tenant_share(t));
}

int mp_svg_plan_stream(const mp_plan *p, int (*flush)(void *ctx, mp_buf *out),
                       void *ctx, mp_buf *out)
{
    sink to = {out, flush, ctx, 0};
    char title[600];
    snprintf(title, sizeof(title), "Plan for %s", p->req->path);
    mp_buf head = MP_BUF_INIT;
    plan_ctx c = {p, NULL, NULL};
    doc d = {.title = title, .legend_title = "Tenants", .ctx = &c};
    if (!p->feasible) {
        mp_buf_printf(&head, "No plan: %s", p->reason);
        d.head = mp_buf_str(&head);
        int rc = render_to(&d, &to);
        mp_buf_free(&head);
        return rc;
    }
    mp_emit_plan_optimality(p, &head);
    c.first = malloc(((size_t)p->n_gpus + 1) * sizeof(int));
    c.last = malloc(((size_t)p->n_gpus + 1) * sizeof(int));
    int rc = -1;
    if (!c.first || !c.last) {
        out->failed = true;
        goto out;
    }
    for (int k = 0; k < p->n_gpus; k++) {
        gpu_view v, next;
        plan_gpu(p, k, &v);
        c.first[d.n_rows] = k;
        while (!v.used && k + 1 < p->n_gpus) {
            plan_gpu(p, k + 1, &next);
            if (next.used || next.model != v.model || next.node != v.node)
                break;
            k++;
        }
        c.last[d.n_rows++] = k;
    }
    d.head = mp_buf_str(&head);
    d.row = plan_row;
    d.n_legend = p->req->n_tenants;
    d.legend = plan_legend;
    rc = render_to(&d, &to);
out:
    free(c.first);
    free(c.last);
    mp_buf_free(&head);
    return rc;
}

void mp_svg_plan(const mp_plan *p, mp_buf *out)
{
    (void)mp_svg_plan_stream(p, NULL, NULL, out);
}

/* ------------------------------------------------------------ fit, geometries
 */

typedef struct model_ctx {
    const mp_model *m;
    const mp_svg_item *items;
    int n_used;
    int used[MP_MAX_PROFILES]; /* the profiles drawn, in profile order */
} model_ctx;

static void model_row(const void *ctx, int i, row *r)
{
    const model_ctx *c = ctx;
    const mp_svg_item *it = &c->items[i];
    r->kind = "layout";
    snprintf(r->id, sizeof(r->id), "layout-%d", i + 1);
    snprintf(r->caption, sizeof(r->caption), "%s", it->caption);
    r->units = 0;
    r->n = 0;
    r->footer[0] = '\0';
    if (!it->layout)
        return;
    int colours[MP_MAX_GIS];
    for (int q = 0; q < it->layout->n; q++)
        colours[q] = it->layout->gi[q].profile;
    layout_row(it->layout, NULL, colours, r);
}

static void model_legend(const void *ctx, int i, int *colour, char *text,
                         size_t n)
{
    const model_ctx *c = ctx;
    const mp_gi_profile *p = &c->m->profiles[c->used[i]];
    *colour = c->used[i];
    snprintf(text, n, "%s: profile ID %d, %d compute, %.2f GiB", p->name, p->id,
             p->compute_slices, p->memory_mib / 1024.0);
}

static void model_render(const mp_model *m, const char *title, const char *head,
                         const mp_svg_item *items, int n, const char *notes,
                         mp_buf *out)
{
    model_ctx c = {.m = m, .items = items};
    bool used[MP_MAX_PROFILES] = {false};
    for (int i = 0; i < n; i++)
        for (int q = 0; items[i].layout && q < items[i].layout->n; q++)
            used[items[i].layout->gi[q].profile] = true;
    for (int p = 0; p < m->n_profiles; p++)
        if (used[p])
            c.used[c.n_used++] = p;
    doc d = {.title = title,
             .head = head,
             .n_rows = n,
             .row = model_row,
             .ctx = &c,
             .legend_title = "Profiles",
             .n_legend = c.n_used,
             .legend = model_legend,
             .notes = notes};
    render(&d, out);
}

void mp_svg_fit(const mp_model *m, const mp_layout *l, const char *reason,
                const char *notes, mp_buf *out)
{
    char title[200];
    snprintf(title, sizeof(title), "%s one %s", l ? "fits" : "does not fit",
             m->id);
    mp_svg_item it = {m->id, l};
    model_render(m, title, l ? NULL : reason, &it, l ? 1 : 0, notes, out);
}

void mp_svg_geometries(const mp_model *m, const char *title,
                       const mp_svg_item *items, int n, mp_buf *out)
{
    model_render(m, title, NULL, items, n, NULL, out);
}
