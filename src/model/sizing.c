/* SPDX-License-Identifier: Apache-2.0 */
/* sizing.c - percentiles by nearest rank, tenant names from process names,
 * and tenants sized from nvidia-smi process samples. */
#include "migplan/model/sizing.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Grow the malloc'd array *p of *have elements of elem bytes to hold want,
 * the new elements zeroed; *have is left as it was when out of memory. */
static int ensure(void **p, size_t *have, size_t want, size_t elem)
{
    if (want <= *have)
        return 0;
    size_t ncap = *have ? *have * 2 : 64;
    while (ncap < want)
        ncap *= 2;
    void *np = realloc(*p, ncap * elem);
    if (!np)
        return MP_ENOMEM;
    memset((char *)np + *have * elem, 0, (ncap - *have) * elem);
    *p = np;
    *have = ncap;
    return 0;
}

int mp_proc_samples_push(mp_proc_samples *s, const mp_proc_sample *row,
                         mp_diag *d)
{
    const char *file = row->file < s->n_files ? s->files[row->file] : NULL;
    if (s->n >= MP_SIZE_MAX_SAMPLES)
        return mp_diag_set(d, MP_ELIMIT, file, (int)row->line, 1,
                           "more than %d samples (limit); sample less often "
                           "(nvidia-smi -l 60) or give fewer files",
                           MP_SIZE_MAX_SAMPLES);
    if (ensure((void **)&s->v, &s->cap, s->n + 1, sizeof(*s->v)))
        return mp_diag_set(d, MP_ENOMEM, file, (int)row->line, 1,
                           "out of memory");
    s->v[s->n++] = *row;
    return 0;
}

int mp_proc_samples_file(mp_proc_samples *s, const char *path, uint32_t *out)
{
    mp_arena *a = &s->strings.arena;
    const char *copy = mp_arena_strdup(a, path);
    if (!copy || mp_arena_grow(a, &s->files, &s->cap_files, (int)s->n_files + 1,
                               sizeof(*s->files), 8))
        return MP_ENOMEM;
    s->files[s->n_files] = copy;
    *out = s->n_files++;
    return 0;
}

void mp_proc_samples_free(mp_proc_samples *s)
{
    if (!s)
        return;
    free(s->v);
    mp_intern_free(&s->strings);
    memset(s, 0, sizeof(*s));
}

/* ------------------------------------------------------------ percentiles */

size_t mp_nearest_rank(size_t n, int p_milli)
{
    /* ceil(p_milli * n / 100000) in integers: exact for every n we keep */
    unsigned long long r =
        ((unsigned long long)p_milli * n + 99999ull) / 100000ull;
    if (r < 1)
        r = 1;
    if (r > n)
        r = n;
    return (size_t)r;
}

static int cmp_ll(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

long long mp_percentile_ll(long long *v, size_t n, int p_milli)
{
    qsort(v, n, sizeof(*v), cmp_ll);
    return v[mp_nearest_rank(n, p_milli) - 1];
}

double mp_percentile_d(double *v, size_t n, int p_milli)
{
    qsort(v, n, sizeof(*v), cmp_d);
    return v[mp_nearest_rank(n, p_milli) - 1];
}

bool mp_parse_milli(const char *s, int min_milli, int max_milli, int *out)
{
    long long v = 0;
    int digits = 0, decimals = -1;
    for (const char *p = s; *p; p++) {
        if (*p == '.' && decimals < 0 && digits) {
            decimals = 0;
            continue;
        }
        if (*p < '0' || *p > '9' || decimals == 3 || digits > 9)
            return false;
        v = v * 10 + (*p - '0');
        digits++;
        if (decimals >= 0)
            decimals++;
    }
    if (!digits || decimals == 0)
        return false;
    for (int d = decimals < 0 ? 0 : decimals; d < 3; d++)
        v *= 10;
    if (v < min_milli || v > max_milli)
        return false;
    *out = (int)v;
    return true;
}

long long mp_add_headroom(long long mib, int headroom_milli)
{
    /* mib <= MP_SIZE_MAX_MIB and headroom <= 1000% keep this in range */
    long long num = mib * (100000LL + headroom_milli);
    return (num + 99999) / 100000;
}

/* ------------------------------------------------------------ names */

/* The ASCII spelling of the UTF-8 Latin-1 letter at s (U+00C0-U+00FF,
 * bytes C3 80-BF), lower case, or NULL for anything else (the multiplication
 * and division signs included). */
static const char *latin1_letter(const char *s, size_t n)
{
    static const char *const ascii[64] = {
        "a", "a", "a", "a",  "a",  "a",  "ae", "c", "e", "e", "e",  "e", "i",
        "i", "i", "i", "d",  "n",  "o",  "o",  "o", "o", "o", NULL, "o", "u",
        "u", "u", "u", "y",  "th", "ss", "a",  "a", "a", "a", "a",  "a", "ae",
        "c", "e", "e", "e",  "e",  "i",  "i",  "i", "i", "d", "n",  "o", "o",
        "o", "o", "o", NULL, "o",  "u",  "u",  "u", "u", "y", "th", "y"};
    unsigned char b0 = (unsigned char)s[0];
    unsigned char b1 = n > 1 ? (unsigned char)s[1] : 0;
    if (b0 != 0xC3 || b1 < 0x80 || b1 > 0xBF)
        return NULL;
    return ascii[b1 - 0x80];
}

void mp_tenant_name_from_process(const char *process, char *buf, size_t max_len)
{
    size_t k = 0;
    buf[0] = '\0';
    if (!process || process[0] == '[') {
        snprintf(buf, max_len + 1, "process");
        return;
    }
    /* the program: up to the first " -" (its arguments), after the last
     * path separator */
    size_t end = strlen(process);
    const char *args = strstr(process, " -");
    if (args)
        end = (size_t)(args - process);
    while (end > 0 && (process[end - 1] == '/' || process[end - 1] == '\\' ||
                       process[end - 1] == ' '))
        end--;
    size_t start = end;
    while (start > 0 && process[start - 1] != '/' && process[start - 1] != '\\')
        start--;
    bool dash = false;
    for (size_t i = start; i < end && k < max_len; i++) {
        unsigned char c = (unsigned char)process[i];
        const char *latin = latin1_letter(process + i, end - i);
        if (latin) { /* "müll" -> "mull" rather than "m-ll" */
            for (; *latin && k < max_len; latin++)
                buf[k++] = *latin;
            dash = false;
            i++; /* the two bytes of its UTF-8 sequence */
        } else if (isalnum(c) && c < 0x80) {
            buf[k++] = (char)tolower(c);
            dash = false;
        } else if (c == '.' || c == '_' || c == '-') {
            buf[k++] = (char)c;
            dash = c == '-';
        } else if (!dash) {
            buf[k++] = '-';
            dash = true;
        }
    }
    buf[k] = '\0';
    /* trim separators at both ends */
    while (k > 0 && strchr("-._", buf[k - 1]))
        buf[--k] = '\0';
    size_t lead = 0;
    while (buf[lead] && strchr("-._", buf[lead]))
        lead++;
    memmove(buf, buf + lead, k - lead + 1);
    if (!buf[0])
        snprintf(buf, max_len + 1, "process");
}

/* ------------------------------------------------------------ sizing */

/* One tenant being built: its rows' memory values and counters. */
typedef struct acc {
    uint32_t first_row;
    long long *mib; /* values, malloc'd */
    size_t n, cap, n_na;
    int replicas;
    int most_devices;
    int now;         /* processes in the current snapshot */
    uint32_t now_at; /* snapshot + 1 `now` belongs to */
} acc;

/* One key + pid (+ device) pair, to count a process once per snapshot. */
typedef struct pair_seen {
    uint32_t seen;  /* snapshot + 1 it was last counted in */
    uint32_t count; /* rows of the pid in that snapshot */
} pair_seen;

typedef struct size_ctx {
    const mp_proc_samples *s;
    mp_size_by by;
    mp_intern keys;  /* tenant key: process name id or pid, as text */
    mp_intern pairs; /* key + pid (+ device): to count once per snapshot */
    acc *acc;        /* per key id */
    size_t n_acc;
    pair_seen *seen; /* per pair id */
    size_t n_seen;
} size_ctx;

/* Account one row: memory value, processes per snapshot, GPUs per pid. */
static int add_row(size_ctx *c, uint32_t r)
{
    const mp_proc_sample *row = &c->s->v[r];
    char key[48];
    const char *kp = key;
    size_t klen;
    if (c->by == MP_SIZE_BY_PID) {
        klen = (size_t)snprintf(key, sizeof(key), "%u", (unsigned)row->pid);
    } else {
        kp = mp_intern_str(&c->s->strings, row->process);
        klen = c->s->strings.lens[row->process];
    }
    size_t kid, pid_id;
    if (mp_intern_add(&c->keys, kp, klen, &kid, NULL))
        return MP_ENOMEM;
    char pair[64];
    int plen = snprintf(pair, sizeof(pair), "%zu/%u", kid, (unsigned)row->pid);
    if (mp_intern_add(&c->pairs, pair, (size_t)plen, &pid_id, NULL) ||
        ensure((void **)&c->acc, &c->n_acc, kid + 1, sizeof(*c->acc)) ||
        ensure((void **)&c->seen, &c->n_seen, pid_id + 1, sizeof(*c->seen)))
        return MP_ENOMEM;
    acc *a = &c->acc[kid];
    if (a->n + a->n_na == 0)
        a->first_row = r;
    if (row->used_mib < 0) {
        a->n_na++;
    } else {
        if (ensure((void **)&a->mib, &a->cap, a->n + 1, sizeof(*a->mib)))
            return MP_ENOMEM;
        a->mib[a->n++] = row->used_mib;
    }
    uint32_t snap = row->snapshot + 1;
    pair_seen *ps = &c->seen[pid_id];
    if (ps->seen != snap) { /* a new process in this snapshot */
        ps->seen = snap;
        ps->count = 0;
        if (a->now_at != snap) {
            a->now_at = snap;
            a->now = 0;
        }
        if (++a->now > a->replicas)
            a->replicas = a->now;
    }
    if ((int)++ps->count > a->most_devices)
        a->most_devices = (int)ps->count;
    return 0;
}

/* A unique name: the derived base, or base-2, base-3, ... when an earlier
 * tenant has it (the suffix replaces the end of a base that would pass 63
 * characters). */
static const char *unique_name(mp_arena *ar, mp_intern *taken, const char *base)
{
    char name[64];
    snprintf(name, sizeof(name), "%s", base);
    for (int k = 2;; k++) {
        size_t before = taken->n, id;
        const char *out;
        if (mp_intern_add(taken, name, strlen(name), &id, &out))
            return NULL;
        if (taken->n > before)
            return mp_arena_strdup(ar, name);
        char suffix[16];
        int sl = snprintf(suffix, sizeof(suffix), "-%d", k);
        size_t keep = strlen(base);
        if (keep + (size_t)sl > 63)
            keep = 63 - (size_t)sl;
        while (keep > 0 && strchr("-._", base[keep - 1]))
            keep--;
        snprintf(name, sizeof(name), "%.*s%s", (int)keep, base, suffix);
    }
}

static void base_name(const size_ctx *c, const mp_proc_sample *row, char *base)
{
    const char *proc = row->process != MP_SIZE_NO_ID
                           ? mp_intern_str(&c->s->strings, row->process)
                           : NULL;
    if (c->by != MP_SIZE_BY_PID) {
        mp_tenant_name_from_process(proc, base, 63);
        return;
    }
    char suffix[24];
    int sl = snprintf(suffix, sizeof(suffix), "-%u", (unsigned)row->pid);
    if (!proc) {
        snprintf(base, 64, "pid%s", suffix);
        return;
    }
    mp_tenant_name_from_process(proc, base, 63 - (size_t)sl);
    strcat(base, suffix);
}

/* Turn the accumulators into tenants, names deduplicated in order. */
static int finish(size_ctx *c, const mp_size_opts *o, mp_sizing *out,
                  mp_diag *d)
{
    const mp_proc_samples *s = c->s;
    size_t nk = c->keys.n;
    out->t = mp_arena_alloc(&out->arena, nk * sizeof(*out->t));
    mp_intern taken = MP_INTERN_INIT;
    int rc = out->t ? 0 : MP_ENOMEM;
    for (size_t k = 0; k < nk && !rc; k++) {
        acc *a = &c->acc[k];
        const mp_proc_sample *row = &s->v[a->first_row];
        mp_sized_tenant *t = &out->t[out->n];
        if (a->n == 0) {
            rc = mp_diag_set(d, MP_ESCHEMA, s->files[row->file], (int)row->line,
                             1,
                             "every memory sample of %s is [N/A]: nvidia-smi "
                             "cannot see per-process memory here (Windows "
                             "WDDM); measure on Linux",
                             c->by == MP_SIZE_BY_PID
                                 ? "this pid"
                                 : mp_intern_str(&s->strings, row->process));
            break;
        }
        char base[64];
        base_name(c, row, base);
        t->name = unique_name(&out->arena, &taken, base);
        if (!t->name) {
            rc = MP_ENOMEM;
            break;
        }
        if (row->process != MP_SIZE_NO_ID)
            t->process = mp_arena_strdup(
                &out->arena, mp_intern_str(&s->strings, row->process));
        t->pid = c->by == MP_SIZE_BY_PID ? (long long)row->pid : 0;
        t->pctl_mib = mp_percentile_ll(a->mib, a->n, o->p_milli);
        t->max_mib = a->mib[a->n - 1];
        t->memory_mib = mp_add_headroom(t->pctl_mib, o->headroom_milli);
        if (t->memory_mib < 1)
            t->memory_mib = 1;
        if (t->memory_mib > MP_SIZE_MAX_MIB) {
            rc = mp_diag_set(d, MP_ESCHEMA, s->files[row->file], (int)row->line,
                             1,
                             "%s would need %lld MiB (the percentile plus "
                             "headroom), more than any GPU has (limit %lld "
                             "MiB); check the samples",
                             t->name, t->memory_mib, MP_SIZE_MAX_MIB);
            break;
        }
        t->n_samples = a->n;
        t->n_unavailable = a->n_na;
        t->replicas = a->replicas;
        t->most_devices = a->most_devices;
        out->n++;
    }
    if (rc == MP_ENOMEM)
        mp_diag_set(d, MP_ENOMEM, NULL, 0, 0, "out of memory");
    mp_intern_free(&taken);
    return rc;
}

int mp_size_tenants(const mp_proc_samples *s, const mp_size_opts *o,
                    mp_sizing *out, mp_diag *d)
{
    memset(out, 0, sizeof(*out));
    size_ctx c = {.s = s, .by = o->by};
    int rc = 0;
    if (s->n == 0) {
        rc = mp_diag_set(d, MP_ESCHEMA, s->n_files ? s->files[0] : NULL, 0, 0,
                         "no compute process in the samples: nothing ran on "
                         "the GPUs when they were taken; sample under real "
                         "load");
        goto out;
    }
    if (c.by == MP_SIZE_BY_AUTO)
        c.by = s->has_names ? MP_SIZE_BY_NAME : MP_SIZE_BY_PID;
    if (c.by == MP_SIZE_BY_NAME && !s->has_names) {
        rc = mp_diag_set(d, MP_ESCHEMA, s->files[s->v[0].file],
                         (int)s->v[0].line, 1,
                         "the samples have no process_name column, so they "
                         "cannot be grouped by name; query pid,process_name,"
                         "used_memory or use --by pid");
        goto out;
    }
    out->by = c.by;
    for (size_t r = 0; r < s->n && !rc; r++)
        rc = add_row(&c, (uint32_t)r);
    if (rc)
        rc = mp_diag_set(d, MP_ENOMEM, NULL, 0, 0, "out of memory");
    else
        rc = finish(&c, o, out, d);
out:
    for (size_t k = 0; k < c.keys.n && k < c.n_acc; k++)
        free(c.acc[k].mib);
    free(c.acc);
    free(c.seen);
    mp_intern_free(&c.keys);
    mp_intern_free(&c.pairs);
    if (rc)
        mp_sizing_free(out);
    return rc;
}

void mp_sizing_free(mp_sizing *z)
{
    if (z)
        mp_arena_release(&z->arena, z, sizeof(*z));
}
