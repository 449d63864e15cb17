/* request_reader.h - a plan request: the fleet of GPUs and the tenants to
 * place.
 *
 *   fleet:                    # omitted: as many as needed of --gpu MODEL
 *     - model: h100           # any name `migplan gpus` accepts
 *       count: 4              # omitted: as many as needed
 *       cost: 1.0             # relative cost per GPU, default 1
 *   tenants:
 *     - name: embeddings      # [A-Za-z0-9._-]+, unique
 *       memory: 8GiB          # GiB, GB, MiB, MB, TiB, TB (Gi, Mi, Ti too)
 *       compute: 1g           # compute slices, default 1g; or sms: N
 *       replicas: 7           # default 1
 *       media: true           # needs NVDEC, NVJPG and OFA (a +me profile)
 *       graphics: true        # needs a +gfx profile
 *       engines: {nvenc: 1}   # minimum engines of any kind
 *       whole-gpu: true       # a full GPU with MIG disabled
 *       spread: true          # replicas on distinct GPUs where possible
 *       models: [h100]        # only these models (default: any)
 */
#ifndef MIGPLAN_REQUEST_READER_H
#define MIGPLAN_REQUEST_READER_H

#include <stdbool.h>

#include "migplan/util/arena.h"
#include "migplan/util/error.h"
#include "migplan/model/profile_db.h"

#define MP_MAX_FLEET 64
#define MP_MAX_TENANTS 100000
#define MP_MAX_REPLICAS 1000000 /* in one request */
#define MP_MAX_GPU_COUNT 100000 /* of one fleet entry */

typedef struct mp_fleet_item {
    const mp_model *model;
    int count; /* -1: as many as needed */
    double cost;
    int line, col;
} mp_fleet_item;

typedef struct mp_tenant {
    const char *name;
    long long memory_mib; /* at least this much; 0 when not asked */
    int compute;          /* compute slices, at least 1 */
    int sms;              /* at least this many SMs; 0 when not asked */
    int replicas;
    bool media, graphics, whole_gpu, spread;
    int engines[MP_ENG_COUNT]; /* minimum of each engine */
    const mp_model **models;   /* allowed models; NULL: any */
    int n_models;
    int line, col;
} mp_tenant;

typedef struct mp_request {
    const char *path;
    mp_fleet_item fleet[MP_MAX_FLEET];
    int n_fleet;
    mp_tenant *tenants;
    int n_tenants;
    long long total_replicas;
    mp_arena arena; /* owns names and lists */
} mp_request;

/* Read a request. default_model (may be NULL) is the --gpu model used when
 * the file has no fleet. Errors name file:line:col and what to change. */
int mp_request_load(const mp_db *db, const char *path,
                    const mp_model *default_model, mp_request *out, mp_diag *d);
int mp_request_parse(const mp_db *db, const char *text, size_t len,
                     const char *path, const mp_model *default_model,
                     mp_request *out, mp_diag *d);
void mp_request_free(mp_request *r);

/* Parse "8GiB", "12 GB", "500MiB" into MiB (rounded up). */
bool mp_parse_memory(const char *s, long long *mib, char *why, size_t n);

/* Can tenant t use profile p of model m? If not and why is given, say which
 * requirement fails. */
bool mp_tenant_fits_profile(const mp_tenant *t, const mp_model *m,
                            const mp_gi_profile *p, char *why, size_t n);

/* Can tenant t have a whole GPU of model m? */
bool mp_tenant_fits_whole(const mp_tenant *t, const mp_model *m, char *why,
                          size_t n);

/* Is model m allowed for tenant t (its `models:` list)? */
bool mp_tenant_allows(const mp_tenant *t, const mp_model *m);

#endif
