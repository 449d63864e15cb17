/* SPDX-License-Identifier: Apache-2.0 */
/* bench_gen.c - seeded benchmark inputs: plan requests and big configs.
 *
 *   bench_gen requests CLASS SEED COUNT DIR   write COUNT requests
 *   bench_gen config ENTRIES SEED FILE        a mig-parted config
 *   bench_gen scale REPLICAS SEED FILE [costs] a scaling-curve request
 *
 * CLASS is node (8 GPUs of one model, 5-30 tenants), rack (64 GPUs of two
 * models, 200 tenants), fleet (10,000 replicas over up to 3,000 GPUs of
 * four models with costs) or fleet1 (the same without costs). A fleet of
 * 1,000 GPUs cannot hold 10,000 replicas: at most 7 instances fit a GPU. The
 * same seed gives the same files on every machine: the generator uses its own
 * PRNG and prints integers only.
 *
 * Tenants follow the mixes platform teams run: many small embedding and
 * rerank services, 7-13B models at FP16 or FP8, some 30-70B models, a few
 * whole-GPU training jobs and a few video pipelines that need the media
 * engines. Memory sizes are weights plus KV cache, in GiB.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng;

static unsigned rnd(unsigned n)
{
    /* splitmix64: small, good enough, identical everywhere */
    uint64_t z = (rng += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    return (unsigned)(z % n);
}

static int between(int lo, int hi)
{
    return lo + (int)rnd((unsigned)(hi - lo + 1));
}

typedef struct archetype {
    const char *name;
    int weight;           /* how common */
    int mem_lo, mem_hi;   /* GiB */
    int comp_lo, comp_hi; /* compute slices */
    int rep_lo, rep_hi;   /* replicas */
    int media, whole;
} archetype;

static const archetype kinds[] = {
    {"embed", 30, 2, 9, 1, 1, 1, 8, 0, 0},
    {"rerank", 12, 4, 12, 1, 1, 1, 4, 0, 0},
    {"llm-7b-fp8", 14, 9, 14, 1, 2, 1, 6, 0, 0},
    {"llm-8b", 14, 16, 22, 1, 2, 1, 6, 0, 0},
    {"llm-13b", 10, 26, 34, 2, 3, 1, 4, 0, 0},
    {"llm-34b-fp8", 6, 36, 46, 3, 4, 1, 3, 0, 0},
    {"llm-70b-fp8", 4, 70, 78, 4, 7, 1, 2, 0, 0},
    {"video", 5, 4, 10, 1, 1, 1, 3, 1, 0},
    {"train", 3, 0, 0, 0, 0, 1, 2, 0, 1},
};
enum { NKINDS = sizeof(kinds) / sizeof(kinds[0]) };

static const archetype *pick_kind(void)
{
    int total = 0;
    for (int k = 0; k < NKINDS; k++)
        total += kinds[k].weight;
    int r = (int)rnd((unsigned)total);
    for (int k = 0; k < NKINDS; k++) {
        if (r < kinds[k].weight)
            return &kinds[k];
        r -= kinds[k].weight;
    }
    return &kinds[0];
}

/* One tenant, within *budget GPUs' worth of slices (estimated with
 * slice_gib GiB per memory slice); returns its replicas. `scale`
 * multiplies replicas (fleet); *whole counts whole-GPU tenants, at most
 * max_whole. */
static int tenant(FILE *f, int i, int scale, double slice_gib, int *whole,
                  int max_whole, double *budget)
{
    const archetype *a;
    do
        a = pick_kind();
    while (a->whole && *whole >= max_whole);
    *whole += a->whole;
    int reps = between(a->rep_lo, a->rep_hi) * scale;
    int mem = a->whole ? 0 : between(a->mem_lo, a->mem_hi);
    int c = a->whole ? 0 : between(a->comp_lo, a->comp_hi);
    /* a replica's share of a GPU: compute of 7, memory slices of 8 */
    int mslices = 1;
    while (mslices * slice_gib < mem)
        mslices *= 2;
    double share =
        a->whole ? 1.0 : (c / 7.0 > mslices / 8.0 ? c / 7.0 : mslices / 8.0);
    while (reps > 1 && reps * share > *budget)
        reps--;
    *budget -= reps * share;
    fprintf(f, "  - name: %s-%d\n", a->name, i);
    if (a->whole) {
        fprintf(f, "    whole-gpu: true\n");
    } else {
        fprintf(f, "    memory: %dGiB\n", mem);
        if (c > 1)
            fprintf(f, "    compute: %dg\n", c);
        if (a->media)
            fprintf(f, "    media: true\n");
        if (reps > 1 && rnd(4) == 0)
            fprintf(f, "    spread: true\n");
    }
    if (reps > 1)
        fprintf(f, "    replicas: %d\n", reps);
    return reps;
}

static const char *const models[] = {"h100", "h200", "b200", "a100-80gb"};
/* GiB per memory slice (the 1g profile's memory, rounded down) */
static const double slice_gib[] = {9.75, 16.0, 20.5, 9.75};
/* The cost classes' prices per GPU of models[] (rack-cost, mix-cost); the
 * issue's: h100 1, h200 1.3, b200 2.1, a100-80gb 0.6. rack-cost draws the
 * same requests as rack (the seed depends on the first letter only), so
 * the two show what prices change. mix-cost: up to 25 tenants over two to
 * four models of 8 GPUs each, with prices. */
static const char *const price[] = {"1", "1.3", "2.1", "0.6"};

/* "  - model: M\n    count: N\n" with the model's price when costs. */
static void fleet_entry(FILE *f, int m, int count, bool costs)
{
    fprintf(f, "  - model: %s\n    count: %d\n", models[m], count);
    if (costs)
        fprintf(f, "    cost: %s\n", price[m]);
}

/* mix-cost: 3-25 tenants that need 2 to 9 GPUs of 2-4 priced models. */
static void write_mix(FILE *f)
{
    int k = between(2, 4), first = (int)rnd(4);
    fprintf(f, "fleet:\n");
    for (int j = 0; j < k; j++)
        fleet_entry(f, (first + j) % 4, 8, true);
    fprintf(f, "tenants:\n");
    int n = between(3, 25), whole = 0;
    double budget = 2 + rnd(70) / 10.0;
    for (int i = 0; i < n && (i < 3 || budget > 0.2); i++)
        tenant(f, i, 1, 9.75, &whole, 1, &budget);
}

static int write_request(const char *cls, int k, const char *dir)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s-%03d.yaml", dir, cls, k);
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        return 1;
    }
    fprintf(f,
            "# bench_gen %s #%d (seeded; regenerate with "
            "tests/bench/run-bench.sh)\n",
            cls, k);
    if (strcmp(cls, "node") == 0) {
        /* 5-30 tenants that need 5 to 8 of the node's GPUs */
        int m = (int)rnd(4);
        fprintf(f, "fleet:\n  - model: %s\n    count: 8\n", models[m]);
        fprintf(f, "tenants:\n");
        int n = between(5, 30), whole = 0;
        double budget = 4.5 + rnd(30) / 10.0;
        for (int i = 0; i < n && (i < 5 || budget > 0.2); i++)
            tenant(f, i, 1, slice_gib[m], &whole, 2, &budget);
    } else if (strcmp(cls, "mix-cost") == 0) {
        write_mix(f);
    } else if (strncmp(cls, "rack", 4) == 0) {
        /* 200 tenants that need about 50 of the 64 GPUs */
        int a = (int)rnd(4), b = (int)((a + 1 + rnd(3)) % 4);
        fprintf(f, "fleet:\n");
        fleet_entry(f, a, 32, strcmp(cls, "rack-cost") == 0);
        fleet_entry(f, b, 32, strcmp(cls, "rack-cost") == 0);
        fprintf(f, "tenants:\n");
        int whole = 0;
        double budget = 46 + rnd(8),
               sg = slice_gib[a] < slice_gib[b] ? slice_gib[a] : slice_gib[b];
        for (int i = 0; i < 200; i++) {
            double per = budget / (200 - i) * 1.0;
            double b1 = per > 0.05 ? per : 0.05;
            double before = b1;
            tenant(f, i, 1, sg, &whole, 6, &b1);
            budget -= before - b1;
        }
    } else {
        /* 10,000 replicas: at most 7 instances fit a GPU, so this needs
         * at least 1,429 GPUs, and with these sizes about 2,300; the
         * fleet offers 3,000 of four models, at different costs (fleet)
         * or not (fleet1: fewest GPUs) */
        static const char *const fleet[] = {"a100-80gb", "h100", "h200",
                                            "b200"};
        static const char *const cost[] = {"0.6", "1.0", "1.4", "2.1"};
        bool costs = strcmp(cls, "fleet") == 0;
        fprintf(f, "fleet:\n");
        for (int j = 0; j < 4; j++)
            fprintf(f, "  - {model: %s, count: 750%s%s}\n", fleet[j],
                    costs ? ", cost: " : "", costs ? cost[j] : "");
        fprintf(f, "tenants:\n");
        int replicas = 0, i = 0, whole = 0;
        double budget = 1e9;
        while (replicas < 10000)
            replicas += tenant(f, i++, 4, 9.75, &whole, 60, &budget);
    }
    fclose(f);
    return 0;
}

/* A config with `entries` entries across configs of 8 entries each, over
 * H100 profiles with devices lists (the shape of big fleet configs). */
static int write_config(int entries, const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        return 1;
    }
    static const char *const layouts[][4] = {
        {"\"1g.10gb\": 7", NULL},
        {"\"2g.20gb\": 3", "\"1g.10gb\": 1", NULL},
        {"\"3g.40gb\": 1", "\"2g.20gb\": 1", "\"1g.10gb\": 2", NULL},
        {"\"3g.40gb\": 2", NULL},
        {"\"4g.40gb\": 1", "\"3g.40gb\": 1", NULL},
        {"\"1g.20gb\": 4", NULL},
        {"\"1g.10gb+me\": 1", "\"1g.10gb\": 5", "\"1g.20gb\": 1", NULL},
        {"\"7g.80gb\": 1", NULL},
    };
    fprintf(f, "version: v1\nmig-configs:\n");
    for (int e = 0; e < entries; e++) {
        if (e % 8 == 0)
            fprintf(f, "  config-%05d:\n", e / 8);
        int l = (int)rnd(8);
        fprintf(f,
                "    - device-filter: [\"0x233010DE\", \"0x233110DE\"]\n"
                "      devices: [%d]\n      mig-enabled: true\n"
                "      mig-devices:\n",
                e % 8);
        for (int k = 0; k < 4 && layouts[l][k]; k++)
            fprintf(f, "        %s\n", layouts[l][k]);
    }
    fclose(f);
    return 0;
}

/* A scaling-curve request: about `replicas` replicas over the four models
 * (h100, h200, b200, a100-80gb; 3 GPUs of each per 10 replicas offered,
 * 1.2 GPUs per replica in all where a plan needs about 0.36, so the cheapest
 * model alone is not enough; at costs 1 / 1.3 / 2.1 / 0.6 with `costs`),
 * tenants of 4-70 GiB and 1g-3g compute with 1 to replicas/50 replicas
 * each. */
static int write_scale(int replicas, bool costs, const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        return 1;
    }
    static const char *const cost[] = {"1", "1.3", "2.1", "0.6"};
    fprintf(f, "# bench_gen scale %d (seeded)\nfleet:\n", replicas);
    int count = (int)(((long long)replicas * 3 + 9) / 10);
    for (int j = 0; j < 4; j++)
        fprintf(f, "  - {model: %s, count: %d%s%s}\n", models[j], count,
                costs ? ", cost: " : "", costs ? cost[j] : "");
    fprintf(f, "tenants:\n");
    int most = replicas / 50 > 1 ? replicas / 50 : 1;
    for (int i = 0, left = replicas; left > 0; i++) {
        int reps = between(1, most);
        if (reps > left)
            reps = left;
        left -= reps;
        fprintf(f, "  - name: t%d\n    memory: %dGiB\n", i, between(4, 70));
        int c = between(1, 3);
        if (c > 1)
            fprintf(f, "    compute: %dg\n", c);
        if (reps > 1)
            fprintf(f, "    replicas: %d\n", reps);
    }
    fclose(f);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 6 && strcmp(argv[1], "requests") == 0) {
        const char *cls = argv[2];
        if (strcmp(cls, "node") && strcmp(cls, "rack") &&
            strcmp(cls, "rack-cost") && strcmp(cls, "mix-cost") &&
            strcmp(cls, "fleet") && strcmp(cls, "fleet1")) {
            fprintf(stderr, "bench_gen: class is node, rack, rack-cost, "
                            "mix-cost, fleet or fleet1\n");
            return 2;
        }
        rng = strtoull(argv[3], NULL, 10) * 1000003ULL + (uint64_t)cls[0];
        int count = atoi(argv[4]);
        for (int k = 0; k < count; k++)
            if (write_request(cls, k, argv[5]))
                return 1;
        return 0;
    }
    if (argc == 5 && strcmp(argv[1], "config") == 0) {
        rng = strtoull(argv[3], NULL, 10);
        return write_config(atoi(argv[2]), argv[4]);
    }
    if ((argc == 5 || argc == 6) && strcmp(argv[1], "scale") == 0) {
        rng = strtoull(argv[3], NULL, 10) * 1000003ULL + 's';
        return write_scale(atoi(argv[2]),
                           argc == 6 && strcmp(argv[5], "costs") == 0, argv[4]);
    }
    fprintf(stderr,
            "usage: bench_gen requests node|rack|fleet|fleet1 SEED COUNT DIR\n"
            "       bench_gen config ENTRIES SEED FILE\n"
            "       bench_gen scale REPLICAS SEED FILE [costs]\n");
    return 2;
}
