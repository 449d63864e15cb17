/* SPDX-License-Identifier: Apache-2.0 */
/* model_table.c - `migplan gpus` and `migplan profiles` output: the
 * profile database as tables with provenance marks, or as JSON. */
#include "migplan/emit/model_table.h"

#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "migplan/emit/model_json.h"
#include "migplan/util/json_out.h"

void mp_emit_gpus_table(const mp_db *db, mp_buf *b)
{
    mp_buf_printf(b, "%-20s %-10s %-8s %-9s %s\n", "MODEL", "MEMORY", "SLICES",
                  "PROFILES", "DATA");
    int n = mp_db_count(db);
    for (int i = 0; i < n; i++) {
        const mp_model *m = mp_db_model(db, i);
        int confirmed = 0;
        for (int p = 0; p < m->n_profiles; p++)
            confirmed += m->profiles[p].confirmed;
        char mem[32], slices[16], data[48];
        snprintf(mem, sizeof(mem), "%.1f GiB%s", m->memory_mib / 1024.0,
                 mp_prov_inferred(&m->prov, "memory-mib") ? "*" : "");
        snprintf(slices, sizeof(slices), "%dm x %dc", m->units,
                 m->compute_slices);
        if (m->confirmed)
            snprintf(data, sizeof(data), "all confirmed");
        else if (confirmed == m->n_profiles)
            snprintf(data, sizeof(data), "profiles confirmed, model inferred");
        else
            snprintf(data, sizeof(data), "%d of %d profiles confirmed",
                     confirmed, m->n_profiles);
        mp_buf_printf(b, "%-20s %-10s %-8s %-9d %s\n", m->id, mem, slices,
                      m->n_profiles, data);
        mp_buf_printf(b, "  %s  ", m->name);
        for (int p = 0; p < m->n_pci_ids; p++)
            mp_buf_printf(b, "%s0x%08X", p ? " " : "", m->pci_ids[p]);
        mp_buf_putc(b, '\n');
        if (m->n_aliases) {
            mp_buf_puts(b, "  aliases:");
            for (int a = 0; a < m->n_aliases; a++)
                mp_buf_printf(b, " %s", m->aliases[a]);
            mp_buf_putc(b, '\n');
        }
    }
    mp_buf_puts(b,
                "\nSLICES: memory slices (placement units) x compute slices. "
                "* memory is a\nlower bound (the whole-GPU size was not seen). "
                "`migplan profiles MODEL`\nshows each profile and where its "
                "numbers come from.\n");
}

void mp_emit_gpus_json(const mp_db *db, mp_buf *b)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *arr = cJSON_AddArrayToObject(root, "gpus");
    for (int i = 0; i < mp_db_count(db); i++)
        cJSON_AddItemToArray(arr, mp_model_json(mp_db_model(db, i), false));
    mp_json_print(root, b);
    cJSON_Delete(root);
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

/* The widest profile name, with its '?' mark. */
static int name_width(const mp_model *m)
{
    int nw = 7; /* "PROFILE" */
    for (int i = 0; i < m->n_profiles; i++) {
        int l = (int)strlen(m->profiles[i].name) + !m->profiles[i].confirmed;
        if (l > nw)
            nw = l;
    }
    return nw;
}

/* One row per GI profile; returns whether any profile is inferred. */
static bool profile_rows(const mp_model *m, int nw, mp_buf *b)
{
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
    return any_inferred;
}

/* Does profile j hold the same inferred reason for nt's field? */
static bool same_reason(const mp_model *m, int j, const mp_note *nt)
{
    const char *t = mp_prov_inferred(&m->profiles[j].prov, nt->field);
    return t && strcmp(t, nt->text) == 0;
}

/* The inferred note nt of profile i, once for every profile sharing it:
 * "field (1g.10gb, 2g.20gb): reason". */
static void profile_note(const mp_model *m, int i, const mp_note *nt, mp_buf *b)
{
    for (int j = 0; j < i; j++)
        if (same_reason(m, j, nt))
            return; /* said with an earlier profile */
    char head[1200];
    size_t hk = (size_t)snprintf(head, sizeof(head), "%s (", nt->field);
    int count = 0;
    for (int j = i; j < m->n_profiles; j++) {
        if (same_reason(m, j, nt) && hk < sizeof(head)) {
            mp_catf(head, sizeof(head), &hk, "%s%s", count ? ", " : "",
                    m->profiles[j].name);
            count++;
        }
    }
    if (count == m->n_profiles)
        snprintf(head, sizeof(head), "%s (all profiles): %s", nt->field,
                 nt->text);
    else if (hk < sizeof(head))
        snprintf(head + hk, sizeof(head) - hk, "): %s", nt->text);
    mp_buf_puts(b, "  ");
    mp_buf_wrap(b, head, 2, 4, 79);
}

/* Inferred values, one line per distinct (field, reason). */
static void inferred_notes(const mp_model *m, mp_buf *b)
{
    mp_buf_puts(b, "\n? inferred, not seen in a source:\n");
    for (int i = 0; i < m->prov.n_inferred; i++) {
        size_t at = b->len;
        mp_buf_printf(b, "  model %s:", m->prov.inferred[i].field);
        mp_buf_wrap(b, m->prov.inferred[i].text, (int)(b->len - at), 4, 79);
    }
    for (int i = 0; i < m->n_profiles; i++)
        for (int k = 0; k < m->profiles[i].prov.n_inferred; k++)
            profile_note(m, i, &m->profiles[i].prov.inferred[k], b);
}

void mp_emit_profiles_table(const mp_model *m, const mp_device *dev,
                            bool sources, mp_buf *b)
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
    mp_buf_wrap(b, line, 0, 2, 79);
    mp_buf_putc(b, '\n');
    int nw = name_width(m);
    bool any_inferred = profile_rows(m, nw, b);
    mp_buf_puts(b, "\nCompute instances that fit one GI (count, CI profile "
                   "ID; default = what -C\nmakes):\n");
    for (int i = 0; i < m->n_profiles; i++) {
        char cis[400];
        ci_text(&m->profiles[i], cis, sizeof(cis));
        size_t at = b->len;
        mp_buf_printf(b, "  %-*s ", nw, m->profiles[i].name);
        mp_buf_wrap(b, cis, (int)(b->len - at), nw + 4, 79);
    }
    if (any_inferred || m->prov.n_inferred)
        inferred_notes(m, b);
    if (!sources) {
        mp_buf_printf(b, "\nSources: %s (--sources lists them).\n", m->file);
        return;
    }
    mp_buf_puts(b, "\nSources:\n");
    for (int i = 0; i < m->n_sources; i++) {
        size_t at = b->len;
        mp_buf_printf(b, "  %s:", m->sources[i].key);
        mp_buf_wrap(b, m->sources[i].text, (int)(b->len - at), 4, 79);
    }
}

void mp_emit_profiles_json(const mp_model *m, mp_buf *b)
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
