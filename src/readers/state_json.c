// SPDX-License-Identifier: Apache-2.0
/* state_json.c - the state a migplan plan (--format json) leaves a node
 * in, read back as the starting point of the next plan, so plans chain. */
#include <stdio.h>
#include <string.h>

#include "migplan/readers/state_reader.h"
#include "migplan/yaml/schema.h"
#include "migplan/yaml/ydoc.h"
#include "state_internal.h"

typedef struct rd {
    const char *path;
    const mp_model *const *models;
    int n_models;
    mp_node_state *st;
    mp_diag *d;
} rd;

#define ERR(r, code, n, ...)                                                   \
    mp_diag_set((r)->d, code, (r)->path, (n)->line, (n)->col, __VA_ARGS__)

static int want_kind(rd *r, const mp_ynode *n, mp_yvkind kind, const char *what)
{
    mp_yval v;
    mp_yvkind k = mp_ynode_resolve(n, &v);
    if (k == kind)
        return 0;
    return ERR(r, MP_ESCHEMA, n, "%s must be a %s, not a %s", what,
               mp_yvkind_name(kind), mp_yvkind_name(k));
}

/* Key `key` of map as an integer in [lo, hi]; a missing key is an error
 * unless *out holds a default (dflt). */
static int get_int(rd *r, const mp_ynode *map, const char *key, int lo, int hi,
                   bool dflt, int *out)
{
    const mp_ynode *n = mp_ymap_get(map, key, NULL);
    if (!n) {
        if (dflt)
            return 0;
        return ERR(r, MP_ESCHEMA, map, "this entry has no \"%s\"", key);
    }
    mp_yval v;
    if (mp_ynode_resolve(n, &v) != MP_YV_INT || v.i < lo || v.i > hi)
        return ERR(r, MP_ESCHEMA, n, "\"%s\" must be a number from %d to %d",
                   key, lo, hi);
    *out = (int)v.i;
    return 0;
}

static int get_str(rd *r, const mp_ynode *map, const char *key,
                   const mp_ynode **out)
{
    *out = mp_ymap_get(map, key, NULL);
    if (!*out)
        return ERR(r, MP_ESCHEMA, map, "this entry has no \"%s\"", key);
    char what[64];
    snprintf(what, sizeof(what), "\"%s\"", key);
    return want_kind(r, *out, MP_YV_STR, what);
}

/* The "changes" "keep" entry of gpu for profile p at start, or NULL. */
static const mp_ynode *kept_entry(const mp_ynode *gpu, const mp_gi_profile *p,
                                  int start)
{
    const mp_ynode *ch = mp_ymap_get(gpu, "changes", NULL);
    const mp_ynode *keep =
        ch && ch->kind == MP_YNODE_MAP ? mp_ymap_get(ch, "keep", NULL) : NULL;
    for (size_t i = 0; keep && keep->kind == MP_YNODE_SEQ && i < keep->nkids;
         i++) {
        const mp_ynode *k = keep->kids[i];
        const mp_ynode *name =
            k->kind == MP_YNODE_MAP ? mp_ymap_get(k, "profile", NULL) : NULL;
        const mp_ynode *at =
            k->kind == MP_YNODE_MAP ? mp_ymap_get(k, "start", NULL) : NULL;
        mp_yval v;
        if (name && at && name->kind == MP_YNODE_SCALAR &&
            strcmp(name->str, p->name) == 0 &&
            mp_ynode_resolve(at, &v) == MP_YV_INT && v.i == start)
            return k;
    }
    return NULL;
}

/* What a kept entry says: the GPU instance ID and whether it was in use. */
static int kept_facts(rd *r, const mp_ynode *k, mp_gpu_state *g, int q,
                      const mp_ynode *inst)
{
    int id = -1;
    int rc = get_int(r, k, "gi_id", 0, 4095, true, &id);
    if (rc)
        return rc;
    if (id >= 0 && mp_gpu_state_find(g, id) >= 0)
        return ERR(r, MP_ESCHEMA, k,
                   "GPU instance ID %d is kept twice on GPU %d", id, g->index);
    g->gi[q].gi_id = id;
    const mp_ynode *busy = mp_ymap_get(k, "in_use", NULL);
    mp_yval v;
    if (busy && mp_ynode_resolve(busy, &v) == MP_YV_BOOL && v.b) {
        const mp_ynode *t = mp_ymap_get(inst, "tenant", NULL);
        g->gi[q].n_processes = 1;
        if (t && t->kind == MP_YNODE_SCALAR &&
            !(g->gi[q].process = mp_arena_strdup(&r->st->arena, t->str)))
            return ERR(r, MP_ENOMEM, k, "out of memory");
    }
    return 0;
}

/* One entry of a GPU's "instances". */
static int read_instance(rd *r, const mp_ynode *gpu, const mp_ynode *inst,
                         mp_gpu_state *g)
{
    const mp_model *m = g->layout.gis.model;
    if (inst->kind != MP_YNODE_MAP)
        return ERR(r, MP_ESCHEMA, inst,
                   "an instance must be a map with \"profile\" and \"start\"");
    const mp_ynode *name;
    int start, id = -1, rc = get_str(r, inst, "profile", &name);
    if (!rc)
        rc = get_int(r, inst, "start", 0, m->units - 1, false, &start);
    if (!rc)
        rc = get_int(r, inst, "profile_id", 0, 255, true, &id);
    if (rc)
        return rc;
    const mp_gi_profile *p = mp_model_profile(m, name->str);
    if (!p)
        return ERR(r, MP_ESCHEMA, name,
                   "%s has no GPU instance profile '%s' (`migplan profiles "
                   "%s` lists them); is this plan for another GPU model?",
                   m->id, name->str, m->id);
    if (id >= 0 && id != p->id)
        return ERR(r, MP_ESCHEMA, name,
                   "%s is profile ID %d on %s, but this entry says %d", p->name,
                   p->id, m->id, id);
    char why[400];
    int q = mp_gpu_state_add(g, p->id, start, p->memory_slices, -1, inst->line,
                             why, sizeof(why));
    if (q < 0)
        return ERR(r, q, inst, "%s", why);
    const mp_ynode *k = kept_entry(gpu, p, start);
    if (k && (rc = kept_facts(r, k, g, q, inst)))
        return rc;
    r->st->n_unknown_ids += g->gi[q].gi_id < 0;
    return 0;
}

static int read_gpu(rd *r, const mp_ynode *gpu)
{
    if (gpu->kind != MP_YNODE_MAP)
        return ERR(r, MP_ESCHEMA, gpu,
                   "a GPU of \"gpus\" must be a map with \"index\", "
                   "\"model\" and \"instances\"");
    const mp_ynode *model, *mig = mp_ymap_get(gpu, "mig_enabled", NULL);
    int index,
        rc = get_int(r, gpu, "index", 0, MP_STATE_MAX_GPUS - 1, false, &index);
    if (!rc)
        rc = get_str(r, gpu, "model", &model);
    mp_yval v = {.b = true};
    if (!rc && mig && !(rc = want_kind(r, mig, MP_YV_BOOL, "\"mig_enabled\"")))
        mp_ynode_resolve(mig, &v);
    if (rc)
        return rc;
    const mp_model *m = index < r->n_models ? r->models[index] : NULL;
    if (!m) {
        r->st->n_skipped++;
        return 0;
    }
    if (strcmp(model->str, m->id) != 0)
        return ERR(r, MP_ESCHEMA, model,
                   "GPU %d is %s in this plan but %s here; plan from "
                   "the state of the same GPUs",
                   index, model->str, m->id);
    mp_gpu_state *g = mp_node_state_add_gpu(r->st, index, m);
    if (!g)
        return ERR(r, MP_ESCHEMA, gpu, "GPU %d is listed twice", index);
    g->layout.mig_enabled = v.b;
    const mp_ynode *insts = mp_ymap_get(gpu, "instances", NULL);
    if (!insts)
        return 0;
    if ((rc = mp_schema_need_seq(&(mp_schema_ctx){r->path, NULL, r->d}, insts,
                                 "\"instances\"")))
        return rc;
    if (!v.b && insts->nkids > 0)
        return ERR(r, MP_ESCHEMA, insts,
                   "GPU %d has MIG disabled but lists GPU instances", index);
    for (size_t i = 0; i < insts->nkids && !rc; i++)
        rc = read_instance(r, gpu, insts->kids[i], g);
    return rc;
}

int mp_state_read_plan(const char *text, size_t len, const char *path,
                       const mp_model *const *models, int n_models,
                       mp_node_state *st, mp_diag *d)
{
    mp_node_state_init(st, MP_STATE_PLAN);
    mp_ydoc doc;
    int rc = mp_ydoc_parse(text, len, path, NULL, &doc, d);
    if (rc)
        return rc;
    rd r = {path, models, n_models, st, d};
    const mp_ynode *root = doc.root, *gpus = NULL, *feasible = NULL;
    mp_yval v;
    if (!root || root->kind != MP_YNODE_MAP)
        rc = mp_diag_set(d, MP_ESCHEMA, path, root ? root->line : 1,
                         root ? root->col : 1,
                         "a plan is a JSON object with \"gpus\" (what "
                         "`migplan plan --format json` writes)");
    else if ((feasible = mp_ymap_get(root, "feasible", NULL)) &&
             mp_ynode_resolve(feasible, &v) == MP_YV_BOOL && !v.b)
        rc = ERR(&r, MP_ESCHEMA, feasible,
                 "this plan is infeasible: it placed nothing, so it holds "
                 "no state to start from");
    else if (!(gpus = mp_ymap_get(root, "gpus", NULL)))
        rc = ERR(&r, MP_ESCHEMA, root,
                 "this plan has no \"gpus\": is it the JSON of `migplan "
                 "plan --format json`?");
    else
        rc = mp_schema_need_seq(&(mp_schema_ctx){path, NULL, d}, gpus,
                                "\"gpus\"");
    for (size_t i = 0; !rc && i < gpus->nkids; i++)
        rc = read_gpu(&r, gpus->kids[i]);
    mp_ydoc_free(&doc);
    return rc;
}
