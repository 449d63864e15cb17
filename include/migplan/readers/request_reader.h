/* SPDX-License-Identifier: Apache-2.0 */
/* request_reader.h - read a plan request (model/request.h) from YAML:
 *
 *   fleet:                    # omitted: as many as needed of --gpu MODEL
 *     - model: h100           # any name `migplan gpus` accepts
 *       count: 4              # omitted: as many as needed
 *       cost: 1.0             # relative cost per GPU, default 1
 *   headroom: 10%             # margin on every memory (percent, 0..1000)
 *   min-spare: 512MiB         # warn below this spare per instance; 0: off
 *   tenants:
 *     - name: embeddings      # [A-Za-z0-9._-]+, unique
 *       memory: 8GiB          # GiB, GB, MiB, MB, TiB, TB (Gi, Mi, Ti too)
 *       compute: 1g           # compute slices, default 1g; or sms: N
 *       replicas: 7           # default 1
 *       media: true           # needs NVDEC, NVJPG and OFA (a +me profile)
 *       graphics: true        # needs a +gfx profile
 *       engines: {nvenc: 1}   # minimum engines of any kind
 *       whole-gpu: true       # a full GPU with MIG disabled; or N: N whole
 *                             # GPUs of one model per replica (tensor
 *                             # parallel), memory is per GPU
 *       share: 2              # 2 replicas time-slice one instance, which
 *                             # holds 2x memory (the last may serve fewer)
 *       headroom: 20          # this tenant's margin (overrides the request)
 *       spread: true          # replicas on distinct GPUs where possible
 *       models: [h100]        # only these models (default: any)
 */
#ifndef MIGPLAN_REQUEST_READER_H
#define MIGPLAN_REQUEST_READER_H

#include <stdbool.h>
#include <stddef.h>

#include "migplan/model/profile_db.h"
#include "migplan/model/request.h"
#include "migplan/util/error.h"

/* Read a request. default_model (may be NULL) is the --gpu model used when
 * the file has no fleet. On success out owns its memory: release it with
 * mp_request_free (model/request.h); on error nothing is left to free.
 * Errors name file:line:col and what to change. */
int mp_request_load(const mp_db *db, const char *path,
                    const mp_model *default_model, mp_request *out, mp_diag *d);
int mp_request_parse(const mp_db *db, const char *text, size_t len,
                     const char *path, const mp_model *default_model,
                     mp_request *out, mp_diag *d);

/* Parse "8GiB", "12 GB", "500MiB" into MiB (rounded up). */
bool mp_parse_memory(const char *s, long long *mib, char *why, size_t n);

#endif
