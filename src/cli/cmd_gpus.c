/* cmd_gpus.c - `migplan gpus`: every GPU model in the profile database. */
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "migplan/util/json_out.h"
#include "migplan/emit/model_json.h"

static const char usage[] =
    "Usage: migplan gpus [--format table|json] [-o FILE]\n"
    "\n"
    "List every GPU model migplan knows: id, nvidia-smi name, PCI device IDs,\n"
    "memory, MIG slot layout (memory slices x compute slices), number of\n"
    "profiles, and whether all of its numbers are confirmed from real\n"
    "nvidia-smi output or NVIDIA documentation. Any id, alias, PCI ID or\n"
    "nvidia-smi name shown here is accepted wherever a model is asked for.\n"
    "\n"
    "  --format F     table (default) or json\n"
    "  -o, --output F write to F (atomically) instead of standard output\n"
    "  --profiles DIR also load the profile files in DIR\n";

enum { OPT_FORMAT = 1, OPT_OUTPUT };

static void table(const mp_db *db, mp_buf *b)
{
    mp_buf_printf(b, "%-20s %-10s %-8s %-9s %s\n", "MODEL", "MEMORY", "SLICES",
                  "PROFILES", "DATA");
    int n = mp_db_count(db);
    for (int i = 0; i < n; i++) {
        const mp_model *m = mp_db_model(db, i);
        int confirmed = 0;
        for (int p = 0; p < m->n_profiles; p++)
            confirmed += m->profiles[p].confirmed;
        char mem[32], slices[16], data[48];
        snprintf(mem, sizeof(mem), "%.1f GiB%s", m->memory_mib / 1024.0,
                 mp_prov_inferred(&m->prov, "memory-mib") ? "*" : "");
        snprintf(slices, sizeof(slices), "%dm x %dc", m->units,
                 m->compute_slices);
        if (m->confirmed)
            snprintf(data, sizeof(data), "all confirmed");
        else if (confirmed == m->n_profiles)
            snprintf(data, sizeof(data), "profiles confirmed, model inferred");
        else
            snprintf(data, sizeof(data), "%d of %d profiles confirmed",
                     confirmed, m->n_profiles);
        mp_buf_printf(b, "%-20s %-10s %-8s %-9d %s\n", m->id, mem, slices,
                      m->n_profiles, data);
        mp_buf_printf(b, "  %s  ", m->name);
        for (int p = 0; p < m->n_pci_ids; p++)
            mp_buf_printf(b, "%s0x%08X", p ? " " : "", m->pci_ids[p]);
        mp_buf_putc(b, '\n');
        if (m->n_aliases) {
            mp_buf_puts(b, "  aliases:");
            for (int a = 0; a < m->n_aliases; a++)
                mp_buf_printf(b, " %s", m->aliases[a]);
            mp_buf_putc(b, '\n');
        }
    }
    mp_buf_puts(b,
                "\nSLICES: memory slices (placement units) x compute slices. "
                "* memory is a\nlower bound (the whole-GPU size was not seen). "
                "`migplan profiles MODEL`\nshows each profile and where its "
                "numbers come from.\n");
}

static void json(const mp_db *db, mp_buf *b)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *arr = cJSON_AddArrayToObject(root, "gpus");
    for (int i = 0; i < mp_db_count(db); i++)
        cJSON_AddItemToArray(arr, mp_model_json(mp_db_model(db, i), false));
    mp_json_print(root, b);
    cJSON_Delete(root);
}

int cmd_gpus(cli_ctx *c, int argc, char **argv)
{
    static const cli_opt opts[] = {{"format", 0, true, OPT_FORMAT},
                                   {"output", 'o', true, OPT_OUTPUT},
                                   CLI_COMMON_OPTS,
                                   {NULL, 0, false, 0}};
    static const char *const formats[] = {"table", "json", NULL};
    cli_parser p = {argc, argv, 1, false, usage};
    int id, fmt = 0, r;
    const char *arg, *out = NULL;
    while ((r = cli_next(c, &p, opts, &id, &arg)) != CLI_END) {
        if (r < 0)
            return r == CLI_HELP ? EXIT_OK : EXIT_USAGE;
        if (r == CLI_POSITIONAL)
            return cli_usage_error(c, "unexpected argument '%s'", arg);
        if (id == OPT_FORMAT && cli_format(c, arg, formats, &fmt))
            return EXIT_USAGE;
        if (id == OPT_OUTPUT)
            out = arg;
    }
    const mp_db *db;
    if ((r = cli_db(c, &db)) != 0)
        return r;
    mp_buf b = MP_BUF_INIT;
    if (fmt == 0)
        table(db, &b);
    else
        json(db, &b);
    r = cli_write(c, &b, out);
    mp_buf_free(&b);
    return r;
}
