/* SPDX-License-Identifier: Apache-2.0 */
/* bench_startup.c - the CPU time of a whole process, start to exit.
 *
 *   bench_startup RUNS PROGRAM [ARG...]
 *
 * Runs PROGRAM RUNS times (standard output to /dev/null, one after the
 * other, through posix_spawn so that little of our own work lands in the
 * child) and prints "cpu_us wall_us": the mean user+system CPU time of one
 * run (getrusage of the children) and the median wall time, in
 * microseconds. Fails when any run exits non-zero. */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double tv_us(struct timeval t)
{
    return (double)t.tv_sec * 1e6 + (double)t.tv_usec;
}

int main(int argc, char **argv)
{
    int runs = argc > 2 ? atoi(argv[1]) : 0;
    if (runs <= 0) {
        fputs("usage: bench_startup RUNS PROGRAM [ARG...]\n", stderr);
        return 2;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    double *wall = malloc((size_t)runs * sizeof(*wall));
    int status = wall ? 0 : 1;
    for (int i = 0; i < runs && !status; i++) {
        pid_t pid;
        int ws;
        double t0 = now_us();
        if (posix_spawn(&pid, argv[2], &fa, NULL, argv + 2, environ) != 0 ||
            waitpid(pid, &ws, 0) != pid) {
            perror(argv[2]);
            status = 1;
        } else if (!WIFEXITED(ws) || WEXITSTATUS(ws) != 0) {
            fprintf(stderr, "bench_startup: %s failed\n", argv[2]);
            status = 1;
        }
        wall[i] = now_us() - t0;
    }
    if (!status) {
        struct rusage ru;
        getrusage(RUSAGE_CHILDREN, &ru);
        qsort(wall, (size_t)runs, sizeof(*wall), cmp_double);
        printf("%.1f %.1f\n", (tv_us(ru.ru_utime) + tv_us(ru.ru_stime)) / runs,
               wall[runs / 2]);
    }
    posix_spawn_file_actions_destroy(&fa);
    free(wall);
    return status;
}
