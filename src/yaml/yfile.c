/* SPDX-License-Identifier: Apache-2.0 */
/* yfile.c - a whole input file or standard input in memory, refused early
 * when it is a directory, missing, unreadable or over the size limit. */
#include "migplan/yaml/yfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "migplan/yaml/ydoc.h"

static void human_size(size_t n, char *buf, size_t len)
{
    if (n >= 1024u * 1024u)
        snprintf(buf, len, "%.1f MiB", (double)n / (1024.0 * 1024.0));
    else if (n >= 1024u)
        snprintf(buf, len, "%.1f KiB", (double)n / 1024.0);
    else
        snprintf(buf, len, "%zu bytes", n);
}

/* An open input: its descriptor, whether it is stdin (not ours to close)
 * and the buffer size to start with. */
typedef struct input {
    const char *shown;
    int fd;
    bool is_stdin;
    size_t cap;
} input;

static void close_input(input *in)
{
    if (in->fd >= 0 && !in->is_stdin)
        close(in->fd);
    in->fd = -1;
}

/* Open the input and refuse what cannot be `what` (a YAML file, ...) of
 * at most max_bytes; a regular file's size is known before reading it. */
static int open_input(input *in, const char *path, const char *what,
                      size_t max_bytes, mp_diag *d)
{
    if (!in->is_stdin && !*path)
        return mp_diag_set(d, MP_EIO, NULL, 0, 0,
                           "the file name is empty; give a path, or - for "
                           "standard input");
    in->fd = in->is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
    if (in->fd < 0) {
        int e = errno;
        if (e == ENOENT)
            return mp_diag_set(d, MP_EIO, in->shown, 0, 0,
                               "no such file; check the path");
        return mp_diag_set(d, MP_EIO, in->shown, 0, 0, "cannot open: %s",
                           strerror(e));
    }
    struct stat st;
    if (fstat(in->fd, &st) != 0)
        return mp_diag_set(d, MP_EIO, in->shown, 0, 0, "cannot read: %s",
                           strerror(errno));
    if (S_ISDIR(st.st_mode))
        return mp_diag_set(d, MP_EIO, in->shown, 0, 0,
                           "is a directory; give the path of %s", what);
    if (S_ISREG(st.st_mode) && (unsigned long long)st.st_size > max_bytes) {
        char sz[32], lim[32];
        human_size((size_t)st.st_size, sz, sizeof(sz));
        human_size(max_bytes, lim, sizeof(lim));
        return mp_diag_set(d, MP_ELIMIT, in->shown, 0, 0,
                           "file is %s; the input size limit is %s", sz, lim);
    }
    in->cap = S_ISREG(st.st_mode) ? (size_t)st.st_size + 1 : 65536;
    return 0;
}

/* Read until end of input or until more than max_bytes arrived (a pipe or
 * a file that grew); *buf grows by doubling and stays the caller's. */
static int read_until_end(input *in, size_t max_bytes, char **buf, size_t *len,
                          mp_diag *d)
{
    size_t cap = in->cap;
    for (;;) {
        if (*len == cap) {
            if (cap > max_bytes)
                return 0;
            char *nb = realloc(*buf, cap * 2);
            if (!nb)
                return mp_diag_set(d, MP_ENOMEM, in->shown, 0, 0,
                                   "out of memory");
            *buf = nb;
            cap *= 2;
        }
        ssize_t r = read(in->fd, *buf + *len, cap - *len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return mp_diag_set(d, MP_EIO, in->shown, 0, 0, "cannot read: %s",
                               strerror(errno));
        if (r == 0)
            break;
        *len += (size_t)r;
        if (*len > max_bytes)
            return 0;
    }
    if (*len == cap) { /* room for the NUL */
        char *nb = realloc(*buf, cap + 1);
        if (!nb)
            return mp_diag_set(d, MP_ENOMEM, in->shown, 0, 0, "out of memory");
        *buf = nb;
    }
    return 0;
}

/* mp_read_file for an input that is `what` */
static int read_input(const char *path, const char *what, size_t max_bytes,
                      char **out, size_t *out_len, mp_diag *d)
{
    *out = NULL;
    *out_len = 0;
    input in = {.is_stdin = strcmp(path, "-") == 0, .fd = -1};
    in.shown = in.is_stdin ? "<stdin>" : path;
    char *buf = NULL;
    size_t len = 0;
    int rc = open_input(&in, path, what, max_bytes, d);
    if (rc)
        goto out;
    buf = malloc(in.cap);
    if (!buf) {
        rc = mp_diag_set(d, MP_ENOMEM, in.shown, 0, 0, "out of memory");
        goto out;
    }
    rc = read_until_end(&in, max_bytes, &buf, &len, d);
    if (rc)
        goto out;
    if (len > max_bytes) {
        char lim[32];
        human_size(max_bytes, lim, sizeof(lim));
        rc = mp_diag_set(d, MP_ELIMIT, in.shown, 0, 0,
                         "input is larger than the size limit of %s", lim);
        goto out;
    }
    buf[len] = '\0';
    *out = buf;
    *out_len = len;
    buf = NULL;
out:
    close_input(&in);
    free(buf);
    return rc;
}

int mp_read_file(const char *path, size_t max_bytes, char **out,
                 size_t *out_len, mp_diag *d)
{
    return read_input(path, "a YAML file", max_bytes, out, out_len, d);
}

int mp_input_read(const char *path, const char *what, mp_input *out, mp_diag *d)
{
    out->path = path;
    out->shown = strcmp(path, "-") == 0 ? "<stdin>" : path;
    return read_input(path, what, mp_ylimits_default.max_bytes, &out->text,
                      &out->len, d);
}

void mp_input_quote(const mp_input *s, mp_diag *d)
{
    if (!s || !s->text)
        return;
    mp_diag_quote(d, s->shown, s->text, s->len);
    mp_diag_quote(d, s->path, s->text, s->len);
}

void mp_input_free(mp_input *s)
{
    if (!s)
        return;
    free(s->text);
    s->text = NULL;
    s->len = 0;
}
