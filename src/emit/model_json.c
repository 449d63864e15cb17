/* SPDX-License-Identifier: Apache-2.0 */
/* model_json.c - JSON views of the profile database. */
#include "migplan/emit/model_json.h"

#include <stdio.h>

static cJSON *str_array(const char *const *v, int n)
{
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; i < n; i++)
        cJSON_AddItemToArray(a, cJSON_CreateString(v[i]));
    return a;
}

static cJSON *notes(const mp_note *n, int cnt)
{
    cJSON *o = cJSON_CreateObject();
    for (int i = 0; i < cnt; i++)
        cJSON_AddStringToObject(o, n[i].field, n[i].text);
    return o;
}

cJSON *mp_provenance_json(const mp_provenance *p)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "sources", str_array(p->sources, p->n_sources));
    cJSON_AddItemToObject(o, "derived", notes(p->derived, p->n_derived));
    cJSON_AddItemToObject(o, "inferred", notes(p->inferred, p->n_inferred));
    return o;
}

static void add_int_or_null(cJSON *o, const char *k, int v)
{
    if (v < 0)
        cJSON_AddNullToObject(o, k);
    else
        cJSON_AddNumberToObject(o, k, v);
}

/* What a GPU instance profile and a compute instance profile both begin
 * with: name, id (null when unknown) and compute slices. */
static cJSON *profile_head(const char *name, int id, int compute_slices)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", name);
    add_int_or_null(o, "id", id);
    cJSON_AddNumberToObject(o, "compute_slices", compute_slices);
    return o;
}

cJSON *mp_model_json(const mp_model *m, bool with_profiles)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", m->id);
    cJSON_AddStringToObject(o, "name", m->name);
    cJSON_AddItemToObject(o, "product_names",
                          str_array(m->product_names, m->n_product_names));
    cJSON_AddItemToObject(o, "aliases", str_array(m->aliases, m->n_aliases));
    cJSON *ids = cJSON_AddArrayToObject(o, "pci_device_ids");
    for (int i = 0; i < m->n_pci_ids; i++) {
        char buf[16];
        snprintf(buf, sizeof(buf), "0x%08X", m->pci_ids[i]);
        cJSON_AddItemToArray(ids, cJSON_CreateString(buf));
    }
    cJSON_AddStringToObject(o, "architecture", m->architecture);
    cJSON_AddNumberToObject(o, "memory_mib", m->memory_mib);
    add_int_or_null(o, "sms", m->sms);
    cJSON_AddNumberToObject(o, "placement_units", m->units);
    cJSON_AddNumberToObject(o, "compute_slices", m->compute_slices);
    cJSON_AddStringToObject(o, "min_driver", m->min_driver);
    cJSON_AddStringToObject(o, "memory_driver", m->memory_driver);
    if (!with_profiles)
        cJSON_AddNumberToObject(o, "profiles", m->n_profiles);
    cJSON_AddBoolToObject(o, "confirmed", m->confirmed);
    cJSON_AddItemToObject(o, "provenance", mp_provenance_json(&m->prov));
    cJSON_AddStringToObject(o, "file", m->file);
    return o;
}

cJSON *mp_profile_json(const mp_model *m, const mp_gi_profile *p)
{
    (void)m;
    cJSON *o = profile_head(p->name, p->id, p->compute_slices);
    cJSON_AddNumberToObject(o, "memory_slices", p->memory_slices);
    cJSON_AddNumberToObject(o, "memory_mib", p->memory_mib);
    if (p->memory_gib)
        cJSON_AddStringToObject(o, "memory_gib", p->memory_gib);
    else
        cJSON_AddNullToObject(o, "memory_gib");
    add_int_or_null(o, "sms", p->sms);
    cJSON_AddNumberToObject(o, "max_instances", p->max_instances);
    cJSON *pl = cJSON_AddArrayToObject(o, "placements");
    for (int i = 0; i < p->n_placements; i++)
        cJSON_AddItemToArray(pl, cJSON_CreateNumber(p->placements[i]));
    char txt[64];
    mp_format_placements(p, txt, sizeof(txt));
    cJSON_AddStringToObject(o, "placements_text", txt);
    cJSON *e = cJSON_AddObjectToObject(o, "engines");
    for (int i = 0; i < MP_ENG_COUNT; i++)
        cJSON_AddNumberToObject(e, mp_engine_name(i), p->engines[i]);
    cJSON_AddBoolToObject(o, "media_extended", (p->flags & MP_GI_MEDIA) != 0);
    if (p->min_driver)
        cJSON_AddStringToObject(o, "min_driver", p->min_driver);
    cJSON_AddBoolToObject(o, "confirmed", p->confirmed);
    cJSON_AddItemToObject(o, "provenance", mp_provenance_json(&p->prov));
    cJSON *cis = cJSON_AddArrayToObject(o, "compute_instances");
    for (int i = 0; i < p->n_cis; i++) {
        const mp_ci_profile *ci = &p->cis[i];
        cJSON *co = profile_head(ci->name, ci->id, ci->compute_slices);
        cJSON_AddNumberToObject(co, "max_per_gi", ci->max_per_gi);
        cJSON_AddBoolToObject(co, "default", ci->is_default);
        cJSON_AddBoolToObject(co, "confirmed", ci->inferred == NULL);
        if (ci->inferred)
            cJSON_AddStringToObject(co, "inferred", ci->inferred);
        cJSON_AddItemToArray(cis, co);
    }
    return o;
}
