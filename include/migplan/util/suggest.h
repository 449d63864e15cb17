/* SPDX-License-Identifier: Apache-2.0 */
/* suggest.h - "did you mean": the closest of a list of names to a word
 * someone mistyped (commands, finding codes, profile names). */
#ifndef MIGPLAN_SUGGEST_H
#define MIGPLAN_SUGGEST_H

#include <stddef.h>

/* Levenshtein distance of a and b, case-insensitive (capped at 99). */
int mp_edit_distance(const char *a, const char *b);

/* The name of names[0..n) (n < 0: NULL-terminated) closest to word, or
 * NULL when none is near enough to be what was meant (at most a third of
 * the word's length, and at least 2, edits away). */
const char *mp_suggest(const char *word, const char *const *names, int n);

#endif
