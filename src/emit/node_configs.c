/* SPDX-License-Identifier: Apache-2.0 */
/* node_configs.c - the mig-parted configs of a plan with node pools: one
 * named config per distinct node layout, node-local GPU indices, and the
 * mig-parted file that holds them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migplan/emit/migparted_writer.h"
#include "migplan/readers/migparted_reader.h"

const char mp_all_disabled_body[] = "  - devices: all\n"
                                    "    mig-enabled: false\n";

/* The profile p when every GPU of v holds the most instances of p and
 * nothing else; -1 otherwise. -2 when MIG is disabled on every GPU. */
static int uniform_profile(const mp_plan *v)
{
    bool any_on = false, any_off = false;
    int prof = -1;
    for (int k = 0; k < v->n_gpus; k++) {
        const mp_gpu_layout *l = &v->gpus[k].layout;
        if (!l->mig_enabled) {
            any_off = true;
            continue;
        }
        any_on = true;
        if (l->gis.n == 0)
            return -1;
        int p0 = l->gis.gi[0].profile;
        if (l->gis.n != l->gis.model->profiles[p0].max_instances ||
            (prof >= 0 && prof != p0))
            return -1;
        for (int q = 0; q < l->gis.n; q++)
            if (l->gis.gi[q].profile != p0)
                return -1;
        prof = p0;
    }
    if (!any_on)
        return -2;
    return any_off ? -1 : prof;
}

/* A config's name and body, and the key its equality is judged by. */
static int describe(const mp_plan *v, int prof, mp_buf *body, mp_buf *key)
{
    if (prof == -2) {
        mp_buf_puts(body, mp_all_disabled_body);
        mp_buf_puts(key, mp_all_disabled_body);
        return 0;
    }
    if (prof >= 0) {
        const mp_model *m = v->gpus[0].layout.gis.model;
        mp_buf_puts(body, "  - devices: all\n    mig-enabled: true\n"
                          "    mig-devices:\n      ");
        mp_mp_yaml_scalar(body, m->profiles[prof].name, false);
        mp_buf_printf(body, ": %d\n", m->profiles[prof].max_instances);
        mp_buf_puts(key, mp_buf_str(body));
        return 0;
    }
    int rc = mp_emit_migparted_entries(v, false, true, body);
    return rc ? rc : mp_emit_migparted_entries(v, false, false, key);
}

static int find_or_add(mp_node_configs *c, const char *key, char **keys, int j,
                       bool *added)
{
    for (int i = 0; i < c->n; i++)
        if (strcmp(keys[i], key) == 0) {
            *added = false;
            return i;
        }
    keys[c->n] = strdup(key);
    c->first_node[c->n] = j;
    *added = true;
    return keys[c->n] ? c->n++ : -1;
}

/* Names: all-disabled, all-<profile>, or <base>-<pool>[-k]. */
static int name_config(const mp_plan *p, mp_node_configs *c, int i, int prof,
                       const char *base, mp_diag *d)
{
    char name[300];
    const mp_plan_node *nd = &p->nodes[c->first_node[i]];
    const mp_model *m = p->req->pools[nd->pool].model;
    if (prof == -2)
        snprintf(name, sizeof(name), "all-disabled");
    else if (prof >= 0) {
        /* '+' is no label character: all-1g.10gb+me is written
         * all-1g.10gb.me, as NVIDIA's own config names such layouts */
        snprintf(name, sizeof(name), "all-%s", m->profiles[prof].name);
        for (char *x = strchr(name, '+'); x; x = strchr(x, '+'))
            *x = '.';
    } else {
        int before = 0;
        for (int k = 0; k < i; k++)
            before += p->nodes[c->first_node[k]].pool == nd->pool &&
                      strncmp(c->names[k], "all-", 4) != 0;
        if (before)
            snprintf(name, sizeof(name), "%s-%s-%d", base,
                     p->req->pools[nd->pool].name, before + 1);
        else
            snprintf(name, sizeof(name), "%s-%s", base,
                     p->req->pools[nd->pool].name);
    }
    int rc = mp_config_name_check(name,
                                  "is no Kubernetes label value (at most 63 "
                                  "characters); give a shorter --config-name "
                                  "or pool name",
                                  d);
    if (rc)
        return rc;
    c->names[i] = strdup(name);
    return c->names[i] ? 0
                       : mp_diag_set(d, MP_ENOMEM, NULL, 0, 0, "out of memory");
}

/* Is node j left as it is: planned from node states, unused, and not
 * reset (--reset-unused)? Its label must not change, since MIG Manager
 * applies the config a label change names. */
static bool left_as_is(const mp_plan *p, int j)
{
    return p->own_state && !p->nodes[j].used && !p->reset_unused;
}

static int add_node(const mp_plan *p, int j, const char *base, char **keys,
                    mp_node_configs *c, mp_diag *d)
{
    if (left_as_is(p, j)) {
        c->config_of[j] = -1;
        return 0;
    }
    mp_plan v;
    mp_buf body = MP_BUF_INIT, key = MP_BUF_INIT;
    int rc = mp_plan_node_view(p, j, &v);
    int prof = rc ? -1 : uniform_profile(&v);
    if (!rc)
        rc = describe(&v, prof, &body, &key);
    bool added = false;
    int i = rc ? -1 : find_or_add(c, mp_buf_str(&key), keys, j, &added);
    if (!rc && i < 0)
        rc = MP_ENOMEM;
    if (rc)
        rc = mp_diag_set(d, rc, NULL, 0, 0, "out of memory");
    if (!rc && added) {
        c->bodies[i] = strdup(mp_buf_str(&body));
        if (!c->bodies[i])
            rc = mp_diag_set(d, MP_ENOMEM, NULL, 0, 0, "out of memory");
        if (!rc)
            rc = name_config(p, c, i, prof, base, d);
    }
    if (!rc)
        c->config_of[j] = i;
    free(v.gpus);
    mp_buf_free(&body);
    mp_buf_free(&key);
    return rc;
}

/* Does node a of p come before node b in its pool's order (pool, then
 * number)? Plans list used nodes first; configs are found and named in
 * node order, so that a node's config name does not depend on that. */
static bool node_before(const mp_plan *p, int a, int b)
{
    const mp_plan_node *x = &p->nodes[a], *y = &p->nodes[b];
    return x->pool != y->pool ? x->pool < y->pool : x->k < y->k;
}

int mp_node_configs_build(const mp_plan *p, const char *base,
                          mp_node_configs *out, mp_diag *d)
{
    size_t n = (size_t)(p->n_nodes ? p->n_nodes : 1);
    memset(out, 0, sizeof(*out));
    out->names = calloc(n, sizeof(char *));
    out->bodies = calloc(n, sizeof(char *));
    out->first_node = calloc(n, sizeof(int));
    out->config_of = calloc(n, sizeof(int));
    char **keys = calloc(n, sizeof(char *));
    int *order = malloc(n * sizeof(int));
    int rc = 0;
    if (!out->names || !out->bodies || !out->first_node || !out->config_of ||
        !keys || !order)
        rc = mp_diag_set(d, MP_ENOMEM, NULL, 0, 0, "out of memory");
    for (int j = 0; j < p->n_nodes && !rc; j++) {
        int at = j;
        for (; at > 0 && node_before(p, j, order[at - 1]); at--)
            order[at] = order[at - 1];
        order[at] = j;
    }
    for (int j = 0; j < p->n_nodes && !rc; j++)
        rc = add_node(p, order[j], base, keys, out, d);
    free(order);
    for (size_t k = 0; keys && k < n; k++)
        free(keys[k]);
    free(keys);
    return rc;
}

void mp_node_configs_free(mp_node_configs *c)
{
    if (!c)
        return;
    for (int i = 0; c->names && c->bodies && i < c->n; i++) {
        free(c->names[i]);
        free(c->bodies[i]);
    }
    free(c->names);
    free(c->bodies);
    free(c->first_node);
    free(c->config_of);
    memset(c, 0, sizeof(*c));
}

/* Which nodes take config i, as a comment. */
static void write_takers(const mp_plan *p, const mp_node_configs *c, int i,
                         mp_buf *out)
{
    mp_buf_puts(out, "  # nodes:");
    for (int j = 0; j < p->n_nodes; j++) {
        if (c->config_of[j] != i)
            continue;
        char name[300];
        const mp_plan_node *nd = &p->nodes[j];
        mp_node_pool_node_name(&p->req->pools[nd->pool], nd->k, name,
                               sizeof(name));
        mp_buf_printf(out, " %s", name);
    }
    mp_buf_putc(out, '\n');
}

int mp_emit_nodes_migparted(const mp_plan *p, const char *base, mp_buf *out,
                            mp_diag *d)
{
    mp_node_configs c;
    int rc = mp_node_configs_build(p, base, &c, d);
    if (rc) {
        mp_node_configs_free(&c);
        return rc;
    }
    mp_buf_printf(out, "# mig-parted config written by migplan %s from %s.\n",
                  MIGPLAN_VERSION, p->req->path);
    mp_buf_printf(out,
                  "# %d node%s used%s. One config per node layout; GPU "
                  "indices are the node's own.\n",
                  p->nodes_used, p->nodes_used == 1 ? "" : "s",
                  p->optimal ? " (optimal)" : "");
    mp_buf_puts(out, "# Apply on a node: nvidia-mig-parted apply -f FILE -c "
                     "CONFIG\n");
    mp_buf_puts(out, "version: v1\nmig-configs:\n");
    for (int i = 0; i < c.n; i++) {
        mp_buf_puts(out, "  ");
        mp_mp_yaml_scalar(out, c.names[i], false);
        mp_buf_puts(out, ":\n");
        write_takers(p, &c, i, out);
        mp_buf_puts(out, c.bodies[i]);
    }
    mp_node_configs_free(&c);
    return 0;
}
