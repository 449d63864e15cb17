/* SPDX-License-Identifier: Apache-2.0 */
/* schema.h - read YAML maps into C structs from a declarative field table.
 *
 * One mechanism for every file format migplan owns (profiles, plan requests,
 * node inventories): unknown keys, duplicate keys, missing required keys and
 * wrongly typed values are rejected with file:line:col and a message that
 * names the valid keys or the expected type. Internal to the readers.
 */
#ifndef MIGPLAN_SCHEMA_H
#define MIGPLAN_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "migplan/util/arena.h"
#include "migplan/util/error.h"
#include "migplan/yaml/ydoc.h"

typedef enum mp_ftype {
    MP_F_STR,     /* const char * (arena copy); a plain scalar must resolve to
                     a string, so `yes` or `0x10` need quotes */
    MP_F_INT,     /* long long within [min, max] */
    MP_F_NUM,     /* double (integer or float) within [min, max] */
    MP_F_BOOL,    /* bool */
    MP_F_STRLIST, /* mp_strlist: a list of strings (or one string) */
    MP_F_NODE     /* const mp_ynode *: handed to the caller as is */
} mp_ftype;

typedef struct mp_strlist {
    const char **v;
    int n;
} mp_strlist;

typedef struct mp_field {
    const char *key;
    mp_ftype type;
    bool required;
    size_t offset;      /* of the destination inside the output struct */
    long long min, max; /* for MP_F_INT / MP_F_NUM; ignored when min > max */
} mp_field;

/* A row of a field table: key, type, required, the member of the raw
 * struct `raw` it fills, and the bounds of a number. */
#define MP_FIELD(raw, key, type, required, member, min, max)                   \
    {                                                                          \
        key, type, required, offsetof(raw, member), min, max                   \
    }

typedef struct mp_schema_ctx {
    const char *path; /* file name for diagnostics */
    mp_arena *arena;  /* where strings are copied */
    mp_diag *d;
} mp_schema_ctx;

/* Read `map` (what = "tenant", "profile", ... for messages) into out.
 * present (optional) gets bit i set for each field i that was given. */
int mp_schema_read(const mp_schema_ctx *c, const mp_ynode *map,
                   const char *what, const mp_field *fields, size_t nfields,
                   void *out, uint64_t *present);

/* Error helper: "<path>:<line>:<col>" of node n with a formatted message. */
int mp_schema_err(const mp_schema_ctx *c, const mp_ynode *n, int code,
                  const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* Require n to be a sequence (what names it in the message). */
int mp_schema_need_seq(const mp_schema_ctx *c, const mp_ynode *n,
                       const char *what);

/* Require n to be a list (what names it) of 1 to `most` entries: an empty
 * one is refused as "WHAT is empty" followed by empty_hint ("" or "; list
 * ..."), a longer one with MP_ELIMIT as "more than MOST ITEMS (limit)". */
int mp_schema_need_list(const mp_schema_ctx *c, const mp_ynode *n,
                        const char *what, size_t most, const char *items,
                        const char *empty_hint);

/* Copy a string scalar; refuses non-strings with a "quote it" hint. */
int mp_schema_str(const mp_schema_ctx *c, const mp_ynode *n, const char *what,
                  const char **out);

#endif
