/* SPDX-License-Identifier: Apache-2.0 */
/* profile_diff.c - compare two models of one GPU value by value. */
#include "migplan/model/profile_diff.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

typedef struct differ {
    mp_buf diffs, confirms;
    mp_diff_count n;
} differ;

static void differs(differ *d, const char *what, const char *a, const char *b)
{
    mp_buf_printf(&d->diffs, "  %s: %s -> %s\n", what, a, b);
    d->n.differ++;
}

static void confirms(differ *d, const char *what, const char *v,
                     const char *why)
{
    mp_buf_printf(&d->confirms, "  %s %s (was inferred: %s)\n", what, v, why);
    d->n.confirmed++;
}

/* One value: differ, or confirm when a inferred it and b did not. */
static void value(differ *d, const char *what, const char *va, const char *vb,
                  const char *inf_a, const char *inf_b)
{
    if (strcmp(va, vb) != 0)
        differs(d, what, va, vb);
    else if (inf_a && !inf_b)
        confirms(d, what, va, inf_a);
}

static void num(char *buf, size_t n, int v)
{
    if (v < 0)
        snprintf(buf, n, "unknown");
    else
        snprintf(buf, n, "%d", v);
}

static void model_values(differ *d, const mp_model *a, const mp_model *b)
{
    char va[64], vb[64];
    num(va, sizeof(va), a->memory_mib);
    num(vb, sizeof(vb), b->memory_mib);
    value(d, "memory.total (MiB)", va, vb,
          mp_prov_inferred(&a->prov, "memory-mib"),
          mp_prov_inferred(&b->prov, "memory-mib"));
    num(va, sizeof(va), a->sms);
    num(vb, sizeof(vb), b->sms);
    value(d, "whole-GPU SMs", va, vb, mp_prov_inferred(&a->prov, "sms"),
          mp_prov_inferred(&b->prov, "sms"));
    num(va, sizeof(va), a->units);
    num(vb, sizeof(vb), b->units);
    value(d, "placement units", va, vb, NULL, NULL);
    num(va, sizeof(va), a->compute_slices);
    num(vb, sizeof(vb), b->compute_slices);
    value(d, "compute slices", va, vb, NULL, NULL);
    for (int i = 0; i < b->n_devices; i++) {
        const mp_device *db = &b->devices[i], *da;
        da = mp_model_device(a, db->pci_id);
        char what[64];
        snprintf(what, sizeof(what), "device 0x%08X name", db->pci_id);
        const char *nb = db->n_names ? db->names[0] : "none";
        if (!da)
            differs(d, what, "not listed", nb);
        else if (db->n_names && !db->inferred)
            value(d, what, da->n_names ? da->names[0] : "none", nb,
                  da->inferred, NULL);
    }
}

static void engines(char *buf, size_t n, const mp_gi_profile *p)
{
    size_t k = 0;
    for (int e = 0; e < MP_ENG_COUNT; e++)
        mp_catf(buf, n, &k, "%s%s %d", e ? " " : "", mp_engine_name(e),
                p->engines[e]);
}

static void ci_list(char *buf, size_t n, const mp_gi_profile *p)
{
    size_t k = 0;
    buf[0] = '\0';
    for (int i = 0; i < p->n_cis; i++)
        mp_catf(buf, n, &k, "%s%dc x%d (ID %d%s)", i ? ", " : "",
                p->cis[i].compute_slices, p->cis[i].max_per_gi, p->cis[i].id,
                p->cis[i].is_default ? ", default" : "");
}

static bool cis_inferred(const mp_gi_profile *p)
{
    for (int i = 0; i < p->n_cis; i++)
        if (p->cis[i].inferred)
            return true;
    return false;
}

static void gib(char *buf, size_t n, const mp_gi_profile *p)
{
    if (p->memory_gib)
        snprintf(buf, n, "%s GiB", p->memory_gib);
    else
        snprintf(buf, n, "%.2f GiB", p->memory_mib / 1024.0);
}

static void placements(char *buf, size_t n, const mp_gi_profile *p)
{
    mp_format_placements(p, buf, n);
}

/* A field of a profile the diff compares: its label, its provenance key,
 * and how it is shown (fmt, or the int member at off through num). */
typedef struct pfield {
    const char *label, *prov;
    size_t off;
    void (*fmt)(char *buf, size_t n, const mp_gi_profile *p);
} pfield;

#define INT_FIELD(label, prov, member)                                         \
    {                                                                          \
        (label), (prov), offsetof(mp_gi_profile, member), NULL                 \
    }

static const pfield pfields[] = {
    INT_FIELD("ID", "id", id),
    INT_FIELD("memory slices", "memory-slices", memory_slices),
    {"memory", "memory-mib", 0, gib},
    INT_FIELD("SMs", "sms", sms),
    {"engines", "engines", 0, engines},
    INT_FIELD("max instances", "max-instances", max_instances),
    {"placements", "placements", 0, placements},
};

static void field_text(const pfield *f, const mp_gi_profile *p, char *buf,
                       size_t n)
{
    int v;
    if (f->fmt) {
        f->fmt(buf, n, p);
        return;
    }
    memcpy(&v, (const char *)p + f->off, sizeof(v));
    num(buf, n, v);
}

static void profile(differ *d, const mp_gi_profile *a, const mp_gi_profile *b)
{
    char what[96], va[400], vb[400];
    for (size_t i = 0; i < sizeof(pfields) / sizeof(pfields[0]); i++) {
        const pfield *f = &pfields[i];
        field_text(f, a, va, sizeof(va));
        field_text(f, b, vb, sizeof(vb));
        snprintf(what, sizeof(what), "profile %s %s", a->name, f->label);
        value(d, what, va, vb, mp_prov_inferred(&a->prov, f->prov),
              mp_prov_inferred(&b->prov, f->prov));
    }
    ci_list(va, sizeof(va), a);
    ci_list(vb, sizeof(vb), b);
    snprintf(what, sizeof(what), "profile %s compute instances", a->name);
    value(d, what, va, vb, cis_inferred(a) ? "compute-instance table" : NULL,
          cis_inferred(b) ? "" : NULL);
}

mp_diff_count mp_model_diff(const mp_model *a, const mp_model *b, mp_buf *out)
{
    differ d = {MP_BUF_INIT, MP_BUF_INIT, {0, 0}};
    model_values(&d, a, b);
    for (int i = 0; i < a->n_profiles; i++) {
        const mp_gi_profile *pb = mp_model_profile(b, a->profiles[i].name);
        if (pb)
            profile(&d, &a->profiles[i], pb);
        else
            differs(&d, a->profiles[i].name, "a profile", "missing");
    }
    for (int i = 0; i < b->n_profiles; i++)
        if (!mp_model_profile(a, b->profiles[i].name))
            differs(&d, b->profiles[i].name, "missing", "a profile");
    mp_buf_printf(out, "%d difference%s%s\n", d.n.differ,
                  d.n.differ == 1 ? "" : "s", d.n.differ ? ":" : "");
    mp_buf_add(out, d.diffs.data ? d.diffs.data : "", d.diffs.len);
    mp_buf_printf(out, "%d inferred value%s confirmed%s\n", d.n.confirmed,
                  d.n.confirmed == 1 ? "" : "s", d.n.confirmed ? ":" : "");
    mp_buf_add(out, d.confirms.data ? d.confirms.data : "", d.confirms.len);
    mp_buf_free(&d.diffs);
    mp_buf_free(&d.confirms);
    return d.n;
}
