/* SPDX-License-Identifier: Apache-2.0 */
/* finding_rules.h - every finding code migplan reports (check's findings,
 * plan's warnings), with what it means and what to do about it: the one
 * list of codes. It gives the rules of the SARIF report, the codes
 * `--ignore` accepts and completes, the man page's list, and the debug
 * assertion that every finding added has a known code. A test
 * (tests/cli/finding-codes.sh) keeps it in step with the codes the sources
 * emit. */
#ifndef MIGPLAN_FINDING_RULES_H
#define MIGPLAN_FINDING_RULES_H

#include "migplan/util/findings.h"

typedef struct mp_finding_rule {
    const char *code;    /* as in findings: "unknown-profile" */
    mp_severity sev;     /* the severity it is reported with, usually */
    const char *summary; /* a few words, no full stop */
    const char *help;    /* what it means and what to do, sentences */
} mp_finding_rule;

/* Every rule, sorted by code, ending with a row whose code is NULL. */
extern const mp_finding_rule mp_finding_rules[];

/* The rule of code, or NULL when code is not one. */
const mp_finding_rule *mp_finding_rule_find(const char *code);

/* The known code closest to word (mp_suggest's rule), or NULL. */
const char *mp_finding_code_suggest(const char *word);

#endif
