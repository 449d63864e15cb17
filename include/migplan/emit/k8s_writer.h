/* SPDX-License-Identifier: Apache-2.0 */
/* k8s_writer.h - a plan with node pools for Kubernetes and the NVIDIA GPU
 * Operator: the ConfigMap MIG Manager reads, the node labels, the
 * ClusterPolicy settings, and each tenant's pod resource. */
#ifndef MIGPLAN_K8S_WRITER_H
#define MIGPLAN_K8S_WRITER_H

#include <stdbool.h>
#include <stddef.h>

#include "migplan/solver/solver.h"
#include "migplan/util/buf.h"
#include "migplan/util/error.h"

#define MP_K8S_CONFIGMAP "custom-mig-config"
#define MP_K8S_NAMESPACE "gpu-operator"
/* the device plugin config for time-sliced (share:) tenants, and its key */
#define MP_K8S_SHARING_CONFIGMAP "migplan-time-slicing"
#define MP_K8S_SHARING_KEY "any"

/* The extended resource the NVIDIA device plugin advertises a MIG profile
 * under (mixed strategy): nvidia.com/mig-<profile>. A +me profile is
 * advertised under the plain profile's name (k8s-device-plugin #1462); any
 * other '+' is written '.'. */
void mp_mig_resource_name(const char *profile, char *buf, size_t n);

/* The extended resource tenant t's pods request, into buf (n bytes):
 * nvidia.com/mig-<profile> for instances on mixed-strategy nodes (a +me
 * instance is advertised under the plain profile's name: k8s-device-plugin
 * #1462), nvidia.com/gpu on single-strategy nodes and for whole GPUs.
 * *profile gets the profile name (NULL for whole GPUs). *media is set when
 * t holds a +me instance. false when t's replicas do not share one
 * resource (same-profile: false, or pools of both strategies). */
bool mp_tenant_resource(const mp_plan *p, int t, char *buf, size_t n,
                        const char **profile, bool *media);

/* The k8s manifest of p: comments with the commands to run (ClusterPolicy
 * settings, one label per node, the pod resource of each tenant), then the
 * ConfigMap with every config of the plan plus all-disabled under
 * config.yaml. base names the plan's configs (--config-name). Fails when p
 * is infeasible or has no node pools. */
int mp_emit_plan_k8s(const mp_plan *p, const char *base, mp_buf *out,
                     mp_diag *d);

#endif
