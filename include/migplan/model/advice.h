/* SPDX-License-Identifier: Apache-2.0 */
/* advice.h - advice from DCGM metrics per MIG instance: the decision walk
 * platform teams do by hand after a day of measurements.
 *
 * Input: per MIG instance and occupant (a "slice"), the samples of
 * DCGM_FI_PROF_GR_ENGINE_ACTIVE (ratio 0..1) and DCGM_FI_DEV_FB_USED (MiB),
 * and the tenants of a request. Each slice is matched to a tenant by its
 * container name, else by its pod name without the replica suffix. Rules,
 * thresholds as options:
 *
 *   busy   the median engine activity of a slice is above `busy` (0.85):
 *          the tenant gets the next larger compute size of the slice's GPU
 *          model (2g -> 3g) or one more replica (see mp_busy_action);
 *   memory the P-th percentile (95) of FB_USED plus the headroom is more
 *          than the tenant asks: memory is raised to it; it is less, and a
 *          smaller memory size of the model (among the profiles with the
 *          tenant's compute) would then do: memory is lowered to it;
 *   share  every slice of a tenant with two or more replicas is a 1g slice
 *          that is not busy and whose P-th percentile is under `share_below`
 *          (0.50) of the slice's memory: two replicas can time-slice one
 *          instance (share: 2), memory is set to the measured need.
 */
#ifndef MIGPLAN_ADVICE_H
#define MIGPLAN_ADVICE_H

#include <stdbool.h>
#include <stddef.h>

#include "migplan/model/profile_db.h"
#include "migplan/util/arena.h"
#include "migplan/util/error.h"
#include "migplan/util/intern.h"

#define MP_ADVICE_MAX_SAMPLES 2000000 /* values kept over all files */

/* One occupant of one MIG instance as DCGM saw it. Strings are "" when
 * the label was absent. */
typedef struct mp_slice_obs {
    const char *host;       /* Hostname */
    const char *gpu;        /* gpu (the index), else UUID */
    const char *gi_id;      /* GPU_I_ID */
    const char *profile;    /* GPU_I_PROFILE */
    const char *model_name; /* modelName */
    const char *container, *pod, *ns;
    const mp_model *model;   /* from modelName; NULL when unknown */
    const mp_gi_profile *gi; /* profile of model; NULL when unknown */
    double *active;          /* DCGM_FI_PROF_GR_ENGINE_ACTIVE; malloc'd */
    size_t n_active, cap_active;
    long long *fb_mib; /* DCGM_FI_DEV_FB_USED; malloc'd */
    size_t n_fb, cap_fb;
    const char *file; /* where it was first seen */
    int line;
} mp_slice_obs;

typedef struct mp_slice_set {
    mp_slice_obs *v;
    size_t n, cap;
    size_t n_samples;         /* values kept */
    size_t n_blank;           /* DCGM blank values (no data) skipped */
    size_t n_whole;           /* samples of GPUs without MIG, not used */
    size_t n_duplicate;       /* repeats of a (slice, metric, time) dropped */
    long long ts_min, ts_max; /* ms since the epoch, when has_ts */
    bool has_ts;
    int n_files;
    mp_intern keys;     /* slice keys; key id == slice index */
    mp_intern strings;  /* label values */
    mp_intern seen;     /* (slice, metric, timestamp) of timestamped samples */
    double *seen_value; /* seen_value[id]: the value first seen */
    size_t seen_cap;
} mp_slice_set;

/* The slice for key[0..len) (the caller builds a key that identifies the
 * instance and its occupant); *is_new says whether it was just added, and
 * then the caller fills its labels. Returns 0 or MP_ENOMEM. */
int mp_slice_set_get(mp_slice_set *s, const char *key, size_t len,
                     size_t *index, bool *is_new);

/* Has slice i a sample of the same metric (fb: FB_USED, else engine
 * activity) at ts_ms already? Then *dup is set and, when its value differs
 * from value, MP_ESCHEMA is returned (a series cannot hold two values at
 * one time); otherwise the sample is remembered. Samples without a
 * timestamp are never duplicates. Returns 0, MP_ESCHEMA or MP_ENOMEM. */
int mp_slice_seen(mp_slice_set *s, size_t i, bool fb, long long ts_ms,
                  double value, bool *dup);

/* Add a sample to slice i. MP_ELIMIT past MP_ADVICE_MAX_SAMPLES values,
 * MP_ENOMEM; the caller positions the diagnostic. */
int mp_slice_add_active(mp_slice_set *s, size_t i, double ratio);
int mp_slice_add_fb(mp_slice_set *s, size_t i, long long mib);

void mp_slice_set_free(mp_slice_set *s);

/* ---- matching slices to tenants ---- */

/* Is pod a replica of a workload called name: name itself, or name plus a
 * Kubernetes replica suffix (-0 of a StatefulSet, -x7k2q of a ReplicaSet,
 * DaemonSet or Job, -7d9f8b6c5d-x7k2q of a Deployment)? */
bool mp_pod_is_replica_of(const char *pod, const char *name);

/* What advice needs of a request's tenant. */
typedef struct mp_advice_tenant {
    const char *name;
    long long memory_mib; /* asked */
    int compute;          /* compute slices asked */
    int replicas;
    bool whole_gpu;
    int share; /* > 1: replicas time-slice its instances; not judged, since
                  an instance's metrics are of its replicas together */
} mp_advice_tenant;

/* The tenant a slice belongs to: the tenant named like its container, else
 * the longest tenant name its pod is a replica of; -1 when none. */
int mp_advice_match(const mp_slice_obs *o, const mp_advice_tenant *t, int nt,
                    bool *by_container);

/* ---- the rules ---- */

typedef enum mp_busy_action {
    MP_BUSY_AUTO,   /* one more replica when there are two or more, else grow */
    MP_BUSY_GROW,   /* the next larger compute size (a replica at the top) */
    MP_BUSY_REPLICA /* one more replica */
} mp_busy_action;

typedef struct mp_advice_opts {
    double busy;        /* median engine activity above this is busy */
    double share_below; /* share a 1g slice under this share of its memory;
                           0 gives no share advice */
    int p_milli;        /* memory percentile, thousandths of a percent */
    int headroom_milli; /* percent * 1000 added to the percentile */
    mp_busy_action busy_action;
} mp_advice_opts;

/* Statistics of one slice. */
typedef struct mp_slice_eval {
    int tenant; /* -1: no tenant matches */
    bool by_container;
    bool has_active;
    double median_active; /* nearest-rank median */
    bool busy;
    bool has_fb;
    long long p_fb, max_fb; /* MiB */
    long long slice_mib;    /* the profile's memory; 0 when unknown */
    bool low_memory;        /* 1g, not busy, p_fb under share_below */
} mp_slice_eval;

typedef enum mp_mem_change {
    MP_MEM_KEEP,
    MP_MEM_RAISE, /* uses more than asked */
    MP_MEM_LOWER, /* a smaller memory size would do */
    MP_MEM_SHARE  /* the measured need, so two replicas fit one instance */
} mp_mem_change;

typedef struct mp_tenant_advice {
    int n_slices, n_busy, n_low; /* its slices, busy ones, low ones */
    int busiest;                 /* slice index with the highest median, -1 */
    int fullest;                 /* slice index with the highest p_fb, -1 */
    long long need_mib; /* p_fb of fullest + headroom; 0 without samples */
    int compute;        /* new compute slices; 0: unchanged */
    bool at_top;        /* busy but no larger compute size: a replica instead */
    int replicas;       /* new replica count; 0: unchanged */
    mp_mem_change mem;
    long long memory_mib; /* new memory when mem != MP_MEM_KEEP */
    int share;            /* 2: two replicas per instance; 0: none */
} mp_tenant_advice;

typedef struct mp_advice {
    mp_slice_eval *slices;     /* one per slice of the set */
    mp_tenant_advice *tenants; /* one per tenant */
    int n_tenants;
    size_t n_slices;
    size_t n_unmapped; /* slices no tenant matches */
    mp_arena arena;    /* owns slices and tenants */
} mp_advice;

/* Evaluate every slice and advise every tenant. Sorts the slices' samples
 * in place. Returns 0 or MP_ENOMEM (d says so). */
int mp_advise(mp_slice_set *s, const mp_advice_tenant *t, int nt,
              const mp_advice_opts *o, mp_advice *out, mp_diag *d);

/* Does the advice change tenant i at all? */
bool mp_advice_changes(const mp_advice *a, int i);

/* Release what mp_advise filled in; NULL is fine. */
void mp_advice_free(mp_advice *a);

#endif
