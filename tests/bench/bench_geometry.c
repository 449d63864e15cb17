/* SPDX-License-Identifier: Apache-2.0 */
/* bench_geometry.c - how long single-GPU questions take.
 *
 * For every shipped model: feasibility of every valid geometry (the
 * engine's hardest inputs are the full ones), infeasibility with a reason,
 * capacity, creation order, and full enumeration. Prints per-question
 * median and worst times in microseconds. Run: build/tests/bench/bench_geometry
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migplan/model/geometry.h"

#include "bench_util.h"

typedef struct stat {
    double *v;
    int n, cap;
} stat;

static void add(stat *s, double x)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 1024;
        s->v = realloc(s->v, (size_t)s->cap * sizeof(double));
    }
    s->v[s->n++] = x;
}

static void report(const char *what, stat *s)
{
    qsort(s->v, (size_t)s->n, sizeof(double), cmp_double);
    printf("%-34s %8d %10.2f %10.2f\n", what, s->n, s->v[s->n / 2],
           s->v[s->n - 1]);
    free(s->v);
    memset(s, 0, sizeof(*s));
}

int main(void)
{
    mp_db *db;
    mp_diag d;
    if (mp_db_load(NULL, &db, &d) != 0) {
        fprintf(stderr, "%s\n", d.msg);
        return 1;
    }
    stat fit = {0}, infeasible = {0}, cap = {0}, order = {0}, enumerate = {0};
    const int reps = 20;
    for (int i = 0; i < mp_db_count(db); i++) {
        const mp_model *m = mp_db_model(db, i);
        mp_geom_list list;
        double t0 = now_us();
        mp_geom_enumerate(m, NULL, false, &list);
        add(&enumerate, now_us() - t0);
        for (int g = 0; g < list.n; g++) {
            int cnt[MP_MAX_PROFILES];
            for (int p = 0; p < m->n_profiles; p++)
                cnt[p] = list.v[g].count[p];
            mp_layout l;
            for (int r = 0; r < reps; r++) {
                t0 = now_us();
                mp_geom_fit_counts(m, cnt, &l, NULL);
                add(&fit, now_us() - t0);
            }
            mp_capacity c;
            t0 = now_us();
            mp_geom_capacity(&l, &c);
            add(&cap, now_us() - t0);
            int ord[MP_MAX_GIS];
            bool exact;
            t0 = now_us();
            mp_geom_creation_order(&l, ord, &exact, NULL);
            add(&order, now_us() - t0);
            if (list.v[g].maximal) {
                /* one more of the first profile cannot fit */
                for (int p = 0; p < m->n_profiles; p++) {
                    cnt[p]++;
                    mp_fit_result res;
                    t0 = now_us();
                    int rc = mp_geom_fit_counts(m, cnt, NULL, &res);
                    double dt = now_us() - t0;
                    if (rc)
                        add(&infeasible, dt);
                    cnt[p]--;
                }
            }
        }
        mp_geom_list_free(&list);
    }
    printf("%-34s %8s %10s %10s\n", "question (all 17 models)", "runs",
           "median us", "worst us");
    report("fit a geometry (with placement)", &fit);
    report("refuse one instance too many", &infeasible);
    report("capacity report", &cap);
    report("creation order (driver model)", &order);
    report("enumerate every geometry of a GPU", &enumerate);
    mp_db_free(db);
    return 0;
}
