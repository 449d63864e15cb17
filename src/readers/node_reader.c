/* SPDX-License-Identifier: Apache-2.0 */
/* node_reader.c - read a node inventory (which GPU model sits at which
 * index) with the shared schema reader. */
#include "migplan/readers/node_reader.h"

#include <stdlib.h>
#include <string.h>

#include "migplan/yaml/ydoc.h"
#include "node_text.h"
#include "migplan/yaml/schema.h"

typedef struct gpu_raw {
    long long index, count;
    const char *model, *subsystem;
} gpu_raw;

static int cmp_gpu(const void *a, const void *b)
{
    return ((const mp_node_gpu *)a)->index - ((const mp_node_gpu *)b)->index;
}

/* One entry of gpus: its fields, then its model and subsystem resolved.
 * *first is its first index (the next free one unless it gives index). */
static int read_entry(const mp_schema_ctx *c, const mp_db *db,
                      const mp_ynode *g, int next, gpu_raw *r, int *first,
                      mp_node_gpu *out)
{
    static const mp_field gf[] = {
        {"index", MP_F_INT, false, offsetof(gpu_raw, index), 0,
         MP_NODE_MAX_GPUS - 1},
        {"count", MP_F_INT, false, offsetof(gpu_raw, count), 1,
         MP_NODE_MAX_GPUS},
        {"model", MP_F_STR, true, offsetof(gpu_raw, model), 0, 0},
        {"subsystem", MP_F_STR, false, offsetof(gpu_raw, subsystem), 0, 0},
    };
    uint64_t present;
    int rc = mp_schema_read(c, g, "GPU", gf, 4, r, &present);
    if (rc)
        return rc;
    if ((present & 1) && (present & 2) && r->count > 1)
        return mp_schema_err(c, g, MP_ESCHEMA,
                             "give either index (one GPU) or count (the next "
                             "COUNT indices), not both");
    mp_diag md;
    const mp_device *dev;
    const mp_ynode *mn = mp_ymap_get(g, "model", NULL);
    if (mp_db_find_device(db, r->model, &out->model, &dev, &md) != 0)
        return mp_schema_err(c, mn, MP_ESCHEMA, "%s", md.msg);
    /* mig-parted matches filters on the exact PCI IDs, so keep them: a
     * model given as "0xDDDDVVVV[:0xSSSSVVVV]" (or a product name) names
     * one board, an id or alias only the model. */
    out->device = dev ? dev->pci_id : 0;
    out->subsystem = 0;
    const char *colon = strchr(r->model, ':');
    if (colon && !mp_parse_pci_id(colon + 1, &out->subsystem))
        return mp_schema_err(c, mn, MP_ESCHEMA,
                             "the subsystem part of \"%s\" must look like "
                             "\"0x16C010DE\"",
                             r->model);
    uint32_t sub = 0;
    if (r->subsystem && !mp_parse_pci_id(r->subsystem, &sub))
        return mp_schema_err(c, mp_ymap_get(g, "subsystem", NULL), MP_ESCHEMA,
                             "subsystem must look like \"0x16C010DE\"");
    if (r->subsystem && colon && sub != out->subsystem)
        return mp_schema_err(c, mp_ymap_get(g, "subsystem", NULL), MP_ESCHEMA,
                             "subsystem 0x%08X contradicts the model's "
                             "subsystem part 0x%08X",
                             sub, out->subsystem);
    if (r->subsystem)
        out->subsystem = sub;
    *first = (present & 1) ? (int)r->index : next;
    return 0;
}

/* Add count GPUs of model m from index first on, each index at most once
 * and all below MP_NODE_MAX_GPUS. */
static int add_gpus(const mp_schema_ctx *c, mp_node *out, const mp_ynode *g,
                    int first, long long count, const mp_node_gpu *proto)
{
    for (long long k = 0; k < count; k++) {
        int idx = first + (int)k;
        if (idx >= MP_NODE_MAX_GPUS || out->n >= MP_NODE_MAX_GPUS)
            return mp_schema_err(c, g, MP_ELIMIT,
                                 "more than %d GPUs in one node",
                                 MP_NODE_MAX_GPUS);
        for (int j = 0; j < out->n; j++)
            if (out->gpus[j].index == idx)
                return mp_schema_err(c, g, MP_ESCHEMA,
                                     "GPU index %d is listed twice", idx);
        mp_node_gpu *ng = &out->gpus[out->n++];
        *ng = *proto;
        ng->index = idx;
        ng->line = g->line;
        ng->col = g->col;
    }
    return 0;
}

/* Every entry of the gpus list, in order. */
static int read_gpus(const mp_schema_ctx *c, const mp_db *db,
                     const mp_ynode *gpus, mp_node *out)
{
    out->gpus =
        mp_arena_alloc(&out->arena, MP_NODE_MAX_GPUS * sizeof(*out->gpus));
    if (!out->gpus)
        return mp_diag_set(c->d, MP_ENOMEM, c->path, 0, 0, "out of memory");
    int next = 0;
    for (size_t i = 0; i < gpus->nkids; i++) {
        const mp_ynode *g = gpus->kids[i];
        gpu_raw r = {.index = -1, .count = 1};
        mp_node_gpu proto = {0};
        int first;
        int rc = read_entry(c, db, g, next, &r, &first, &proto);
        if (!rc)
            rc = add_gpus(c, out, g, first, r.count, &proto);
        if (rc)
            return rc;
        next = first + (int)r.count;
    }
    if (out->n == 0)
        return mp_schema_err(c, gpus, MP_ESCHEMA, "the node lists no GPU");
    return 0;
}

int mp_node_parse(const mp_db *db, const char *text, size_t len,
                  const char *path, mp_node *out, mp_diag *d)
{
    static const mp_field top[] = {
        {"gpus", MP_F_NODE, true, 0, 0, 0},
    };
    memset(out, 0, sizeof(*out));
    if (mp_node_text_kind(text, len) != MP_NODE_TEXT_NONE) {
        int trc = mp_node_parse_text(db, text, len, path, out, d);
        if (trc)
            mp_node_free(out);
        return trc;
    }
    mp_ydoc doc;
    int rc = mp_ydoc_parse(text, len, path, NULL, &doc, d);
    if (rc)
        return rc;
    mp_schema_ctx c = {.path = path, .arena = &out->arena, .d = d};
    out->path = mp_arena_strdup(&out->arena, path);
    const mp_ynode *gpus = NULL;
    if (!doc.root) {
        rc = mp_diag_set(d, MP_ESCHEMA, path, 1, 1,
                         "empty node file; list the GPUs as gpus: [{index: 0, "
                         "model: h100}, ...]");
        goto out;
    }
    rc = mp_schema_read(&c, doc.root, "node file", top, 1, &gpus, NULL);
    if (!rc)
        rc = mp_schema_need_seq(&c, gpus, "gpus");
    if (!rc)
        rc = read_gpus(&c, db, gpus, out);
    if (!rc)
        qsort(out->gpus, (size_t)out->n, sizeof(*out->gpus), cmp_gpu);
out:
    mp_ydoc_free(&doc);
    if (rc)
        mp_node_free(out);
    return rc;
}

int mp_node_load(const mp_db *db, const char *path, mp_node *out, mp_diag *d)
{
    mp_input src;
    memset(out, 0, sizeof(*out));
    int rc = mp_input_read(path, "a YAML file", &src, d);
    if (!rc)
        rc = mp_node_parse(db, src.text, src.len, src.shown, out, d);
    mp_input_free(&src);
    return rc;
}

/* One device ID d of g against e's filters. */
static mp_node_match match_device(const mp_mp_entry *e, uint32_t d,
                                  uint32_t sub)
{
    if (sub)
        return mp_mp_filter_matches(e, d, sub) ? MP_MATCH_YES : MP_MATCH_NO;
    mp_node_match r = MP_MATCH_NO;
    for (int k = 0; k < e->n_filters; k++) {
        const mp_mp_filter *f = &e->filters[k];
        if (!f->valid || f->device != d)
            continue;
        if (!f->has_subsystem)
            return MP_MATCH_YES;
        r = MP_MATCH_IF_SUBSYSTEM;
    }
    return r;
}

mp_node_match mp_node_gpu_match(const mp_node_gpu *g, const mp_mp_entry *e)
{
    if (!e->has_filter)
        return MP_MATCH_YES;
    if (g->device)
        return match_device(e, g->device, g->subsystem);
    int yes = 0, maybe = 0;
    for (int p = 0; p < g->model->n_pci_ids; p++) {
        mp_node_match r = match_device(e, g->model->pci_ids[p], g->subsystem);
        yes += r == MP_MATCH_YES;
        maybe += r == MP_MATCH_IF_SUBSYSTEM;
    }
    if (yes == g->model->n_pci_ids)
        return MP_MATCH_YES;
    if (yes + maybe == g->model->n_pci_ids)
        return MP_MATCH_IF_SUBSYSTEM;
    return yes + maybe ? MP_MATCH_IF_DEVICE : MP_MATCH_NO;
}

uint32_t mp_node_gpu_id(const mp_node_gpu *g)
{
    if (g->device)
        return g->device;
    return g->model->n_pci_ids == 1 ? g->model->pci_ids[0] : 0;
}

void mp_node_free(mp_node *n)
{
    if (n)
        mp_arena_release(&n->arena, n, sizeof(*n));
}
