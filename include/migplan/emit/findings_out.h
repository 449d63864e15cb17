/* SPDX-License-Identifier: Apache-2.0 */
/* findings_out.h - the findings of `check` (and `script`, which checks
 * first) as text for people, JSON for programs, or GitHub Actions
 * annotations. Emitters only format; the findings are sorted and filtered
 * before they get here. */
#ifndef MIGPLAN_FINDINGS_OUT_H
#define MIGPLAN_FINDINGS_OUT_H

#include <stdbool.h>

#include "migplan/check/check.h"
#include "migplan/readers/configmap.h"
#include "migplan/util/buf.h"
#include "migplan/util/findings.h"

/* Every finding as "file:line:col: severity: message [code]", followed by
 * its source line and a caret when its file is one of in[0..nin) (from the
 * text that was read, standard input included). Notes, and mig-parted's
 * own words for a rejection, only when verbose. */
void mp_emit_findings_text(const mp_findings *f, const mp_configmap *in,
                           int nin, bool verbose, mp_buf *out);

/* "N configs, M entries checked: E errors, W warnings", and how many files
 * could not be read when unread > 0, with a newline. */
void mp_emit_check_summary(const mp_findings *f, const mp_check_stats *st,
                           int unread, mp_buf *out);

/* One `::error file=F,line=L,col=C,title=migplan CODE::message` line per
 * finding (notices for notes, only when verbose). */
void mp_emit_findings_github(const mp_findings *f, bool verbose, mp_buf *out);

/* {"summary": {...}, "files": [...], "findings": [...]}: every finding,
 * notes included, and per config read whether mig-parted accepts it. nin
 * counts every file given, unread those that could not be read. */
void mp_emit_findings_json(const mp_findings *f, const mp_configmap *in,
                           int nin, int unread, const mp_check_stats *st,
                           mp_buf *out);

#endif
