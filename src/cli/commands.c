/* SPDX-License-Identifier: Apache-2.0 */
/* commands.c - the command table and the options every command shares:
 * the data `migplan --help`, each command's --help, and (later) the man
 * page and shell completions are made from. */
#include <stddef.h>

#include "cli.h"

const cli_command *const cli_commands[] = {
    &cli_cmd_gpus,       &cli_cmd_profiles,
    &cli_cmd_geometries, &cli_cmd_fit,
    &cli_cmd_plan,       &cli_cmd_check,
    &cli_cmd_script,     &cli_cmd_size,
    &cli_cmd_advise,     &cli_cmd_import_profiles,
    &cli_cmd_completion, NULL,
};

const cli_choice cli_table_formats[] = {
    {"table", CLI_FORMAT_TABLE, NULL},
    {"json", CLI_FORMAT_JSON, NULL},
    {NULL, 0, NULL},
};

#define DRIVER_HELP                                                            \
    "use profile memory sizes seen with driver V (580, 580.173.02) where "     \
    "known; default: the newest"

/* --color: a string checked by cli_color_check, so that the global row
 * (stored as a string by main.c) and the common row agree. */
static const cli_choice color_choices[] = {
    {"auto", 0, NULL},
    {"always", 1, NULL},
    {"never", 2, NULL},
    {NULL, 0, NULL},
};
#define COLOR_HELP                                                             \
    "colour for severities, diffs and diagrams: auto (the default: on a "      \
    "terminal, unless NO_COLOR is set), always or never"
#define COLOR_ROW                                                              \
    {                                                                          \
        CLI_OPT_ROW(cli_ctx, color, "color", CLI_STORE_STRING),                \
            .value_name = "WHEN", .value = CLI_VALUE_CHOICE,                   \
            .choices = color_choices, .help = COLOR_HELP                       \
    }

/* Rows both tables have: after the command they are listed in its help by
 * their CLI_SHOW_* bit, before it they are the global options. */
#define HELP_ROW                                                               \
    {                                                                          \
        .name = "help", .short_name = 'h', .store = CLI_STORE_HELP,            \
        .help = "print this help"                                              \
    }
#define PROFILES_ROW(...)                                                      \
    CLI_OPT_TEXT(cli_ctx, profiles_dir, "profiles", "DIR", CLI_VALUE_DIR,      \
                 __VA_ARGS__)
#define DRIVER_ROW(...)                                                        \
    CLI_OPT_TEXT(cli_ctx, driver, "driver", "V", CLI_VALUE_DRIVER,             \
                 DRIVER_HELP, __VA_ARGS__)

const cli_option cli_common_options[] = {
    HELP_ROW,
    PROFILES_ROW("also load the profile files in DIR",
                 .show = CLI_SHOW_PROFILES),
    DRIVER_ROW(.show = CLI_SHOW_PROFILES),
    CLI_OPT_FLAG(cli_ctx, ascii, "ascii", "draw diagrams with ASCII characters",
                 .show = CLI_SHOW_DIAGRAM),
    CLI_OPT_FLAG(cli_ctx, unicode, "unicode",
                 "draw diagrams with box-drawing characters (the default on a "
                 "UTF-8 terminal)",
                 .show = CLI_SHOW_DIAGRAM),
    COLOR_ROW,
    {.name = NULL},
};

const cli_option cli_global_options[] = {
    PROFILES_ROW("also load profiles/*.yaml from DIR (same id replaces a "
                 "shipped model); or set MIGPLAN_PROFILES"),
    DRIVER_ROW(.show = 0),
    COLOR_ROW,
    {.name = "version",
     .short_name = 'V',
     .store = CLI_STORE_VERSION,
     .help = "print the version, commit and profile data"},
    {.name = "man",
     .store = CLI_STORE_MAN,
     .help = "print the man page migplan(1) (roff; `man -l -` reads it)"},
    HELP_ROW,
    {.name = NULL},
};
