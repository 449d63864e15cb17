/* SPDX-License-Identifier: Apache-2.0 */
/* main.c - migplan's entry point: the global options before the command,
 * then the command from the table in commands.c. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli_complete.h"
#include "cli_version.h"
#include "migplan/util/suggest.h"

static void usage(FILE *f)
{
    mp_buf b = MP_BUF_INIT;
    cli_main_help(&b);
    fputs(mp_buf_str(&b), f);
    mp_buf_free(&b);
}

/* The global option a is ("--name", "--name=value", "-x"), or NULL; *val
 * gets an inline value. */
static const cli_option *global_option(const char *a, const char **val)
{
    *val = NULL;
    for (const cli_option *o = cli_global_options; o->name; o++) {
        size_t n = strlen(o->name);
        if (a[1] == '-' && strncmp(a + 2, o->name, n) == 0) {
            if (a[2 + n] == '\0')
                return o;
            if (a[2 + n] == '=' && o->value != CLI_VALUE_NONE) {
                *val = a + 3 + n;
                return o;
            }
        }
        if (o->short_name && a[1] == o->short_name && a[2] == '\0')
            return o;
    }
    return NULL;
}

/* Global options; returns the index of the command name, or -1 after
 * printing what ends the run with *rc. */
static int globals(cli_ctx *c, int argc, char **argv, int *rc)
{
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *val;
        const cli_option *o = global_option(argv[i], &val);
        if (o && o->value != CLI_VALUE_NONE && !val && i + 1 < argc)
            val = argv[++i];
        if (!o || (o->value != CLI_VALUE_NONE && !val)) {
            *rc = cli_usage_error(c, "unknown option '%s'", argv[i]);
            return -1;
        }
        switch (o->store) {
        case CLI_STORE_HELP:
            usage(stdout);
            *rc = EXIT_OK;
            return -1;
        case CLI_STORE_VERSION:
            *rc = cli_version(c, stdout);
            return -1;
        case CLI_STORE_MAN: {
            mp_buf b = MP_BUF_INIT;
            cli_man(&b);
            *rc = cli_write(c, &b, NULL);
            return -1;
        }
        default: /* the global rows that take a value store a string */
            *(const char **)((char *)c + o->offset) = val;
        }
    }
    return i;
}

/* Help, version and usage text go through stdio: a failed write (a full
 * disk, a closed pipe) shows only when stdout is flushed, so main checks it
 * once at the end rather than at every fputs. */
static int close_stdout(int rc)
{
    if (fflush(stdout) == 0 && !ferror(stdout))
        return rc;
    fprintf(stderr, "migplan: cannot write to standard output: %s\n",
            strerror(errno));
    return rc == EXIT_OK ? EXIT_USAGE : rc;
}

static int run(int argc, char **argv)
{
    cli_ctx c = {.argc = argc, .argv = argv};
    int rc = EXIT_OK;
    int i = globals(&c, argc, argv, &rc);
    if (i < 0)
        return rc;
    if (i >= argc) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *name = argv[i];
    if (strcmp(name, "help") == 0) {
        if (i + 1 >= argc) {
            usage(stdout);
            return EXIT_OK;
        }
        name = argv[i + 1];
        const cli_command *cmd = cli_command_find(name);
        if (cmd) {
            mp_buf b = MP_BUF_INIT;
            cli_help(cmd, &b);
            fputs(mp_buf_str(&b), stdout);
            mp_buf_free(&b);
            return EXIT_OK;
        }
    }
    const cli_command *cmd = cli_command_find(name);
    if (!cmd) {
        const char *names[64];
        int n = 0;
        for (int k = 0; cli_commands[k] && n < 64; k++)
            names[n++] = cli_commands[k]->name;
        const char *mean = mp_suggest(name, names, n);
        fprintf(stderr,
                "migplan: unknown command '%s'%s%s%s\nTry 'migplan "
                "--help'.\n",
                name, mean ? "; did you mean '" : "", mean ? mean : "",
                mean ? "'?" : "");
        return EXIT_USAGE;
    }
    rc = cli_run(&c, cmd, argc - i, argv + i);
    mp_db_free(c.db);
    return rc;
}

int main(int argc, char **argv)
{
    return close_stdout(run(argc, argv));
}
