/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_fit.c - `migplan fit MODEL PROFILE...`: does this layout fit one GPU,
 * where does each instance go, and in which order to create them. */
#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_state.h"
#include "migplan/emit/fit_current.h"
#include "migplan/model/gpu_nearest.h"
#include "migplan/model/gpu_layout.h"
#include "migplan/util/suggest.h"
#include "migplan/emit/geometry_out.h"
#include "migplan/model/geometry.h"

typedef enum fit_format {
    FIT_FORMAT_TABLE,
    FIT_FORMAT_JSON,
    FIT_FORMAT_SVG
} fit_format;

typedef struct fit_args {
    int format; /* fit_format */
    const char *output;
    const char *model;
    cli_list items;        /* PROFILE[:START] */
    const char *current;   /* --current FILE: the GPU's state */
    int current_format;    /* --current-format: an mp_state_format */
    const char *gpu_index; /* --gpu-index N: which GPU of it */
} fit_args;

static const mp_gi_profile *find_profile(const mp_model *m, const char *s)
{
    const mp_gi_profile *p = mp_model_profile(m, s);
    if (p)
        return p;
    char *end;
    long id = strtol(s, &end, 10);
    return *s && !*end && id == (int)id ? mp_model_profile_by_id(m, (int)id)
                                        : NULL;
}

/* The name `check` would suggest for s on m (the same GI size, the
 * nearest memory), else the nearest spelling, into mean; "" for none. */
static void did_you_mean(const mp_model *m, const char *s, char *mean, size_t n)
{
    char why[1000];
    const mp_gi_profile *gi;
    int ci;
    mean[0] = '\0';
    const char *at = NULL;
    if (!mp_gpu_layout_resolve_name(m, s, &gi, &ci, why, sizeof(why)))
        at = strstr(why, "did you mean ");
    if (at) {
        at += strlen("did you mean ");
        snprintf(mean, n, "%.*s", (int)strcspn(at, "?"), at);
        return;
    }
    const char *names[256];
    int k = 0;
    for (int i = 0; i < m->n_profiles && k < 256; i++)
        names[k++] = m->profiles[i].name;
    const char *best = mp_suggest(s, names, k);
    if (best)
        snprintf(mean, n, "%s", best);
}

static int unknown_profile(cli_ctx *c, const mp_model *m, const char *s)
{
    char list[600] = "", mean[128];
    size_t k = 0;
    for (int i = 0; i < m->n_profiles && k < sizeof(list); i++)
        mp_catf(list, sizeof(list), &k, "%s%s", i ? ", " : "",
                m->profiles[i].name);
    did_you_mean(m, s, mean, sizeof(mean));
    return cli_usage_error(c,
                           "%s is not a profile of %s%s%s%s; its profiles: "
                           "%s",
                           s, m->id, *mean ? " (did you mean " : "", mean,
                           *mean ? "?)" : "", list);
}

/* "3x1g.10gb:2" -> count 3, profile, start 2 */
static int parse_item(cli_ctx *c, const mp_model *m, const char *arg,
                      int *count, int *profile, int *start)
{
    char buf[128];
    snprintf(buf, sizeof(buf), "%s", arg);
    char *s = buf;
    *count = 1;
    char *x = strchr(s, 'x');
    if (x && x > s) {
        bool digits = true;
        for (char *q = s; q < x; q++)
            digits &= isdigit((unsigned char)*q) != 0;
        if (digits) {
            *count = atoi(s);
            s = x + 1;
        }
    }
    *start = -1;
    char *colon = strchr(s, ':');
    if (colon) {
        *colon = '\0';
        char *end;
        long st = strtol(colon + 1, &end, 10);
        if (!colon[1] || *end || st < 0 || st >= m->units)
            return cli_usage_error(c, "'%s': the start slot must be 0..%d", arg,
                                   m->units - 1);
        *start = (int)st;
    }
    const mp_gi_profile *p = find_profile(m, s);
    if (!p)
        return unknown_profile(c, m, s);
    if (*count < 1 || *count > MP_MAX_GIS)
        return cli_usage_error(c, "'%s': a count must be 1..%d", arg,
                               MP_MAX_GIS);
    if (*count > 1 && *start >= 0)
        return cli_usage_error(c, "'%s': pin instances one at a time", arg);
    *profile = mp_profile_index(m, p);
    return 0;
}

/* The instances asked for: prof[i] pinned to pin[i] (-1: anywhere); *n may
 * pass MP_MAX_GIS by one, which cannot fit. */
static int parse_items(cli_ctx *c, const mp_model *m, const cli_list *items,
                       int *prof, int *pin, int *n)
{
    *n = 0;
    for (int i = 0; i < items->n; i++) {
        int cnt = 0, pr = 0, st = -1;
        int r = parse_item(c, m, items->v[i], &cnt, &pr, &st);
        if (r)
            return r;
        for (int k = 0; k < cnt && *n <= MP_MAX_GIS; k++) {
            prof[*n] = pr;
            pin[*n] = st;
            (*n)++;
        }
    }
    return 0;
}

/* The most of prof[0..n) that fit on g beside what it holds, largest
 * first, into out (the GPU's instances first). */
static void fits_instead(const mp_gpu_state *g, const int *prof, const int *pin,
                         int n, mp_layout *out)
{
    const mp_model *m = g->layout.gis.model;
    int idx[MP_MAX_GIS + 1], kp[MP_MAX_GIS + 1], ks[MP_MAX_GIS + 1], k = 0;
    for (int i = 0; i < n; i++)
        idx[i] = i;
    for (int i = 1; i < n; i++)
        for (int j = i;
             j > 0 && m->profiles[prof[idx[j]]].memory_slices >
                          m->profiles[prof[idx[j - 1]]].memory_slices;
             j--) {
            int t = idx[j];
            idx[j] = idx[j - 1];
            idx[j - 1] = t;
        }
    mp_layout l;
    unsigned gone;
    mp_fit_result r;
    mp_gpu_fit_beside(g, NULL, NULL, 0, out, &gone, &r);
    for (int i = 0; i < n; i++) {
        kp[k] = prof[idx[i]];
        ks[k] = pin[idx[i]];
        if (mp_gpu_fit_beside(g, kp, ks, k + 1, &l, &gone, &r) == 0) {
            *out = l;
            k++;
        }
    }
}

/* Per asked profile (and pin) that instead leaves out, the fewest of g's
 * instances whose removal lets it alone fit, into v->alone. */
static void alone_hints(const mp_gpu_state *g, const int *prof, const int *pin,
                        int n, const mp_layout *instead, mp_fit_current_view *v)
{
    int placed[MP_MAX_PROFILES] = {0};
    for (int q = g->layout.gis.n; q < instead->n; q++)
        placed[instead->gi[q].profile]++;
    v->n_alone = 0;
    for (int i = 0; i < n; i++) {
        if (placed[prof[i]] > 0) {
            placed[prof[i]]--;
            continue;
        }
        bool seen = false;
        for (int k = 0; k < v->n_alone; k++)
            seen |= v->alone[k].profile == prof[i] && v->alone[k].pin == pin[i];
        if (seen)
            continue;
        mp_layout l;
        mp_fit_result r;
        unsigned gone = 0;
        v->alone[v->n_alone].fits =
            mp_gpu_fit_beside(g, &prof[i], &pin[i], 1, &l, &gone, &r) == 0;
        v->alone[v->n_alone].profile = prof[i];
        v->alone[v->n_alone].pin = pin[i];
        v->alone[v->n_alone++].must_go = gone;
    }
}

/* res says two pinned instances overlap (mp_geom_fit's sentence gives
 * only profiles and slots): name the instance g holds by its GPU instance
 * ID against the one asked, or say that both were asked. */
static void name_overlap(const mp_gpu_state *g, const int *prof, const int *pin,
                         int n, mp_fit_result *res)
{
    if (res->why != MP_FIT_PIN_OVERLAP)
        return;
    const mp_layout *l = &g->layout.gis;
    for (int i = 0; i < n; i++) {
        const mp_gi_profile *p = &l->model->profiles[prof[i]];
        for (int q = 0; q < l->n && pin[i] >= 0; q++) {
            int s = l->gi[q].start;
            int size = l->model->profiles[l->gi[q].profile].memory_slices;
            if (pin[i] >= s + size || s >= pin[i] + p->memory_slices)
                continue;
            char held[200];
            mp_gpu_state_describe(g, q, held, sizeof(held));
            snprintf(res->reason, sizeof(res->reason),
                     "%s at slot %d (asked) overlaps %s, which GPU %d holds",
                     p->name, pin[i], held, g->index);
            return;
        }
    }
    size_t len = strlen(res->reason);
    snprintf(res->reason + len, sizeof(res->reason) - len, " (both asked)");
}

/* --gpu-index N: 0 and *idx, or the usage error. */
static int gpu_index(cli_ctx *c, const char *arg, int *idx)
{
    if (!arg)
        return cli_usage_error(c, "--current needs --gpu-index N: which GPU "
                                  "of the state (its nvidia-smi index)");
    char *end;
    long v = strtol(arg, &end, 10);
    if (!*arg || *end || v < 0 || v >= MP_STATE_OPEN_GPUS)
        return cli_usage_error(c,
                               "--gpu-index %s: a GPU index is a number from "
                               "0 to %d (nvidia-smi's index on the node)",
                               arg, MP_STATE_OPEN_GPUS - 1);
    *idx = (int)v;
    return 0;
}

/* GPU idx of st into *out, or, when st does not list it (-lgi lists only
 * GPUs with instances) or lists it with MIG disabled, an empty GPU of
 * model m in *empty, with a note on stderr. A GPU that a state listing
 * the node's GPUs (nvidia-smi's GPU table, a plan, an export) does not
 * list is not on the node: an error. */
static int state_gpu(cli_ctx *c, const fit_args *a, const mp_node_state *st,
                     int idx, const mp_model *m, mp_gpu_state *empty,
                     const mp_gpu_state **out)
{
    const mp_gpu_state *g = mp_node_state_gpu(st, idx);
    *out = g;
    if (g && g->layout.mig_enabled)
        return 0;
    if (!g && st->has_gpu_table && !mp_node_state_lists(st, idx)) {
        char listed[400] = "";
        size_t k = 0;
        int n = st->n_table;
        for (int i = 0; i < n && i < 16; i++)
            mp_catf(listed, sizeof(listed), &k, "%s%d", k ? ", " : "",
                    st->table_gpus[i]);
        if (n > 16)
            mp_catf(listed, sizeof(listed), &k, ", ... %d",
                    st->table_gpus[n - 1]);
        mp_diag d;
        mp_diag_set(&d, MP_ESCHEMA, a->current, 0, 0,
                    "--gpu-index %d: the node has no GPU %d; this state "
                    "lists %s %s",
                    idx, idx, n == 1 ? "only GPU" : "GPUs",
                    n ? listed : "none");
        return cli_fail(c, &d);
    }
    mp_gpu_state_init(empty, idx, m);
    *out = empty;
    if (g)
        fprintf(stderr,
                "migplan fit: note: %s has MIG disabled on GPU %d; the answer "
                "is for the GPU once MIG is enabled (nvidia-smi -i %d -mig 1)"
                "%s%s%s\n",
                a->current, idx, idx,
                g->whole.n_processes > 0 ? ", which needs the GPU idle: " : "",
                g->whole.n_processes > 0 && g->whole.process
                    ? g->whole.process
                    : (g->whole.n_processes > 0 ? "a process" : ""),
                g->whole.n_processes > 0 ? " runs on it now" : "");
    else if (st->n > 0)
        fprintf(stderr,
                "migplan fit: note: %s lists no GPU instance on GPU %d: it is "
                "taken as a %s with MIG enabled and empty\n",
                a->current, idx, m->id);
    return 0;
}

/* --gpu-index N of --current FILE, read with model m. */
static int fit_current(cli_ctx *c, const fit_args *a, const mp_model *m,
                       const int *prof, const int *pin, int n)
{
    int idx = 0;
    int r = gpu_index(c, a->gpu_index, &idx);
    if (r)
        return r;
    if (a->format == FIT_FORMAT_SVG)
        return cli_usage_error(c, "--current answers as a table or json");
    const mp_model **models;
    int n_models;
    bool open;
    r = cli_state_models(c, &m, 1, NULL, &models, &n_models, &open);
    cli_inputs src = {0};
    mp_node_state *st = calloc(1, sizeof(*st));
    if (!st) {
        free(models);
        return cli_internal(c, "out of memory");
    }
    if (!r)
        r = cli_read_one_node(c, &src, a->current, a->current_format, models,
                              n_models, open, "the node", st);
    mp_gpu_state empty;
    const mp_gpu_state *g = NULL;
    if (!r)
        r = state_gpu(c, a, st, idx, m, &empty, &g);
    mp_buf b = MP_BUF_INIT;
    bool fits = false;
    if (!r) {
        mp_layout l, instead;
        mp_fit_result res;
        mp_fit_current_view v = {.gpu = g,
                                 .unicode = cli_use_unicode(c),
                                 .assumed = st->placements_assumed};
        const mp_gpu_state *listed = mp_node_state_gpu(st, idx);
        v.enable_mig = listed && !listed->layout.mig_enabled;
        if (v.enable_mig && listed->whole.n_processes > 0)
            v.whole_busy =
                listed->whole.process ? listed->whole.process : "a process";
        v.fits = mp_gpu_fit_beside(g, prof, pin, n, &l, &v.must_go, &res) == 0;
        fits = v.fits && !v.whole_busy; /* enabling MIG needs it idle */
        v.layout = &l;
        v.reason = res.reason;
        if (!fits) {
            name_overlap(g, prof, pin, n, &res);
            fits_instead(g, prof, pin, n, &instead);
            v.instead = &instead;
            alone_hints(g, prof, pin, n, &instead, &v);
        }
        if (a->format == FIT_FORMAT_JSON)
            mp_emit_fit_current_json(&v, &b);
        else
            mp_emit_fit_current_table(&v, &b);
        r = cli_write(c, &b, a->output);
    }
    mp_node_state_free(st);
    free(st);
    free(models);
    cli_inputs_free(&src);
    return r ? r : (fits ? EXIT_OK : EXIT_FINDINGS);
}

static int run(cli_ctx *c, void *args)
{
    const fit_args *a = args;
    const mp_model *m;
    int prof[MP_MAX_GIS + 1], pin[MP_MAX_GIS + 1], n;
    int r = cli_model(c, a->model, &m);
    if (!r)
        r = parse_items(c, m, &a->items, prof, pin, &n);
    if (r)
        return r;
    if ((a->gpu_index || a->current_format) && !a->current)
        return cli_usage_error(c, "--%s needs --current FILE",
                               a->gpu_index ? "gpu-index" : "current-format");
    if (a->current)
        return fit_current(c, a, m, prof, pin,
                           n > MP_MAX_GIS ? MP_MAX_GIS + 1 : n);
    mp_layout l;
    mp_fit_result res;
    int order[MP_MAX_GIS];
    mp_fit_view v = {.model = m, .layout = &l, .unicode = cli_use_unicode(c)};
    if (n > MP_MAX_GIS)
        snprintf(res.reason, sizeof(res.reason),
                 "more instances than the GPU has memory slices (%d)",
                 m->units);
    else
        v.fits = mp_geom_fit_best(m, prof, pin, n, &l, &res) == 0;
    v.reason = res.reason;
    if (v.fits) {
        mp_layout driver;
        mp_geom_sort_largest_first(&l);
        if (mp_geom_creation_order(&l, order, &v.exact, &driver) == 0)
            v.order = order;
    }
    mp_buf b = MP_BUF_INIT;
    switch ((fit_format)a->format) {
    case FIT_FORMAT_TABLE:
        mp_emit_fit_table(&v, &b);
        break;
    case FIT_FORMAT_JSON:
        mp_emit_fit_json(&v, &b);
        break;
    case FIT_FORMAT_SVG:
        mp_emit_fit_svg(&v, &b);
        break;
    }
    r = cli_write(c, &b, a->output);
    return r ? r : (v.fits ? EXIT_OK : EXIT_FINDINGS);
}

static const cli_choice formats[] = {
    {"table", FIT_FORMAT_TABLE, NULL},
    {"json", FIT_FORMAT_JSON, NULL},
    {"svg", FIT_FORMAT_SVG, "a picture"},
    {NULL, 0, NULL},
};

#define FIT_MISSING                                                            \
    "give a model and at least one profile, e.g. `migplan fit h100 3g.40gb "   \
    "4g.40gb`"

const cli_command cli_cmd_fit = {
    CLI_COMMAND_BINDING("fit", fit_args),
    .options = CLI_OPTIONS(
        CLI_OPTION_FORMAT(fit_args, format, formats, "table"),
        CLI_OPTION_OUTPUT(fit_args, output,
                          "write to F (atomically) instead of stdout"),
        CLI_OPT_TEXT(fit_args, current, "current", "FILE", CLI_VALUE_FILE,
                     "the GPU holds what FILE says (nvidia-smi mig -lgi, "
                     "optionally -lci and nvidia-smi output): do the profiles "
                     "still fit beside it, and where; also a plan written "
                     "with --format json, or an nvidia-mig-parted export"),
        CLI_OPTION_CURRENT_FORMAT(fit_args, current_format),
        CLI_OPT_TEXT(fit_args, gpu_index, "gpu-index", "N", CLI_VALUE_TEXT,
                     "with --current: the GPU of FILE (its nvidia-smi index)")),
    .operands = CLI_OPERANDS(
        CLI_OPERAND_MODEL(fit_args, model, FIT_MISSING, "too many arguments"),
        CLI_OPERAND(fit_args, items, "PROFILE[:START]", CLI_STORE_LIST,
                    CLI_VALUE_PROFILE, 1, 63, FIT_MISSING,
                    "too many arguments")),
    .summary = "check one layout: placements, diagram, creation order",
    .synopsis = "Usage: migplan fit MODEL PROFILE[:START]... [--format "
                "table|json|svg]\n"
                "       migplan fit MODEL PROFILE[:START]... --current FILE "
                "--gpu-index N\n"
                "                   [--format table|json]\n",
    .description =
        "Check whether the given GPU instances fit one GPU of MODEL. "
        "PROFILE is a profile name (3g.40gb) or nvidia-smi profile ID "
        "(9); NxPROFILE repeats it (3x1g.10gb); PROFILE:START pins it to "
        "a start slot. On success prints a placement for every instance, "
        "the slot diagram, the capacity left, and an order that creates "
        "the instances even when the driver picks the slots itself. "
        "Otherwise prints the constraint that fails and exits 1.\n\n"
        "With --current FILE --gpu-index N the GPU is not empty: it holds "
        "what FILE lists for GPU N, and those instances stay. The answer is "
        "where the profiles go beside them and the nvidia-smi commands "
        "that create them (largest first, at explicit start slots); or, "
        "when they do not fit, which existing instances are in the way "
        "and what of it fits instead. Of a plan of node pools (its JSON), "
        "give --current NODE=FILE: N is then the GPU's index on node "
        "NODE.\n\n"
        "Example: migplan fit h100 3g.40gb 2g.20gb 2x1g.10gb",
    .common = CLI_SHOW_DIAGRAM,
};
