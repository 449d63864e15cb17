/* node_reader.c - read a node inventory (which GPU model sits at which
 * index) with the shared schema reader. */
#include "migplan/readers/node_reader.h"

#include <stdlib.h>
#include <string.h>

#include "migplan/yaml/ydoc.h"
#include "migplan/yaml/schema.h"

typedef struct gpu_raw {
    long long index, count;
    const char *model, *subsystem;
} gpu_raw;

static int cmp_gpu(const void *a, const void *b)
{
    return ((const mp_node_gpu *)a)->index - ((const mp_node_gpu *)b)->index;
}

int mp_node_parse(const mp_db *db, const char *text, size_t len,
                  const char *path, mp_node *out, mp_diag *d)
{
    static const mp_field top[] = {
        {"gpus", MP_F_NODE, true, 0, 0, 0},
    };
    static const mp_field gf[] = {
        {"index", MP_F_INT, false, offsetof(gpu_raw, index), 0,
         MP_NODE_MAX_GPUS - 1},
        {"count", MP_F_INT, false, offsetof(gpu_raw, count), 1,
         MP_NODE_MAX_GPUS},
        {"model", MP_F_STR, true, offsetof(gpu_raw, model), 0, 0},
        {"subsystem", MP_F_STR, false, offsetof(gpu_raw, subsystem), 0, 0},
    };
    memset(out, 0, sizeof(*out));
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
    if (rc)
        goto out;
    out->gpus =
        mp_arena_alloc(&out->arena, MP_NODE_MAX_GPUS * sizeof(*out->gpus));
    if (!out->gpus) {
        rc = mp_diag_set(d, MP_ENOMEM, path, 0, 0, "out of memory");
        goto out;
    }
    int next = 0;
    for (size_t i = 0; i < gpus->nkids; i++) {
        gpu_raw r = {.index = -1, .count = 1};
        uint64_t present;
        const mp_ynode *g = gpus->kids[i];
        rc = mp_schema_read(&c, g, "GPU", gf, 4, &r, &present);
        if (rc)
            goto out;
        if ((present & 1) && (present & 2) && r.count > 1) {
            rc = mp_schema_err(&c, g, MP_ESCHEMA,
                               "give either index (one GPU) or count (the "
                               "next COUNT indices), not both");
            goto out;
        }
        const mp_model *m;
        mp_diag md;
        if (mp_db_find(db, r.model, &m, &md) != 0) {
            rc = mp_schema_err(&c, mp_ymap_get(g, "model", NULL), MP_ESCHEMA,
                               "%s", md.msg);
            goto out;
        }
        uint32_t sub = 0;
        if (r.subsystem && !mp_parse_pci_id(r.subsystem, &sub)) {
            rc =
                mp_schema_err(&c, mp_ymap_get(g, "subsystem", NULL), MP_ESCHEMA,
                              "subsystem must look like \"0x16C010DE\"");
            goto out;
        }
        int first = (present & 1) ? (int)r.index : next;
        for (long long k = 0; k < r.count; k++) {
            int idx = first + (int)k;
            if (idx >= MP_NODE_MAX_GPUS || out->n >= MP_NODE_MAX_GPUS) {
                rc = mp_schema_err(&c, g, MP_ELIMIT,
                                   "more than %d GPUs in one node",
                                   MP_NODE_MAX_GPUS);
                goto out;
            }
            for (int j = 0; j < out->n; j++)
                if (out->gpus[j].index == idx) {
                    rc = mp_schema_err(&c, g, MP_ESCHEMA,
                                       "GPU index %d is listed twice", idx);
                    goto out;
                }
            mp_node_gpu *ng = &out->gpus[out->n++];
            ng->index = idx;
            ng->model = m;
            ng->subsystem = sub;
            ng->line = g->line;
            ng->col = g->col;
        }
        next = first + (int)r.count;
    }
    if (out->n == 0) {
        rc = mp_schema_err(&c, gpus, MP_ESCHEMA, "the node lists no GPU");
        goto out;
    }
    qsort(out->gpus, (size_t)out->n, sizeof(*out->gpus), cmp_gpu);
out:
    mp_ydoc_free(&doc);
    if (rc)
        mp_node_free(out);
    return rc;
}

int mp_node_load(const mp_db *db, const char *path, mp_node *out, mp_diag *d)
{
    char *text;
    size_t len;
    memset(out, 0, sizeof(*out));
    int rc = mp_read_file(path, mp_ylimits_default.max_bytes, &text, &len, d);
    if (rc)
        return rc;
    rc = mp_node_parse(db, text, len, path, out, d);
    free(text);
    return rc;
}

void mp_node_free(mp_node *n)
{
    if (!n)
        return;
    mp_arena_free(&n->arena);
    memset(n, 0, sizeof(*n));
}
