/* SPDX-License-Identifier: Apache-2.0 */
/* profile_writer.c - a GPU model as a schema-2 profile file. */
#include "migplan/emit/profile_writer.h"

#include <stdio.h>
#include <string.h>

/* A double-quoted YAML string. */
static void str(mp_buf *b, const char *s)
{
    mp_buf_putc(b, '"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            mp_buf_printf(b, "\\%c", c);
        else if (c < 0x20 || c == 0x7F)
            mp_buf_printf(b, "\\x%02X", c);
        else
            mp_buf_putc(b, (char)c);
    }
    mp_buf_putc(b, '"');
}

static void key_str(mp_buf *b, const char *indent, const char *key,
                    const char *s)
{
    mp_buf_printf(b, "%s%s: ", indent, key);
    str(b, s);
    mp_buf_putc(b, '\n');
}

static void list(mp_buf *b, const char *const *v, int n)
{
    mp_buf_putc(b, '[');
    for (int i = 0; i < n; i++) {
        if (i)
            mp_buf_puts(b, ", ");
        str(b, v[i]);
    }
    mp_buf_putc(b, ']');
}

static void comment(mp_buf *b, const char *text)
{
    while (text && *text) {
        const char *nl = strchr(text, '\n');
        size_t n = nl ? (size_t)(nl - text) : strlen(text);
        mp_buf_puts(b, n ? "# " : "#");
        mp_buf_add(b, text, n);
        mp_buf_putc(b, '\n');
        text = nl ? nl + 1 : text + n;
    }
}

static void notes(mp_buf *b, const char *indent, const char *what,
                  const mp_note *v, int n)
{
    if (!n)
        return;
    mp_buf_printf(b, "%s%s:\n", indent, what);
    for (int i = 0; i < n; i++) {
        mp_buf_printf(b, "%s  %s: ", indent, v[i].field);
        str(b, v[i].text);
        mp_buf_putc(b, '\n');
    }
}

static void devices(const mp_model *m, mp_buf *b)
{
    mp_buf_puts(b, "devices:\n");
    for (int i = 0; i < m->n_devices; i++) {
        const mp_device *dv = &m->devices[i];
        mp_buf_printf(b, "  - pci-id: \"0x%08X\"\n", dv->pci_id);
        if (dv->n_names) {
            mp_buf_puts(b, "    names: ");
            list(b, dv->names, dv->n_names);
            mp_buf_putc(b, '\n');
        }
        if (dv->n_sources) {
            mp_buf_puts(b, "    sources: ");
            list(b, dv->sources, dv->n_sources);
            mp_buf_putc(b, '\n');
        }
        if (dv->inferred)
            key_str(b, "    ", "inferred", dv->inferred);
    }
    if (m->n_excluded)
        mp_buf_puts(b, "excluded-devices:\n");
    for (int i = 0; i < m->n_excluded; i++) {
        mp_buf_printf(b, "  - pci-id: \"0x%08X\"\n", m->excluded[i].pci_id);
        key_str(b, "    ", "name", m->excluded[i].name);
        key_str(b, "    ", "reason", m->excluded[i].reason);
    }
}

static void model_head(const mp_model *m, mp_buf *b)
{
    mp_buf_printf(b, "schema: 2\nid: %s\n", m->id);
    key_str(b, "", "name", m->name);
    if (m->n_aliases) {
        mp_buf_puts(b, "aliases: ");
        list(b, m->aliases, m->n_aliases);
        mp_buf_putc(b, '\n');
    }
    devices(m, b);
    key_str(b, "", "architecture", m->architecture);
    mp_buf_printf(b, "memory-mib: %d\n", m->memory_mib);
    if (m->memory_total_driver)
        key_str(b, "", "memory-total-driver", m->memory_total_driver);
    if (m->sms > 0)
        mp_buf_printf(b, "sms: %d\n", m->sms);
    mp_buf_printf(b, "placement-units: %d\ncompute-slices: %d\n", m->units,
                  m->compute_slices);
    key_str(b, "", "min-driver", m->min_driver);
    key_str(b, "", "memory-driver", m->memory_driver);
    if (m->n_older_drivers)
        mp_buf_puts(b, "older-drivers:\n");
    for (int i = 0; i < m->n_older_drivers; i++) {
        mp_buf_puts(b, "  - driver: ");
        str(b, m->older_drivers[i].driver);
        mp_buf_putc(b, '\n');
        if (m->older_drivers[i].note)
            key_str(b, "    ", "note", m->older_drivers[i].note);
    }
    mp_buf_puts(b, "sources:\n");
    for (int i = 0; i < m->n_sources; i++) {
        mp_buf_puts(b, "  ");
        str(b, m->sources[i].key);
        mp_buf_puts(b, ": ");
        str(b, m->sources[i].text);
        mp_buf_putc(b, '\n');
    }
    mp_buf_puts(b, "provenance:\n  sources: ");
    list(b, m->prov.sources, m->prov.n_sources);
    mp_buf_putc(b, '\n');
    notes(b, "  ", "derived", m->prov.derived, m->prov.n_derived);
    notes(b, "  ", "inferred", m->prov.inferred, m->prov.n_inferred);
}

static void cis(const mp_gi_profile *p, mp_buf *b)
{
    mp_buf_puts(b, "    compute-instances:\n");
    for (int i = 0; i < p->n_cis; i++) {
        const mp_ci_profile *c = &p->cis[i];
        mp_buf_printf(b, "      - {c: %d, id: %d, max: %d%s", c->compute_slices,
                      c->id, c->max_per_gi,
                      c->is_default ? ", default: true" : "");
        if (c->inferred) {
            mp_buf_puts(b, ", inferred: ");
            str(b, c->inferred);
        }
        mp_buf_puts(b, "}\n");
    }
}

static void profile(const mp_model *m, const mp_gi_profile *p, mp_buf *b)
{
    mp_buf_printf(b, "  - name: %s\n    id: %d\n", p->name, p->id);
    mp_buf_printf(b, "    compute-slices: %d\n    memory-slices: %d\n",
                  p->compute_slices, p->memory_slices);
    if (p->memory_gib)
        mp_buf_printf(b, "    memory-gib: %s\n", p->memory_gib);
    mp_buf_printf(b, "    memory-mib: %d\n", p->memory_mib);
    bool older = false;
    for (int i = 0; p->older_gib && i < m->n_older_drivers; i++) {
        if (!p->older_gib[i])
            continue;
        mp_buf_puts(b, older ? ", " : "    older-memory: {");
        str(b, m->older_drivers[i].driver);
        mp_buf_printf(b, ": %s", p->older_gib[i]);
        older = true;
    }
    if (older)
        mp_buf_puts(b, "}\n");
    if (p->sms > 0)
        mp_buf_printf(b, "    sms: %d\n", p->sms);
    mp_buf_puts(b, "    engines: {");
    for (int e = 0; e < MP_ENG_COUNT; e++)
        mp_buf_printf(b, "%s%s: %d", e ? ", " : "", mp_engine_name(e),
                      p->engines[e]);
    char pl[128];
    mp_format_placements(p, pl, sizeof(pl));
    mp_buf_printf(b, "}\n    max-instances: %d\n    placements: \"%s\"\n",
                  p->max_instances, pl);
    if (p->min_driver)
        key_str(b, "    ", "min-driver", p->min_driver);
    cis(p, b);
    mp_buf_puts(b, "    sources: ");
    list(b, p->prov.sources, p->prov.n_sources);
    mp_buf_putc(b, '\n');
    notes(b, "    ", "derived", p->prov.derived, p->prov.n_derived);
    notes(b, "    ", "inferred", p->prov.inferred, p->prov.n_inferred);
}

void mp_profile_write(const mp_model *m, const char *text, mp_buf *out)
{
    comment(out, text);
    model_head(m, out);
    mp_buf_puts(out, "profiles:\n");
    for (int i = 0; i < m->n_profiles; i++)
        profile(m, &m->profiles[i], out);
    if (m->notes)
        key_str(out, "", "notes", m->notes);
}
