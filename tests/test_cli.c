/* SPDX-License-Identifier: Apache-2.0 */
/* test_cli.c - the CLI as data: exit statuses (internal errors exit 3),
 * the option parser on a table of its own, every command's tables, and
 * diagnostics quoted from the text that was parsed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli.h"

/* ---- capturing what a call writes to a file descriptor ---- */

typedef struct capture {
    int fd, saved;
    FILE *tmp;
    char text[4096];
} capture;

static void capture_start(capture *c, int fd)
{
    fflush(NULL);
    c->fd = fd;
    c->tmp = tmpfile();
    assert_non_null(c->tmp);
    c->saved = dup(fd);
    assert_true(dup2(fileno(c->tmp), fd) >= 0);
}

static const char *capture_end(capture *c)
{
    fflush(NULL);
    dup2(c->saved, c->fd);
    close(c->saved);
    rewind(c->tmp);
    size_t n = fread(c->text, 1, sizeof(c->text) - 1, c->tmp);
    c->text[n] = '\0';
    fclose(c->tmp);
    return c->text;
}

/* ---- exit statuses ---- */

static void test_exit_codes(void **state)
{
    (void)state;
    assert_int_equal(cli_exit_code(0), EXIT_OK);
    assert_int_equal(cli_exit_code(MP_EINFEASIBLE), EXIT_FINDINGS);
    assert_int_equal(cli_exit_code(MP_ENOMEM), EXIT_INTERNAL);
    assert_int_equal(cli_exit_code(MP_EINTERNAL), EXIT_INTERNAL);
    assert_int_equal(cli_exit_code(MP_EIO), EXIT_USAGE);
    assert_int_equal(cli_exit_code(MP_ESCHEMA), EXIT_USAGE);
    assert_int_equal(cli_exit_code(MP_ELIMIT), EXIT_USAGE);
    assert_int_equal(cli_exit_code(-999), EXIT_USAGE);
    /* internal errors have a status of their own, not usage's */
    assert_int_not_equal(EXIT_INTERNAL, EXIT_USAGE);
    int internal = 0;
#define COUNT_INTERNAL(name, val, desc)                                        \
    internal += cli_exit_code(val) == EXIT_INTERNAL;
    MP_ERRNO_MAP(COUNT_INTERNAL)
#undef COUNT_INTERNAL
    assert_int_equal(internal, 2);
}

static void test_internal_error_message(void **state)
{
    (void)state;
    cli_ctx c = {.cmd = "plan"};
    mp_diag d;
    mp_diag_clear(&d);
    mp_diag_set(&d, MP_EINTERNAL, "r.yaml", 3, 4, "the branch went astray");
    capture cap;
    capture_start(&cap, STDERR_FILENO);
    int rc = cli_fail(&c, &d);
    const char *err = capture_end(&cap);
    assert_int_equal(rc, 3);
    assert_non_null(strstr(err, "migplan plan: internal error: the branch "
                                "went astray\n"));
    assert_non_null(strstr(err, "report"));
}

static void test_output_out_of_memory(void **state)
{
    (void)state;
    cli_ctx c = {.cmd = "gpus"};
    mp_buf b = MP_BUF_INIT;
    mp_buf_puts(&b, "half a table");
    b.failed = true; /* as after a failed allocation */
    capture out, err;
    capture_start(&out, STDOUT_FILENO);
    capture_start(&err, STDERR_FILENO);
    int rc = cli_write(&c, &b, NULL);
    const char *e = capture_end(&err);
    const char *o = capture_end(&out);
    assert_int_equal(rc, EXIT_INTERNAL);
    assert_string_equal(o, "");
    assert_non_null(strstr(e, "internal error: out of memory"));
    assert_null(b.data); /* cli_write frees the buffer */
}

/* ---- the parser, on a command table of the test's own ---- */

enum { FMT_A = 7, FMT_B = 9 };

typedef struct t_args {
    int fmt;
    const char *out;
    bool flag;
    int mode;
    cli_list many;
    double secs;
    int milli;
    int kind;
    const char *first;
    cli_list rest;
} t_args;

static int t_runs;
static int t_run(cli_ctx *c, void *args)
{
    (void)c;
    (void)args;
    return ++t_runs;
}

static const cli_choice t_formats[] = {
    {"a", FMT_A, "the first"}, {"b", FMT_B, NULL}, {NULL, 0, NULL}};
static const cli_choice t_kinds[] = {
    {"p", 1, NULL}, {"q", 2, NULL}, {NULL, 0, NULL}};

#define T(f) offsetof(t_args, f)
static const cli_option t_options[] = {{.name = "format",
                                        .store = CLI_STORE_CHOICE,
                                        .offset = T(fmt),
                                        .value_name = "F",
                                        .value = CLI_VALUE_CHOICE,
                                        .choices = t_formats,
                                        .def = "b"},
                                       {.name = "output",
                                        .short_name = 'o',
                                        .store = CLI_STORE_STRING,
                                        .offset = T(out),
                                        .value_name = "F",
                                        .value = CLI_VALUE_OUTPUT,
                                        .help = "write to F"},
                                       {.name = "flag",
                                        .short_name = 'f',
                                        .store = CLI_STORE_TRUE,
                                        .offset = T(flag),
                                        .help = "a flag"},
                                       {.name = "on",
                                        .store = CLI_STORE_INT,
                                        .offset = T(mode),
                                        .help = "on",
                                        .set = 5},
                                       {.name = "many",
                                        .store = CLI_STORE_LIST,
                                        .offset = T(many),
                                        .value_name = "X",
                                        .value = CLI_VALUE_TEXT,
                                        .help = "repeatable",
                                        .max = 2},
                                       {.name = "secs",
                                        .store = CLI_STORE_SECONDS,
                                        .offset = T(secs),
                                        .value_name = "S",
                                        .value = CLI_VALUE_SECONDS,
                                        .help = "seconds",
                                        .def = "5",
                                        .max = 60},
                                       {.name = "pct",
                                        .store = CLI_STORE_MILLI,
                                        .offset = T(milli),
                                        .value_name = "P",
                                        .value = CLI_VALUE_NUMBER,
                                        .help = "a percentage",
                                        .def = "95",
                                        .min = 1,
                                        .max = 100000},
                                       {.name = "ratio",
                                        .store = CLI_STORE_MILLI,
                                        .offset = T(milli),
                                        .value_name = "R",
                                        .value = CLI_VALUE_NUMBER,
                                        .help = "a ratio",
                                        .max = 1000,
                                        .bad = "--ratio is from 0 to 1, not "
                                               "'%s'"},
                                       {.name = "kind",
                                        .store = CLI_STORE_CHOICE,
                                        .offset = T(kind),
                                        .value_name = "K",
                                        .value = CLI_VALUE_CHOICE,
                                        .choices = t_kinds,
                                        .def = "p",
                                        .bad = "--kind takes p or q, not "
                                               "'%s'"},
                                       {.name = NULL}};
static const cli_operand t_operands[] = {{.name = "FIRST",
                                          .store = CLI_STORE_STRING,
                                          .offset = T(first),
                                          .value = CLI_VALUE_FILE,
                                          .min = 1,
                                          .max = 1,
                                          .missing = "which first?",
                                          .extra = "not '%s' too"},
                                         {.name = "REST",
                                          .store = CLI_STORE_LIST,
                                          .offset = T(rest),
                                          .value = CLI_VALUE_TEXT,
                                          .min = 0,
                                          .max = 2,
                                          .missing = "which rest?",
                                          .extra = "no room for '%s'"},
                                         {.name = NULL}};
static const cli_command t_cmd = {
    .name = "t",
    .run = t_run,
    .args_size = sizeof(t_args),
    .summary = "a test",
    .synopsis = "Usage: migplan t FIRST [REST...]\n",
    .description = "A command for the tests.\n\n"
                   "  an example,   as written\n"
                   "    and its second line",
    .options = t_options,
    .operands = t_operands,
};

/* Parse a NULL-terminated list of words; stderr goes to err. */
static int parse(t_args *a, cli_ctx *c, char *err, ...)
{
    char *argv[32] = {"t"};
    int argc = 1;
    va_list ap;
    va_start(ap, err);
    for (char *w; (w = va_arg(ap, char *)) != NULL;)
        argv[argc++] = w;
    va_end(ap);
    memset(a, 0, sizeof(*a));
    capture cap;
    capture_start(&cap, STDERR_FILENO);
    int r = cli_parse(c, &t_cmd, argc, argv, a);
    snprintf(err, 512, "%s", capture_end(&cap));
    return r;
}

static void test_parse_fills_fields(void **state)
{
    (void)state;
    cli_ctx c = {.cmd = "t"};
    t_args a;
    char err[512];
    int r = parse(&a, &c, err, "one", "--format=a", "-ofile", "-f", "--on",
                  "--many", "x", "--many=y", "--secs", "2.5", "--ratio", "0.85",
                  "--kind=q", "two", "--", "-three", NULL);
    assert_string_equal(err, "");
    assert_int_equal(r, 0);
    assert_int_equal(a.fmt, FMT_A);
    assert_string_equal(a.out, "file");
    assert_true(a.flag);
    assert_int_equal(a.mode, 5);
    assert_int_equal(a.many.n, 2);
    assert_string_equal(a.many.v[1], "y");
    assert_true(a.secs == 2.5);
    assert_int_equal(a.milli, 850);
    assert_int_equal(a.kind, 2);
    assert_string_equal(a.first, "one");
    assert_int_equal(a.rest.n, 2); /* "two", and "-three" after "--" */
    assert_string_equal(a.rest.v[1], "-three");
}

static void test_parse_defaults_and_common(void **state)
{
    (void)state;
    cli_ctx c = {.cmd = "t"};
    t_args a;
    char err[512];
    assert_int_equal(
        parse(&a, &c, err, "x", "--ascii", "--profiles", "p", NULL), 0);
    assert_int_equal(a.fmt, FMT_B); /* the default choice */
    assert_true(a.secs == 5.0);
    assert_int_equal(a.milli, 95000); /* "95" in thousandths */
    assert_int_equal(a.kind, 1);
    assert_true(c.ascii);
    assert_string_equal(c.profiles_dir, "p");
}

static void test_parse_errors(void **state)
{
    (void)state;
    cli_ctx c = {.cmd = "t"};
    t_args a;
    char err[512];
    assert_int_equal(parse(&a, &c, err, NULL), CLI_BAD);
    assert_string_equal(err, "migplan t: which first?\nTry 'migplan t "
                             "--help'.\n");
    assert_int_equal(parse(&a, &c, err, "x", "--format", "c", NULL), CLI_BAD);
    assert_non_null(strstr(err, "unknown format 'c'; use one of: a, b"));
    assert_int_equal(parse(&a, &c, err, "x", "y", "z", "w", NULL), CLI_BAD);
    assert_non_null(strstr(err, "no room for 'w'"));
    assert_int_equal(parse(&a, &c, err, "x", "--many", "1", "--many", "2",
                           "--many", "3", NULL),
                     CLI_BAD);
    assert_non_null(strstr(err, "too many --many"));
    assert_int_equal(parse(&a, &c, err, "x", "--secs", "61", NULL), CLI_BAD);
    assert_non_null(
        strstr(err, "--secs takes seconds, more than 0 and at most 60"));
    assert_int_equal(parse(&a, &c, err, "x", "--pct", "0", NULL), CLI_BAD);
    assert_non_null(strstr(err, "--pct takes a number from 0.001 to 100, not "
                                "'0'"));
    assert_int_equal(parse(&a, &c, err, "x", "--ratio", "1.0001", NULL),
                     CLI_BAD);
    assert_non_null(strstr(err, "migplan t: --ratio is from 0 to 1, not "
                                "'1.0001'\n"));
    assert_int_equal(parse(&a, &c, err, "x", "--kind", "r", NULL), CLI_BAD);
    assert_non_null(strstr(err, "migplan t: --kind takes p or q, not 'r'\n"));
    assert_int_equal(parse(&a, &c, err, "x", "--flag=1", NULL), CLI_BAD);
    assert_non_null(strstr(err, "option '--flag' takes no value"));
    assert_int_equal(parse(&a, &c, err, "x", "-o", NULL), CLI_BAD);
    assert_non_null(strstr(err, "option '--output' needs a value"));
    assert_int_equal(parse(&a, &c, err, "x", "-fz", NULL), CLI_BAD);
    assert_non_null(strstr(err, "unknown option '-fz'"));
    assert_int_equal(parse(&a, &c, err, "x", "--nope=1", NULL), CLI_BAD);
    assert_non_null(strstr(err, "unknown option '--nope'"));
}

static void test_parse_help(void **state)
{
    (void)state;
    cli_ctx c = {.cmd = "t"};
    t_args a;
    char err[512];
    capture out;
    capture_start(&out, STDOUT_FILENO);
    int r = parse(&a, &c, err, "--help", "--format", "bad", NULL);
    const char *o = capture_end(&out);
    assert_int_equal(r, CLI_HELP);
    assert_string_equal(err, "");
    assert_non_null(strstr(o, "Usage: migplan t FIRST [REST...]\n\nA command "
                              "for the tests.\n\n  an example,   as "
                              "written\n    and its second line\n\n"));
    assert_non_null(strstr(o, "  --format F        a (the first) or b "
                              "(default)\n"));
    assert_non_null(strstr(o, "  --secs S          seconds (default 5)\n"));
    assert_non_null(strstr(o, "  -o, --output F    write to F\n"));
}

/* ---- the real tables ---- */

static size_t store_size(cli_store s)
{
    switch (s) {
    case CLI_STORE_TRUE:
        return sizeof(bool);
    case CLI_STORE_INT:
    case CLI_STORE_CHOICE:
    case CLI_STORE_MILLI:
        return sizeof(int);
    case CLI_STORE_STRING:
        return sizeof(const char *);
    case CLI_STORE_LIST:
        return sizeof(cli_list);
    case CLI_STORE_SECONDS:
        return sizeof(double);
    default:
        return 0;
    }
}

static void check_option(const cli_command *cmd, const cli_option *o)
{
    assert_true(o->offset + store_size(o->store) <= cmd->args_size);
    assert_true((o->value == CLI_VALUE_NONE) == (o->value_name == NULL));
    if (o->store == CLI_STORE_CHOICE) {
        assert_non_null(o->choices);
        bool def_found = false;
        for (const cli_choice *ch = o->choices; ch->name; ch++) {
            def_found |= o->def && strcmp(o->def, ch->name) == 0;
            for (const cli_choice *x = ch + 1; x->name; x++)
                assert_int_not_equal(ch->value, x->value);
        }
        /* no default: the command decides from its input (size --by) */
        assert_true(!o->def || def_found);
    } else {
        assert_non_null(o->help);
    }
    if (o->store == CLI_STORE_LIST)
        assert_true(o->max > 0 && o->max <= CLI_LIST_MAX);
    if (o->store == CLI_STORE_MILLI)
        assert_true(o->min >= 0 && o->min < o->max);
    /* no name or short name twice, counting the common options */
    const cli_option *tables[2] = {cmd->options, cli_common_options};
    int same = 0;
    for (int t = 0; t < 2; t++)
        for (const cli_option *x = tables[t]; x->name; x++)
            same += strcmp(x->name, o->name) == 0 ||
                    (o->short_name && x->short_name == o->short_name);
    assert_int_equal(same, 1);
}

static void test_command_tables(void **state)
{
    (void)state;
    int n = 0;
    for (int k = 0; cli_commands[k]; k++, n++) {
        const cli_command *cmd = cli_commands[k];
        assert_ptr_equal(cli_command_find(cmd->name), cmd);
        assert_non_null(cmd->run);
        assert_non_null(cmd->summary);
        for (const cli_option *o = cmd->options; o->name; o++)
            check_option(cmd, o);
        for (const cli_operand *p = cmd->operands; p && p->name; p++) {
            assert_true(p->store == CLI_STORE_STRING ||
                        p->store == CLI_STORE_LIST);
            assert_true(p->max >= p->min && p->max >= 1);
            assert_true(p->store == CLI_STORE_LIST ? p->max <= CLI_LIST_MAX
                                                   : p->max == 1);
            assert_true(p->offset + store_size(p->store) <= cmd->args_size);
            assert_non_null(p->missing);
            assert_non_null(p->extra);
        }
    }
    assert_int_equal(n, 11);
    assert_null(cli_command_find("nosuch"));
}

/* Every command's help names each of its options, and no line is wider
 * than a terminal. */
static void test_help_from_rows(void **state)
{
    (void)state;
    for (int k = 0; cli_commands[k]; k++) {
        mp_buf b = MP_BUF_INIT;
        cli_help(cli_commands[k], &b);
        const char *h = mp_buf_str(&b);
        for (const cli_option *o = cli_commands[k]->options; o->name; o++) {
            char want[64];
            snprintf(want, sizeof(want), "--%s", o->name);
            assert_non_null(strstr(h, want));
        }
        for (const char *l = h; *l;) {
            const char *e = strchr(l, '\n');
            assert_non_null(e);
            assert_true(e - l <= 80);
            l = e + 1;
        }
        mp_buf_free(&b);
    }
}

/* Words wrap at the width, a continuation at the indent, and a word after
 * text that does not end in a space gets one even at the indent. */
static void test_wrap(void **state)
{
    (void)state;
    mp_buf b = MP_BUF_INIT;
    mp_buf_puts(&b, "  ");
    mp_buf_wrap(&b, "id (a, b): one two three", 2, 4, 16);
    assert_string_equal(mp_buf_str(&b), "  id (a, b): one\n    two three\n");
    mp_buf_reset(&b);
    mp_buf_puts(&b, "  -x   ");
    mp_buf_wrap(&b, "  alpha  beta ", 7, 7, 80);
    assert_string_equal(mp_buf_str(&b), "  -x   alpha beta\n");
    mp_buf_free(&b);
}

/* ---- diagnostics quote the text that was parsed ---- */

static void test_diag_quote(void **state)
{
    (void)state;
    const char text[] = "a: 1\r\nbad:\tx\001\n";
    mp_diag d;
    mp_diag_clear(&d);
    mp_diag_set(&d, MP_ESCHEMA, "<stdin>", 2, 7, "not a number");
    mp_diag_quote(&d, "other.yaml", text, sizeof(text) - 1);
    assert_false(d.quoted); /* about another file */
    mp_diag_quote(&d, "<stdin>", text, sizeof(text) - 1);
    assert_true(d.quoted);
    mp_buf b = MP_BUF_INIT;
    mp_diag_render(&d, &b);
    assert_string_equal(mp_buf_str(&b), "<stdin>:2:7: error: not a number\n"
                                        "  bad:\tx?\n"
                                        "      \t ^\n");
    mp_buf_free(&b);
    /* a new message drops the old quote */
    mp_diag_set(&d, MP_ESCHEMA, "<stdin>", 9, 1, "no line 9");
    mp_diag_quote(&d, "<stdin>", text, sizeof(text) - 1);
    assert_false(d.quoted);
}

/* lines end at "\n", "\r\n" or a lone "\r" (old Mac) */
static void test_text_line_ends(void **state)
{
    (void)state;
    const char text[] = "one\rtwo\r\nthree\n\rfive\r";
    const char *want[] = {"one", "two", "three", "", "five"};
    const char *s;
    size_t n;
    for (int l = 1; l <= 5; l++) {
        assert_true(mp_text_line(text, sizeof(text) - 1, l, &s, &n));
        assert_int_equal(n, strlen(want[l - 1]));
        assert_memory_equal(s, want[l - 1], n);
    }
    assert_false(mp_text_line(text, sizeof(text) - 1, 7, &s, &n));
    const char *end = text + sizeof(text) - 1;
    assert_ptr_equal(mp_line_end(text, end), text + 3);
    assert_ptr_equal(mp_line_end(text + 4, end), text + 8); /* CRLF's LF */
    assert_null(mp_line_end(text, text + 2));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exit_codes),
        cmocka_unit_test(test_internal_error_message),
        cmocka_unit_test(test_output_out_of_memory),
        cmocka_unit_test(test_parse_fills_fields),
        cmocka_unit_test(test_parse_defaults_and_common),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_parse_help),
        cmocka_unit_test(test_command_tables),
        cmocka_unit_test(test_help_from_rows),
        cmocka_unit_test(test_wrap),
        cmocka_unit_test(test_diag_quote),
        cmocka_unit_test(test_text_line_ends),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
