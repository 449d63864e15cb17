/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_plan.c - `migplan plan REQUEST`: the fewest GPUs for the tenants. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <unistd.h>

#include "cli.h"
#include "cli_color.h"
#include "cli_state.h"
#include "migplan/emit/emit_lp.h"
#include "migplan/emit/emit_plan.h"
#include "migplan/emit/emit_script.h"
#include "migplan/emit/k8s_writer.h"
#include "migplan/emit/migparted_writer.h"
#include "migplan/emit/node_changes.h"
#include "migplan/emit/svg.h"
#include "migplan/emit/systemd_unit.h"
#include "migplan/emit/timeslicing.h"
#include "migplan/readers/request_reader.h"
#include "migplan/script/script.h"
#include "migplan/solver/solver.h"

/* --format F */
#define PLAN_FORMATS(X)                                                        \
    X(PLAN_FORMAT_TABLE, "table", "slot diagrams and a replica list")          \
    X(PLAN_FORMAT_JSON, "json", NULL)                                          \
    X(PLAN_FORMAT_MIGPARTED, "mig-parted", "a config for nvidia-mig-parted")   \
    X(PLAN_FORMAT_NVIDIA_SMI, "nvidia-smi", "a setup script")                  \
    X(PLAN_FORMAT_LP, "lp",                                                    \
      "the problem as a CPLEX-LP integer program for glpsol or cbc")           \
    X(PLAN_FORMAT_SVG, "svg",                                                  \
      "a picture: every GPU to scale, tenants coloured")                       \
    X(PLAN_FORMAT_TIMESLICING, "timeslicing",                                  \
      "the k8s device plugin's time-slicing config for `share` tenants")       \
    X(PLAN_FORMAT_K8S, "k8s",                                                  \
      "with nodes: the GPU Operator's ConfigMap, node labels and pod "         \
      "resources")

typedef enum plan_format { PLAN_FORMATS(CLI_CHOICE_ENUM) } plan_format;

typedef struct plan_args {
    int format; /* plan_format */
    const char *output;
    const char *gpu;
    const char *config_name;
    bool no_placement;
    double time_limit;
    bool verbose;
    const char *systemd;   /* --systemd PATH: the boot unit, not the script */
    bool summary;          /* --summary: totals only */
    bool all_gpus;         /* --all-gpus: no grouping in large plans */
    const char *min_spare; /* --min-spare SIZE: overrides the request's */
    const char *node_name; /* --node-name: the node a script is for */
    cli_list current;   /* --current FILE or NODE=FILE...: plan from states */
    int current_format; /* --current-format: an mp_state_format */
    bool allow_disruption; /* --allow-disruption: in-use instances may go */
    bool reset_unused;     /* --reset-unused: MIG off on unused GPUs */
    const char *request;
} plan_args;

/* --gpu MODEL or MODEL:COUNT: the model into name (at most n bytes) and
 * the count, -1 for as many as needed. */
static int gpu_option(cli_ctx *c, const char *arg, char *name, size_t n,
                      int *count)
{
    *count = -1;
    const char *colon = strrchr(arg, ':');
    size_t len = strlen(arg);
    if (colon && colon[1] &&
        strspn(colon + 1, "0123456789") == strlen(colon + 1)) {
        long v = strtol(colon + 1, NULL, 10);
        if (v < 1 || v > 100000)
            return cli_usage_error(c,
                                   "--gpu %s: the count must be from 1 to "
                                   "100000",
                                   arg);
        *count = (int)v;
        len = (size_t)(colon - arg);
    }
    if (len >= n)
        return cli_usage_error(c, "--gpu: model name too long");
    memcpy(name, arg, len);
    name[len] = '\0';
    return 0;
}

/* Read and parse the request, keeping its text in `in` to quote its lines
 * in later errors; on failure prints it (quoting the text read, standard
 * input too) and returns the exit status. */
static int load_request(cli_ctx *c, const plan_args *a, mp_request *req,
                        cli_inputs *in)
{
    const mp_db *db;
    const mp_model *gpu = NULL;
    char model[128];
    int count = -1;
    memset(req, 0, sizeof(*req));
    int r = cli_db(c, &db);
    if (!r && a->gpu)
        r = gpu_option(c, a->gpu, model, sizeof(model), &count);
    if (!r && a->gpu)
        r = cli_model(c, model, &gpu);
    if (r)
        return r;
    const mp_input *s;
    mp_diag d = {0};
    if (cli_input(in, a->request, "a YAML file", &s, &d) != 0 ||
        mp_request_parse(db, s->text, s->len, s->shown, gpu, req, &d) != 0)
        return cli_fail_in(c, in, &d);
    if (gpu && req->n_fleet && req->fleet[0].model != gpu)
        fprintf(stderr, "migplan plan: note: the request has a fleet; --gpu "
                        "is ignored\n");
    else if (gpu && req->n_fleet == 1 && req->fleet[0].count == -1)
        req->fleet[0].count = count; /* no fleet: --gpu MODEL[:COUNT] is it */
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
    mp_script_opts o = {.no_placement = a->no_placement, .source = from};
    int rc;
    if (plan->current) { /* a change script: keep what the plan keeps */
        mp_change_script cs;
        rc = mp_change_from_plan(plan, &cs, d);
        cs.placements_known = !plan->current->placements_assumed;
        if (!rc)
            rc = mp_emit_change_script(&cs, &o, b, d);
        mp_change_script_free(&cs);
    } else {
        mp_script sc;
        rc = mp_script_from_plan(plan, &sc, d);
        if (!rc) {
            rc = mp_emit_script(&sc, &o, b, d);
            mp_script_free(&sc);
        }
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
    case PLAN_FORMAT_TABLE: {
        mp_plan_view v = {.unicode = cli_use_unicode(c),
                          .color = cli_color(c, STDOUT_FILENO, a->output),
                          .summary = a->summary,
                          .all_gpus = a->all_gpus,
                          .config_name = a->config_name};
        mp_emit_plan_view(plan, &v, b);
        return 0;
    }
    case PLAN_FORMAT_JSON: /* streamed as it is made: write_json */
        break;
    case PLAN_FORMAT_MIGPARTED:
        return mp_emit_plan_migparted_to(plan, a->config_name, a->output, b, d);
    case PLAN_FORMAT_NVIDIA_SMI:
        return emit_script(a, plan, b, d);
    case PLAN_FORMAT_LP:
        return mp_emit_plan_lp(plan, b, d);
    case PLAN_FORMAT_SVG: /* streamed as it is made: write_streamed */
        break;
    case PLAN_FORMAT_TIMESLICING:
        return mp_emit_timeslicing(plan, b, d);
    case PLAN_FORMAT_K8S:
        return mp_emit_plan_k8s(plan, a->config_name, b, d);
    }
    return mp_diag_set(d, MP_EINTERNAL, NULL, 0, 0, "unknown plan format");
}

/* The progress line on a terminal's standard error: redrawn in place at
 * most ten times a second once the solve has taken half a second, and
 * wiped when it ends, so short runs and pipes never see it. */
typedef struct progress {
    double limit; /* the time limit, for "of N s" */
    double last;  /* when it was last drawn */
    int width;    /* of what is on the line, to wipe it */
} progress;

static void show_progress(void *ctx, const mp_solve_progress *p)
{
    progress *pr = ctx;
    if (p->seconds < 0.5 || p->seconds - pr->last < 0.1)
        return;
    pr->last = p->seconds;
    char best[32] = "none yet", bound[32] = "-", gap[40] = "";
    if (p->best >= 0)
        snprintf(best, sizeof(best), "%g", p->best);
    if (p->bound >= 0)
        snprintf(bound, sizeof(bound), "%g", p->bound);
    if (p->best >= 0 && p->bound >= 0)
        snprintf(gap, sizeof(gap), ", gap %g (%.2f%%)", p->best - p->bound,
                 p->best > 0 ? 100 * (p->best - p->bound) / p->best : 0.0);
    char line[200];
    int n =
        snprintf(line, sizeof(line),
                 "migplan plan: %s, %ld nodes, best %s, bound %s%s, "
                 "%.1f s of %g",
                 p->phase, p->nodes, best, bound, gap, p->seconds, pr->limit);
    fprintf(stderr, "\r%s%*s", line, pr->width > n ? pr->width - n : 0, "");
    fflush(stderr);
    pr->width = n;
}

static void end_progress(const progress *pr)
{
    if (pr->width)
        fprintf(stderr, "\r%*s\r", pr->width, "");
}

static void statistics(const mp_plan *plan)
{
    fprintf(stderr,
            "migplan plan: %.4f s, %d tenant classes, %d geometries, LP "
            "%d x %d, %ld branch-and-bound nodes, %ld simplex pivots%s\n",
            plan->seconds, plan->classes, plan->patterns, plan->rows,
            plan->columns, plan->bb_nodes, plan->lp_pivots,
            plan->time_limit_hit ? ", time limit reached" : "");
    fprintf(stderr,
            "migplan plan: search %.4f s, build %.4f s%s, spread %.4f s%s, "
            "check %.4f s\n",
            plan->search_seconds, plan->build_seconds,
            plan->tidy_cut ? " (tidying cut by the time limit)" : "",
            plan->spread_seconds,
            plan->spread_cut ? " (cut by the time limit)" : "",
            plan->check_seconds);
    if (plan->current && plan->n_nodes == 0 && plan->attempts > 0)
        fprintf(stderr,
                "migplan plan: from the current state: %d attempts, %d not "
                "started (too little time left)\n",
                plan->attempts, plan->attempts_skipped);
    if (plan->current && plan->n_nodes == 0 && plan->late_phase[0])
        fprintf(stderr,
                "migplan plan: the deadline passed during %s, which "
                "ended %.2f s late\n",
                plan->late_phase, plan->late_by);
    if (plan->discarded > 0)
        fprintf(stderr,
                "migplan plan: %d choices of nodes discarded, the first "
                "because %s\n",
                plan->discarded, plan->discard_why);
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A run past its limit (beyond a tenth and 0.2 s) says so on standard
 * error, in one line, and with -v where the time went: a limit is a
 * promise, and a silent overrun would hide that it was broken. */
static void overrun(const plan_args *a, const mp_plan *p, double seconds)
{
    if (a->time_limit <= 0 || seconds <= 1.1 * a->time_limit + 0.2)
        return;
    fprintf(stderr,
            "migplan plan: note: the run took %.2f s, over "
            "--time-limit %g",
            seconds, a->time_limit);
    if (a->verbose && p->current && p->n_nodes == 0)
        fprintf(stderr,
                " (planning from the current state %.2f s, of which "
                "mapping onto the current state %.2f s; the rest reading "
                "and writing)",
                p->seconds, p->map_seconds);
    else if (a->verbose)
        fprintf(stderr,
                " (search %.2f s, building the plan %.2f s, spreading "
                "%.2f s, checking %.2f s, the rest reading and writing)",
                p->search_seconds, p->build_seconds, p->spread_seconds,
                p->check_seconds);
    fputc('\n', stderr);
}

/* JSON and SVG are written as they are made (mp_emit_plan_json_stream,
 * mp_svg_plan_stream): a plan of a million replicas is never held whole as
 * a document or as text. */
static int write_streamed(cli_ctx *c, const plan_args *a, const mp_plan *plan,
                          mp_buf *b)
{
    cli_out o;
    int r = cli_out_open(c, a->output, &o);
    if (r)
        return r;
    if (a->format == PLAN_FORMAT_SVG)
        mp_svg_plan_stream(plan, cli_out_chunk, &o, b);
    else
        mp_emit_plan_json_stream(plan, a->config_name, false, cli_out_chunk, &o,
                                 b);
    return cli_out_close(c, &o, b);
}

/* Write the plan in the format asked; returns the exit status. */
static int report(cli_ctx *c, const plan_args *a, const mp_plan *plan,
                  const cli_inputs *in)
{
    mp_buf b = MP_BUF_INIT;
    mp_diag d = {0};
    bool streamed =
        a->format == PLAN_FORMAT_JSON || a->format == PLAN_FORMAT_SVG;
    int rc = streamed ? 0 : emit(c, a, plan, &b, &d), exit_code;
    if (streamed) {
        exit_code = write_streamed(c, a, plan, &b);
        if (!exit_code && !plan->feasible)
            exit_code = EXIT_FINDINGS;
    } else if (rc == MP_EINFEASIBLE) {
        fprintf(stderr, "migplan plan: %s\n", d.msg);
        exit_code = EXIT_FINDINGS;
    } else if (rc) {
        exit_code = cli_fail_in(c, in, &d);
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
    /* the table and JSON carry the warnings; other formats cannot */
    bool warned =
        a->format == PLAN_FORMAT_TABLE || a->format == PLAN_FORMAT_JSON;
    for (int i = 0; i < plan->warnings.n && !warned; i++) {
        const mp_finding *x = &plan->warnings.v[i];
        fprintf(stderr, "%s:%d:%d: warning: %s [%s]\n", x->file, x->line,
                x->col, x->message, x->code);
    }
    return exit_code;
}

/* The solve's options: what is left of the time limit after reading, with
 * an estimate of what writing the plan takes reserved from it. */
static mp_solve_opts solve_options(const plan_args *a, double started)
{
    mp_solve_opts so = {.time_limit = a->time_limit, .reserve = -1};
    double left = a->time_limit - (now_seconds() - started);
    if (a->time_limit > 0)
        so.time_limit = left > 1e-3 ? left : 1e-3;
    return so;
}

/* --current: the options it takes, and the state for req's fleet (st) or
 * its nodes (ns). */
static int current_state(cli_ctx *c, const mp_request *req, const plan_args *a,
                         cli_inputs *in, mp_node_state *st, cli_node_states *ns)
{
    if (a->format == PLAN_FORMAT_LP)
        return cli_usage_error(c, "--format lp describes the plan from empty "
                                  "GPUs: drop --current");
    if (a->systemd)
        return cli_usage_error(c, "--systemd runs a setup script at boot, "
                                  "when the GPUs are empty: a change script "
                                  "from --current does not apply then; drop "
                                  "one of them");
    if (req->n_pools)
        return cli_read_node_states(c, in, req, &a->current, a->current_format,
                                    ns);
    if (a->current.n > 1)
        return cli_usage_error(c,
                               "--current is given %d times, but the "
                               "request's fleet is one node: give its "
                               "state once (NODE=FILE reads one node of "
                               "a plan of node pools)",
                               a->current.n);
    const mp_model **models;
    int n;
    bool open;
    int r = cli_fleet_models(c, req, &models, &n, &open);
    if (!r)
        r = cli_read_one_node(c, in, a->current.v[0], a->current_format, models,
                              n, open, "the request's fleet", st);
    free(models);
    return r;
}

/* Planned from node states, for the GPU Operator: the nodes whose label
 * would make mig-parted destroy instances in use, on standard error. */
static void relabel_warnings(const plan_args *a, const mp_plan *plan)
{
    mp_buf b = MP_BUF_INIT, cmd = MP_BUF_INIT;
    mp_buf_printf(&cmd, "migplan plan %s", a->request);
    for (int j = 0; j < a->current.n; j++)
        mp_buf_printf(&cmd, " --current %s", a->current.v[j]);
    if (a->allow_disruption)
        mp_buf_puts(&cmd, " --allow-disruption");
    if (a->reset_unused)
        mp_buf_puts(&cmd, " --reset-unused");
    if (mp_plan_relabel_warnings(plan, cmd.failed ? "" : cmd.data, &b) > 0 &&
        b.data)
        fputs(b.data, stderr);
    mp_buf_free(&b);
    mp_buf_free(&cmd);
}

/* The option combinations plan refuses, and --min-spare read into
 * *min_spare. Returns 0 or EXIT_USAGE, having said why. */
static int check_usage(cli_ctx *c, const plan_args *a, long long *min_spare)
{
    if ((a->allow_disruption || a->reset_unused || a->current_format) &&
        !a->current.n)
        return cli_usage_error(c, "--%s needs --current FILE",
                               a->allow_disruption ? "allow-disruption"
                               : a->reset_unused   ? "reset-unused"
                                                   : "current-format");
    if (a->no_placement && a->format != PLAN_FORMAT_NVIDIA_SMI)
        return cli_usage_error(c, "--no-placement only applies to --format "
                                  "nvidia-smi");
    if (a->systemd && a->format != PLAN_FORMAT_NVIDIA_SMI)
        return cli_usage_error(c, "--systemd writes the boot unit for the "
                                  "script: add --format nvidia-smi");
    if ((a->summary || a->all_gpus) && a->format != PLAN_FORMAT_TABLE)
        return cli_usage_error(c, "--%s only applies to --format table",
                               a->summary ? "summary" : "all-gpus");
    if (a->summary && a->all_gpus)
        return cli_usage_error(c, "--summary draws no GPU: drop --all-gpus");
    mp_diag ud;
    if (a->systemd && mp_unit_check_script(a->systemd, &ud))
        return cli_usage_error(c, "--systemd: %s", ud.msg);
    char why[200];
    if (a->min_spare && strcmp(a->min_spare, "0") != 0 &&
        !mp_parse_memory(a->min_spare, min_spare, why, sizeof(why)))
        return cli_usage_error(c, "--min-spare: %s", why);
    return 0;
}

/* Whether every writer of format a->format walks the plan's GPUs run by
 * run (mp_plan_next_gpu): a fleet plan from empty GPUs then holds each
 * fleet entry's unused GPUs as one record, not one per GPU. */
static bool unused_runs(const plan_args *a, const mp_request *req)
{
    plan_format f = (plan_format)a->format;
    return !req->n_pools && !a->current.n &&
           (f == PLAN_FORMAT_TABLE || f == PLAN_FORMAT_JSON ||
            f == PLAN_FORMAT_MIGPARTED || f == PLAN_FORMAT_NVIDIA_SMI ||
            f == PLAN_FORMAT_SVG);
}

/* Solve req, from the state st (a fleet's) or ns (nodes') with --current,
 * and report the plan; returns the exit status. */
static int solve(cli_ctx *c, const plan_args *a, const mp_request *req,
                 const mp_node_state *st, const cli_node_states *ns,
                 const cli_inputs *in, double started)
{
    const mp_db *db;
    cli_db(c, &db);
    mp_plan plan;
    mp_diag d = {0};
    mp_solve_opts so = solve_options(a, started);
    so.current = a->current.n && !req->n_pools ? st : NULL;
    so.node_states = a->current.n && req->n_pools;
    so.node_current = ns->nodes;
    so.n_node_current = ns->n;
    so.allow_disruption = a->allow_disruption;
    so.reset_unused = a->reset_unused;
    so.unused_runs = unused_runs(a, req);
    progress pr = {.limit = a->time_limit};
    if (isatty(STDERR_FILENO)) {
        so.progress = show_progress;
        so.progress_ctx = &pr;
    }
    int solved = mp_solve(db, req, &so, &plan, &d);
    end_progress(&pr);
    if (solved != 0)
        return cli_fail_in(c, in, &d);
    if (a->verbose)
        statistics(&plan);
    int r = report(c, a, &plan, in);
    if (plan.feasible &&
        (a->format == PLAN_FORMAT_K8S || a->format == PLAN_FORMAT_MIGPARTED))
        relabel_warnings(a, &plan);
    overrun(a, &plan, now_seconds() - started);
    mp_plan_free(&plan);
    return r;
}

static int run(cli_ctx *c, void *args)
{
    double started = now_seconds();
    const plan_args *a = args;
    long long min_spare = 0;
    int r = check_usage(c, a, &min_spare);
    if (r)
        return r;
    mp_request req;
    cli_inputs in = {.n = 0};
    mp_node_state st;
    memset(&st, 0, sizeof(st));
    cli_node_states ns = {0};
    r = load_request(c, a, &req, &in);
    if (!r && a->min_spare)
        req.min_spare_mib = min_spare;
    if (!r && a->current.n)
        r = current_state(c, &req, a, &in, &st, &ns);
    if (!r)
        r = solve(c, a, &req, &st, &ns, &in, started);
    cli_node_states_free(&ns);
    mp_node_state_free(&st);
    mp_request_free(&req);
    cli_inputs_free(&in);
    return r;
}

static const cli_choice formats[] = CLI_CHOICES(PLAN_FORMATS);

const cli_command cli_cmd_plan = {
    CLI_COMMAND_BINDING("plan", plan_args),
    .options = CLI_OPTIONS(
        CLI_OPTION_FORMAT(plan_args, format, formats, "table"),
        CLI_OPTION_GPU(
            plan_args, gpu,
            "the GPU model when the request has no fleet: as many as "
            "needed, or MODEL:COUNT for a fixed count (h100:8)"),
        CLI_OPT_TEXT(plan_args, config_name, "config-name", "N", CLI_VALUE_TEXT,
                     "name of the mig-parted config", .def = "migplan"),
        CLI_OPT_TEXT(plan_args, node_name, "node-name", "NAME", CLI_VALUE_TEXT,
                     "nvidia-smi with node pools: the node the script sets up "
                     "(its GPU indices)"),
        CLI_OPT_FLAG(plan_args, no_placement, "no-placement",
                     "nvidia-smi: create instances without start slots"),
        CLI_OPTION_SYSTEMD(
            plan_args, systemd,
            "nvidia-smi: write, instead of the script, a systemd "
            "unit that runs the script installed at PATH at boot"),
        CLI_OPT_TEXT(plan_args, min_spare, "min-spare", "SIZE", CLI_VALUE_TEXT,
                     "warn when an instance leaves a replica less memory than "
                     "SIZE (e.g. 1GiB; 0: never); overrides the request's "
                     "min-spare, default 512MiB"),
        CLI_OPT_SECONDS(
            plan_args, time_limit, "time-limit", "S", 86400, "5",
            "seconds for the search; past it the best plan found is written "
            "with its gap to the bound"),
        CLI_OPTION_OUTPUT(plan_args, output, CLI_OUTPUT_HELP),
        CLI_OPTION_VERBOSE(plan_args, verbose,
                           "solver statistics on standard error"),
        CLI_OPT_FLAG(plan_args, summary, "summary",
                     "table: only the totals per model, profile and tenant"),
        CLI_OPT_FLAG(plan_args, all_gpus, "all-gpus",
                     "table: draw every GPU even when more than 16 are used "
                     "(else GPUs that look the same are drawn once)"),
        CLI_OPT_LIST(plan_args, current, "current", "FILE", CLI_VALUE_FILE,
                     CLI_LIST_MAX,
                     "plan from the node's state (nvidia-smi mig -lgi output, "
                     "with -lci and nvidia-smi's process table): keep what is "
                     "in use, change as little as possible; also a plan "
                     "written with --format json, or an nvidia-mig-parted "
                     "export; with node pools, NODE=FILE once per node (the "
                     "others are empty)"),
        CLI_OPTION_CURRENT_FORMAT(plan_args, current_format),
        CLI_OPT_FLAG(plan_args, allow_disruption, "allow-disruption",
                     "--current: destroy instances in use when the request "
                     "needs their room (as few as it can)"),
        CLI_OPT_FLAG(plan_args, reset_unused, "reset-unused",
                     "--current: disable MIG on the GPUs the plan does not use "
                     "(else they are left as they are)")),
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
    .operands =
        CLI_OPERANDS(CLI_OPERAND_FILE(plan_args, request, "REQUEST.yaml",
                                      "which request? e.g. `migplan plan "
                                      "examples/three-teams-dgx-h100.yaml`",
                                      "give one request file, not '%s' too")),
    .common = CLI_SHOW_DIAGRAM,
};
