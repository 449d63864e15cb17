/* SPDX-License-Identifier: Apache-2.0 */
/* node_changes.h - a node-pool plan from the nodes' states
 * (mp_plan.own_state): what labelling the nodes with their mig-parted
 * configs would destroy. */
#ifndef MIGPLAN_NODE_CHANGES_H
#define MIGPLAN_NODE_CHANGES_H

#include "migplan/solver/solver.h"
#include "migplan/util/buf.h"

/* One warning line per node whose label would make mig-parted apply
 * destroy instances in use: `nvidia-mig-parted apply` keeps a GPU whose
 * instance counts per profile already match its config and clears every
 * instance of any other GPU before creating the config's (NVIDIA/mig-parted
 * cmd/nvidia-mig-parted/apply/config.go, ApplyMigConfig: current.Equals,
 * then SetMigConfig, which calls ClearMigConfig). Each line names the
 * node, its GPUs, GI IDs, profiles and processes, and the change script
 * that keeps them: command (the plan's command line without its format)
 * with --format nvidia-smi --node-name NODE. A fleet planned from its
 * state (p->current, no node states) gets one such line for the whole
 * config, pointing at --format nvidia-smi. Returns how many lines it
 * wrote. */
int mp_plan_relabel_warnings(const mp_plan *p, const char *command, mp_buf *b);

/* The instances in use that labelling node j of p (planned from node
 * states) would clear, appended to list as "GPU g GI i (profile at slot s,
 * process x)"; how many (0 for a node without a state), or -1 when out of
 * memory. */
int mp_plan_node_cleared(const mp_plan *p, int j, mp_buf *list);

#endif
