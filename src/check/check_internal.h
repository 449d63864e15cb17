/* SPDX-License-Identifier: Apache-2.0 */
/* check_internal.h - what the files of the checker share: the state of one
 * run over a file and the helpers that report findings. Not public. */
#ifndef MIGPLAN_CHECK_INTERNAL_H
#define MIGPLAN_CHECK_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "migplan/check/check.h"

/* Stranded capacity of one entry on one model, reported once per entry. */
typedef struct strand {
    const mp_model *m;
    int compute, memory;
    /* larger profiles in place of the layout's would use the idle slices:
     * what they are ("3 x 2g.20gb + 1 x 1g.20gb"), "" when none would */
    char upgrade[160];
    bool single; /* one profile only, as NVIDIA's all-* layouts */
} strand;

/* A realised layout by model and mig-devices: big configs repeat a few
 * layouts thousands of times. */
typedef struct realised {
    const mp_model *m;
    uint64_t hash;
    char *key; /* "name=count;..." */
    int rc;
    char why[1000];
    mp_gpu_layout layout;
} realised;

/* One run of mp_check_file. */
typedef struct ck {
    realised *memo;
    int nmemo, capmemo;
    strand strands[64];
    int nstrands;
    const mp_db *db;
    const mp_mp_file *file;
    const mp_check_opts *o;
    mp_findings *f;
    mp_check_stats *st;
    const mp_mp_config *cfg; /* the config being checked */
    bool inferred_noted[64]; /* per model index: inferred data noted */
} ck;

/* Add a finding about the current config, entry `entry` (-1: none) and
 * model m (may be NULL). Returns it, or NULL when out of memory (then
 * c->f->oom is set). */
mp_finding *mp_ck_add(ck *c, mp_severity sev, const char *code, int line,
                      int col, int entry, const mp_model *m, const char *fmt,
                      ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 8, 9)))
#endif
    ;

/* Check entry e (index ei) on model m: names, counts, compute instances,
 * geometry, stranded capacity (kept for mp_ck_report_strands) and whether
 * mig-parted's placement-less creation can work. With inferred_model the
 * model was guessed from the names, so misfits are notes. */
void mp_ck_on_model(ck *c, const mp_mp_entry *e, int ei, const mp_model *m,
                    bool inferred_model);

/* The findings from index `from` on name model m's product in
 * parentheses; name the board with PCI ID id instead (an A100 80GB PCIe is
 * not "NVIDIA A100-SXM4-80GB"). id 0: leave them. */
void mp_ck_name_board(ck *c, int from, const mp_model *m, uint32_t id);

/* Report the stranded capacity kept since the last call, one finding per
 * distinct amount, naming every model: a warning when larger profiles
 * would use the idle slices, else (unavoidable, or a single-profile
 * layout by design) a note. */
void mp_ck_report_strands(ck *c, const mp_mp_entry *e, int ei);

/* Which entries meet the same GPU (no node inventory given). */
void mp_ck_overlaps(ck *c);
/* check_strategy.c: cfg against --strategy (single: one profile). */
void mp_ck_strategy(ck *c, const mp_mp_config *cfg);

/* The current config against a node inventory: every GPU matched by the
 * entries mig-parted would apply, each (entry, model) pair checked once. */
void mp_ck_node(ck *c, const mp_node *node);

#endif
