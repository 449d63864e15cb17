/* SPDX-License-Identifier: Apache-2.0 */
/* cli_color.h - whether to colour output, and colouring text the CLI has
 * already made (diagnostics, findings, profile diffs).
 *
 * Colour is on for a terminal only: --color auto (the default) colours
 * standard output or standard error when it is a terminal, unless NO_COLOR
 * is set to a non-empty value (no-color.org) or TERM is dumb; --color
 * always colours even files and pipes, NO_COLOR notwithstanding (an
 * option given on the command line wins over the environment); --color
 * never does not colour. */
#ifndef MIGPLAN_CLI_COLOR_H
#define MIGPLAN_CLI_COLOR_H

#include <stdbool.h>
#include <stdio.h>

#include "cli.h"

/* 0 when --color is absent or auto, always or never; else prints a usage
 * error and returns EXIT_USAGE. */
int cli_color_check(cli_ctx *c);

/* Whether output to fd (STDOUT_FILENO or STDERR_FILENO) is coloured; with
 * path (-o FILE, not "-") the output goes to that file instead. */
bool cli_color(const cli_ctx *c, int fd, const char *path);

/* Append text to out with diagnostics coloured: in each line
 * "LOCATION: error: message" the location bold and the severity (error,
 * warning, note) in its colour, and carets under quoted lines green.
 * Other lines are copied as they are. */
void cli_paint_findings(const char *text, mp_buf *out);

/* Write text to f (standard error), painted when colour is on for it. */
void cli_put_findings(const cli_ctx *c, const char *text, FILE *f);

/* Append the text of `profiles --diff` to out with each "  what: old ->
 * new" line's old value red and new value green. */
void cli_paint_diff(const char *text, mp_buf *out);

#endif
