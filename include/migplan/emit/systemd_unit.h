/* SPDX-License-Identifier: Apache-2.0 */
/* systemd_unit.h - a systemd unit that re-applies a migplan script at boot.
 *
 * MIG mode survives a reboot; GPU instances and compute instances do not,
 * so a bare-metal node set up with a migplan script loses its layout at
 * every boot. The unit runs the installed script once per boot (a oneshot
 * service, as mig-parted's nvidia-mig-manager.service does for
 * mig-parted), ordered after the NVIDIA persistence and fabric manager
 * daemons and before the services that hold GPUs: DCGM, NVSM, container
 * runtimes, kubelet and slurmd.
 */
#ifndef MIGPLAN_SYSTEMD_UNIT_H
#define MIGPLAN_SYSTEMD_UNIT_H

#include "migplan/util/buf.h"
#include "migplan/util/error.h"

typedef struct mp_unit_opts {
    const char *script; /* absolute path the script is installed at */
    const char *source; /* what the script sets up, for the comment */
} mp_unit_opts;

/* The name the unit's comments tell to install it under. */
#define MP_UNIT_NAME "migplan-mig.service"

/* Can path be the unit's script: absolute, of letters, digits and
 * / . _ - + @ : only (nothing that systemd would expand or split)? Returns
 * 0, or MP_EUSAGE with d saying what to give instead. */
int mp_unit_check_script(const char *path, mp_diag *d);

/* Append the unit to out. Returns 0, or MP_EUSAGE (with d) when
 * mp_unit_check_script refuses the script path. */
int mp_emit_systemd_unit(const mp_unit_opts *o, mp_buf *out, mp_diag *d);

#endif
