// SPDX-License-Identifier: Apache-2.0
/* state_json.c - the state a migplan plan (--format json) leaves a node
 * in, read back as the starting point of the next plan, so plans chain. */
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "migplan/model/profile_db.h"
#include "migplan/readers/state_reader.h"
#include "migplan/util/buf.h"
#include "migplan/yaml/schema.h"
#include "migplan/yaml/ydoc.h"
#include "lines.h"
#include "state_internal.h"

typedef struct rd {
    const char *path;
    const mp_model *const *models;
    int n_models;
    mp_node_state *st;
    mp_diag *d;
    const char *node; /* the node whose GPUs are read (by_node) */
    bool by_node;     /* a plan of node pools: GPUs by "node_index" */
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
    const mp_ynode *assumed = mp_ymap_get(k, "assumed", NULL);
    mp_yval v;
    /* a plan from an export: the slots it kept from the export stay
     * assumed in the next plan (not those it created: their start is
     * known) */
    if (assumed && mp_ynode_resolve(assumed, &v) == MP_YV_BOOL && v.b)
        r->st->placements_assumed = g->gi[q].slot_assumed = true;
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
    const mp_ynode *node = mp_ymap_get(gpu, "node", NULL);
    if (r->by_node && (!node || node->kind != MP_YNODE_SCALAR ||
                       strcmp(node->str, r->node) != 0))
        return 0; /* another node's */
    int index, rc = get_int(r, gpu, r->by_node ? "node_index" : "index", 0,
                            MP_STATE_MAX_GPUS - 1, false, &index);
    if (!rc)
        rc = get_str(r, gpu, "model", &model);
    mp_yval v = {.b = true};
    if (!rc && mig && !(rc = want_kind(r, mig, MP_YV_BOOL, "\"mig_enabled\"")))
        mp_ynode_resolve(mig, &v);
    if (rc)
        return rc;
    r->st->has_gpu_table = true; /* a plan lists every GPU it had */
    if (mp_node_state_table_add(r->st, index))
        return ERR(r, MP_ENOMEM, gpu, "out of memory");
    const mp_model *m = index < r->n_models ? r->models[index] : NULL;
    if (!m) {
        const mp_ynode *at =
            mp_ymap_get(gpu, r->by_node ? "node_index" : "index", NULL);
        mp_node_state_skip(r->st, index, at->line, at->col);
        return 0;
    }
    if (!mp_model_claims(m, model->str)) /* its id or an alias */
        return ERR(r, MP_ESCHEMA, model,
                   "GPU %d is %s in this plan but %s here; plan from "
                   "the state of the same GPUs",
                   index, model->str, m->id);
    if (mp_node_state_gpu(r->st, index))
        return ERR(r, MP_ESCHEMA, gpu, "GPU %d is listed twice", index);
    mp_gpu_state *g = mp_node_state_add_gpu(r->st, index, m);
    if (!g)
        return ERR(r, MP_ENOMEM, gpu, "out of memory");
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

/* Line and column (1-based, in bytes) of text + off. */
static void pos_of(const char *text, size_t off, int *line, int *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < off; i++) {
        *col = text[i] == '\n' ? 1 : *col + 1;
        *line += text[i] == '\n';
    }
}

/* How text[0..len) ends: inside a string (*str_at: where it starts), with
 * *open objects and arrays not closed. */
static void json_ending(const char *text, size_t len, size_t *str_at, int *open)
{
    bool in_str = false;
    *open = 0;
    *str_at = len;
    for (size_t i = 0; i < len; i++) {
        char ch = text[i];
        if (in_str && ch == '\\')
            i++;
        else if (ch == '"' && (in_str = !in_str))
            *str_at = i;
        else if (!in_str && (ch == '{' || ch == '['))
            ++*open;
        else if (!in_str && (ch == '}' || ch == ']'))
            --*open;
    }
    if (!in_str)
        *str_at = len;
}

/* Does the token at text + off run to the end of text (blanks aside)? */
static bool last_token(const char *text, size_t len, size_t off)
{
    while (off < len && !strchr(" \t\r\n,:{}[]", text[off]))
        off++;
    while (off < len && strchr(" \t\r\n", text[off]) && text[off])
        off++;
    return off >= len;
}

/* Is text (after a byte order mark and blanks) a JSON object? */
bool mp_state_json_text(const char *text, size_t len)
{
    text = mp_skip_bom(text, &len);
    size_t k = 0;
    while (k < len && strchr(" \t\r\n", text[k]) && text[k])
        k++;
    return k < len && text[k] == '{';
}

int mp_state_json_check(const char *text, size_t len, const char *path,
                        mp_diag *d)
{
    text = mp_skip_bom(text, &len);
    const char *end = NULL;
    cJSON *j = cJSON_ParseWithLengthOpts(text, len, &end, false);
    if (j) {
        cJSON_Delete(j);
        size_t off = end && end >= text && end <= text + len
                         ? (size_t)(end - text)
                         : len;
        while (off < len && strchr(" \t\r\n", text[off]))
            off++;
        if (off >= len)
            return 0;
        int line, col;
        pos_of(text, off, &line, &col);
        return mp_diag_set(d, MP_ESYNTAX, path, line, col,
                           "JSON syntax error: text after the end of the "
                           "JSON document; a state is one document (were two "
                           "files joined, e.g. with `>>`?)");
    }
    size_t off =
        end && end >= text && end <= text + len ? (size_t)(end - text) : 0;
    size_t str_at;
    int line, col, open;
    json_ending(text, len, &str_at, &open);
    bool cut = str_at < len ? off >= str_at : last_token(text, len, off);
    pos_of(text, cut ? len : off, &line, &col);
    unsigned char ch = (unsigned char)(off < len ? text[off] : 0);
    if (!cut && ch >= 0x20 && ch < 0x7F)
        return mp_diag_set(d, MP_ESYNTAX, path, line, col,
                           "JSON syntax error: unexpected '%c' here", ch);
    if (!cut)
        return mp_diag_set(d, MP_ESYNTAX, path, line, col,
                           "JSON syntax error: unexpected byte 0x%02X here",
                           ch);
    char where[96] = "", left[64] = "";
    if (str_at < len) {
        int sl, sc;
        pos_of(text, str_at, &sl, &sc);
        snprintf(where, sizeof(where), " inside the string at %d:%d", sl, sc);
    }
    if (open > 0)
        snprintf(left, sizeof(left), " with %d object%s or array%s not closed",
                 open, open == 1 ? "" : "s", open == 1 ? "" : "s");
    return mp_diag_set(d, MP_ESYNTAX, path, line, col,
                       "JSON syntax error: the text ends%s%s; is the file cut "
                       "short (a partial copy or a full disk)?",
                       where, left);
}

/* A plan of node pools names each GPU's node ("node"): r->node's GPUs are
 * read; without r->node the plan must cover one node, which is read. */
static int pick_node(rd *r, const mp_ynode *gpus)
{
    char names[600] = "";
    size_t k = 0;
    int n_names = 0;
    bool found = false;
    const char *first = NULL, *last = NULL;
    const mp_ynode *nameless = NULL; /* the first GPU without a node */
    for (size_t i = 0; i < gpus->nkids; i++) {
        const mp_ynode *g = gpus->kids[i];
        const mp_ynode *nn =
            g->kind == MP_YNODE_MAP ? mp_ymap_get(g, "node", NULL) : NULL;
        if (!nn || nn->kind != MP_YNODE_SCALAR || !nn->str[0]) {
            nameless = nameless ? nameless : nn ? nn : g;
            continue;
        }
        found |= r->node && strcmp(nn->str, r->node) == 0;
        first = first ? first : nn->str;
        if (last && strcmp(last, nn->str) == 0)
            continue; /* a node's GPUs are listed together */
        last = nn->str;
        if (n_names++ < 12)
            mp_catf(names, sizeof(names), &k, "%s%s", k ? ", " : "", last);
        else if (n_names == 13)
            mp_catf(names, sizeof(names), &k, ", ...");
    }
    if (!first)
        return 0; /* a plan of a fleet: GPUs by "index" */
    r->by_node = r->st->of_node = true;
    if (nameless)
        return ERR(r, MP_ESCHEMA, nameless,
                   "this GPU names no node (\"node\" is missing or "
                   "empty), but this plan's GPUs are of nodes (%s): each "
                   "GPU of a plan of node pools names its node; was the "
                   "plan edited by hand?",
                   names);
    if (r->node && !found)
        return ERR(r, MP_ESCHEMA, gpus,
                   "this plan has no node '%s' (its nodes: %s); is it "
                   "another request's plan? (a node given no state is "
                   "taken as empty)",
                   r->node, names);
    if (!r->node && n_names > 1)
        return ERR(r, MP_ESCHEMA, gpus,
                   "this plan covers %d nodes (%s), each with its own GPU "
                   "indices: name the node whose state to read, --current "
                   "NODE=FILE",
                   n_names, names);
    r->node = r->node ? r->node : first;
    return 0;
}

int mp_state_read_plan(const char *text, size_t len, const char *path,
                       const mp_model *const *models, int n_models,
                       mp_node_state *st, mp_diag *d)
{
    return mp_state_read_plan_node(text, len, path, NULL, models, n_models, st,
                                   d);
}

/* Read the plan in doc into r->st. */
static int read_doc(rd *r, const mp_ydoc *doc)
{
    const char *path = r->path;
    mp_diag *d = r->d;
    const mp_ynode *root = doc->root, *gpus = NULL, *feasible = NULL;
    mp_yval v;
    int rc = 0;
    if (!root || root->kind != MP_YNODE_MAP)
        rc = mp_diag_set(d, MP_ESCHEMA, path, root ? root->line : 1,
                         root ? root->col : 1,
                         "a plan is a JSON object with \"gpus\" (what "
                         "`migplan plan --format json` writes)");
    else if ((feasible = mp_ymap_get(root, "feasible", NULL)) &&
             mp_ynode_resolve(feasible, &v) == MP_YV_BOOL && !v.b)
        rc = ERR(r, MP_ESCHEMA, feasible,
                 "this plan is infeasible: it placed nothing, so it holds "
                 "no state to start from");
    else if (!(gpus = mp_ymap_get(root, "gpus", NULL)))
        rc = ERR(r, MP_ESCHEMA, root,
                 "this plan has no \"gpus\": is it the JSON of `migplan "
                 "plan --format json`?");
    else if (!(rc = mp_schema_need_seq(&(mp_schema_ctx){path, NULL, d}, gpus,
                                       "\"gpus\"")) &&
             gpus->nkids == 0)
        rc = ERR(r, MP_ESCHEMA, gpus,
                 "\"gpus\" is empty, but a plan of `migplan plan --format "
                 "json` lists every GPU of its fleet or nodes, so this is "
                 "no plan; GPUs that hold nothing need no --current (or "
                 "give their `nvidia-smi mig -lgi` output)");
    else if (!rc)
        rc = pick_node(r, gpus);
    for (size_t i = 0; !rc && i < gpus->nkids; i++)
        rc = read_gpu(r, gpus->kids[i]);
    return rc;
}

/* The fast path: the tree from cJSON, without positions. It stands when
 * reading succeeds and kept no position (a GPU skipped is reported later at
 * its line); otherwise the caller reads again through libyaml. */
static bool read_fast(rd *r, const char *text, size_t len)
{
    mp_ydoc doc;
    mp_diag quiet;
    mp_diag_clear(&quiet);
    rd fast = *r;
    fast.d = &quiet;
    if (mp_ydoc_parse_json(text, len, r->path, NULL, &doc, &quiet))
        return false;
    int rc = read_doc(&fast, &doc);
    mp_ydoc_free(&doc);
    if (rc == 0 && r->st->n_skipped == 0)
        return true;
    mp_node_state_free(r->st);
    mp_node_state_init(r->st, MP_STATE_PLAN);
    return false;
}

int mp_state_read_plan_node(const char *text, size_t len, const char *path,
                            const char *node, const mp_model *const *models,
                            int n_models, mp_node_state *st, mp_diag *d)
{
    mp_node_state_init(st, MP_STATE_PLAN);
    rd r = {path, models, n_models, st, d, node, false};
    if (read_fast(&r, text, len))
        return 0;
    mp_ydoc doc;
    /* the YAML reader refuses text after the document too; say what is
     * wrong as JSON, not as YAML */
    int rc = mp_ydoc_parse(text, len, path, NULL, &doc, d);
    if (rc == MP_ESYNTAX)
        mp_state_json_check(text, len, path, d);
    if (rc)
        return rc;
    rc = read_doc(&r, &doc);
    mp_ydoc_free(&doc);
    return rc;
}
