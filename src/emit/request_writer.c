/* SPDX-License-Identifier: Apache-2.0 */
/* request_writer.c - fleet and tenants written back as request YAML. */
#include "migplan/emit/request_writer.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <strings.h>

void mp_write_memory(long long mib, mp_buf *b)
{
    if (mib % 1024 == 0)
        mp_buf_printf(b, "%lldGiB", mib / 1024);
    else
        mp_buf_printf(b, "%lldMiB", mib);
}

void mp_write_comment(const char *text, int indent, mp_buf *b)
{
    const char *p = text;
    for (;;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        mp_buf_repeat(b, " ", indent);
        mp_buf_puts(b, n ? "# " : "#");
        for (size_t i = 0; i < n; i++)
            mp_buf_putc(b, (unsigned char)p[i] < 0x20 || p[i] == 0x7F ? '?'
                                                                      : p[i]);
        mp_buf_putc(b, '\n');
        if (!nl)
            break;
        p = nl + 1;
    }
}

/* Would a plain scalar of s (a valid tenant name) read as a string? Names
 * are [A-Za-z0-9._-]+, so only YAML 1.1's booleans and null, and anything
 * not starting with a letter (numbers, dates, .inf), can read otherwise. */
static bool plain_is_string(const char *s)
{
    static const char *const words[] = {"y",     "yes", "n",   "no",  "true",
                                        "false", "on",  "off", "null"};
    if (!isalpha((unsigned char)s[0]))
        return false;
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (strcasecmp(s, words[i]) == 0)
            return false;
    return true;
}

static void write_name(const char *s, mp_buf *b)
{
    if (plain_is_string(s))
        mp_buf_puts(b, s);
    else
        mp_buf_printf(b, "\"%s\"", s); /* names need no escapes */
}

/* A number YAML 1.1 reads back as the same double: %.15g when it round-trips
 * and has no exponent (YAML 1.1 floats need a dot), else fixed digits. */
static void write_number(double v, char *buf, size_t n)
{
    snprintf(buf, n, "%.15g", v);
    if (strtod(buf, NULL) == v && !strchr(buf, 'e'))
        return;
    snprintf(buf, n, "%.20f", v);
    size_t k = strlen(buf);
    while (k > 1 && buf[k - 1] == '0' && buf[k - 2] != '.')
        buf[--k] = '\0';
}

/* The count and cost of a pool or fleet item, where they were given (a
 * count of -1: none; a cost of 1: the default). */
static void write_count_cost(int count, double cost, mp_buf *b)
{
    if (count >= 0)
        mp_buf_printf(b, "    count: %d\n", count);
    if (cost != 1.0) {
        char c[64];
        write_number(cost, c, sizeof(c));
        mp_buf_printf(b, "    cost: %s\n", c);
    }
}

/* The node pools, as the request gave them. */
static void write_pools(const mp_request *r, mp_buf *b)
{
    mp_buf_puts(b, "nodes:\n");
    for (int i = 0; i < r->n_pools; i++) {
        const mp_node_pool *p = &r->pools[i];
        mp_buf_puts(b, "  - pool: ");
        write_name(p->name, b);
        mp_buf_printf(b, "\n    model: %s\n    gpus: %d\n", p->model->id,
                      p->gpus);
        write_count_cost(p->count, p->cost, b);
        if (p->strategy != MP_STRATEGY_MIXED)
            mp_buf_printf(b, "    strategy: %s\n",
                          mp_strategy_name(p->strategy));
        for (int k = 0; k < p->n_names; k++) {
            mp_buf_puts(b, k ? ", " : "    names: [");
            write_name(p->names[k], b);
        }
        if (p->n_names)
            mp_buf_puts(b, "]\n");
    }
}

void mp_write_fleet(const mp_request *r, mp_buf *b)
{
    if (r->n_pools) {
        write_pools(r, b);
        return;
    }
    mp_buf_puts(b, "fleet:\n");
    for (int i = 0; i < r->n_fleet; i++) {
        const mp_fleet_item *f = &r->fleet[i];
        mp_buf_printf(b, "  - model: %s\n", f->model->id);
        write_count_cost(f->count, f->cost, b);
    }
}

static void write_flags(const mp_tenant *t, mp_buf *b)
{
    if (t->media)
        mp_buf_puts(b, "    media: true\n");
    if (t->graphics)
        mp_buf_puts(b, "    graphics: true\n");
    bool any = false;
    for (int e = 0; e < MP_ENG_COUNT; e++)
        any |= t->engines[e] > 0;
    if (any) {
        mp_buf_puts(b, "    engines: {");
        const char *sep = "";
        for (int e = 0; e < MP_ENG_COUNT; e++)
            if (t->engines[e] > 0) {
                mp_buf_printf(b, "%s%s: %d", sep, mp_engine_name(e),
                              t->engines[e]);
                sep = ", ";
            }
        mp_buf_puts(b, "}\n");
    }
    if (t->whole_gpu && mp_tenant_gpus(t) > 1)
        mp_buf_printf(b, "    whole-gpu: %d\n", mp_tenant_gpus(t));
    else if (t->whole_gpu)
        mp_buf_puts(b, "    whole-gpu: true\n");
    if (t->spread)
        mp_buf_puts(b, t->spread_nodes ? "    spread: nodes\n"
                                       : "    spread: true\n");
    if (t->n_models) {
        mp_buf_puts(b, "    models: [");
        for (int i = 0; i < t->n_models; i++)
            mp_buf_printf(b, "%s%s", i ? ", " : "", t->models[i]->id);
        mp_buf_puts(b, "]\n");
    }
}

/* A percentage in thousandths as the reader takes it back: "12.5". */
static void write_percent(int milli, mp_buf *b)
{
    mp_buf_printf(b, "%d", milli / 1000);
    if (milli % 1000) {
        char frac[8];
        snprintf(frac, sizeof(frac), "%03d", milli % 1000);
        for (int k = 2; k > 0 && frac[k] == '0'; k--)
            frac[k] = '\0';
        mp_buf_printf(b, ".%s", frac);
    }
}

void mp_write_margins(const mp_request *r, mp_buf *b)
{
    if (r->headroom_milli > 0) {
        mp_buf_puts(b, "headroom: ");
        write_percent(r->headroom_milli, b);
        mp_buf_puts(b, "\n");
    }
    if (r->min_spare_mib != MP_DEFAULT_MIN_SPARE_MIB) {
        mp_buf_puts(b, "min-spare: ");
        if (r->min_spare_mib > 0)
            mp_write_memory(r->min_spare_mib, b);
        else
            mp_buf_putc(b, '0');
        mp_buf_putc(b, '\n');
    }
}

void mp_write_tenant(const mp_tenant *t, mp_buf *b)
{
    mp_buf_puts(b, "  - name: ");
    write_name(t->name, b);
    mp_buf_putc(b, '\n');
    if (mp_tenant_asked_mib(t) > 0) {
        mp_buf_puts(b, "    memory: ");
        mp_write_memory(mp_tenant_asked_mib(t), b);
        mp_buf_putc(b, '\n');
    }
    if (t->asked_replicas > 0 && t->headroom_milli >= 0) {
        mp_buf_puts(b, "    headroom: ");
        write_percent(t->headroom_milli, b);
        mp_buf_putc(b, '\n');
    }
    if (t->sms > 0)
        mp_buf_printf(b, "    sms: %d\n", t->sms);
    else if (t->compute > 1)
        mp_buf_printf(b, "    compute: %dg\n", t->compute);
    if (mp_tenant_asked_replicas(t) != 1)
        mp_buf_printf(b, "    replicas: %d\n", mp_tenant_asked_replicas(t));
    if (mp_tenant_share(t) > 1)
        mp_buf_printf(b, "    share: %d\n", mp_tenant_share(t));
    write_flags(t, b);
}
