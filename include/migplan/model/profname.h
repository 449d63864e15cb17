/* SPDX-License-Identifier: Apache-2.0 */
/* profname.h - MIG profile names as mig-parted (go-nvlib) parses them.
 *
 *   [Cc.]Gg.GBgb[+attr,...|-attr,...]    e.g. 1g.10gb, 1c.3g.40gb,
 * 1g.24gb+me.all
 *
 * The grammar and the failure reasons follow go-nvlib's parseMigProfile, so
 * `migplan check` rejects exactly the names mig-parted rejects, with its text.
 */
#ifndef MIGPLAN_PROFNAME_H
#define MIGPLAN_PROFNAME_H

#include <stdbool.h>
#include <stddef.h>

typedef struct mp_profname {
    int c;          /* compute slices of the compute instance (C) */
    int g;          /* compute slices of the GPU instance (G) */
    int gb;         /* memory in the name */
    char sign;      /* '+', '-' or 0 when there are no attributes */
    char attrs[64]; /* attribute list as written after the sign */
    bool ci_form;   /* written with the Cc. field */
} mp_profname;

/* Parse s[0..len). On failure returns false and writes go-nvlib's reason,
 * e.g. "cannot parse fields of 'bogus': parsed wrong number of fields,
 * expected 2 or 3", into why. */
bool mp_profname_parse(const char *s, size_t len, mp_profname *out, char *why,
                       size_t whylen);

/* The canonical spelling mig-parted exports and asserts against:
 * "Gg.GBgb" when C == G, else "Cc.Gg.GBgb", then the attributes. */
void mp_profname_format(const mp_profname *p, char *buf, size_t n);

/* The GPU-instance part of a name: "1c.3g.40gb" -> "3g.40gb"; keeps
 * attributes. */
void mp_profname_gi(const mp_profname *p, char *buf, size_t n);

/* A short label for diagrams: the name without its ".NNgb" part, "1g" for
 * "1g.10gb", "1g+me" for "1g.10gb+me", "1c.3g" for "1c.3g.40gb". Writes a
 * NUL-terminated string of at most n bytes to buf. */
void mp_profile_short(const char *name, char *buf, size_t n);

#endif
