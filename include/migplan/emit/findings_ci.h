/* SPDX-License-Identifier: Apache-2.0 */
/* findings_ci.h - the findings of `check` for CI services: SARIF 2.1.0
 * for code scanning (GitHub's upload-sarif) and a Markdown summary for a
 * job's summary page ($GITHUB_STEP_SUMMARY). Like findings_out.h, these
 * only format findings that are already filtered and sorted. */
#ifndef MIGPLAN_FINDINGS_CI_H
#define MIGPLAN_FINDINGS_CI_H

#include <stdbool.h>

#include "migplan/check/check.h"
#include "migplan/util/buf.h"
#include "migplan/util/findings.h"

/* A SARIF 2.1.0 log with one run: the tool (name, version, the rules of
 * the codes reported, each with its summary and help from rules.h) and
 * one result per finding (notes only when verbose) with its file as a
 * relative URI (absolute paths as file:// URIs; standard input has no
 * location) and its line and column. info_uri is the project's home page
 * for tool.driver.informationUri, or NULL or "" to leave it out. The run
 * is marked unsuccessful when unread files were not checked. */
void mp_emit_findings_sarif(const mp_findings *f, bool verbose, int unread,
                            const char *info_uri, mp_buf *out);

/* A Markdown report for a CI summary page: a headline verdict, counts by
 * severity, what was checked, and a table of the findings (notes only when
 * verbose; at most MP_MARKDOWN_MAX_ROWS rows, then how many more). */
#define MP_MARKDOWN_MAX_ROWS 200
void mp_emit_findings_markdown(const mp_findings *f, const mp_check_stats *st,
                               int nfiles, int unread, bool verbose,
                               mp_buf *out);

#endif
