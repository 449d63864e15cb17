/* SPDX-License-Identifier: Apache-2.0 */
/* nvsmi_import.c - build a GPU model (a profile file's content) from what
 * nvidia-smi printed, filling only what its MIG output cannot show from the
 * shipped model, and saying so. */
#include "migplan/readers/nvsmi_import.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "migplan/model/profname.h"
#include "migplan/util/buf.h"

#define MAX_NOTES 8
#define MAX_FILES 64

typedef struct importer {
    const mp_nvsmi_capture *cap;
    const mp_db *db;
    mp_import *out;
    mp_model *m;
    mp_arena *a;
    mp_diag *d;
    const mp_nvsmi_query *q; /* the GPU's --query-gpu row, or NULL */
    const mp_model *base;
    const mp_device *dev; /* base's device the capture is of, or NULL */
    int gpu;              /* the GPU index whose rows are used */
    mp_note notes[MAX_NOTES];
    int n_notes;
    const char *files[MAX_FILES]; /* the capture's files, once each */
    int n_files;
} importer;

#define AT(x, at, ...)                                                         \
    mp_diag_set((x)->d, MP_ESCHEMA, (at).path, (at).line, 0, __VA_ARGS__)

static int nomem(importer *x)
{
    return mp_diag_set(x->d, MP_ENOMEM, NULL, 0, 0, "out of memory");
}

static void note(importer *x, const char *field, const char *text)
{
    if (x->n_notes < MAX_NOTES)
        x->notes[x->n_notes++] = (mp_note){field, text};
}

/* ---- which GPU, which rows ---- */

static const mp_nvsmi_gip *gip_of(const importer *x, int gpu, int id)
{
    for (int i = 0; i < x->cap->n_gip; i++)
        if (x->cap->gip[i].gpu == gpu && x->cap->gip[i].id == id)
            return &x->cap->gip[i];
    return NULL;
}

static const mp_nvsmi_gipp *gipp_of(const importer *x, int gpu, int id)
{
    for (int i = 0; i < x->cap->n_gipp; i++)
        if (x->cap->gipp[i].gpu == gpu && x->cap->gipp[i].id == id)
            return &x->cap->gipp[i];
    return NULL;
}

static bool same_gip(const mp_nvsmi_gip *a, const mp_nvsmi_gip *b)
{
    return strcmp(a->name, b->name) == 0 && a->total == b->total &&
           strcmp(a->gib, b->gib) == 0 && a->eng.sms == b->eng.sms &&
           a->eng.dec == b->eng.dec && a->eng.enc == b->eng.enc &&
           a->eng.ce == b->eng.ce && a->eng.jpeg == b->eng.jpeg &&
           a->eng.ofa == b->eng.ofa;
}

static bool same_gipp(const mp_nvsmi_gipp *a, const mp_nvsmi_gipp *b)
{
    return a->size == b->size && a->n == b->n &&
           memcmp(a->starts, b->starts, (size_t)a->n * sizeof(int)) == 0;
}

/* The lowest GPU index is read; every other GPU must print the same. */
static int pick_gpu(importer *x)
{
    const mp_nvsmi_capture *c = x->cap;
    x->gpu = c->gip[0].gpu;
    for (int i = 1; i < c->n_gip; i++)
        if (c->gip[i].gpu < x->gpu)
            x->gpu = c->gip[i].gpu;
    for (int i = 0; i < c->n_gip; i++) {
        const mp_nvsmi_gip *g = &c->gip[i], *o = gip_of(x, x->gpu, g->id);
        if (!o || !same_gip(g, o))
            return AT(x, g->at,
                      "GPU %d's profile %d differs from GPU %d's; capture one "
                      "model of GPU at a time (nvidia-smi mig -i N -lgip)",
                      g->gpu, g->id, x->gpu);
    }
    for (int i = 0; i < c->n_gipp; i++) {
        const mp_nvsmi_gipp *g = &c->gipp[i], *o = gipp_of(x, x->gpu, g->id);
        if (!gip_of(x, g->gpu, g->id))
            return AT(x, g->at,
                      "profile ID %d of GPU %d has placements but no -lgip "
                      "row; give the -lgip table of the same GPU",
                      g->id, g->gpu);
        if (o && !same_gipp(g, o))
            return AT(x, g->at,
                      "GPU %d's placements of profile %d differ from GPU %d's",
                      g->gpu, g->id, x->gpu);
    }
    return 0;
}

static int pick_query(importer *x)
{
    const mp_nvsmi_capture *c = x->cap;
    if (c->n_query == 0)
        return 0;
    x->q = &c->query[0];
    for (int i = 1; i < c->n_query; i++) {
        const mp_nvsmi_query *o = &c->query[i];
        if (strcmp(o->name, x->q->name) || o->pci_id != x->q->pci_id ||
            o->memory_mib != x->q->memory_mib ||
            strcmp(o->driver, x->q->driver))
            return AT(x, o->at,
                      "this GPU differs from the one on line %d; capture one "
                      "GPU (nvidia-smi -i N --query-gpu=...)",
                      x->q->at.line);
    }
    return 0;
}

static int find_base(importer *x, const char *gpu)
{
    uint32_t pci = x->q ? x->q->pci_id : 0;
    if (gpu) {
        int rc = mp_db_find_device(x->db, gpu, &x->base, &x->dev, x->d);
        if (rc)
            return rc;
        if (pci && !mp_model_device(x->base, pci))
            return AT(x, x->q->at,
                      "--gpu %s is %s, but this GPU's PCI device ID is 0x%08X",
                      gpu, x->base->id, pci);
    } else if (pci) {
        x->base = mp_db_find_pci(x->db, pci);
    } else {
        return mp_diag_set(
            x->d, MP_EUSAGE, NULL, 0, 0,
            "which GPU is this? Add the output of nvidia-smi "
            "--query-gpu=name,pci.device_id,memory.total,driver_version "
            "--format=csv, or name a known model with --gpu MODEL");
    }
    if (pci && x->base)
        x->dev = mp_model_device(x->base, pci);
    if (!x->dev && x->base && !pci)
        x->dev = &x->base->devices[0];
    x->out->base = x->base;
    return 0;
}

/* ---- the model's identity and whole-GPU facts ---- */

/* "NVIDIA B300 SXM6 AC" -> "b300-sxm6-ac" */
static const char *id_from_name(importer *x, const char *name)
{
    if (strncmp(name, "NVIDIA ", 7) == 0)
        name += 7;
    char id[64];
    size_t k = 0;
    for (const char *p = name; *p && k + 1 < sizeof(id); p++) {
        if (isalnum((unsigned char)*p))
            id[k++] = (char)tolower((unsigned char)*p);
        else if (k && id[k - 1] != '-')
            id[k++] = '-';
    }
    while (k && id[k - 1] == '-')
        k--;
    id[k] = '\0';
    return mp_arena_strdup(x->a, k ? id : "imported-gpu");
}

static const char *shipped(importer *x, const char *what)
{
    return mp_arena_printf(x->a, "%s; from the shipped %s (%s)", what,
                           x->base->id, x->base->file);
}

/* The device seen, then the shipped model's other devices. */
static int devices(importer *x)
{
    mp_model *m = x->m;
    const mp_model *b = x->base;
    int n = 1 + (b ? b->n_devices : 0);
    mp_device *dv = mp_arena_alloc(x->a, (size_t)n * sizeof(*dv));
    uint32_t *ids = mp_arena_alloc(x->a, (size_t)n * sizeof(*ids));
    const char **src = mp_arena_alloc(x->a, 2 * sizeof(*src));
    if (!dv || !ids || !src)
        return nomem(x);
    src[0] = "IMPORT";
    src[1] = "SHIPPED";
    int k = 0;
    if (x->q && x->q->pci_id) {
        dv[k] = (mp_device){x->q->pci_id, &m->name, 1, src, 1, NULL};
        k++;
    } else {
        dv[k] = *x->dev;
        dv[k].sources = src + 1;
        dv[k].n_sources = 1;
        dv[k].inferred = shipped(x, "the capture does not show the GPU");
        k++;
    }
    for (int i = 0; b && i < b->n_devices; i++) {
        if (b->devices[i].pci_id == dv[0].pci_id)
            continue;
        dv[k] = b->devices[i];
        dv[k].sources = src + 1;
        dv[k].n_sources = 1;
        dv[k].inferred = shipped(
            x, "not in the imported output, assumed to share its table");
        k++;
    }
    for (int i = 0; i < k; i++)
        ids[i] = dv[i].pci_id;
    m->devices = dv;
    m->n_devices = k;
    m->pci_ids = ids;
    m->n_pci_ids = k;
    return 0;
}

static int identity(importer *x)
{
    mp_model *m = x->m;
    const mp_model *b = x->base;
    if (!b && !x->q->name[0])
        return AT(x, x->q->at,
                  "the --query-gpu output needs the name column for a GPU "
                  "migplan does not know");
    /* find_base() made sure that without b there is a query with a PCI ID */
    m->name = x->q && x->q->name[0]
                  ? mp_arena_strdup(x->a, x->q->name)
                  : (x->dev->n_names ? x->dev->names[0] : b->name);
    m->id = b ? b->id : id_from_name(x, m->name);
    if (!m->name || !m->id)
        return nomem(x);
    if (b) {
        m->aliases = b->aliases;
        m->n_aliases = b->n_aliases;
    }
    return devices(x);
}

/* The capture's driver version, copied into the result, or NULL. */
static const char *driver_of(importer *x)
{
    return x->q && x->q->driver[0] ? mp_arena_strdup(x->a, x->q->driver) : NULL;
}

static int sources(importer *x)
{
    mp_model *m = x->m;
    const char *drv = driver_of(x);
    mp_buf files = MP_BUF_INIT;
    const mp_nvsmi_capture *c = x->cap;
    for (int i = 0; i < c->n_gip + c->n_gipp + c->n_cip + c->n_query; i++) {
        int k = i;
        const char *p = k < c->n_gip                  ? c->gip[k].at.path
                        : (k -= c->n_gip) < c->n_gipp ? c->gipp[k].at.path
                        : (k -= c->n_gipp) < c->n_cip
                            ? c->cip[k].at.path
                            : c->query[k - c->n_cip].at.path;
        bool seen = false;
        for (int j = 0; j < x->n_files && !seen; j++)
            seen = x->files[j] == p;
        if (!seen && x->n_files < MAX_FILES) {
            x->files[x->n_files++] = p;
            mp_buf_printf(&files, "%s%s", files.len ? ", " : "", p);
        }
    }
    mp_source *s = mp_arena_alloc(x->a, 2 * sizeof(*s));
    if (!s) {
        mp_buf_free(&files);
        return nomem(x);
    }
    s[0].key = "IMPORT";
    s[0].text =
        mp_arena_printf(x->a, "imported from nvidia-smi output, driver %s (%s)",
                        drv ? drv : "not shown", mp_buf_str(&files));
    s[1].key = "SHIPPED";
    s[1].text = x->base ? mp_arena_printf(x->a,
                                          "migplan's %s, for what nvidia-smi's "
                                          "MIG output does not show",
                                          x->base->file)
                        : NULL;
    mp_buf_free(&files);
    m->sources = s;
    m->n_sources = x->base ? 2 : 1;
    m->prov.sources = mp_arena_alloc(x->a, 2 * sizeof(char *));
    if (!s[0].text || (x->base && !s[1].text) || !m->prov.sources)
        return nomem(x);
    m->prov.sources[0] = "IMPORT";
    m->prov.sources[1] = "SHIPPED";
    m->prov.n_sources = m->n_sources;
    return 0;
}

/* Memory, SMs, drivers and architecture of the whole GPU. */
static int whole_gpu(importer *x, int largest_mib)
{
    mp_model *m = x->m;
    const mp_model *b = x->base;
    const char *drv = driver_of(x);
    m->memory_driver = drv ? drv : "not shown by the imported output";
    if (x->q && x->q->memory_mib > 0) {
        m->memory_mib = x->q->memory_mib;
        m->memory_total_driver = drv ? drv : "not shown";
    } else {
        m->memory_mib = b ? b->memory_mib : largest_mib;
        note(x, "memory-mib",
             b ? shipped(x, "memory.total was not captured")
               : "memory.total was not captured; the largest profile's size, "
                 "a lower bound");
    }
    m->sms = b ? b->sms : -1;
    note(x, "sms",
         b && b->sms > 0
             ? shipped(x, "nvidia-smi's MIG output does not show the whole "
                          "GPU's SMs")
             : "nvidia-smi's MIG output does not show the whole GPU's SMs");
    m->architecture = b ? b->architecture : "unknown";
    if (!b)
        note(x, "architecture", "nvidia-smi's MIG output does not show it");
    m->min_driver = b ? b->min_driver : (drv ? drv : "unknown");
    note(x, "min-driver",
         b ? shipped(x, "nvidia-smi's output does not show it")
           : "the driver of this capture; older ones were not tried");
    for (int i = 0; i < x->n_notes; i++)
        if (!x->notes[i].text)
            return nomem(x);
    return 0;
}

/* ---- profiles ---- */

/* The GI profile name of -lcip row c ("1c.3g.40gb" -> "3g.40gb"). */
static int ci_gi_name(importer *x, const mp_nvsmi_cip *c, mp_profname *pn,
                      char *giname, size_t n)
{
    char why[200];
    if (!mp_profname_parse(c->name, strlen(c->name), pn, why, sizeof(why)))
        return AT(x, c->at, "compute-instance profile %s: %s", c->name, why);
    mp_profname_gi(pn, giname, n);
    return 0;
}

/* The -lcip rows of the first GPU instance whose GI is profile p. */
static int cis_from_lcip(importer *x, mp_gi_profile *p, bool *found)
{
    int gi = -1, n = 0;
    mp_ci_profile cis[MP_MAX_CI];
    *found = false;
    for (int i = 0; i < x->cap->n_cip; i++) {
        const mp_nvsmi_cip *c = &x->cap->cip[i];
        mp_profname pn;
        char giname[80];
        if (c->gpu != x->gpu || (gi >= 0 && c->gi != gi))
            continue;
        int rc = ci_gi_name(x, c, &pn, giname, sizeof(giname));
        if (rc)
            return rc;
        if (strcmp(giname, p->name) != 0)
            continue;
        gi = c->gi;
        if (n == MP_MAX_CI)
            return AT(x, c->at, "more than %d compute-instance profiles",
                      MP_MAX_CI);
        int cs = pn.ci_form ? pn.c : pn.g;
        if (cs < 1 || cs > p->compute_slices ||
            c->total * cs > p->compute_slices)
            return AT(x, c->at, "%s x %d does not fit a %d-slice GPU instance",
                      c->name, c->total, p->compute_slices);
        cis[n++] =
            (mp_ci_profile){p->name, c->id, cs, c->total, c->is_default, NULL};
    }
    if (gi < 0)
        return 0;
    int defaults = 0;
    for (int i = 0; i < n; i++)
        defaults += cis[i].is_default;
    if (defaults != 1)
        return mp_diag_set(
            x->d, MP_ESCHEMA, x->cap->cip[0].at.path, 0, 0,
            "the -lcip table of GPU instance %d marks %d default "
            "profiles with '*', not one",
            gi, defaults);
    mp_ci_profile *v = mp_arena_alloc(x->a, (size_t)n * sizeof(*v));
    if (!v)
        return nomem(x);
    memcpy(v, cis, (size_t)n * sizeof(*v));
    p->cis = v;
    p->n_cis = n;
    *found = true;
    return 0;
}

static const char **src_list(importer *x, bool with_base)
{
    const char **v = mp_arena_alloc(x->a, 2 * sizeof(*v));
    if (v) {
        v[0] = "IMPORT";
        v[1] = with_base ? "SHIPPED" : NULL;
    }
    return v;
}

/* Compute instances the capture does not show: the shipped table of the
 * same profile, else only the full-GI instance. */
static int cis_assumed(importer *x, mp_gi_profile *p)
{
    const mp_gi_profile *bp =
        x->base ? mp_model_profile(x->base, p->name) : NULL;
    char what[160];
    snprintf(what, sizeof(what), "no -lcip of a %s GPU instance was imported",
             p->name);
    int n = bp ? bp->n_cis : 1;
    mp_ci_profile *v = mp_arena_alloc(x->a, (size_t)n * sizeof(*v));
    const char *why =
        bp ? shipped(x, what)
           : mp_arena_printf(x->a,
                             "%s; the full-GI compute instance is "
                             "assumed, its ID unknown",
                             what);
    if (!v || !why)
        return nomem(x);
    if (bp)
        memcpy(v, bp->cis, (size_t)n * sizeof(*v));
    else
        v[0] = (mp_ci_profile){p->name, -1, p->compute_slices, 1, true, NULL};
    for (int i = 0; i < n; i++)
        v[i].inferred = why;
    p->cis = v;
    p->n_cis = n;
    if (bp) {
        p->prov.sources = src_list(x, true);
        p->prov.n_sources = 2;
    }
    return p->prov.sources ? 0 : nomem(x);
}

static int profile_sizes(importer *x, const mp_nvsmi_gip *g, mp_gi_profile *p)
{
    mp_profname pn;
    char why[300], canon[80];
    if (!mp_profname_parse(g->name, strlen(g->name), &pn, why, sizeof(why)))
        return AT(x, g->at, "profile name %s: %s", g->name, why);
    mp_profname_format(&pn, canon, sizeof(canon));
    if (pn.ci_form || strcmp(canon, g->name) != 0)
        return AT(x, g->at, "%s is not a GPU-instance profile name", g->name);
    const mp_nvsmi_gipp *pl = gipp_of(x, x->gpu, g->id);
    if (!pl)
        return AT(x, g->at,
                  "profile %s (ID %d) has no -lgipp line; add the output of "
                  "nvidia-smi mig -lgipp for the same GPU",
                  g->name, g->id);
    int mib;
    if (!mp_gib_to_mib(g->gib, &mib))
        return AT(x, g->at,
                  "memory %s GiB is not a size -lgip prints (two decimals of "
                  "a multiple of 1/16 GiB)",
                  g->gib);
    p->name = mp_arena_strdup(x->a, g->name);
    p->memory_gib = mp_arena_strdup(x->a, g->gib);
    p->id = g->id;
    p->compute_slices = pn.g;
    p->memory_slices = pl->size;
    p->memory_mib = mib;
    p->n_placements = pl->n;
    for (int i = 0; i < pl->n; i++) {
        if (i && pl->starts[i] <= pl->starts[i - 1])
            return AT(x, pl->at, "placement starts must be ascending");
        p->placements[i] = pl->starts[i];
    }
    return p->name && p->memory_gib ? 0 : nomem(x);
}

static int profile(importer *x, const mp_nvsmi_gip *g, mp_gi_profile *p)
{
    int rc = profile_sizes(x, g, p);
    if (rc)
        return rc;
    p->sms = g->eng.sms;
    p->engines[MP_ENG_CE] = g->eng.ce;
    p->engines[MP_ENG_NVDEC] = g->eng.dec;
    p->engines[MP_ENG_NVENC] = g->eng.enc;
    p->engines[MP_ENG_NVJPG] = g->eng.jpeg;
    p->engines[MP_ENG_OFA] = g->eng.ofa;
    p->max_instances = g->total;
    p->prov.sources = src_list(x, false);
    p->prov.n_sources = 1;
    p->prov.derived = mp_arena_alloc(x->a, sizeof(mp_note));
    if (!p->prov.sources || !p->prov.derived)
        return nomem(x);
    p->prov.derived[0] = (mp_note){
        "memory-mib",
        mp_arena_printf(x->a, "-lgip's %s GiB x 1024, on the 1/16 GiB grid",
                        g->gib)};
    p->prov.n_derived = 1;
    if (!p->prov.derived[0].text)
        return nomem(x);
    bool found;
    if ((rc = cis_from_lcip(x, p, &found)) == 0 && !found)
        rc = cis_assumed(x, p);
    return rc;
}

/* Every -lcip row must belong to a profile of the table. */
static int check_lcip(importer *x)
{
    for (int i = 0; i < x->cap->n_cip; i++) {
        const mp_nvsmi_cip *c = &x->cap->cip[i];
        mp_profname pn;
        char giname[80];
        int rc = ci_gi_name(x, c, &pn, giname, sizeof(giname));
        if (rc)
            return rc;
        if (!mp_model_profile(x->m, giname))
            return AT(x, c->at,
                      "compute-instance profile %s belongs to no GPU-instance "
                      "profile of the -lgip table",
                      c->name);
    }
    return 0;
}

/* The GPU's placement units: the span of the profile that takes the whole
 * GPU (the most compute slices, one placement at 0), whose placements every
 * other profile's must then fit in; without such a profile, the furthest
 * end of any placement. */
static int placement_units(importer *x)
{
    mp_model *m = x->m;
    const mp_nvsmi_gipp *full = NULL;
    for (int i = 0; i < x->cap->n_gipp; i++) {
        const mp_nvsmi_gipp *g = &x->cap->gipp[i];
        const mp_gi_profile *p = mp_model_profile_by_id(m, g->id);
        if (g->gpu == x->gpu && p && p->compute_slices == m->compute_slices &&
            g->n == 1 && g->starts[0] == 0 && (!full || g->size > full->size))
            full = g;
    }
    m->units = full ? full->size : 0;
    for (int i = 0; i < x->cap->n_gipp; i++) {
        const mp_nvsmi_gipp *g = &x->cap->gipp[i];
        for (int s = 0; g->gpu == x->gpu && s < g->n; s++) {
            int end = g->starts[s] + g->size;
            if (full && end > full->size)
                return AT(x, g->at,
                          "placement %d:%d of profile ID %d runs past the %d "
                          "placement units of the whole-GPU profile ID %d "
                          "({0}:%d); is this output from one GPU?",
                          g->starts[s], g->size, g->id, full->size, full->id,
                          full->size);
            if (!full && end > m->units)
                m->units = end;
        }
    }
    return 0;
}

static int profiles(importer *x)
{
    mp_model *m = x->m;
    int n = 0;
    for (int i = 0; i < x->cap->n_gip; i++)
        n += x->cap->gip[i].gpu == x->gpu;
    if (n > MP_MAX_PROFILES)
        return AT(x, x->cap->gip[0].at, "more than %d profiles (limit)",
                  MP_MAX_PROFILES);
    mp_gi_profile *ps = mp_arena_alloc(x->a, (size_t)n * sizeof(*ps));
    if (!ps)
        return nomem(x);
    int k = 0;
    for (int i = 0; i < x->cap->n_gip; i++) {
        const mp_nvsmi_gip *g = &x->cap->gip[i];
        if (g->gpu != x->gpu)
            continue;
        int rc = profile(x, g, &ps[k]);
        if (rc)
            return rc;
        for (int j = 0; j < k; j++)
            if (ps[j].id == g->id)
                return AT(x, g->at, "profile ID %d is listed twice", g->id);
        if (ps[k].compute_slices > m->compute_slices)
            m->compute_slices = ps[k].compute_slices;
        k++;
    }
    m->profiles = ps;
    m->n_profiles = k;
    int rc = placement_units(x);
    return rc ? rc : check_lcip(x);
}

/* Largest profile memory: what a missing memory.total is at least. */
static int largest(const mp_model *m)
{
    int mib = 1024;
    for (int i = 0; i < m->n_profiles; i++)
        if (m->profiles[i].memory_mib > mib)
            mib = m->profiles[i].memory_mib;
    return mib;
}

static int finish(importer *x)
{
    mp_model *m = x->m;
    mp_note *v = mp_arena_alloc(x->a, (size_t)(x->n_notes + 1) * sizeof(*v));
    if (!v)
        return nomem(x);
    memcpy(v, x->notes, (size_t)x->n_notes * sizeof(*v));
    m->prov.inferred = v;
    m->prov.n_inferred = x->n_notes;
    m->file = "<import>";
    if (m->units > MP_MAX_UNITS)
        return AT(x, x->cap->gipp[0].at, "more than %d placement units",
                  MP_MAX_UNITS);
    for (int i = 0; i < m->n_profiles; i++)
        if (m->profiles[i].memory_mib > m->memory_mib)
            return AT(x, x->q ? x->q->at : x->cap->gip[0].at,
                      "memory.total %d MiB is less than profile %s's %d MiB",
                      m->memory_mib, m->profiles[i].name,
                      m->profiles[i].memory_mib);
    return 0;
}

int mp_nvsmi_import(const mp_nvsmi_capture *cap, const mp_db *db,
                    const char *gpu, mp_import *out, mp_diag *d)
{
    memset(out, 0, sizeof(*out));
    importer x = {.cap = cap,
                  .db = db,
                  .out = out,
                  .m = &out->model,
                  .a = &out->arena,
                  .d = d};
    if (cap->n_gip == 0 || cap->n_gipp == 0)
        return mp_diag_set(d, MP_EUSAGE, NULL, 0, 0,
                           "the input has no %s; give the output of both "
                           "nvidia-smi mig -lgip and nvidia-smi mig -lgipp",
                           cap->n_gip ? "-lgipp lines" : "-lgip table");
    int rc = pick_gpu(&x);
    if (!rc)
        rc = pick_query(&x);
    if (!rc)
        rc = find_base(&x, gpu);
    if (!rc)
        rc = identity(&x);
    if (!rc)
        rc = sources(&x);
    if (!rc)
        rc = profiles(&x);
    if (!rc)
        rc = whole_gpu(&x, largest(x.m));
    if (!rc)
        rc = finish(&x);
    out->gpu = x.gpu;
    return rc;
}

void mp_import_free(mp_import *imp)
{
    if (imp)
        mp_arena_release(&imp->arena, imp, sizeof(*imp));
}
