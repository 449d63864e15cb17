/* SPDX-License-Identifier: Apache-2.0 */
/* gofloat.c - Go's strconv.FormatFloat(f, 'g', -1, bits) and
 * encoding/json float text, from the shortest %e digits that round-trip. */
#include "migplan/yaml/gofloat.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Shortest digits that round-trip at the given precision, as %e text. */
static void shortest_e(double f, int bits, char *buf, size_t n)
{
    for (int p = 0; p < 17; p++) {
        snprintf(buf, n, "%.*e", p, f);
        if (bits == 32) {
            if (strtof(buf, NULL) == (float)f)
                return;
        } else if (strtod(buf, NULL) == f) {
            return;
        }
    }
    snprintf(buf, n, "%.16e", f);
}

/* Split "%e" text into sign, digit string and decimal exponent. */
static void split_e(const char *e, bool *neg, char *digits, size_t dn,
                    int *exp10)
{
    *neg = *e == '-';
    if (*e == '-' || *e == '+')
        e++;
    size_t k = 0;
    for (; *e && *e != 'e'; e++)
        if (*e >= '0' && *e <= '9' && k + 1 < dn)
            digits[k++] = *e;
    digits[k] = '\0';
    *exp10 = *e == 'e' ? atoi(e + 1) : 0;
    while (k > 1 && digits[k - 1] == '0')
        digits[--k] = '\0';
}

static void go_fmt(bool neg, const char *digits, int exp10, char style,
                   char *buf, size_t n)
{
    char tmp[400];
    size_t k = 0;
    size_t nd = strlen(digits);
    if (neg)
        tmp[k++] = '-';
    if (style == 'e') {
        tmp[k++] = digits[0];
        if (nd > 1) {
            tmp[k++] = '.';
            for (size_t i = 1; i < nd; i++)
                tmp[k++] = digits[i];
        }
        snprintf(tmp + k, sizeof(tmp) - k, "e%c%02d", exp10 < 0 ? '-' : '+',
                 exp10 < 0 ? -exp10 : exp10);
    } else {
        int dp = exp10 + 1; /* digits before the point */
        if (dp <= 0) {
            tmp[k++] = '0';
            tmp[k++] = '.';
            for (int i = 0; i < -dp && k < sizeof(tmp) - 2; i++)
                tmp[k++] = '0';
            for (size_t i = 0; i < nd && k < sizeof(tmp) - 2; i++)
                tmp[k++] = digits[i];
        } else {
            for (int i = 0; i < dp && k < sizeof(tmp) - 2; i++)
                tmp[k++] = (size_t)i < nd ? digits[i] : '0';
            if ((size_t)dp < nd) {
                tmp[k++] = '.';
                for (size_t i = (size_t)dp; i < nd && k < sizeof(tmp) - 2; i++)
                    tmp[k++] = digits[i];
            }
        }
        tmp[k] = '\0';
    }
    snprintf(buf, n, "%s", tmp);
}

void mp_go_format_float_g(double f, int bits, char *buf, size_t n)
{
    if (isnan(f)) {
        snprintf(buf, n, "NaN");
        return;
    }
    if (isinf(f)) {
        snprintf(buf, n, f > 0 ? "+Inf" : "-Inf");
        return;
    }
    char e[64], digits[40];
    bool neg;
    int exp10;
    shortest_e(f, bits, e, sizeof(e));
    split_e(e, &neg, digits, sizeof(digits), &exp10);
    if (f == 0) {
        snprintf(buf, n, "%s0", signbit(f) ? "-" : "");
        return;
    }
    /* strconv 'g' with shortest precision decides with precision 6 */
    go_fmt(neg, digits, exp10, (exp10 < -4 || exp10 >= 6) ? 'e' : 'f', buf, n);
}

void mp_go_json_float(double f, char *buf, size_t n)
{
    if (!isfinite(f)) {
        snprintf(buf, n, "%s", isnan(f) ? "NaN" : (f > 0 ? "+Inf" : "-Inf"));
        return;
    }
    if (f == 0) {
        snprintf(buf, n, "%s0", signbit(f) ? "-" : "");
        return;
    }
    char e[64], digits[40];
    bool neg;
    int exp10;
    shortest_e(f, 64, e, sizeof(e));
    split_e(e, &neg, digits, sizeof(digits), &exp10);
    double a = fabs(f);
    bool use_e = a < 1e-6 || a >= 1e21;
    go_fmt(neg, digits, exp10, use_e ? 'e' : 'f', buf, n);
    if (use_e) {
        /* encoding/json writes e-7, not e-07 */
        size_t L = strlen(buf);
        if (L >= 4 && buf[L - 4] == 'e' && buf[L - 3] == '-' &&
            buf[L - 2] == '0') {
            buf[L - 2] = buf[L - 1];
            buf[L - 1] = '\0';
        }
    }
}
