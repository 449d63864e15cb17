/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_plan.c - `migplan plan REQUEST`: the fewest GPUs for the tenants. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "migplan/emit/emit_lp.h"
#include "migplan/emit/emit_plan.h"
#include "migplan/emit/emit_script.h"
#include "migplan/emit/k8s_writer.h"
#include "migplan/emit/migparted_writer.h"
#include "migplan/emit/svg.h"
#include "migplan/emit/systemd_unit.h"
#include "migplan/readers/request_reader.h"
#include "migplan/script/script.h"
#include "migplan/solver/solver.h"

typedef enum plan_format {
    PLAN_FORMAT_TABLE,
    PLAN_FORMAT_JSON,
    PLAN_FORMAT_MIGPARTED,
    PLAN_FORMAT_NVIDIA_SMI,
    PLAN_FORMAT_LP,
    PLAN_FORMAT_SVG,
    PLAN_FORMAT_K8S
} plan_format;

typedef struct plan_args {
    int format; /* plan_format */
    const char *output;
    const char *gpu;
    const char *config_name;
    bool no_placement;
    double time_limit;
    bool verbose;
    const char *systemd;   /* --systemd PATH: the boot unit, not the script */
    const char *node_name; /* --node-name: the node a script is for */
    const char *request;
} plan_args;

/* The request as read, kept to quote its lines in later errors. */
typedef struct source {
    char *text;
    size_t len;
} source;

/* Read and parse the request; on failure prints it (quoting the text read,
 * standard input too) and returns the exit status. */
static int load_request(cli_ctx *c, const plan_args *a, mp_request *req,
                        source *src)
{
    const mp_db *db;
    const mp_model *gpu = NULL;
    int r = cli_db(c, &db);
    if (!r && a->gpu)
        r = cli_model(c, a->gpu, &gpu);
    if (!r)
        r = cli_read(c, a->request, &src->text, &src->len);
    if (r)
        return r;
    const char *shown = strcmp(a->request, "-") ? a->request : "<stdin>";
    mp_diag d;
    mp_diag_clear(&d);
    if (mp_request_parse(db, src->text, src->len, shown, gpu, req, &d) != 0) {
        mp_diag_quote(&d, shown, src->text, src->len);
        return cli_fail(c, &d);
    }
    if (gpu && req->n_fleet && req->fleet[0].model != gpu)
        fprintf(stderr, "migplan plan: note: the request has a fleet; --gpu "
                        "is ignored\n");
    return 0;
}

/* With node pools, the script is for one node: --node-name's, with its
 * GPUs indexed as on that node (view->gpus is the caller's to free). */
static int script_node(const plan_args *a, const mp_plan *plan, mp_plan *view,
                       mp_diag *d)
{
    int j = a->node_name ? mp_plan_find_node(plan, a->node_name) : -1;
    if (j < 0) {
        char names[600] = "";
        size_t k = 0;
        for (int i = 0; i < plan->n_nodes && k < sizeof(names); i++) {
            char n[300];
            const mp_plan_node *nd = &plan->nodes[i];
            mp_node_pool_node_name(&plan->req->pools[nd->pool], nd->k, n,
                                   sizeof(n));
            mp_catf(names, sizeof(names), &k, "%s%s", i ? ", " : "", n);
        }
        if (a->node_name)
            return mp_diag_set(d, MP_EUSAGE, NULL, 0, 0,
                               "no node named %s; give --node-name with one "
                               "of: %s",
                               a->node_name, names);
        return mp_diag_set(d, MP_EUSAGE, NULL, 0, 0,
                           "a script sets up one node; give --node-name with "
                           "one of: %s",
                           names);
    }
    return mp_plan_node_view(plan, j, view)
               ? mp_diag_set(d, MP_ENOMEM, NULL, 0, 0, "out of memory")
               : 0;
}

static int emit_script(const plan_args *a, const mp_plan *plan, mp_buf *b,
                       mp_diag *d)
{
    if (!plan->feasible)
        return mp_diag_set(d, MP_EINFEASIBLE, plan->req->path, 0, 0,
                           "no plan, so no script: %s", plan->reason);
    mp_plan view = {0};
    if (plan->req->n_pools) {
        int rc = script_node(a, plan, &view, d);
        if (rc)
            return rc;
        plan = &view;
    } else if (a->node_name) {
        return mp_diag_set(d, MP_EUSAGE, NULL, 0, 0,
                           "--node-name needs a request with node pools "
                           "(nodes:)");
    }
    char from[1200];
    snprintf(from, sizeof(from), "%s%s%s", plan->req->path,
             view.gpus ? ", node " : "", view.gpus ? a->node_name : "");
    mp_script sc;
    int rc = mp_script_from_plan(plan, &sc, d);
    if (!rc) {
        mp_script_opts o = {.no_placement = a->no_placement, .source = from};
        rc = mp_emit_script(&sc, &o, b, d);
        mp_script_free(&sc);
    }
    if (!rc && a->systemd) {
        /* the unit instead of the script, once the script can be written */
        mp_unit_opts uo = {.script = a->systemd, .source = plan->req->path};
        mp_buf_reset(b);
        rc = mp_emit_systemd_unit(&uo, b, d);
    }
    free(view.gpus);
    return rc;
}

static int emit(cli_ctx *c, const plan_args *a, const mp_plan *plan, mp_buf *b,
                mp_diag *d)
{
    switch ((plan_format)a->format) {
    case PLAN_FORMAT_TABLE:
        mp_emit_plan_table_named(plan, a->config_name, cli_use_unicode(c), b);
        return 0;
    case PLAN_FORMAT_JSON:
        mp_emit_plan_json_named(plan, a->config_name, b);
        return 0;
    case PLAN_FORMAT_MIGPARTED:
        return mp_emit_plan_migparted(plan, a->config_name, b, d);
    case PLAN_FORMAT_NVIDIA_SMI:
        return emit_script(a, plan, b, d);
    case PLAN_FORMAT_LP:
        return mp_emit_plan_lp(plan, b, d);
    case PLAN_FORMAT_SVG:
        mp_svg_plan(plan, b);
        return 0;
    case PLAN_FORMAT_K8S:
        return mp_emit_plan_k8s(plan, a->config_name, b, d);
    }
    return mp_diag_set(d, MP_EINTERNAL, NULL, 0, 0, "unknown plan format");
}

static void statistics(const mp_plan *plan)
{
    fprintf(stderr,
            "migplan plan: %.4f s, %d tenant classes, %d geometries, LP "
            "%d x %d, %ld branch-and-bound nodes, %ld simplex pivots%s\n",
            plan->seconds, plan->classes, plan->patterns, plan->rows,
            plan->columns, plan->bb_nodes, plan->lp_pivots,
            plan->time_limit_hit ? ", time limit reached" : "");
}

/* Write the plan in the format asked; returns the exit status. */
static int report(cli_ctx *c, const plan_args *a, const mp_plan *plan,
                  const source *src)
{
    mp_buf b = MP_BUF_INIT;
    mp_diag d;
    mp_diag_clear(&d);
    int rc = emit(c, a, plan, &b, &d), exit_code;
    if (rc == MP_EINFEASIBLE) {
        fprintf(stderr, "migplan plan: %s\n", d.msg);
        exit_code = EXIT_FINDINGS;
    } else if (rc) {
        mp_diag_quote(&d, plan->req->path, src->text, src->len);
        exit_code = cli_fail(c, &d);
    } else {
        exit_code = cli_write(c, &b, a->output);
        if (!exit_code && !plan->feasible)
            exit_code = EXIT_FINDINGS;
    }
    mp_buf_free(&b);
    bool reasoned = a->format == PLAN_FORMAT_TABLE ||
                    a->format == PLAN_FORMAT_JSON ||
                    a->format == PLAN_FORMAT_SVG || rc == MP_EINFEASIBLE;
    if (!plan->feasible && !reasoned)
        fprintf(stderr, "migplan plan: no plan: %s\n", plan->reason);
    return exit_code;
}

static int run(cli_ctx *c, void *args)
{
    const plan_args *a = args;
    if (a->no_placement && a->format != PLAN_FORMAT_NVIDIA_SMI)
        return cli_usage_error(c, "--no-placement only applies to --format "
                                  "nvidia-smi");
    if (a->systemd && a->format != PLAN_FORMAT_NVIDIA_SMI)
        return cli_usage_error(c, "--systemd writes the boot unit for the "
                                  "script: add --format nvidia-smi");
    mp_diag ud;
    if (a->systemd && mp_unit_check_script(a->systemd, &ud))
        return cli_usage_error(c, "--systemd: %s", ud.msg);
    mp_request req;
    source src = {NULL, 0};
    int r = load_request(c, a, &req, &src);
    if (r) {
        free(src.text);
        return r;
    }
    const mp_db *db;
    cli_db(c, &db);
    mp_plan plan;
    mp_diag d;
    mp_diag_clear(&d);
    mp_solve_opts so = {.time_limit = a->time_limit};
    if (mp_solve(db, &req, &so, &plan, &d) != 0) {
        mp_diag_quote(&d, req.path, src.text, src.len);
        r = cli_fail(c, &d);
    } else {
        if (a->verbose)
            statistics(&plan);
        r = report(c, a, &plan, &src);
        mp_plan_free(&plan);
    }
    mp_request_free(&req);
    free(src.text);
    return r;
}

static const cli_choice formats[] = {
    {"table", PLAN_FORMAT_TABLE, "slot diagrams and a replica list"},
    {"json", PLAN_FORMAT_JSON, NULL},
    {"mig-parted", PLAN_FORMAT_MIGPARTED, "a config for nvidia-mig-parted"},
    {"nvidia-smi", PLAN_FORMAT_NVIDIA_SMI, "a setup script"},
    {"lp", PLAN_FORMAT_LP,
     "the problem as a CPLEX-LP integer program for glpsol or cbc"},
    {"svg", PLAN_FORMAT_SVG, "a picture: every GPU to scale, tenants coloured"},
    {"k8s", PLAN_FORMAT_K8S,
     "with nodes: the GPU Operator's ConfigMap, node labels and pod "
     "resources"},
    {NULL, 0, NULL},
};

#define ARG(f) offsetof(plan_args, f)

static const cli_option options[] = {
    CLI_OPTION_FORMAT(plan_args, format, formats, "table"),
    {.name = "gpu",
     .store = CLI_STORE_STRING,
     .offset = ARG(gpu),
     .value_name = "MODEL",
     .value = CLI_VALUE_MODEL,
     .help = "the GPU model when the request has no fleet (as many as "
             "needed)"},
    {.name = "config-name",
     .store = CLI_STORE_STRING,
     .offset = ARG(config_name),
     .value_name = "N",
     .value = CLI_VALUE_TEXT,
     .help = "name of the mig-parted config",
     .def = "migplan"},
    {.name = "node-name",
     .store = CLI_STORE_STRING,
     .offset = ARG(node_name),
     .value_name = "NAME",
     .value = CLI_VALUE_TEXT,
     .help = "nvidia-smi with node pools: the node the script sets up (its "
             "GPU indices)"},
    {.name = "no-placement",
     .store = CLI_STORE_TRUE,
     .offset = ARG(no_placement),
     .help = "nvidia-smi: create instances without start slots"},
    CLI_OPTION_SYSTEMD(plan_args, systemd,
                       "nvidia-smi: write, instead of the script, a systemd "
                       "unit that runs the script installed at PATH at boot"),
    {.name = "time-limit",
     .store = CLI_STORE_SECONDS,
     .offset = ARG(time_limit),
     .value_name = "S",
     .value = CLI_VALUE_SECONDS,
     .help = "seconds for the search; past it the best plan found is written "
             "with its gap to the bound",
     .def = "5",
     .max = 86400},
    CLI_OPTION_OUTPUT(plan_args, output,
                      "write to F (atomically) instead of standard output"),
    {.name = "verbose",
     .short_name = 'v',
     .store = CLI_STORE_TRUE,
     .offset = ARG(verbose),
     .help = "solver statistics on standard error"},
    {.name = NULL},
};

static const cli_operand operands[] = {
    {.name = "REQUEST.yaml",
     .store = CLI_STORE_STRING,
     .offset = ARG(request),
     .value = CLI_VALUE_FILE,
     .min = 1,
     .max = 1,
     .missing = "which request? e.g. `migplan plan "
                "examples/three-teams-dgx-h100.yaml`",
     .extra = "give one request file, not '%s' too"},
    {.name = NULL},
};

const cli_command cli_cmd_plan = {
    .name = "plan",
    .run = run,
    .args_size = sizeof(plan_args),
    .summary = "pack tenants onto the fewest GPUs and write the layout",
    .synopsis = "Usage: migplan plan REQUEST.yaml [--format F] [--gpu MODEL] "
                "[-o FILE]\n",
    .description =
        "Pack the tenants of REQUEST onto the fewest GPUs of its fleet "
        "(or the cheapest, with per-model costs), prove that no plan uses "
        "fewer, and write the layout. Among optimal plans, `spread` "
        "tenants go on distinct GPUs as far as the optimum allows and "
        "each GPU keeps the most usable capacity free. REQUEST may be - "
        "for standard input; its format is in the README.",
    .footer = "Exit status: 0 plan written, 1 no plan exists (the reason is "
              "printed), 2 bad request or usage, 3 internal error.",
    .options = options,
    .operands = operands,
    .common = CLI_SHOW_DIAGRAM,
};
