/* cmd_fit.c - `migplan fit MODEL PROFILE...`: does this layout fit one GPU,
 * where does each instance go, and in which order to create them. */
#include <ctype.h>
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
    "Usage: migplan fit MODEL PROFILE[:START]... [--format table|json|svg]\n"
    "\n"
    "Check whether the given GPU instances fit one GPU of MODEL. PROFILE is a\n"
    "profile name (3g.40gb) or nvidia-smi profile ID (9); NxPROFILE repeats\n"
    "it (3x1g.10gb); PROFILE:START pins it to a start slot. On success prints\n"
    "a placement for every instance, the slot diagram, the capacity left,\n"
    "and an order that creates the instances even when the driver picks the\n"
    "slots itself. Otherwise prints the constraint that fails and exits 1.\n"
    "\n"
    "Example: migplan fit h100 3g.40gb 2g.20gb 2x1g.10gb\n"
    "\n"
    "  --format F          table (default), json or svg (a picture)\n"
    "  --ascii / --unicode force the diagram character set\n"
    "  -o, --output F      write to F (atomically) instead of stdout\n";

enum { OPT_FORMAT = 1, OPT_OUTPUT };

static const mp_gi_profile *find_profile(const mp_model *m, const char *s)
{
    const mp_gi_profile *p = mp_model_profile(m, s);
    if (p)
        return p;
    char *end;
    long id = strtol(s, &end, 10);
    if (*s && !*end)
        for (int i = 0; i < m->n_profiles; i++)
            if (m->profiles[i].id == id)
                return &m->profiles[i];
    return NULL;
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
    if (!p) {
        char list[600] = "";
        size_t k = 0;
        for (int i = 0; i < m->n_profiles && k < sizeof(list); i++)
            mp_catf(list, sizeof(list), &k, "%s%s", i ? ", " : "",
                    m->profiles[i].name);
        return cli_usage_error(c, "%s is not a profile of %s; its profiles: %s",
                               s, m->id, list);
    }
    if (*count < 1 || *count > MP_MAX_GIS)
        return cli_usage_error(c, "'%s': a count must be 1..%d", arg,
                               MP_MAX_GIS);
    if (*count > 1 && *start >= 0)
        return cli_usage_error(c, "'%s': pin instances one at a time", arg);
    *profile = mp_profile_index(m, p);
    return 0;
}

static void cgi_line(const mp_layout *l, const int *order, bool placed,
                     mp_buf *b)
{
    mp_buf_puts(b, "nvidia-smi mig -i 0 -cgi ");
    for (int k = 0; k < l->n; k++) {
        const mp_gi *g = &l->gi[order[k]];
        mp_buf_printf(b, "%s%d", k ? "," : "",
                      l->model->profiles[g->profile].id);
        if (placed)
            mp_buf_printf(b, ":%d", g->start);
    }
    mp_buf_puts(b, " -C\n");
}

/* The nvidia-smi commands that create l: with placements, and in order
 * (NULL: none works) where the driver picks the slots. */
static void creation_text(const mp_layout *l, const int *order, bool exact,
                          mp_buf *b)
{
    int ident[MP_MAX_GIS];
    for (int i = 0; i < l->n; i++)
        ident[i] = i;
    mp_buf_puts(b, "create with explicit placements:\n  ");
    cgi_line(l, order ? order : ident, true, b);
    if (order) {
        mp_buf_puts(b, "or, where the driver picks the slots, in "
                       "this order:\n  ");
        cgi_line(l, order, false, b);
        if (!exact)
            mp_buf_puts(b, "  (the driver then uses other slots "
                           "for the same instances)\n");
    } else {
        mp_buf_puts(b, "no creation order works when the driver "
                       "picks the slots: use the explicit "
                       "placements\n");
    }
}

int cmd_fit(cli_ctx *c, int argc, char **argv)
{
    static const cli_opt opts[] = {{"format", 0, true, OPT_FORMAT},
                                   {"output", 'o', true, OPT_OUTPUT},
                                   CLI_COMMON_OPTS,
                                   {NULL, 0, false, 0}};
    static const char *const formats[] = {"table", "json", "svg", NULL};
    cli_parser p = {argc, argv, 1, false, usage};
    int id, fmt = 0, r;
    const char *arg, *out = NULL;
    const char *items[64];
    int nitems = 0;
    while ((r = cli_next(c, &p, opts, &id, &arg)) != CLI_END) {
        if (r < 0)
            return r == CLI_HELP ? EXIT_OK : EXIT_USAGE;
        if (r == CLI_POSITIONAL) {
            if (nitems == 64)
                return cli_usage_error(c, "too many arguments");
            items[nitems++] = arg;
            continue;
        }
        if (id == OPT_FORMAT && cli_format(c, arg, formats, &fmt))
            return EXIT_USAGE;
        if (id == OPT_OUTPUT)
            out = arg;
    }
    if (nitems < 2)
        return cli_usage_error(c, "give a model and at least one profile, e.g. "
                                  "`migplan fit h100 3g.40gb 4g.40gb`");
    const mp_model *m;
    if ((r = cli_model(c, items[0], &m)) != 0)
        return r;
    int prof[MP_MAX_GIS + 1], pin[MP_MAX_GIS + 1], n = 0;
    for (int i = 1; i < nitems; i++) {
        int cnt = 0, pr = 0, st = -1;
        if ((r = parse_item(c, m, items[i], &cnt, &pr, &st)) != 0)
            return r;
        for (int k = 0; k < cnt; k++) {
            if (n > MP_MAX_GIS)
                break;
            prof[n] = pr;
            pin[n] = st;
            n++;
        }
    }
    mp_layout l;
    mp_fit_result res;
    int rc = n > MP_MAX_GIS ? MP_EINFEASIBLE
                            : mp_geom_fit_best(m, prof, pin, n, &l, &res);
    if (n > MP_MAX_GIS)
        snprintf(res.reason, sizeof(res.reason),
                 "more instances than the GPU has memory slices (%d)",
                 m->units);
    int order[MP_MAX_GIS];
    bool exact = false;
    mp_layout driver;
    int order_rc = MP_EINFEASIBLE;
    if (rc == 0) {
        mp_geom_sort_largest_first(&l);
        order_rc = mp_geom_creation_order(&l, order, &exact, &driver);
    }
    mp_buf b = MP_BUF_INIT;
    if (fmt == 0) {
        if (rc) {
            mp_buf_printf(&b, "does not fit one %s: %s\n", m->id, res.reason);
        } else {
            mp_buf_printf(&b, "fits one %s:\n\n", m->id);
            mp_diagram_opts d = {
                .unicode = cli_use_unicode(c), .indent = "", .footer = true};
            mp_diagram(&l, &d, &b);
            mp_buf_putc(&b, '\n');
            creation_text(&l, order_rc == 0 ? order : NULL, exact, &b);
        }
    } else if (fmt == 2) {
        mp_buf notes = MP_BUF_INIT;
        if (rc == 0)
            creation_text(&l, order_rc == 0 ? order : NULL, exact, &notes);
        mp_svg_fit(m, rc ? NULL : &l, res.reason, mp_buf_str(&notes), &b);
        mp_buf_free(&notes);
    } else {
        cJSON *root = cJSON_CreateObject();
        cJSON_AddStringToObject(root, "model", m->id);
        cJSON_AddBoolToObject(root, "fits", rc == 0);
        if (rc) {
            cJSON_AddStringToObject(root, "reason", res.reason);
        } else {
            cJSON *pl = cJSON_AddArrayToObject(root, "placements");
            for (int k = 0; k < l.n; k++) {
                cJSON *po = cJSON_CreateObject();
                const mp_gi_profile *gp = &m->profiles[l.gi[k].profile];
                cJSON_AddStringToObject(po, "profile", gp->name);
                cJSON_AddNumberToObject(po, "profile_id", gp->id);
                cJSON_AddNumberToObject(po, "start", l.gi[k].start);
                cJSON_AddNumberToObject(po, "size", gp->memory_slices);
                cJSON_AddItemToArray(pl, po);
            }
            mp_capacity cap;
            mp_geom_capacity(&l, &cap);
            cJSON *co = cJSON_AddObjectToObject(root, "capacity");
            cJSON_AddNumberToObject(co, "compute_used", cap.compute_used);
            cJSON_AddNumberToObject(co, "compute_total", cap.compute_total);
            cJSON_AddNumberToObject(co, "memory_used", cap.memory_used);
            cJSON_AddNumberToObject(co, "memory_total", cap.memory_total);
            cJSON_AddNumberToObject(co, "stranded_compute_slices",
                                    cap.stranded_compute);
            cJSON_AddNumberToObject(co, "stranded_memory_slices",
                                    cap.stranded_memory);
            if (cap.largest_addable >= 0)
                cJSON_AddStringToObject(co, "largest_addable",
                                        m->profiles[cap.largest_addable].name);
            else
                cJSON_AddNullToObject(co, "largest_addable");
            if (order_rc == 0) {
                cJSON *ord = cJSON_AddArrayToObject(root, "creation_order");
                for (int k = 0; k < l.n; k++)
                    cJSON_AddItemToArray(ord, cJSON_CreateNumber(order[k]));
                cJSON_AddBoolToObject(root, "driver_reproduces_placements",
                                      exact);
            } else {
                cJSON_AddNullToObject(root, "creation_order");
            }
        }
        mp_json_print(root, &b);
        cJSON_Delete(root);
    }
    r = cli_write(c, &b, out);
    mp_buf_free(&b);
    return r ? r : (rc ? EXIT_FINDINGS : EXIT_OK);
}
