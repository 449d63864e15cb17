// SPDX-License-Identifier: Apache-2.0
/* cli_complete.c - bash and zsh completion scripts written from the
 * command tables: per command its options, what each option's value is
 * (a choice list, a file, a model, a config name ...) and its operands.
 * The fixed part of each script only walks the command line; every word
 * it offers comes from the tables or from migplan itself at completion
 * time (`migplan completion --models` and the like). */
#include "cli_complete.h"

#include <string.h>

#include "cli.h"

/* What the scripts call a kind of value, or NULL for a flag. */
static const char *kind_name(cli_value v)
{
    static const char *const names[] = {
        [CLI_VALUE_NONE] = NULL,         [CLI_VALUE_TEXT] = "text",
        [CLI_VALUE_FILE] = "file",       [CLI_VALUE_OUTPUT] = "output",
        [CLI_VALUE_PATH] = "path",       [CLI_VALUE_DIR] = "dir",
        [CLI_VALUE_MODEL] = "model",     [CLI_VALUE_DRIVER] = "driver",
        [CLI_VALUE_PROFILE] = "profile", [CLI_VALUE_CONFIG] = "config",
        [CLI_VALUE_CODE] = "code",       [CLI_VALUE_CHOICE] = "choice",
        [CLI_VALUE_SECONDS] = "seconds", [CLI_VALUE_NUMBER] = "number",
        [CLI_VALUE_SHELL] = "shell",
    };
    return (size_t)v < sizeof(names) / sizeof(*names) ? names[v] : NULL;
}

/* The shells `migplan completion` writes for. */
#define SHELLS "bash zsh"

/* The common options a command's completion offers: those its help
 * lists, and those no help lists because every command has them (--help,
 * --color). */
static bool offered(const cli_command *cmd, const cli_option *o)
{
    return o->show == 0 || (o->show & cmd->common) != 0;
}

/* ---------------------------------------------------------------- bash */

/* "--name" and "-x" of a row, space-separated, after a space. */
static void bash_names(const cli_option *o, const char *sep, mp_buf *out)
{
    mp_buf_printf(out, "--%s", o->name);
    if (o->short_name)
        mp_buf_printf(out, "%s-%c", sep, o->short_name);
}

static void bash_options_of(const cli_command *cmd, mp_buf *out)
{
    mp_buf_printf(out, "    %s) echo '", cmd->name);
    const char *sp = "";
    for (const cli_option *o = cmd->options; o->name; o++, sp = " ") {
        mp_buf_puts(out, sp);
        bash_names(o, " ", out);
    }
    for (const cli_option *o = cli_common_options; o->name; o++)
        if (offered(cmd, o)) {
            mp_buf_puts(out, sp);
            bash_names(o, " ", out);
            sp = " ";
        }
    mp_buf_puts(out, "' ;;\n");
}

/* One `case` arm per option that takes a value: "CMD:--name | CMD:-x)"
 * printing its kind, and its choices for a choice. */
static void bash_value_arms(const char *cmd, const cli_option *t, mp_buf *out)
{
    for (const cli_option *o = t; o->name; o++) {
        const char *kind = kind_name(o->value);
        if (!kind)
            continue;
        mp_buf_printf(out, "    %s:--%s", cmd, o->name);
        if (o->short_name)
            mp_buf_printf(out, " | %s:-%c", cmd, o->short_name);
        mp_buf_printf(out, ") echo '%s", kind);
        for (const cli_choice *ch = o->choices;
             o->value == CLI_VALUE_CHOICE && ch && ch->name; ch++)
            mp_buf_printf(out, " %s", ch->name);
        mp_buf_puts(out, "' ;;\n");
    }
}

static void bash_operands_of(const cli_command *cmd, mp_buf *out)
{
    if (!cmd->operands || !cmd->operands[0].name)
        return;
    mp_buf_printf(out, "    %s) echo '", cmd->name);
    for (const cli_operand *op = cmd->operands; op->name; op++)
        mp_buf_printf(out, "%s%s%s", op == cmd->operands ? "" : " ",
                      kind_name(op->value) ? kind_name(op->value) : "text",
                      op->max > 1 ? "*" : "");
    mp_buf_puts(out, "' ;;\n");
}

static const char bash_head[] =
    "# SPDX-License-Identifier: Apache-2.0\n"
    "# bash completion for migplan, written by `migplan completion bash` "
    "from the\n"
    "# tables its --help is made of (do not edit: regenerate). Needs bash 4.\n"
    "\n";

static const char bash_body[] =
    "# Complete cur as a value of the kind $1; choices follow the kind.\n"
    "_migplan_complete_value() {\n"
    "    local kind=$1\n"
    "    shift\n"
    "    local -a list=()\n"
    "    case $kind in\n"
    "    choice) list=(\"$@\") ;;\n"
    "    shell) list=(" SHELLS ") ;;\n"
    "    command) read -ra list <<<\"$_migplan_commands\" ;;\n"
    "    model) mapfile -t list < <(_migplan_ask --models) ;;\n"
    "    code) mapfile -t list < <(_migplan_ask --codes) ;;\n"
    "    profile)\n"
    "        [[ -n $model ]] || return 0\n"
    "        mapfile -t list < <(_migplan_ask --profiles-of \"$model\")\n"
    "        ;;\n"
    "    config)\n"
    "        [[ -n $file && -r $file ]] || return 0\n"
    "        mapfile -t list < <(_migplan_ask --configs \"$file\")\n"
    "        ;;\n"
    "    file | output | path | dir)\n"
    "        compopt -o filenames 2>/dev/null || true\n"
    "        if [[ $kind == dir ]]; then\n"
    "            mapfile -t COMPREPLY < <(compgen -d -- \"$cur\")\n"
    "        else\n"
    "            mapfile -t COMPREPLY < <(compgen -f -- \"$cur\")\n"
    "        fi\n"
    "        return 0\n"
    "        ;;\n"
    "    *) return 0 ;;\n"
    "    esac\n"
    "    mapfile -t COMPREPLY < <(compgen -W \"${list[*]}\" -- \"$cur\")\n"
    "}\n"
    "\n"
    "# Ask the migplan being completed for a list of words.\n"
    "_migplan_ask() {\n"
    "    local -a extra=()\n"
    "    [[ -z $profiles ]] || extra=(--profiles \"$profiles\")\n"
    "    \"$bin\" completion \"${extra[@]}\" \"$@\" 2>/dev/null\n"
    "}\n"
    "\n"
    "# The kind of operand number $1 (from 0) of the command.\n"
    "_migplan_operand_kind() {\n"
    "    local -a ops\n"
    "    read -ra ops <<<\"$(_migplan_operands \"$cmd\")\"\n"
    "    ((${#ops[@]})) || return 0\n"
    "    local k=${ops[$1]:-}\n"
    "    if [[ -z $k && ${ops[-1]} == *'*' ]]; then\n"
    "        k=${ops[-1]}\n"
    "    fi\n"
    "    echo \"${k%'*'}\"\n"
    "}\n"
    "\n"
    "_migplan() {\n"
    "    local cur=${COMP_WORDS[COMP_CWORD]} cword=$COMP_CWORD\n"
    "    local bin=${COMP_WORDS[0]/#\\~/$HOME}\n"
    "    local cmd='' model='' file='' profiles='' opt='' word kind i n=0\n"
    "    COMPREPLY=()\n"
    "    command -v \"$bin\" >/dev/null 2>&1 || bin=migplan\n"
    "    # bash splits --option=value at '=': the option is before it\n"
    "    if [[ $cur == = ]]; then\n"
    "        cur='' opt=${COMP_WORDS[cword - 1]}\n"
    "    elif ((cword > 1)) && [[ ${COMP_WORDS[cword - 1]} == = ]]; then\n"
    "        opt=${COMP_WORDS[cword - 2]}\n"
    "    else\n"
    "        opt=${COMP_WORDS[cword - 1]}\n"
    "    fi\n"
    "    # the words before: the command, its operands, option values\n"
    "    for ((i = 1; i < cword; i++)); do\n"
    "        word=${COMP_WORDS[i]}\n"
    "        if [[ $word == -?* ]]; then\n"
    "            kind=$(_migplan_value \"$cmd\" \"$word\")\n"
    "            [[ -n $kind ]] || continue\n"
    "            if [[ ${COMP_WORDS[i + 1]:-} == = ]]; then\n"
    "                ((i += 2))\n"
    "            else\n"
    "                ((i += 1))\n"
    "            fi\n"
    "            if ((i < cword)) && [[ $word == --profiles ]]; then\n"
    "                profiles=${COMP_WORDS[i]/#\\~/$HOME}\n"
    "            fi\n"
    "        elif [[ -z $cmd ]]; then\n"
    "            cmd=$word\n"
    "        else\n"
    "            case $(_migplan_operand_kind \"$n\") in\n"
    "            model) model=$word ;;\n"
    "            file) [[ -n $file ]] || file=${word/#\\~/$HOME} ;;\n"
    "            esac\n"
    "            ((n += 1))\n"
    "        fi\n"
    "    done\n"
    "    if [[ $opt == -?* ]]; then\n"
    "        kind=$(_migplan_value \"$cmd\" \"$opt\")\n"
    "        if [[ -n $kind ]]; then\n"
    "            # shellcheck disable=SC2086 # the kind, then its choices\n"
    "            _migplan_complete_value $kind\n"
    "            return 0\n"
    "        fi\n"
    "    fi\n"
    "    if [[ $cur == -* ]]; then\n"
    "        mapfile -t COMPREPLY < <(compgen -W \"$(_migplan_options "
    "\"$cmd\")\" -- \"$cur\")\n"
    "    elif [[ -z $cmd ]]; then\n"
    "        _migplan_complete_value command\n"
    "    else\n"
    "        kind=$(_migplan_operand_kind \"$n\")\n"
    "        [[ -z $kind ]] || _migplan_complete_value \"$kind\"\n"
    "    fi\n"
    "    return 0\n"
    "}\n"
    "complete -F _migplan migplan\n";

void cli_complete_bash(mp_buf *out)
{
    mp_buf_puts(out, bash_head);
    mp_buf_puts(out, "_migplan_commands='help");
    for (int k = 0; cli_commands[k]; k++)
        mp_buf_printf(out, " %s", cli_commands[k]->name);
    mp_buf_puts(out, "'\n\n# The value an option takes after CMD: its kind "
                     "(and choices).\n_migplan_value() {\n    case $1:$2 in\n");
    bash_value_arms("", cli_global_options, out);
    for (int k = 0; cli_commands[k]; k++)
        bash_value_arms(cli_commands[k]->name, cli_commands[k]->options, out);
    bash_value_arms("*", cli_common_options, out);
    mp_buf_puts(out, "    esac\n}\n\n# The options of a command (none: "
                     "the global options).\n_migplan_options() {\n"
                     "    case $1 in\n    '') echo '");
    for (const cli_option *o = cli_global_options; o->name; o++) {
        mp_buf_puts(out, o == cli_global_options ? "" : " ");
        bash_names(o, " ", out);
    }
    mp_buf_puts(out, "' ;;\n");
    for (int k = 0; cli_commands[k]; k++)
        bash_options_of(cli_commands[k], out);
    mp_buf_puts(out, "    esac\n}\n\n# The kinds of a command's operands in "
                     "order; a * repeats.\n_migplan_operands() {\n"
                     "    case $1 in\n    help) echo 'command' ;;\n");
    for (int k = 0; cli_commands[k]; k++)
        bash_operands_of(cli_commands[k], out);
    mp_buf_puts(out, "    esac\n}\n\n");
    mp_buf_puts(out, bash_body);
}

/* ----------------------------------------------------------------- zsh */

/* s inside a single-quoted _arguments spec, in a description ([...]) or
 * a message (between colons). */
static void zsh_text(const char *s, mp_buf *out)
{
    for (; *s; s++) {
        if (*s == '\'')
            mp_buf_puts(out, "'\\''");
        else if (strchr("[]:\\", *s))
            mp_buf_printf(out, "\\%c", *s);
        else
            mp_buf_putc(out, *s);
    }
}

/* The completion action for a kind of value: a function of the script, a
 * list of words, or (free text, numbers) a space, the message alone. */
static void zsh_action(cli_value v, const cli_choice *choices, mp_buf *out)
{
    static const char *const actions[] = {
        [CLI_VALUE_FILE] = "_files",
        [CLI_VALUE_OUTPUT] = "_files",
        [CLI_VALUE_PATH] = "_files",
        [CLI_VALUE_DIR] = "_files -/",
        [CLI_VALUE_MODEL] = "_migplan_models",
        [CLI_VALUE_PROFILE] = "_migplan_profiles",
        [CLI_VALUE_CONFIG] = "_migplan_configs",
        [CLI_VALUE_CODE] = "_migplan_codes",
        [CLI_VALUE_SHELL] = "(" SHELLS ")",
    };
    if (v == CLI_VALUE_CHOICE) {
        mp_buf_putc(out, '(');
        for (const cli_choice *ch = choices; ch && ch->name; ch++)
            mp_buf_printf(out, "%s%s", ch == choices ? "" : " ", ch->name);
        mp_buf_putc(out, ')');
    } else if ((unsigned)v < sizeof(actions) / sizeof(actions[0]) &&
               actions[v]) {
        mp_buf_puts(out, actions[v]);
    } else {
        mp_buf_puts(out, " ");
    }
}

/* One option as an _arguments spec (two, brace-expanded, with a short
 * name), on a line of its own ending in a backslash. */
static void zsh_option(const cli_option *o, mp_buf *out)
{
    bool value = o->value != CLI_VALUE_NONE;
    bool stop = o->store == CLI_STORE_HELP || o->store == CLI_STORE_VERSION ||
                o->store == CLI_STORE_MAN;
    bool many = o->store == CLI_STORE_LIST;
    mp_buf_puts(out, "        ");
    if (stop)
        mp_buf_puts(out, "'(- *)'");
    else if (o->short_name && !many)
        mp_buf_printf(out, "'(-%c --%s)'", o->short_name, o->name);
    if (many)
        mp_buf_puts(out, "'*'");
    if (o->short_name)
        mp_buf_printf(out, "{-%c%s,--%s%s}", o->short_name, value ? "+" : "",
                      o->name, value ? "=" : "");
    else
        mp_buf_printf(out, "--%s%s", o->name, value ? "=" : "");
    mp_buf_puts(out, "'[");
    cli_option_help_quoted(o, zsh_text, out);
    mp_buf_putc(out, ']');
    if (value) {
        mp_buf_putc(out, ':');
        zsh_text(o->value_name ? o->value_name : "value", out);
        mp_buf_putc(out, ':');
        zsh_action(o->value, o->choices, out);
    }
    mp_buf_puts(out, "' \\\n");
}

static void zsh_command(const cli_command *cmd, mp_buf *out)
{
    mp_buf_printf(out, "    %s)\n        _arguments -s -S \\\n", cmd->name);
    for (const cli_option *o = cmd->options; o->name; o++)
        zsh_option(o, out);
    for (const cli_option *o = cli_common_options; o->name; o++)
        if (offered(cmd, o))
            zsh_option(o, out);
    int pos = 1;
    for (const cli_operand *op = cmd->operands; op && op->name; op++) {
        mp_buf_puts(out, "        '");
        if (op->max > 1)
            mp_buf_putc(out, '*');
        else
            mp_buf_printf(out, "%d", pos++);
        mp_buf_putc(out, ':');
        zsh_text(op->name, out);
        mp_buf_putc(out, ':');
        zsh_action(op->value, NULL, out);
        mp_buf_puts(out, "' \\\n");
    }
    mp_buf_puts(out, "            && ret=0\n        ;;\n");
}

static const char zsh_head[] =
    "#compdef migplan\n"
    "# SPDX-License-Identifier: Apache-2.0\n"
    "# zsh completion for migplan, written by `migplan completion zsh` from "
    "the\n"
    "# tables its --help is made of (do not edit: regenerate).\n"
    "\n"
    "# Ask the migplan being completed for a list of words.\n"
    "_migplan_ask() {\n"
    "    local -a cmd\n"
    "    cmd=($_migplan_bin completion)\n"
    "    (( ${+opt_args[--profiles]} )) && "
    "cmd+=(--profiles ${opt_args[--profiles]})\n"
    "    _call_program migplan-words ${(q)cmd} ${(q)@} 2>/dev/null\n"
    "}\n"
    "\n"
    "_migplan_models() {\n"
    "    local -a w\n"
    "    w=(${(f)\"$(_migplan_ask --models)\"})\n"
    "    _wanted models expl 'GPU model' compadd -a w\n"
    "}\n"
    "\n"
    "_migplan_codes() {\n"
    "    local -a w\n"
    "    w=(${(f)\"$(_migplan_ask --codes)\"})\n"
    "    _wanted codes expl 'finding code' compadd -a w\n"
    "}\n"
    "\n"
    "# The profiles of the model given as the first operand.\n"
    "_migplan_profiles() {\n"
    "    local -a w\n"
    "    [[ -n ${line[1]} ]] || return 1\n"
    "    w=(${(f)\"$(_migplan_ask --profiles-of ${line[1]})\"})\n"
    "    _wanted profiles expl 'profile' compadd -a w\n"
    "}\n"
    "\n"
    "# The config names in the file given as the first operand.\n"
    "_migplan_configs() {\n"
    "    local -a w\n"
    "    local f=${~line[1]}\n"
    "    [[ -r $f ]] || return 1\n"
    "    w=(${(f)\"$(_migplan_ask --configs $f)\"})\n"
    "    _wanted configs expl 'config name' compadd -a w\n"
    "}\n"
    "\n";

void cli_complete_zsh(mp_buf *out)
{
    mp_buf_puts(out, zsh_head);
    mp_buf_puts(out, "_migplan_commands() {\n    local -a c\n    c=(\n");
    cli_command_items(zsh_text, "        '", ":", "'\n", out);
    mp_buf_puts(out, "    )\n    _describe -t commands 'migplan command' c\n"
                     "}\n\n_migplan() {\n"
                     "    local curcontext=$curcontext state state_descr line "
                     "ret=1\n"
                     "    local _migplan_bin=${words[1]}\n"
                     "    typeset -A opt_args\n"
                     "    _arguments -C \\\n");
    for (const cli_option *o = cli_global_options; o->name; o++)
        zsh_option(o, out);
    mp_buf_puts(out, "        '1:command:_migplan_commands' \\\n"
                     "        '*::argument:->args' && ret=0\n"
                     "    [[ $state == args ]] || return ret\n"
                     "    curcontext=${curcontext%:*:*}:migplan-${words[1]}:\n"
                     "    case ${words[1]} in\n"
                     "    help) _arguments '1:command:_migplan_commands' && "
                     "ret=0 ;;\n");
    for (int k = 0; cli_commands[k]; k++)
        zsh_command(cli_commands[k], out);
    /* autoloaded from fpath: complete now; sourced: register */
    mp_buf_puts(out, "    esac\n    return ret\n}\n\n"
                     "if [[ ${zsh_eval_context[-1]} == loadautofunc ]]; then\n"
                     "    _migplan \"$@\"\n"
                     "else\n"
                     "    compdef _migplan migplan\n"
                     "fi\n");
}
