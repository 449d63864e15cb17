/* SPDX-License-Identifier: Apache-2.0 */
/* smi_reader.h - `nvidia-smi --query-compute-apps=... --format=csv` output.
 *
 * Reads what nvidia-smi prints with or without the header line (noheader),
 * with or without units (nounits), one report or a log of many (-l SEC),
 * with a timestamp column or without. Fields are those of
 * `nvidia-smi --help-query-compute-apps`: timestamp, gpu_name, gpu_bus_id,
 * gpu_serial, gpu_uuid, pid, process_name (or name), used_gpu_memory (or
 * used_memory); pid and used_gpu_memory are needed. Values print as
 * `7242 MiB` or `7242`, `[N/A]` where nvidia-smi has none.
 *
 * Columns: from a header line (which may repeat), else from the caller's
 * layout, else inferred from the first row in nvidia-smi's field order
 * (text before the pid is gpu_name, text after it the process name, the
 * last field the memory). A process name may hold commas (nvidia-smi does
 * not quote): the fields beyond the expected count belong to it.
 *
 * Snapshots (one report each): rows with one timestamp; without timestamps,
 * a header, a blank line, a new file or a process (pid and GPU) seen again
 * starts the next one.
 */
#ifndef MIGPLAN_SMI_READER_H
#define MIGPLAN_SMI_READER_H

#include <stddef.h>

#include "migplan/model/sizing.h"
#include "migplan/util/error.h"

typedef enum mp_smi_col {
    MP_SMI_OTHER, /* a field migplan does not use */
    MP_SMI_TIMESTAMP,
    MP_SMI_GPU_NAME,
    MP_SMI_GPU_BUS_ID,
    MP_SMI_GPU_SERIAL,
    MP_SMI_GPU_UUID,
    MP_SMI_PID,
    MP_SMI_PROCESS_NAME,
    MP_SMI_USED_MEMORY
} mp_smi_col;

#define MP_SMI_MAX_COLS 16

typedef struct mp_smi_layout {
    mp_smi_col col[MP_SMI_MAX_COLS];
    int n;
} mp_smi_layout;

/* Parse a field list as given to --query-compute-apps ("pid,name,
 * used_memory"; nvidia-smi's names and aliases). On failure returns
 * MP_EUSAGE with the reason in why. */
int mp_smi_layout_parse(const char *list, mp_smi_layout *out, char *why,
                        size_t n);

/* Append the rows of one file's text to s (a new snapshot starts with it).
 * layout (NULL: infer) gives the columns of rows before any header. Errors
 * are MP_ESYNTAX/MP_ESCHEMA/MP_ELIMIT at path:line:col. */
int mp_smi_parse(const char *text, size_t len, const char *path,
                 const mp_smi_layout *layout, mp_proc_samples *s, mp_diag *d);

#endif
