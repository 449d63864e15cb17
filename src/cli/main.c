/* main.c - migplan's entry point: global options and the command table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const cli_cmd commands[] = {
    {"gpus", cmd_gpus, "list the GPU models in the profile database"},
    {"profiles", cmd_profiles, "show a model's MIG profiles and placements"},
    {"geometries", cmd_geometries, "list every valid layout of a model"},
    {"fit", cmd_fit, "check one layout: placements, diagram, creation order"},
    {"plan", cmd_plan,
     "pack tenants onto the fewest GPUs and write the layout"},
    {"check", cmd_check, "validate mig-parted config files (for CI)"},
    {"script", cmd_script,
     "turn a mig-parted config into a safe nvidia-smi script"},
    {"size", cmd_size, "size tenants from nvidia-smi process samples"},
    {"advise", cmd_advise, "advise on a request from DCGM metrics"},
};

static const size_t ncommands = sizeof(commands) / sizeof(commands[0]);

static void usage(FILE *f)
{
    fprintf(f,
            "migplan %s - plan, check and script NVIDIA MIG layouts\n"
            "\n"
            "Usage: migplan [--profiles DIR] COMMAND [ARGS...]\n"
            "       migplan COMMAND --help\n"
            "\n"
            "Commands:\n",
            MIGPLAN_VERSION);
    for (size_t i = 0; i < ncommands; i++)
        fprintf(f, "  %-11s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\n"
               "Global options:\n"
               "  --profiles DIR  also load profiles/*.yaml from DIR (same id\n"
               "                  replaces a shipped model); or set "
               "MIGPLAN_PROFILES\n"
               "  --version       print the version\n"
               "  -h, --help      print this help\n"
               "\n"
               "Exit status: 0 success, 1 findings (check errors, infeasible "
               "plan),\n"
               "2 usage or input errors.\n");
}

int main(int argc, char **argv)
{
    cli_ctx c = {0};
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return EXIT_OK;
        }
        if (strcmp(a, "--version") == 0 || strcmp(a, "-V") == 0) {
            printf("migplan %s\n", MIGPLAN_VERSION);
            return EXIT_OK;
        }
        if (strcmp(a, "--profiles") == 0 && i + 1 < argc) {
            c.profiles_dir = argv[++i];
            continue;
        }
        if (strncmp(a, "--profiles=", 11) == 0) {
            c.profiles_dir = a + 11;
            continue;
        }
        fprintf(stderr, "migplan: unknown option '%s'\nTry 'migplan --help'.\n",
                a);
        return EXIT_USAGE;
    }
    if (i >= argc) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *name = argv[i];
    if (strcmp(name, "help") == 0) {
        if (i + 1 >= argc) {
            usage(stdout);
            return EXIT_OK;
        }
        name = argv[i + 1];
        for (size_t k = 0; k < ncommands; k++)
            if (strcmp(commands[k].name, name) == 0) {
                char *hv[] = {argv[i + 1], "--help", NULL};
                c.cmd = commands[k].name;
                return commands[k].run(&c, 2, hv);
            }
    }
    for (size_t k = 0; k < ncommands; k++) {
        if (strcmp(commands[k].name, name) == 0) {
            c.cmd = commands[k].name;
            int rc = commands[k].run(&c, argc - i, argv + i);
            mp_db_free(c.db);
            return rc;
        }
    }
    fprintf(stderr, "migplan: unknown command '%s'\nTry 'migplan --help'.\n",
            name);
    return EXIT_USAGE;
}
