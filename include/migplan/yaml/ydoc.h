/* SPDX-License-Identifier: Apache-2.0 */
/* ydoc.h - YAML documents as position-carrying trees, with hard limits.
 *
 * Built from libyaml events. Every node keeps its 1-based line and column so
 * readers can report file:line:col. Aliases are shared (not copied); merge
 * keys (<<) are expanded the way go-yaml v2 does it (in order, later wins).
 * Limits on size, depth and expanded node count make hostile input (alias
 * bombs, deep nesting, huge files) fail with a clear, positioned error.
 *
 * This header declares the trees and their parsing (ydoc.c), and includes
 * the yaml layer's other headers so that it still declares the whole layer:
 *   yscalar.h  YAML 1.1 scalar resolution as go-yaml v2 does it
 *   gofloat.h  Go's float formatting, for mig-parted's messages
 *   yfile.h    reading a whole input file with a size limit
 *   yjson.h    a JSON text read with cJSON into the same tree, fast
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
    int next_line;       /* where text after the document read starts (a */
    int next_col;        /* document or none: a syntax error); 0 if none */
    const char *path;    /* display path ("<stdin>" for -) */
    const char *text;    /* the source bytes */
    size_t text_len;
} mp_ydoc;

/* Parse the one document of text[0..len). The text is copied. A second
 * document (or text after a map or list that starts none) is an
 * MP_ESYNTAX error at its position. On error, *out is freed and d names the
 * position. path is only used in messages. */
int mp_ydoc_parse(const char *text, size_t len, const char *path,
                  const mp_ylimits *lim, mp_ydoc *out, mp_diag *d);

/* Parse document number `index` (0-based) of a multi-document stream (for
 * readers that take several, or only the first as mig-parted does: then
 * more_documents says whether others follow). Returns MP_ENOTFOUND when the
 * stream has no such document. */
int mp_ydoc_parse_nth(const char *text, size_t len, const char *path,
                      const mp_ylimits *lim, int index, mp_ydoc *out,
                      mp_diag *d);

/* Read a file ("-" reads standard input) and parse it. Refuses directories,
 * unreadable paths and files over lim->max_bytes with a message saying so. */
int mp_ydoc_load(const char *path, const mp_ylimits *lim, mp_ydoc *out,
                 mp_diag *d);

/* Free everything; safe on a zeroed or freed document. */
void mp_ydoc_free(mp_ydoc *doc);

/* Look up the last pair with this string key (plain or quoted scalar key,
 * compared by text). Returns the value node and optionally the key node. */
const mp_ynode *mp_ymap_get(const mp_ynode *map, const char *key,
                            const mp_ynode **key_out);

#include "migplan/yaml/gofloat.h"
#include "migplan/yaml/yfile.h"
#include "migplan/yaml/yjson.h"
#include "migplan/yaml/yscalar.h"

#endif
