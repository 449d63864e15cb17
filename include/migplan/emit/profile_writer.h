/* SPDX-License-Identifier: Apache-2.0 */
/* profile_writer.h - write a GPU model as a profile file (schema 2).
 *
 * The output loads back with mp_db_load_text into an equal model, so a
 * model imported from nvidia-smi output (nvsmi_import.h) becomes a file for
 * `migplan --profiles DIR` or for profiles/ upstream. Compute-instance
 * tables are written per profile; provenance (sources, derived, inferred)
 * is kept.
 */
#ifndef MIGPLAN_PROFILE_WRITER_H
#define MIGPLAN_PROFILE_WRITER_H

#include "migplan/model/profile_db.h"
#include "migplan/util/buf.h"

/* Append m as YAML to out. comment (may be NULL) becomes the file's first
 * lines, each prefixed with "# ". */
void mp_profile_write(const mp_model *m, const char *comment, mp_buf *out);

#endif
