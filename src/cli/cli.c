/* cli.c - option parsing, diagnostics and safe output for the subcommands. */
#include "cli.h"
#include "migplan/readers/node_reader.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "migplan/util/buf.h"
#include "migplan/yaml/ydoc.h"

int cli_usage_error(cli_ctx *c, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "migplan%s%s: ", c->cmd ? " " : "", c->cmd ? c->cmd : "");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'migplan%s%s --help'.\n", c->cmd ? " " : "",
            c->cmd ? c->cmd : "");
    return EXIT_USAGE;
}

/* One argument, common options included. */
static int next_arg(cli_ctx *c, cli_parser *p, const cli_opt *opts, int *id,
                    const char **arg)
{
    *arg = NULL;
    if (p->i >= p->argc)
        return CLI_END;
    const char *a = p->argv[p->i++];
    if (p->positional_only || a[0] != '-' || strcmp(a, "-") == 0) {
        *arg = a;
        return CLI_POSITIONAL;
    }
    if (strcmp(a, "--") == 0) {
        p->positional_only = true;
        return next_arg(c, p, opts, id, arg);
    }
    const cli_opt *o = NULL;
    const char *inline_val = NULL;
    if (a[1] == '-') {
        const char *name = a + 2;
        const char *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        for (const cli_opt *q = opts; q->name; q++)
            if (strlen(q->name) == len && strncmp(q->name, name, len) == 0)
                o = q;
        if (!o) {
            cli_usage_error(c, "unknown option '--%.*s'", (int)len, name);
            return CLI_BAD;
        }
        if (eq)
            inline_val = eq + 1;
    } else {
        for (const cli_opt *q = opts; q->name; q++)
            if (q->short_name && q->short_name == a[1])
                o = q;
        if (!o || (a[2] && !o->has_arg)) {
            cli_usage_error(c, "unknown option '%s'", a);
            return CLI_BAD;
        }
        if (a[2])
            inline_val = a + 2;
    }
    *id = o->id;
    if (o->has_arg) {
        if (inline_val) {
            *arg = inline_val;
        } else if (p->i < p->argc) {
            *arg = p->argv[p->i++];
        } else {
            cli_usage_error(c, "option '--%s' needs a value", o->name);
            return CLI_BAD;
        }
    } else if (inline_val) {
        cli_usage_error(c, "option '--%s' takes no value", o->name);
        return CLI_BAD;
    }
    return CLI_OPTION;
}

/* Handle an id from CLI_COMMON_OPTS: returns CLI_HELP, CLI_OPTION when handled,
 * or CLI_END when id is the command's own. */
static int common_opt(cli_ctx *c, const cli_parser *p, int id, const char *arg)
{
    switch (id) {
    case OPT_HELP:
        fputs(p->usage, stdout);
        return CLI_HELP;
    case OPT_PROFILES:
        c->profiles_dir = arg;
        return CLI_OPTION;
    case OPT_DRIVER:
        c->driver = arg;
        return CLI_OPTION;
    case OPT_ASCII:
        c->ascii = true;
        return CLI_OPTION;
    case OPT_UNICODE:
        c->unicode = true;
        return CLI_OPTION;
    }
    return CLI_END;
}

int cli_next(cli_ctx *c, cli_parser *p, const cli_opt *opts, int *id,
             const char **arg)
{
    for (;;) {
        int r = next_arg(c, p, opts, id, arg);
        if (r != CLI_OPTION)
            return r;
        int common = common_opt(c, p, *id, *arg);
        if (common == CLI_HELP)
            return CLI_HELP;
        if (common == CLI_END)
            return CLI_OPTION;
    }
}

int cli_db(cli_ctx *c, const mp_db **out)
{
    if (!c->db) {
        mp_diag d;
        mp_diag_clear(&d);
        const char *dir = c->profiles_dir;
        if (!dir) {
            const char *env = getenv("MIGPLAN_PROFILES");
            if (env && *env)
                dir = env;
        }
        if (mp_db_load(dir, &c->db, &d) != 0) {
            cli_print_diag(&d);
            return EXIT_USAGE;
        }
        /* --driver: that driver's -lgip memory sizes where they are known */
        if (c->driver && mp_db_select_driver(c->db, c->driver, &d) != 0) {
            fprintf(stderr, "migplan: --driver %s: %s\n", c->driver, d.msg);
            return EXIT_USAGE;
        }
    }
    *out = c->db;
    return 0;
}

int cli_model(cli_ctx *c, const char *name, const mp_model **out)
{
    const mp_db *db;
    int rc = cli_db(c, &db);
    if (rc)
        return rc;
    mp_diag d;
    mp_diag_clear(&d);
    if (mp_db_find(db, name, out, &d) != 0) {
        fprintf(stderr, "migplan %s: %s\n", c->cmd ? c->cmd : "", d.msg);
        return EXIT_USAGE;
    }
    return 0;
}

void cli_caret_line(mp_buf *out, const char *s, size_t n, int col)
{
    if (n >= 400)
        return;
    /* show the line as text: control bytes would garble a terminal */
    mp_buf_puts(out, "  ");
    for (size_t i = 0; i < n; i++)
        mp_buf_putc(out,
                    ((unsigned char)s[i] < 0x20 && s[i] != '\t') ? '?' : s[i]);
    mp_buf_puts(out, "\n  ");
    int c = 1;
    for (size_t i = 0; i < n && c < col; i++) {
        if (((unsigned char)s[i] & 0xC0) == 0x80)
            continue;
        mp_buf_putc(out, s[i] == '\t' ? '\t' : ' ');
        c++;
    }
    mp_buf_puts(out, "^\n");
}

void cli_caret_text(mp_buf *out, const char *text, size_t len, int line,
                    int col)
{
    const char *s;
    size_t n;
    if (text && line >= 1 && mp_ydoc_source_line(text, len, line, &s, &n))
        cli_caret_line(out, s, n, col);
}

void cli_caret(mp_buf *out, const char *file, int line, int col)
{
    if (!file || !*file || line < 1 || strcmp(file, "<stdin>") == 0)
        return;
    char *text;
    size_t len;
    mp_diag ignore;
    if (mp_read_file(file, mp_ylimits_default.max_bytes, &text, &len,
                     &ignore) != 0)
        return;
    cli_caret_text(out, text, len, line, col);
    free(text);
}

void cli_print_diag(const mp_diag *d)
{
    char line[1800];
    mp_diag_format(d, line, sizeof(line));
    mp_buf b = MP_BUF_INIT;
    mp_buf_printf(&b, "%s\n", line);
    cli_caret(&b, d->file, d->line, d->col);
    fputs(mp_buf_str(&b), stderr);
    mp_buf_free(&b);
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int cli_write(cli_ctx *c, const mp_buf *buf, const char *path)
{
    (void)c;
    if (buf->failed) {
        fprintf(stderr, "migplan: out of memory while building the output; "
                        "nothing was written\n");
        return EXIT_USAGE;
    }
    if (!path || strcmp(path, "-") == 0) {
        if (write_all(STDOUT_FILENO, mp_buf_str(buf), buf->len) != 0) {
            fprintf(stderr, "migplan: cannot write to standard output: %s\n",
                    strerror(errno));
            return EXIT_USAGE;
        }
        return 0;
    }
    /* temporary file beside the target, then rename: never a torn file */
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 32);
    if (!tmp) {
        fprintf(stderr, "migplan: out of memory\n");
        return EXIT_USAGE;
    }
    snprintf(tmp, plen + 32, "%s.tmp.%ld", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        fprintf(stderr, "migplan: %s: cannot create: %s\n", path,
                strerror(errno));
        free(tmp);
        return EXIT_USAGE;
    }
    int err = 0;
    if (write_all(fd, mp_buf_str(buf), buf->len) != 0 || fsync(fd) != 0)
        err = errno;
    if (close(fd) != 0 && !err)
        err = errno;
    if (!err && rename(tmp, path) != 0)
        err = errno;
    if (err) {
        fprintf(stderr,
                "migplan: %s: cannot write: %s; the file was left "
                "unchanged\n",
                path, strerror(err));
        unlink(tmp);
        free(tmp);
        return EXIT_USAGE;
    }
    free(tmp);
    return 0;
}

static bool utf8_locale(void)
{
    const char *vars[] = {"LC_ALL", "LC_CTYPE", "LANG"};
    for (int i = 0; i < 3; i++) {
        const char *v = getenv(vars[i]);
        if (v && *v) {
            for (const char *p = v; *p; p++)
                if ((p[0] == 'U' || p[0] == 'u') &&
                    (p[1] == 'T' || p[1] == 't') &&
                    (p[2] == 'F' || p[2] == 'f'))
                    return true;
            return false;
        }
    }
    return false;
}

bool cli_use_unicode(const cli_ctx *c)
{
    if (c->ascii)
        return false;
    if (c->unicode)
        return true;
    return isatty(STDOUT_FILENO) && utf8_locale();
}

int cli_format(cli_ctx *c, const char *given, const char *const *allowed,
               int *out)
{
    char list[200] = "";
    size_t k = 0;
    for (int i = 0; allowed[i]; i++) {
        if (strcmp(allowed[i], given) == 0) {
            *out = i;
            return 0;
        }
        mp_catf(list, sizeof(list), &k, "%s%s", i ? ", " : "", allowed[i]);
    }
    return cli_usage_error(c, "unknown format '%s'; use one of: %s", given,
                           list);
}

int cli_targets(cli_ctx *c, const char *const *gpu_names, int n,
                const char *node_path, const mp_model **gpus, mp_node *node)
{
    memset(node, 0, sizeof(*node));
    if (node_path && n)
        return cli_usage_error(c, "give either --gpu or --node, not both");
    const mp_db *db;
    int r = cli_db(c, &db);
    for (int i = 0; i < n && !r; i++)
        r = cli_model(c, gpu_names[i], &gpus[i]);
    if (!r && node_path) {
        mp_diag d;
        mp_diag_clear(&d);
        if (mp_node_load(db, node_path, node, &d) != 0) {
            cli_print_diag(&d);
            r = EXIT_USAGE;
        }
    }
    return r;
}
