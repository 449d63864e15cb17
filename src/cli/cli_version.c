/* SPDX-License-Identifier: Apache-2.0 */
/* cli_version.c - `migplan --version`: the build and the data it carries. */
#include "cli_version.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "version_info.h"

#define MAX_DRIVERS 64

/* Append each driver version in text ("580.173.02", digits and dots with
 * at least one dot) to v, once; returns how many text had. */
static int drivers_in(const char *text, char (*v)[32], int *n)
{
    int found = 0;
    for (const char *s = text ? text : ""; *s;) {
        size_t len = strspn(s, "0123456789.");
        bool start = s == text || !isalnum((unsigned char)s[-1]);
        if (len == 0 || !start || !isdigit((unsigned char)s[0]) ||
            s[len - 1] == '.' || !memchr(s, '.', len) || len >= 32) {
            s += len ? len : 1;
            continue;
        }
        found++;
        bool seen = false;
        for (int i = 0; i < *n && !seen; i++)
            seen = strlen(v[i]) == len && memcmp(v[i], s, len) == 0;
        if (!seen && *n < MAX_DRIVERS) {
            memcpy(v[*n], s, len);
            v[(*n)++][len] = '\0';
        }
        s += len;
    }
    return found;
}

/* Version order: numerically, field by field. */
static int version_cmp(const char *a, const char *b)
{
    for (;;) {
        char *ea, *eb;
        long x = strtol(a, &ea, 10), y = strtol(b, &eb, 10);
        if (x != y)
            return x < y ? -1 : 1;
        if (*ea != '.' || *eb != '.')
            return (*ea == '.') - (*eb == '.');
        a = ea + 1;
        b = eb + 1;
    }
}

int cli_version(cli_ctx *c, FILE *f)
{
    mp_db *db;
    mp_diag d = {0};
    if (mp_db_load(NULL, &db, &d) != 0)
        return cli_fail(c, &d);
    char v[MAX_DRIVERS][32];
    int nv = 0, with = 0, models = mp_db_count(db);
    for (int i = 0; i < models; i++)
        with += drivers_in(mp_db_model(db, i)->memory_driver, v, &nv) > 0;
    /* insertion sort: a handful of versions */
    for (int i = 1; i < nv; i++)
        for (int k = i; k > 0 && version_cmp(v[k - 1], v[k]) > 0; k--) {
            char t[32];
            memcpy(t, v[k], sizeof(t));
            memcpy(v[k], v[k - 1], sizeof(t));
            memcpy(v[k - 1], t, sizeof(t));
        }
    fprintf(f, "migplan %s\ncommit: %s\nprofiles: %d models, revision %s\n",
            MIGPLAN_VERSION, MIGPLAN_GIT_COMMIT, models,
            MIGPLAN_PROFILES_REVISION);
    fputs("memory sizes: drivers", f);
    for (int i = 0; i < nv; i++)
        fprintf(f, "%s %s", i ? "," : "", v[i]);
    fprintf(f,
            " (%d model%s); %d model%s from sources that show no driver "
            "(`migplan profiles MODEL` says which)\n",
            with, with == 1 ? "" : "s", models - with,
            models - with == 1 ? "" : "s");
    mp_db_free(db);
    return EXIT_OK;
}
