/* SPDX-License-Identifier: Apache-2.0 */
/* cli.h - what the subcommands share: the context, diagnostics, exit
 * statuses and output.
 *
 * The CLI owns exit statuses: 0 success, 1 findings (check errors, an
 * infeasible plan), 2 usage or input errors, 3 internal errors (out of
 * memory, or a bug: the message asks for a report). Output is built in
 * memory and written only when the command has succeeded; -o FILE is
 * written to a temporary file in the same folder and renamed over the
 * target.
 */
#ifndef MIGPLAN_CLI_H
#define MIGPLAN_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "command.h"
#include "migplan/check/check.h"
#include "migplan/model/profile_db.h"
#include "migplan/readers/configmap.h"
#include "migplan/readers/node_reader.h"
#include "migplan/util/buf.h"
#include "migplan/util/error.h"
#include "migplan/yaml/yfile.h"

enum { EXIT_OK = 0, EXIT_FINDINGS = 1, EXIT_USAGE = 2, EXIT_INTERNAL = 3 };

typedef struct cli_ctx {
    const char *profiles_dir; /* --profiles DIR, else $MIGPLAN_PROFILES */
    const char *driver;       /* --driver V: whose -lgip memory sizes to use */
    mp_db *db;                /* loaded on first use */
    bool ascii;               /* --ascii */
    bool unicode;             /* --unicode */
    const char *color;        /* --color WHEN: auto (NULL), always, never */
    const char *cmd;          /* current subcommand, for messages */
    int argc;                 /* the whole command line (may be 0), so */
    char **argv;              /* that -o can refuse to replace an input */
} cli_ctx;

/* Parse argv for cmd and run it; argv[0] is the command's name. Returns
 * the exit status. */
int cli_run(cli_ctx *c, const cli_command *cmd, int argc, char **argv);

/* ---- exit statuses and messages ---- */

/* The exit status for an MP_E* code: 0 for 0, EXIT_FINDINGS for
 * MP_EINFEASIBLE, EXIT_INTERNAL for MP_ENOMEM and MP_EINTERNAL,
 * EXIT_USAGE for every other code (bad input or usage). */
int cli_exit_code(int code);

/* Print "migplan CMD: message" and a hint to stderr; returns EXIT_USAGE. */
int cli_usage_error(cli_ctx *c, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Print "migplan CMD: internal error: what" and a request to report the
 * bug to stderr; returns EXIT_INTERNAL. */
int cli_internal(cli_ctx *c, const char *what);

/* Print d to stderr, as an internal error when its code is one, else as
 * "file:line:col: error: msg" with its quoted source line and a caret.
 * Returns cli_exit_code(d->code) (EXIT_USAGE for a code of 0). */
int cli_fail(cli_ctx *c, const mp_diag *d);

/* ---- inputs ---- */

/* The files a command has read, kept until it ends: a diagnostic found
 * later (by a reader, the solver, the sizing) quotes its line from the
 * very text that was parsed, standard input included. Start zeroed. */
typedef struct cli_inputs {
    mp_input v[CLI_LIST_MAX + 1]; /* the files and a request */
    int n;
} cli_inputs;

/* Read path ("-": standard input) into a new input of in and point *out at
 * it; a directory is refused as not being `what` ("a YAML file"). Returns
 * 0 or an MP_E* code with d filled (the file cannot be read, or in is
 * full: MP_ELIMIT). */
int cli_input(cli_inputs *in, const char *path, const char *what,
              const mp_input **out, mp_diag *d);

/* cli_fail for d, its line quoted from the input of in it is about. */
int cli_fail_in(cli_ctx *c, const cli_inputs *in, mp_diag *d);

/* Free the texts of in. */
void cli_inputs_free(cli_inputs *in);

/* Load the database once, with the memory sizes of --driver when given;
 * on error prints it, sets *out to NULL and returns the exit status. */
int cli_db(cli_ctx *c, const mp_db **out);

/* Resolve a model name; on error prints it and returns EXIT_USAGE. */
int cli_model(cli_ctx *c, const char *name, const mp_model **out);

/* The GPUs a config is for (check, script): --gpu names resolved into gpus
 * (n of them), or --node loaded into node (zeroed otherwise; the caller
 * frees it). Prints what goes wrong and returns the exit status. */
int cli_targets(cli_ctx *c, const cli_list *gpu_names, const char *node_path,
                const mp_model **gpus, mp_node *node);

/* Check every config of in with o (check, script); findings go to f with
 * positions in the file the user gave. Returns 0 or MP_ENOMEM. */
int cli_check_config(const mp_db *db, mp_configmap *in, const mp_check_opts *o,
                     mp_findings *f, mp_check_stats *st);

/* ---- output ---- */

/* Write buf to stdout, or atomically to path when path is not NULL or "-",
 * then free buf. On failure prints why and returns the exit status. */
int cli_write(cli_ctx *c, mp_buf *buf, const char *path);

/* Output written in pieces as it is made, with cli_write's rules: standard
 * output, or a file replaced only when all of it was written. */
typedef struct cli_out {
    const char *path; /* NULL: standard output */
    int fd;
    char *tmp, *real; /* the temporary file and the file it replaces */
    int err;          /* first errno; later pieces are dropped */
} cli_out;

/* Open path (NULL or "-": standard output). Returns 0 or the exit status,
 * having said why. */
int cli_out_open(cli_ctx *c, const char *path, cli_out *o);
/* Write b and reset it (an mp_json_stream flush). 0 or the first errno. */
int cli_out_chunk(void *o, mp_buf *b);
/* Write rest (NULL: nothing; failed: out of memory, nothing is kept),
 * then finish: the file replaced, or left as it was on any failure.
 * Returns 0 or the exit status, having said why. */
int cli_out_close(cli_ctx *c, cli_out *o, mp_buf *rest);

/* Whether box-drawing characters may be used on stdout. */
bool cli_use_unicode(const cli_ctx *c);

/* --format of the commands that print a table or JSON (gpus, profiles). */
typedef enum cli_table_format {
    CLI_FORMAT_TABLE,
    CLI_FORMAT_JSON
} cli_table_format;
extern const cli_choice cli_table_formats[];

/* ---- the subcommands: cmd_<name>.c each export one ---- */

extern const cli_command cli_cmd_gpus;
extern const cli_command cli_cmd_profiles;
extern const cli_command cli_cmd_geometries;
extern const cli_command cli_cmd_fit;
extern const cli_command cli_cmd_plan;
extern const cli_command cli_cmd_check;
extern const cli_command cli_cmd_script;
extern const cli_command cli_cmd_import_profiles;
extern const cli_command cli_cmd_size;
extern const cli_command cli_cmd_advise;
extern const cli_command cli_cmd_completion;

#endif
