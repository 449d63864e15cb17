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

#define CTX(f) offsetof(cli_ctx, f)
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
        .name = "color", .store = CLI_STORE_STRING, .offset = CTX(color),      \
        .value_name = "WHEN", .value = CLI_VALUE_CHOICE,                       \
        .choices = color_choices, .help = COLOR_HELP                           \
    }

const cli_option cli_common_options[] = {
    {.name = "help",
     .short_name = 'h',
     .store = CLI_STORE_HELP,
     .help = "print this help"},
    {.name = "profiles",
     .store = CLI_STORE_STRING,
     .offset = CTX(profiles_dir),
     .value_name = "DIR",
     .value = CLI_VALUE_DIR,
     .help = "also load the profile files in DIR",
     .show = CLI_SHOW_PROFILES},
    {.name = "driver",
     .store = CLI_STORE_STRING,
     .offset = CTX(driver),
     .value_name = "V",
     .value = CLI_VALUE_DRIVER,
     .help = DRIVER_HELP,
     .show = CLI_SHOW_PROFILES},
    {.name = "ascii",
     .store = CLI_STORE_TRUE,
     .offset = CTX(ascii),
     .help = "draw diagrams with ASCII characters",
     .show = CLI_SHOW_DIAGRAM},
    {.name = "unicode",
     .store = CLI_STORE_TRUE,
     .offset = CTX(unicode),
     .help = "draw diagrams with box-drawing characters (the default on a "
             "UTF-8 terminal)",
     .show = CLI_SHOW_DIAGRAM},
    COLOR_ROW,
    {.name = NULL},
};

const cli_option cli_global_options[] = {
    {.name = "profiles",
     .store = CLI_STORE_STRING,
     .offset = CTX(profiles_dir),
     .value_name = "DIR",
     .value = CLI_VALUE_DIR,
     .help = "also load profiles/*.yaml from DIR (same id replaces a shipped "
             "model); or set MIGPLAN_PROFILES"},
    {.name = "driver",
     .store = CLI_STORE_STRING,
     .offset = CTX(driver),
     .value_name = "V",
     .value = CLI_VALUE_DRIVER,
     .help = DRIVER_HELP},
    COLOR_ROW,
    {.name = "version",
     .short_name = 'V',
     .store = CLI_STORE_VERSION,
     .help = "print the version, commit and profile data"},
    {.name = "man",
     .store = CLI_STORE_MAN,
     .help = "print the man page migplan(1) (roff; `man -l -` reads it)"},
    {.name = "help",
     .short_name = 'h',
     .store = CLI_STORE_HELP,
     .help = "print this help"},
    {.name = NULL},
};
