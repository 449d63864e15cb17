/* SPDX-License-Identifier: Apache-2.0 */
/* warn.c - where a valid plan would still disappoint: a replica left too
 * little spare memory, a media tenant on an instance without a video
 * encoder, a tenant on profile data nobody has confirmed. One warning per
 * tenant and kind, positioned at the tenant in the request. */
#include <stdio.h>
#include <string.h>

#include "migplan/solver/solver.h"

/* Replica labels of a warning, at most LIST_MAX named. */
#define LIST_MAX 6

static double gib(long long mib)
{
    return (double)mib / 1024.0;
}

void mp_plan_unit_label(const mp_tenant *t, int unit, char *buf, size_t n)
{
    int first = mp_tenant_first_replica(t, unit);
    int served = mp_tenant_served(t, unit);
    if (served > 1)
        snprintf(buf, n, "%s#%d-%d", t->name, first, first + served - 1);
    else
        snprintf(buf, n, "%s#%d", t->name, first);
}

long long mp_plan_unit_asked(const mp_tenant *t, int unit)
{
    return mp_tenant_asked_mib(t) * mp_tenant_served(t, unit);
}

/* A growing list of the units a warning names. */
typedef struct names {
    char text[LIST_MAX * 96];
    size_t len;
    int n;
    long long least; /* the least spare among them */
} names;

/* "label on GPU 3 what"; on node plans the node's own index after its
 * name, "label on gpu-node-01 GPU 3 what". */
static void name_unit(names *nm, const mp_plan *p, const mp_tenant *t, int unit,
                      const mp_plan_gpu *g, const char *where)
{
    if (nm->n++ >= LIST_MAX)
        return;
    char label[96], node[80] = "";
    mp_plan_unit_label(t, unit, label, sizeof(label));
    if (p->n_nodes > 0) {
        const mp_plan_node *nd = &p->nodes[g->node];
        mp_node_pool_node_name(&p->req->pools[nd->pool], nd->k, node,
                               sizeof(node) - 1);
        strcat(node, " ");
    }
    int k = snprintf(nm->text + nm->len, sizeof(nm->text) - nm->len,
                     "%s%s on %sGPU %d %s", nm->len ? ", " : "", label, node,
                     p->n_nodes > 0 ? g->node_index : g->index, where);
    if (k > 0 && nm->len + (size_t)k < sizeof(nm->text))
        nm->len += (size_t)k;
}

static void more(const names *nm, char *buf, size_t n)
{
    if (nm->n > LIST_MAX)
        snprintf(buf, n, " and %d more", nm->n - LIST_MAX);
    else
        buf[0] = '\0';
}

/* Units of tenant t whose instance (or whole GPU) leaves less than the
 * request's min-spare beyond the memory its replicas ask. */
static void spare_warning(const mp_plan *p, const mp_plan_units *u, int t,
                          mp_findings *out)
{
    const mp_request *r = p->req;
    const mp_tenant *tn = &r->tenants[t];
    if (r->min_spare_mib <= 0 || mp_tenant_asked_mib(tn) <= 0)
        return;
    names nm = {.least = -1};
    for (int i = u->start[t]; i < u->start[t + 1]; i++) {
        const mp_plan_gpu *g = &p->gpus[u->gpu[i]];
        const mp_model *m = g->layout.gis.model;
        int q = u->gi[i];
        if (q < 0) {
            long long s = m->memory_mib - mp_tenant_asked_mib(tn);
            if (s >= r->min_spare_mib)
                continue;
            nm.least = nm.least < 0 || s < nm.least ? s : nm.least;
            name_unit(&nm, p, tn, g->whole_replica, g, "(whole)");
            continue;
        }
        const mp_gi_profile *pr = &m->profiles[g->layout.gis.gi[q].profile];
        long long s = pr->memory_mib - mp_plan_unit_asked(tn, g->replica[q]);
        if (s >= r->min_spare_mib)
            continue;
        nm.least = nm.least < 0 || s < nm.least ? s : nm.least;
        name_unit(&nm, p, tn, g->replica[q], g, pr->name);
    }
    if (!nm.n)
        return;
    char tail[32];
    more(&nm, tail, sizeof(tail));
    mp_findings_add(out, MP_SEV_WARNING, "little-spare", r->path, tn->line,
                    tn->col,
                    "%s%s leave%s as little as %.2f GiB spare, less than "
                    "min-spare %.2f GiB: raise %s's memory or headroom, or "
                    "lower min-spare",
                    nm.text, tail, nm.n == 1 ? "s" : "", gib(nm.least),
                    gib(r->min_spare_mib), tn->name);
}

/* The distinct models and profiles of the units a warning is about. */
typedef struct kinds {
    const mp_model *m[LIST_MAX];
    const mp_gi_profile *pr[LIST_MAX]; /* NULL: a whole GPU */
    int n, units;
} kinds;

static void add_kind(kinds *k, const mp_model *m, const mp_gi_profile *pr)
{
    k->units++;
    for (int i = 0; i < k->n; i++)
        if (k->m[i] == m && k->pr[i] == pr)
            return;
    if (k->n < LIST_MAX) {
        k->m[k->n] = m;
        k->pr[k->n++] = pr;
    }
}

/* "3 instances (1g.10gb+me of h100-sxm5-80gb, Hopper)" */
static void describe(const kinds *k, const char *unit, char *buf, size_t n)
{
    size_t len = 0;
    int w =
        snprintf(buf, n, "%d %s%s (", k->units, unit, k->units == 1 ? "" : "s");
    for (int i = 0; i < k->n && w > 0 && (len += (size_t)w) < n; i++) {
        const char *arch = k->m[i]->architecture;
        w = snprintf(buf + len, n - len, "%s%s%s%s%s%s", i ? "; " : "",
                     k->pr[i] ? k->pr[i]->name : "whole",
                     k->pr[i] ? " of " : " ", k->m[i]->id, arch ? ", " : "",
                     arch ? arch : "");
    }
    if (len < n && w > 0 && len + (size_t)w < n)
        snprintf(buf + len + (size_t)w, n - len - (size_t)w, ")");
}

/* A media tenant that did not ask for an encoder, on instances without
 * one: decoding works there, encoding (half of a transcode) cannot. */
static void nvenc_warning(const mp_plan *p, const mp_plan_units *u, int t,
                          mp_findings *out)
{
    const mp_request *r = p->req;
    const mp_tenant *tn = &r->tenants[t];
    if (!tn->media || tn->engines[MP_ENG_NVENC] > 0)
        return;
    kinds k = {0};
    for (int i = u->start[t]; i < u->start[t + 1]; i++) {
        const mp_layout *l = &p->gpus[u->gpu[i]].layout.gis;
        if (u->gi[i] < 0)
            continue;
        const mp_gi_profile *pr = &l->model->profiles[l->gi[u->gi[i]].profile];
        if (pr->engines[MP_ENG_NVENC] < 1)
            add_kind(&k, l->model, pr);
    }
    if (!k.units)
        return;
    char what[512];
    describe(&k, "instance", what, sizeof(what));
    mp_findings_add(out, MP_SEV_WARNING, "no-nvenc", r->path, tn->line, tn->col,
                    "media tenant %s: its %s ha%s no NVENC: video decode "
                    "works there, encode (the encode half of a transcode) "
                    "cannot; if %s encodes, add engines: {nvenc: 1}",
                    tn->name, what, k.units == 1 ? "s" : "ve", tn->name);
}

/* The first inferred value of profile pr (or of model m for a whole GPU);
 * NULL when every value is confirmed or derived. */
static const mp_note *first_inferred(const mp_model *m, const mp_gi_profile *pr)
{
    const mp_provenance *pv = pr ? &pr->prov : &m->prov;
    return pv->n_inferred ? &pv->inferred[0] : NULL;
}

/* A tenant on an instance (or whole GPU) whose profile data is inferred:
 * the plan may not hold on real hardware. */
static void inferred_warning(const mp_plan *p, const mp_plan_units *u, int t,
                             mp_findings *out)
{
    const mp_request *r = p->req;
    const mp_tenant *tn = &r->tenants[t];
    kinds k = {0};
    const mp_note *note = NULL;
    for (int i = u->start[t]; i < u->start[t + 1]; i++) {
        const mp_plan_gpu *pg = &p->gpus[u->gpu[i]];
        const mp_model *m = pg->layout.gis.model;
        int q = u->gi[i];
        const mp_gi_profile *pr =
            q < 0 ? NULL : &m->profiles[pg->layout.gis.gi[q].profile];
        const mp_note *w = first_inferred(m, pr);
        if (w)
            add_kind(&k, m, pr);
        note = note ? note : w;
    }
    if (!k.units)
        return;
    char what[512];
    describe(&k, tn->whole_gpu ? "GPU" : "instance", what, sizeof(what));
    mp_findings_add(out, MP_SEV_WARNING, "inferred-profile", r->path, tn->line,
                    tn->col,
                    "%s is placed on inferred profile data: %s; %s "
                    "inferred: %s; confirm it on the GPU (`migplan "
                    "import-profiles` reads nvidia-smi mig -lgip and -lgipp)",
                    tn->name, what, note->field, note->text);
}

/* Boards whose GPUs NVLink does not join all to all, so the GPUs of a
 * tensor-parallel replica (whole-gpu: N) talk over PCIe past `linked`
 * GPUs. Boards not listed are taken as NVLink-joined: SXM and superchip
 * parts (NVSwitch on HGX/DGX baseboards) and the A100 entries, whose
 * model covers both the SXM4 and PCIe cards. The sources are third-party
 * pages quoting NVIDIA's figures, not NVIDIA datasheets. */
static const struct nvlink_fact {
    const char *model, *links, *source;
    int linked;
} nvlink_facts[] = {
    {"h100-nvl-94gb", "joins GPUs in pairs (600 GB/s between paired cards)",
     "https://www.server-parts.eu/post/nvidia-h100-pcie-vs-sxm5-gpu-"
     "comparison",
     2},
    {"h100-pcie-80gb",
     "joins GPUs at most in pairs, through an optional bridge",
     "https://www.server-parts.eu/post/nvidia-h100-pcie-vs-sxm5-gpu-"
     "comparison",
     2},
    {"h200-nvl-141gb", "joins GPUs in groups of up to four, through bridges",
     "https://gixtools.net/2024/11/nvidia-hpc-ai-chip-is-actually-six-chips",
     4},
    {"rtx-pro-6000-96gb", "is absent (the card has none)",
     "https://mantravid.com/blog/nvlink-vs-pcie-analysis", 1},
};

/* A tensor-parallel tenant (whole-gpu: N, N > 1, which trains or serves
 * across GPUs) on a board whose NVLink joins fewer than N GPUs: the
 * replica's traffic crosses PCIe, which training across GPUs is too slow
 * on. */
static void nvlink_warning(const mp_plan *p, int t, mp_findings *out)
{
    const mp_request *r = p->req;
    const mp_tenant *tn = &r->tenants[t];
    int n = mp_tenant_gpus(tn);
    for (size_t f = 0; tn->whole_gpu && n > 1 &&
                       f < sizeof(nvlink_facts) / sizeof(nvlink_facts[0]);
         f++) {
        const struct nvlink_fact *nf = &nvlink_facts[f];
        bool on = false;
        for (int g = 0; g < p->n_gpus && !on; g++)
            on = p->gpus[g].whole_tenant == t &&
                 strcmp(p->gpus[g].layout.gis.model->id, nf->model) == 0;
        if (!on || n <= nf->linked)
            continue;
        mp_findings_add(out, MP_SEV_WARNING, "no-nvlink", r->path, tn->line,
                        tn->col,
                        "tensor-parallel tenant %s (whole-gpu: %d) is on %s, "
                        "where NVLink %s: the traffic between a "
                        "replica's %d GPUs crosses PCIe, too slow for training "
                        "across GPUs; restrict it with models: to an SXM "
                        "board (NVLink through NVSwitch) (source: %s)",
                        tn->name, n, nf->model, nf->links, n, nf->source);
        return;
    }
}

int mp_plan_warn(const mp_plan *p, mp_findings *out)
{
    if (!p->feasible)
        return 0;
    mp_plan_units u;
    if (mp_plan_units_build(p, &u))
        return MP_ENOMEM;
    for (int t = 0; t < p->req->n_tenants; t++) {
        spare_warning(p, &u, t, out);
        nvenc_warning(p, &u, t, out);
        inferred_warning(p, &u, t, out);
        nvlink_warning(p, t, out);
    }
    mp_plan_units_free(&u);
    return out->oom ? MP_ENOMEM : 0;
}
