/* SPDX-License-Identifier: Apache-2.0 */
/* systemd_unit.c - the boot unit for a migplan script (see the header).
 *
 * Facts from NVIDIA's mig-parted (deployments/systemd/): its
 * nvidia-mig-manager.service is Type=oneshot, After=nvidia-persistenced
 * and nvidia-fabricmanager, WantedBy=multi-user.target; its hooks stop
 * nvsm, nvidia-dcgm, dcgm-exporter and kubelet (and Kubernetes pods through
 * containerd or docker) around a change, because they hold the GPUs. Unlike
 * mig-parted's unit this one keeps the default dependencies: it runs a
 * script from the file system, and every service it must precede starts
 * after basic.target anyway. */
#include <stdbool.h>
#include <string.h>

#include "migplan/emit/systemd_unit.h"

static bool safe_path(const char *s)
{
    if (!s || s[0] != '/' || strlen(s) > 4000)
        return false;
    for (; *s; s++) {
        char c = *s;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                  (c >= '0' && c <= '9') || strchr("/._-+@:", c);
        if (!ok)
            return false;
    }
    return s[-1] != '/';
}

/* s with control characters (which would end the comment line) as '?'. */
static void comment_text(mp_buf *b, const char *s)
{
    for (; s && *s; s++)
        mp_buf_putc(b, (unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s);
}

int mp_unit_check_script(const char *path, mp_diag *d)
{
    if (safe_path(path))
        return 0;
    return mp_diag_set(d, MP_EUSAGE, NULL, 0, 0,
                       "give the absolute path the script is installed at, "
                       "of letters, digits and / . _ - + @ : only, e.g. "
                       "/usr/local/sbin/migplan-mig.sh; not '%s'",
                       path ? path : "");
}

int mp_emit_systemd_unit(const mp_unit_opts *o, mp_buf *out, mp_diag *d)
{
    int rc = mp_unit_check_script(o->script, d);
    if (rc)
        return rc;
    mp_buf_printf(out,
                  "# " MP_UNIT_NAME ": re-creates the MIG layout at every "
                  "boot with the\n"
                  "# script %s that migplan wrote for\n#   ",
                  o->script);
    comment_text(out, o->source);
    mp_buf_printf(
        out,
        "\n# Written by migplan %s.\n"
        "#\n"
        "# MIG mode survives a reboot; GPU instances and compute "
        "instances do not.\n"
        "# The unit runs once per boot, after the NVIDIA "
        "persistence and fabric\n"
        "# manager daemons and before the services that hold GPUs "
        "(DCGM, NVSM,\n"
        "# containerd, docker, kubelet, slurmd), so that they find "
        "the instances in\n"
        "# place. The script leaves a GPU that has its layout "
        "alone; when a GPU is\n"
        "# busy or not the model it expects, it changes nothing "
        "and the unit fails.\n"
        "#\n"
        "# Install, as root (the script first, where ExecStart "
        "expects it):\n"
        "#   install -m 0755 <the script> %s\n"
        "#   install -m 0644 " MP_UNIT_NAME " /etc/systemd/system/\n"
        "#   systemctl daemon-reload && systemctl enable " MP_UNIT_NAME "\n"
        "# Log of the last boot: journalctl -b -u " MP_UNIT_NAME "\n\n",
        MIGPLAN_VERSION, o->script);
    mp_buf_printf(out,
                  "[Unit]\n"
                  "Description=Re-create MIG GPU instances (migplan)\n"
                  "After=nvidia-persistenced.service "
                  "nvidia-fabricmanager.service\n"
                  "Before=nvidia-dcgm.service dcgm-exporter.service "
                  "nvsm.service\n"
                  "Before=containerd.service docker.service kubelet.service "
                  "slurmd.service\n"
                  "\n"
                  "[Service]\n"
                  "Type=oneshot\n"
                  "RemainAfterExit=yes\n"
                  "ExecStart=/bin/bash %s\n"
                  "\n"
                  "[Install]\n"
                  "WantedBy=multi-user.target\n",
                  o->script);
    return 0;
}
