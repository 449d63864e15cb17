/* SPDX-License-Identifier: Apache-2.0 */
/* dcgm_reader.h - dcgm-exporter metrics, per MIG instance and occupant.
 *
 * Reads Prometheus text (one scrape of /metrics or many concatenated) and
 * keeps two metrics of MIG instances: DCGM_FI_PROF_GR_ENGINE_ACTIVE (ratio
 * of time the graphics/compute engine is active, 0..1) and
 * DCGM_FI_DEV_FB_USED (framebuffer used, MiB). A MIG instance is a sample
 * with the labels GPU_I_PROFILE and GPU_I_ID; it is told apart by Hostname,
 * UUID, gpu and GPU_I_ID, and its occupant by container, pod and namespace
 * (exported_container, exported_pod, exported_namespace win when Prometheus
 * renamed them; dcgm-exporter's older container_name, pod_name and
 * pod_namespace are read too). modelName names the GPU model, whose profile
 * table gives the instance's memory.
 *
 * DCGM's blank values (no data: 0x7ffffffffffffff0 and up for integers,
 * 2^47 and up for floats, as dcgm_structs.h defines them) are skipped and
 * counted; samples of GPUs without MIG are counted and not used. A value
 * that is not a number, negative, or beyond range is an error at its line.
 */
#ifndef MIGPLAN_DCGM_READER_H
#define MIGPLAN_DCGM_READER_H

#include <stddef.h>

#include "migplan/model/advice.h"
#include "migplan/model/profile_db.h"
#include "migplan/util/error.h"

/* Add the samples of text[0..len) to set. db resolves modelName labels. */
int mp_dcgm_parse(const mp_db *db, const char *text, size_t len,
                  const char *path, mp_slice_set *set, mp_diag *d);

#endif
