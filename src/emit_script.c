/* emit_script.c - nvidia-smi scripts that create a MIG layout safely.
 *
 * The script is data-driven: the logic (preflight, the "already done?"
 * check, clearing, creating in a safe order, verifying) is written once as
 * shell functions, and each GPU is one line of data. Every dynamic string
 * is shell-quoted; names only ever appear in comments, made printable. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migplan/buf.h"
#include "migplan/diagram.h"
#include "migplan/emit.h"

/* Append s single-quoted for the shell. */
static void sq(mp_buf *b, const char *s)
{
    mp_buf_putc(b, '\'');
    for (; *s; s++) {
        if (*s == '\'')
            mp_buf_puts(b, "'\\''");
        else
            mp_buf_putc(b, *s);
    }
    mp_buf_putc(b, '\'');
}

/* Append s for a comment: printable ASCII only, so nothing can end the
 * comment line. */
static void comment_text(mp_buf *b, const char *s)
{
    for (; *s; s++)
        mp_buf_putc(b, (*s >= 0x20 && *s < 0x7f) ? *s : '?');
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The layout signature the script compares against what `nvidia-smi mig
 * -lgi`/`-lci` report: per GI "PROFILE:START:SIZE=CI,CI" (without START
 * when the driver places), CI profile IDs sorted, GIs sorted as C strings. */
static void signature(const mp_script_gpu *g, bool with_start, mp_buf *b)
{
    char *items[MP_MAX_GIS];
    for (int k = 0; k < g->n; k++) {
        const mp_gi_profile *p = &g->model->profiles[g->gi[k].profile];
        int ids[64], nid = 0;
        if (g->ci_explicit[k]) {
            for (int c = 0; c < p->n_cis; c++)
                for (int r = 0; r < g->ci_count[k][c] && nid < 64; r++)
                    ids[nid++] = p->cis[c].id;
        } else {
            for (int c = 0; c < p->n_cis; c++)
                if (p->cis[c].is_default)
                    ids[nid++] = p->cis[c].id;
        }
        for (int a = 1; a < nid; a++)
            for (int x = a; x > 0 && ids[x] < ids[x - 1]; x--) {
                int t = ids[x];
                ids[x] = ids[x - 1];
                ids[x - 1] = t;
            }
        char buf[400];
        size_t n = with_start
                       ? (size_t)snprintf(buf, sizeof(buf), "%d:%d:%d=", p->id,
                                          g->gi[k].start, p->memory_slices)
                       : (size_t)snprintf(buf, sizeof(buf), "%d:%d=", p->id,
                                          p->memory_slices);
        for (int i = 0; i < nid && n < sizeof(buf); i++)
            mp_catf(buf, sizeof(buf), &n, "%s%d", i ? "," : "", ids[i]);
        items[k] = strdup(buf);
    }
    qsort(items, (size_t)g->n, sizeof(*items), cmp_str);
    for (int k = 0; k < g->n; k++) {
        mp_buf_printf(b, "%s%s", k ? " " : "", items[k] ? items[k] : "");
        free(items[k]);
    }
}

static const char script_functions[] =
    "set -euo pipefail\n"
    "\n"
    "dry_run=${DRY_RUN:-0}\n"
    "\n"
    "die() {\n"
    "    printf 'migplan script: %s\\n' \"$*\" >&2\n"
    "    exit 1\n"
    "}\n"
    "\n"
    "# Run a command that changes the GPU, or print it under DRY_RUN=1.\n"
    "run() {\n"
    "    if [ \"$dry_run\" = 1 ]; then\n"
    "        printf '+'\n"
    "        printf ' %s' \"$@\"\n"
    "        printf '\\n'\n"
    "    else\n"
    "        \"$@\"\n"
    "    fi\n"
    "}\n"
    "\n"
    "# A query that only reads; under DRY_RUN=1 it is printed, not run.\n"
    "query() {\n"
    "    if [ \"$dry_run\" = 1 ]; then\n"
    "        printf '+ (query)' >&2\n"
    "        printf ' %s' \"$@\" >&2\n"
    "        printf '\\n' >&2\n"
    "        return 0\n"
    "    fi\n"
    "    \"$@\"\n"
    "}\n"
    "\n"
    "mig_mode() {\n"
    "    query nvidia-smi -i \"$1\" --query-gpu=mig.mode.current "
    "--format=csv,noheader\n"
    "}\n"
    "\n"
    "# What the GPU holds now, in the form of the targets below:\n"
    "# GI profile:start:size=CI profiles, one per GI, sorted.\n"
    "layout_of() {\n"
    "    local idx=$1 with_start=$2\n"
    "    [ \"$dry_run\" = 1 ] && return 0\n"
    "    {\n"
    "        nvidia-smi mig -i \"$idx\" -lgi 2>/dev/null || true\n"
    "        echo '--'\n"
    "        nvidia-smi mig -i \"$idx\" -lci 2>/dev/null || true\n"
    "    } | awk -v ws=\"$with_start\" '\n"
    "        $0 == \"--\" { ci = 1; next }\n"
    "        !ci && $1 == \"|\" && $3 == \"MIG\" {\n"
    "            split($7, p, \":\")\n"
    "            gi[$6] = (ws == 1) ? $5 \":\" $7 : $5 \":\" p[2]\n"
    "        }\n"
    "        ci && $1 == \"|\" && $4 == \"MIG\" { c[$3] = c[$3] \" \" $6 }\n"
    "        END {\n"
    "            for (g in gi) {\n"
    "                n = split(c[g], a, \" \")\n"
    "                for (i = 2; i <= n; i++)\n"
    "                    for (j = i; j > 1 && a[j] + 0 < a[j - 1] + 0; j--) {\n"
    "                        t = a[j]; a[j] = a[j - 1]; a[j - 1] = t\n"
    "                    }\n"
    "                s = \"\"\n"
    "                for (i = 1; i <= n; i++) s = s (i > 1 ? \",\" : \"\") "
    "a[i]\n"
    "                print gi[g] \"=\" s\n"
    "            }\n"
    "        }' | LC_ALL=C sort | paste -sd ' ' -\n"
    "}\n"
    "\n"
    "# Stop unless the GPU at $1 has one of the PCI device IDs $2.\n"
    "check_model() {\n"
    "    local idx=$1 want=$2 id name\n"
    "    [ \"$dry_run\" = 1 ] && return 0\n"
    "    id=$(nvidia-smi -i \"$idx\" --query-gpu=pci.device_id "
    "--format=csv,noheader 2>/dev/null) ||\n"
    "        die \"GPU $idx: not found; check the GPU indices (nvidia-smi "
    "-L)\"\n"
    "    id=$(printf '%s' \"$id\" | tr '[:lower:]' '[:upper:]' | tr -d ' ')\n"
    "    id=0x${id#0X}\n"
    "    case \" $want \" in\n"
    "    *\" $id \"*) return 0 ;;\n"
    "    esac\n"
    "    name=$(nvidia-smi -i \"$idx\" --query-gpu=name --format=csv,noheader "
    "2>/dev/null || true)\n"
    "    die \"GPU $idx is $name ($id), but this script was made for $want\"\n"
    "}\n"
    "\n"
    "# Stop if compute processes use the GPU at $1 (changing MIG would fail).\n"
    "check_idle() {\n"
    "    local idx=$1 uuid apps\n"
    "    [ \"$dry_run\" = 1 ] && return 0\n"
    "    uuid=$(nvidia-smi -i \"$idx\" --query-gpu=uuid "
    "--format=csv,noheader)\n"
    "    apps=$(nvidia-smi --query-compute-apps=gpu_uuid,pid,process_name "
    "--format=csv,noheader |\n"
    "        awk -F', ' -v u=\"$uuid\" '$1 == u { printf \"%s%s (pid %s)\", "
    "sep, $3, $2; sep = \", \" }')\n"
    "    [ -z \"$apps\" ] ||\n"
    "        die \"GPU $idx is in use by $apps; stop these workloads first "
    "(and "
    "DCGM if it holds the GPU: systemctl stop nvidia-dcgm) and run again\"\n"
    "}\n"
    "\n"
    "# Remove every compute and GPU instance of the GPU at $1.\n"
    "clear_gpu() {\n"
    "    local idx=$1\n"
    "    if [ \"$dry_run\" = 1 ] || [ -n \"$(layout_of \"$idx\" 1)\" ]; then\n"
    "        run nvidia-smi mig -i \"$idx\" -dci ||\n"
    "            die \"GPU $idx: cannot remove its compute instances\"\n"
    "        run nvidia-smi mig -i \"$idx\" -dgi ||\n"
    "            die \"GPU $idx: cannot remove its GPU instances (in use? stop "
    "DCGM: systemctl stop nvidia-dcgm)\"\n"
    "    fi\n"
    "}\n"
    "\n"
    "# GI IDs of profile $2 on GPU $1, one per line, in creation order.\n"
    "gi_ids() {\n"
    "    nvidia-smi mig -i \"$1\" -lgi |\n"
    "        awk -v p=\"$2\" '$1 == \"|\" && $3 == \"MIG\" && $5 == p { "
    "print $6 }' | sort -n\n"
    "}\n"
    "\n"
    "# Create compute instances: $2 is a list of PROFILE=CIS, one per GI of "
    "the\n"
    "# creation order; CIS are CI profile IDs, empty for the default CI.\n"
    "create_cis() {\n"
    "    local idx=$1 spec=$2 tok prof cis used id\n"
    "    used=' '\n"
    "    for tok in $spec; do\n"
    "        prof=${tok%%=*}\n"
    "        cis=${tok#*=}\n"
    "        id=\n"
    "        if [ \"$dry_run\" = 1 ]; then\n"
    "            id=\"<GI of profile $prof>\"\n"
    "        else\n"
    "            for id in $(gi_ids \"$idx\" \"$prof\"); do\n"
    "                case $used in *\" $id \"*) id= ;; *) break ;; esac\n"
    "            done\n"
    "            [ -n \"$id\" ] || die \"GPU $idx: no GPU instance of profile "
    "$prof to hold compute instances\"\n"
    "            used=\"$used$id \"\n"
    "        fi\n"
    "        if [ -n \"$cis\" ]; then\n"
    "            run nvidia-smi mig -i \"$idx\" -gi \"$id\" -cci \"$cis\"\n"
    "        else\n"
    "            run nvidia-smi mig -i \"$idx\" -gi \"$id\" -cci\n"
    "        fi\n"
    "    done\n"
    "}\n"
    "\n"
    "# One GPU: INDEX PCI-IDS CGI-LIST CI-SPEC TARGET WITH-START\n"
    "# CI-SPEC \"-C\" means the default compute instance in every GI.\n"
    "setup_mig() {\n"
    "    local idx=$1 want=$2 cgi=$3 cis=$4 target=$5 ws=$6 mode now\n"
    "    check_model \"$idx\" \"$want\"\n"
    "    mode=$(mig_mode \"$idx\") || die \"GPU $idx: cannot read its MIG "
    "mode\"\n"
    "    if [ \"$dry_run\" != 1 ] && [ \"$mode\" = Enabled ] &&\n"
    "        [ \"$(layout_of \"$idx\" \"$ws\")\" = \"$target\" ]; then\n"
    "        echo \"GPU $idx: already has this layout, nothing to do\"\n"
    "        return 0\n"
    "    fi\n"
    "    check_idle \"$idx\"\n"
    "    if [ \"$mode\" != Enabled ]; then\n"
    "        run nvidia-smi -i \"$idx\" -mig 1\n"
    "        # Ampere GPUs may need a GPU reset before MIG mode takes effect\n"
    "        if [ \"$dry_run\" != 1 ] && [ \"$(mig_mode \"$idx\")\" != Enabled "
    "]; "
    "then\n"
    "            die \"GPU $idx: MIG mode is pending; reset the GPU "
    "(nvidia-smi "
    "-r -i $idx) or reboot, then run this script again\"\n"
    "        fi\n"
    "    fi\n"
    "    clear_gpu \"$idx\"\n"
    "    if [ \"$cis\" = -C ]; then\n"
    "        run nvidia-smi mig -i \"$idx\" -cgi \"$cgi\" -C\n"
    "    else\n"
    "        run nvidia-smi mig -i \"$idx\" -cgi \"$cgi\"\n"
    "        create_cis \"$idx\" \"$cis\"\n"
    "    fi\n"
    "    [ \"$dry_run\" = 1 ] && return 0\n"
    "    now=$(layout_of \"$idx\" \"$ws\")\n"
    "    [ \"$now\" = \"$target\" ] ||\n"
    "        die \"GPU $idx: expected layout [$target], found [$now]\"\n"
    "    echo \"GPU $idx: created $target\"\n"
    "}\n"
    "\n"
    "# One GPU that should run without MIG: INDEX PCI-IDS\n"
    "setup_whole() {\n"
    "    local idx=$1 want=$2\n"
    "    check_model \"$idx\" \"$want\"\n"
    "    if [ \"$dry_run\" != 1 ] && [ \"$(mig_mode \"$idx\")\" != Enabled ]; "
    "then\n"
    "        echo \"GPU $idx: MIG already disabled, nothing to do\"\n"
    "        return 0\n"
    "    fi\n"
    "    check_idle \"$idx\"\n"
    "    clear_gpu \"$idx\"\n"
    "    run nvidia-smi -i \"$idx\" -mig 0\n"
    "    [ \"$dry_run\" = 1 ] && return 0\n"
    "    [ \"$(mig_mode \"$idx\")\" != Enabled ] ||\n"
    "        die \"GPU $idx: MIG mode is still enabled; reset the GPU "
    "(nvidia-smi -r -i $idx) or reboot\"\n"
    "    echo \"GPU $idx: MIG disabled\"\n"
    "}\n"
    "\n"
    "if [ \"$dry_run\" != 1 ]; then\n"
    "    command -v nvidia-smi >/dev/null 2>&1 ||\n"
    "        die \"nvidia-smi not found; install the NVIDIA driver first\"\n"
    "fi\n"
    "\n";

int mp_emit_script(const mp_script_gpu *gpus, int n, const mp_script_opts *o,
                   mp_buf *out, mp_diag *d)
{
    bool placed = !o->no_placement;
    for (int k = 0; k < n && !placed; k++) {
        const mp_script_gpu *g = &gpus[k];
        if (!g->mig_enabled)
            continue;
        mp_layout l;
        l.model = g->model;
        l.n = g->n;
        memcpy(l.gi, g->gi, sizeof(l.gi));
        int order[MP_MAX_GIS];
        bool exact;
        if (mp_geom_creation_order(&l, order, &exact, NULL) != 0)
            return mp_diag_set(
                d, MP_EINFEASIBLE, NULL, 0, 0,
                "GPU %d: no creation order works when the driver "
                "picks the slots; drop --no-placement",
                g->index);
    }
    mp_buf_puts(out, "#!/usr/bin/env bash\n");
    mp_buf_printf(out, "# Written by migplan %s from ", MIGPLAN_VERSION);
    comment_text(out, o->source ? o->source : "(unknown)");
    mp_buf_puts(out, ".\n#\n");
    mp_buf_puts(out,
                "# Sets up these MIG layouts, checking each GPU first. A GPU "
                "that already has\n# its layout is left alone, so the script "
                "is safe to run twice. Run as root;\n# DRY_RUN=1 prints the "
                "commands instead of running them.\n");
    if (placed)
        mp_buf_puts(out, "# GPU instances are created at explicit start slots "
                         "(nvidia-smi mig -cgi ID:START),\n# largest first.\n");
    else
        mp_buf_puts(out,
                    "# GPU instances are created without start slots, in "
                    "an order that works when the\n# driver picks the slots "
                    "itself.\n");
    for (int k = 0; k < n; k++) {
        const mp_script_gpu *g = &gpus[k];
        mp_buf_printf(out, "#\n# GPU %d  %s", g->index, g->model->id);
        if (g->note) {
            mp_buf_puts(out, "  ");
            comment_text(out, g->note);
        }
        mp_buf_putc(out, '\n');
        if (!g->mig_enabled || g->n == 0)
            continue;
        mp_layout l;
        l.model = g->model;
        l.n = g->n;
        memcpy(l.gi, g->gi, sizeof(l.gi));
        char labels[MP_MAX_GIS][96];
        const char *subs[MP_MAX_GIS];
        bool any = false;
        for (int q = 0; q < g->n; q++) {
            labels[q][0] = '\0';
            if (g->label[q]) {
                mp_buf tmp = MP_BUF_INIT;
                comment_text(&tmp, g->label[q]);
                snprintf(labels[q], sizeof(labels[q]), "%s", mp_buf_str(&tmp));
                mp_buf_free(&tmp);
                any = true;
            }
            subs[q] = labels[q];
        }
        mp_diagram_opts dopt = {.unicode = false,
                                .sublabels = any ? subs : NULL,
                                .indent = "#   ",
                                .footer = false};
        mp_diagram(&l, &dopt, out);
    }
    mp_buf_puts(out, "\n");
    mp_buf_puts(out, script_functions);
    for (int k = 0; k < n; k++) {
        const mp_script_gpu *g = &gpus[k];
        mp_buf tmp = MP_BUF_INIT;
        for (int p = 0; p < g->model->n_pci_ids; p++)
            mp_buf_printf(&tmp, "%s0x%08X", p ? " " : "", g->model->pci_ids[p]);
        if (!g->mig_enabled) {
            mp_buf_printf(out, "setup_whole %d ", g->index);
            sq(out, mp_buf_str(&tmp));
            mp_buf_putc(out, '\n');
            mp_buf_free(&tmp);
            continue;
        }
        mp_buf_printf(out, "setup_mig %d ", g->index);
        sq(out, mp_buf_str(&tmp));
        mp_buf_putc(out, ' ');
        /* the GPU instances in a driver-safe order */
        mp_layout l;
        l.model = g->model;
        l.n = g->n;
        memcpy(l.gi, g->gi, sizeof(l.gi));
        int order[MP_MAX_GIS];
        bool exact = false;
        if (mp_geom_creation_order(&l, order, &exact, NULL) != 0)
            for (int q = 0; q < g->n; q++)
                order[q] = q; /* explicit placements make any order work */
        mp_buf_reset(&tmp);
        for (int q = 0; q < g->n; q++) {
            const mp_gi *gi = &g->gi[order[q]];
            mp_buf_printf(&tmp, "%s%d", q ? "," : "",
                          g->model->profiles[gi->profile].id);
            if (placed)
                mp_buf_printf(&tmp, ":%d", gi->start);
        }
        sq(out, mp_buf_str(&tmp));
        mp_buf_putc(out, ' ');
        bool all_default = true;
        for (int q = 0; q < g->n; q++)
            all_default &= !g->ci_explicit[q];
        mp_buf_reset(&tmp);
        if (all_default) {
            mp_buf_puts(&tmp, "-C");
        } else {
            for (int q = 0; q < g->n; q++) {
                int i = order[q];
                const mp_gi_profile *p = &g->model->profiles[g->gi[i].profile];
                mp_buf_printf(&tmp, "%s%d=", q ? " " : "", p->id);
                if (!g->ci_explicit[i])
                    continue;
                bool first = true;
                for (int c = 0; c < p->n_cis; c++)
                    for (int r = 0; r < g->ci_count[i][c]; r++) {
                        mp_buf_printf(&tmp, "%s%d", first ? "" : ",",
                                      p->cis[c].id);
                        first = false;
                    }
            }
        }
        sq(out, mp_buf_str(&tmp));
        mp_buf_putc(out, ' ');
        mp_buf_reset(&tmp);
        signature(g, placed, &tmp);
        sq(out, mp_buf_str(&tmp));
        mp_buf_printf(out, " %d\n", placed ? 1 : 0);
        mp_buf_free(&tmp);
    }
    mp_buf_puts(out, "echo \"done: the GPUs above have their MIG layout\"\n");
    return 0;
}

int mp_plan_script_gpus(const mp_plan *p, mp_arena *arena, mp_script_gpu **out,
                        int *n)
{
    const mp_request *r = p->req;
    *out = NULL;
    *n = 0;
    int used = 0;
    for (int k = 0; k < p->n_gpus; k++)
        used += p->gpus[k].used;
    mp_script_gpu *g =
        mp_arena_alloc(arena, (size_t)(used ? used : 1) * sizeof(*g));
    if (!g)
        return MP_ENOMEM;
    int m = 0;
    for (int k = 0; k < p->n_gpus; k++) {
        const mp_plan_gpu *pg = &p->gpus[k];
        if (!pg->used)
            continue; /* unused GPUs are left as they are */
        mp_script_gpu *s = &g[m++];
        s->index = pg->index;
        s->model = pg->model;
        s->mig_enabled = pg->mig_enabled;
        if (!pg->mig_enabled) {
            s->note = mp_arena_printf(arena, "whole GPU (MIG disabled) for %s",
                                      r->tenants[pg->whole_tenant].name);
            continue;
        }
        s->n = pg->n;
        for (int q = 0; q < pg->n; q++) {
            s->gi[q].profile = pg->inst[q].profile;
            s->gi[q].start = pg->inst[q].start;
            s->ci_explicit[q] = false;
            s->label[q] = mp_arena_printf(arena, "%s#%d",
                                          r->tenants[pg->inst[q].tenant].name,
                                          pg->inst[q].replica);
        }
    }
    *out = g;
    *n = m;
    return 0;
}
