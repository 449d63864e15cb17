// SPDX-License-Identifier: Apache-2.0
/* cli_state.c - `--current FILE`, read with the models of the request's
 * fleet, of --node or of --gpu. */
#include "cli_state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "migplan/util/buf.h"

const cli_choice cli_state_formats[] = {
    {"auto", MP_STATE_AUTO, "by its content"},
    {"nvidia-smi", MP_STATE_NVSMI, "nvidia-smi mig -lgi [-lci] [nvidia-smi]"},
    {"plan-json", MP_STATE_PLAN, "migplan plan --format json"},
    {"mig-parted", MP_STATE_MIGPARTED, "nvidia-mig-parted export"},
    {NULL, 0, NULL},
};

/* n models, every one m (*out the caller's to free); NULL: out of memory. */
static const mp_model **models_of(const mp_model *m, int n)
{
    const mp_model **v = malloc(((size_t)n + 1) * sizeof(*v));
    for (int i = 0; v && i < n; i++)
        v[i] = m;
    return v;
}

int cli_fleet_models(cli_ctx *c, const mp_request *req,
                     const mp_model ***models, int *n, bool *open)
{
    long long total = 0;
    *open = false;
    for (int i = 0; i < req->n_fleet; i++) {
        *open |= req->fleet[i].count < 0;
        total +=
            req->fleet[i].count < 0 ? MP_STATE_OPEN_GPUS : req->fleet[i].count;
    }
    *n = total < MP_STATE_MAX_GPUS ? (int)total : MP_STATE_MAX_GPUS;
    if (!(*models = models_of(NULL, *n)))
        return cli_internal(c, "out of memory");
    int k = 0;
    for (int i = 0; i < req->n_fleet; i++) {
        int count =
            req->fleet[i].count < 0 ? MP_STATE_OPEN_GPUS : req->fleet[i].count;
        for (int j = 0; j < count && k < *n; j++)
            (*models)[k++] = req->fleet[i].model;
    }
    return 0;
}

int cli_state_models(cli_ctx *c, const mp_model *const *gpus, int n_gpus,
                     const mp_node *node, const mp_model ***models,
                     int *n_models, bool *open)
{
    *n_models = 0;
    *models = NULL;
    *open = false;
    if (node && node->n > 0) {
        for (int k = 0; k < node->n; k++) {
            int i = node->gpus[k].index;
            if (i >= 0 && i < MP_STATE_MAX_GPUS && i + 1 > *n_models)
                *n_models = i + 1;
        }
        if (!(*models = models_of(NULL, *n_models)))
            return cli_internal(c, "out of memory");
        for (int k = 0; k < node->n; k++) {
            int i = node->gpus[k].index;
            if (i >= 0 && i < MP_STATE_MAX_GPUS)
                (*models)[i] = node->gpus[k].model;
        }
        return 0;
    }
    if (n_gpus == 1) {
        *open = true;
        *n_models = MP_STATE_OPEN_GPUS;
        if (!(*models = models_of(gpus[0], *n_models)))
            return cli_internal(c, "out of memory");
        return 0;
    }
    return cli_usage_error(c, "--current needs the models of the node's GPUs: "
                              "give --node FILE, or --gpu MODEL when every "
                              "GPU is that model");
}

/* What a state read from a plan or an export does not say, and what
 * that costs, on stderr. */
static void state_notes(const cli_ctx *c, const mp_input *s,
                        const mp_node_state *st)
{
    bool fit = c->cmd && strcmp(c->cmd, "fit") == 0; /* writes no script */
    if (st->placements_assumed && st->n_unknown_ids > 0)
        fprintf(stderr,
                "migplan %s: note: %s %s: it gives counts, not placements, "
                "so %s GPU instances are "
                "assumed where mig-parted creates them (largest first, the "
                "driver picking the slots) and their IDs are unknown; a plan "
                "may keep an instance that is elsewhere in fact, and the "
                "change script checks the real placements on the node and "
                "stops before changing anything if they differ (give "
                "`nvidia-smi mig -lgi` output to plan from the real ones)\n",
                c->cmd, s->shown,
                st->format == MP_STATE_PLAN
                    ? "is a plan made from an nvidia-mig-parted export"
                    : "is an nvidia-mig-parted export",
                st->format == MP_STATE_PLAN
                    ? "the export's" /* not those the plan created */
                    : "its");
    else if (st->n_unknown_ids > 0)
        fprintf(stderr,
                "migplan %s: note: %s is a plan: %d of its instances %s no "
                "GPU instance ID in it (a plan cannot know the IDs of what "
                "it creates)%s%s%s\n",
                c->cmd, s->shown, st->n_unknown_ids,
                st->n_unknown_ids == 1 ? "has" : "have",
                fit ? "" : ", so the change script finds ",
                fit ? "" : (st->n_unknown_ids == 1 ? "it" : "them"),
                fit ? "" : " on the node by profile and start slot");
}

/* The first GPU of st whose model the caller did not give, at its line:
 * beyond whose n GPUs, or a gap in them (--node), or beyond the indices
 * taken when no GPU count is given (open), or those of any node (node: a
 * node of a plan), or beyond those of a node of pool. */
static int skipped_error(cli_ctx *c, cli_inputs *in, const mp_input *s,
                         const mp_node_state *st, int n, bool open,
                         const char *whose, bool node, const mp_node_pool *pool)
{
    char more[80] = "";
    long long x = st->skipped_index;
    if (st->n_skipped > 1)
        snprintf(more, sizeof(more), " (it lists %d such GPUs)", st->n_skipped);
    mp_diag d;
    mp_diag_set(&d, MP_ESCHEMA, s->shown, st->skipped_line, st->skipped_col,
                "GPU %lld is not in %s: ", x, whose);
    size_t k = strlen(d.msg);
    if (x >= 0 && x < n)
        mp_catf(d.msg, sizeof(d.msg), &k, "no model is given for it%s", more);
    else if (pool)
        mp_catf(d.msg, sizeof(d.msg), &k,
                "pool %s's nodes have %d GPU%s (0-%d)%s; is it another "
                "node's output, or is the pool's `gpus:` wrong?",
                pool->name, pool->gpus, pool->gpus == 1 ? "" : "s",
                pool->gpus - 1, more);
    else if (node) /* a node of a pool: n is past the pool's GPUs */
        mp_catf(d.msg, sizeof(d.msg), &k,
                "a node's GPU indices run 0-%d at most%s; is this state of "
                "another node?",
                n - 1, more);
    else if (open)
        mp_catf(d.msg, sizeof(d.msg), &k,
                "without a GPU count, migplan takes GPU indices 0-%d%s; "
                "give the count (%s)",
                n - 1, more,
                c->cmd && strcmp(c->cmd, "plan") == 0
                    ? "the fleet's `count:`, or --gpu MODEL:COUNT"
                    : "--node FILE: `nvidia-smi -L` output will do");
    else if (n == 1)
        mp_catf(d.msg, sizeof(d.msg), &k,
                "it has 1 GPU (GPU 0)%s; is this state of another node?", more);
    else
        mp_catf(d.msg, sizeof(d.msg), &k,
                "it has %d GPUs (0-%d, in its order)%s; is this state of "
                "another node?",
                n, n - 1, more);
    return cli_fail_in(c, in, &d);
}

/* cli_read_node_state, for a node of pool when pool is not NULL. */
static int read_state(cli_ctx *c, cli_inputs *in, const char *path, int fmt,
                      const char *node, const mp_model *const *models, int n,
                      bool open, const char *whose, const mp_node_pool *pool,
                      mp_node_state *st)
{
    const mp_input *s;
    mp_diag d;
    mp_diag_clear(&d);
    memset(st, 0, sizeof(*st));
    st->arena = (mp_arena)MP_ARENA_INIT;
    if (cli_input(in, path, "a state", &s, &d) != 0 ||
        mp_state_read_node(s->text, s->len, s->shown, (mp_state_format)fmt,
                           node, models, n, st, &d))
        return cli_fail_in(c, in, &d);
    if (st->n_skipped > 0) /* the file's fault: no --help hint */
        return skipped_error(c, in, s, st, n, open, whose, node != NULL, pool);
    /* an export's `devices: all` (it lists no GPU by index), or "No
     * MIG-enabled devices found" without a GPU table, read with a GPU count
     * assumed (open: one --gpu MODEL, or a fleet entry without
     * `count`): how many GPUs the node has is unknown, and only fit, which
     * answers for one GPU, can do without (a node of a pool has its pool's
     * `gpus:`: node_state) */
    bool all =
        st->format == MP_STATE_MIGPARTED && !st->has_gpu_table && st->n > 0;
    if (open && (all || st->all_off_uncounted) && c->cmd &&
        strcmp(c->cmd, "fit") != 0)
        return cli_usage_error(
            c,
            "%s %s, which does not say how many GPUs the node has, and %s "
            "(it would be read as %d GPUs): %s",
            s->shown,
            all ? "selects `devices: all`"
                : "says \"No MIG-enabled devices found\" and has no GPU "
                  "table of plain `nvidia-smi` after it",
            strcmp(c->cmd, "plan") == 0
                ? "the request's fleet has an entry without `count`"
                : "--gpu MODEL does not either",
            n,
            strcmp(c->cmd, "plan") == 0
                ? "give each fleet entry its `count`"
                : "give --node FILE (`nvidia-smi -L` output will do)");
    state_notes(c, s, st);
    return 0;
}

int cli_read_node_state(cli_ctx *c, cli_inputs *in, const char *path, int fmt,
                        const char *node, const mp_model *const *models, int n,
                        bool open, const char *whose, mp_node_state *st)
{
    return read_state(c, in, path, fmt, node, models, n, open, whose, NULL, st);
}

int cli_read_state(cli_ctx *c, cli_inputs *in, const char *path, int fmt,
                   const mp_model *const *models, int n, bool open,
                   const char *whose, mp_node_state *st)
{
    return cli_read_node_state(c, in, path, fmt, NULL, models, n, open, whose,
                               st);
}

/* What a state file of format f is, for a message. */
static const char *state_what(mp_state_format f)
{
    switch (f) {
    case MP_STATE_NVSMI:
        return "nvidia-smi output";
    case MP_STATE_PLAN:
        return "a plan of a fleet";
    case MP_STATE_MIGPARTED:
        return "an nvidia-mig-parted export";
    case MP_STATE_AUTO:
        break;
    }
    return "a state";
}

int cli_read_one_node(cli_ctx *c, cli_inputs *in, const char *v, int fmt,
                      const mp_model *const *models, int n, bool open,
                      const char *whose, mp_node_state *st)
{
    const char *eq = strchr(v, '=');
    if (!eq || access(v, F_OK) == 0) /* a file named so is read whole */
        return cli_read_state(c, in, v, fmt, models, n, open, whose, st);
    if (eq == v || !eq[1])
        return cli_usage_error(c,
                               "--current %s: NODE=FILE reads node NODE's "
                               "GPUs out of a plan of node pools; give "
                               "both, or the state file alone",
                               v);
    char node[300];
    snprintf(node, sizeof(node), "%.*s", (int)(eq - v), v);
    int r = cli_read_node_state(c, in, eq + 1, fmt, node, models, n, open,
                                whose, st);
    if (!r && !st->of_node)
        r = cli_usage_error(c,
                            "--current %s: NODE=FILE reads node %s's GPUs "
                            "out of a plan of node pools (`migplan plan "
                            "--format json` of a request with `nodes:`), "
                            "but %s is %s, the state of one node: give "
                            "--current %s",
                            v, node, eq + 1, state_what(st->format), eq + 1);
    return r;
}

/* The node of req named name: *pool and *k; false when none is. */
static bool find_node(const mp_request *req, const char *name, int *pool,
                      int *k)
{
    char buf[300];
    for (int i = 0; i < req->n_pools; i++) {
        const mp_node_pool *pl = &req->pools[i];
        size_t len = strlen(pl->name);
        int from = 0, to = pl->count;
        if (pl->count < 0 && !pl->names && strncmp(name, pl->name, len) == 0 &&
            name[len] == '-' && strspn(name + len + 1, "0123456789") > 0 &&
            strlen(name + len + 1) < 7) { /* <pool>-<k+1>: only that k */
            from = atoi(name + len + 1) - 1;
            to = from + 1;
        }
        for (int j = from < 0 ? 0 : from; j < to; j++) {
            mp_node_pool_node_name(pl, j, buf, sizeof(buf));
            if (strcmp(buf, name) == 0) {
                *pool = i;
                *k = j;
                return true;
            }
        }
    }
    return false;
}

/* The request's node names, for an error ("a-01, a-02, b-NN"). */
static void node_names(const mp_request *req, char *out, size_t n)
{
    size_t at = 0;
    out[0] = '\0';
    for (int i = 0; i < req->n_pools; i++) {
        const mp_node_pool *pl = &req->pools[i];
        char buf[300];
        if (pl->count < 0 && !pl->names) {
            mp_catf(out, n, &at, "%s%s-NN", at ? ", " : "", pl->name);
            continue;
        }
        for (int j = 0; j < pl->count && j < 8; j++) {
            mp_node_pool_node_name(pl, j, buf, sizeof(buf));
            mp_catf(out, n, &at, "%s%s", at ? ", " : "", buf);
        }
        if (pl->count > 8)
            mp_catf(out, n, &at, ", ... (%d nodes in pool %s)", pl->count,
                    pl->name);
    }
}

/* Value v of --current as NODE=FILE: the node into *nc, the file into
 * *file. A bare FILE is the request's one node. */
static int node_value(cli_ctx *c, const mp_request *req, const char *v,
                      int nvalues, mp_node_current *nc, const char **file)
{
    const char *eq = strchr(v, '=');
    char name[300], names[1200];
    if (!eq) {
        int nodes = 0;
        for (int i = 0; i < req->n_pools; i++)
            nodes += req->pools[i].count < 0 ? 2 : req->pools[i].count;
        if (nodes != 1 || nvalues != 1) {
            node_names(req, names, sizeof(names));
            return cli_usage_error(c,
                                   "--current %s: the request has node pools; "
                                   "give each node's state as --current "
                                   "NODE=FILE (nodes: %s)",
                                   v, names);
        }
        nc->pool = nc->k = 0;
        *file = v;
        return 0;
    }
    snprintf(name, sizeof(name), "%.*s", (int)(eq - v), v);
    *file = eq + 1;
    if (eq == v) {
        node_names(req, names, sizeof(names));
        return cli_usage_error(c,
                               "--current %s: give the node's name before "
                               "'=' (NODE=FILE; nodes: %s)",
                               v, names);
    }
    if (!eq[1])
        return cli_usage_error(c,
                               "--current %s: give the state file after "
                               "'=' (NODE=FILE)",
                               v);
    if (!find_node(req, name, &nc->pool, &nc->k)) {
        node_names(req, names, sizeof(names));
        return cli_usage_error(c,
                               "--current %s: the request has no node named "
                               "'%s'; its nodes are: %s (a pool's `names:`, "
                               "else <pool>-NN)",
                               v, name, names);
    }
    return 0;
}

/* Node nc's state out of file: its pool's model for every GPU, and no
 * GPU beyond the pool's count (an error at the line that lists it). */
static int node_state(cli_ctx *c, cli_inputs *in, const mp_request *req,
                      const char *file, int fmt, mp_node_current *nc,
                      mp_node_state *st)
{
    const mp_node_pool *pl = &req->pools[nc->pool];
    const mp_model **models = models_of(pl->model, pl->gpus);
    if (!models)
        return cli_internal(c, "out of memory");
    char whose[400], name[300];
    mp_node_pool_node_name(pl, nc->k, name, sizeof(name));
    snprintf(whose, sizeof(whose), "node %s", name);
    int r = read_state(c, in, file, fmt, name, models, pl->gpus, false, whose,
                       pl, st);
    free(models);
    if (r)
        return r;
    nc->st = st;
    return 0;
}

int cli_read_node_states(cli_ctx *c, cli_inputs *in, const mp_request *req,
                         const cli_list *values, int fmt, cli_node_states *out)
{
    memset(out, 0, sizeof(*out));
    int n = values->n;
    out->nodes = calloc((size_t)n + 1, sizeof(*out->nodes));
    out->states = calloc((size_t)n + 1, sizeof(*out->states));
    if (!out->nodes || !out->states)
        return cli_usage_error(c, "out of memory");
    for (int j = 0; j < n; j++) {
        const char *file;
        mp_node_current *nc = &out->nodes[j];
        int r = node_value(c, req, values->v[j], n, nc, &file);
        for (int i = 0; !r && i < j; i++)
            if (out->nodes[i].pool == nc->pool && out->nodes[i].k == nc->k)
                r = cli_usage_error(c,
                                    "--current %s: that node's state is "
                                    "given twice (first as --current %s); "
                                    "give each node once",
                                    values->v[j], values->v[i]);
        if (!r)
            r = node_state(c, in, req, file, fmt, nc, &out->states[j]);
        out->n = j + 1; /* its state is to free, read or not */
        if (r)
            return r;
    }
    return 0;
}

void cli_node_states_free(cli_node_states *s)
{
    for (int j = 0; j < s->n; j++)
        mp_node_state_free(&s->states[j]);
    free(s->nodes);
    free(s->states);
    memset(s, 0, sizeof(*s));
}
