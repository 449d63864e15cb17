/* ydoc.h - YAML documents as position-carrying trees, with hard limits.
 *
 * Built from libyaml events. Every node keeps its 1-based line and column so
 * readers can report file:line:col. Aliases are shared (not copied); merge
 * keys (<<) are expanded the way go-yaml v2 does it (in order, later wins).
 * Limits on size, depth and expanded node count make hostile input (alias
 * bombs, deep nesting, huge files) fail with a clear, positioned error.
 *
 * Scalars are resolved with YAML 1.1 rules as go-yaml v2 applies them
 * (mig-parted's parser): yes/no/on/off/y/n/True are booleans, 0x10 and 010
 * are integers, 1.0 is a float, quoted scalars are always strings.
 */
#ifndef MIGPLAN_YDOC_H
#define MIGPLAN_YDOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "migplan/util/arena.h"
#include "migplan/util/error.h"

typedef enum mp_ynode_kind {
    MP_YNODE_SCALAR,
    MP_YNODE_SEQ,
    MP_YNODE_MAP
} mp_ynode_kind;

typedef struct mp_ynode mp_ynode;
struct mp_ynode {
    mp_ynode_kind kind;
    bool plain;      /* scalar written plain (unquoted, not a block scalar) */
    const char *tag; /* explicit tag as written, or NULL */
    int line, col;   /* 1-based position of the node's start */
    /* scalar */
    const char *str; /* NUL-terminated value (may hold embedded NULs) */
    size_t len;
    /* sequence: nkids items; map: nkids = 2 * pairs, key then value */
    mp_ynode **kids;
    size_t nkids;
    unsigned char *from_merge; /* map only: per pair, 1 if copied by << */
    /* internal bookkeeping */
    size_t weight; /* nodes in the subtree after alias expansion */
    bool closed;
};

typedef struct mp_ylimits {
    size_t max_bytes;   /* input size */
    unsigned max_depth; /* nesting of sequences and maps */
    size_t max_nodes;   /* nodes after alias and merge expansion */
} mp_ylimits;

/* 32 MiB, depth 64, 2,000,000 nodes: documented in the README. */
extern const mp_ylimits mp_ylimits_default;

typedef struct mp_ydoc {
    mp_arena arena;      /* owns every node, string and the source text */
    mp_ynode *root;      /* NULL when the first document is empty */
    bool more_documents; /* the stream continues after the first document */
    const char *path;    /* display path ("<stdin>" for -) */
    const char *text;    /* the source bytes */
    size_t text_len;
} mp_ydoc;

/* Parse the first document of text[0..len). The text is copied. On error,
 * *out is freed and d names the position. path is only used in messages. */
int mp_ydoc_parse(const char *text, size_t len, const char *path,
                  const mp_ylimits *lim, mp_ydoc *out, mp_diag *d);

/* Parse document number `index` (0-based) of a multi-document stream.
 * Returns MP_ENOTFOUND when the stream has no such document. */
int mp_ydoc_parse_nth(const char *text, size_t len, const char *path,
                      const mp_ylimits *lim, int index, mp_ydoc *out,
                      mp_diag *d);

/* Read a file ("-" reads standard input) and parse it. Refuses directories,
 * unreadable paths and files over lim->max_bytes with a message saying so. */
int mp_ydoc_load(const char *path, const mp_ylimits *lim, mp_ydoc *out,
                 mp_diag *d);

/* Read a whole file or stdin into a malloc'd, NUL-terminated buffer owned by
 * the caller (free()). Same refusals as mp_ydoc_load. */
int mp_read_file(const char *path, size_t max_bytes, char **out,
                 size_t *out_len, mp_diag *d);

/* Free everything; safe on a zeroed or freed document. */
void mp_ydoc_free(mp_ydoc *doc);

/* The source line `line` (1-based) without its newline, for caret output. */
bool mp_ydoc_source_line(const char *text, size_t text_len, int line,
                         const char **start, size_t *len);

/* ---- scalar resolution (YAML 1.1, as go-yaml v2) ---- */

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

/* Look up the last pair with this string key (plain or quoted scalar key,
 * compared by text). Returns the value node and optionally the key node. */
const mp_ynode *mp_ymap_get(const mp_ynode *map, const char *key,
                            const mp_ynode **key_out);

/* Go's strconv.FormatFloat(f, 'g', -1, bits) and encoding/json's float
 * form; used to reproduce mig-parted's messages. */
void mp_go_format_float_g(double f, int bits, char *buf, size_t n);
void mp_go_json_float(double f, char *buf, size_t n);

#endif
