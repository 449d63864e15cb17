/* cmd_profiles.c - `migplan profiles MODEL`: one model's profile table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "migplan/util/buf.h"
#include "migplan/util/json_out.h"
#include "migplan/emit/model_json.h"
#include "migplan/model/profile_diff.h"
#include "migplan/yaml/ydoc.h"

static const char usage[] =
    "Usage: migplan profiles MODEL [--format table|json] [--sources] [-o "
    "FILE]\n"
    "       migplan profiles [MODEL] --diff FILE\n"
    "\n"
    "Show every GPU-instance profile of MODEL: nvidia-smi profile ID, compute\n"
    "slices (C), memory slices (M), memory, SMs, engines, max instances and\n"
    "the start slots it may be placed at, as `nvidia-smi mig -lgipp` prints\n"
    "them ({0,2,4}:2 = starts 0, 2 or 4, two slices long). Values marked ?\n"
    "are inferred, with the reason listed under the table.\n"
    "\n"
    "MODEL is an id, alias, PCI device ID (0x233010DE) or nvidia-smi name.\n"
    "\n"
    "--diff FILE compares MODEL (by default the model of FILE's id or PCI\n"
    "ID) with the profile file FILE, e.g. one `migplan import-profiles`\n"
    "wrote on a real GPU: every value that differs, and every inferred\n"
    "value FILE confirms. Exit status 1 when they differ.\n"
    "\n"
    "  --format F     table (default) or json\n"
    "  --sources      also list every source the numbers come from\n"
    "  --diff FILE    compare with the profile file FILE\n"
    "  -o, --output F write to F (atomically) instead of standard output\n"
    "  --profiles DIR also load the profile files in DIR\n";

enum { OPT_FORMAT = 1, OPT_OUTPUT, OPT_SOURCES, OPT_DIFF };

/* Append text word-wrapped at `width`; `col` is the column already used on
 * the current line, continuation lines are indented by `ind`. */
static void wrap(mp_buf *b, const char *text, int col, int ind, int width)
{
    const char *p = text;
    for (;;) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        const char *w = p;
        while (*w && *w != ' ')
            w++;
        int len = (int)(w - p);
        bool need_space = b->len > 0 && b->data[b->len - 1] != ' ' &&
                          b->data[b->len - 1] != '\n';
        if (col + (need_space ? 1 : 0) + len > width && col > ind) {
            mp_buf_putc(b, '\n');
            for (int i = 0; i < ind; i++)
                mp_buf_putc(b, ' ');
            col = ind;
        } else if (need_space) {
            mp_buf_putc(b, ' ');
            col++;
        }
        mp_buf_add(b, p, (size_t)len);
        col += len;
        p = w;
    }
    mp_buf_putc(b, '\n');
}

static bool inferred(const mp_gi_profile *p, const char *f)
{
    return mp_prov_inferred(&p->prov, f) != NULL;
}

/* "1c x3 (ID 0), 2c (ID 1)?, 3g (ID 2, default)" for one GI profile */
static void ci_text(const mp_gi_profile *p, char *buf, size_t n)
{
    size_t k = 0;
    buf[0] = '\0';
    for (int i = 0; i < p->n_cis && k < n; i++) {
        const mp_ci_profile *ci = &p->cis[i];
        char id[24], count[16] = "";
        if (ci->id < 0)
            snprintf(id, sizeof(id), "ID ?");
        else
            snprintf(id, sizeof(id), "ID %d", ci->id);
        if (ci->max_per_gi > 1)
            snprintf(count, sizeof(count), " x%d", ci->max_per_gi);
        mp_catf(buf, n, &k, "%s%d%c%s (%s%s)%s", i ? ", " : "",
                ci->compute_slices,
                ci->compute_slices == p->compute_slices ? 'g' : 'c', count, id,
                ci->is_default ? ", default" : "", ci->inferred ? "?" : "");
    }
}

static void table(const mp_model *m, const mp_device *dev, bool sources,
                  mp_buf *b)
{
    mp_buf_printf(b, "%s: %s\n", m->id,
                  dev && dev->n_names ? dev->names[0] : m->name);
    mp_buf_printf(b, "%d memory slices x %d compute slices, driver >= %s\n",
                  m->units, m->compute_slices, m->min_driver);
    char line[600], seen[300] = "";
    if (m->memory_total_driver)
        snprintf(seen, sizeof(seen), " (nvidia-smi memory.total, driver %s)",
                 m->memory_total_driver);
    snprintf(line, sizeof(line),
             "memory %.1f GiB%s%s; profile sizes as of driver %s",
             m->memory_mib / 1024.0,
             mp_prov_inferred(&m->prov, "memory-mib") ? " (lower bound)" : "",
             seen, m->memory_driver);
    wrap(b, line, 0, 2, 79);
    mp_buf_putc(b, '\n');
    int nw = 7; /* "PROFILE" */
    for (int i = 0; i < m->n_profiles; i++) {
        int l = (int)strlen(m->profiles[i].name) + !m->profiles[i].confirmed;
        if (l > nw)
            nw = l;
    }
    mp_buf_printf(b, "%-*s %2s %2s %2s %7s %4s %3s %3s %3s %3s %3s %3s %s\n",
                  nw, "PROFILE", "ID", "C", "M", "GiB", "SMs", "CE", "DEC",
                  "ENC", "JPG", "OFA", "MAX", "PLACEMENTS");
    bool any_inferred = false;
    for (int i = 0; i < m->n_profiles; i++) {
        const mp_gi_profile *p = &m->profiles[i];
        char name[40], gib[16], sms[16], pl[80];
        snprintf(name, sizeof(name), "%s%s", p->name, p->confirmed ? "" : "?");
        snprintf(gib, sizeof(gib), "%.2f%s", p->memory_mib / 1024.0,
                 inferred(p, "memory-mib") ? "?" : "");
        if (p->sms < 0)
            snprintf(sms, sizeof(sms), "-?");
        else
            snprintf(sms, sizeof(sms), "%d%s", p->sms,
                     inferred(p, "sms") ? "?" : "");
        mp_format_placements(p, pl, sizeof(pl));
        if (inferred(p, "placements"))
            strcat(pl, "?");
        mp_buf_printf(b,
                      "%-*s %2d %2d %2d %7s %4s %3d %3d %3d %3d %3d %3d %s\n",
                      nw, name, p->id, p->compute_slices, p->memory_slices, gib,
                      sms, p->engines[MP_ENG_CE], p->engines[MP_ENG_NVDEC],
                      p->engines[MP_ENG_NVENC], p->engines[MP_ENG_NVJPG],
                      p->engines[MP_ENG_OFA], p->max_instances, pl);
        any_inferred |= !p->confirmed;
    }
    mp_buf_puts(b, "\nCompute instances that fit one GI (count, CI profile "
                   "ID; default = what -C\nmakes):\n");
    for (int i = 0; i < m->n_profiles; i++) {
        char cis[400];
        ci_text(&m->profiles[i], cis, sizeof(cis));
        size_t at = b->len;
        mp_buf_printf(b, "  %-*s ", nw, m->profiles[i].name);
        wrap(b, cis, (int)(b->len - at), nw + 4, 79);
    }
    /* inferred values, one line per distinct (field, reason) */
    if (any_inferred || m->prov.n_inferred) {
        mp_buf_puts(b, "\n? inferred, not seen in a source:\n");
        for (int i = 0; i < m->prov.n_inferred; i++) {
            size_t at = b->len;
            mp_buf_printf(b, "  model %s:", m->prov.inferred[i].field);
            wrap(b, m->prov.inferred[i].text, (int)(b->len - at), 4, 79);
        }
        for (int i = 0; i < m->n_profiles; i++) {
            const mp_gi_profile *p = &m->profiles[i];
            for (int k = 0; k < p->prov.n_inferred; k++) {
                const mp_note *nt = &p->prov.inferred[k];
                bool seen_before = false;
                for (int j = 0; j < i && !seen_before; j++) {
                    const char *t =
                        mp_prov_inferred(&m->profiles[j].prov, nt->field);
                    seen_before = t && strcmp(t, nt->text) == 0;
                }
                if (seen_before)
                    continue;
                char head[1200];
                size_t hk =
                    (size_t)snprintf(head, sizeof(head), "%s (", nt->field);
                int count = 0;
                for (int j = i; j < m->n_profiles; j++) {
                    const char *t =
                        mp_prov_inferred(&m->profiles[j].prov, nt->field);
                    if (t && strcmp(t, nt->text) == 0 && hk < sizeof(head)) {
                        mp_catf(head, sizeof(head), &hk, "%s%s",
                                count ? ", " : "", m->profiles[j].name);
                        count++;
                    }
                }
                if (count == m->n_profiles)
                    snprintf(head, sizeof(head), "%s (all profiles): %s",
                             nt->field, nt->text);
                else if (hk < sizeof(head))
                    snprintf(head + hk, sizeof(head) - hk, "): %s", nt->text);
                mp_buf_puts(b, "  ");
                wrap(b, head, 2, 4, 79);
            }
        }
    }
    if (sources) {
        mp_buf_puts(b, "\nSources:\n");
        for (int i = 0; i < m->n_sources; i++) {
            size_t at = b->len;
            mp_buf_printf(b, "  %s:", m->sources[i].key);
            wrap(b, m->sources[i].text, (int)(b->len - at), 4, 79);
        }
    } else {
        mp_buf_printf(b, "\nSources: %s (--sources lists them).\n", m->file);
    }
}

static void json(const mp_model *m, mp_buf *b)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *mo = mp_model_json(m, true);
    cJSON *src = cJSON_AddObjectToObject(mo, "sources");
    for (int i = 0; i < m->n_sources; i++)
        cJSON_AddStringToObject(src, m->sources[i].key, m->sources[i].text);
    cJSON_AddItemToObject(root, "model", mo);
    cJSON *arr = cJSON_AddArrayToObject(root, "profiles");
    for (int i = 0; i < m->n_profiles; i++)
        cJSON_AddItemToArray(arr, mp_profile_json(m, &m->profiles[i]));
    mp_json_print(root, b);
    cJSON_Delete(root);
}

/* Load the one model of profile file path into a database of its own. */
static int load_other(const char *path, mp_db **db, mp_diag *d)
{
    char *text = NULL;
    size_t len = 0;
    int rc = mp_read_file(path, mp_ylimits_default.max_bytes, &text, &len, d);
    if (!rc)
        rc = mp_db_new(db, d);
    if (!rc)
        rc = mp_db_load_text(*db, text, len, path, d);
    free(text);
    return rc;
}

/* `--diff FILE`: exit 0 when FILE agrees with the model, 1 when not. */
static int diff(cli_ctx *c, const char *model, const char *path,
                const char *out)
{
    mp_db *odb = NULL;
    mp_diag d;
    mp_diag_clear(&d);
    int r = EXIT_USAGE;
    mp_buf b = MP_BUF_INIT;
    if (load_other(path, &odb, &d) != 0) {
        cli_print_diag(&d);
        goto out;
    }
    const mp_model *o = mp_db_model(odb, 0), *m;
    char pci[16];
    snprintf(pci, sizeof(pci), "0x%08X", o->pci_ids[0]);
    const mp_db *db;
    if ((r = cli_db(c, &db)) != 0)
        goto out;
    if (!model && mp_db_find(db, o->id, &m, &d) != 0)
        model = pci;
    if ((r = cli_model(c, model ? model : o->id, &m)) != 0)
        goto out;
    mp_buf_printf(&b, "%s (%s; profile sizes of driver %s)\n", m->id, m->file,
                  m->memory_driver);
    mp_buf_printf(&b, "against %s (%s; profile sizes of driver %s):\n", path,
                  o->name, o->memory_driver);
    mp_diff_count n = mp_model_diff(m, o, &b);
    r = cli_write(c, &b, out);
    if (!r && n.differ)
        r = EXIT_FINDINGS;
out:
    mp_buf_free(&b);
    mp_db_free(odb);
    return r;
}

int cmd_profiles(cli_ctx *c, int argc, char **argv)
{
    static const cli_opt opts[] = {{"format", 0, true, OPT_FORMAT},
                                   {"output", 'o', true, OPT_OUTPUT},
                                   {"sources", 0, false, OPT_SOURCES},
                                   {"diff", 0, true, OPT_DIFF},
                                   CLI_COMMON_OPTS,
                                   {NULL, 0, false, 0}};
    static const char *const formats[] = {"table", "json", NULL};
    cli_parser p = {argc, argv, 1, false, usage};
    int id, fmt = 0, r;
    const char *arg, *out = NULL, *model = NULL, *other = NULL;
    bool sources = false;
    while ((r = cli_next(c, &p, opts, &id, &arg)) != CLI_END) {
        if (r < 0)
            return r == CLI_HELP ? EXIT_OK : EXIT_USAGE;
        if (r == CLI_POSITIONAL) {
            if (model)
                return cli_usage_error(c,
                                       "unexpected argument '%s'; give one "
                                       "MODEL",
                                       arg);
            model = arg;
            continue;
        }
        if (id == OPT_FORMAT && cli_format(c, arg, formats, &fmt))
            return EXIT_USAGE;
        if (id == OPT_OUTPUT)
            out = arg;
        if (id == OPT_SOURCES)
            sources = true;
        if (id == OPT_DIFF)
            other = arg;
    }
    if (other)
        return diff(c, model, other, out);
    if (!model)
        return cli_usage_error(c, "which GPU model? e.g. `migplan profiles "
                                  "h100` (`migplan gpus` lists them)");
    const mp_model *m;
    const mp_device *dev = NULL;
    const mp_db *db;
    mp_diag d;
    mp_diag_clear(&d);
    if ((r = cli_db(c, &db)) != 0)
        return r;
    if (mp_db_find_device(db, model, &m, &dev, &d) != 0) {
        fprintf(stderr, "migplan %s: %s\n", c->cmd, d.msg);
        return EXIT_USAGE;
    }
    mp_buf b = MP_BUF_INIT;
    if (fmt == 0)
        table(m, dev, sources, &b);
    else
        json(m, &b);
    r = cli_write(c, &b, out);
    mp_buf_free(&b);
    return r;
}
