/* SPDX-License-Identifier: Apache-2.0 */
/* profname.c - go-nvlib's MIG profile-name grammar. */
#include "migplan/model/profname.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

static bool has_outer_space(const char *s, size_t n)
{
    return n > 0 &&
           (isspace((unsigned char)s[0]) || isspace((unsigned char)s[n - 1]));
}

/* Go strconv.Atoi: optional sign, decimal digits, must fit an int. */
static bool go_atoi(const char *s, size_t n, int *out)
{
    size_t i = 0;
    bool neg = false;
    if (i < n && (s[i] == '+' || s[i] == '-')) {
        neg = s[i] == '-';
        i++;
    }
    if (i == n)
        return false;
    long long v = 0;
    for (; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
        if (v > INT_MAX)
            return false;
    }
    *out = (int)(neg ? -v : v);
    return true;
}

static bool field(const char *s, size_t n, const char *suffix, int *out,
                  char *why, size_t whylen)
{
    size_t sl = strlen(suffix);
    if (has_outer_space(s, n)) {
        snprintf(why, whylen, "leading or trailing spaces on '%%d%s'", suffix);
        return false;
    }
    if (n < sl || memcmp(s + n - sl, suffix, sl) != 0) {
        snprintf(why, whylen, "missing '%s' from '%%d%s'", suffix, suffix);
        return false;
    }
    if (!go_atoi(s, n - sl, out)) {
        snprintf(why, whylen, "malformed number in '%%d%s'", suffix);
        return false;
    }
    return true;
}

static bool parse_fields(const char *s, size_t n, mp_profname *p, char *why,
                         size_t whylen)
{
    const char *d1 = memchr(s, '.', n);
    const char *d2 = d1 ? memchr(d1 + 1, '.', n - (size_t)(d1 + 1 - s)) : NULL;
    if (!d1) {
        snprintf(why, whylen, "parsed wrong number of fields, expected 2 or 3");
        return false;
    }
    if (d2) { /* SplitN(s, ".", 3): the third part keeps any further dots */
        p->ci_form = true;
        return field(s, (size_t)(d1 - s), "c", &p->c, why, whylen) &&
               field(d1 + 1, (size_t)(d2 - d1 - 1), "g", &p->g, why, whylen) &&
               field(d2 + 1, n - (size_t)(d2 + 1 - s), "gb", &p->gb, why,
                     whylen);
    }
    p->ci_form = false;
    if (!field(s, (size_t)(d1 - s), "g", &p->g, why, whylen) ||
        !field(d1 + 1, n - (size_t)(d1 + 1 - s), "gb", &p->gb, why, whylen))
        return false;
    p->c = p->g;
    return true;
}

static bool parse_attrs(const char *s, size_t n, char *why, size_t whylen)
{
    size_t i = 0;
    char seen[8][64];
    int nseen = 0;
    for (;;) {
        const char *comma = memchr(s + i, ',', n - i);
        size_t e = comma ? (size_t)(comma - s) : n;
        const char *a = s + i;
        size_t al = e - i;
        if (al == 0) {
            snprintf(why, whylen, "empty attribute in list");
            return false;
        }
        for (int k = 0; k < nseen; k++)
            if (strlen(seen[k]) == al && memcmp(seen[k], a, al) == 0) {
                snprintf(why, whylen, "non unique attribute in list");
                return false;
            }
        if (has_outer_space(a, al)) {
            snprintf(why, whylen, "leading or trailing spaces in attribute");
            return false;
        }
        if (a[0] >= '0' && a[0] <= '9') {
            snprintf(why, whylen, "attribute begins with a number");
            return false;
        }
        if (a[0] == '.' || a[al - 1] == '.') {
            snprintf(why, whylen, "attribute begins or ends with a '.'");
            return false;
        }
        for (size_t k = 0; k < al; k++) {
            char ch = a[k];
            if (!isalnum((unsigned char)ch) && ch != '.') {
                snprintf(why, whylen,
                         "non alpha-numeric character or digit in attribute");
                return false;
            }
        }
        if (nseen < 8 && al < 64) {
            memcpy(seen[nseen], a, al);
            seen[nseen++][al] = '\0';
        }
        if (!comma)
            return true;
        i = e + 1;
    }
}

bool mp_profname_parse(const char *s, size_t len, mp_profname *out, char *why,
                       size_t whylen)
{
    char reason[160];
    char shown[200];
    memset(out, 0, sizeof(*out));
    snprintf(shown, sizeof(shown), "%.*s", (int)(len < 150 ? len : 150), s);
    if (len == 0) {
        snprintf(why, whylen, "profile is the empty string");
        return false;
    }
    if (memchr(s, '\0', len)) {
        snprintf(why, whylen, "profile contains a NUL character");
        return false;
    }
    const char *plus = memchr(s, '+', len);
    const char *minus = memchr(s, '-', len);
    if (plus && minus) {
        snprintf(why, whylen,
                 "cannot parse '%s': contains both '+/-' attributes", shown);
        return false;
    }
    const char *sep = plus ? plus : minus;
    size_t flen = sep ? (size_t)(sep - s) : len;
    if (!parse_fields(s, flen, out, reason, sizeof(reason))) {
        snprintf(why, whylen, "cannot parse fields of '%s': %s", shown, reason);
        return false;
    }
    if (sep) {
        size_t alen = len - flen - 1;
        if (!parse_attrs(sep + 1, alen, reason, sizeof(reason))) {
            snprintf(why, whylen, "cannot parse attributes of '%s': %s", shown,
                     reason);
            return false;
        }
        if (alen >= sizeof(out->attrs)) {
            snprintf(why, whylen, "cannot parse attributes of '%s': too long",
                     shown);
            return false;
        }
        out->sign = *sep;
        memcpy(out->attrs, sep + 1, alen);
        out->attrs[alen] = '\0';
    }
    return true;
}

void mp_profname_format(const mp_profname *p, char *buf, size_t n)
{
    char suffix[80] = "";
    if (p->sign)
        snprintf(suffix, sizeof(suffix), "%c%s", p->sign, p->attrs);
    if (p->c == p->g)
        snprintf(buf, n, "%dg.%dgb%s", p->g, p->gb, suffix);
    else
        snprintf(buf, n, "%dc.%dg.%dgb%s", p->c, p->g, p->gb, suffix);
}

void mp_profname_gi(const mp_profname *p, char *buf, size_t n)
{
    mp_profname gi = *p;
    gi.c = gi.g;
    gi.ci_form = false;
    mp_profname_format(&gi, buf, n);
}

void mp_profile_short(const char *name, char *buf, size_t n)
{
    /* drop the ".NNgb" part: 1g.10gb+me -> 1g+me, 1c.3g.40gb -> 1c.3g */
    const char *gb = strstr(name, "gb");
    const char *dot = NULL;
    for (const char *p = name; gb && p < gb; p++)
        if (*p == '.')
            dot = p;
    if (!gb || !dot) {
        snprintf(buf, n, "%s", name);
        return;
    }
    snprintf(buf, n, "%.*s%s", (int)(dot - name), name, gb + 2);
}
