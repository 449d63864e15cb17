/* SPDX-License-Identifier: Apache-2.0 */
/* test_solver.c - the planner against an independent brute force.
 *
 * The solver works on patterns (maximal geometries), an LP bound and branch
 * and bound. The brute force here knows none of that: it places replicas
 * one by one on GPUs, asking the geometry engine only whether a GPU's
 * multiset of profiles fits, and tries every selection of GPUs in order of
 * cost. On hundreds of seeded random requests both must agree on the
 * optimum (and on infeasibility), and every plan must pass an independent
 * validation and survive a round trip through mig-parted YAML and `check`.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "migplan/util/buf.h"
#include "migplan/check/check.h"
#include "migplan/emit/emit_lp.h"
#include "migplan/emit/emit_plan.h"
#include "migplan/emit/emit_script.h"
#include "migplan/emit/migparted_writer.h"
#include "migplan/readers/migparted_reader.h"
#include "migplan/solver/solver.h"
#include "migplan/readers/request_reader.h"

#include "test_db.h"

static const mp_model *model(const char *q)
{
    const mp_model *m = NULL;
    assert_int_equal(mp_db_find(db, q, &m, NULL), 0);
    return m;
}

/* A request from YAML text; fails the test on a parse error. */
static void load(const char *yaml, mp_request *r)
{
    mp_diag d;
    if (mp_request_parse(db, yaml, strlen(yaml), "t.yaml", NULL, r, &d) != 0)
        fail_msg("request does not parse: %d:%d %s\n%s", d.line, d.col, d.msg,
                 yaml);
}

static void solve(const mp_request *r, mp_plan *p)
{
    mp_diag d;
    mp_solve_opts o = {.time_limit = 30};
    if (mp_solve(db, r, &o, p, &d) != 0)
        fail_msg("solver error: %s", d.msg);
}

/* ---- an independent validation of a plan ---- */

static void validate(const mp_plan *p)
{
    const mp_request *r = p->req;
    char why[512];
    if (mp_plan_validate(p, why, sizeof(why)) != 0)
        fail_msg("mp_plan_validate: %s", why);
    /* the same facts, checked here without the library's validator */
    long long served = 0;
    int *seen = calloc((size_t)r->total_replicas, sizeof(int));
    long long *base = calloc((size_t)r->n_tenants, sizeof(long long));
    assert_non_null(seen);
    assert_non_null(base);
    for (int t = 1; t < r->n_tenants; t++)
        base[t] = base[t - 1] + r->tenants[t - 1].replicas;
    int used_per_fleet[MP_MAX_FLEET] = {0};
    double cost = 0;
    for (int k = 0; k < p->n_gpus; k++) {
        const mp_plan_gpu *g = &p->gpus[k];
        const mp_layout *l = &g->layout.gis;
        assert_int_equal(g->index, k);
        /* the order: by fleet entry; used GPUs, whole ones first */
        const mp_plan_gpu *prev = k ? &p->gpus[k - 1] : NULL;
        if (prev && prev->fleet == g->fleet) {
            assert_true(prev->used || !g->used);
            assert_true(!g->used || !prev->layout.mig_enabled ||
                        g->layout.mig_enabled);
        } else if (prev) {
            assert_true(prev->fleet < g->fleet);
        }
        assert_ptr_equal(l->model, r->fleet[g->fleet].model);
        assert_int_equal(g->layout.mig_enabled, g->used && g->whole_tenant < 0);
        if (!g->used) {
            assert_int_equal(l->n, 0);
            continue;
        }
        used_per_fleet[g->fleet]++;
        cost += r->fleet[g->fleet].cost;
        if (!g->layout.mig_enabled) {
            const mp_tenant *t = &r->tenants[g->whole_tenant];
            assert_int_equal(l->n, 0);
            assert_true(t->whole_gpu);
            assert_true(mp_tenant_fits_whole(t, l->model, NULL, 0));
            /* whole-gpu: N: the replica's N GPUs, all of this model */
            int n = mp_tenant_gpus(t), first = k;
            while (first > 0 &&
                   p->gpus[first - 1].whole_tenant == g->whole_tenant &&
                   p->gpus[first - 1].whole_replica == g->whole_replica)
                first--;
            assert_true(k - first < n);
            assert_ptr_equal(p->gpus[first].layout.gis.model, l->model);
            if (k - first == n - 1) {
                seen[base[g->whole_tenant] + g->whole_replica]++;
                served++;
            }
            continue;
        }
        for (int q = 0; q < l->n; q++) {
            const mp_tenant *t = &r->tenants[g->tenant[q]];
            assert_false(t->whole_gpu);
            if (!mp_tenant_fits_profile(t, l->model,
                                        &l->model->profiles[l->gi[q].profile],
                                        why, sizeof(why)))
                fail_msg("GPU %d: %s does not fit its instance: %s", k, t->name,
                         why);
            assert_true(g->replica[q] >= 0 && g->replica[q] < t->replicas);
            seen[base[g->tenant[q]] + g->replica[q]]++;
            served++;
        }
        mp_fit_result res;
        if (mp_geom_validate(l, &res) != 0)
            fail_msg("GPU %d: layout invalid: %s", k, res.reason);
    }
    assert_int_equal(served, r->total_replicas);
    for (long long i = 0; i < r->total_replicas; i++)
        assert_int_equal(seen[i], 1);
    int used = 0;
    for (int i = 0; i < r->n_fleet; i++) {
        if (r->fleet[i].count >= 0)
            assert_true(used_per_fleet[i] <= r->fleet[i].count);
        used += used_per_fleet[i];
    }
    assert_int_equal(used, p->gpus_used);
    assert_true(fabs(cost - p->cost) < 1e-6);
    assert_true(p->lower_bound <= p->cost + 1e-6);
    free(seen);
    free(base);
}

/* Emit the plan as a mig-parted config, read it back as mig-parted would,
 * check it, and realise each GPU's entry: it must give the plan's counts. */
static void roundtrip(const mp_plan *p)
{
    mp_buf b = MP_BUF_INIT;
    mp_diag d;
    if (mp_emit_plan_migparted(p, "migplan", &b, &d) != 0)
        fail_msg("emit: %s", d.msg);
    mp_findings f = MP_FINDINGS_INIT;
    mp_mp_file mf;
    assert_int_equal(mp_mp_parse("plan.yaml", b.data, b.len, &f, &mf), 0);
    if (!mf.parsed)
        fail_msg("mig-parted would reject: %s\n%s", mf.migparted_error, b.data);
    const mp_model *gpus[MP_MAX_FLEET];
    int ng = 0;
    for (int i = 0; i < p->req->n_fleet; i++)
        gpus[ng++] = p->req->fleet[i].model;
    mp_check_opts o = {.gpus = gpus, .n_gpus = ng};
    mp_check_stats st = {0};
    assert_int_equal(mp_check_file(db, &mf, &o, &f, &st), 0);
    /* what `check --strict` fails: errors and warnings alike (stranding
     * the plan cannot avoid is a note) */
    for (int i = 0; i < f.n; i++)
        if (f.v[i].sev == MP_SEV_ERROR || f.v[i].sev == MP_SEV_WARNING)
            fail_msg("check --strict fails the plan: %d:%d [%s] %s\n%s",
                     f.v[i].line, f.v[i].col, f.v[i].code, f.v[i].message,
                     b.data);
    const mp_mp_config *c = mp_mp_find(&mf, "migplan");
    assert_non_null(c);
    for (int k = 0; k < p->n_gpus; k++) {
        const mp_plan_gpu *g = &p->gpus[k];
        const mp_mp_entry *hit = NULL;
        int hits = 0;
        for (int e = 0; e < c->n_entries; e++) {
            const mp_mp_entry *x = &c->entries[e];
            if (!mp_mp_selects(x, g->index))
                continue;
            if (x->has_filter &&
                !mp_mp_filter_matches(x, g->layout.gis.model->pci_ids[0], 0))
                continue;
            hit = x;
            hits++;
        }
        if (hits != 1)
            fail_msg("GPU %d is selected by %d entries\n%s", g->index, hits,
                     b.data);
        assert_int_equal(hit->mig_enabled, g->layout.mig_enabled);
        mp_gpu_layout gp;
        char why[512];
        if (mp_check_realise(g->layout.gis.model, hit, &gp, why, sizeof(why)) !=
            0)
            fail_msg("GPU %d: entry cannot be realised: %s", g->index, why);
        int want[MP_MAX_PROFILES] = {0}, got[MP_MAX_PROFILES] = {0};
        for (int q = 0; q < g->layout.gis.n; q++)
            want[g->layout.gis.gi[q].profile]++;
        for (int q = 0; q < gp.gis.n; q++)
            got[gp.gis.gi[q].profile]++;
        assert_memory_equal(want, got, sizeof(want));
    }
    mp_mp_free(&mf);
    mp_findings_free(&f);
    mp_buf_free(&b);
}

/* ---- the brute force ---- */

typedef struct bf {
    const mp_request *r;
    int n_gpu;
    const mp_model *gm[16];
    int gfleet[16];
    int count[16][MP_MAX_PROFILES];
    bool whole[16]; /* taken by a whole-GPU replica */
    bool any[16];   /* holds something */
    int tenant_of[64];
    int at_gpu[64], at_prof[64]; /* where each placed replica went */
    int n_rep;
    long steps;
    int cap[64];    /* per tenant: at most this many per GPU (0: any) */
    int on[16][64]; /* replicas of each tenant on each GPU */
} bf;

static int cur_seed; /* of the random request being checked */

/* Place replica i and the rest; true when all of them fit. */
static bool bf_place(bf *s, int i)
{
    if (i == s->n_rep)
        return true;
    if (++s->steps > 20000000)
        fail_msg("brute force too slow (seed %d); make the case smaller",
                 cur_seed);
    const mp_tenant *t = &s->r->tenants[s->tenant_of[i]];
    /* replicas of one tenant are interchangeable: place them in
     * non-decreasing (GPU, profile) order */
    bool same = i > 0 && s->tenant_of[i - 1] == s->tenant_of[i];
    int k0 = same ? s->at_gpu[i - 1] : 0;
    for (int k = k0; k < s->n_gpu; k++) {
        if (s->whole[k])
            continue;
        /* symmetry: among empty GPUs of one fleet entry try only the first */
        bool skip = false;
        for (int j = 0; j < k && !skip; j++)
            skip = !s->any[j] && !s->any[k] && s->gfleet[j] == s->gfleet[k];
        if (skip)
            continue;
        const mp_model *m = s->gm[k];
        int tn = s->tenant_of[i];
        if (!mp_tenant_allows(t, m) ||
            (s->cap[tn] > 0 && s->on[k][tn] >= s->cap[tn]))
            continue;
        if (t->whole_gpu) {
            if (s->any[k] || !mp_tenant_fits_whole(t, m, NULL, 0))
                continue;
            /* whole-gpu: N takes k and the next N - 1 empty GPUs of its
             * fleet entry (empty GPUs of one entry are interchangeable) */
            int take[MP_MAX_WHOLE_GPUS], n = 0;
            for (int j = k; j < s->n_gpu && n < mp_tenant_gpus(t); j++)
                if (!s->any[j] && s->gfleet[j] == s->gfleet[k])
                    take[n++] = j;
            if (n < mp_tenant_gpus(t))
                continue;
            for (int j = 0; j < n; j++)
                s->whole[take[j]] = s->any[take[j]] = true;
            s->at_gpu[i] = k;
            if (bf_place(s, i + 1))
                return true;
            for (int j = 0; j < n; j++)
                s->whole[take[j]] = s->any[take[j]] = false;
            continue;
        }
        int q0 = same && k == s->at_gpu[i - 1] ? s->at_prof[i - 1] : 0;
        for (int q = q0; q < m->n_profiles; q++) {
            if (!mp_tenant_fits_profile(t, m, &m->profiles[q], NULL, 0))
                continue;
            s->count[k][q]++;
            s->on[k][tn]++;
            s->at_gpu[i] = k;
            s->at_prof[i] = q;
            bool was = s->any[k];
            s->any[k] = true;
            if (mp_geom_fit_counts(m, s->count[k], NULL, NULL) == 0 &&
                bf_place(s, i + 1))
                return true;
            s->any[k] = was;
            s->on[k][tn]--;
            s->count[k][q]--;
        }
    }
    return false;
}

/* Do the selection sel (GPUs per fleet entry of r) hold every replica? */
static bool bf_try(bf *s, const mp_request *r, const int *sel)
{
    memset(s->count, 0, sizeof(s->count));
    memset(s->whole, 0, sizeof(s->whole));
    memset(s->any, 0, sizeof(s->any));
    memset(s->on, 0, sizeof(s->on));
    s->n_gpu = 0;
    for (int i = 0; i < r->n_fleet; i++)
        for (int k = 0; k < sel[i]; k++) {
            s->gm[s->n_gpu] = r->fleet[i].model;
            s->gfleet[s->n_gpu++] = i;
        }
    return bf_place(s, 0);
}

/* The cheapest cost over every selection of GPUs (at most `cap` per fleet
 * entry), or -1 when none works; per_gpu (NULL: none) caps each tenant's
 * replicas per GPU (0: no cap). */
static double brute_force_capped(const mp_request *r, int cap,
                                 const int *per_gpu)
{
    bf s;
    memset(&s, 0, sizeof(s));
    s.r = r;
    for (int t = 0; per_gpu && t < r->n_tenants; t++)
        s.cap[t] = per_gpu[t];
    for (int t = 0; t < r->n_tenants; t++)
        for (int k = 0; k < r->tenants[t].replicas; k++)
            s.tenant_of[s.n_rep++] = t;
    int nf = r->n_fleet;
    int lim[MP_MAX_FLEET], sel[MP_MAX_FLEET] = {0};
    long combos = 1;
    for (int i = 0; i < nf; i++) {
        lim[i] = r->fleet[i].count < 0 || r->fleet[i].count > cap
                     ? cap
                     : r->fleet[i].count;
        combos *= lim[i] + 1;
    }
    double best = -1;
    for (long c = 0; c < combos; c++) {
        long x = c;
        int total = 0;
        double cost = 0;
        for (int i = 0; i < nf; i++) {
            sel[i] = (int)(x % (lim[i] + 1));
            x /= lim[i] + 1;
            total += sel[i];
            cost += sel[i] * r->fleet[i].cost;
        }
        if (total > 16 || (best >= 0 && cost >= best - 1e-9))
            continue;
        if (bf_try(&s, r, sel))
            best = cost;
    }
    return best;
}

static double brute_force(const mp_request *r, int cap)
{
    return brute_force_capped(r, cap, NULL);
}

/* The fewest GPUs to add to r's fleet for a plan (-1: none up to cap per
 * entry): r with every count lifted, and each added GPU costing 1. */
static int brute_force_added(const mp_request *r, int cap)
{
    mp_request open = *r;
    for (int i = 0; i < r->n_fleet; i++)
        open.fleet[i].count = -1;
    bf s;
    memset(&s, 0, sizeof(s));
    s.r = &open;
    for (int t = 0; t < r->n_tenants; t++)
        for (int k = 0; k < r->tenants[t].replicas; k++)
            s.tenant_of[s.n_rep++] = t;
    int best = -1, nf = r->n_fleet, sel[MP_MAX_FLEET];
    long combos = 1;
    for (int i = 0; i < nf; i++)
        combos *= cap + 1;
    for (long c = 0; c < combos; c++) {
        long x = c;
        int total = 0, added = 0;
        for (int i = 0; i < nf; i++) {
            sel[i] = (int)(x % (cap + 1));
            x /= cap + 1;
            total += sel[i];
            int have = r->fleet[i].count < 0 ? sel[i] : r->fleet[i].count;
            added += sel[i] > have ? sel[i] - have : 0;
        }
        if (total > 16 || (best >= 0 && added >= best))
            continue;
        if (bf_try(&s, r, sel))
            best = added;
    }
    return best;
}

/* "add at least K GPUs" must name the true minimum. */
static void check_added(const mp_plan *p, const char *yaml, int *checked)
{
    const char *at = strstr(p->reason, "add at least ");
    if (!at)
        return;
    for (int t = 0; t < p->req->n_tenants; t++)
        if (mp_tenant_gpus(&p->req->tenants[t]) > 1)
            return; /* then only the cheapest completion is given */
    int said = atoi(at + strlen("add at least "));
    int want = brute_force_added(p->req, (int)p->req->total_replicas);
    if (said != want)
        fail_msg("'%s': the fewest GPUs to add are %d\n%s", p->reason, want,
                 yaml);
    ++*checked;
}

/* Spread as the README documents it, by brute force: tenant by tenant in
 * request order, the fewest replicas per GPU at the optimal cost `want`,
 * the caps of the tenants before kept. The plan must match each. */
static void check_spread(const mp_plan *p, double want, const char *yaml)
{
    const mp_request *r = p->req;
    int caps[64] = {0};
    for (int t = 0; t < r->n_tenants; t++) {
        const mp_tenant *tn = &r->tenants[t];
        if (!tn->spread || tn->whole_gpu)
            continue;
        int c = 1;
        for (;; c++) {
            caps[t] = c;
            double got = brute_force_capped(r, (int)r->total_replicas, caps);
            if (got >= 0 && fabs(got - want) < 1e-6)
                break;
        }
        if (mp_plan_max_per_gpu(p, t) != c)
            fail_msg("seed %d: %s: %d per GPU in the plan, %d at the same "
                     "cost by brute force\n%s",
                     cur_seed, tn->name, mp_plan_max_per_gpu(p, t), c, yaml);
    }
}

/* ---- seeded random requests ---- */

static uint64_t rng_state;
static unsigned rnd(unsigned n)
{
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned)((rng_state >> 33) % n);
}

static const char *const small_models[] = {"h100", "a30",       "h200",
                                           "b200", "a100-40gb", "h100-nvl"};

/* The models random requests are drawn from (small_models unless a test
 * says otherwise). */
static const char *const *gen_models = small_models;
static unsigned gen_n = 6;
/* Fleet entries of requests "with two models" (a test may ask for more). */
static int gen_fleet = 2;

/* A random request with at most max_rep replicas over 1 or 2 models;
 * tensor_parallel adds whole-gpu: 2 and 3 tenants; spready: more spread
 * tenants and models lists. */
static void random_request(mp_buf *b, int max_rep, bool two_models,
                           bool tensor_parallel, bool spready)
{
    int nf = two_models ? gen_fleet : 1;
    int mi[4];
    mi[0] = (int)rnd(gen_n);
    mi[1] = (int)((mi[0] + 1 + rnd(gen_n - 1)) % (int)gen_n);
    for (int i = 2; i < nf; i++) { /* distinct models */
        bool seen = true;
        while (seen) {
            mi[i] = (int)rnd(gen_n);
            seen = false;
            for (int k = 0; k < i; k++)
                seen |= mi[k] == mi[i];
        }
    }
    mp_buf_puts(b, "fleet:\n");
    for (int i = 0; i < nf; i++) {
        mp_buf_printf(b, "  - model: %s\n", gen_models[mi[i]]);
        if (rnd(2))
            mp_buf_printf(b, "    count: %u\n", 1 + rnd(4));
        if (two_models)
            mp_buf_printf(b, "    cost: %u.%u\n", 1 + rnd(3), rnd(10));
    }
    mp_buf_puts(b, "tenants:\n");
    int left = 1 + (int)rnd((unsigned)max_rep), t = 0;
    while (left > 0) {
        int reps = 1 + (int)rnd((unsigned)left);
        left -= reps;
        mp_buf_printf(b, "  - name: t%d\n    replicas: %d\n", t++, reps);
        unsigned kind = rnd(20);
        if (kind == 0 || (tensor_parallel && kind >= 3 && kind <= 5)) {
            if (tensor_parallel && rnd(2))
                mp_buf_printf(b, "    whole-gpu: %u\n", 2 + rnd(2));
            else
                mp_buf_puts(b, "    whole-gpu: true\n");
            if (rnd(2))
                mp_buf_printf(b, "    memory: %uGiB\n", 20 + rnd(160));
            continue;
        }
        /* memory as a share of the first model's, so most cases fit */
        static const int permille[] = {40,  60,  100, 110, 120, 200, 230,
                                       250, 280, 400, 450, 480, 550, 900};
        int total = model(gen_models[mi[0]])->memory_mib;
        mp_buf_printf(b, "    memory: %dMiB\n",
                      total / 1000 * permille[rnd(14)] + (int)rnd(512));
        mp_buf_printf(b, "    compute: %ug\n", 1 + rnd(rnd(2) ? 2 : 7));
        if (kind == 1)
            mp_buf_puts(b, "    media: true\n");
        if (kind == 2 || (spready && two_models && kind < 8))
            mp_buf_printf(b, "    models: [%s]\n",
                          gen_models[mi[two_models ? kind % nf : 0]]);
        if (rnd(spready ? 2 : 3) == 0)
            mp_buf_puts(b, "    spread: true\n");
    }
}

static int added_checked; /* infeasible verdicts whose K was checked */

static void check_random(int seed, int max_rep, bool two_models,
                         bool tensor_parallel, bool spready, int *feasible)
{
    rng_state = (uint64_t)seed * 0x9E3779B97F4A7C15ULL + 1;
    cur_seed = seed;
    mp_buf y = MP_BUF_INIT;
    random_request(&y, max_rep, two_models, tensor_parallel, spready);
    mp_request r;
    load(y.data, &r);
    mp_plan p;
    solve(&r, &p);
    int cap = 0; /* GPUs that one per replica needs at most */
    for (int t = 0; t < r.n_tenants; t++)
        cap += r.tenants[t].replicas * mp_tenant_gpus(&r.tenants[t]);
    double want = brute_force(&r, cap);
    if (want < 0) {
        if (p.feasible)
            fail_msg("seed %d: solver found cost %.2f, brute force found no "
                     "plan\n%s",
                     seed, p.cost, y.data);
        assert_true(strlen(p.reason) > 10);
        check_added(&p, y.data, &added_checked);
    } else {
        if (!p.feasible)
            fail_msg("seed %d: solver says infeasible (%s), brute force cost "
                     "%.2f\n%s",
                     seed, p.reason, want, y.data);
        if (fabs(p.cost - want) > 1e-6 || !p.optimal)
            fail_msg("seed %d: solver cost %.2f (%s), brute force %.2f\n%s",
                     seed, p.cost, p.optimal ? "optimal" : "not optimal", want,
                     y.data);
        validate(&p);
        roundtrip(&p);
        if (spready)
            check_spread(&p, want, y.data);
        ++*feasible;
    }
    mp_plan_free(&p);
    mp_request_free(&r);
    mp_buf_free(&y);
}

static void test_random_one_model(void **state)
{
    (void)state;
    int feasible = 0;
    for (int seed = 1; seed <= 1000; seed++)
        check_random(seed, 8, false, false, false, &feasible);
    /* the generator must produce mostly feasible cases to mean anything */
    print_message("%d of 1000 feasible, all matched the brute force\n",
                  feasible);
    if (feasible < 700)
        fail_msg("only %d of 1000 random requests were feasible", feasible);
}

static void test_random_two_models(void **state)
{
    (void)state;
    int feasible = 0;
    for (int seed = 1001; seed <= 1500; seed++)
        check_random(seed, 6, true, false, false, &feasible);
    print_message("%d of 500 feasible, all matched the brute force; %d "
                  "'add at least' verdicts exact\n",
                  feasible, added_checked);
    assert_true(feasible > 350);
}

/* Three and four models with different costs: the search branches on GPUs
 * per model (issue 13); every optimum must match the brute force and be
 * proven. */
static void test_random_more_models(void **state)
{
    (void)state;
    int feasible = 0;
    for (gen_fleet = 3; gen_fleet <= 4; gen_fleet++)
        for (int seed = 1601; seed <= 1800; seed++)
            check_random(seed, 5, true, false, false, &feasible);
    gen_fleet = 2;
    print_message("%d of 400 feasible over three or four models, all "
                  "matched the brute force\n",
                  feasible);
    assert_true(feasible > 250);
}

/* Tensor-parallel tenants (whole-gpu: 2 or 3, every replica on GPUs of one
 * model) among the others, over two models with costs and counts. */
static void test_random_whole_groups(void **state)
{
    (void)state;
    int feasible = 0, grouped = 0;
    for (int seed = 2001; seed <= 2400; seed++) {
        check_random(seed, 6, true, true, false, &feasible);
        mp_buf y = MP_BUF_INIT;
        rng_state = (uint64_t)seed * 0x9E3779B97F4A7C15ULL + 1;
        random_request(&y, 6, true, true, false);
        grouped +=
            strstr(y.data, "whole-gpu: 2") || strstr(y.data, "whole-gpu: 3");
        mp_buf_free(&y);
    }
    print_message("%d of 400 feasible (%d with whole-gpu: N), all matched "
                  "the brute force\n",
                  feasible, grouped);
    assert_true(feasible > 250);
    assert_true(grouped > 50);
}

/* Spread tenants, with costs and models lists in play: each spread as
 * far as the optimum allows, tenant by tenant (issue 14). */
static void test_random_spread(void **state)
{
    (void)state;
    int feasible = 0;
    /* up to 9 replicas: enough for spread tenants to compete for slots
     * (seed 2273 is the first whose brute force takes too long) */
    for (int seed = 2001; seed <= 2272; seed++)
        check_random(seed, 9, seed % 3 != 0, false, true, &feasible);
    print_message("%d of 272 feasible, every spread matched the brute force\n",
                  feasible);
    assert_true(feasible > 180);
}

/* Every model in the database, one or two per request: each plan's
 * mig-parted output passes check --strict (issue 14: no stranding that
 * larger profiles for the same tenants would avoid). No brute force here;
 * the tests above hold the optimum. */
static void test_random_all_models_strict(void **state)
{
    (void)state;
    static const char *ids[64];
    unsigned n = 0;
    for (int i = 0; i < mp_db_count(db) && n < 64; i++)
        ids[n++] = mp_db_model(db, i)->id;
    gen_models = ids;
    gen_n = n;
    int feasible = 0;
    for (int seed = 3001; seed <= 3300; seed++) {
        rng_state = (uint64_t)seed * 0x9E3779B97F4A7C15ULL + 1;
        mp_buf y = MP_BUF_INIT;
        random_request(&y, 8, seed % 2 == 0, false, false);
        mp_request r;
        load(y.data, &r);
        mp_plan p;
        solve(&r, &p);
        if (p.feasible) {
            validate(&p);
            roundtrip(&p);
            feasible++;
        }
        mp_plan_free(&p);
        mp_request_free(&r);
        mp_buf_free(&y);
    }
    gen_models = small_models;
    gen_n = 6;
    print_message("%d of 300 plans over %u models pass check --strict\n",
                  feasible, n);
    assert_true(feasible > 150);
}

/* ---- hand-made cases with known answers ---- */

static mp_plan plan_of(const char *yaml, mp_request *r)
{
    load(yaml, r);
    mp_plan p;
    solve(r, &p);
    return p;
}

/* Seven 1g.10gb and one whole-GPU tenant: 2 GPUs. Seven 1g.10gb fill one
 * H100 exactly (7 compute, 7 of 8 memory slices). */
static void test_exact_fill(void **state)
{
    (void)state;
    mp_request r;
    mp_plan p = plan_of("fleet: [{model: h100, count: 3}]\n"
                        "tenants:\n"
                        "  - {name: a, memory: 9GiB, replicas: 7}\n"
                        "  - {name: big, whole-gpu: true}\n",
                        &r);
    assert_true(p.feasible);
    assert_int_equal(p.gpus_used, 2);
    assert_true(p.optimal);
    validate(&p);
    roundtrip(&p);
    mp_plan_free(&p);
    mp_request_free(&r);
}

/* Does mp_plan_validate reject p after corrupt() changed GPU k? The GPU
 * is restored afterwards. */
static bool rejects(mp_plan *p, int k, void (*corrupt)(mp_plan_gpu *))
{
    mp_plan_gpu keep = p->gpus[k];
    char why[512];
    corrupt(&p->gpus[k]);
    bool bad = mp_plan_validate(p, why, sizeof(why)) != 0;
    p->gpus[k] = keep;
    return bad;
}

static void overlap(mp_plan_gpu *g)
{
    g->layout.gis.gi[1].start = g->layout.gis.gi[0].start;
}

static void mig_off(mp_plan_gpu *g)
{
    g->layout.mig_enabled = false;
}

static void mig_on(mp_plan_gpu *g)
{
    g->layout.mig_enabled = true;
}

static void exact_without_order(mp_plan_gpu *g)
{
    g->layout.driver_order = false;
    g->layout.driver_exact = true;
}

static void other_model(mp_plan_gpu *g)
{
    g->layout.gis.model = model("a30");
}

static void whole_tenant_in_instance(mp_plan_gpu *g)
{
    g->tenant[0] = 1; /* "big" wants a whole GPU */
}

/* The plan of test_exact_fill passes validation; each corruption of its
 * MIG GPU or whole GPU fails it. */
static void test_validate_rejects(void **state)
{
    (void)state;
    mp_request r;
    mp_plan p = plan_of("fleet: [{model: h100, count: 3}]\n"
                        "tenants:\n"
                        "  - {name: a, memory: 9GiB, replicas: 7}\n"
                        "  - {name: big, whole-gpu: true}\n",
                        &r);
    assert_true(p.feasible);
    char why[512];
    assert_int_equal(mp_plan_validate(&p, why, sizeof(why)), 0);
    int mig = -1, whole = -1;
    for (int k = 0; k < p.n_gpus; k++) {
        if (p.gpus[k].used && p.gpus[k].layout.mig_enabled)
            mig = k;
        if (p.gpus[k].whole_tenant >= 0)
            whole = k;
    }
    assert_true(mig >= 0 && whole >= 0);
    assert_int_equal(mp_plan_gpu_replicas(&p.gpus[mig], 0), 7);
    assert_int_equal(mp_plan_gpu_replicas(&p.gpus[whole], 1), 1);
    assert_int_equal(mp_plan_gpu_replicas(&p.gpus[whole], 0), 0);
    assert_true(rejects(&p, mig, overlap));
    assert_true(rejects(&p, mig, mig_off));
    assert_true(rejects(&p, mig, exact_without_order));
    assert_true(rejects(&p, mig, other_model));
    assert_true(rejects(&p, mig, whole_tenant_in_instance));
    assert_true(rejects(&p, whole, mig_on));
    assert_true(rejects(&p, whole, other_model));
    assert_int_equal(mp_plan_validate(&p, why, sizeof(why)), 0);
    mp_plan_free(&p);
    mp_request_free(&r);
}

/* Memory, not compute, binds: 4 x 20 GiB needs 2g.20gb-sized memory; an
 * H100 holds at most 3 instances with 2 memory slices plus... the answer
 * depends on placements: 1g.20gb at {0,2,4,6} gives 4 per GPU. */
static void test_memory_bound(void **state)
{
    (void)state;
    mp_request r;
    mp_plan p = plan_of("fleet: [{model: h100}]\n"
                        "tenants:\n"
                        "  - {name: a, memory: 19GiB, replicas: 8}\n",
                        &r);
    assert_true(p.feasible);
    assert_int_equal(p.gpus_used, 2);
    for (int k = 0; k < p.n_gpus; k++)
        assert_int_equal(p.gpus[k].layout.gis.n, 4);
    validate(&p);
    mp_plan_free(&p);
    mp_request_free(&r);
}

/* Spread: six 2g replicas fill two GPUs three by three; the two replicas
 * of the spread tenant must land on different GPUs. */
static void test_spread(void **state)
{
    (void)state;
    mp_request r;
    mp_plan p = plan_of("fleet: [{model: h100, count: 4}]\n"
                        "tenants:\n"
                        "  - {name: a, memory: 15GiB, compute: 2g, "
                        "replicas: 6}\n"
                        "  - {name: s, memory: 5GiB, replicas: 2, "
                        "spread: true}\n",
                        &r);
    assert_true(p.feasible);
    assert_int_equal(p.gpus_used, 2);
    assert_int_equal(mp_plan_max_per_gpu(&p, 1), 1);
    validate(&p);
    mp_plan_free(&p);
    mp_request_free(&r);
}

/* Spread never costs a GPU: three replicas of a spread tenant that fit on
 * one GPU stay on one GPU when the rest fills nothing else. */
static void test_spread_keeps_optimum(void **state)
{
    (void)state;
    mp_request r;
    mp_plan p = plan_of("fleet: [{model: h100, count: 4}]\n"
                        "tenants:\n"
                        "  - {name: s, memory: 5GiB, replicas: 3, "
                        "spread: true}\n",
                        &r);
    assert_true(p.feasible);
    assert_int_equal(p.gpus_used, 1);
    assert_int_equal(mp_plan_max_per_gpu(&p, 0), 3);
    mp_plan_free(&p);
    mp_request_free(&r);
}

/* Spreading must not raise the cost. Regression: the spread phase once
 * took its greedy start plan (three A30s, 5.70) without checking it against
 * the optimum (one A30 and one H100 NVL, 4.40). */
static void test_spread_respects_cost(void **state)
{
    (void)state;
    mp_request r;
    mp_plan p = plan_of("fleet:\n"
                        "  - {model: a30, count: 3, cost: 1.9}\n"
                        "  - {model: h100-nvl, count: 2, cost: 2.5}\n"
                        "tenants:\n"
                        "  - {name: t0, replicas: 3, memory: 22GiB, "
                        "compute: 2g, spread: true}\n",
                        &r);
    assert_true(p.feasible);
    assert_true(fabs(p.cost - 4.4) < 1e-9);
    assert_true(p.optimal);
    assert_int_equal(mp_plan_max_per_gpu(&p, 0), 2);
    validate(&p);
    mp_plan_free(&p);
    mp_request_free(&r);
}

/* Media engines: H100 has one +me instance per GPU (max 1), so three
 * media tenants need three GPUs. */
/* issue 14's field case: at the optimal 10.50, t2 fits one per GPU (an
 * independent ILP by CBC agrees); the capped replicas used to lose their
 * slots to an earlier spread tenant's and the bisection's result was
 * dropped. Every spread tenant keeps what it got, too. */
static void test_spread_field_case(void **state)
{
    (void)state;
    mp_request r;
    mp_plan p = plan_of(
        "fleet:\n"
        "  - {model: rtx-pro-6000, count: 5, cost: 1.1}\n"
        "  - {model: a30, cost: 0.5}\n"
        "tenants:\n"
        "  - {name: t0, memory: 25.17GB, compute: 4, graphics: true, "
        "models: [rtx-pro-6000]}\n"
        "  - {name: t1, memory: 3665MB, compute: 2g, replicas: 7, spread: "
        "true, models: [a30]}\n"
        "  - {name: t2, memory: 11316MiB, compute: 2, replicas: 8, spread: "
        "true}\n"
        "  - {name: t3, memory: 10272MiB, sms: 11, media: true}\n"
        "  - {name: t4, memory: 7552MiB, graphics: true, engines: {nvjpg: 1, "
        "ce: 1}, replicas: 8, spread: true, models: [rtx-pro-6000]}\n"
        "  - {name: t5, memory: 3096Mi, replicas: 7}\n"
        "  - {name: t6, memory: 47.38GiB, sms: 93, replicas: 2}\n",
        &r);
    assert_true(p.feasible);
    assert_true(fabs(p.cost - 10.5) < 1e-9);
    assert_true(p.optimal);
    assert_false(p.spread_cut);
    assert_int_equal(mp_plan_max_per_gpu(&p, 1), 1);
    assert_int_equal(mp_plan_max_per_gpu(&p, 2), 1);
    assert_int_equal(mp_plan_max_per_gpu(&p, 4), 4);
    validate(&p);
    roundtrip(&p);
    mp_plan_free(&p);
    mp_request_free(&r);
}

/* issue 14: the fewest GPUs to add are not the cheapest completion. One
 * GB200 (cost 4) holds all four replicas; two H200 (cost 1 each) are
 * cheaper. Both are said, and the fewest then plans. */
static void test_infeasible_fewest_vs_cheapest(void **state)
{
    (void)state;
    const char *fleet0 = "fleet:\n"
                         "  - {model: gb200, count: 0, cost: 4}\n"
                         "  - {model: h200, count: 0, cost: 1}\n";
    const char *fleet1 = "fleet:\n"
                         "  - {model: gb200, count: 1, cost: 4}\n"
                         "  - {model: h200, count: 0, cost: 1}\n";
    const char *tenants = "tenants:\n"
                          "  - {name: a, memory: 45GiB}\n"
                          "  - {name: b, memory: 32GiB, replicas: 3}\n";
    char yaml[400];
    snprintf(yaml, sizeof(yaml), "%s%s", fleet0, tenants);
    mp_request r;
    mp_plan p = plan_of(yaml, &r);
    assert_false(p.feasible);
    assert_non_null(strstr(p.reason, "add at least 1 GPU (1 x gb200-186gb, "
                                     "cost 4); the cheapest completion adds 2 "
                                     "GPUs (2 x h200-141gb, cost 2)"));
    mp_plan_free(&p);
    mp_request_free(&r);
    snprintf(yaml, sizeof(yaml), "%s%s", fleet1, tenants);
    p = plan_of(yaml, &r);
    assert_true(p.feasible);
    assert_int_equal(p.gpus_used, 1);
    mp_plan_free(&p);
    mp_request_free(&r);
}

static void test_media_limit(void **state)
{
    (void)state;
    mp_request r;
    mp_plan p = plan_of("fleet: [{model: h100, count: 8}]\n"
                        "tenants:\n"
                        "  - {name: v, memory: 5GiB, media: true, "
                        "replicas: 3}\n",
                        &r);
    assert_true(p.feasible);
    assert_int_equal(p.gpus_used, 3);
    validate(&p);
    roundtrip(&p);
    mp_plan_free(&p);
    mp_request_free(&r);
}

/* Cost: two cheap A30s beat one dear H100 only when cheaper. */
static void test_costs(void **state)
{
    (void)state;
    mp_request r;
    mp_plan p = plan_of("fleet:\n"
                        "  - {model: h100, cost: 3}\n"
                        "  - {model: a30, cost: 1}\n"
                        "tenants:\n"
                        "  - {name: a, memory: 5GiB, replicas: 8}\n",
                        &r);
    assert_true(p.feasible);
    assert_true(fabs(p.cost - 2.0) < 1e-9); /* two A30s, 4 x 1g.6gb each */
    for (int k = 0; k < p.n_gpus; k++)
        if (p.gpus[k].used)
            assert_ptr_equal(p.gpus[k].layout.gis.model, model("a30"));
    validate(&p);
    roundtrip(&p);
    mp_plan_free(&p);
    mp_request_free(&r);
}

/* ---- infeasible requests say why ---- */

static void test_infeasible_too_large(void **state)
{
    (void)state;
    mp_request r;
    mp_plan p = plan_of("fleet: [{model: h100, count: 2}]\n"
                        "tenants:\n"
                        "  - {name: huge, memory: 100GiB}\n",
                        &r);
    assert_false(p.feasible);
    assert_non_null(strstr(p.reason, "huge"));
    assert_non_null(strstr(p.reason, "larger model"));
    assert_non_null(strstr(p.reason, "h200"));
    mp_plan_free(&p);
    mp_request_free(&r);
}

static void test_infeasible_fleet_small(void **state)
{
    (void)state;
    mp_request r;
    mp_plan p = plan_of("fleet: [{model: h100, count: 2}]\n"
                        "tenants:\n"
                        "  - {name: a, memory: 30GiB, compute: 3g, "
                        "replicas: 5}\n",
                        &r);
    assert_false(p.feasible);
    assert_non_null(strstr(p.reason, "needs at least 3"));
    assert_non_null(strstr(p.reason, "add at least 1 GPU"));
    mp_plan_free(&p);
    mp_request_free(&r);
}

static void test_infeasible_media_model(void **state)
{
    (void)state;
    mp_request r;
    /* every H100 holds one +me instance; two GPUs, three media replicas */
    mp_plan p = plan_of("fleet: [{model: h100, count: 2}]\n"
                        "tenants:\n"
                        "  - {name: v, memory: 5GiB, media: true, "
                        "replicas: 3}\n",
                        &r);
    assert_false(p.feasible);
    assert_non_null(strstr(p.reason, "add at least 1 GPU"));
    mp_plan_free(&p);
    mp_request_free(&r);
}

/* ---- a large case stays exact ---- */

static void test_fleet_scale(void **state)
{
    (void)state;
    mp_buf y = MP_BUF_INIT;
    mp_buf_puts(&y, "fleet:\n  - {model: h100, cost: 1}\n"
                    "  - {model: h200, cost: 1.6}\n"
                    "tenants:\n");
    static const char *const shapes[] = {"memory: 9GiB",
                                         "memory: 18GiB, compute: 2g",
                                         "memory: 35GiB, compute: 3g",
                                         "memory: 19GiB",
                                         "memory: 60GiB, compute: 4g",
                                         "memory: 8GiB, media: true"};
    for (int t = 0; t < 40; t++)
        mp_buf_printf(&y, "  - {name: t%d, %s, replicas: %d%s}\n", t,
                      shapes[t % 6], 5 + (t * 37) % 60,
                      t % 5 == 0 ? ", spread: true" : "");
    mp_request r;
    load(y.data, &r);
    mp_plan p;
    solve(&r, &p);
    assert_true(p.feasible);
    assert_true(p.optimal);
    validate(&p);
    roundtrip(&p);
    mp_plan_free(&p);
    mp_request_free(&r);
    mp_buf_free(&y);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_one_model),
        cmocka_unit_test(test_random_two_models),
        cmocka_unit_test(test_random_more_models),
        cmocka_unit_test(test_random_whole_groups),
        cmocka_unit_test(test_random_spread),
        cmocka_unit_test(test_random_all_models_strict),
        cmocka_unit_test(test_exact_fill),
        cmocka_unit_test(test_validate_rejects),
        cmocka_unit_test(test_memory_bound),
        cmocka_unit_test(test_spread),
        cmocka_unit_test(test_spread_keeps_optimum),
        cmocka_unit_test(test_spread_respects_cost),
        cmocka_unit_test(test_spread_field_case),
        cmocka_unit_test(test_media_limit),
        cmocka_unit_test(test_costs),
        cmocka_unit_test(test_infeasible_too_large),
        cmocka_unit_test(test_infeasible_fleet_small),
        cmocka_unit_test(test_infeasible_fewest_vs_cheapest),
        cmocka_unit_test(test_infeasible_media_model),
        cmocka_unit_test(test_fleet_scale),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
