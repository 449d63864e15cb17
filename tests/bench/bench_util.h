/* SPDX-License-Identifier: Apache-2.0 */
/* bench_util.h - timing helpers shared by the benchmark programs. */
#ifndef MIGPLAN_BENCH_UTIL_H
#define MIGPLAN_BENCH_UTIL_H

#include <time.h>

static inline double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static inline double now_us(void)
{
    return now_ms() * 1e3;
}

static inline int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

#endif
