/* cli_config.c - reading mig-parted config files for `check` and
 * `script`: plain configs and Kubernetes manifests (the GPU Operator's
 * ConfigMap), with findings placed in the file the user gave. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "migplan/check/check.h"
#include "migplan/readers/migparted_reader.h"
#include "migplan/yaml/ydoc.h"

static const cli_input *input_of(const cli_input *in, int n, const char *path)
{
    for (int i = 0; i < n; i++)
        if (in[i].loaded && path && strcmp(in[i].path, path) == 0)
            return &in[i];
    return NULL;
}

/* Where each line of text starts (one pass), so that a report with
 * thousands of findings does not rescan the file for each caret. */
typedef struct line_index {
    const char *text;
    size_t len;
    size_t *start;
    int n;
} line_index;

static bool line_of(line_index *x, int line, const char **s, size_t *n)
{
    if (!x->start) {
        int cap = 1;
        for (size_t i = 0; i < x->len; i++)
            cap += x->text[i] == '\n';
        x->start = malloc((size_t)cap * sizeof(size_t));
        if (!x->start)
            return mp_ydoc_source_line(x->text, x->len, line, s, n);
        x->start[x->n++] = 0;
        for (size_t i = 0; i < x->len; i++)
            if (x->text[i] == '\n')
                x->start[x->n++] = i + 1;
    }
    if (line < 1 || line > x->n)
        return false;
    size_t b = x->start[line - 1], e = b;
    while (e < x->len && x->text[e] != '\n')
        e++;
    if (e > b && x->text[e - 1] == '\r')
        e--;
    *s = x->text + b;
    *n = e - b;
    return true;
}

void cli_text_report(const mp_findings *f, const cli_input *in, int nin,
                     bool verbose, mp_buf *b)
{
    line_index *idx = calloc((size_t)(nin ? nin : 1), sizeof(*idx));
    for (int i = 0; i < f->n; i++) {
        const mp_finding *x = &f->v[i];
        if (x->sev == MP_SEV_NOTE && !verbose)
            continue;
        if (x->file && x->line > 0)
            mp_buf_printf(b, "%s:%d:%d: ", x->file, x->line, x->col);
        else if (x->file)
            mp_buf_printf(b, "%s: ", x->file);
        mp_buf_printf(b, "%s: %s [%s]\n", mp_severity_name(x->sev), x->message,
                      x->code);
        const cli_input *src = input_of(in, nin, x->file);
        if (src && x->line > 0 && x->sev != MP_SEV_NOTE) {
            const char *s;
            size_t n;
            line_index one = {src->text, src->len, NULL, 0};
            line_index *li = idx ? &idx[src - in] : &one;
            li->text = src->text;
            li->len = src->len;
            if (line_of(li, x->line, &s, &n))
                cli_caret_line(b, s, n, x->col);
            free(one.start);
        }
        if (x->migparted && verbose)
            mp_buf_printf(b, "  mig-parted says: %s\n", x->migparted);
    }
    for (int i = 0; idx && i < nin; i++)
        free(idx[i].start);
    free(idx);
}

/* Parse and check one mig-parted config text. Positions of its findings
 * are shifted by (dline, dcol) when it is embedded in a manifest. */
static int check_text(const mp_db *db, cli_input *in, const char *text,
                      size_t len, int dline, int dcol, const mp_check_opts *o,
                      mp_findings *f, mp_check_stats *st)
{
    if (in->nfile == CLI_MAX_EMBEDDED) {
        mp_findings_add(f, MP_SEV_ERROR, "limit", in->path, dline + 1, 1,
                        "more than %d ConfigMaps with a config.yaml in one "
                        "file (limit); split the manifest",
                        CLI_MAX_EMBEDDED);
        return 0;
    }
    mp_mp_file *mf = &in->file[in->nfile++];
    int first = f->n;
    int rc = mp_mp_parse(in->path, text, len, f, mf);
    if (!rc && mp_check_file(db, mf, o, f, st) == MP_ENOMEM)
        rc = MP_ENOMEM;
    for (int i = first; i < f->n && (dline || dcol); i++) {
        if (f->v[i].line <= 0)
            continue;
        f->v[i].line += dline;
        f->v[i].col += dcol;
    }
    return rc;
}

/* A Kubernetes manifest (the GPU Operator's ConfigMap): check the
 * config.yaml held in each ConfigMap, with positions in the manifest. */
static int check_manifest(const mp_db *db, cli_input *in,
                          const mp_check_opts *o, mp_findings *f,
                          mp_check_stats *st)
{
    int found = 0;
    for (int docno = 0;; docno++) {
        mp_ydoc doc;
        mp_diag d;
        if (mp_ydoc_parse_nth(in->text, in->len, in->path, NULL, docno, &doc,
                              &d) != 0)
            break;
        const mp_ynode *kind = mp_ymap_get(doc.root, "kind", NULL);
        const mp_ynode *data = mp_ymap_get(doc.root, "data", NULL);
        if (kind && kind->kind == MP_YNODE_SCALAR &&
            strcmp(kind->str, "ConfigMap") == 0 && data &&
            data->kind == MP_YNODE_MAP) {
            const mp_ynode *cfg = mp_ymap_get(data, "config.yaml", NULL);
            if (cfg && cfg->kind == MP_YNODE_SCALAR) {
                /* a block scalar's text starts on the next line, indented */
                int dline = 0, dcol = 0;
                const char *ls;
                size_t ll;
                if (!cfg->plain &&
                    mp_ydoc_source_line(in->text, in->len, cfg->line + 1, &ls,
                                        &ll)) {
                    dline = cfg->line;
                    while (dcol < (int)ll && ls[dcol] == ' ')
                        dcol++;
                }
                found++;
                int rc = check_text(db, in, cfg->str, cfg->len, dline, dcol, o,
                                    f, st);
                if (rc) {
                    mp_ydoc_free(&doc);
                    return rc;
                }
            } else if (data->nkids > 0 &&
                       mp_ymap_get(data, "config.yaml", NULL) == NULL) {
                bool looks_mig = false;
                for (size_t k = 0; k + 1 < data->nkids; k += 2)
                    looks_mig |=
                        strstr(data->kids[k + 1]->str ? data->kids[k + 1]->str
                                                      : "",
                               "mig-configs") != NULL;
                if (looks_mig)
                    mp_findings_add(f, MP_SEV_ERROR, "configmap-key", in->path,
                                    data->line, data->col,
                                    "this ConfigMap holds a mig-parted config "
                                    "under another key; MIG Manager reads only "
                                    "the key config.yaml");
            }
        }
        mp_ydoc_free(&doc);
    }
    if (!found)
        mp_findings_add(f, MP_SEV_WARNING, "no-config", in->path, 1, 1,
                        "this Kubernetes manifest has no ConfigMap with a "
                        "config.yaml key, so there is no mig-parted config to "
                        "check");
    return 0;
}

int cli_input_check(const mp_db *db, cli_input *in, const mp_check_opts *o,
                    mp_findings *f, mp_check_stats *st)
{
    in->loaded = true;
    mp_ydoc first;
    mp_diag d;
    bool manifest = false;
    if (mp_ydoc_parse(in->text, in->len, in->path, NULL, &first, &d) == 0) {
        manifest = mp_ymap_get(first.root, "apiVersion", NULL) &&
                   mp_ymap_get(first.root, "kind", NULL);
        mp_ydoc_free(&first);
    }
    if (manifest)
        return check_manifest(db, in, o, f, st);
    return check_text(db, in, in->text, in->len, 0, 0, o, f, st);
}

void cli_input_free(cli_input *in)
{
    for (int j = 0; j < in->nfile; j++)
        mp_mp_free(&in->file[j]);
    free(in->text);
    memset(in, 0, sizeof(*in));
}
