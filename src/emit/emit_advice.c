/* SPDX-License-Identifier: Apache-2.0 */
/* emit_advice.c - advice as text with its evidence, and as a revised
 * request. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "migplan/emit/emit_sizing.h"
#include "migplan/emit/request_writer.h"

static double gib(long long mib)
{
    return (double)mib / 1024.0;
}

/* A label value as text: control characters (an escaped \n) shown as '?'. */
static void put_label(mp_buf *b, const char *s)
{
    for (; *s; s++)
        mp_buf_putc(b, (unsigned char)*s < 0x20 ? '?' : *s);
}

static void put_time(mp_buf *b, long long ms)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    char buf[32];
    if (gmtime_r(&t, &tm) &&
        strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm))
        mp_buf_puts(b, buf);
    else
        mp_buf_printf(b, "%lld ms", ms);
}

/* "node-a GPU 0 GI 3 2g.20gb" */
static void put_where(mp_buf *b, const mp_slice_obs *o)
{
    if (o->host[0]) {
        put_label(b, o->host);
        mp_buf_putc(b, ' ');
    }
    mp_buf_puts(b, "GPU ");
    put_label(b, o->gpu[0] ? o->gpu : "?");
    mp_buf_puts(b, " GI ");
    put_label(b, o->gi_id);
    mp_buf_putc(b, ' ');
    put_label(b, o->profile);
}

/* What was read: files, instances, samples and time span (lines). */
static void put_source(const mp_advice_input *in, mp_buf *b)
{
    mp_buf_puts(b, "from ");
    for (int i = 0; i < in->n_files; i++)
        mp_buf_printf(b, "%s%s", i ? ", " : "", in->files[i]);
    const mp_slice_set *s = in->set;
    mp_buf_printf(b, ":\n%zu sample%s of %zu MIG instance occupant%s",
                  s->n_samples, s->n_samples == 1 ? "" : "s", s->n,
                  s->n == 1 ? "" : "s");
    if (s->has_ts) {
        mp_buf_puts(b, ",\n");
        put_time(b, s->ts_min);
        mp_buf_puts(b, " to ");
        put_time(b, s->ts_max);
        mp_buf_printf(b, " UTC (%.1f hours)",
                      (double)(s->ts_max - s->ts_min) / 3600000.0);
    }
    if (s->n_blank)
        mp_buf_printf(b, "; %zu DCGM blank value%s skipped", s->n_blank,
                      s->n_blank == 1 ? "" : "s");
    if (s->n_duplicate)
        mp_buf_printf(b, "; %zu repeated sample%s counted once", s->n_duplicate,
                      s->n_duplicate == 1 ? "" : "s");
    if (s->n_whole)
        mp_buf_printf(b, "; %zu sample%s of GPUs without MIG not used",
                      s->n_whole, s->n_whole == 1 ? "" : "s");
}

static void put_rules(const mp_advice_opts *o, mp_buf *b)
{
    char p[16], h[16];
    mp_format_milli(o->p_milli, p, sizeof(p));
    mp_format_milli(o->headroom_milli, h, sizeof(h));
    mp_buf_printf(b,
                  "busy: median engine activity above %.2f; memory: P%s "
                  "used + %s%%;\n",
                  o->busy, p, h);
    if (o->share_below > 0)
        mp_buf_printf(b, "share: a 1g slice under %.0f%% of its memory",
                      o->share_below * 100.0);
    else
        mp_buf_puts(b, "no share advice (--share-below 0)");
}

/* "replicas 2 -> 3; memory 15.00 -> 15.63 GiB", or "" without changes. */
static void put_summary(const mp_tenant *t, const mp_tenant_advice *ta,
                        mp_buf *b)
{
    const char *sep = "";
    if (ta->compute) {
        mp_buf_printf(b, "compute %dg -> %dg", t->compute, ta->compute);
        sep = "; ";
    }
    if (ta->replicas) {
        mp_buf_printf(b, "%sreplicas %d -> %d", sep, t->replicas, ta->replicas);
        sep = "; ";
    }
    if (ta->share) {
        mp_buf_printf(b, "%s%d replicas per instance (share: %d)", sep,
                      ta->share, ta->share);
        sep = "; ";
    }
    if (ta->mem != MP_MEM_KEEP)
        mp_buf_printf(b, "%smemory %.2f -> %.2f GiB", sep, gib(t->memory_mib),
                      gib(ta->memory_mib));
}

static void put_slice(const mp_advice_input *in, const mp_slice_obs *o,
                      const mp_slice_eval *e, mp_buf *b)
{
    char p[16];
    mp_format_milli(in->opts->p_milli, p, sizeof(p));
    mp_buf_puts(b, "  ");
    put_where(b, o);
    if (e->has_active)
        mp_buf_printf(b, ": engine %.2f (median of %zu)%s", e->median_active,
                      o->n_active, e->busy ? " busy" : "");
    else
        mp_buf_puts(b, ": no engine samples");
    if (!e->has_fb) {
        mp_buf_puts(b, ", no memory samples\n");
        return;
    }
    mp_buf_printf(b, ", memory P%s %.2f", p, gib(e->p_fb));
    if (e->slice_mib)
        mp_buf_printf(b, " of %.2f GiB (%.0f%%)", gib(e->slice_mib),
                      100.0 * (double)e->p_fb / (double)e->slice_mib);
    else
        mp_buf_puts(b, " GiB");
    mp_buf_printf(b, ", max %.2f", gib(e->max_fb));
    if (!o->model && o->model_name[0]) {
        mp_buf_puts(b, " (slice size unknown: modelName '");
        put_label(b, o->model_name);
        mp_buf_puts(b, "' is not in the profile database)");
    } else if (!o->gi) {
        mp_buf_puts(b, " (slice size unknown: no such profile on ");
        put_label(b, o->model ? o->model->id : "an unnamed model");
        mp_buf_putc(b, ')');
    }
    mp_buf_putc(b, '\n');
}

static void put_busy_reason(const mp_advice_input *in, const mp_tenant *t,
                            const mp_tenant_advice *ta, mp_buf *b)
{
    if (!ta->n_busy)
        return;
    const mp_slice_obs *o = &in->set->v[ta->busiest];
    mp_buf_printf(b,
                  "  busy: %d of %d slice%s above %.2f median engine "
                  "activity; ",
                  ta->n_busy, ta->n_slices, ta->n_slices == 1 ? "" : "s",
                  in->opts->busy);
    if (ta->compute)
        mp_buf_printf(b, "the next compute size of %s is %dg\n", o->model->id,
                      ta->compute);
    else if (ta->at_top)
        mp_buf_printf(b, "no larger compute size%s%s: one more replica\n",
                      o->model ? " on " : " (model unknown)",
                      o->model ? o->model->id : "");
    else if (in->opts->busy_action == MP_BUSY_REPLICA)
        mp_buf_puts(b, "one more replica (--busy-action replica)\n");
    else
        mp_buf_printf(b, "it runs %d replicas, so one more\n", t->replicas);
}

static void put_memory_reason(const mp_advice_input *in, const mp_tenant *t,
                              const mp_advice *a, const mp_tenant_advice *ta,
                              mp_buf *b)
{
    if (ta->fullest < 0)
        return;
    char p[16], h[16];
    mp_format_milli(in->opts->p_milli, p, sizeof(p));
    mp_format_milli(in->opts->headroom_milli, h, sizeof(h));
    const mp_slice_eval *e = &a->slices[ta->fullest];
    mp_buf_printf(b, "  memory: P%s %.2f GiB + %s%% = %.2f GiB", p,
                  gib(e->p_fb), h, gib(ta->need_mib));
    switch (ta->mem) {
    case MP_MEM_RAISE:
        mp_buf_printf(b, ", more than the %.2f GiB asked\n",
                      gib(t->memory_mib));
        break;
    case MP_MEM_LOWER:
        mp_buf_printf(b,
                      ";\n    the %.2f GiB asked take a larger memory size of "
                      "%s than needed\n",
                      gib(t->memory_mib), in->set->v[ta->fullest].model->id);
        break;
    case MP_MEM_SHARE:
        mp_buf_printf(b,
                      ";\n    every slice is 1g, not busy and under %.0f%% of "
                      "its memory: two replicas\n    can time-slice one "
                      "instance (share: 2 needs a migplan that knows it)\n",
                      in->opts->share_below * 100.0);
        break;
    case MP_MEM_KEEP:
        mp_buf_printf(b, "; the %.2f GiB asked stay\n", gib(t->memory_mib));
        break;
    }
}

static void put_tenant(const mp_advice_input *in, const mp_advice *a, int i,
                       mp_buf *b)
{
    const mp_tenant *t = &in->req->tenants[i];
    const mp_tenant_advice *ta = &a->tenants[i];
    mp_buf_printf(b, "\n%s: ", t->name);
    if (!ta->n_slices) {
        mp_buf_puts(b, t->whole_gpu ? "not measured (a whole GPU has no MIG "
                                      "metrics)\n"
                                    : "not measured (no MIG instance's "
                                      "container or pod is named like it)\n");
        return;
    }
    if (t->whole_gpu) {
        mp_buf_puts(b, "no advice (whole-gpu tenant on MIG instances)\n");
    } else if (mp_advice_changes(a, i)) {
        put_summary(t, ta, b);
        mp_buf_putc(b, '\n');
    } else {
        mp_buf_puts(b, "no change\n");
    }
    for (size_t k = 0; k < a->n_slices; k++)
        if (a->slices[k].tenant == i)
            put_slice(in, &in->set->v[k], &a->slices[k], b);
    if (t->whole_gpu)
        return;
    put_busy_reason(in, t, ta, b);
    put_memory_reason(in, t, a, ta, b);
}

void mp_emit_advice_text(const mp_advice_input *in, const mp_advice *a,
                         mp_buf *b)
{
    mp_buf_printf(b, "Advice for %s\n", in->req->path);
    put_source(in, b);
    mp_buf_puts(b, "\n");
    put_rules(in->opts, b);
    mp_buf_puts(b, "\n");
    for (int i = 0; i < in->req->n_tenants; i++)
        put_tenant(in, a, i, b);
    if (!a->n_unmapped)
        return;
    mp_buf_printf(b,
                  "\n%zu instance occupant%s match%s no tenant (by container "
                  "name, or pod name without its replica suffix):\n",
                  a->n_unmapped, a->n_unmapped == 1 ? "" : "s",
                  a->n_unmapped == 1 ? "es" : "");
    for (size_t k = 0; k < a->n_slices; k++) {
        if (a->slices[k].tenant >= 0)
            continue;
        const mp_slice_obs *o = &in->set->v[k];
        mp_buf_puts(b, "  ");
        put_where(b, o);
        mp_buf_puts(b, ": container '");
        put_label(b, o->container);
        mp_buf_puts(b, "', pod '");
        put_label(b, o->pod);
        mp_buf_puts(b, "'\n");
    }
}

void mp_emit_advice_yaml(const mp_advice_input *in, const mp_advice *a,
                         mp_buf *b)
{
    mp_buf h = MP_BUF_INIT;
    mp_buf_printf(&h, "Request revised by migplan advise: %s\n", in->req->path);
    put_source(in, &h);
    mp_buf_puts(&h, ".\n");
    put_rules(in->opts, &h);
    mp_buf_puts(&h, ".");
    int shares = 0;
    for (int i = 0; i < in->req->n_tenants; i++)
        shares += a->tenants[i].share > 0;
    if (shares)
        mp_buf_printf(&h,
                      "\n%d tenant%s get%s `share: 2`: that key needs a "
                      "migplan that knows share;\nthis one does not yet "
                      "(advise --share-below 0 gives advice without it).",
                      shares, shares == 1 ? "" : "s", shares == 1 ? "s" : "");
    mp_write_comment(mp_buf_str(&h), 0, b);
    mp_buf_free(&h);
    mp_write_fleet(in->req, b);
    mp_buf_puts(b, "tenants:\n");
    for (int i = 0; i < in->req->n_tenants; i++) {
        mp_tenant t = in->req->tenants[i];
        const mp_tenant_advice *ta = &a->tenants[i];
        if (mp_advice_changes(a, i)) {
            mp_buf s = MP_BUF_INIT;
            mp_buf_puts(&s, "advise: ");
            put_summary(&t, ta, &s);
            mp_write_comment(mp_buf_str(&s), 2, b);
            mp_buf_free(&s);
        }
        if (ta->compute) {
            t.compute = ta->compute;
            t.sms = 0;
        }
        if (ta->replicas)
            t.replicas = ta->replicas;
        if (ta->mem != MP_MEM_KEEP)
            t.memory_mib = ta->memory_mib;
        mp_write_tenant(&t, ta->share, b);
    }
}
