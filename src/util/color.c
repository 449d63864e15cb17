// SPDX-License-Identifier: Apache-2.0
/* color.c - SGR painting for terminal output. */
#include "migplan/util/color.h"

void mp_paint(mp_buf *out, bool on, const char *sgr, const char *text, size_t n)
{
    if (on)
        mp_buf_puts(out, sgr);
    mp_buf_add(out, text, n);
    if (on)
        mp_buf_puts(out, MP_SGR_RESET);
}

const char *mp_tenant_sgr(int i)
{
    /* blue, yellow, magenta, cyan, green, red, then their bright forms */
    static const char *const cycle[] = {
        "\033[34m", "\033[33m", "\033[35m", "\033[36m", "\033[32m", "\033[31m",
        "\033[94m", "\033[93m", "\033[95m", "\033[96m", "\033[92m", "\033[91m",
    };
    enum { N = sizeof(cycle) / sizeof(*cycle) };
    return cycle[(i % N + N) % N];
}
