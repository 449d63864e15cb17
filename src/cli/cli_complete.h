/* SPDX-License-Identifier: Apache-2.0 */
/* cli_complete.h - the man page and the shell completion scripts, written
 * from the command and option tables of command.h (what --help shows). */
#ifndef MIGPLAN_CLI_COMPLETE_H
#define MIGPLAN_CLI_COMPLETE_H

#include "migplan/util/buf.h"

/* A bash completion script (bash 4 or newer; bash-completion not needed)
 * for migplan and every command in cli_commands. */
void cli_complete_bash(mp_buf *out);

/* A zsh completion function (#compdef migplan) for every command. */
void cli_complete_zsh(mp_buf *out);

/* migplan(1) in man(7) roff: the global options, every command with its
 * synopsis, description and options, the common options, the finding
 * codes of check, the environment and the exit statuses. */
void cli_man(mp_buf *out);

#endif
