/* cmd_geometries.c - `migplan geometries MODEL`: every valid layout. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "migplan/util/buf.h"
#include "migplan/emit/diagram.h"
#include "migplan/emit/svg.h"
#include "migplan/model/geometry.h"
#include "migplan/util/json_out.h"

static const char usage[] =
    "Usage: migplan geometries MODEL [--maximal] [--without PROFILE]...\n"
    "                                [--format table|json|svg] [--diagrams]\n"
    "       migplan geometries MODEL --compute-instances PROFILE\n"
    "\n"
    "List every valid geometry of MODEL: each multiset of GPU-instance\n"
    "profiles that fits one GPU (placements without overlap, compute slices\n"
    "within the total, max counts, at most one +me instance). --maximal keeps\n"
    "only geometries to which no further instance can be added, and draws\n"
    "each one with a placement that realises it.\n"
    "\n"
    "  --maximal             only maximal geometries (draws diagrams)\n"
    "  --without PROFILE     leave a profile out (repeatable), e.g. 1g.20gb\n"
    "  --no-media            leave out every +me / +me.all profile\n"
    "  --diagrams            draw every geometry; --no-diagrams never\n"
    "  --compute-instances P list how compute instances can fill one GI of\n"
    "                        profile P (maximal combinations)\n"
    "  --format F            table (default), json or svg (every geometry\n"
    "                        drawn)\n"
    "  --ascii / --unicode   force the diagram character set\n"
    "  -o, --output F        write to F (atomically) instead of stdout\n";

enum {
    OPT_FORMAT = 1,
    OPT_OUTPUT,
    OPT_MAXIMAL,
    OPT_WITHOUT,
    OPT_NO_MEDIA,
    OPT_DIAGRAMS,
    OPT_NO_DIAGRAMS,
    OPT_CI
};

static void geometry_text(const mp_model *m, const mp_geometry *g, char *buf,
                          size_t n)
{
    size_t k = 0;
    buf[0] = '\0';
    /* largest profiles first, as the layouts read */
    for (int c = m->compute_slices; c >= 1; c--)
        for (int p = 0; p < m->n_profiles; p++) {
            if (m->profiles[p].compute_slices != c || !g->count[p] || k >= n)
                continue;
            if (g->count[p] == 1)
                mp_catf(buf, n, &k, "%s%s", k ? " + " : "",
                        m->profiles[p].name);
            else
                mp_catf(buf, n, &k, "%s%s x%d", k ? " + " : "",
                        m->profiles[p].name, g->count[p]);
        }
}

static int ci_listing(cli_ctx *c, const mp_model *m, const char *name, int fmt,
                      mp_buf *b)
{
    const mp_gi_profile *gi = mp_model_profile(m, name);
    if (!gi)
        return cli_usage_error(c,
                               "%s has no profile %s; `migplan profiles "
                               "%s` lists them",
                               m->id, name, m->id);
    int combos[64][MP_MAX_CI];
    int n = mp_geom_ci_combos(gi, combos, 64);
    if (fmt == 1) {
        cJSON *root = cJSON_CreateObject();
        cJSON_AddStringToObject(root, "model", m->id);
        cJSON_AddStringToObject(root, "gpu_instance", gi->name);
        cJSON_AddNumberToObject(root, "count", n);
        cJSON *arr = cJSON_AddArrayToObject(root, "combinations");
        for (int i = 0; i < n; i++) {
            cJSON *o = cJSON_CreateObject();
            for (int k = 0; k < gi->n_cis; k++)
                if (combos[i][k])
                    cJSON_AddNumberToObject(o, gi->cis[k].name, combos[i][k]);
            cJSON_AddItemToArray(arr, o);
        }
        mp_json_print(root, b);
        cJSON_Delete(root);
        return 0;
    }
    mp_buf_printf(b,
                  "%s %s GPU instance (%d compute slices): %d maximal "
                  "compute-instance layouts\n",
                  m->id, gi->name, gi->compute_slices, n);
    for (int i = 0; i < n; i++) {
        mp_buf_puts(b, "  ");
        bool first = true;
        for (int k = gi->n_cis - 1; k >= 0; k--) {
            if (!combos[i][k])
                continue;
            mp_buf_printf(b, "%s%s", first ? "" : " + ", gi->cis[k].name);
            if (combos[i][k] > 1)
                mp_buf_printf(b, " x%d", combos[i][k]);
            first = false;
        }
        mp_buf_putc(b, '\n');
    }
    bool inferred = false;
    for (int k = 0; k < gi->n_cis; k++)
        inferred |= gi->cis[k].inferred != NULL;
    if (inferred)
        mp_buf_puts(b, "(some of these compute-instance profiles are inferred; "
                       "`migplan profiles` says which)\n");
    mp_buf_puts(b, "Compute instances share the GI's memory and engines; "
                   "create them with\nnvidia-smi mig -cci <CI profile IDs> -gi "
                   "<GI ID>.\n");
    return 0;
}

/* Every geometry of list drawn with a placement that realises it. */
static int svg_listing(const mp_model *m, const mp_geom_list *list,
                       const char *title, bool maximal, mp_buf *b)
{
    size_t n = (size_t)list->n + 1;
    mp_layout *lay = malloc(n * sizeof(*lay));
    mp_svg_item *items = malloc(n * sizeof(*items));
    char(*caps)[440] = malloc(n * sizeof(*caps));
    int rc = lay && items && caps ? 0 : -1;
    for (int i = 0; !rc && i < list->n; i++) {
        const mp_geometry *g = &list->v[i];
        char text[400];
        geometry_text(m, g, text, sizeof(text));
        snprintf(caps[i], sizeof(caps[i]), "%d. %s%s", i + 1, text,
                 g->maximal && !maximal ? "  (maximal)" : "");
        int cnt[MP_MAX_PROFILES];
        for (int k = 0; k < m->n_profiles; k++)
            cnt[k] = g->count[k];
        items[i].caption = caps[i];
        items[i].layout = NULL;
        if (mp_geom_fit_counts_best(m, cnt, &lay[i], NULL) == 0) {
            mp_geom_sort_largest_first(&lay[i]);
            items[i].layout = &lay[i];
        }
    }
    if (!rc)
        mp_svg_geometries(m, title, items, list->n, b);
    free(lay);
    free(items);
    free(caps);
    return rc;
}

int cmd_geometries(cli_ctx *c, int argc, char **argv)
{
    static const cli_opt opts[] = {{"format", 0, true, OPT_FORMAT},
                                   {"output", 'o', true, OPT_OUTPUT},
                                   {"maximal", 0, false, OPT_MAXIMAL},
                                   {"without", 0, true, OPT_WITHOUT},
                                   {"no-media", 0, false, OPT_NO_MEDIA},
                                   {"diagrams", 0, false, OPT_DIAGRAMS},
                                   {"no-diagrams", 0, false, OPT_NO_DIAGRAMS},
                                   {"compute-instances", 0, true, OPT_CI},
                                   CLI_COMMON_OPTS,
                                   {NULL, 0, false, 0}};
    static const char *const formats[] = {"table", "json", "svg", NULL};
    cli_parser p = {argc, argv, 1, false, usage};
    int id, fmt = 0, r, diagrams = -1;
    const char *arg, *out = NULL, *model = NULL, *ci = NULL;
    const char *without[MP_MAX_PROFILES];
    int nwithout = 0;
    bool maximal = false, no_media = false;
    while ((r = cli_next(c, &p, opts, &id, &arg)) != CLI_END) {
        if (r < 0)
            return r == CLI_HELP ? EXIT_OK : EXIT_USAGE;
        if (r == CLI_POSITIONAL) {
            if (model)
                return cli_usage_error(c, "unexpected argument '%s'", arg);
            model = arg;
            continue;
        }
        switch (id) {
        case OPT_FORMAT:
            if (cli_format(c, arg, formats, &fmt))
                return EXIT_USAGE;
            break;
        case OPT_OUTPUT:
            out = arg;
            break;
        case OPT_MAXIMAL:
            maximal = true;
            break;
        case OPT_WITHOUT:
            if (nwithout == MP_MAX_PROFILES)
                return cli_usage_error(c, "too many --without");
            without[nwithout++] = arg;
            break;
        case OPT_NO_MEDIA:
            no_media = true;
            break;
        case OPT_DIAGRAMS:
            diagrams = 1;
            break;
        case OPT_NO_DIAGRAMS:
            diagrams = 0;
            break;
        case OPT_CI:
            ci = arg;
            break;
        }
    }
    if (!model)
        return cli_usage_error(c, "which GPU model? e.g. `migplan geometries "
                                  "h100 --maximal`");
    const mp_model *m;
    if ((r = cli_model(c, model, &m)) != 0)
        return r;
    mp_buf b = MP_BUF_INIT;
    if (ci && fmt == 2) {
        mp_buf_free(&b);
        return cli_usage_error(c, "--compute-instances lists combinations: "
                                  "use --format table or json");
    }
    if (ci) {
        r = ci_listing(c, m, ci, fmt, &b);
        if (!r)
            r = cli_write(c, &b, out);
        mp_buf_free(&b);
        return r;
    }
    bool allowed[MP_MAX_PROFILES];
    for (int i = 0; i < m->n_profiles; i++)
        allowed[i] = !(no_media && (m->profiles[i].flags & MP_GI_MEDIA));
    for (int w = 0; w < nwithout; w++) {
        const mp_gi_profile *gp = mp_model_profile(m, without[w]);
        if (!gp) {
            mp_buf_free(&b);
            return cli_usage_error(c,
                                   "%s has no profile %s; `migplan profiles "
                                   "%s` lists them",
                                   m->id, without[w], m->id);
        }
        allowed[mp_profile_index(m, gp)] = false;
    }
    mp_geom_list list;
    if (mp_geom_enumerate(m, allowed, maximal, &list) != 0) {
        fprintf(stderr, "migplan geometries: out of memory\n");
        return EXIT_USAGE;
    }
    if (diagrams < 0)
        diagrams = maximal;
    mp_diagram_opts dopt = {
        .unicode = cli_use_unicode(c), .indent = "  ", .footer = true};
    mp_buf head = MP_BUF_INIT;
    mp_buf_printf(&head, "%s: %d %sgeometr%s", m->id, list.n,
                  maximal ? "maximal " : "", list.n == 1 ? "y" : "ies");
    if (nwithout || no_media) {
        mp_buf_puts(&head, " without");
        for (int w = 0; w < nwithout; w++)
            mp_buf_printf(&head, " %s", without[w]);
        if (no_media)
            mp_buf_puts(&head, " +me profiles");
    }
    if (fmt == 2) {
        r = svg_listing(m, &list, mp_buf_str(&head), maximal, &b);
    } else if (fmt == 0) {
        mp_buf_printf(&b, "%s\n\n", mp_buf_str(&head));
        for (int i = 0; i < list.n; i++) {
            const mp_geometry *g = &list.v[i];
            char text[400];
            geometry_text(m, g, text, sizeof(text));
            mp_buf_printf(&b, "%3d. %s%s\n", i + 1, text,
                          g->maximal && !maximal ? "  (maximal)" : "");
            if (diagrams) {
                int cnt[MP_MAX_PROFILES];
                for (int k = 0; k < m->n_profiles; k++)
                    cnt[k] = g->count[k];
                mp_layout l;
                if (mp_geom_fit_counts_best(m, cnt, &l, NULL) == 0) {
                    mp_geom_sort_largest_first(&l);
                    mp_diagram(&l, &dopt, &b);
                }
                mp_buf_putc(&b, '\n');
            }
        }
    } else {
        cJSON *root = cJSON_CreateObject();
        cJSON_AddStringToObject(root, "model", m->id);
        cJSON_AddNumberToObject(root, "count", list.n);
        cJSON_AddBoolToObject(root, "maximal_only", maximal);
        cJSON *arr = cJSON_AddArrayToObject(root, "geometries");
        for (int i = 0; i < list.n; i++) {
            const mp_geometry *g = &list.v[i];
            cJSON *o = cJSON_CreateObject();
            cJSON *pr = cJSON_AddObjectToObject(o, "profiles");
            int cnt[MP_MAX_PROFILES];
            for (int k = 0; k < m->n_profiles; k++) {
                cnt[k] = g->count[k];
                if (g->count[k])
                    cJSON_AddNumberToObject(pr, m->profiles[k].name,
                                            g->count[k]);
            }
            cJSON_AddNumberToObject(o, "instances", g->instances);
            cJSON_AddNumberToObject(o, "compute_slices_used", g->compute_used);
            cJSON_AddNumberToObject(o, "memory_slices_used", g->memory_used);
            cJSON_AddBoolToObject(o, "maximal", g->maximal);
            mp_layout l;
            if (mp_geom_fit_counts_best(m, cnt, &l, NULL) == 0) {
                mp_geom_sort_largest_first(&l);
                mp_capacity cap;
                mp_geom_capacity(&l, &cap);
                cJSON_AddNumberToObject(o, "stranded_compute_slices",
                                        cap.stranded_compute);
                cJSON_AddNumberToObject(o, "stranded_memory_slices",
                                        cap.stranded_memory);
                cJSON *pl = cJSON_AddArrayToObject(o, "placements");
                for (int k = 0; k < l.n; k++) {
                    cJSON *po = cJSON_CreateObject();
                    const mp_gi_profile *gp = &m->profiles[l.gi[k].profile];
                    cJSON_AddStringToObject(po, "profile", gp->name);
                    cJSON_AddNumberToObject(po, "profile_id", gp->id);
                    cJSON_AddNumberToObject(po, "start", l.gi[k].start);
                    cJSON_AddNumberToObject(po, "size", gp->memory_slices);
                    cJSON_AddItemToArray(pl, po);
                }
            }
            cJSON_AddItemToArray(arr, o);
        }
        mp_json_print(root, &b);
        cJSON_Delete(root);
    }
    mp_buf_free(&head);
    mp_geom_list_free(&list);
    if (r) {
        mp_buf_free(&b);
        fprintf(stderr, "migplan geometries: out of memory\n");
        return EXIT_USAGE;
    }
    r = cli_write(c, &b, out);
    mp_buf_free(&b);
    return r;
}
