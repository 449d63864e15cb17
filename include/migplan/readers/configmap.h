/* SPDX-License-Identifier: Apache-2.0 */
/* configmap.h - a mig-parted config file as users hand it over: the config
 * itself, or a Kubernetes manifest whose ConfigMaps hold one under the key
 * config.yaml (the GPU Operator's default-mig-parted-config), as MIG
 * Manager reads it, or the GPU Operator's Helm values whose
 * migManager.config.data holds that ConfigMap's data.
 *
 * Each config found is parsed by the mig-parted reader; positions in its
 * findings point into the file the user gave, not into the embedded text.
 * Findings that later stages add about a part (the checker's) are moved the
 * same way with mp_configmap_place.
 */
#ifndef MIGPLAN_CONFIGMAP_H
#define MIGPLAN_CONFIGMAP_H

#include <stdbool.h>
#include <stddef.h>

#include "migplan/readers/migparted_reader.h"
#include "migplan/util/error.h"
#include "migplan/util/findings.h"

/* ConfigMaps with a config.yaml in one file; more are an error finding. */
#define MP_CONFIGMAP_MAX 16

typedef struct mp_configmap_part {
    mp_mp_file file; /* positions relative to the embedded text */
    int dline, dcol; /* add these to reach the input's line and column */
    /* a config.yaml written as a quoted (or plain) string: its escapes and
     * folded lines keep positions inside it from mapping onto the input,
     * so its findings point at the string (line, col of the input) */
    bool in_string;
    int line, col;
    /* held by a ConfigMap or Helm values: read by the GPU Operator's MIG
     * Manager, whose pods request instances by profile name */
    bool gpu_operator;
} mp_configmap_part;

typedef struct mp_configmap {
    const char *path; /* as shown: the path given, or "<stdin>" */
    char *text;       /* the whole input (owned), NULL when unreadable */
    size_t len;
    mp_configmap_part part[MP_CONFIGMAP_MAX]; /* one, or one per ConfigMap */
    int n;
} mp_configmap;

/* Read the file at path ("-" reads standard input) and parse the config it
 * is or holds; reading findings go to f. out->path points to path (or to
 * "<stdin>"), which must outlive out. Returns 0; the code of mp_read_file
 * with d filled when the file cannot be read (out then has a path and no
 * text); or MP_ENOMEM. Free out with mp_configmap_free in every case. */
int mp_configmap_load(const char *path, mp_findings *f, mp_configmap *out,
                      mp_diag *d);

/* The same for text[0..len) already in memory, shown as path; the text is
 * copied. */
int mp_configmap_parse(const char *path, const char *text, size_t len,
                       mp_findings *f, mp_configmap *out, mp_diag *d);

/* Move the findings f->v[first..] about part k of cm (positions in its
 * embedded text) to the input: shifted by (dline, dcol), or, for a config
 * in a quoted string, put at the string with the position inside it added
 * to the message. Returns 0 or MP_ENOMEM. */
int mp_configmap_place(const mp_configmap *cm, int k, mp_findings *f,
                       int first);

/* Free everything out owns; safe on a zeroed or freed value and NULL. */
void mp_configmap_free(mp_configmap *cm);

#endif
