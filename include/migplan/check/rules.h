/* SPDX-License-Identifier: Apache-2.0 */
/* rules.h - every finding code `check` can report, with what it means and
 * what to do about it: the rules of the SARIF report, the codes `--ignore`
 * completes, and the man page's list. A test keeps it in step with the
 * codes the readers and checks emit. */
#ifndef MIGPLAN_CHECK_RULES_H
#define MIGPLAN_CHECK_RULES_H

#include "migplan/util/findings.h"

typedef struct mp_check_rule {
    const char *code;    /* as in findings: "unknown-profile" */
    mp_severity sev;     /* the severity it is reported with, usually */
    const char *summary; /* a few words, no full stop */
    const char *help;    /* what it means and what to do, sentences */
} mp_check_rule;

/* Every rule, sorted by code, ending with a row whose code is NULL. */
extern const mp_check_rule mp_check_rules[];

/* The rule of code, or NULL when code is not one. */
const mp_check_rule *mp_check_rule_find(const char *code);

#endif
