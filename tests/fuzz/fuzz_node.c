/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_node.c - libFuzzer target: any bytes as a node inventory
 * (--node FILE). Nothing may crash, hang or leak. */
#include <stddef.h>
#include <stdint.h>

#include "migplan/readers/node_reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static mp_db *db;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!db && mp_db_load(NULL, &db, NULL) != 0)
        return 0;
    mp_node n;
    mp_diag d;
    if (mp_node_parse(db, (const char *)data, size, "fuzz.yaml", &n, &d) == 0)
        mp_node_free(&n);
    return 0;
}
