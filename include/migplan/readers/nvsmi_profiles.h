/* SPDX-License-Identifier: Apache-2.0 */
/* nvsmi_profiles.h - read what nvidia-smi prints about a GPU's MIG profiles.
 *
 * One capture may hold, in any order and in one file or several:
 *   nvidia-smi mig -lgip                 GPU-instance profiles (table)
 *   nvidia-smi mig -lgipp                their placements (one line each)
 *   nvidia-smi mig -lcip [-gi ID]        compute-instance profiles (table)
 *   nvidia-smi --query-gpu=name,pci.device_id,memory.total,driver_version
 *              --format=csv              the GPU itself (header required)
 * in the table formats of every driver generation (nvsmi_table.h), plus the
 * shell prompt lines that ran them. Every value keeps its file and line.
 * Anything else is an error at its line: a value is never guessed.
 */
#ifndef MIGPLAN_NVSMI_PROFILES_H
#define MIGPLAN_NVSMI_PROFILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "migplan/model/profile_db.h"
#include "migplan/util/arena.h"
#include "migplan/util/error.h"

#define MP_NVSMI_MAX_ROWS 4096 /* rows of each kind per capture */

typedef struct mp_nvsmi_at {
    const char *path;
    int line;
} mp_nvsmi_at;

/* The engine counts of an -lgip or -lcip row. */
typedef struct mp_nvsmi_engines {
    int sms, dec, enc, ce, jpeg, ofa;
} mp_nvsmi_engines;

/* One -lgip row. */
typedef struct mp_nvsmi_gip {
    int gpu, id, free, total;
    char name[40]; /* without "MIG ", e.g. "1g.10gb+me" */
    char gib[16];  /* as printed, e.g. "9.75" */
    bool p2p;
    mp_nvsmi_engines eng;
    mp_nvsmi_at at;
} mp_nvsmi_gip;

/* One -lgipp line. */
typedef struct mp_nvsmi_gipp {
    int gpu, id, size, n;
    int starts[MP_MAX_UNITS];
    mp_nvsmi_at at;
} mp_nvsmi_gipp;

/* One -lcip row. */
typedef struct mp_nvsmi_cip {
    int gpu, gi, id, free, total;
    char name[48];   /* e.g. "1c.3g.40gb" */
    bool is_default; /* the ID was printed with '*' */
    mp_nvsmi_engines eng;
    mp_nvsmi_at at;
} mp_nvsmi_cip;

/* One --query-gpu row; fields the query did not ask for are empty/-1. */
typedef struct mp_nvsmi_query {
    char name[128];
    uint32_t pci_id; /* 0 when not given */
    int memory_mib;  /* memory.total, -1 when not given */
    char driver[32]; /* driver_version, "" when not given */
    mp_nvsmi_at at;
} mp_nvsmi_query;

typedef struct mp_nvsmi_capture {
    mp_arena arena; /* file names and the rows below */
    mp_nvsmi_gip *gip;
    int n_gip;
    mp_nvsmi_gipp *gipp;
    int n_gipp;
    mp_nvsmi_cip *cip;
    int n_cip;
    mp_nvsmi_query *query;
    int n_query;
} mp_nvsmi_capture;

/* Add what text[0..len) holds to cap (zero it before the first call).
 * path names the text in diagnostics. On error d gives the line. */
int mp_nvsmi_read_profiles(mp_nvsmi_capture *cap, const char *text, size_t len,
                           const char *path, mp_diag *d);

void mp_nvsmi_capture_free(mp_nvsmi_capture *cap);

#endif
