/* SPDX-License-Identifier: Apache-2.0 */
/* configmap.c - reading a mig-parted config that may come wrapped in a
 * Kubernetes manifest: each ConfigMap's config.yaml is parsed where it
 * stands, with positions in the manifest. */
#include "migplan/readers/configmap.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "migplan/yaml/ydoc.h"

/* Parse one mig-parted config text found at (dline, dcol) of the input. */
static int add_part(mp_configmap *cm, const char *text, size_t len, int dline,
                    int dcol, mp_findings *f, mp_diag *d)
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
    int first = f->n;
    if (mp_mp_parse(cm->path, text, len, f, &p->file) != 0)
        return mp_diag_set(d, MP_ENOMEM, cm->path, 0, 0, "out of memory");
    mp_findings_shift(f, first, dline, dcol);
    return 0;
}

/* Where a ConfigMap's config.yaml value starts: a block scalar's text
 * starts on the line after its indicator, indented. */
static void embedded_origin(const mp_configmap *cm, const mp_ynode *cfg,
                            int *dline, int *dcol)
{
    const char *ls;
    size_t ll;
    *dline = *dcol = 0;
    if (cfg->plain || !mp_text_line(cm->text, cm->len, cfg->line + 1, &ls, &ll))
        return;
    *dline = cfg->line;
    while (*dcol < (int)ll && ls[*dcol] == ' ')
        (*dcol)++;
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
    const mp_ynode *cfg = mp_ymap_get(data, "config.yaml", NULL);
    if (!cfg || cfg->kind != MP_YNODE_SCALAR) {
        wrong_key(cm, data, f);
        return 0;
    }
    int dline, dcol;
    embedded_origin(cm, cfg, &dline, &dcol);
    (*found)++;
    return add_part(cm, cfg->str, cfg->len, dline, dcol, f, d);
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
 * document) or a plain config. */
static int split(mp_configmap *cm, mp_findings *f, mp_diag *d)
{
    mp_ydoc first;
    mp_diag ignore;
    bool manifest = false;
    if (mp_ydoc_parse(cm->text, cm->len, cm->path, NULL, &first, &ignore) ==
        0) {
        manifest = mp_ymap_get(first.root, "apiVersion", NULL) &&
                   mp_ymap_get(first.root, "kind", NULL);
        mp_ydoc_free(&first);
    }
    if (manifest)
        return read_manifest(cm, f, d);
    return add_part(cm, cm->text, cm->len, 0, 0, f, d);
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
