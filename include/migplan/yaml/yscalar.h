/* SPDX-License-Identifier: Apache-2.0 */
/* yscalar.h - YAML 1.1 scalar resolution as go-yaml v2 (mig-parted's
 * parser) does it (yscalar.c): yes/no/on/off/y/n/True are booleans, 0x10
 * and 010 are integers, 1.0 is a float, quoted scalars are always strings.
 */
#ifndef MIGPLAN_YSCALAR_H
#define MIGPLAN_YSCALAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Defined in ydoc.h. */
typedef struct mp_ynode mp_ynode;

typedef enum mp_yvkind {
    MP_YV_NULL,
    MP_YV_BOOL,
    MP_YV_INT,  /* fits int64 */
    MP_YV_UINT, /* above INT64_MAX, fits uint64 */
    MP_YV_FLOAT,
    MP_YV_STR,
    MP_YV_SEQ,
    MP_YV_MAP
} mp_yvkind;

typedef struct mp_yval {
    mp_yvkind kind;
    bool b;
    int64_t i;
    uint64_t u;
    double f;
} mp_yval;

/* Resolve a node's type and value. Sequences and maps resolve to SEQ/MAP. */
mp_yvkind mp_ynode_resolve(const mp_ynode *n, mp_yval *out);

/* "null", "boolean", "integer", "number", "string", "list", "map". */
const char *mp_yvkind_name(mp_yvkind k);

/* The string a map key becomes when mig-parted's YAML stack converts it to
 * JSON (sigs.k8s.io/yaml): ints in decimal, bools as true/false, floats in
 * Go's shortest form. Returns false (and a reason) for keys it rejects:
 * null, integers above INT64_MAX, lists and maps. The result is written to
 * buf (NUL-terminated). */
bool mp_ykey_string(const mp_ynode *key, char *buf, size_t n,
                    const char **why_not);

/* Go's strconv.ParseUint(s, 0, bits) with max = 2^bits - 1: 0x/0o/0b
 * prefixes, a leading 0 for octal, underscores only after a digit or the
 * prefix and not at the end. False when s is no such number or is above
 * max. */
bool mp_go_parse_uint(const char *s, uint64_t max, uint64_t *out);

#endif
