/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_geometries.c - `migplan geometries MODEL`: every valid layout. */
#include <stddef.h>

#include "cli.h"
#include "migplan/emit/geometry_out.h"
#include "migplan/model/geometry.h"

/* --format F */
#define GEOMETRIES_FORMATS(X)                                                  \
    X(GEOMETRIES_FORMAT_TABLE, "table", NULL)                                  \
    X(GEOMETRIES_FORMAT_JSON, "json", NULL)                                    \
    X(GEOMETRIES_FORMAT_SVG, "svg", "every geometry drawn")

typedef enum geometries_format {
    GEOMETRIES_FORMATS(CLI_CHOICE_ENUM)
} geometries_format;

/* --diagrams / --no-diagrams; by default only maximal lists are drawn */
enum { DIAGRAMS_AUTO = 0, DIAGRAMS_ON, DIAGRAMS_OFF };

typedef struct geometries_args {
    int format; /* geometries_format */
    const char *output;
    bool maximal;
    cli_list without;
    bool no_media;
    int diagrams; /* DIAGRAMS_* */
    const char *ci;
    const char *model;
} geometries_args;

static int no_profile(cli_ctx *c, const mp_model *m, const char *name)
{
    return cli_usage_error(c,
                           "%s has no profile %s; `migplan profiles %s` lists "
                           "them",
                           m->id, name, m->id);
}

static int ci_listing(cli_ctx *c, const mp_model *m, const geometries_args *a,
                      mp_buf *b)
{
    if (a->format == GEOMETRIES_FORMAT_SVG)
        return cli_usage_error(c, "--compute-instances lists combinations: "
                                  "use --format table or json");
    const mp_gi_profile *gi = mp_model_profile(m, a->ci);
    if (!gi)
        return no_profile(c, m, a->ci);
    int combos[64][MP_MAX_CI];
    int n = mp_geom_ci_combos(gi, combos, 64);
    if (a->format == GEOMETRIES_FORMAT_JSON)
        mp_emit_ci_combos_json(m, gi, (const int(*)[MP_MAX_CI])combos, n, b);
    else
        mp_emit_ci_combos_table(m, gi, (const int(*)[MP_MAX_CI])combos, n, b);
    return 0;
}

static int geometries(cli_ctx *c, const mp_model *m, const geometries_args *a,
                      mp_buf *b)
{
    bool allowed[MP_MAX_PROFILES];
    for (int i = 0; i < m->n_profiles; i++)
        allowed[i] = !(a->no_media && (m->profiles[i].flags & MP_GI_MEDIA));
    for (int w = 0; w < a->without.n; w++) {
        const mp_gi_profile *gp = mp_model_profile(m, a->without.v[w]);
        if (!gp)
            return no_profile(c, m, a->without.v[w]);
        allowed[mp_profile_index(m, gp)] = false;
    }
    mp_geom_list list;
    if (mp_geom_enumerate(m, allowed, a->maximal, &list) != 0)
        return cli_internal(c, "out of memory");
    mp_geom_view v = {
        .model = m,
        .list = &list,
        .maximal = a->maximal,
        .diagrams = a->diagrams == DIAGRAMS_AUTO ? a->maximal
                                                 : a->diagrams == DIAGRAMS_ON,
        .unicode = cli_use_unicode(c),
        .without = a->without.v,
        .n_without = a->without.n,
        .no_media = a->no_media,
    };
    int rc = 0;
    switch ((geometries_format)a->format) {
    case GEOMETRIES_FORMAT_TABLE:
        mp_emit_geometries_table(&v, b);
        break;
    case GEOMETRIES_FORMAT_JSON:
        mp_emit_geometries_json(&v, b);
        break;
    case GEOMETRIES_FORMAT_SVG:
        rc = mp_emit_geometries_svg(&v, b);
        break;
    }
    mp_geom_list_free(&list);
    return rc ? cli_internal(c, "out of memory") : 0;
}

static int run(cli_ctx *c, void *args)
{
    const geometries_args *a = args;
    const mp_model *m;
    int r = cli_model(c, a->model, &m);
    if (r)
        return r;
    mp_buf b = MP_BUF_INIT;
    r = a->ci ? ci_listing(c, m, a, &b) : geometries(c, m, a, &b);
    if (r) {
        mp_buf_free(&b);
        return r;
    }
    return cli_write(c, &b, a->output);
}

static const cli_choice formats[] = CLI_CHOICES(GEOMETRIES_FORMATS);

const cli_command cli_cmd_geometries = {
    CLI_COMMAND_BINDING("geometries", geometries_args),
    .options = CLI_OPTIONS(
        CLI_OPT_FLAG(geometries_args, maximal, "maximal",
                     "only maximal geometries (draws diagrams)"),
        CLI_OPT_LIST(geometries_args, without, "without", "PROFILE",
                     CLI_VALUE_PROFILE, MP_MAX_PROFILES,
                     "leave a profile out (repeatable), e.g. 1g.20gb"),
        CLI_OPT_FLAG(geometries_args, no_media, "no-media",
                     "leave out every +me / +me.all profile"),
        CLI_OPT_SET(geometries_args, diagrams, "diagrams", DIAGRAMS_ON,
                    "draw every geometry"),
        CLI_OPT_SET(geometries_args, diagrams, "no-diagrams", DIAGRAMS_OFF,
                    "draw none, not even with --maximal"),
        CLI_OPT_TEXT(geometries_args, ci, "compute-instances", "P",
                     CLI_VALUE_PROFILE,
                     "list how compute instances can fill one GI of profile P "
                     "(maximal combinations)"),
        CLI_OPTION_FORMAT(geometries_args, format, formats, "table"),
        CLI_OPTION_OUTPUT(geometries_args, output,
                          "write to F (atomically) instead of stdout")),
    .operands = CLI_OPERANDS(CLI_OPERAND_MODEL(
        geometries_args, model,
        "which GPU model? e.g. `migplan geometries h100 --maximal`",
        "unexpected argument '%s'")),
    .summary = "list every valid layout of a model",
    .synopsis =
        "Usage: migplan geometries MODEL [--maximal] [--without PROFILE]...\n"
        "                                [--format table|json|svg] "
        "[--diagrams]\n"
        "       migplan geometries MODEL --compute-instances PROFILE\n",
    .description =
        "List every valid geometry of MODEL: each multiset of "
        "GPU-instance profiles that fits one GPU (placements without "
        "overlap, compute slices within the total, max counts, at most "
        "one +me instance). --maximal keeps only geometries to which no "
        "further instance can be added, and draws each one with a "
        "placement that realises it.",
    .common = CLI_SHOW_DIAGRAM,
};
