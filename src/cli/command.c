/* SPDX-License-Identifier: Apache-2.0 */
/* command.c - one parser and one help writer for every command, driven by
 * the option and operand tables of command.h. */
#include "command.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_complete.h"
#include "cli_version.h"
#include "migplan/model/sizing.h" /* mp_parse_milli */

const cli_command *cli_command_find(const char *name)
{
    for (int k = 0; cli_commands[k]; k++)
        if (strcmp(cli_commands[k]->name, name) == 0)
            return cli_commands[k];
    return NULL;
}

/* ------------------------------------------------------------ parsing */

typedef struct parser {
    struct cli_ctx *c;
    const cli_command *cmd;
    int argc;
    char **argv;
    int i;
    bool positional_only; /* after "--" */
    void *args;
    int operand; /* the operand being filled */
    int count;   /* values it has */
    /* single-value options given so far, and their values */
    const cli_option *given[64];
    const char *given_val[64];
    int ngiven;
} parser;

static void *field(void *base, size_t offset)
{
    return (char *)base + offset;
}

/* A usage error whose text may hold one %s for arg (no printf on table
 * text). */
static void usage_with(struct cli_ctx *c, const char *text, const char *arg)
{
    const char *at = strstr(text, "%s");
    if (!at)
        cli_usage_error(c, "%s", text);
    else
        cli_usage_error(c, "%.*s%s%s", (int)(at - text), text, arg, at + 2);
}

/* The row for a long name name[0..len) or a short name; *base gets where
 * its field lives (the arguments or the context). */
static const cli_option *lookup(parser *p, const char *name, size_t len,
                                char short_name, void **base)
{
    const cli_option *tables[2] = {p->cmd->options, cli_common_options};
    void *bases[2] = {p->args, p->c};
    for (int t = 0; t < 2; t++)
        for (const cli_option *o = tables[t]; o->name; o++) {
            bool hit = name ? strlen(o->name) == len &&
                                  strncmp(o->name, name, len) == 0
                            : o->short_name && o->short_name == short_name;
            if (hit) {
                *base = bases[t];
                return o;
            }
        }
    return NULL;
}

static bool takes_value(const cli_option *o)
{
    return o->value != CLI_VALUE_NONE;
}

static int store_choice(parser *p, const cli_option *o, const char *arg,
                        int *out)
{
    char list[200] = "";
    size_t k = 0;
    for (const cli_choice *ch = o->choices; ch->name; ch++) {
        if (strcmp(ch->name, arg) == 0) {
            *out = ch->value;
            return 0;
        }
        mp_catf(list, sizeof(list), &k, "%s%s", ch == o->choices ? "" : ", ",
                ch->name);
    }
    if (o->bad)
        usage_with(p->c, o->bad, arg);
    else
        cli_usage_error(p->c, "unknown %s '%s'; use one of: %s", o->name, arg,
                        list);
    return CLI_BAD;
}

/* Do what row o says with arg (NULL for flags). */
static int apply(parser *p, const cli_option *o, void *base, const char *arg)
{
    void *f = field(base, o->offset);
    if (arg && !*arg) {
        cli_usage_error(p->c, "--%s needs a value, not an empty string",
                        o->name);
        return CLI_BAD;
    }
    switch (o->store) {
    case CLI_STORE_HELP: {
        mp_buf b = MP_BUF_INIT;
        cli_help(p->cmd, &b);
        fputs(mp_buf_str(&b), stdout);
        mp_buf_free(&b);
        return CLI_HELP;
    }
    case CLI_STORE_VERSION:
        return cli_version(p->c, stdout) == EXIT_OK ? CLI_HELP : CLI_BAD;
    case CLI_STORE_MAN: {
        mp_buf b = MP_BUF_INIT;
        cli_man(&b);
        fputs(mp_buf_str(&b), stdout);
        mp_buf_free(&b);
        return CLI_HELP;
    }
    case CLI_STORE_TRUE:
        *(bool *)f = true;
        return 0;
    case CLI_STORE_INT:
        *(int *)f = o->set;
        return 0;
    case CLI_STORE_STRING:
        *(const char **)f = arg;
        return 0;
    case CLI_STORE_LIST: {
        cli_list *l = f;
        if (l->n == o->max || l->n == CLI_LIST_MAX) {
            cli_usage_error(p->c, "too many --%s", o->name);
            return CLI_BAD;
        }
        l->v[l->n++] = arg;
        return 0;
    }
    case CLI_STORE_CHOICE:
        return store_choice(p, o, arg, f);
    case CLI_STORE_SECONDS: {
        char *end;
        double v = strtod(arg, &end);
        if (*end || !(v > 0) || v > o->max) {
            cli_usage_error(p->c,
                            "--%s takes seconds, more than 0 and at most %d, "
                            "not '%s'",
                            o->name, o->max, arg);
            return CLI_BAD;
        }
        *(double *)f = v;
        return 0;
    }
    case CLI_STORE_MILLI:
        if (mp_parse_milli(arg, o->min, o->max, f))
            return 0;
        if (o->bad)
            usage_with(p->c, o->bad, arg);
        else
            cli_usage_error(p->c, "--%s takes a number from %g to %g, not '%s'",
                            o->name, o->min / 1000.0, o->max / 1000.0, arg);
        return CLI_BAD;
    }
    return 0;
}

/* A row that keeps one value (a string, a choice, a number): given twice
 * with different values it is refused, never silently the last. Repeatable
 * options are CLI_STORE_LIST rows; the same value twice is harmless. */
static int once(parser *p, const cli_option *o, void *base, const char *val)
{
    bool single = o->store == CLI_STORE_STRING ||
                  o->store == CLI_STORE_CHOICE ||
                  o->store == CLI_STORE_SECONDS || o->store == CLI_STORE_MILLI;
    if (!single)
        return 0;
    const char *before = o->store == CLI_STORE_STRING && !o->def
                             ? *(const char **)field(base, o->offset)
                             : NULL;
    if (before && strcmp(before, val) != 0) {
        /* set by the operand it stands for (-f FILE) */
        cli_usage_error(p->c, "--%s is given twice ('%s', then '%s')", o->name,
                        before, val);
        return CLI_BAD;
    }
    for (int k = 0; k < p->ngiven; k++) {
        if (p->given[k] != o)
            continue;
        if (strcmp(p->given_val[k], val) == 0)
            return 0;
        cli_usage_error(p->c,
                        "--%s is given twice ('%s', then '%s'); it takes one "
                        "value",
                        o->name, p->given_val[k], val);
        return CLI_BAD;
    }
    if (p->ngiven < 64) {
        p->given[p->ngiven] = o;
        p->given_val[p->ngiven++] = val;
    }
    return 0;
}

/* "--name", "--name=value", "--name value", "-x", "-xvalue", "-x value" */
static int option(parser *p, const char *a)
{
    const cli_option *o;
    void *base;
    const char *val = NULL;
    if (a[1] == '-') {
        const char *name = a + 2, *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        if (!(o = lookup(p, name, len, 0, &base))) {
            cli_usage_error(p->c, "unknown option '--%.*s'", (int)len, name);
            return CLI_BAD;
        }
        if (eq)
            val = eq + 1;
    } else {
        o = lookup(p, NULL, 0, a[1], &base);
        if (!o || (a[2] && !takes_value(o))) {
            cli_usage_error(p->c, "unknown option '%s'", a);
            return CLI_BAD;
        }
        if (a[2])
            val = a + 2;
    }
    if (takes_value(o) && !val) {
        if (p->i >= p->argc) {
            cli_usage_error(p->c, "option '--%s' needs a value", o->name);
            return CLI_BAD;
        }
        val = p->argv[p->i++];
    } else if (!takes_value(o) && val) {
        cli_usage_error(p->c, "option '--%s' takes no value", o->name);
        return CLI_BAD;
    }
    if (val && once(p, o, base, val) != 0)
        return CLI_BAD;
    return apply(p, o, base, val);
}

static int operand(parser *p, const char *a)
{
    const cli_operand *ops = p->cmd->operands;
    if (!ops || !ops[0].name) {
        usage_with(p->c, "unexpected argument '%s'", a);
        return CLI_BAD;
    }
    while (p->count == ops[p->operand].max && ops[p->operand + 1].name) {
        p->operand++;
        p->count = 0;
    }
    const cli_operand *op = &ops[p->operand];
    if (p->count == op->max) {
        usage_with(p->c, op->extra, a);
        return CLI_BAD;
    }
    void *f = field(p->args, op->offset);
    if (op->store != CLI_STORE_LIST && *(const char **)f &&
        strcmp(*(const char **)f, a) != 0) {
        cli_usage_error(p->c, "%s is given twice ('%s', then '%s')", op->name,
                        *(const char **)f, a);
        return CLI_BAD;
    }
    if (op->store == CLI_STORE_LIST) {
        cli_list *l = f;
        l->v[l->n] = a;
        l->n++;
    } else {
        *(const char **)f = a;
    }
    p->count++;
    return 0;
}

/* The value of environment variable name, or NULL when unset or empty. */
static const char *env_value(const char *name)
{
    const char *v = name ? getenv(name) : NULL;
    return v && *v ? v : NULL;
}

/* Every operand has at least its minimum (an operand with an environment
 * variable takes its value when none is given). */
static int enough(parser *p)
{
    const cli_operand *ops = p->cmd->operands;
    for (int k = 0; ops && ops[k].name; k++) {
        void *f = field(p->args, ops[k].offset);
        bool list = ops[k].store == CLI_STORE_LIST;
        int n = list ? ((const cli_list *)f)->n : *(const char **)f != NULL;
        const char *ev = n == 0 ? env_value(ops[k].env) : NULL;
        if (ev && list)
            ((cli_list *)f)->v[((cli_list *)f)->n++] = ev;
        else if (ev)
            *(const char **)f = ev;
        n += ev != NULL;
        if (n < ops[k].min) {
            usage_with(p->c, ops[k].missing, "");
            return CLI_BAD;
        }
    }
    return 0;
}

/* Options not given that name an environment variable take its value. */
static int from_env(parser *p)
{
    for (const cli_option *o = p->cmd->options; o->name; o++) {
        const char *ev = env_value(o->env);
        if (ev && o->store == CLI_STORE_STRING &&
            !*(const char **)field(p->args, o->offset) &&
            apply(p, o, p->args, ev) != 0)
            return CLI_BAD;
    }
    return 0;
}

/* `-o json` is a kubectl habit; here -o names the file to write. */
static void warn_output_format(parser *p)
{
    const cli_option *out = NULL, *fmt = NULL;
    for (const cli_option *o = p->cmd->options; o->name; o++) {
        if (strcmp(o->name, "output") == 0)
            out = o;
        if (strcmp(o->name, "format") == 0 && o->store == CLI_STORE_CHOICE)
            fmt = o;
    }
    const char *path = out ? *(const char **)field(p->args, out->offset) : NULL;
    for (const cli_choice *ch = fmt ? fmt->choices : NULL;
         path && ch && ch->name; ch++)
        if (strcmp(ch->name, path) == 0)
            fprintf(stderr,
                    "migplan %s: warning: -o %s writes the output to a file "
                    "named '%s'; to choose the output format, use --format "
                    "%s\n",
                    p->cmd->name, path, path, path);
}

/* Is v standard input: "-", or for --current NODE=- too? */
static bool is_stdin(const char *v, const char *name, bool option)
{
    size_t n = v ? strlen(v) : 0;
    return (n == 1 && v[0] == '-') || (option && strcmp(name, "current") == 0 &&
                                       n >= 2 && strcmp(v + n - 2, "=-") == 0);
}

/* Add to *n the values "-" (standard input) of a file field f, naming the
 * first two in who[]. */
static void count_stdin(const void *f, cli_store store, const char *name,
                        bool option, int *n, char who[2][80])
{
    const char *const *v = store == CLI_STORE_LIST ? ((const cli_list *)f)->v
                                                   : (const char *const *)f;
    int k = store == CLI_STORE_LIST ? ((const cli_list *)f)->n : 1;
    for (int i = 0; i < k; i++)
        if (is_stdin(v[i], name, option)) {
            if (*n < 2)
                snprintf(who[*n], sizeof(who[0]), "%s%s", option ? "--" : "",
                         name);
            (*n)++;
        }
}

/* Does an input operand fill the field at offset (an operand spelled as
 * an option too, like -f FILE)? */
static bool operand_field(const parser *p, size_t offset)
{
    for (const cli_operand *op = p->cmd->operands; op && op->name; op++)
        if (op->value == CLI_VALUE_FILE && op->offset == offset)
            return true;
    return false;
}

/* Standard input can be read once: two inputs given as - are refused. */
static int one_stdin(parser *p)
{
    int n = 0;
    char who[2][80];
    for (const cli_operand *op = p->cmd->operands; op && op->name; op++)
        if (op->value == CLI_VALUE_FILE)
            count_stdin(field(p->args, op->offset), op->store, op->name, false,
                        &n, who);
    for (const cli_option *o = p->cmd->options; o->name; o++)
        if (o->value == CLI_VALUE_FILE &&
            (o->store == CLI_STORE_STRING || o->store == CLI_STORE_LIST) &&
            !operand_field(p, o->offset))
            count_stdin(field(p->args, o->offset), o->store, o->name, true, &n,
                        who);
    if (n < 2)
        return 0;
    if (strcmp(who[0], who[1]) == 0)
        cli_usage_error(p->c,
                        "standard input (-) is given twice as %s; it can be "
                        "read only once",
                        who[0]);
    else
        cli_usage_error(p->c,
                        "standard input (-) can be read only once, but %s and "
                        "%s both name it; save one of them to a file",
                        who[0], who[1]);
    return CLI_BAD;
}

/* Defaults as if typed first; a bad default is a table bug. */
static int defaults(parser *p)
{
    for (const cli_option *o = p->cmd->options; o->name; o++)
        if (o->def && apply(p, o, p->args, o->def) != 0)
            return CLI_BAD;
    return 0;
}

int cli_parse(struct cli_ctx *c, const cli_command *cmd, int argc, char **argv,
              void *args)
{
    parser p = {
        .c = c, .cmd = cmd, .argc = argc, .argv = argv, .i = 1, .args = args};
    int r = defaults(&p);
    while (!r && p.i < p.argc) {
        const char *a = p.argv[p.i++];
        if (!p.positional_only && strcmp(a, "--") == 0)
            p.positional_only = true;
        else if (p.positional_only || a[0] != '-' || strcmp(a, "-") == 0)
            r = operand(&p, a);
        else
            r = option(&p, a);
    }
    if (!r)
        r = from_env(&p);
    if (!r)
        warn_output_format(&p);
    if (!r)
        r = one_stdin(&p);
    return r ? r : enough(&p);
}

/* --------------------------------------------------------------- help */

#define HELP_WIDTH 74    /* longest help line */
#define HELP_MIN_LEFT 17 /* width of the option column, at least */

void cli_option_help(const cli_option *o, mp_buf *out)
{
    if (o->help)
        mp_buf_puts(out, o->help);
    if (o->store == CLI_STORE_CHOICE && !o->help) {
        int n = 0;
        while (o->choices[n].name)
            n++;
        for (int i = 0; i < n; i++) {
            const cli_choice *ch = &o->choices[i];
            bool is_def = o->def && strcmp(o->def, ch->name) == 0;
            const char *sep = i == 0 ? "" : n > 2 ? ", " : " ";
            mp_buf_printf(out, "%s%s%s", sep, i && i == n - 1 ? "or " : "",
                          ch->name);
            if (is_def || ch->help)
                mp_buf_printf(out, " (%s%s%s)", is_def ? "default" : "",
                              is_def && ch->help ? ", " : "",
                              ch->help ? ch->help : "");
        }
    } else if (o->def) {
        mp_buf_printf(out, " (default %s)", o->def);
    }
    if (o->env)
        mp_buf_printf(out, " (env %s)", o->env);
}

static void left_column(const cli_option *o, char *buf, size_t n)
{
    size_t k = 0;
    buf[0] = '\0';
    if (o->short_name)
        mp_catf(buf, n, &k, "-%c, ", o->short_name);
    mp_catf(buf, n, &k, "--%s", o->name);
    if (o->value_name)
        mp_catf(buf, n, &k, " %s", o->value_name);
}

/* A command's help shows its own rows and the common rows it names. */
static bool shown(const cli_option *o, bool common, unsigned bits)
{
    return !common || (o->show & bits) != 0;
}

static void option_lines(const cli_option *own, unsigned bits, mp_buf *out)
{
    const cli_option *tables[2] = {own, cli_common_options};
    char left[128];
    int width = HELP_MIN_LEFT;
    for (int t = 0; t < 2; t++)
        for (const cli_option *o = tables[t]; o->name; o++) {
            left_column(o, left, sizeof(left));
            if (shown(o, t == 1, bits) && (int)strlen(left) > width)
                width = (int)strlen(left);
        }
    for (int t = 0; t < 2; t++)
        for (const cli_option *o = tables[t]; o->name; o++) {
            if (!shown(o, t == 1, bits))
                continue;
            left_column(o, left, sizeof(left));
            mp_buf help = MP_BUF_INIT;
            cli_option_help(o, &help);
            mp_buf_printf(out, "  %-*s ", width, left);
            mp_buf_wrap(out, mp_buf_str(&help), width + 3, width + 3,
                        HELP_WIDTH);
            mp_buf_free(&help);
        }
}

/* Paragraphs of prose (separated by blank lines), each wrapped; a
 * paragraph that starts with a space is shown as it is written (commands
 * to type, lists). */
static void paragraphs(const char *text, mp_buf *out)
{
    mp_buf par = MP_BUF_INIT;
    for (const char *p = text; *p;) {
        const char *end = strstr(p, "\n\n");
        size_t n = end ? (size_t)(end - p) : strlen(p);
        mp_buf_reset(&par);
        mp_buf_add(&par, p, n);
        if (*p == ' ')
            mp_buf_printf(out, "%s\n", mp_buf_str(&par));
        else
            mp_buf_wrap(out, mp_buf_str(&par), 0, 0, HELP_WIDTH);
        p += n;
        if (end) {
            mp_buf_putc(out, '\n');
            p += 2;
        }
    }
    mp_buf_free(&par);
}

void cli_help(const cli_command *cmd, mp_buf *out)
{
    mp_buf_printf(out, "%s\n", cmd->synopsis);
    paragraphs(cmd->description, out);
    mp_buf_putc(out, '\n');
    option_lines(cmd->options, cmd->common, out);
    if (cmd->footer) {
        mp_buf_putc(out, '\n');
        paragraphs(cmd->footer, out);
    }
}

void cli_option_help_quoted(const cli_option *o,
                            void (*quote)(const char *s, mp_buf *out),
                            mp_buf *out)
{
    mp_buf help = MP_BUF_INIT;
    cli_option_help(o, &help);
    quote(mp_buf_str(&help), out);
    mp_buf_free(&help);
}

void cli_command_items(void (*quote)(const char *s, mp_buf *out),
                       const char *before, const char *between,
                       const char *after, mp_buf *out)
{
    for (int k = 0; cli_commands[k]; k++) {
        mp_buf_puts(out, before);
        quote(cli_commands[k]->name, out);
        mp_buf_puts(out, between);
        quote(cli_commands[k]->summary, out);
        mp_buf_puts(out, after);
    }
}

void cli_main_help(mp_buf *out)
{
    mp_buf_printf(out,
                  "migplan %s - plan, check and script NVIDIA MIG layouts\n"
                  "\n"
                  "Usage: migplan [--profiles DIR] [--driver V] COMMAND "
                  "[ARGS...]\n"
                  "       migplan COMMAND --help\n"
                  "\n"
                  "Commands:\n",
                  MIGPLAN_VERSION);
    int width = 11;
    for (int k = 0; cli_commands[k]; k++)
        if ((int)strlen(cli_commands[k]->name) > width)
            width = (int)strlen(cli_commands[k]->name);
    for (int k = 0; cli_commands[k]; k++)
        mp_buf_printf(out, "  %-*s %s\n", width, cli_commands[k]->name,
                      cli_commands[k]->summary);
    mp_buf_puts(out, "\nGlobal options:\n");
    option_lines(cli_global_options, 0, out);
    mp_buf_putc(out, '\n');
    paragraphs("Exit status: 0 success, 1 findings (check errors, infeasible "
               "plan), 2 usage or input errors, 3 internal error (a bug: "
               "please report it).",
               out);
}
