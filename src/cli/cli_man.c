// SPDX-License-Identifier: Apache-2.0
/* cli_man.c - migplan(1), written from the command tables (the text of
 * every --help) and the finding codes of check, so the man page says what
 * the binary does. The build runs `migplan --man` to make it. */
#include <string.h>

#include "cli.h"
#include "cli_complete.h"
#include "migplan/util/finding_rules.h"

/* s[0..n) as roff text: backslashes and dashes escaped (so options copy
 * as typed), and a control character at the start of a line defused. */
static void roff(const char *s, size_t n, mp_buf *out)
{
    bool bol = out->len == 0 || mp_buf_str(out)[out->len - 1] == '\n';
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (bol && (ch == '.' || ch == '\''))
            mp_buf_puts(out, "\\&");
        if (ch == '\\')
            mp_buf_puts(out, "\\e");
        else if (ch == '-')
            mp_buf_puts(out, "\\-");
        else
            mp_buf_putc(out, ch);
        bol = ch == '\n';
    }
}

static void roff_str(const char *s, mp_buf *out)
{
    roff(s, strlen(s), out);
}

/* Paragraphs as command.c's help shows them: prose filled by roff, a
 * paragraph that starts with a space (commands, lists) kept as written. */
static void paragraphs(const char *text, mp_buf *out)
{
    for (const char *p = text; *p;) {
        const char *end = strstr(p, "\n\n");
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (*p == ' ') {
            mp_buf_puts(out, ".PP\n.RS 4\n.nf\n");
            roff(p, n, out);
            mp_buf_puts(out, "\n.fi\n.RE\n");
        } else {
            mp_buf_puts(out, ".PP\n");
            roff(p, n, out);
            mp_buf_putc(out, '\n');
        }
        p += n;
        if (end)
            p += 2;
    }
}

static void option_item(const cli_option *o, mp_buf *out)
{
    mp_buf_puts(out, ".TP\n");
    if (o->short_name)
        mp_buf_printf(out, "\\fB\\-%c\\fR, ", o->short_name);
    mp_buf_puts(out, "\\fB\\-\\-");
    roff_str(o->name, out);
    mp_buf_puts(out, "\\fR");
    if (o->value_name) {
        mp_buf_puts(out, " \\fI");
        roff_str(o->value_name, out);
        mp_buf_puts(out, "\\fR");
    }
    mp_buf_putc(out, '\n');
    cli_option_help_quoted(o, roff_str, out);
    mp_buf_putc(out, '\n');
}

/* The synopsis without "Usage: ", its continuation lines shifted left
 * by as much. */
static void synopsis(const char *s, mp_buf *out)
{
    static const char usage[] = "Usage: ";
    size_t skip = sizeof(usage) - 1;
    mp_buf_puts(out, ".PP\n.nf\n");
    for (const char *p = s; *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        size_t k = 0;
        if (strncmp(p, usage, skip) == 0)
            k = skip;
        while (k < skip && k < n && p[k] == ' ')
            k++;
        roff(p + k, n - k, out);
        mp_buf_putc(out, '\n');
        p += n + (nl != NULL);
    }
    mp_buf_puts(out, ".fi\n");
}

static void command_section(const cli_command *cmd, mp_buf *out)
{
    mp_buf_puts(out, ".SS \"migplan ");
    roff_str(cmd->name, out);
    mp_buf_puts(out, "\"\n");
    synopsis(cmd->synopsis, out);
    paragraphs(cmd->description, out);
    mp_buf_puts(out, ".PP\nOptions:\n");
    for (const cli_option *o = cmd->options; o->name; o++)
        option_item(o, out);
    for (const cli_option *o = cli_common_options; o->name; o++)
        if (o->show & cmd->common)
            option_item(o, out);
    if (cmd->footer)
        paragraphs(cmd->footer, out);
}

static void finding_codes(mp_buf *out)
{
    mp_buf_puts(out, ".SH \"FINDING CODES\"\n"
                     "The codes of \\fBmigplan check\\fR findings, with the "
                     "severity each is usually reported with "
                     "(\\fB\\-\\-strict\\fR makes warnings errors, "
                     "\\fB\\-\\-ignore\\fR \\fICODE\\fR drops a code). They "
                     "are the rule ids of \\fB\\-\\-format sarif\\fR.\n");
    for (const mp_finding_rule *r = mp_finding_rules; r->code; r++) {
        mp_buf_puts(out, ".TP\n\\fB");
        roff_str(r->code, out);
        mp_buf_printf(out, "\\fR (%s)\n", mp_severity_name(r->sev));
        roff_str(r->summary, out);
        mp_buf_puts(out, ". ");
        roff_str(r->help, out);
        mp_buf_putc(out, '\n');
    }
}

static const char man_tail[] =
    ".SH ENVIRONMENT\n"
    ".TP\n"
    ".B MIGPLAN_PROFILES\n"
    "A folder of profile files to load as with \\fB\\-\\-profiles\\fR.\n"
    ".TP\n"
    ".B NO_COLOR\n"
    "When set to a non\\-empty value, output has no colour unless "
    "\\fB\\-\\-color always\\fR is given (see https://no\\-color.org).\n"
    ".SH \"EXIT STATUS\"\n"
    ".TP\n.B 0\nsuccess\n"
    ".TP\n.B 1\nfindings: check errors, an infeasible plan\n"
    ".TP\n.B 2\nusage or input errors\n"
    ".TP\n.B 3\ninternal error (a bug: please report it)\n"
    ".SH \"SEE ALSO\"\n"
    ".BR nvidia\\-smi (1)\n";

void cli_man(mp_buf *out)
{
    mp_buf_printf(out,
                  ".\\\" SPDX-License-Identifier: Apache-2.0\n"
                  ".\\\" Written by `migplan --man` from its command tables; "
                  "do not edit.\n"
                  ".TH MIGPLAN 1 \"\" \"migplan %s\" \"User Commands\"\n"
                  ".SH NAME\n"
                  "migplan \\- plan, check and script NVIDIA MIG layouts\n"
                  ".SH SYNOPSIS\n"
                  ".B migplan\n"
                  "[\\fIGLOBAL OPTIONS\\fR] \\fICOMMAND\\fR "
                  "[\\fIARGS\\fR...]\n"
                  ".br\n"
                  ".B migplan\n"
                  "\\fICOMMAND\\fR \\fB\\-\\-help\\fR\n"
                  ".SH DESCRIPTION\n"
                  "migplan plans NVIDIA MIG layouts for a fleet of GPUs, "
                  "checks mig\\-parted configs, and writes the nvidia\\-smi "
                  "scripts and configs that apply them. Each command below "
                  "prints the same text with \\fB\\-\\-help\\fR.\n"
                  ".SH \"GLOBAL OPTIONS\"\n"
                  "Before the command:\n",
                  MIGPLAN_VERSION);
    for (const cli_option *o = cli_global_options; o->name; o++)
        option_item(o, out);
    mp_buf_puts(out, ".SH COMMANDS\n");
    cli_command_items(roff_str, ".TP\n\\fB", "\\fR\n", "\n", out);
    for (int k = 0; cli_commands[k]; k++)
        command_section(cli_commands[k], out);
    finding_codes(out);
    mp_buf_puts(out, man_tail);
}
