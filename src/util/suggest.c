/* SPDX-License-Identifier: Apache-2.0 */
/* suggest.c - edit distance and the nearest name, for "did you mean". */
#include "migplan/util/suggest.h"

#include <ctype.h>
#include <string.h>

#define MAXLEN 64

int mp_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > MAXLEN || lb > MAXLEN)
        return 99;
    int row[MAXLEN + 1];
    for (size_t j = 0; j <= lb; j++)
        row[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        int diag = row[0];
        row[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int up = row[j];
            int sub = diag + (tolower((unsigned char)a[i - 1]) !=
                              tolower((unsigned char)b[j - 1]));
            int best = up + 1 < row[j - 1] + 1 ? up + 1 : row[j - 1] + 1;
            row[j] = sub < best ? sub : best;
            diag = up;
        }
    }
    return row[lb] > 99 ? 99 : row[lb];
}

const char *mp_suggest(const char *word, const char *const *names, int n)
{
    const char *best = NULL;
    int bestd = 99;
    for (int i = 0; n < 0 ? names[i] != NULL : i < n; i++) {
        int d = mp_edit_distance(word, names[i]);
        if (d < bestd) {
            bestd = d;
            best = names[i];
        }
    }
    int limit = (int)strlen(word) / 3;
    if (limit < 2)
        limit = 2;
    return bestd <= limit ? best : NULL;
}
