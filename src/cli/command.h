/* SPDX-License-Identifier: Apache-2.0 */
/* command.h - migplan's commands and options as data.
 *
 * Every subcommand is one cli_command (tmux's cmd_entry): its name, the
 * handler, a one-line summary for `migplan --help`, its help text, and a
 * table of cli_option rows and cli_operand rows (libgit2's cli_opt specs).
 * One parser reads every command line from these tables into the command's
 * argument struct (each row names its field by offset), `--help` is drawn
 * from them, and so can a man page or shell completions be: walk
 * cli_commands[], cli_common_options[] and cli_global_options[].
 */
#ifndef MIGPLAN_CLI_COMMAND_H
#define MIGPLAN_CLI_COMMAND_H

#include <stdbool.h>
#include <stddef.h>

#include "migplan/util/buf.h"

struct cli_ctx;

/* What a row does with what it reads; the field at its offset has the
 * type named here. */
typedef enum cli_store {
    CLI_STORE_HELP,    /* print the command's help, exit 0 (no field) */
    CLI_STORE_VERSION, /* print the version, exit 0 (no field) */
    CLI_STORE_TRUE,    /* bool: set to true */
    CLI_STORE_INT,     /* int: set to the row's `set` */
    CLI_STORE_STRING,  /* const char *: the value; given twice with another
                          value is a usage error (so are CHOICE, SECONDS
                          and MILLI rows): repeatable options are LISTs */
    CLI_STORE_LIST,    /* cli_list: each value appended, at most `max` */
    CLI_STORE_CHOICE,  /* int: the `value` of the matching `choices` entry */
    CLI_STORE_SECONDS, /* double: a number in (0, max] */
    CLI_STORE_MILLI,   /* int: a decimal with at most three decimals, in
                          thousandths, within [min, max] thousandths */
    CLI_STORE_MAN      /* print the man page, exit 0 (no field) */
} cli_store;

/* What a value or an operand is, for completions and the man page. */
typedef enum cli_value {
    CLI_VALUE_NONE,    /* a flag: no value */
    CLI_VALUE_TEXT,    /* free text */
    CLI_VALUE_FILE,    /* a path to read; - is standard input */
    CLI_VALUE_OUTPUT,  /* a path to write; - is standard output */
    CLI_VALUE_PATH,    /* a path the output names, not opened here */
    CLI_VALUE_DIR,     /* a folder */
    CLI_VALUE_MODEL,   /* a GPU model: what `migplan gpus` lists */
    CLI_VALUE_DRIVER,  /* a driver the profile data has memory sizes of */
    CLI_VALUE_PROFILE, /* a profile of the model given (`migplan profiles`) */
    CLI_VALUE_CONFIG,  /* a config name in the mig-parted file given */
    CLI_VALUE_CODE,    /* a finding code of `migplan check` */
    CLI_VALUE_CHOICE,  /* one of the row's choices */
    CLI_VALUE_SECONDS, /* a positive number of seconds */
    CLI_VALUE_NUMBER,  /* a decimal number (95, 99.5, 0.85) */
    CLI_VALUE_SHELL    /* a shell completion knows: bash or zsh */
} cli_value;

/* One allowed value of an enum-valued option. */
typedef struct cli_choice {
    const char *name; /* as typed: "mig-parted" */
    int value;        /* the command's enum value for it */
    const char *help; /* a few words, or NULL */
} cli_choice;

/* The values of an enum-valued option, listed once as the X(VALUE, "name",
 * help) rows of a list macro, give both the enum and its choices:
 *   typedef enum e { LIST(CLI_CHOICE_ENUM) } e;
 *   static const cli_choice t[] = CLI_CHOICES(LIST); */
#define CLI_CHOICE_ENUM(value_, name_, help_) value_,
#define CLI_CHOICE_ROW(value_, name_, help_) {(name_), (value_), (help_)},
#define CLI_CHOICES(list)                                                      \
    {                                                                          \
        list(CLI_CHOICE_ROW)                                                   \
        {                                                                      \
            NULL, 0, NULL                                                      \
        }                                                                      \
    }

/* One option. Tables end with a row whose name is NULL. */
typedef struct cli_option {
    const char *name;          /* long name without dashes */
    char short_name;           /* 0 when none */
    cli_store store;           /* what a use of it does */
    size_t offset;             /* its field in the argument struct */
    const char *value_name;    /* "F", "MODEL" in help; NULL for flags */
    cli_value value;           /* what the value is */
    const char *help;          /* one sentence; for choices NULL: the list */
    const cli_choice *choices; /* CLI_STORE_CHOICE: ends with a NULL name */
    const char *def;           /* the default as it would be typed, or NULL */
    int set;                   /* CLI_STORE_INT: the value stored */
    int min;                   /* CLI_STORE_MILLI: smallest, in thousandths */
    int max;       /* CLI_STORE_LIST: most values; CLI_STORE_SECONDS: largest;
                      CLI_STORE_MILLI: largest, in thousandths */
    unsigned show; /* common options: the CLI_SHOW_* bit that lists it */
    /* the usage error for a value the row refuses (%s is the value), or
     * NULL for the parser's own */
    const char *bad;
    /* an environment variable whose value (when set and not empty) is
     * used when the option is not given, as mig-parted's own flags */
    const char *env;
} cli_option;

/* Positional arguments, in order; a table ends with a NULL name. */
typedef struct cli_operand {
    const char *name;    /* "REQUEST.yaml", "PROFILE[:START]" */
    cli_store store;     /* CLI_STORE_STRING (one) or CLI_STORE_LIST */
    size_t offset;       /* its field in the argument struct */
    cli_value value;     /* what it is */
    int min, max;        /* how many */
    const char *missing; /* the usage error when fewer than min are given */
    const char *extra;   /* the usage error for one too many; %s is it */
    const char *env;     /* as cli_option.env, when none is given */
} cli_operand;

/* Values of a repeatable option or operand, pointing into argv. */
#define CLI_LIST_MAX 256
typedef struct cli_list {
    const char *v[CLI_LIST_MAX];
    int n;
} cli_list;

/* Bits of cli_command.common and cli_option.show: the common options a
 * command's help lists (every command accepts all of them). */
enum { CLI_SHOW_PROFILES = 1, CLI_SHOW_DIAGRAM = 2 };

/* One subcommand. */
typedef struct cli_command {
    const char *name;
    /* the work, with args parsed into a zeroed struct of args_size bytes;
     * returns the exit status */
    int (*run)(struct cli_ctx *c, void *args);
    size_t args_size;
    const char *summary;  /* one line for `migplan --help` */
    const char *synopsis; /* "Usage: migplan ..." lines */
    /* prose, paragraphs separated by "\n\n"; help wraps them, except a
     * paragraph that starts with a space (commands, lists): as written */
    const char *description;
    const char *footer; /* after the options (exit status), or NULL */
    const cli_option *options;
    const cli_operand *operands; /* NULL: takes none */
    unsigned common;             /* CLI_SHOW_* */
} cli_command;

/* Rows by kind, one builder each, so that a table reads one option per
 * entry (as libgit2's cli_opt specs do) and every row of a kind gives what
 * that kind needs: a list its most values, a choice its list, a number its
 * bounds and refusal. `type` is the argument struct and `field` the member
 * the row fills; `...` is the help text, then any further fields
 * (.short_name = 'v', .def = "x", .bad = "..."). */
#define CLI_OPT_ROW(type, field, name_, store_)                                \
    .name = (name_), .store = (store_), .offset = offsetof(type, field)
#define CLI_OPT_FLAG(type, field, name_, ...)                                  \
    {                                                                          \
        CLI_OPT_ROW(type, field, name_, CLI_STORE_TRUE), .help = __VA_ARGS__   \
    }
/* stores `set` in the int field */
#define CLI_OPT_SET(type, field, name_, set_, ...)                             \
    {                                                                          \
        CLI_OPT_ROW(type, field, name_, CLI_STORE_INT), .set = (set_),         \
                                                        .help = __VA_ARGS__    \
    }
#define CLI_OPT_TEXT(type, field, name_, vname, kind, ...)                     \
    {                                                                          \
        CLI_OPT_ROW(type, field, name_, CLI_STORE_STRING),                     \
            .value_name = (vname), .value = (kind), .help = __VA_ARGS__        \
    }
#define CLI_OPT_LIST(type, field, name_, vname, kind, most, ...)               \
    {                                                                          \
        CLI_OPT_ROW(type, field, name_, CLI_STORE_LIST),                       \
            .value_name = (vname), .value = (kind), .max = (most),             \
            .help = __VA_ARGS__                                                \
    }
/* help NULL: the list of choices is the help */
#define CLI_OPT_CHOICE(type, field, name_, vname, list, def_, ...)             \
    {                                                                          \
        CLI_OPT_ROW(type, field, name_, CLI_STORE_CHOICE),                     \
            .value_name = (vname), .value = CLI_VALUE_CHOICE,                  \
            .choices = (list), .def = (def_), .help = __VA_ARGS__              \
    }
/* a decimal in thousandths within [lo, hi]; bad_ refuses the rest */
#define CLI_OPT_MILLI(type, field, name_, vname, lo, hi, def_, bad_, ...)      \
    {                                                                          \
        CLI_OPT_ROW(type, field, name_, CLI_STORE_MILLI),                      \
            .value_name = (vname), .value = CLI_VALUE_NUMBER, .min = (lo),     \
            .max = (hi), .def = (def_), .bad = (bad_), .help = __VA_ARGS__     \
    }
#define CLI_OPT_SECONDS(type, field, name_, vname, most, def_, ...)            \
    {                                                                          \
        CLI_OPT_ROW(type, field, name_, CLI_STORE_SECONDS),                    \
            .value_name = (vname), .value = CLI_VALUE_SECONDS, .max = (most),  \
            .def = (def_), .help = __VA_ARGS__                                 \
    }

/* Rows several commands share. */
#define CLI_OPTION_FORMAT(type, field, list, default_name)                     \
    CLI_OPT_CHOICE(type, field, "format", "F", list, default_name, NULL)
#define CLI_OUTPUT_HELP "write to F (atomically) instead of standard output"
#define CLI_OPTION_OUTPUT(type, field, text)                                   \
    CLI_OPT_TEXT(type, field, "output", "F", CLI_VALUE_OUTPUT, text,           \
                 .short_name = 'o')
#define CLI_OPTION_CONFIG(type, field, text)                                   \
    CLI_OPT_TEXT(type, field, "config", "NAME", CLI_VALUE_CONFIG, text,        \
                 .short_name = 'c', .env = "MIG_PARTED_SELECTED_CONFIG")
/* -f FILE: mig-parted's spelling of the config file operand. */
#define CLI_OPTION_CONFIG_FILE(type, field, list)                              \
    {                                                                          \
        CLI_OPT_ROW(type, field, "config-file",                                \
                    (list) ? CLI_STORE_LIST : CLI_STORE_STRING),               \
            .short_name = 'f', .value_name = "FILE", .value = CLI_VALUE_FILE,  \
            .max = CLI_LIST_MAX,                                               \
            .help = "the config file, as mig-parted's -f (or give it as the "  \
                    "operand)"                                                 \
    }
/* --gpu MODEL, once (plan, advise, import-profiles) or repeated (check,
 * script) */
#define CLI_OPTION_GPU(type, field, text)                                      \
    CLI_OPT_TEXT(type, field, "gpu", "MODEL", CLI_VALUE_MODEL, text)
#define CLI_OPTION_GPUS(type, field, text)                                     \
    CLI_OPT_LIST(type, field, "gpu", "MODEL", CLI_VALUE_MODEL, 64, text)
#define CLI_OPTION_NODE(type, field, text)                                     \
    CLI_OPT_TEXT(type, field, "node", "FILE", CLI_VALUE_FILE, text)
#define CLI_OPTION_SYSTEMD(type, field, text)                                  \
    CLI_OPT_TEXT(type, field, "systemd", "PATH", CLI_VALUE_PATH, text)
#define CLI_OPTION_VERBOSE(type, field, text)                                  \
    CLI_OPT_FLAG(type, field, "verbose", text, .short_name = 'v')
/* size and advise: a percentile of measured memory (text says of what;
 * bad is the refusal) and the headroom added to it, in thousandths. */
#define CLI_OPTION_PERCENTILE(type, field, text, bad_text)                     \
    CLI_OPT_MILLI(type, field, "percentile", "P", 1, 100000, "95", bad_text,   \
                  text)
#define CLI_OPTION_HEADROOM(type, field)                                       \
    CLI_OPT_MILLI(type, field, "headroom", "PCT", 0, 1000000, "10",            \
                  "--headroom takes a percentage from 0 to 1000, not '%s'",    \
                  "percent added to it, 0 to 1000")

/* Operands: `lo` to `hi` of them, CLI_STORE_STRING (one) or CLI_STORE_LIST. */
#define CLI_OPERAND(type, field, label, store_, kind, lo, hi, missing_text,    \
                    extra_text)                                                \
    {                                                                          \
        .name = (label), .store = (store_), .offset = offsetof(type, field),   \
        .value = (kind), .min = (lo), .max = (hi), .missing = (missing_text),  \
        .extra = (extra_text)                                                  \
    }
/* One input file (plan, script). */
#define CLI_OPERAND_FILE(type, field, label, missing_text, extra_text)         \
    CLI_OPERAND(type, field, label, CLI_STORE_STRING, CLI_VALUE_FILE, 1, 1,    \
                missing_text, extra_text)
/* One or more input files (check, size, advise, import-profiles). */
#define CLI_OPERAND_FILES(type, field, label, most, missing_text, extra_text)  \
    CLI_OPERAND(type, field, label, CLI_STORE_LIST, CLI_VALUE_FILE, 1, most,   \
                missing_text, extra_text)
/* The MODEL operand (geometries, fit). */
#define CLI_OPERAND_MODEL(type, field, missing_text, extra_text)               \
    CLI_OPERAND(type, field, "MODEL", CLI_STORE_STRING, CLI_VALUE_MODEL, 1, 1, \
                missing_text, extra_text)

/* A command's option rows and its operand rows, in order, each table ended
 * by the row that ends every table: .options = CLI_OPTIONS(CLI_OPT_FLAG(
 * ...), ...), .operands = CLI_OPERANDS(CLI_OPERAND_FILE(...)). */
#define CLI_TABLE(row_type, ...)                                               \
    (const row_type[])                                                         \
    {                                                                          \
        __VA_ARGS__,                                                           \
        {                                                                      \
            .name = NULL                                                       \
        }                                                                      \
    }
#define CLI_OPTIONS(...) CLI_TABLE(cli_option, __VA_ARGS__)
#define CLI_OPERANDS(...) CLI_TABLE(cli_operand, __VA_ARGS__)

/* What every cmd_<name>.c binds alike in its cli_command: the command's
 * name, its handler `run` and its argument struct. */
#define CLI_COMMAND_BINDING(name_, args_type)                                  \
    .name = (name_), .run = run, .args_size = sizeof(args_type)

/* Every command, in `migplan --help` order, NULL-terminated. */
extern const cli_command *const cli_commands[];
/* Options every command accepts (--help, --profiles, --ascii, --unicode);
 * their fields are in cli_ctx. */
extern const cli_option cli_common_options[];
/* Options before the command (--profiles, --version, --help). */
extern const cli_option cli_global_options[];

/* The command called name, or NULL. */
const cli_command *cli_command_find(const char *name);

/* Outcomes of cli_parse besides 0 (run the command). */
enum { CLI_BAD = -1, CLI_HELP = -2 };

/* Read argv[1..argc) (argv[0] is the command name) into args, a zeroed
 * struct of cmd->args_size bytes: defaults first, then options and
 * operands; common options go to c. Returns 0, CLI_HELP after printing the
 * help to standard output, or CLI_BAD after printing a usage error. */
int cli_parse(struct cli_ctx *c, const cli_command *cmd, int argc, char **argv,
              void *args);

/* The command's --help text. */
void cli_help(const cli_command *cmd, mp_buf *out);

/* `migplan --help`: the commands, the global options, the exit statuses. */
void cli_main_help(mp_buf *out);

/* Every command as an item of a list (zsh's _describe, the man page):
 * before, its name as quote() writes it, between, its summary quoted
 * alike, after. */
void cli_command_items(void (*quote)(const char *s, mp_buf *out),
                       const char *before, const char *between,
                       const char *after, mp_buf *out);

/* The help line of an option, without the left column: its help, the
 * choices with the default marked, " (default X)" for other defaults. */
void cli_option_help(const cli_option *o, mp_buf *out);

/* That help line as quote() writes it (for zsh, for roff). */
void cli_option_help_quoted(const cli_option *o,
                            void (*quote)(const char *s, mp_buf *out),
                            mp_buf *out);

#endif
