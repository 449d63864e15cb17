/* SPDX-License-Identifier: Apache-2.0 */
/* test_db.h - the shipped profile database as a cmocka group fixture,
 * for the test programs that need it (each includes this once). */
#ifndef MIGPLAN_TEST_DB_H
#define MIGPLAN_TEST_DB_H

#include <stdio.h>

#include "migplan/model/profile_db.h"

static mp_db *db;

static int setup(void **state)
{
    (void)state;
    mp_diag d;
    mp_diag_clear(&d);
    if (mp_db_load(NULL, &db, &d) != 0) {
        fprintf(stderr, "load failed: %s:%d:%d: %s\n", d.file, d.line, d.col,
                d.msg);
        return -1;
    }
    return 0;
}

/* The model of the database named id (cmocka must be included first);
 * fails the test when there is none. */
static inline const mp_model *test_model(const char *id)
{
    const mp_model *m;
    mp_diag d;
    if (mp_db_find(db, id, &m, &d) != 0)
        fail_msg("%s: %s", id, d.msg);
    return m;
}

static int teardown(void **state)
{
    (void)state;
    mp_db_free(db);
    return 0;
}

#endif
