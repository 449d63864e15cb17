/* SPDX-License-Identifier: Apache-2.0 */
/* cli.c - running a command, exit statuses, diagnostics, inputs and safe
 * output for the subcommands. */
/* realpath() is XSI */
#define _XOPEN_SOURCE 700

#include "cli.h"
#include "cli_color.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "migplan/yaml/ydoc.h"

int cli_run(cli_ctx *c, const cli_command *cmd, int argc, char **argv)
{
    c->cmd = cmd->name;
    void *args = calloc(1, cmd->args_size ? cmd->args_size : 1);
    if (!args)
        return cli_internal(c, "out of memory");
    int r = cli_parse(c, cmd, argc, argv, args);
    if (r == 0 && cli_color_check(c) != 0)
        r = CLI_BAD;
    if (r == 0)
        r = cmd->run(c, args);
    else
        r = r == CLI_HELP ? EXIT_OK : EXIT_USAGE;
    free(args);
    return r;
}

int cli_exit_code(int code)
{
    switch (code) {
    case MP_EOK:
        return EXIT_OK;
    case MP_EINFEASIBLE:
        return EXIT_FINDINGS;
    case MP_ENOMEM:
    case MP_EINTERNAL:
        return EXIT_INTERNAL;
    default:
        return EXIT_USAGE;
    }
}

/* "migplan" or "migplan CMD", for messages */
static void who(const cli_ctx *c)
{
    fprintf(stderr, "migplan%s%s: ", c->cmd ? " " : "", c->cmd ? c->cmd : "");
}

int cli_usage_error(cli_ctx *c, const char *fmt, ...)
{
    va_list ap;
    who(c);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'migplan%s%s --help'.\n", c->cmd ? " " : "",
            c->cmd ? c->cmd : "");
    return EXIT_USAGE;
}

int cli_internal(cli_ctx *c, const char *what)
{
    /* a diagnostic that already says it is one is not prefixed twice */
    static const char pre[] = "internal error: ";
    if (strncmp(what, pre, sizeof(pre) - 1) == 0)
        what += sizeof(pre) - 1;
    who(c);
    fprintf(stderr,
            "internal error: %s\n"
            "This is a bug in migplan unless the machine ran out of memory; "
            "please report it\nwith the command line and its input (exit "
            "status 3).\n",
            what);
    return EXIT_INTERNAL;
}

int cli_fail(cli_ctx *c, const mp_diag *d)
{
    int rc = cli_exit_code(d->code);
    if (rc == EXIT_INTERNAL)
        return cli_internal(c, d->msg);
    if (d->code == MP_EUSAGE && !d->file[0]) /* about the command line */
        return cli_usage_error(c, "%s", d->msg);
    mp_buf b = MP_BUF_INIT;
    mp_diag_render(d, &b);
    cli_put_findings(c, mp_buf_str(&b), stderr);
    mp_buf_free(&b);
    return rc == EXIT_OK ? EXIT_USAGE : rc;
}

int cli_input(cli_inputs *in, const char *path, const char *what,
              const mp_input **out, mp_diag *d)
{
    *out = NULL;
    if (in->n == (int)(sizeof(in->v) / sizeof(in->v[0])))
        return mp_diag_set(d, MP_ELIMIT, path, 0, 0, "too many input files");
    for (int i = 0; i < in->n && strcmp(path, "-") == 0; i++)
        if (strcmp(in->v[i].path, "-") == 0)
            return mp_diag_set(d, MP_EUSAGE, "<stdin>", 0, 0,
                               "standard input (-) is given twice; it can "
                               "be read once");
    mp_input *s = &in->v[in->n];
    int rc = mp_input_read(path, what, s, d);
    if (rc)
        return rc;
    in->n++;
    *out = s;
    return 0;
}

int cli_fail_in(cli_ctx *c, const cli_inputs *in, mp_diag *d)
{
    for (int i = 0; i < in->n; i++)
        mp_input_quote(&in->v[i], d);
    return cli_fail(c, d);
}

void cli_inputs_free(cli_inputs *in)
{
    for (int i = 0; i < in->n; i++)
        mp_input_free(&in->v[i]);
    in->n = 0;
}

int cli_db(cli_ctx *c, const mp_db **out)
{
    *out = NULL;
    if (!c->db) {
        mp_diag d = {0};
        const char *dir = c->profiles_dir;
        if (!dir) {
            const char *env = getenv("MIGPLAN_PROFILES");
            if (env && *env)
                dir = env;
        }
        if (mp_db_load(dir, &c->db, &d) != 0)
            return cli_fail(c, &d);
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
    mp_diag d = {0};
    if (mp_db_find(db, name, out, &d) != 0) {
        fprintf(stderr, "migplan %s: %s\n", c->cmd ? c->cmd : "", d.msg);
        return EXIT_USAGE;
    }
    return 0;
}

/* --node FILE, quoted from the text read when it is wrong */
static int load_node(cli_ctx *c, const mp_db *db, const char *path,
                     mp_node *node)
{
    cli_inputs in = {.n = 0};
    const mp_input *s;
    mp_diag d = {0};
    int r = cli_input(&in, path, "a YAML file", &s, &d);
    if (!r)
        r = mp_node_parse(db, s->text, s->len, s->path, node, &d);
    if (r)
        r = cli_fail_in(c, &in, &d);
    cli_inputs_free(&in);
    return r;
}

/* --gpu MODEL:COUNT (a known model and a count, plan's form) given where
 * --gpu takes a model: say what to give instead of "unknown model". */
static int count_form(cli_ctx *c, const mp_db *db, const char *name)
{
    const char *colon = strrchr(name, ':');
    char model[200];
    const mp_model *m;
    mp_diag d = {0};
    if (!colon || !colon[1] ||
        strspn(colon + 1, "0123456789") != strlen(colon + 1))
        return 0;
    snprintf(model, sizeof(model), "%.*s", (int)(colon - name), name);
    if (mp_db_find(db, model, &m, &d) != 0)
        return 0;
    return cli_usage_error(c,
                           "--gpu %s: MODEL:COUNT is the form of `plan`; "
                           "here --gpu takes a model (--gpu %s, for a node "
                           "whose GPUs are all %s) or give --node FILE "
                           "(`nvidia-smi -L` output will do), which says "
                           "how many GPUs the node has",
                           name, model, m->id);
}

int cli_targets(cli_ctx *c, const cli_list *gpu_names, const char *node_path,
                const mp_model **gpus, mp_node *node)
{
    memset(node, 0, sizeof(*node));
    if (node_path && gpu_names->n)
        return cli_usage_error(c, "give either --gpu or --node, not both");
    const mp_db *db;
    int r = cli_db(c, &db);
    for (int i = 0; i < gpu_names->n && !r; i++)
        if (!(r = count_form(c, db, gpu_names->v[i])))
            r = cli_model(c, gpu_names->v[i], &gpus[i]);
    if (!r && node_path)
        r = load_node(c, db, node_path, node);
    return r;
}

int cli_check_config(const mp_db *db, mp_configmap *in, const mp_check_opts *o,
                     mp_findings *f, mp_check_stats *st)
{
    for (int k = 0; k < in->n; k++) {
        int first = f->n;
        mp_check_opts ok = *o;
        ok.gpu_operator = o->has_strategy || in->part[k].gpu_operator;
        if (mp_check_file(db, &in->part[k].file, &ok, f, st) == MP_ENOMEM ||
            mp_configmap_place(in, k, f, first) != 0)
            return MP_ENOMEM;
    }
    return 0;
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

/* Is the regular file st the file named by arg? */
static bool names_file(const char *arg, const struct stat *st)
{
    struct stat o;
    return stat(arg, &o) == 0 && o.st_dev == st->st_dev &&
           o.st_ino == st->st_ino;
}

/* Is the regular file st also named by another argument of the command
 * line (an input the output would replace), whole or after its '=' (as in
 * --current NODE=FILE or --opt=FILE)? That argument, or NULL. */
static const char *input_named(const cli_ctx *c, const char *path,
                               const struct stat *st)
{
    for (int i = 1; i < c->argc; i++) {
        const char *a = c->argv[i], *eq = strchr(a, '=');
        if (a == path)
            continue;
        if ((a[0] != '-' && names_file(a, st)) ||
            (eq &&
             (names_file(eq + 1, st) || names_file(strrchr(a, '=') + 1, st))))
            return a;
    }
    return NULL;
}

/* The temporary file being written (one at a time), removed when the run
 * is interrupted (SIGINT, SIGTERM, SIGHUP) so that a stopped run leaves
 * no large *.tmp.PID beside the output; the output itself stays as it
 * was. unlink, signal and raise are async-signal-safe. */
static char *volatile pending_tmp;

static void drop_pending(int sig)
{
    char *t = pending_tmp;
    if (t)
        unlink(t);
    signal(sig, SIG_DFL);
    raise(sig);
}

static void watch_pending(char *tmp)
{
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
    pending_tmp = tmp;
    if (!tmp)
        return;
    for (size_t i = 0; i < sizeof(sigs) / sizeof(*sigs); i++) {
        struct sigaction sa, old;
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = drop_pending;
        sigemptyset(&sa.sa_mask);
        /* a signal ignored when migplan started (nohup) stays ignored */
        if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN)
            sigaction(sigs[i], &sa, NULL);
    }
}

/* A regular file gets a temporary file beside it, renamed over it at the
 * end: never a torn file. A symbolic link is followed (the file it names
 * is replaced, the link stays), an existing file keeps its permissions.
 * Anything that is not a regular file (`-o /dev/null`, a FIFO) is written
 * into as it is, which a rename would replace by a regular file. */
static int open_file(cli_ctx *c, const char *path, cli_out *o)
{
    struct stat st;
    bool exists = stat(path, &st) == 0;
    if (exists && !S_ISREG(st.st_mode)) {
        o->fd = open(path, O_WRONLY | O_CLOEXEC);
        o->err = o->fd < 0 ? errno : 0;
        return 0;
    }
    const char *in = exists ? input_named(c, path, &st) : NULL;
    if (in) {
        fprintf(stderr,
                "migplan: %s: this output file is also an input (%s); "
                "nothing was written: give -o another file\n",
                path, in);
        return EXIT_USAGE;
    }
    o->real = exists ? realpath(path, NULL) : NULL;
    const char *target = o->real ? o->real : path;
    size_t plen = strlen(target);
    o->tmp = malloc(plen + 32);
    if (!o->tmp)
        return cli_internal(c, "out of memory");
    snprintf(o->tmp, plen + 32, "%s.tmp.%ld", target, (long)getpid());
    /* watched before it exists: a signal between its creation and the
     * handlers' installation would leave it behind */
    watch_pending(o->tmp);
    o->fd = open(o->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (o->fd < 0) {
        watch_pending(NULL);
        fprintf(stderr,
                "migplan: %s: cannot create: %s; check that its folder "
                "exists and is writable\n",
                path, strerror(errno));
        return EXIT_USAGE;
    }
    if (exists && fchmod(o->fd, st.st_mode & 07777) != 0)
        o->err = errno;
    return 0;
}

int cli_out_open(cli_ctx *c, const char *path, cli_out *o)
{
    memset(o, 0, sizeof(*o));
    o->fd = STDOUT_FILENO;
    o->path = path && strcmp(path, "-") != 0 ? path : NULL;
    int r = o->path ? open_file(c, o->path, o) : 0;
    if (r)
        cli_out_close(c, o, NULL);
    return r;
}

int cli_out_chunk(void *ctx, mp_buf *b)
{
    cli_out *o = ctx;
    if (!o->err && !b->failed && write_all(o->fd, mp_buf_str(b), b->len) != 0)
        o->err = errno ? errno : EIO;
    mp_buf_reset(b);
    return o->err;
}

int cli_out_close(cli_ctx *c, cli_out *o, mp_buf *rest)
{
    bool oom = rest && rest->failed;
    if (rest && !oom)
        cli_out_chunk(o, rest);
    bool file = o->path && o->fd >= 0;
    if (o->tmp && o->fd >= 0 && !o->err && !oom && fsync(o->fd) != 0)
        o->err = errno;
    if (file && close(o->fd) != 0 && !o->err)
        o->err = errno;
    if (o->tmp && o->fd >= 0 && !o->err && !oom &&
        rename(o->tmp, o->real ? o->real : o->path) != 0)
        o->err = errno;
    int r = 0;
    if (oom) {
        r = cli_internal(c, "out of memory while building the output; "
                            "nothing was written");
    } else if (o->err && !o->path) {
        fprintf(stderr, "migplan: cannot write to standard output: %s\n",
                strerror(o->err));
        r = EXIT_USAGE;
    } else if (o->err) {
        fprintf(stderr, "migplan: %s: cannot write: %s%s\n", o->path,
                strerror(o->err),
                o->tmp ? "; the file was left unchanged" : "");
        r = EXIT_USAGE;
    }
    if (o->tmp && (r || oom || o->fd < 0))
        unlink(o->tmp);
    if (o->tmp)
        watch_pending(NULL);
    free(o->tmp);
    free(o->real);
    o->tmp = o->real = NULL;
    o->fd = -1;
    return r;
}

int cli_write(cli_ctx *c, mp_buf *buf, const char *path)
{
    cli_out o;
    int r = buf->failed ? 0 : cli_out_open(c, path, &o);
    if (buf->failed)
        r = cli_internal(c, "out of memory while building the output; "
                            "nothing was written");
    else if (!r)
        r = cli_out_close(c, &o, buf);
    mp_buf_free(buf);
    return r;
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
