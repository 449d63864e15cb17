/* SPDX-License-Identifier: Apache-2.0 */
/* configmap.c - reading a mig-parted config that may come wrapped in a
 * Kubernetes manifest: each ConfigMap's config.yaml is parsed where it
 * stands, with positions in the manifest. */
#include "migplan/readers/configmap.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "migplan/util/arena.h"
#include "migplan/yaml/ydoc.h"

/* Parse one mig-parted config text found at (dline, dcol) of the input,
 * or in the string at cfg (a quoted or plain scalar: in_string). */
static int add_part(mp_configmap *cm, const char *text, size_t len, int dline,
                    int dcol, const mp_ynode *in_string, mp_findings *f,
                    mp_diag *d)
{
    if (cm->n == MP_CONFIGMAP_MAX) {
        mp_findings_add(f, MP_SEV_ERROR, "limit", cm->path, dline + 1, 1,
                        "more than %d ConfigMaps with a config.yaml in one "
                        "file (limit); split the manifest",
                        MP_CONFIGMAP_MAX);
        return 0;
    }
    mp_configmap_part *p = &cm->part[cm->n++];
    p->dline = dline;
    p->dcol = dcol;
    p->in_string = in_string != NULL;
    p->line = in_string ? in_string->line : 0;
    p->col = in_string ? in_string->col : 0;
    p->gpu_operator = text != cm->text; /* embedded, not the whole file */
    int first = f->n;
    if (mp_mp_parse(cm->path, text, len, f, &p->file) != 0 ||
        mp_configmap_place(cm, cm->n - 1, f, first) != 0)
        return mp_diag_set(d, MP_ENOMEM, cm->path, 0, 0, "out of memory");
    return 0;
}

int mp_configmap_place(const mp_configmap *cm, int k, mp_findings *f, int first)
{
    const mp_configmap_part *p = &cm->part[k];
    if (!p->in_string) {
        mp_findings_shift(f, first, p->dline, p->dcol);
        return 0;
    }
    for (int i = first; i < f->n; i++) {
        mp_finding *x = &f->v[i];
        if (x->line <= 0)
            continue;
        x->message = mp_arena_printf(&f->arena,
                                     "%s (line %d, column %d of the "
                                     "config.yaml string)",
                                     x->message, x->line, x->col);
        if (!x->message)
            return MP_ENOMEM;
        x->line = p->line;
        x->col = p->col;
    }
    return 0;
}

/* Where a ConfigMap's config.yaml value starts: a block scalar's text
 * starts on the line after its indicator (| or >), indented. Returns false
 * for a value in a quoted or plain string. */
static bool embedded_origin(const mp_configmap *cm, const mp_ynode *cfg,
                            int *dline, int *dcol)
{
    const char *ls;
    size_t ll;
    *dline = *dcol = 0;
    if (cfg->plain || !mp_text_line(cm->text, cm->len, cfg->line, &ls, &ll) ||
        cfg->col < 1 || (size_t)cfg->col > ll ||
        !strchr("|>", ls[cfg->col - 1]) ||
        !mp_text_line(cm->text, cm->len, cfg->line + 1, &ls, &ll))
        return false;
    *dline = cfg->line;
    while (*dcol < (int)ll && ls[*dcol] == ' ')
        (*dcol)++;
    return true;
}

/* A ConfigMap whose data holds a mig-parted config under another key: MIG
 * Manager would not see it. */
static void wrong_key(const mp_configmap *cm, const mp_ynode *data,
                      mp_findings *f)
{
    if (data->nkids == 0 || mp_ymap_get(data, "config.yaml", NULL))
        return;
    bool looks_mig = false;
    for (size_t k = 0; k + 1 < data->nkids; k += 2) {
        const char *v = data->kids[k + 1]->str;
        looks_mig |= v && strstr(v, "mig-configs") != NULL;
    }
    if (looks_mig)
        mp_findings_add(f, MP_SEV_ERROR, "configmap-key", cm->path, data->line,
                        data->col,
                        "this ConfigMap holds a mig-parted config under "
                        "another key; MIG Manager reads only the key "
                        "config.yaml");
}

/* The config.yaml of a ConfigMap's data (or of the Helm values that make
 * one); *found counts the configs seen. */
static int read_data(mp_configmap *cm, const mp_ynode *data, int *found,
                     mp_findings *f, mp_diag *d)
{
    const mp_ynode *cfg = mp_ymap_get(data, "config.yaml", NULL);
    if (!cfg || cfg->kind != MP_YNODE_SCALAR) {
        wrong_key(cm, data, f);
        return 0;
    }
    int dline, dcol;
    bool block = embedded_origin(cm, cfg, &dline, &dcol);
    (*found)++;
    return add_part(cm, cfg->str, cfg->len, dline, dcol, block ? NULL : cfg, f,
                    d);
}

/* One document of a manifest; *found counts the configs seen. */
static int read_document(mp_configmap *cm, const mp_ynode *root, int *found,
                         mp_findings *f, mp_diag *d)
{
    const mp_ynode *kind = mp_ymap_get(root, "kind", NULL);
    const mp_ynode *data = mp_ymap_get(root, "data", NULL);
    if (!kind || kind->kind != MP_YNODE_SCALAR ||
        strcmp(kind->str, "ConfigMap") != 0 || !data ||
        data->kind != MP_YNODE_MAP)
        return 0;
    return read_data(cm, data, found, f, d);
}

/* GPU Operator Helm values: migManager.config.data is the data of the
 * ConfigMap the chart creates (create: true), read like one. */
static int read_values(mp_configmap *cm, const mp_ynode *mm, mp_findings *f,
                       mp_diag *d)
{
    const mp_ynode *config = mp_ymap_get(mm, "config", NULL);
    const mp_ynode *data = config && config->kind == MP_YNODE_MAP
                               ? mp_ymap_get(config, "data", NULL)
                               : NULL;
    int found = 0, rc = 0;
    if (data && data->kind == MP_YNODE_MAP)
        rc = read_data(cm, data, &found, f, d);
    if (!rc && !found)
        mp_findings_add(f, MP_SEV_WARNING, "no-config", cm->path,
                        data ? data->line : mm->line,
                        data ? data->col : mm->col,
                        "these GPU Operator Helm values give no "
                        "migManager.config.data with a config.yaml key "
                        "(MIG Manager then uses the operator's default "
                        "config), so there is no mig-parted config to check");
    return rc;
}

static int read_manifest(mp_configmap *cm, mp_findings *f, mp_diag *d)
{
    int found = 0, rc = 0;
    for (int docno = 0; !rc; docno++) {
        mp_ydoc doc;
        mp_diag ignore;
        if (mp_ydoc_parse_nth(cm->text, cm->len, cm->path, NULL, docno, &doc,
                              &ignore) != 0)
            break;
        rc = read_document(cm, doc.root, &found, f, d);
        mp_ydoc_free(&doc);
    }
    if (!rc && !found)
        mp_findings_add(f, MP_SEV_WARNING, "no-config", cm->path, 1, 1,
                        "this Kubernetes manifest has no ConfigMap with a "
                        "config.yaml key, so there is no mig-parted config to "
                        "check");
    return rc;
}

/* Split cm->text: a manifest (apiVersion and kind at the top of its first
 * document), GPU Operator Helm values (a migManager map at the top and no
 * mig-configs), or a plain config. */
static int split(mp_configmap *cm, mp_findings *f, mp_diag *d)
{
    mp_ydoc first;
    mp_diag ignore;
    bool manifest = false;
    int rc = -1;
    if (mp_ydoc_parse_nth(cm->text, cm->len, cm->path, NULL, 0, &first,
                          &ignore) == 0) {
        manifest = mp_ymap_get(first.root, "apiVersion", NULL) &&
                   mp_ymap_get(first.root, "kind", NULL);
        const mp_ynode *mm = mp_ymap_get(first.root, "migManager", NULL);
        if (!manifest && mm && mm->kind == MP_YNODE_MAP &&
            !mp_ymap_get(first.root, "mig-configs", NULL))
            rc = read_values(cm, mm, f, d);
        mp_ydoc_free(&first);
    }
    if (rc != -1)
        return rc;
    if (manifest)
        return read_manifest(cm, f, d);
    return add_part(cm, cm->text, cm->len, 0, 0, NULL, f, d);
}

int mp_configmap_load(const char *path, mp_findings *f, mp_configmap *out,
                      mp_diag *d)
{
    memset(out, 0, sizeof(*out));
    out->path = strcmp(path, "-") == 0 ? "<stdin>" : path;
    int rc = mp_read_file(path, mp_ylimits_default.max_bytes, &out->text,
                          &out->len, d);
    if (rc)
        return rc;
    return split(out, f, d);
}

int mp_configmap_parse(const char *path, const char *text, size_t len,
                       mp_findings *f, mp_configmap *out, mp_diag *d)
{
    memset(out, 0, sizeof(*out));
    out->path = path;
    out->text = malloc(len + 1);
    if (!out->text)
        return mp_diag_set(d, MP_ENOMEM, path, 0, 0, "out of memory");
    memcpy(out->text, text, len);
    out->text[len] = '\0';
    out->len = len;
    return split(out, f, d);
}

void mp_configmap_free(mp_configmap *cm)
{
    if (!cm)
        return;
    for (int i = 0; i < cm->n; i++)
        mp_mp_free(&cm->part[i].file);
    free(cm->text);
    memset(cm, 0, sizeof(*cm));
}
