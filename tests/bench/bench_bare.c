/* SPDX-License-Identifier: Apache-2.0 */
/* bench_bare.c - the start-up baseline: a C program linked with libyaml
 * that does nothing but initialise a parser and free it. run-bench.sh
 * compares `migplan gpus` with it (bench_startup). */
#include <stdio.h>

#include <yaml.h>

int main(void)
{
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p)) {
        fputs("bench_bare: cannot initialise libyaml\n", stderr);
        return 1;
    }
    yaml_parser_delete(&p);
    return 0;
}
