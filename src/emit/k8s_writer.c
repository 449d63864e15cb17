/* SPDX-License-Identifier: Apache-2.0 */
/* k8s_writer.c - a plan with node pools as a manifest for the NVIDIA GPU
 * Operator: what to run (comments) and the ConfigMap MIG Manager reads. */
#include "migplan/emit/k8s_writer.h"

#include <stdio.h>
#include <string.h>

#include "migplan/emit/migparted_writer.h"
#include "migplan/emit/node_changes.h"
#include "migplan/emit/timeslicing.h"
#include "migplan/readers/migparted_reader.h"

void mp_mig_resource_name(const char *profile, char *buf, size_t n)
{
    const char *me = strstr(profile, "+me");
    snprintf(buf, n, "nvidia.com/mig-%.*s",
             me ? (int)(me - profile) : (int)strlen(profile), profile);
    for (char *c = buf; *c; c++)
        if (*c == '+')
            *c = '.';
}

/* The resource of one instance (or whole GPU) of g for tenant t. */
static void resource_of(const mp_plan *p, const mp_plan_gpu *g, int q,
                        char *buf, size_t n, const char **profile, bool *media)
{
    const mp_node_pool *pl = &p->req->pools[g->fleet];
    *profile = NULL;
    if (q < 0 || pl->strategy == MP_STRATEGY_SINGLE) {
        if (q >= 0)
            *profile =
                g->layout.gis.model->profiles[g->layout.gis.gi[q].profile].name;
        snprintf(buf, n, "nvidia.com/gpu");
        return;
    }
    const char *name =
        g->layout.gis.model->profiles[g->layout.gis.gi[q].profile].name;
    *profile = name;
    *media |= strstr(name, "+me") != NULL;
    mp_mig_resource_name(name, buf, n);
}

bool mp_tenant_resource(const mp_plan *p, int t, char *buf, size_t n,
                        const char **profile, bool *media)
{
    char got[96];
    const char *prof;
    bool any = false;
    *media = false;
    *profile = NULL;
    for (int k = 0; k < p->n_gpus; k++) {
        const mp_plan_gpu *g = &p->gpus[k];
        for (int q = -1; q < g->layout.gis.n; q++) {
            if (q < 0 ? g->whole_tenant != t : g->tenant[q] != t)
                continue;
            resource_of(p, g, q, got, sizeof(got), &prof, media);
            if (any && (strcmp(got, buf) != 0 ||
                        (prof && *profile && strcmp(prof, *profile) != 0)))
                return false;
            snprintf(buf, n, "%s", got);
            *profile = prof;
            any = true;
        }
    }
    return any;
}

/* ---------------------------------------------------------- comments */

/* mig.strategy of the pools: "mixed", "single", or NULL when both. */
static const char *cluster_strategy(const mp_request *r)
{
    for (int i = 1; i < r->n_pools; i++)
        if (r->pools[i].strategy != r->pools[0].strategy)
            return NULL;
    return mp_strategy_name(r->pools[0].strategy);
}

static void write_policy(const mp_plan *p, mp_buf *out)
{
    const char *st = cluster_strategy(p->req);
    mp_buf_puts(out, "# 1. Apply this file:   kubectl apply -f FILE\n"
                     "# 2. Point the GPU Operator's ClusterPolicy at it:\n"
                     "#      migManager.config.name: " MP_K8S_CONFIGMAP "\n");
    if (st) {
        mp_buf_printf(out, "#      mig.strategy: %s\n", st);
        mp_buf_printf(out,
                      "#    e.g. kubectl patch clusterpolicies.nvidia.com/"
                      "cluster-policy --type merge -p \\\n"
                      "#      '{\"spec\": {\"mig\": {\"strategy\": \"%s\"}, "
                      "\"migManager\": {\"config\": {\"name\": "
                      "\"" MP_K8S_CONFIGMAP "\"}}}}'\n",
                      st);
    } else {
        mp_buf_puts(out, "#      mig.strategy: the pools use both mixed and "
                         "single; mig.strategy is one\n"
                         "#      cluster-wide setting, so pods of the other "
                         "pools see other resource names\n");
    }
}

static void write_labels(const mp_plan *p, const mp_node_configs *c,
                         mp_buf *out)
{
    mp_buf_puts(out, "# 3. Label each node with its config (MIG Manager "
                     "applies it):\n");
    int kept = 0;
    for (int j = 0; j < p->n_nodes; j++) {
        char name[300];
        const mp_plan_node *nd = &p->nodes[j];
        mp_node_pool_node_name(&p->req->pools[nd->pool], nd->k, name,
                               sizeof(name));
        if (c->config_of[j] < 0) {
            mp_buf_printf(out,
                          "#      %s: unused by this plan, left as it is: "
                          "do not relabel it (a label change makes MIG "
                          "Manager apply the config it names)\n",
                          name);
            kept++;
            continue;
        }
        mp_buf list = MP_BUF_INIT;
        int n = mp_plan_node_cleared(p, j, &list);
        if (n < 0)
            out->failed = true;
        if (n > 0)
            mp_buf_printf(
                out,
                "#      NOT YET %s: labelling it clears %d instance%s "
                "in use (%s); run its change script first (migplan "
                "plan ... --format nvidia-smi --node-name %s), then "
                "label it:\n",
                name, n, n == 1 ? "" : "s", list.data ? list.data : "", name);
        mp_buf_free(&list);
        mp_buf_printf(out,
                      "#      kubectl label node %s nvidia.com/mig.config=%s "
                      "--overwrite\n",
                      name, c->names[c->config_of[j]]);
    }
    if (kept)
        mp_buf_puts(out, "#    A node left as it is keeps its label; if that "
                         "names a config this ConfigMap\n#    lacks, MIG "
                         "Manager's next run fails its first step (assert "
                         "--valid-config)\n#    and changes nothing "
                         "(nvidia.com/mig.config.state=failed).\n");
}

/* The other tenants whose pods request res too, as " a b". With rivals,
 * only those whose device is of another kind than profile prof (a whole
 * GPU when prof is NULL): under nvidia.com/gpu the scheduler cannot tell
 * them apart. */
static void tenants_on(const mp_plan *p, int t, const char *res, bool rivals,
                       const char *prof, mp_buf *out)
{
    for (int u = 0; u < p->req->n_tenants; u++) {
        char other[96];
        const char *op;
        bool media;
        if (u != t &&
            mp_tenant_resource(p, u, other, sizeof(other), &op, &media) &&
            strcmp(other, res) == 0 &&
            (!rivals || !op != !prof || (op && strcmp(op, prof) != 0)))
            mp_buf_printf(out, " %s", p->req->tenants[u].name);
    }
}

/* Under nvidia.com/gpu, whole GPUs and single-strategy instances of every
 * profile look alike to the scheduler: tenant t's pods are kept on the
 * nodes of its configs by a node selector on the config label. */
static void write_selector(const mp_plan *p, const mp_node_configs *c, int t,
                           const char *prof, mp_buf *out)
{
    mp_buf rivals = MP_BUF_INIT, names = MP_BUF_INIT;
    tenants_on(p, t, "nvidia.com/gpu", true, prof, &rivals);
    int n = 0;
    for (int i = 0; i < c->n && rivals.len; i++) {
        bool here = false; /* t on a node of config i */
        for (int k = 0; k < p->n_gpus && !here; k++) {
            const mp_plan_gpu *g = &p->gpus[k];
            if (c->config_of[g->node] != i)
                continue;
            here = g->whole_tenant == t;
            for (int q = 0; q < g->layout.gis.n; q++)
                here |= g->tenant[q] == t;
        }
        if (here)
            mp_buf_printf(&names, "%s%s", n++ ? ", " : "", c->names[i]);
    }
    if (rivals.len)
        mp_buf_printf(
            out,
            "#        note: pods of%s ask for nvidia.com/gpu as another kind "
            "of device;\n#        keep these pods on "
            "their nodes: %s%s%s\n",
            mp_buf_str(&rivals),
            n == 1 ? "nodeSelector: {nvidia.com/mig.config: "
                   : "nodeAffinity: nvidia.com/mig.config In [",
            mp_buf_str(&names), n == 1 ? "}" : "]");
    mp_buf_free(&rivals);
    mp_buf_free(&names);
}

static void write_resources(const mp_plan *p, const mp_node_configs *c,
                            mp_buf *out)
{
    const mp_request *r = p->req;
    mp_buf_puts(out, "# 4. Request each tenant's resource in its pod "
                     "template (one per pod):\n");
    for (int t = 0; t < r->n_tenants; t++) {
        char res[96];
        const char *prof;
        bool media;
        const mp_tenant *tn = &r->tenants[t];
        if (!mp_tenant_resource(p, t, res, sizeof(res), &prof, &media)) {
            mp_buf_printf(out,
                          "#      %s: no one resource (its replicas have "
                          "several profiles; same-profile: true gives one)\n",
                          tn->name);
            continue;
        }
        /* a pod per replica asked (with share:, several pods time-slice
         * one instance); a whole-gpu: N replica asks for N GPUs */
        int pods = mp_tenant_asked_replicas(tn);
        mp_buf_printf(out, "#      %s: resources.limits: {%s: %d}, %d pod%s\n",
                      tn->name, res, mp_tenant_gpus(tn), pods,
                      pods == 1 ? "" : "s");
        if (strcmp(res, "nvidia.com/gpu") == 0)
            write_selector(p, c, t, prof, out);
        if (!media)
            continue;
        mp_buf_printf(out,
                      "#        note: the device plugin advertises %s under "
                      "%s, like the plain\n"
                      "#        profile (k8s-device-plugin #1462): a pod "
                      "cannot ask for the media slice\n"
                      "#        by name and may land on an instance without "
                      "media engines\n",
                      prof, res);
        mp_buf probe = MP_BUF_INIT;
        tenants_on(p, t, res, false, NULL, &probe);
        if (probe.len)
            mp_buf_printf(out, "#        (pods of%s ask for %s too)\n",
                          mp_buf_str(&probe), res);
        mp_buf_free(&probe);
    }
}

/* --------------------------------------------------------- ConfigMap */

/* text with every line indented by ind spaces. */
static void indent(mp_buf *out, const char *text, int ind)
{
    while (*text) {
        const char *nl = strchr(text, '\n');
        size_t len = nl ? (size_t)(nl - text) : strlen(text);
        if (len)
            mp_buf_printf(out, "%*s%.*s", ind, "", (int)len, text);
        mp_buf_putc(out, '\n');
        text += len + (nl != NULL);
    }
}

static void write_configmap(const mp_node_configs *c, mp_buf *out)
{
    mp_buf cfg = MP_BUF_INIT;
    mp_buf_puts(&cfg, "version: v1\nmig-configs:\n");
    bool disabled = false;
    for (int i = 0; i < c->n; i++)
        disabled |= strcmp(c->names[i], "all-disabled") == 0;
    if (!disabled)
        mp_buf_printf(&cfg, "  all-disabled:\n%s", mp_all_disabled_body);
    for (int i = 0; i < c->n; i++) {
        mp_buf_puts(&cfg, "  ");
        mp_mp_yaml_scalar(&cfg, c->names[i], false);
        mp_buf_puts(&cfg, ":\n");
        mp_buf_puts(&cfg, c->bodies[i]);
    }
    mp_buf_puts(out, "apiVersion: v1\n"
                     "kind: ConfigMap\n"
                     "metadata:\n"
                     "  name: " MP_K8S_CONFIGMAP "\n"
                     "  namespace: " MP_K8S_NAMESPACE "\n"
                     "data:\n"
                     "  config.yaml: |\n");
    indent(out, mp_buf_str(&cfg), 4);
    mp_buf_free(&cfg);
}

static bool any_share(const mp_request *r)
{
    for (int t = 0; t < r->n_tenants; t++)
        if (mp_tenant_share(&r->tenants[t]) > 1)
            return true;
    return false;
}

/* The device plugin config class of node j: its strategy and, under
 * single, its profile (-1 for mixed). Nodes of one class share a config. */
static int share_class(const mp_plan *p, int j)
{
    const mp_plan_node *nd = &p->nodes[j];
    return p->req->pools[nd->pool].strategy == MP_STRATEGY_SINGLE ? nd->profile
                                                                  : -1;
}

/* The config key of class c in a manifest with several: "mixed" or
 * "single-<profile>" (the profile of node j). */
static void class_key(const mp_plan *p, int j, char *buf, size_t n)
{
    int c = share_class(p, j);
    if (c < 0) {
        snprintf(buf, n, "mixed");
        return;
    }
    const mp_model *m = p->req->pools[p->nodes[j].pool].model;
    snprintf(buf, n, "single-%s", m->profiles[c].name);
    for (char *x = buf; *x; x++)
        if (*x == '+') /* a ConfigMap key has no '+' */
            *x = '.';
}

/* The config of node j's class (its first node rep) as key: version,
 * strategy and sharing section; nothing when its class shares nothing. */
static int class_config(const mp_plan *p, int rep, const char *key, mp_buf *out,
                        mp_diag *d)
{
    mp_buf body = MP_BUF_INIT;
    int rc = mp_emit_timeslicing_node_sharing(p, rep, 0, &body, d);
    if (!rc && body.len) {
        mp_buf cfg = MP_BUF_INIT;
        mp_buf_printf(&cfg, "version: v1\nflags:\n  migStrategy: %s\n%s",
                      share_class(p, rep) < 0 ? "mixed" : "single",
                      mp_buf_str(&body));
        mp_buf_printf(out, "  %s: |\n", key);
        indent(out, mp_buf_str(&cfg), 4);
        mp_buf_free(&cfg);
    }
    mp_buf_free(&body);
    return rc;
}

/* The first used node of each class into rep; how many classes. */
static int share_classes(const mp_plan *p, int *rep)
{
    int n = 0;
    for (int j = 0; j < p->n_nodes; j++) {
        bool seen = !p->nodes[j].used;
        for (int i = 0; i < n && !seen; i++)
            seen = share_class(p, rep[i]) == share_class(p, j) &&
                   p->nodes[rep[i]].pool == p->nodes[j].pool;
        if (!seen)
            rep[n++] = j;
    }
    return n;
}

/* The labels that pick each node's device plugin config (several keys). */
static void sharing_labels(const mp_plan *p, const int *rep, const bool *has,
                           int n, mp_buf *out)
{
    mp_buf_puts(out, "# Label each node with the config of its strategy (a "
                     "node without the label\n# time-slices nothing):\n");
    for (int j = 0; j < p->n_nodes; j++) {
        int i = 0;
        while (i < n && (p->nodes[rep[i]].pool != p->nodes[j].pool ||
                         share_class(p, rep[i]) != share_class(p, j)))
            i++;
        if (i == n || !has[i] || !p->nodes[j].used)
            continue;
        char name[300], key[128];
        mp_node_pool_node_name(&p->req->pools[p->nodes[j].pool], p->nodes[j].k,
                               name, sizeof(name));
        class_key(p, j, key, sizeof(key));
        mp_buf_printf(out,
                      "#   kubectl label node %s "
                      "nvidia.com/device-plugin.config=%s --overwrite\n",
                      name, key);
    }
}

/* Tenants with share: the device plugin's time-slicing config, as a second
 * document: a ConfigMap the ClusterPolicy's devicePlugin.config names (the
 * GPU Operator's time-slicing setup). Mixed nodes name their devices
 * nvidia.com/mig-<profile>, single nodes nvidia.com/gpu, so nodes of
 * different strategies (or single profiles) get configs of their own,
 * picked by the nvidia.com/device-plugin.config node label; when every
 * used node is of one kind, one config is the default. */
static int write_sharing(const mp_plan *p, mp_buf *out, mp_diag *d)
{
    if (!any_share(p->req))
        return 0;
    int rep[MP_MAX_FLEET * MP_MAX_PROFILES];
    char key[MP_MAX_FLEET * MP_MAX_PROFILES][128];
    bool has[MP_MAX_FLEET * MP_MAX_PROFILES] = {false};
    int n = share_classes(p, rep), rc = 0;
    bool one = true; /* every used node of one kind: one default config */
    for (int i = 0; i < n; i++) {
        class_key(p, rep[i], key[i], sizeof(key[i]));
        one &= strcmp(key[i], key[0]) == 0;
    }
    mp_buf data = MP_BUF_INIT;
    for (int i = 0; i < n && !rc; i++) {
        int first = 0; /* pools of one kind share its config */
        while (strcmp(key[first], key[i]) != 0)
            first++;
        size_t len = data.len;
        if (first == i)
            rc = class_config(p, rep[i], one ? MP_K8S_SHARING_KEY : key[i],
                              &data, d);
        has[i] = first < i ? has[first] : data.len > len;
    }
    if (!rc && data.len) {
        mp_buf_puts(
            out,
            "---\n# Tenants with share: time-slice their "
            "instances. Point the ClusterPolicy at this\n# "
            "ConfigMap: devicePlugin.config.name: " MP_K8S_SHARING_CONFIGMAP);
        if (one)
            mp_buf_puts(out,
                        ",\n# devicePlugin.config.default: " MP_K8S_SHARING_KEY
                        "\n");
        else
            mp_buf_puts(out, "\n");
        if (!one)
            sharing_labels(p, rep, has, n, out);
        mp_buf_puts(out, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n"
                         "  name: " MP_K8S_SHARING_CONFIGMAP "\n"
                         "  namespace: " MP_K8S_NAMESPACE "\n"
                         "data:\n");
        mp_buf_puts(out, mp_buf_str(&data));
    }
    mp_buf_free(&data);
    return rc;
}

int mp_emit_plan_k8s(const mp_plan *p, const char *base, mp_buf *out,
                     mp_diag *d)
{
    const mp_request *r = p->req;
    if (!p->feasible)
        return mp_diag_set(d, MP_EINFEASIBLE, r->path, 0, 0,
                           "no plan, so no manifest: %s", p->reason);
    if (!r->n_pools)
        return mp_diag_set(d, MP_EUSAGE, r->path, 0, 0,
                           "--format k8s needs node pools: describe the "
                           "cluster with nodes: instead of fleet:");
    mp_node_configs c;
    int rc = mp_node_configs_build(p, base, &c, d);
    if (!rc) {
        mp_buf_printf(
            out, "# Written by migplan %s from %s: %d node%s used%s.\n",
            MIGPLAN_VERSION, r->path, p->nodes_used,
            p->nodes_used == 1 ? "" : "s", p->optimal ? " (optimal)" : "");
        write_policy(p, out);
        write_labels(p, &c, out);
        write_resources(p, &c, out);
        write_configmap(&c, out);
        rc = write_sharing(p, out, d);
    }
    mp_node_configs_free(&c);
    return rc;
}
