/* cli.h - what the subcommands share: options, diagnostics, output.
 *
 * The CLI owns exit codes: 0 success, 1 findings (check errors, an
 * infeasible plan), 2 usage or input errors. Output is built in memory and
 * written only when the command has succeeded; -o FILE is written to a
 * temporary file in the same folder and renamed over the target.
 */
#ifndef MIGPLAN_CLI_H
#define MIGPLAN_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "migplan/util/buf.h"
#include "migplan/check/check.h"
#include "migplan/util/findings.h"
#include "migplan/readers/migparted_reader.h"
#include "migplan/util/error.h"
#include "migplan/model/profile_db.h"

enum { EXIT_OK = 0, EXIT_FINDINGS = 1, EXIT_USAGE = 2 };

typedef struct cli_ctx {
    const char *profiles_dir; /* --profiles DIR, else $MIGPLAN_PROFILES */
    mp_db *db;                /* loaded on first use */
    bool ascii;               /* --ascii */
    bool unicode;             /* --unicode */
    const char *cmd;          /* current subcommand, for messages */
} cli_ctx;

typedef struct cli_cmd {
    const char *name;
    int (*run)(cli_ctx *c, int argc, char **argv);
    const char *summary;
} cli_cmd;

/* ---- option parsing ---- */

typedef struct cli_opt {
    const char *name; /* long name without dashes */
    char short_name;  /* 0 when none */
    bool has_arg;
    int id;
} cli_opt;

/* ids shared by every command */
enum { OPT_HELP = 1000, OPT_PROFILES, OPT_ASCII, OPT_UNICODE };
#define CLI_COMMON_OPTS                                                        \
    {"help", 'h', false, OPT_HELP}, {"profiles", 0, true, OPT_PROFILES},       \
        {"ascii", 0, false, OPT_ASCII},                                        \
    {                                                                          \
        "unicode", 0, false, OPT_UNICODE                                       \
    }

typedef struct cli_parser {
    int argc;
    char **argv;
    int i;
    bool positional_only; /* after "--" */
    const char *usage;    /* printed by --help */
} cli_parser;

enum {
    CLI_END = 0,
    CLI_OPTION = 1,
    CLI_POSITIONAL = 2,
    CLI_BAD = -1, /* a message has been printed to stderr */
    CLI_HELP = -2 /* --help printed the usage: exit successfully */
};

/* Next option or positional argument. opts ends with a {NULL} entry and
 * includes CLI_COMMON_OPTS, which are handled here and never returned. */
int cli_next(cli_ctx *c, cli_parser *p, const cli_opt *opts, int *id,
             const char **arg);

/* Print "migplan CMD: message" and a hint to stderr; returns EXIT_USAGE. */
int cli_usage_error(cli_ctx *c, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* ---- the profile database ---- */

/* Load the database once; on error prints it and returns EXIT_USAGE. */
int cli_db(cli_ctx *c, const mp_db **out);

/* Resolve a model name; on error prints it and returns EXIT_USAGE. */
int cli_model(cli_ctx *c, const char *name, const mp_model **out);

/* The GPUs a config is for (check, script): --gpu names resolved into gpus
 * (n of them), or --node loaded into node (zeroed otherwise; the caller
 * frees it). Prints what goes wrong and returns EXIT_USAGE. */
struct mp_node;
int cli_targets(cli_ctx *c, const char *const *gpu_names, int n,
                const char *node_path, const mp_model **gpus,
                struct mp_node *node);

/* ---- diagnostics and output ---- */

/* Print d to stderr as "file:line:col: error: msg", then the source line and
 * a caret when the file can be read. */
void cli_print_diag(const mp_diag *d);

/* Print a source line and caret for file:line:col to the buffer. */
void cli_caret(mp_buf *out, const char *file, int line, int col);
/* The same from text already in memory. */
void cli_caret_text(mp_buf *out, const char *text, size_t len, int line,
                    int col);
/* The same for one line s[0..n) already found. */
void cli_caret_line(mp_buf *out, const char *s, size_t n, int col);

/* Write buf to stdout, or atomically to path when path is not NULL. On
 * failure prints why and returns EXIT_USAGE. */
int cli_write(cli_ctx *c, const mp_buf *buf, const char *path);

/* Whether box-drawing characters may be used on stdout. */
bool cli_use_unicode(const cli_ctx *c);

/* Is the --format value one of the allowed names? Prints an error if not. */
int cli_format(cli_ctx *c, const char *given, const char *const *allowed,
               int *out);

/* ---- mig-parted config files (check, script) ---- */

#define CLI_MAX_EMBEDDED 16

typedef struct cli_input {
    const char *path; /* as shown */
    char *text;       /* owned */
    size_t len;
    mp_mp_file file[CLI_MAX_EMBEDDED]; /* one, or one per ConfigMap */
    int nfile;
    bool loaded;
} cli_input;

/* Parse in->text (a config, or a manifest whose ConfigMaps hold one under
 * config.yaml) and check it with o; findings go to f. Returns 0 or
 * MP_ENOMEM. */
int cli_input_check(const mp_db *db, cli_input *in, const mp_check_opts *o,
                    mp_findings *f, mp_check_stats *st);

/* Findings as "file:line:col: severity: message [code]" with a caret. */
void cli_text_report(const mp_findings *f, const cli_input *in, int nin,
                     bool verbose, mp_buf *b);

void cli_input_free(cli_input *in);

/* the subcommands */
int cmd_gpus(cli_ctx *c, int argc, char **argv);
int cmd_profiles(cli_ctx *c, int argc, char **argv);
int cmd_geometries(cli_ctx *c, int argc, char **argv);
int cmd_fit(cli_ctx *c, int argc, char **argv);
int cmd_check(cli_ctx *c, int argc, char **argv);
int cmd_plan(cli_ctx *c, int argc, char **argv);
int cmd_script(cli_ctx *c, int argc, char **argv);
int cmd_size(cli_ctx *c, int argc, char **argv);
int cmd_advise(cli_ctx *c, int argc, char **argv);

#endif
