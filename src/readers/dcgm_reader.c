/* SPDX-License-Identifier: Apache-2.0 */
/* dcgm_reader.c - MIG instance samples out of dcgm-exporter metrics. */
#include "migplan/readers/dcgm_reader.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lines.h"
#include "migplan/model/gpu_layout.h"
#include "migplan/model/sizing.h"
#include "migplan/readers/prom_reader.h"

#define FB_USED "DCGM_FI_DEV_FB_USED"
#define GR_ACTIVE "DCGM_FI_PROF_GR_ENGINE_ACTIVE"

/* dcgm_structs.h: DCGM_INT64_BLANK 0x7ffffffffffffff0 and DCGM_FP64_BLANK
 * 2^47, each followed by 15 more "no data" codes. */
#define INT64_BLANK 9223372036854775792.0
#define FP64_BLANK 140737488355328.0

typedef struct dctx {
    const mp_db *db;
    mp_slice_set *set;
    const char *path;
} dctx;

/* The first of the labels that is present and not empty, else "". */
static const char *label(const mp_prom_sample *s, const char *a, const char *b,
                         const char *c)
{
    const char *names[3] = {a, b, c};
    for (int i = 0; i < 3; i++) {
        const char *v = names[i] ? mp_prom_label_value(s, names[i]) : NULL;
        if (v && *v)
            return v;
    }
    return "";
}

static int intern(mp_slice_set *set, const char *v, const char **out)
{
    size_t id;
    return mp_intern_add(&set->strings, v, strlen(v), &id, out);
}

/* The 1-based column of label name in s, or 1. */
static int label_col(const mp_prom_sample *s, const char *name)
{
    for (int i = 0; i < s->n_labels; i++)
        if (strcmp(s->labels[i].name, name) == 0)
            return s->labels[i].col;
    return 1;
}

/* Fill a new slice's labels and resolve its model and profile. A modelName
 * the database does not know leaves both unknown; a GPU_I_PROFILE that a
 * known model does not have is an error at its label. */
static int new_slice(dctx *c, mp_slice_obs *o, const mp_prom_sample *s,
                     const char *const lv[8], mp_diag *d)
{
    const char **dst[8] = {&o->host,      &o->gpu, &o->gi_id, &o->profile,
                           &o->container, &o->pod, &o->ns,    &o->model_name};
    for (int i = 0; i < 8; i++)
        if (intern(c->set, lv[i], dst[i]))
            return mp_diag_set(d, MP_ENOMEM, c->path, s->line, 1,
                               "out of memory");
    o->file = c->path;
    o->line = s->line;
    o->model = NULL;
    o->gi = NULL;
    if (!o->model_name[0])
        return 0;
    /* an unknown model leaves the slice size unknown (the advice says so) */
    if (mp_db_find(c->db, o->model_name, &o->model, NULL)) {
        o->model = NULL;
        return 0;
    }
    int ci;
    char whyp[400];
    if (!mp_gpu_layout_resolve_name(o->model, o->profile, &o->gi, &ci, whyp,
                                    sizeof(whyp)))
        return mp_diag_set(d, MP_ESCHEMA, c->path, s->line,
                           label_col(s, "GPU_I_PROFILE"), "GPU_I_PROFILE: %s",
                           whyp);
    return 0;
}

static int check_value(const mp_prom_sample *s, bool fb, const char *path,
                       mp_diag *d, bool *blank)
{
    double v = s->value;
    *blank =
        fb ? v >= INT64_BLANK : (v >= FP64_BLANK && v <= FP64_BLANK + 15.0);
    if (*blank)
        return 0;
    if (fb && !(v >= 0 && v <= (double)MP_SIZE_MAX_MIB))
        return mp_diag_set(d, MP_ESCHEMA, path, s->line, s->value_col,
                           FB_USED " is MiB from 0 to %lld, not '%s'",
                           MP_SIZE_MAX_MIB, s->value_text);
    if (!fb && !(v >= 0 && v <= 1))
        return mp_diag_set(d, MP_ESCHEMA, path, s->line, s->value_col,
                           GR_ACTIVE " is a ratio from 0 to 1, not '%s'",
                           s->value_text);
    return 0;
}

/* The slice a MIG sample belongs to, by its labels (host, GPU, instance,
 * workload): its index in c->set into *out, added on first sight. */
static int find_slice(dctx *c, const mp_prom_sample *s, const char *prof,
                      const char *gi, const char *path, mp_diag *d, size_t *out)
{
    const char *lv[8] = {
        label(s, "Hostname", NULL, NULL),
        label(s, "gpu", NULL, NULL),
        gi,
        prof,
        label(s, "exported_container", "container", "container_name"),
        label(s, "exported_pod", "pod", "pod_name"),
        label(s, "exported_namespace", "namespace", "pod_namespace"),
        label(s, "modelName", NULL, NULL),
    };
    const char *uuid = label(s, "UUID", NULL, NULL);
    if (!lv[1][0])
        lv[1] = uuid;
    char key[MP_LINE_MAX + 64];
    int kl =
        snprintf(key, sizeof(key), "%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s",
                 lv[0], uuid, lv[1], lv[2], lv[4], lv[5], lv[6]);
    if (kl < 0 || (size_t)kl >= sizeof(key))
        kl = (int)sizeof(key) - 1;
    bool is_new;
    if (mp_slice_set_get(c->set, key, (size_t)kl, out, &is_new))
        return mp_diag_set(d, MP_ENOMEM, path, s->line, 1, "out of memory");
    if (is_new)
        return new_slice(c, &c->set->v[*out], s, lv, d);
    return 0;
}

/* Record sample s of slice i: the time range of the input, then its value
 * unless it repeats a sample already seen or is DCGM's "no data". */
static int add_value(dctx *c, const mp_prom_sample *s, bool fb, bool blank,
                     size_t i, const char *path, mp_diag *d)
{
    mp_slice_set *set = c->set;
    if (s->has_ts) {
        if (!set->has_ts || s->ts_ms < set->ts_min)
            set->ts_min = s->ts_ms;
        if (!set->has_ts || s->ts_ms > set->ts_max)
            set->ts_max = s->ts_ms;
        set->has_ts = true;
    }
    bool dup = false;
    int rc =
        s->has_ts ? mp_slice_seen(set, i, fb, s->ts_ms, s->value, &dup) : 0;
    if (rc == MP_ESCHEMA)
        return mp_diag_set(d, rc, path, s->line, s->value_col,
                           "%s holds another value for this instance at the "
                           "same time earlier in the input; a series has one "
                           "value per timestamp",
                           s->name);
    if (rc)
        return mp_diag_set(d, MP_ENOMEM, path, s->line, 1, "out of memory");
    if (dup)
        return 0;
    if (blank) {
        set->n_blank++;
        return 0;
    }
    rc = fb ? mp_slice_add_fb(set, i, (long long)ceil(s->value))
            : mp_slice_add_active(set, i, s->value);
    if (rc == MP_ELIMIT)
        return mp_diag_set(d, MP_ELIMIT, path, s->line, 1,
                           "more than %d samples (limit); give fewer scrapes",
                           MP_ADVICE_MAX_SAMPLES);
    if (rc)
        return mp_diag_set(d, MP_ENOMEM, path, s->line, 1, "out of memory");
    return 0;
}

static int on_sample(void *ctx, const char *path, const mp_prom_sample *s,
                     mp_diag *d)
{
    dctx *c = ctx;
    bool fb = strcmp(s->name, FB_USED) == 0;
    if (!fb && strcmp(s->name, GR_ACTIVE) != 0)
        return 0;
    const char *prof = mp_prom_label_value(s, "GPU_I_PROFILE");
    const char *gi = mp_prom_label_value(s, "GPU_I_ID");
    if (!prof && !gi) {
        c->set->n_whole++;
        return 0;
    }
    if (!prof || !gi || !*prof || !*gi)
        return mp_diag_set(d, MP_ESCHEMA, path, s->line, 1,
                           "a MIG instance needs both GPU_I_PROFILE and "
                           "GPU_I_ID labels with values; this sample has %s",
                           prof && *prof ? "no GPU_I_ID" : "no GPU_I_PROFILE");
    if (s->has_ts && s->ts_ms < 0)
        return mp_diag_set(d, MP_ESCHEMA, path, s->line, s->ts_col,
                           "the timestamp %lld is before 1970; dcgm-exporter "
                           "writes milliseconds since 1970-01-01 UTC",
                           s->ts_ms);
    bool blank;
    size_t i = 0;
    int rc = check_value(s, fb, path, d, &blank);
    if (!rc)
        rc = find_slice(c, s, prof, gi, path, d, &i);
    if (rc)
        return rc;
    const mp_slice_obs *o = &c->set->v[i];
    if (fb && !blank && o->gi && s->value > o->gi->memory_mib)
        return mp_diag_set(
            d, MP_ESCHEMA, path, s->line, s->value_col,
            FB_USED " %s MiB is more than the %d MiB of a %s "
                    "instance on %s; check the GPU_I_PROFILE and "
                    "modelName labels of this sample",
            s->value_text, o->gi->memory_mib, o->profile, o->model_name);
    return add_value(c, s, fb, blank, i, path, d);
}

int mp_dcgm_parse(const mp_db *db, const char *text, size_t len,
                  const char *path, mp_slice_set *set, mp_diag *d)
{
    dctx c = {db, set, NULL};
    if (intern(set, path, &c.path))
        return mp_diag_set(d, MP_ENOMEM, path, 0, 0, "out of memory");
    set->n_files++;
    return mp_prom_parse(text, len, path, on_sample, &c, d);
}
