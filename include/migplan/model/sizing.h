/* SPDX-License-Identifier: Apache-2.0 */
/* sizing.h - tenants sized from measured memory.
 *
 * Input: the rows of `nvidia-smi --query-compute-apps` samples (one row is
 * one process on one GPU at one moment), grouped into snapshots (one report
 * of nvidia-smi). Output: one tenant per process name (or per pid) whose
 * memory is the P-th percentile (nearest rank) of its samples plus a
 * headroom, and whose replica count is the most processes of that name seen
 * in one snapshot. Tenant names are derived from process names so that they
 * are valid request names ([A-Za-z0-9._-]+, at most 63, unique).
 *
 * Percentiles and headrooms are fixed-point: thousandths of a percent
 * (95% = 95000), so that the nearest rank is exact integer arithmetic.
 */
#ifndef MIGPLAN_SIZING_H
#define MIGPLAN_SIZING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "migplan/util/arena.h"
#include "migplan/util/error.h"
#include "migplan/util/intern.h"

#define MP_SIZE_MAX_SAMPLES 2000000  /* rows kept over all files */
#define MP_SIZE_MAX_MIB 1000000000LL /* a sample above this is an error */
#define MP_SIZE_NO_ID ((uint32_t)-1)

/* One process on one GPU in one snapshot. Strings are ids into the sample
 * set's string table; MP_SIZE_NO_ID when the column was not queried. */
typedef struct mp_proc_sample {
    uint32_t process;  /* process_name */
    uint32_t device;   /* gpu_uuid, else gpu_bus_id, gpu_serial, gpu_name */
    uint32_t pid;      /* process ID */
    int32_t used_mib;  /* used_gpu_memory; -1 when nvidia-smi printed [N/A] */
    uint32_t snapshot; /* 0, 1, ... over every file */
    uint32_t file;     /* index into files */
    uint32_t line;     /* 1-based, in that file */
} mp_proc_sample;

typedef struct mp_proc_samples {
    mp_proc_sample *v; /* malloc'd */
    size_t n, cap;
    uint32_t n_snapshots;
    const char **files; /* display paths; both in strings' arena */
    uint32_t n_files;
    int cap_files;
    bool has_names;                 /* every row has a process name */
    bool has_timestamps;            /* every row has a timestamp */
    const char *first_ts, *last_ts; /* earliest and latest, or NULL */
    mp_intern strings;              /* owns names, devices and paths */
} mp_proc_samples;

/* Append a row (the caller has filled every field). Fails with MP_ELIMIT at
 * MP_SIZE_MAX_SAMPLES rows or MP_ENOMEM; d gets file:line. */
int mp_proc_samples_push(mp_proc_samples *s, const mp_proc_sample *row,
                         mp_diag *d);

/* Register a file (its display path) and return its index in *out. */
int mp_proc_samples_file(mp_proc_samples *s, const char *path, uint32_t *out);

/* Release everything; safe on a zeroed set. */
void mp_proc_samples_free(mp_proc_samples *s);

/* ---- percentiles ---- */

/* The nearest rank (1-based) of the p_milli-th percentile of n values:
 * ceil(p/100 * n), at least 1. p_milli is in (0, 100000]. */
size_t mp_nearest_rank(size_t n, int p_milli);

/* The p_milli-th percentile by nearest rank. Sorts v (n >= 1) in place. */
long long mp_percentile_ll(long long *v, size_t n, int p_milli);
double mp_percentile_d(double *v, size_t n, int p_milli);

/* Parse a decimal number with at most three decimals ("95", "99.5") into
 * thousandths, within [min_milli, max_milli]. */
bool mp_parse_milli(const char *s, int min_milli, int max_milli, int *out);

/* mib plus headroom_milli thousandths of a percent, rounded up to a MiB. */
long long mp_add_headroom(long long mib, int headroom_milli);

/* ---- tenant names ---- */

/* A valid tenant name from a process name: the program without arguments
 * (cut at the first " -"), the part after the last '/' or '\', lower case,
 * every run of characters outside [a-z0-9._-] made one '-', leading and
 * trailing '-', '.' and '_' trimmed, at most max_len (<= 63) characters;
 * "process" when nothing is left or the name is bracketed ("[N/A]").
 * buf must hold max_len + 1 bytes. */
void mp_tenant_name_from_process(const char *process, char *buf,
                                 size_t max_len);

/* ---- sizing ---- */

typedef enum mp_size_by {
    MP_SIZE_BY_AUTO, /* by name when every row has one, else by pid */
    MP_SIZE_BY_NAME,
    MP_SIZE_BY_PID
} mp_size_by;

typedef struct mp_size_opts {
    int p_milli;        /* percentile, (0, 100000]; 95000 by default */
    int headroom_milli; /* percent * 1000 added to the percentile */
    mp_size_by by;
} mp_size_opts;

typedef struct mp_sized_tenant {
    const char *name;     /* valid, unique tenant name */
    const char *process;  /* the process name, NULL without names */
    long long pid;        /* by pid: the pid; else 0 */
    long long memory_mib; /* percentile + headroom, at least 1 */
    long long pctl_mib;   /* the percentile itself */
    long long max_mib;
    size_t n_samples;     /* rows with a memory value */
    size_t n_unavailable; /* rows with [N/A] */
    int replicas;         /* most processes of the key in one snapshot */
    int most_devices;     /* most GPUs one of its processes used at once */
} mp_sized_tenant;

typedef struct mp_sizing {
    mp_sized_tenant *t; /* in order of first appearance */
    int n;
    mp_size_by by;  /* what was used (AUTO resolved) */
    mp_arena arena; /* owns t and the names */
} mp_sizing;

/* Size one tenant per process name (or pid). Errors: no rows at all; --by
 * name without a process_name column; a process whose every sample is
 * [N/A] (d names its first row). *out is freed on error. */
int mp_size_tenants(const mp_proc_samples *s, const mp_size_opts *o,
                    mp_sizing *out, mp_diag *d);

void mp_sizing_free(mp_sizing *z);

#endif
