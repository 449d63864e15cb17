/* SPDX-License-Identifier: Apache-2.0 */
/* nvsmi_table.h - nvidia-smi's text output as lines, boxed tables and cells.
 *
 * nvidia-smi prints its MIG listings (mig -lgip, -lgi, -lci, -lcip) and its
 * default view (GPUs, MIG devices, Processes) as boxed tables, at widths
 * that changed with the driver (early, R470 to R570, newer). This module
 * splits a capture into lines and finds every table: its title, its header
 * rows (above the ===== rule) and its records (body rows between two
 * +-----+ rules), each row cut into boxes at inner '|' and into
 * whitespace-separated cells, every piece with its line and column. It does
 * not know what a table means: nvsmi_profiles.c reads the profile listings
 * on top of it, and readers of the current state can read -lgi, -lci and
 * the Processes table the same way.
 *
 * Hostile input gets a positioned error, never a guess: NUL bytes, invalid
 * UTF-8 and control characters, lines over MP_NVSMI_MAX_LINE bytes, rows
 * that do not end in '|' or differ in width from their table, and tables
 * cut off before their closing rule.
 */
#ifndef MIGPLAN_NVSMI_TABLE_H
#define MIGPLAN_NVSMI_TABLE_H

#include <stdbool.h>
#include <stddef.h>

#include "migplan/util/arena.h"
#include "migplan/util/error.h"

#define MP_NVSMI_MAX_LINE 4096 /* bytes per line */
#define MP_NVSMI_MAX_CELLS 64  /* cells per table row */

/* A whitespace-separated word: s[0..len) points into the input text. */
typedef struct mp_nvsmi_cell {
    const char *s;
    int len;
    int col; /* 1-based byte column */
    int box; /* 0-based index of the |...| box it sits in */
} mp_nvsmi_cell;

/* One content row of a table: | ... | ... | */
typedef struct mp_nvsmi_row {
    int line; /* 1-based */
    mp_nvsmi_cell *cells;
    int n_cells;
    int n_boxes;
} mp_nvsmi_row;

typedef struct mp_nvsmi_table {
    int line;          /* the top rule */
    int end_line;      /* the closing rule */
    int width;         /* characters, rules included */
    const char *title; /* "GPU instance profiles:", NUL-terminated, or NULL */
    int title_line;
    mp_nvsmi_row *header; /* rows between the title and the ===== rule */
    int n_header;
    mp_nvsmi_row *rows; /* body rows after the ===== rule */
    int n_rows;
    int *record; /* record i is rows[record[i]] up to rows[record[i+1]] */
    int n_records;
} mp_nvsmi_table;

/* One input line. */
typedef struct mp_nvsmi_line {
    int line;         /* 1-based */
    const char *text; /* into the input; no newline, no trailing '\r' */
    int len;
    int table; /* index into tables, or -1 outside every table */
} mp_nvsmi_line;

typedef struct mp_nvsmi_doc {
    mp_arena arena; /* owns every array below */
    const char *path;
    mp_nvsmi_line *lines;
    int n_lines;
    mp_nvsmi_table *tables;
    int n_tables;
} mp_nvsmi_doc;

/* Split text[0..len) (not copied: it must outlive the document) into lines
 * and tables. path is for diagnostics. On success *out owns its memory:
 * mp_nvsmi_doc_free(). On failure d says where and why, and *out is freed. */
int mp_nvsmi_parse(const char *text, size_t len, const char *path,
                   mp_nvsmi_doc *out, mp_diag *d);

void mp_nvsmi_doc_free(mp_nvsmi_doc *doc);

/* Split a line outside the tables into whitespace-separated cells (at most
 * max); returns how many there were, even beyond max. */
int mp_nvsmi_words(const mp_nvsmi_line *l, mp_nvsmi_cell *cells, int max);

/* Does cell c hold exactly the text s? */
bool mp_nvsmi_cell_is(const mp_nvsmi_cell *c, const char *s);

/* Is cell c a decimal number (at most six digits) from lo to hi? Then *out
 * gets it. */
bool mp_nvsmi_cell_int(const mp_nvsmi_cell *c, int lo, int hi, int *out);

/* The words of header rows [from, to) of t, one space apart, into buf of n
 * bytes (cut short when it is full). */
void mp_nvsmi_header_words(const mp_nvsmi_table *t, int from, int to, char *buf,
                           size_t n);

/* The rows of record i of t: *first and *n. */
void mp_nvsmi_record(const mp_nvsmi_table *t, int i, int *first, int *n);

#endif
