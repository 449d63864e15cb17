// SPDX-License-Identifier: Apache-2.0
/* cmd_completion.c - `migplan completion bash|zsh`: shell completion
 * scripts written from the same command and option tables as --help, so
 * they cannot drift from the parser; and the word lists the scripts ask
 * for while completing (models, profiles of a model, finding codes, the
 * config names of a file). The build installs the scripts it prints. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli_complete.h"
#include "migplan/util/finding_rules.h"

#define NO_SHELL "which shell? e.g. `migplan completion bash`"

typedef struct completion_args {
    const char *shell;
    bool models;
    const char *profiles_of;
    bool codes;
    const char *configs;
} completion_args;

static void list_models(const mp_db *db, mp_buf *b)
{
    for (int i = 0; i < mp_db_count(db); i++) {
        const mp_model *m = mp_db_model(db, i);
        mp_buf_printf(b, "%s\n", m->id);
        for (int k = 0; k < m->n_aliases; k++)
            mp_buf_printf(b, "%s\n", m->aliases[k]);
    }
}

/* The config names of every config file (or ConfigMap) in path. */
static int list_configs(cli_ctx *c, const char *path, mp_buf *b)
{
    mp_findings f = MP_FINDINGS_INIT;
    mp_configmap in = {0};
    mp_diag d = {0};
    int rc = mp_configmap_load(path, &f, &in, &d);
    if (rc)
        rc = cli_fail(c, &d);
    for (int k = 0; !rc && k < in.n; k++)
        for (int i = 0; i < in.part[k].file.n_configs; i++)
            mp_buf_printf(b, "%s\n", in.part[k].file.configs[i].name);
    mp_configmap_free(&in);
    mp_findings_free(&f);
    return rc;
}

static int words(cli_ctx *c, const completion_args *a, mp_buf *b)
{
    const mp_db *db = NULL;
    int rc = 0;
    if ((a->models || a->profiles_of) && (rc = cli_db(c, &db)) != 0)
        return rc;
    if (a->models)
        list_models(db, b);
    if (a->profiles_of) {
        const mp_model *m;
        if ((rc = cli_model(c, a->profiles_of, &m)) != 0)
            return rc;
        for (int i = 0; i < m->n_profiles; i++)
            mp_buf_printf(b, "%s\n", m->profiles[i].name);
    }
    if (a->codes)
        for (const mp_finding_rule *r = mp_finding_rules; r->code; r++)
            mp_buf_printf(b, "%s\n", r->code);
    if (a->configs)
        rc = list_configs(c, a->configs, b);
    return rc;
}

static int run(cli_ctx *c, void *args)
{
    const completion_args *a = args;
    bool listing = a->models || a->profiles_of || a->codes || a->configs;
    if (listing && a->shell)
        return cli_usage_error(c, "give a shell or a list to print, not both");
    mp_buf b = MP_BUF_INIT;
    int rc = 0;
    if (listing)
        rc = words(c, a, &b);
    else if (a->shell && strcmp(a->shell, "bash") == 0)
        cli_complete_bash(&b);
    else if (a->shell && strcmp(a->shell, "zsh") == 0)
        cli_complete_zsh(&b);
    else if (a->shell)
        rc = cli_usage_error(c, "no completion for shell '%s'; use bash or zsh",
                             a->shell);
    else
        rc = cli_usage_error(c, "%s", NO_SHELL);
    if (rc) {
        mp_buf_free(&b);
        return rc;
    }
    return cli_write(c, &b, NULL);
}

const cli_command cli_cmd_completion = {
    CLI_COMMAND_BINDING("completion", completion_args),
    .options = CLI_OPTIONS(
        CLI_OPT_FLAG(completion_args, models, "models",
                     "print every model name and alias, one a line"),
        CLI_OPT_TEXT(completion_args, profiles_of, "profiles-of", "MODEL",
                     CLI_VALUE_MODEL,
                     "print the GPU-instance profiles of MODEL"),
        CLI_OPT_FLAG(completion_args, codes, "codes",
                     "print the finding codes of `migplan check`"),
        CLI_OPT_TEXT(completion_args, configs, "configs", "FILE",
                     CLI_VALUE_FILE,
                     "print the config names in the mig-parted file FILE")),
    .operands = CLI_OPERANDS(CLI_OPERAND(completion_args, shell, "SHELL",
                                         CLI_STORE_STRING, CLI_VALUE_SHELL, 0,
                                         1, NO_SHELL, "one shell at a time")),
    .summary = "print a bash or zsh completion script",
    .synopsis = "Usage: migplan completion bash|zsh\n"
                "       migplan completion [--models] [--profiles-of MODEL] "
                "[--codes]\n"
                "                          [--configs FILE]\n",
    .description =
        "Print a completion script for bash or zsh. It completes commands, "
        "options, formats and other choices, model names, the profiles of "
        "the model given, finding codes, and the config names of the file "
        "given, asking migplan for the lists it prints with the options "
        "below. Installed packages load it by themselves; to try it:\n\n"
        "  source <(migplan completion bash)",
    .common = CLI_SHOW_PROFILES,
};
