/* SPDX-License-Identifier: Apache-2.0 */
/* fake_nvidia_smi.c - a stand-in for `nvidia-smi` that keeps MIG state in a
 * file, for testing generated scripts without a GPU.
 *
 * Installed as `nvidia-smi` first on PATH. The state file is named by
 * $FAKE_NVIDIA_SMI_STATE. It enforces the rules real drivers enforce, from
 * the profile database (placements, sizes, max counts, CI profiles) but
 * with its own code, so it does not share the geometry engine's mistakes:
 *   - a GPU instance must start at one of its profile's placements and
 *     must not overlap another; compute slices and max counts are limits;
 *   - without a start slot the driver picks one: among the free
 *     placements, the one that overlaps the fewest still-free placements of
 *     all profiles, ties to the lowest start. This reproduces every example
 *     of NVIDIA's MIG User Guide (`-cgi 9,19,14,19`, `-cgi 14,19,19,19,19,19`
 *     and the failing `-cgi 19,19,14,9`) and the 580-driver captures
 *     (`-cgi 19,19` lands at 4:1 and 6:1); see test-fake.sh;
 *   - processes on a GPU make MIG changes fail with "In use by another
 *     client", and `-mig 1` stay pending;
 *   - Ampere GPUs can be made to need a reset before MIG mode applies.
 * Output follows the 580.173.02 driver's tables (59-wide -lgi, 70-wide
 * -lci, 81-wide -lgip) and messages as captured in
 * ../shared/nvidia-smi-transcripts.md.
 *
 * UNCONFIRMED, chosen here and marked where used: exit codes (6 for "not
 * found", 2 for bad arguments, 255 for other failures, after the
 * nvidia-smi man page's categories); the text when -cci fails; refusing
 * `-mig 0` while GPU instances exist; the reset message; GI IDs (the lowest
 * free ID, where real drivers pick their own: scripts must read them back);
 * CI placement (first fit).
 *
 * Plain `nvidia-smi` prints only the Processes table (GI ID column), which
 * is what scripts read of that view.
 *
 * Test-only commands: --fake-init MODEL[:COUNT]|0xPCIID... (a PCI ID: a GPU
 * without MIG) [--fake-ampere-reset], --fake-proc INDEX PID NAME (a process
 * on the whole GPU: every MIG change fails), --fake-gi-proc INDEX GI-ID PID
 * NAME (a process in one GPU instance: that instance cannot be destroyed,
 * the others can, and MIG mode cannot change),
 * --fake-kill INDEX, --fake-dump, --fake-gi INDEX PROFILE-ID START (force a
 * GPU instance), --fake-dirty (MIG on and stray instances everywhere).
 * $FAKE_NVIDIA_SMI_LOG, when set, receives every command line.
 * $FAKE_NVIDIA_SMI_FAIL=TEXT makes every call with an argument containing
 * TEXT (other than the test-only commands) fail with exit status 255 and a
 * line saying so, touching nothing: a broken driver for the scripts'
 * error paths (the text is the fake's own, not a real driver's).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "migplan/model/profile_db.h"

#define MAX_GPUS 64
#define MAX_GIS 16
#define MAX_CIS 8
#define MAX_PROCS 16

enum {
    EXIT_FAKE_OK = 0,
    EXIT_FAKE_ARG = 2,
    EXIT_FAKE_NOT_FOUND = 6,
    EXIT_FAKE_OTHER = 255
};

typedef struct ci {
    int id, profile_id, start, size;
} ci;

typedef struct gi {
    int id, profile; /* index into model->profiles */
    int start;
    int nci;
    ci cis[MAX_CIS];
} gi;

typedef struct proc {
    int pid;
    int gi; /* the GPU instance it runs in, -1: the whole GPU */
    char name[64];
} proc;

typedef struct gpu {
    const mp_model *m; /* NULL: a GPU without MIG (pci gives its ID) */
    uint32_t pci;
    bool mig, pending_set, pending;
    bool needs_reset;
    uint32_t subsystem;
    int ngi;
    gi gis[MAX_GIS];
    int nproc;
    proc procs[MAX_PROCS];
} gpu;

static const mp_db *db;
static gpu gpus[MAX_GPUS];
static int ngpus;
static const char *state_path;

static int fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    return EXIT_FAKE_ARG;
}

/* ------------------------------------------------------------- state */

static const mp_model *find_model(const char *id)
{
    const mp_model *m = NULL;
    if (mp_db_find(db, id, &m, NULL) != 0)
        return NULL;
    return m;
}

static int load_state(void)
{
    FILE *f = fopen(state_path, "r");
    if (!f)
        return fail("fake nvidia-smi: no state file %s; run nvidia-smi "
                    "--fake-init MODEL first\n",
                    state_path);
    char line[512];
    while (fgets(line, sizeof(line), f)) {
        char kind[16], model[128];
        int a, b, c, d, e, g;
        unsigned sub;
        if (sscanf(line, "%15s", kind) != 1)
            continue;
        if (strcmp(kind, "gpu") == 0 &&
            sscanf(line, "gpu %d %127s %d %d %d %d %x", &a, model, &b, &c, &d,
                   &e, &sub) == 7 &&
            ngpus < MAX_GPUS) {
            gpu *x = &gpus[ngpus++];
            memset(x, 0, sizeof(*x));
            unsigned pci;
            if (sscanf(model, "pci:%x", &pci) == 1) {
                x->pci = pci;
            } else if (!(x->m = find_model(model))) {
                fclose(f);
                return fail("fake nvidia-smi: unknown model %s in state\n",
                            model);
            }
            x->mig = b;
            x->pending_set = c;
            x->pending = d;
            x->needs_reset = e;
            x->subsystem = sub;
        } else if (strcmp(kind, "gi") == 0 &&
                   sscanf(line, "gi %d %d %d %d", &a, &b, &c, &d) == 4 &&
                   a >= 0 && a < ngpus && gpus[a].ngi < MAX_GIS) {
            gi *x = &gpus[a].gis[gpus[a].ngi++];
            memset(x, 0, sizeof(*x));
            x->id = b;
            x->profile = c;
            x->start = d;
        } else if (strcmp(kind, "ci") == 0 &&
                   sscanf(line, "ci %d %d %d %d %d %d", &a, &b, &c, &d, &e,
                          &g) == 6 &&
                   a >= 0 && a < ngpus) {
            for (int k = 0; k < gpus[a].ngi; k++) {
                gi *x = &gpus[a].gis[k];
                if (x->id == b && x->nci < MAX_CIS)
                    x->cis[x->nci++] = (ci){c, d, e, g};
            }
        } else if (strcmp(kind, "proc") == 0) {
            int pid, in_gi = -1;
            char name[64];
            if (sscanf(line, "proc %d %d %63s %d", &a, &pid, name, &in_gi) >=
                    3 &&
                a < ngpus && gpus[a].nproc < MAX_PROCS) {
                proc *p = &gpus[a].procs[gpus[a].nproc++];
                p->pid = pid;
                p->gi = in_gi;
                snprintf(p->name, sizeof(p->name), "%s", name);
            }
        }
    }
    fclose(f);
    return 0;
}

static int save_state(void)
{
    char tmp[4096];
    snprintf(tmp, sizeof(tmp), "%s.tmp", state_path);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return fail("fake nvidia-smi: cannot write %s\n", tmp);
    for (int i = 0; i < ngpus; i++) {
        const gpu *x = &gpus[i];
        char model[64];
        if (x->m)
            snprintf(model, sizeof(model), "%s", x->m->id);
        else
            snprintf(model, sizeof(model), "pci:%08X", x->pci);
        fprintf(f, "gpu %d %s %d %d %d %d %08x\n", i, model, x->mig,
                x->pending_set, x->pending, x->needs_reset, x->subsystem);
        for (int k = 0; k < x->ngi; k++) {
            const gi *g = &x->gis[k];
            fprintf(f, "gi %d %d %d %d\n", i, g->id, g->profile, g->start);
            for (int c = 0; c < g->nci; c++)
                fprintf(f, "ci %d %d %d %d %d %d\n", i, g->id, g->cis[c].id,
                        g->cis[c].profile_id, g->cis[c].start, g->cis[c].size);
        }
        for (int p = 0; p < x->nproc; p++)
            fprintf(f, "proc %d %d %s %d\n", i, x->procs[p].pid,
                    x->procs[p].name, x->procs[p].gi);
    }
    if (fclose(f) != 0 || rename(tmp, state_path) != 0)
        return fail("fake nvidia-smi: cannot write %s\n", state_path);
    return 0;
}

/* --------------------------------------------------------- geometry */

static unsigned span(int start, int size)
{
    return ((1u << size) - 1u) << start;
}

static unsigned occupied(const gpu *x)
{
    unsigned o = 0;
    for (int k = 0; k < x->ngi; k++)
        o |= span(x->gis[k].start,
                  x->m->profiles[x->gis[k].profile].memory_slices);
    return o;
}

static int compute_used(const gpu *x)
{
    int c = 0;
    for (int k = 0; k < x->ngi; k++)
        c += x->m->profiles[x->gis[k].profile].compute_slices;
    return c;
}

static int count_profile(const gpu *x, int p)
{
    int n = 0;
    for (int k = 0; k < x->ngi; k++)
        n += x->gis[k].profile == p;
    return n;
}

/* The number of free placements of profile p (the -lgip "Free" count),
 * limited by its max count and the compute left. */
static int free_of(const gpu *x, int p)
{
    const mp_gi_profile *pr = &x->m->profiles[p];
    int left = pr->max_instances - count_profile(x, p);
    if (left <= 0 ||
        compute_used(x) + pr->compute_slices > x->m->compute_slices)
        return 0;
    unsigned occ = occupied(x);
    int n = 0;
    for (int k = 0; k < pr->n_placements; k++)
        n += (occ & span(pr->placements[k], pr->memory_slices)) == 0;
    return n < left ? n : left;
}

/* Can a GI of profile p start at `start`? */
static bool can_place(const gpu *x, int p, int start)
{
    const mp_gi_profile *pr = &x->m->profiles[p];
    if (count_profile(x, p) >= pr->max_instances)
        return false;
    if (compute_used(x) + pr->compute_slices > x->m->compute_slices)
        return false;
    /* the media extensions (+me, +me.all) exist once per GPU */
    if (pr->flags & MP_GI_MEDIA)
        for (int k = 0; k < x->ngi; k++)
            if (x->m->profiles[x->gis[k].profile].flags & MP_GI_MEDIA)
                return false;
    bool valid = false;
    for (int k = 0; k < pr->n_placements; k++)
        valid |= pr->placements[k] == start;
    return valid && (occupied(x) & span(start, pr->memory_slices)) == 0;
}

/* The driver's choice of start for profile p, or -1. */
static int driver_pick(const gpu *x, int p)
{
    const mp_gi_profile *pr = &x->m->profiles[p];
    unsigned occ = occupied(x);
    int best = -1, best_cost = 0;
    for (int k = 0; k < pr->n_placements; k++) {
        int s = pr->placements[k];
        if (!can_place(x, p, s))
            continue;
        unsigned mine = span(s, pr->memory_slices);
        int cost = 0;
        for (int q = 0; q < x->m->n_profiles; q++) {
            const mp_gi_profile *o = &x->m->profiles[q];
            for (int j = 0; j < o->n_placements; j++) {
                unsigned r = span(o->placements[j], o->memory_slices);
                if ((r & occ) == 0 && (r & mine) != 0)
                    cost++;
            }
        }
        if (best < 0 || cost < best_cost) {
            best = s;
            best_cost = cost;
        }
    }
    return best;
}

/* GPU instance IDs. Drivers number them like a binary heap over the
 * placement units: the whole GPU is 0, its halves 1 and 2, quarters 3..6,
 * eighths 7..14 (NVIDIA's examples: 1g at 0..6 -> 7..13, 2g at 0, 2, 4 ->
 * 3, 4, 5, a 2g.48gb at 0 of an RTX PRO 6000 -> 1; the A30's 1g at 0, 1 and
 * 2g at 2 -> 3, 4, 2). Some captures swap the two halves (a 3g at 4:4 is
 * GI 1 on some GPUs, 2 on others), so IDs are not a fixed function of the
 * placement on real GPUs; scripts must read them back, never predict them.
 * An ID already in use (not possible with the heap) falls back to the
 * lowest free one. */
static int next_gi_id(const gpu *x, int profile, int start)
{
    int size = x->m->profiles[profile].memory_slices;
    int parts = 1;
    while (size * parts < x->m->units)
        parts *= 2;
    int id = size * parts == x->m->units ? parts - 1 + start / size : -1;
    for (int k = 0; k < x->ngi && id >= 0; k++)
        if (x->gis[k].id == id)
            id = -1;
    for (int cand = 1; id < 0; cand++) {
        bool used = false;
        for (int k = 0; k < x->ngi; k++)
            used |= x->gis[k].id == cand;
        if (!used)
            id = cand;
    }
    return id;
}

/* Keep a GPU's instances in GI ID order, the order the 580 driver's -lgi
 * printed in the captures with two GIs (which order a driver uses in
 * general is not known; scripts must not depend on it). */
static void sort_gis(gpu *x)
{
    for (int a = 1; a < x->ngi; a++)
        for (int b = a; b > 0 && x->gis[b].id < x->gis[b - 1].id; b--) {
            gi t = x->gis[b];
            x->gis[b] = x->gis[b - 1];
            x->gis[b - 1] = t;
        }
}

/* --------------------------------------------------------- helpers */

static void bus_id(int i, char *buf, size_t n)
{
    snprintf(buf, n, "00000000:%02X:00.0", 0x18 + i * 0x10);
}

static void uuid_of(int i, char *buf, size_t n)
{
    snprintf(buf, n, "GPU-fa4e0000-0000-4000-8000-%012d", i);
}

static const mp_gi_profile *profile_by_id(const mp_model *m, int id, int *idx)
{
    for (int p = 0; p < m->n_profiles; p++)
        if (m->profiles[p].id == id) {
            if (idx)
                *idx = p;
            return &m->profiles[p];
        }
    return NULL;
}

/* A profile given as an ID or a name ("9", "3g.40gb", "MIG 3g.40gb"). */
static int parse_profile(const mp_model *m, const char *s)
{
    char *end;
    long v = strtol(s, &end, 10);
    int idx;
    if (*s && *end == '\0')
        return profile_by_id(m, (int)v, &idx) ? idx : -1;
    if (strncmp(s, "MIG ", 4) == 0)
        s += 4;
    for (int p = 0; p < m->n_profiles; p++)
        if (strcmp(m->profiles[p].name, s) == 0)
            return p;
    return -1;
}

/* Any process on the GPU: MIG mode and resets wait for it. */
static bool busy(const gpu *x)
{
    return x->nproc > 0;
}

/* A process on the whole GPU (not in a GPU instance): no MIG change at
 * all. */
static bool whole_busy(const gpu *x)
{
    for (int p = 0; p < x->nproc; p++)
        if (x->procs[p].gi < 0)
            return true;
    return false;
}

/* A process in GPU instance gi_id, or on the whole GPU: that instance and
 * its compute instances cannot be destroyed or changed. Other instances
 * can: a busy instance does not block its neighbours. */
static bool gi_busy(const gpu *x, int gi_id)
{
    for (int p = 0; p < x->nproc; p++)
        if (x->procs[p].gi < 0 || x->procs[p].gi == gi_id)
            return true;
    return false;
}

/* The plain `nvidia-smi` view, reduced to its Processes table (89 wide, as
 * fidelity-corrections.md section D shows it). */
static void print_processes(void)
{
    const char *rule = "+--------------------------------------------------"
                       "---------------------------------------+";
    puts(rule);
    printf("| %-87s |\n", "Processes:");
    printf("| %-87s |\n", " GPU   GI   CI        PID   Type   Process name  "
                          "                            GPU Memory");
    printf("| %-87s |\n", "       ID   ID                                    "
                          "                           Usage");
    puts("|================================================================="
         "========================|");
    int n = 0;
    for (int i = 0; i < ngpus; i++)
        for (int p = 0; p < gpus[i].nproc; p++, n++) {
            const proc *r = &gpus[i].procs[p];
            char gi_col[16], ci_col[16];
            snprintf(gi_col, sizeof(gi_col), "%s", "N/A");
            snprintf(ci_col, sizeof(ci_col), "%s", "N/A");
            if (r->gi >= 0) {
                snprintf(gi_col, sizeof(gi_col), "%d", r->gi);
                snprintf(ci_col, sizeof(ci_col), "%d", 0);
            }
            printf("| %4d %4s %4s %10d      C   %-42.42s %9s |\n", i, gi_col,
                   ci_col, r->pid, r->name, "1024MiB");
        }
    if (n == 0)
        printf("|  %-86s |\n", "No running processes found");
    puts(rule);
}

static void log_command(int argc, char **argv)
{
    const char *path = getenv("FAKE_NVIDIA_SMI_LOG");
    if (!path)
        return;
    FILE *f = fopen(path, "a");
    if (!f)
        return;
    fputs("nvidia-smi", f);
    for (int i = 1; i < argc; i++)
        fprintf(f, " %s", argv[i]);
    fputc('\n', f);
    fclose(f);
}

/* ------------------------------------------------------ query output */

static void query_field(int i, const char *field, bool units, FILE *o)
{
    const gpu *x = &gpus[i];
    char buf[64];
    if (strcmp(field, "index") == 0)
        fprintf(o, "%d", i);
    else if (strcmp(field, "name") == 0 || strcmp(field, "gpu_name") == 0)
        fputs(x->m ? x->m->name : "NVIDIA GPU without MIG", o);
    else if (strcmp(field, "uuid") == 0) {
        uuid_of(i, buf, sizeof(buf));
        fputs(buf, o);
    } else if (strcmp(field, "pci.bus_id") == 0) {
        bus_id(i, buf, sizeof(buf));
        fputs(buf, o);
    } else if (strcmp(field, "pci.device_id") == 0)
        fprintf(o, "0x%08X", x->m ? x->m->pci_ids[0] : x->pci);
    else if (strcmp(field, "pci.sub_device_id") == 0)
        fprintf(o, "0x%08X", x->subsystem);
    else if (!x->m && strncmp(field, "mig.mode.", 9) == 0)
        fputs("[N/A]", o);
    else if (strcmp(field, "mig.mode.current") == 0)
        fputs(x->mig ? "Enabled" : "Disabled", o);
    else if (strcmp(field, "mig.mode.pending") == 0)
        fputs((x->pending_set ? x->pending : x->mig) ? "Enabled" : "Disabled",
              o);
    else if (strcmp(field, "memory.total") == 0)
        fprintf(o, units ? "%d MiB" : "%d", x->m ? x->m->memory_mib : 16384);
    else if (strcmp(field, "driver_version") == 0)
        fputs("580.173.02", o);
    else
        fputs("[N/A]", o);
}

static const char *header_name(const char *field)
{
    if (strcmp(field, "gpu_name") == 0)
        return "name";
    if (strcmp(field, "memory.total") == 0)
        return "memory.total [MiB]";
    return field;
}

static int query_gpu(const char *fields, const char *format, int only)
{
    bool noheader = strstr(format, "noheader") != NULL;
    bool units = strstr(format, "nounits") == NULL;
    char list[32][64];
    int nf = 0;
    char copy[1024];
    snprintf(copy, sizeof(copy), "%s", fields);
    for (char *s = strtok(copy, ","); s && nf < 32; s = strtok(NULL, ","))
        snprintf(list[nf++], sizeof(list[0]), "%s", s);
    for (int f = 0; f < nf; f++) {
        static const char *const known[] = {"index",
                                            "name",
                                            "gpu_name",
                                            "uuid",
                                            "pci.bus_id",
                                            "pci.device_id",
                                            "pci.sub_device_id",
                                            "mig.mode.current",
                                            "mig.mode.pending",
                                            "memory.total",
                                            "driver_version",
                                            NULL};
        bool ok = false;
        for (int k = 0; known[k] && !ok; k++)
            ok = strcmp(known[k], list[f]) == 0;
        if (!ok) {
            printf("Field \"%s\" is not a valid field to query.\n\n", list[f]);
            return EXIT_FAKE_ARG;
        }
    }
    if (!noheader) {
        for (int f = 0; f < nf; f++)
            printf("%s%s", f ? ", " : "", header_name(list[f]));
        putchar('\n');
    }
    for (int i = 0; i < ngpus; i++) {
        if (only >= 0 && i != only)
            continue;
        for (int f = 0; f < nf; f++) {
            if (f)
                fputs(", ", stdout);
            query_field(i, list[f], units, stdout);
        }
        putchar('\n');
    }
    return 0;
}

static int query_apps(const char *fields, const char *format)
{
    bool noheader = strstr(format, "noheader") != NULL;
    bool units = strstr(format, "nounits") == NULL;
    char list[16][64];
    int nf = 0;
    char copy[512];
    snprintf(copy, sizeof(copy), "%s", fields);
    for (char *s = strtok(copy, ","); s && nf < 16; s = strtok(NULL, ","))
        snprintf(list[nf++], sizeof(list[0]), "%s", s);
    if (!noheader) {
        for (int f = 0; f < nf; f++)
            printf("%s%s", f ? ", " : "",
                   strcmp(list[f], "used_memory") == 0 ||
                           strcmp(list[f], "used_gpu_memory") == 0
                       ? "used_gpu_memory [MiB]"
                       : list[f]);
        putchar('\n');
    }
    for (int i = 0; i < ngpus; i++)
        for (int p = 0; p < gpus[i].nproc; p++) {
            for (int f = 0; f < nf; f++) {
                char buf[64];
                if (f)
                    fputs(", ", stdout);
                if (strcmp(list[f], "gpu_uuid") == 0) {
                    uuid_of(i, buf, sizeof(buf));
                    fputs(buf, stdout);
                } else if (strcmp(list[f], "pid") == 0)
                    printf("%d", gpus[i].procs[p].pid);
                else if (strcmp(list[f], "process_name") == 0)
                    fputs(gpus[i].procs[p].name, stdout);
                else if (strcmp(list[f], "used_memory") == 0 ||
                         strcmp(list[f], "used_gpu_memory") == 0)
                    printf(units ? "%d MiB" : "%d", 1024);
                else
                    fputs("[N/A]", stdout);
            }
            putchar('\n');
        }
    return 0;
}

/* ------------------------------------------------------- MIG tables */

static void print_lgi(const int *sel, int nsel)
{
    int rows = 0;
    for (int s = 0; s < nsel; s++)
        rows += gpus[sel[s]].ngi;
    if (rows == 0) {
        puts("No GPU instances found: Not Found");
        return;
    }
    puts("+---------------------------------------------------------+");
    puts("| GPU instances:                                          |");
    puts("| GPU   Name               Profile  Instance   Placement  |");
    puts("|                            ID       ID       Start:Size |");
    puts("|=========================================================|");
    for (int s = 0; s < nsel; s++) {
        const gpu *x = &gpus[sel[s]];
        for (int k = 0; k < x->ngi; k++) {
            const gi *g = &x->gis[k];
            const mp_gi_profile *pr = &x->m->profiles[g->profile];
            char pl[16];
            snprintf(pl, sizeof(pl), "%d:%d", g->start, pr->memory_slices);
            printf("|%4d  MIG %-18s%2d%9d%13s     |\n", sel[s], pr->name,
                   pr->id, g->id, pl);
            puts("+---------------------------------------------------------+");
        }
    }
}

static const char *ci_name(const mp_gi_profile *pr, int ci_profile_id)
{
    for (int c = 0; c < pr->n_cis; c++)
        if (pr->cis[c].id == ci_profile_id)
            return pr->cis[c].name;
    return pr->name;
}

static void print_lci(const int *sel, int nsel, int only_gi)
{
    int rows = 0;
    for (int s = 0; s < nsel; s++)
        for (int k = 0; k < gpus[sel[s]].ngi; k++)
            if (only_gi < 0 || gpus[sel[s]].gis[k].id == only_gi)
                rows += gpus[sel[s]].gis[k].nci;
    if (rows == 0) {
        puts("No compute instances found: Not Found");
        return;
    }
    const char *rule = "+------------------------------------------------------"
                       "--------------+";
    puts(rule);
    puts("| Compute instances:                                           "
         "      |");
    puts("| GPU     GPU       Name             Profile   Instance   "
         "Placement  |");
    puts("|       Instance                       ID        ID       "
         "Start:Size |");
    puts("|         ID                                                   "
         "      |");
    puts("|==============================================================="
         "=====|");
    for (int s = 0; s < nsel; s++) {
        const gpu *x = &gpus[sel[s]];
        for (int k = 0; k < x->ngi; k++) {
            const gi *g = &x->gis[k];
            if (only_gi >= 0 && g->id != only_gi)
                continue;
            const mp_gi_profile *pr = &x->m->profiles[g->profile];
            for (int c = 0; c < g->nci; c++) {
                char pl[16];
                snprintf(pl, sizeof(pl), "%d:%d", g->cis[c].start,
                         g->cis[c].size);
                printf("|%4d%7d       MIG %-16s%2d%10d%13s     |\n", sel[s],
                       g->id, ci_name(pr, g->cis[c].profile_id),
                       g->cis[c].profile_id, g->cis[c].id, pl);
                puts(rule);
            }
        }
    }
}

static void print_lgip(const int *sel, int nsel)
{
    const char *rule = "+----------------------------------------------------"
                       "---------------------------+";
    puts(rule);
    puts("| GPU instance profiles:                                        "
         "                |");
    puts("| GPU   Name               ID    Instances   Memory     P2P    SM "
         "   DEC   ENC  |");
    puts("|                                Free/Total   GiB              CE "
         "   JPEG  OFA  |");
    puts("|=============================================================="
         "=================|");
    for (int s = 0; s < nsel; s++) {
        const gpu *x = &gpus[sel[s]];
        for (int p = 0; p < x->m->n_profiles; p++) {
            const mp_gi_profile *pr = &x->m->profiles[p];
            char inst[16], mem[16];
            snprintf(inst, sizeof(inst), "%d/%d", free_of(x, p),
                     pr->max_instances);
            if (pr->memory_gib)
                snprintf(mem, sizeof(mem), "%s", pr->memory_gib);
            else
                snprintf(mem, sizeof(mem), "%.2f", pr->memory_mib / 1024.0);
            printf("|%4d  MIG %-16s%2d%8s        %-11sNo     %-4d%4d%6d   |\n",
                   sel[s], pr->name, pr->id, inst, mem, pr->sms,
                   pr->engines[MP_ENG_NVDEC], pr->engines[MP_ENG_NVENC]);
            printf("|%64d%6d%6d   |\n", pr->engines[MP_ENG_CE],
                   pr->engines[MP_ENG_NVJPG], pr->engines[MP_ENG_OFA]);
            puts(rule);
        }
    }
}

static void print_lgipp(const int *sel, int nsel)
{
    for (int s = 0; s < nsel; s++) {
        const gpu *x = &gpus[sel[s]];
        for (int p = 0; p < x->m->n_profiles; p++) {
            const mp_gi_profile *pr = &x->m->profiles[p];
            printf("GPU %2d Profile ID %2d Placement%s{", sel[s], pr->id,
                   pr->n_placements == 1 ? " : " : "s: ");
            for (int k = 0; k < pr->n_placements; k++)
                printf("%s%d", k ? "," : "", pr->placements[k]);
            printf("}:%d\n", pr->memory_slices);
        }
    }
}

/* ------------------------------------------------------ MIG changes */

/* A new GPU instance (the caller checked that it may go there). Pointers
 * into x->gis are only good until the next sort_gis. */
static gi *add_gi(gpu *x, int profile, int start)
{
    gi *g = &x->gis[x->ngi];
    memset(g, 0, sizeof(*g));
    g->id = next_gi_id(x, profile, start);
    g->profile = profile;
    g->start = start;
    x->ngi++;
    return g;
}

/* The CI profile -C creates in a GI of profile pr. */
static int default_ci(const mp_gi_profile *pr)
{
    int id = -1;
    for (int c = 0; c < pr->n_cis; c++)
        if (pr->cis[c].is_default)
            id = pr->cis[c].id;
    if (id < 0 && pr->n_cis > 0)
        id = pr->cis[pr->n_cis - 1].id;
    return id;
}

static int create_default_ci(gpu *x, int gpu_index, gi *g)
{
    const mp_gi_profile *pr = &x->m->profiles[g->profile];
    int id = default_ci(pr);
    g->cis[g->nci] = (ci){g->nci, id, 0, pr->compute_slices};
    g->nci++;
    printf("Successfully created compute instance ID %2d on GPU %2d GPU "
           "instance ID %2d using profile MIG %s (ID %2d)\n",
           g->nci - 1, gpu_index, g->id, ci_name(pr, id), id);
    return 0;
}

static int cmd_cgi(int idx, const char *list, bool with_ci)
{
    gpu *x = &gpus[idx];
    if (!x->mig) {
        puts("No MIG-enabled devices found.");
        return EXIT_FAKE_NOT_FOUND;
    }
    char copy[1024];
    snprintf(copy, sizeof(copy), "%s", list);
    for (char *tok = strtok(copy, ","); tok; tok = strtok(NULL, ",")) {
        char name[128];
        snprintf(name, sizeof(name), "%s", tok);
        char *colon = strchr(name, ':');
        int start = -1;
        if (colon) {
            *colon = '\0';
            start = atoi(colon + 1);
        }
        const char *why = NULL;
        int p = parse_profile(x->m, name);
        if (p < 0)
            why = "Invalid Argument";
        else if (whole_busy(x))
            why = "In use by another client";
        else if (start >= 0) {
            bool valid = false;
            const mp_gi_profile *pr = &x->m->profiles[p];
            for (int k = 0; k < pr->n_placements; k++)
                valid |= pr->placements[k] == start;
            if (!valid)
                why = "Invalid Argument";
            else if (!can_place(x, p, start))
                why = "Insufficient Resources";
        } else {
            start = driver_pick(x, p);
            if (start < 0)
                why = "Insufficient Resources";
        }
        if (why) {
            printf("Unable to create a GPU instance on GPU %2d using profile "
                   "%s: %s\n",
                   idx, name, why);
            printf("Failed to create GPU instances: %s\n", why);
            return EXIT_FAKE_OTHER;
        }
        gi *g = add_gi(x, p, start);
        printf("Successfully created GPU instance ID %2d on GPU %2d using "
               "profile MIG %s (ID %2d)\n",
               g->id, idx, x->m->profiles[p].name, x->m->profiles[p].id);
        if (with_ci)
            create_default_ci(x, idx, g);
        sort_gis(x);
    }
    return 0;
}

static gi *find_gi(gpu *x, int id)
{
    for (int k = 0; k < x->ngi; k++)
        if (x->gis[k].id == id)
            return &x->gis[k];
    return NULL;
}

static int cmd_cci(int idx, int gi_id, const char *list)
{
    gpu *x = &gpus[idx];
    gi *g = find_gi(x, gi_id);
    if (!g) {
        printf("Unable to find GPU instance ID %2d on GPU %2d: Not Found\n",
               gi_id, idx);
        return EXIT_FAKE_NOT_FOUND;
    }
    const mp_gi_profile *pr = &x->m->profiles[g->profile];
    if (!list || !*list)
        return gi_busy(x, g->id) ? EXIT_FAKE_OTHER
                                 : create_default_ci(x, idx, g);
    char copy[512];
    snprintf(copy, sizeof(copy), "%s", list);
    for (char *tok = strtok(copy, ","); tok; tok = strtok(NULL, ",")) {
        const mp_ci_profile *cp = NULL;
        char *end;
        long v = strtol(tok, &end, 10);
        for (int c = 0; c < pr->n_cis && !cp; c++)
            if ((*end == '\0' && pr->cis[c].id == v) ||
                strcmp(pr->cis[c].name, tok) == 0)
                cp = &pr->cis[c];
        const char *why = NULL;
        int start = -1;
        if (!cp) {
            why = "Invalid Argument";
        } else if (gi_busy(x, g->id)) {
            why = "In use by another client";
        } else {
            unsigned used = 0;
            int same = 0;
            for (int c = 0; c < g->nci; c++) {
                used |= span(g->cis[c].start, g->cis[c].size);
                same += g->cis[c].profile_id == cp->id;
            }
            for (int s = 0;
                 s + cp->compute_slices <= pr->compute_slices && start < 0 &&
                 same < cp->max_per_gi && g->nci < MAX_CIS;
                 s += cp->compute_slices)
                if ((used & span(s, cp->compute_slices)) == 0)
                    start = s;
            if (start < 0)
                why = "Insufficient Resources";
        }
        if (why) {
            /* UNCONFIRMED text: no real -cci failure was captured */
            printf("Unable to create a compute instance on GPU %2d GPU "
                   "instance ID %2d using profile %s: %s\n",
                   idx, gi_id, tok, why);
            printf("Failed to create compute instances: %s\n", why);
            return EXIT_FAKE_OTHER;
        }
        int id = 0;
        for (bool taken = true; taken; id++) {
            taken = false;
            for (int c = 0; c < g->nci; c++)
                taken |= g->cis[c].id == id;
            if (!taken)
                break;
        }
        g->cis[g->nci++] = (ci){id, cp->id, start, cp->compute_slices};
        printf("Successfully created compute instance ID %2d on GPU %2d GPU "
               "instance ID %2d using profile MIG %s (ID %2d)\n",
               id, idx, gi_id, cp->name, cp->id);
    }
    return 0;
}

static int cmd_dci(int idx, int gi_id, int ci_id)
{
    gpu *x = &gpus[idx];
    int n = 0;
    for (int k = 0; k < x->ngi; k++) {
        gi *g = &x->gis[k];
        if (gi_id >= 0 && g->id != gi_id)
            continue;
        for (int c = 0; c < g->nci;) {
            if (ci_id >= 0 && g->cis[c].id != ci_id) {
                c++;
                continue;
            }
            if (gi_busy(x, g->id)) {
                printf("Unable to destroy compute instance ID %2d from GPU "
                       "%2d GPU instance ID %2d: In use by another client\n",
                       g->cis[c].id, idx, g->id);
                printf("Failed to destroy compute instances: In use by "
                       "another client\n");
                return EXIT_FAKE_OTHER;
            }
            printf("Successfully destroyed compute instance ID %2d from GPU "
                   "%2d GPU instance ID %2d\n",
                   g->cis[c].id, idx, g->id);
            memmove(&g->cis[c], &g->cis[c + 1],
                    (size_t)(g->nci - c - 1) * sizeof(g->cis[0]));
            g->nci--;
            n++;
        }
    }
    if (n == 0) {
        puts("No compute instances found: Not Found");
        return EXIT_FAKE_NOT_FOUND;
    }
    return 0;
}

static int cmd_dgi(int idx, int gi_id)
{
    gpu *x = &gpus[idx];
    int n = 0;
    for (int k = 0; k < x->ngi;) {
        gi *g = &x->gis[k];
        if (gi_id >= 0 && g->id != gi_id) {
            k++;
            continue;
        }
        if (gi_busy(x, g->id) || g->nci > 0) {
            printf("Unable to destroy GPU instance ID %2d from GPU %2d: In "
                   "use by another client\n",
                   g->id, idx);
            printf("Failed to destroy GPU instances: In use by another "
                   "client\n");
            return EXIT_FAKE_OTHER;
        }
        printf("Successfully destroyed GPU instance ID %2d from GPU %2d\n",
               g->id, idx);
        memmove(&x->gis[k], &x->gis[k + 1],
                (size_t)(x->ngi - k - 1) * sizeof(x->gis[0]));
        x->ngi--;
        n++;
    }
    if (n == 0) {
        puts("No GPU instances found: Not Found");
        return EXIT_FAKE_NOT_FOUND;
    }
    return 0;
}

static int cmd_mig_mode(int only, int on)
{
    int rc = 0;
    for (int i = 0; i < ngpus; i++) {
        if (only >= 0 && i != only)
            continue;
        gpu *x = &gpus[i];
        char bus[32];
        bus_id(i, bus, sizeof(bus));
        if (!x->m) {
            /* UNCONFIRMED text */
            printf("Unable to %s MIG Mode for GPU %s: Not Supported\n",
                   on ? "enable" : "disable", bus);
            rc = EXIT_FAKE_OTHER;
            continue;
        }
        if (!on && x->ngi > 0) {
            /* UNCONFIRMED: what a real driver does here was not captured;
             * the fake refuses, and scripts clear the GPU first anyway */
            printf("fake nvidia-smi: GPU %s still has GPU instances; destroy "
                   "them before disabling MIG\n",
                   bus);
            rc = EXIT_FAKE_OTHER;
            continue;
        }
        if (busy(x)) {
            printf("Warning: MIG mode is in pending %s state for GPU %s:In "
                   "use by another client\n%s is currently being used by one "
                   "or more other processes (e.g. CUDA application or a "
                   "monitoring application such as another instance of "
                   "nvidia-smi). Please first kill all processes using the "
                   "device and retry the command or reboot the system to "
                   "make MIG mode effective.\n",
                   on ? "enable" : "disable", bus, bus);
            x->pending_set = true;
            x->pending = on;
            continue;
        }
        if (x->needs_reset && on != x->mig) {
            printf("Warning: MIG mode is in pending %s state for GPU "
                   "%s:Not Supported\nReboot the system or try nvidia-smi "
                   "--gpu-reset to make MIG mode effective on GPU %s\n",
                   on ? "enable" : "disable", bus, bus);
            x->pending_set = true;
            x->pending = on;
            continue;
        }
        x->mig = on;
        x->pending_set = false;
        printf("%s MIG Mode for GPU %s\n", on ? "Enabled" : "Disabled", bus);
    }
    puts("All done.");
    return rc;
}

static int cmd_reset(int only)
{
    for (int i = 0; i < ngpus; i++) {
        if (only >= 0 && i != only)
            continue;
        gpu *x = &gpus[i];
        char bus[32];
        bus_id(i, bus, sizeof(bus));
        if (busy(x)) {
            printf("Unable to reset GPU %s because it's being used by some "
                   "other process\n",
                   bus);
            return EXIT_FAKE_OTHER;
        }
        if (x->pending_set)
            x->mig = x->pending;
        x->pending_set = false;
        /* UNCONFIRMED message */
        printf("GPU %s was successfully reset.\n", bus);
    }
    puts("All done.");
    return 0;
}

/* ------------------------------------------------------- fake-only */

static int fake_init(int argc, char **argv, int i)
{
    bool ampere_reset = false;
    ngpus = 0;
    for (; i < argc; i++) {
        if (strcmp(argv[i], "--fake-ampere-reset") == 0) {
            ampere_reset = true;
            continue;
        }
        char spec[128];
        snprintf(spec, sizeof(spec), "%s", argv[i]);
        char *colon = strchr(spec, ':');
        int count = 1;
        if (colon) {
            *colon = '\0';
            count = atoi(colon + 1);
        }
        unsigned pci = 0;
        const mp_model *m = NULL;
        if (sscanf(spec, "0x%x", &pci) != 1 && !(m = find_model(spec)))
            return fail("fake nvidia-smi: unknown model %s\n", spec);
        for (int k = 0; k < count && ngpus < MAX_GPUS; k++) {
            gpu *x = &gpus[ngpus++];
            memset(x, 0, sizeof(*x));
            x->m = m;
            x->pci = pci;
            x->subsystem = 0x16C010DEu;
        }
    }
    for (int k = 0; k < ngpus; k++)
        gpus[k].needs_reset =
            ampere_reset && gpus[k].m && gpus[k].m->architecture &&
            strcasecmp(gpus[k].m->architecture, "ampere") == 0;
    return save_state();
}

static int fake_dump(void)
{
    for (int i = 0; i < ngpus; i++) {
        const gpu *x = &gpus[i];
        if (!x->m) {
            printf("GPU %d 0x%08X mig=n/a:\n", i, x->pci);
            continue;
        }
        printf("GPU %d %s mig=%s%s:", i, x->m->id, x->mig ? "on" : "off",
               x->pending_set
                   ? (x->pending ? " (pending on)" : " (pending off)")
                   : "");
        /* by start slot, each with its CI profile IDs sorted */
        for (int s = 0; s < 32; s++)
            for (int k = 0; k < x->ngi; k++) {
                const gi *g = &x->gis[k];
                if (g->start != s)
                    continue;
                const mp_gi_profile *pr = &x->m->profiles[g->profile];
                int ids[MAX_CIS];
                for (int c = 0; c < g->nci; c++)
                    ids[c] = g->cis[c].profile_id;
                for (int a = 1; a < g->nci; a++)
                    for (int b = a; b > 0 && ids[b] < ids[b - 1]; b--) {
                        int t = ids[b];
                        ids[b] = ids[b - 1];
                        ids[b - 1] = t;
                    }
                printf(" %s@%d[", pr->name, g->start);
                for (int c = 0; c < g->nci; c++)
                    printf("%s%d", c ? "," : "", ids[c]);
                putchar(']');
            }
        putchar('\n');
    }
    return 0;
}

/* --------------------------------------------------------------- main */

/* Should this call fail on purpose ($FAKE_NVIDIA_SMI_FAIL)? */
static bool fail_on_purpose(int argc, char **argv)
{
    const char *text = getenv("FAKE_NVIDIA_SMI_FAIL");
    if (!text || !*text)
        return false;
    bool hit = false;
    for (int i = 1; i < argc; i++) {
        if (strncmp(argv[i], "--fake-", 7) == 0)
            return false;
        hit |= strstr(argv[i], text) != NULL;
    }
    return hit;
}

static int usage(void)
{
    return fail("fake nvidia-smi: unsupported command line (see "
                "tests/fake/fake_nvidia_smi.c for what it understands)\n");
}

int main(int argc, char **argv)
{
    state_path = getenv("FAKE_NVIDIA_SMI_STATE");
    if (!state_path)
        return fail("fake nvidia-smi: set FAKE_NVIDIA_SMI_STATE\n");
    mp_db *dbw;
    mp_diag d;
    if (mp_db_load(getenv("FAKE_NVIDIA_SMI_PROFILES"), &dbw, &d) != 0)
        return fail("fake nvidia-smi: %s\n", d.msg);
    db = dbw;
    log_command(argc, argv);
    if (fail_on_purpose(argc, argv)) {
        printf("fake nvidia-smi: failing on purpose (FAKE_NVIDIA_SMI_FAIL)\n");
        mp_db_free(dbw);
        return EXIT_FAKE_OTHER;
    }
    int rc;
    if (argc == 1) { /* the plain view: its Processes table */
        if ((rc = load_state()) == 0)
            print_processes();
        mp_db_free(dbw);
        return rc;
    }
    if (argc >= 2 && strcmp(argv[1], "--fake-init") == 0) {
        rc = fake_init(argc, argv, 2);
        mp_db_free(dbw);
        return rc;
    }
    if ((rc = load_state()) != 0) {
        mp_db_free(dbw);
        return rc;
    }
    int only = -1, gi_id = -1, ci_id = -1, mig_mode = -1;
    bool mig = false, with_ci = false, changed = false, reset = false;
    const char *query = NULL, *apps = NULL, *format = "csv", *cgi = NULL;
    const char *cci = NULL, *action = NULL;
    bool cci_given = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *next = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "mig") == 0)
            mig = true;
        else if ((strcmp(a, "-i") == 0 || strcmp(a, "--id") == 0) && next)
            only = atoi(argv[++i]);
        else if (strncmp(a, "--id=", 5) == 0)
            only = atoi(a + 5);
        else if (strncmp(a, "--query-gpu=", 12) == 0)
            query = a + 12;
        else if (strncmp(a, "--query-compute-apps=", 21) == 0)
            apps = a + 21;
        else if (strncmp(a, "--format=", 9) == 0)
            format = a + 9;
        else if (strcmp(a, "-mig") == 0 && next)
            mig_mode = atoi(argv[++i]);
        else if (strcmp(a, "-r") == 0 || strcmp(a, "--gpu-reset") == 0)
            reset = true;
        else if (strcmp(a, "-gi") == 0 && next)
            gi_id = atoi(argv[++i]);
        else if (strcmp(a, "-ci") == 0 && next)
            ci_id = atoi(argv[++i]);
        else if (strcmp(a, "-cgi") == 0 && next) {
            cgi = argv[++i];
            action = "cgi";
        } else if (strcmp(a, "-C") == 0)
            with_ci = true;
        else if (strcmp(a, "-cci") == 0) {
            cci_given = true;
            action = "cci";
            if (next && next[0] != '-')
                cci = argv[++i];
        } else if (strcmp(a, "-lgi") == 0 || strcmp(a, "-lci") == 0 ||
                   strcmp(a, "-lgip") == 0 || strcmp(a, "-lgipp") == 0 ||
                   strcmp(a, "-dci") == 0 || strcmp(a, "-dgi") == 0 ||
                   strcmp(a, "-L") == 0)
            action = a;
        else if (strcmp(a, "--fake-dump") == 0)
            action = a;
        else if (strcmp(a, "--fake-proc") == 0 && i + 3 < argc) {
            int g = atoi(argv[i + 1]);
            if (g >= 0 && g < ngpus && gpus[g].nproc < MAX_PROCS) {
                proc *p = &gpus[g].procs[gpus[g].nproc++];
                p->pid = atoi(argv[i + 2]);
                p->gi = -1;
                snprintf(p->name, sizeof(p->name), "%s", argv[i + 3]);
            }
            i += 3;
            changed = true;
            action = "fake";
        } else if (strcmp(a, "--fake-gi-proc") == 0 && i + 4 < argc) {
            int g = atoi(argv[i + 1]), id = atoi(argv[i + 2]);
            if (g >= 0 && g < ngpus && find_gi(&gpus[g], id) &&
                gpus[g].nproc < MAX_PROCS) {
                proc *p = &gpus[g].procs[gpus[g].nproc++];
                p->gi = id;
                p->pid = atoi(argv[i + 3]);
                snprintf(p->name, sizeof(p->name), "%s", argv[i + 4]);
            }
            i += 4;
            changed = true;
            action = "fake";
        } else if (strcmp(a, "--fake-dirty") == 0) {
            /* every MIG-capable GPU: MIG on, its first profile at its first
             * placement with the default compute instance, and one more
             * without a compute instance (stray state to clean up) */
            for (int g = 0; g < ngpus; g++) {
                gpu *x = &gpus[g];
                if (!x->m || x->m->n_profiles == 0)
                    continue;
                x->mig = true;
                x->pending_set = false;
                x->nproc = 0;
                x->ngi = 0;
                for (int k = 0; k < 2; k++) {
                    int start = driver_pick(x, 0);
                    if (start < 0)
                        break;
                    gi *n = add_gi(x, 0, start);
                    if (k == 0) {
                        const mp_gi_profile *pr = &x->m->profiles[0];
                        n->cis[0] =
                            (ci){0, default_ci(pr), 0, pr->compute_slices};
                        n->nci = 1;
                    }
                    sort_gis(x);
                }
            }
            changed = true;
            action = "fake";
        } else if (strcmp(a, "--fake-kill") == 0 && next) {
            int g = atoi(argv[++i]);
            if (g >= 0 && g < ngpus)
                gpus[g].nproc = 0;
            changed = true;
            action = "fake";
        } else if (strcmp(a, "--fake-gi") == 0 && i + 3 < argc) {
            int g = atoi(argv[i + 1]), p = -1;
            if (g >= 0 && g < ngpus && gpus[g].m &&
                profile_by_id(gpus[g].m, atoi(argv[i + 2]), &p) &&
                gpus[g].ngi < MAX_GIS) {
                add_gi(&gpus[g], p, atoi(argv[i + 3]));
                sort_gis(&gpus[g]);
            }
            i += 3;
            changed = true;
            action = "fake";
        } else {
            mp_db_free(dbw);
            return usage();
        }
    }
    if (only >= ngpus) {
        printf("No devices were found\n");
        mp_db_free(dbw);
        return EXIT_FAKE_NOT_FOUND;
    }
    /* MIG commands act on MIG-enabled GPUs; the 580 driver lists the
     * profiles (-lgip, -lgipp) of MIG-capable GPUs with MIG off too */
    bool profiles_only = action && (strcmp(action, "-lgip") == 0 ||
                                    strcmp(action, "-lgipp") == 0);
    int sel[MAX_GPUS], nsel = 0;
    for (int i = 0; i < ngpus; i++)
        if ((only < 0 || i == only) &&
            (!mig || gpus[i].mig || (profiles_only && gpus[i].m)))
            sel[nsel++] = i;
    rc = 0;
    if (action && strcmp(action, "fake") == 0) {
        rc = 0;
    } else if (action && strcmp(action, "--fake-dump") == 0) {
        rc = fake_dump();
    } else if (query) {
        rc = query_gpu(query, format, only);
    } else if (apps) {
        rc = query_apps(apps, format);
    } else if (mig_mode >= 0) {
        rc = cmd_mig_mode(only, mig_mode);
        changed = true;
    } else if (reset) {
        rc = cmd_reset(only);
        changed = true;
    } else if (action && strcmp(action, "-L") == 0) {
        for (int i = 0; i < ngpus; i++) {
            char u[64];
            uuid_of(i, u, sizeof(u));
            printf("GPU %d: %s (UUID: %s)\n", i,
                   gpus[i].m ? gpus[i].m->name : "NVIDIA GPU without MIG", u);
        }
    } else if (mig && action && nsel == 0) {
        puts("No MIG-enabled devices found.");
        rc = EXIT_FAKE_NOT_FOUND;
    } else if (mig && action && strcmp(action, "-lgi") == 0) {
        print_lgi(sel, nsel);
    } else if (mig && action && strcmp(action, "-lci") == 0) {
        print_lci(sel, nsel, gi_id);
    } else if (mig && action && strcmp(action, "-lgip") == 0) {
        print_lgip(sel, nsel);
    } else if (mig && action && strcmp(action, "-lgipp") == 0) {
        print_lgipp(sel, nsel);
    } else if (mig && action && strcmp(action, "cgi") == 0) {
        for (int s = 0; s < nsel && rc == 0; s++)
            rc = cmd_cgi(sel[s], cgi, with_ci);
        changed = true;
    } else if (mig && cci_given) {
        if (gi_id < 0 || nsel != 1) {
            mp_db_free(dbw);
            return fail("fake nvidia-smi: -cci needs -i INDEX and -gi ID\n");
        }
        rc = cmd_cci(sel[0], gi_id, cci);
        changed = true;
    } else if (mig && action && strcmp(action, "-dci") == 0) {
        for (int s = 0; s < nsel && rc == 0; s++)
            rc = cmd_dci(sel[s], gi_id, ci_id);
        changed = true;
    } else if (mig && action && strcmp(action, "-dgi") == 0) {
        for (int s = 0; s < nsel && rc == 0; s++)
            rc = cmd_dgi(sel[s], gi_id);
        changed = true;
    } else {
        mp_db_free(dbw);
        return usage();
    }
    if (changed && save_state() != 0)
        rc = EXIT_FAKE_OTHER;
    mp_db_free(dbw);
    return rc;
}
