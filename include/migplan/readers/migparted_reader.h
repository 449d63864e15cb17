/* SPDX-License-Identifier: Apache-2.0 */
/* migparted_reader.h - mig-parted config files, read exactly as mig-parted
 * reads them, and written the way mig-parted writes them.
 *
 * Reading mirrors mig-parted v0.15's path (go-yaml v2 as YAML 1.1, then
 * JSON, then its hand-written decoders): the same files are accepted and
 * rejected, and every rejection carries mig-parted's own message next to
 * ours. Unlike mig-parted, reading does not stop at the first problem:
 * every one is reported with file:line:col. Semantics beyond the format
 * (profiles per GPU, geometry) are the checker's job (check.h).
 */
#ifndef MIGPLAN_MIGPARTED_READER_H
#define MIGPLAN_MIGPARTED_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "migplan/util/buf.h"
#include "migplan/util/findings.h"
#include "migplan/yaml/ydoc.h"

typedef struct mp_mp_filter {
    const char *text;
    bool valid;      /* parses as mig-parted parses it */
    uint32_t device; /* 0xDDDDVVVV */
    bool has_subsystem;
    uint32_t subsystem; /* 0xSSSSVVVV */
    int line, col;
} mp_mp_filter;

typedef struct mp_mp_device {
    const char *name; /* the key as mig-parted sees it */
    long long count;  /* clamped to [0, LLONG_MAX] */
    bool count_ok;    /* a valid non-negative count */
    int line, col;    /* of the key */
    int vline, vcol;  /* of the value */
} mp_mp_device;

typedef struct mp_mp_entry {
    int line, col;
    bool has_filter; /* a non-empty device-filter */
    mp_mp_filter *filters;
    int n_filters;
    int filter_line, filter_col;
    bool devices_all;
    long long *devices;
    int n_devices;
    int devices_line, devices_col;
    bool mig_enabled;
    bool has_mig_devices; /* present and not null */
    mp_mp_device *devs;   /* after mig-parted's last-wins rule */
    int n_devs;
    int devs_line, devs_col;
    bool ok; /* decoded without errors */
} mp_mp_entry;

typedef struct mp_mp_config {
    const char *name; /* as mig-parted sees it (YAML 1.1 key rules) */
    int line, col;
    mp_mp_entry *entries;
    int n_entries;
} mp_mp_config;

typedef struct mp_mp_file {
    const char *path;
    bool parsed;                /* mig-parted's parser accepts the file */
    bool over_limit;            /* migplan's own input limits stopped the
                                   reading: mig-parted's verdict unknown */
    char migparted_error[1200]; /* mig-parted's message when it does not */
    mp_mp_config *configs;      /* last-wins on duplicate names, file order */
    int n_configs;
    mp_ydoc doc; /* owns every string above */
} mp_mp_file;

/* Parse text as a mig-parted config. Findings (errors where mig-parted
 * rejects the file, warnings for its silent traps) go to f. Returns 0, or
 * MP_ENOMEM; a bad file is reported through f and out->parsed. */
int mp_mp_parse(const char *path, const char *text, size_t len, mp_findings *f,
                mp_mp_file *out);

void mp_mp_free(mp_mp_file *file);

/* The config called name, or NULL. */
const mp_mp_config *mp_mp_find(const mp_mp_file *file, const char *name);

/* Does an entry's device filter match a GPU with this PCI device ID
 * (0xDDDDVVVV) and subsystem (0 when unknown)? No filter matches all. */
bool mp_mp_filter_matches(const mp_mp_entry *e, uint32_t device,
                          uint32_t subsystem);

/* Does an entry select GPU index i ("all" or a listed index)? */
bool mp_mp_selects(const mp_mp_entry *e, int index);

/* Go's strconv.ParseUint(s, 0, 32) as mig-parted applies it to filters. */
bool mp_mp_parse_filter(const char *s, mp_mp_filter *out);

/* ---- writing ---- */

/* yaml.v2's "natural" key order used when mig-parted exports configs:
 * digit runs compare as numbers, so 1g.5gb < 1g.10gb. */
int mp_mp_natural_cmp(const char *a, const char *b);

/* Append s as a YAML scalar the way yaml.v2 would write it: plain, unless
 * it would read back as something else (a number, bool, null, ...), in
 * which case double-quoted. in_flow: inside [...] (where ':' needs quotes). */
void mp_mp_yaml_scalar(mp_buf *out, const char *s, bool in_flow);

#endif
