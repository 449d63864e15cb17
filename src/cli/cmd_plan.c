/* cmd_plan.c - `migplan plan REQUEST`: the fewest GPUs for the tenants. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "migplan/emit/emit_lp.h"
#include "migplan/emit/emit_plan.h"
#include "migplan/emit/emit_script.h"
#include "migplan/emit/migparted_writer.h"
#include "migplan/emit/svg.h"
#include "migplan/emit/systemd_unit.h"
#include "migplan/script/script.h"
#include "migplan/solver/solver.h"
#include "migplan/readers/request_reader.h"

static const char usage[] =
    "Usage: migplan plan REQUEST.yaml [--format F] [--gpu MODEL] [-o FILE]\n"
    "\n"
    "Pack the tenants of REQUEST onto the fewest GPUs of its fleet (or the\n"
    "cheapest, with per-model costs), prove that no plan uses fewer, and "
    "write\n"
    "the layout. Among optimal plans, `spread` tenants go on distinct GPUs as\n"
    "far as the optimum allows and each GPU keeps the most usable capacity\n"
    "free. REQUEST may be - for standard input; its format is in the README.\n"
    "\n"
    "  --format F        table (default, slot diagrams and a replica list),\n"
    "                    json, mig-parted (a config for nvidia-mig-parted),\n"
    "                    nvidia-smi (a setup script), or lp (the problem as a\n"
    "                    CPLEX-LP integer program for glpsol or cbc), or svg\n"
    "                    (a picture: every GPU to scale, tenants coloured)\n"
    "  --gpu MODEL       the GPU model when the request has no fleet (as many\n"
    "                    as needed)\n"
    "  --config-name N   name of the mig-parted config (default migplan)\n"
    "  --no-placement    nvidia-smi: create instances without start slots\n"
    "  --systemd PATH    nvidia-smi: write, instead of the script, a systemd\n"
    "                    unit that runs the script installed at PATH at boot\n"
    "  --time-limit S    seconds for the search (default 5); past it the best\n"
    "                    plan found is written with its gap to the bound\n"
    "  -o, --output F    write to F (atomically) instead of standard output\n"
    "  -v, --verbose     solver statistics on standard error\n"
    "  --ascii/--unicode force the diagram character set\n"
    "\n"
    "Exit status: 0 plan written, 1 no plan exists (the reason is printed),\n"
    "2 bad request or usage.\n";

enum {
    OPT_FORMAT = 1,
    OPT_OUTPUT,
    OPT_GPU,
    OPT_CONFIG_NAME,
    OPT_NO_PLACEMENT,
    OPT_TIME_LIMIT,
    OPT_VERBOSE,
    OPT_SYSTEMD
};

int cmd_plan(cli_ctx *c, int argc, char **argv)
{
    static const cli_opt opts[] = {{"format", 0, true, OPT_FORMAT},
                                   {"output", 'o', true, OPT_OUTPUT},
                                   {"gpu", 0, true, OPT_GPU},
                                   {"config-name", 0, true, OPT_CONFIG_NAME},
                                   {"no-placement", 0, false, OPT_NO_PLACEMENT},
                                   {"time-limit", 0, true, OPT_TIME_LIMIT},
                                   {"verbose", 'v', false, OPT_VERBOSE},
                                   {"systemd", 0, true, OPT_SYSTEMD},
                                   CLI_COMMON_OPTS,
                                   {NULL, 0, false, 0}};
    static const char *const formats[] = {
        "table", "json", "mig-parted", "nvidia-smi", "lp", "svg", NULL};
    cli_parser p = {argc, argv, 1, false, usage};
    int id, fmt = 0, r;
    const char *arg, *out = NULL, *path = NULL, *gpu = NULL;
    const char *config_name = "migplan", *systemd = NULL;
    bool no_placement = false, verbose = false;
    double time_limit = 5.0;
    while ((r = cli_next(c, &p, opts, &id, &arg)) != CLI_END) {
        if (r < 0)
            return r == CLI_HELP ? EXIT_OK : EXIT_USAGE;
        if (r == CLI_POSITIONAL) {
            if (path)
                return cli_usage_error(c, "give one request file, not '%s' too",
                                       arg);
            path = arg;
            continue;
        }
        switch (id) {
        case OPT_FORMAT:
            if (cli_format(c, arg, formats, &fmt))
                return EXIT_USAGE;
            break;
        case OPT_OUTPUT:
            out = arg;
            break;
        case OPT_GPU:
            gpu = arg;
            break;
        case OPT_CONFIG_NAME:
            config_name = arg;
            break;
        case OPT_NO_PLACEMENT:
            no_placement = true;
            break;
        case OPT_TIME_LIMIT: {
            char *end;
            time_limit = strtod(arg, &end);
            if (*end || !(time_limit > 0) || time_limit > 86400)
                return cli_usage_error(c,
                                       "--time-limit takes seconds between 0 "
                                       "and 86400, not '%s'",
                                       arg);
            break;
        }
        case OPT_VERBOSE:
            verbose = true;
            break;
        case OPT_SYSTEMD:
            systemd = arg;
            break;
        }
    }
    if (!path)
        return cli_usage_error(c, "which request? e.g. `migplan plan "
                                  "examples/three-teams-dgx-h100.yaml`");
    if (no_placement && fmt != 3)
        return cli_usage_error(c, "--no-placement only applies to --format "
                                  "nvidia-smi");
    if (systemd && fmt != 3)
        return cli_usage_error(c, "--systemd writes the boot unit for the "
                                  "script: add --format nvidia-smi");
    mp_diag ud;
    if (systemd && mp_unit_check_script(systemd, &ud))
        return cli_usage_error(c, "--systemd: %s", ud.msg);
    const mp_db *db;
    if ((r = cli_db(c, &db)) != 0)
        return r;
    const mp_model *default_model = NULL;
    if (gpu && (r = cli_model(c, gpu, &default_model)) != 0)
        return r;
    mp_request req;
    mp_diag d;
    mp_diag_clear(&d);
    if (mp_request_load(db, path, default_model, &req, &d) != 0) {
        cli_print_diag(&d);
        return EXIT_USAGE;
    }
    if (gpu && req.n_fleet && req.fleet[0].model != default_model)
        fprintf(stderr, "migplan plan: note: the request has a fleet; --gpu is "
                        "ignored\n");
    mp_plan plan;
    mp_solve_opts so = {.time_limit = time_limit};
    if (mp_solve(db, &req, &so, &plan, &d) != 0) {
        cli_print_diag(&d);
        mp_request_free(&req);
        return EXIT_USAGE;
    }
    if (verbose)
        fprintf(stderr,
                "migplan plan: %.4f s, %d tenant classes, %d geometries, LP "
                "%d x %d, %ld branch-and-bound nodes, %ld simplex pivots%s\n",
                plan.seconds, plan.classes, plan.patterns, plan.rows,
                plan.columns, plan.bb_nodes, plan.lp_pivots,
                plan.time_limit_hit ? ", time limit reached" : "");
    mp_buf b = MP_BUF_INIT;
    int rc = 0;
    switch (fmt) {
    case 0:
        mp_emit_plan_table(&plan, cli_use_unicode(c), &b);
        break;
    case 1:
        mp_emit_plan_json(&plan, &b);
        break;
    case 2:
        rc = mp_emit_plan_migparted(&plan, config_name, &b, &d);
        break;
    case 3: {
        if (!plan.feasible) {
            rc = mp_diag_set(&d, MP_EINFEASIBLE, req.path, 0, 0,
                             "no plan, so no script: %s", plan.reason);
            break;
        }
        mp_script sc;
        rc = mp_script_from_plan(&plan, &sc, &d);
        if (!rc) {
            mp_script_opts o = {.no_placement = no_placement,
                                .source = req.path};
            rc = mp_emit_script(&sc, &o, &b, &d);
            mp_script_free(&sc);
            if (!rc && systemd) {
                /* the unit instead of the script, once the script can be
                 * written */
                mp_unit_opts uo = {.script = systemd, .source = req.path};
                mp_buf_reset(&b);
                rc = mp_emit_systemd_unit(&uo, &b, &d);
            }
        }
        break;
    }
    case 4:
        rc = mp_emit_plan_lp(&plan, &b, &d);
        break;
    case 5:
        mp_svg_plan(&plan, &b);
        break;
    }
    int exit_code = EXIT_OK;
    if (rc == MP_EINFEASIBLE) {
        fprintf(stderr, "migplan plan: %s\n", d.msg);
        exit_code = EXIT_FINDINGS;
    } else if (rc) {
        cli_print_diag(&d);
        exit_code = EXIT_USAGE;
    } else {
        int wr = cli_write(c, &b, out);
        if (wr)
            exit_code = wr;
        else if (!plan.feasible)
            exit_code = EXIT_FINDINGS;
    }
    if (!plan.feasible && fmt != 0 && fmt != 1 && fmt != 5 &&
        rc != MP_EINFEASIBLE)
        fprintf(stderr, "migplan plan: no plan: %s\n", plan.reason);
    mp_buf_free(&b);
    mp_plan_free(&plan);
    mp_request_free(&req);
    return exit_code;
}
