/* SPDX-License-Identifier: Apache-2.0 */
/* gofloat.h - Go's float formatting, to reproduce mig-parted's messages
 * and keys byte for byte (gofloat.c). */
#ifndef MIGPLAN_GOFLOAT_H
#define MIGPLAN_GOFLOAT_H

#include <stddef.h>

/* Go's strconv.FormatFloat(f, 'g', -1, bits) and encoding/json's float
 * form; used to reproduce mig-parted's messages. */
void mp_go_format_float_g(double f, int bits, char *buf, size_t n);
void mp_go_json_float(double f, char *buf, size_t n);

#endif
