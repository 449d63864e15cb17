/* SPDX-License-Identifier: Apache-2.0 */
/* emit_sizing.c - the tenants section `migplan size` writes. */
#include "migplan/emit/emit_sizing.h"

#include <stdio.h>
#include <string.h>

#include "migplan/emit/request_writer.h"

void mp_format_milli(int milli, char *buf, size_t n)
{
    if (milli % 1000 == 0)
        snprintf(buf, n, "%d", milli / 1000);
    else if (milli % 100 == 0)
        snprintf(buf, n, "%d.%d", milli / 1000, (milli % 1000) / 100);
    else if (milli % 10 == 0)
        snprintf(buf, n, "%d.%02d", milli / 1000, (milli % 1000) / 10);
    else
        snprintf(buf, n, "%d.%03d", milli / 1000, milli % 1000);
}

static void header(const mp_sizing *z, const mp_proc_samples *s,
                   const mp_size_opts *o, mp_buf *b)
{
    char p[16], h[16], text[4096];
    size_t k = 0;
    bool by_pid = z->by == MP_SIZE_BY_PID;
    mp_format_milli(o->p_milli, p, sizeof(p));
    mp_format_milli(o->headroom_milli, h, sizeof(h));
    mp_catf(text, sizeof(text), &k,
            "Tenants sized by migplan size from nvidia-smi "
            "--query-compute-apps samples\nin ");
    for (uint32_t i = 0; i < s->n_files; i++)
        mp_catf(text, sizeof(text), &k, "%s%s", i ? ", " : "", s->files[i]);
    mp_catf(text, sizeof(text), &k, ":\n%zu sample%s in %u snapshot%s", s->n,
            s->n == 1 ? "" : "s", (unsigned)s->n_snapshots,
            s->n_snapshots == 1 ? "" : "s");
    if (s->first_ts && s->has_timestamps)
        mp_catf(text, sizeof(text), &k, ", %s to %s", s->first_ts, s->last_ts);
    mp_catf(text, sizeof(text), &k,
            ".\nmemory: the P%s (nearest rank) of each %s's used_gpu_memory\n"
            "plus %s%% headroom, rounded up to a MiB; ",
            p, by_pid ? "pid" : "process name", h);
    if (!by_pid)
        mp_catf(text, sizeof(text), &k,
                "replicas: the most\nprocesses of the name in one snapshot.");
    else
        mp_catf(text, sizeof(text), &k, "one tenant per pid\n(%s).",
                s->has_names ? "--by pid"
                             : "the samples have no process_name column");
    mp_catf(text, sizeof(text), &k,
            "\nPlan it with a fleet or a model: migplan plan FILE --gpu h100");
    mp_write_comment(text, 0, b);
}

void mp_emit_sizing(const mp_sizing *z, const mp_proc_samples *s,
                    const mp_size_opts *o, mp_buf *b)
{
    char p[16];
    mp_format_milli(o->p_milli, p, sizeof(p));
    header(z, s, o, b);
    mp_buf_puts(b, "tenants:\n");
    for (int i = 0; i < z->n; i++) {
        const mp_sized_tenant *st = &z->t[i];
        char text[1024];
        size_t k = 0;
        if (st->process)
            mp_catf(text, sizeof(text), &k, "%s", st->process);
        if (st->pid)
            mp_catf(text, sizeof(text), &k, "%spid %lld",
                    st->process ? " " : "", st->pid);
        mp_catf(text, sizeof(text), &k, ": %zu sample%s", st->n_samples,
                st->n_samples == 1 ? "" : "s");
        if (st->n_unavailable)
            mp_catf(text, sizeof(text), &k, " (and %zu [N/A])",
                    st->n_unavailable);
        mp_catf(text, sizeof(text), &k,
                ", P%s %lld MiB, max %lld MiB, %d at once", p, st->pctl_mib,
                st->max_mib, st->replicas);
        if (st->most_devices > 1)
            mp_catf(text, sizeof(text), &k,
                    "\nnote: one process used %d GPUs at once; a replica gets "
                    "one MIG instance, so consider whole-gpu",
                    st->most_devices);
        mp_write_comment(text, 2, b);
        mp_tenant t = {.name = st->name,
                       .memory_mib = st->memory_mib,
                       .compute = 1,
                       .replicas = st->replicas};
        mp_write_tenant(&t, b);
    }
}
